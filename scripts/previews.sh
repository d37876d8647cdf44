#!/usr/bin/env bash
# Renders the seed report's exports to PNG pictures in docs/images/, to compare by eye with the
# official template (../shared/templates/template-2021-page-*.png).
#
#   scripts/previews.sh            # all previews
#
# DOCX: seed → .docx (`gongkai report export … --to docx` when the binary has it, else the
# gongkai-export example) → LibreOffice (headless, private profile) → PDF → pdftoppm -r 60 →
# docs/images/seed-docx-N.png.
# Needs: cargo, soffice (libreoffice-writer-nogui), pdftoppm (poppler-utils).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${GONGKAI_SHARED:-$root/../shared}"
seed="$shared/seeds/000_ac430a0e528d85a1.txt"
images="$root/docs/images"
work="$(mktemp -d "${TMPDIR:-/tmp}/gongkai-previews.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$images"

for tool in soffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "缺少 $tool (missing $tool)" >&2; exit 2; }
done
[ -f "$seed" ] || { echo "找不到样例报告 $seed（请设置 GONGKAI_SHARED）(seed not found)" >&2; exit 2; }

# Exports the seed as $1 (docx, …) to $2, with the binary when it knows `report export`.
export_seed() {
  local format="$1" out="$2"
  if cargo run -q -p gongkai -- report export --help >/dev/null 2>&1; then
    cargo run -q -p gongkai -- report export "$seed" --to "$format" --out "$out"
  elif [ "$format" = docx ]; then
    cargo run -q -p gongkai-export --example export_seed -- "$seed" "$out"
  else
    echo "无法导出 $format：gongkai report export 尚不可用 (cannot export $format yet)" >&2
    return 1
  fi
}

# Converts $1 to PDF with LibreOffice and renders its pages as $images/$2-N.png.
render_pages() {
  local file="$1" name="$2"
  soffice "-env:UserInstallation=file://$work/profile" --headless --norestore \
    --convert-to pdf --outdir "$work" "$file" >/dev/null
  local pdf="$work/$(basename "${file%.*}").pdf"
  [ -s "$pdf" ] || { echo "LibreOffice 未生成 PDF：$file (no PDF produced)" >&2; return 1; }
  rm -f "$images/$name"-*.png
  pdftoppm -png -r 60 "$pdf" "$work/page"
  local n=0
  for png in $(ls "$work"/page-*.png | sort -V); do
    n=$((n + 1))
    mv "$png" "$images/$name-$n.png"
  done
  echo "$name: $n 页 (pages) → docs/images/$name-1..$n.png"
}

cd "$root"
export_seed docx "$work/seed.docx"
render_pages "$work/seed.docx" seed-docx
