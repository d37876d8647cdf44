#!/usr/bin/env bash
# Renders the seed report's exports to PNG pictures in docs/images/, to compare by eye with the
# official template (testdata/templates/template-2021-page-*.png).
#
#   scripts/previews.sh            # all previews
#
# DOCX: seed → `gongkai report export … --to docx` → LibreOffice (headless, private profile) →
# PDF → pdftoppm -r 60 → docs/images/seed-docx-N.png. (The PDF export's own pictures,
# docs/images/seed-pdf-N.png, come from `gongkai report export --to pdf` → pdftoppm.)
# Needs: cargo (release build), soffice (libreoffice-writer-nogui), pdftoppm (poppler-utils).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$root/testdata"
seed="$shared/seeds/000_ac430a0e528d85a1.txt"
images="$root/docs/images"
work="$(mktemp -d "${TMPDIR:-/tmp}/gongkai-previews.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$images"

for tool in soffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "缺少 $tool (missing $tool)" >&2; exit 2; }
done
[ -f "$seed" ] || { echo "找不到样例报告 $seed" >&2; exit 2; }

# The release binary (built here; the same one scripts/load.sh uses).
bin="${CARGO_TARGET_DIR:-$root/target}/release/gongkai"
(cd "$root" && cargo build --release --locked -q --bin gongkai)

# Exports the seed as $1 (docx, pdf, …) to $2.
export_seed() {
  "$bin" report export "$seed" --to "$1" --out "$2"
}

# Renders the pages of $1 (a PDF, or a document LibreOffice converts to one) as $images/$2-N.png.
render_pages() {
  local file="$1" name="$2" pdf
  if [ "${file##*.}" = pdf ]; then
    pdf="$file"
  else
    soffice "-env:UserInstallation=file://$work/profile" --headless --norestore \
      --convert-to pdf --outdir "$work/lo" "$file" >/dev/null
    pdf="$work/lo/$(basename "${file%.*}").pdf"
  fi
  [ -s "$pdf" ] || { echo "未生成 PDF：$file (no PDF produced)" >&2; return 1; }
  rm -f "$images/$name"-*.png "$work"/page-*.png
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
export_seed pdf "$work/seed.pdf"
render_pages "$work/seed.pdf" seed-pdf
