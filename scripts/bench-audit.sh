#!/usr/bin/env bash
# Throughput of `gongkai report audit` (issue 6), per format, with --jobs 1 and with every
# core; results in reports/s (BENCHMARKS.md).
#
#   scripts/bench-audit.sh [N] [FORMATS]     N = reports per format (default 10000),
#                                            FORMATS = "text html docx pdf" (default)
#   RUNS=3 (hyperfine runs per measurement, after one warm-up run)
#
# Sources, copied round-robin to N files per format:
#   text: the seed, the corpus texts and the examples;
#   html: the corpus page 001, our 2021 county fixture, and the seed, examples and corpus texts
#         rendered by `gongkai report export --to html`;
#   docx: the seed, examples and corpus texts exported by `gongkai report export --to docx`;
#   pdf:  the corpus PDF 019 and the same reports exported by `gongkai report export --to pdf`.
# Needs hyperfine (apt-get install hyperfine) and python3. GONGKAI_BIN=path skips the build.
set -euo pipefail
N=${1:-10000}
FORMATS=${2:-text html docx pdf}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$ROOT/testdata
cd "$ROOT"
# The binary: GONGKAI_BIN, or built here, at the path cargo reports (the target directory may
# be redirected).
BIN=${GONGKAI_BIN:-}
[ -n "$BIN" ] || BIN=$(cargo build --workspace --release --locked --bin gongkai --message-format=json |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "gongkai":
        print(m["executable"])')
[ -x "$BIN" ] || {
    echo "gongkai binary not found" >&2
    exit 2
}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

TEXTS=("$SHARED"/seeds/000_ac430a0e528d85a1.txt "$SHARED"/corpus/reports/*.txt "$ROOT"/examples/*.txt)
# Exports of every text report in FORMAT (the ones gongkai reads as a report).
export_all() {
    local fmt=$1 dir=$2
    mkdir -p "$dir"
    for f in "${TEXTS[@]}"; do
        "$BIN" report export "$f" --to "$fmt" --out "$dir/exported-$(basename "$f" .txt).$fmt" >/dev/null 2>&1 ||
            echo "skipped $f (not exportable as $fmt)" >&2
    done
}

# Copies the sources round-robin into DIR until it holds N files.
replicate() {
    local dir=$1
    shift
    python3 - "$dir" "$N" "$@" <<'PY'
import os, shutil, sys
d, n, srcs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
os.makedirs(d, exist_ok=True)
for i in range(n):
    s = srcs[i % len(srcs)]
    shutil.copyfile(s, os.path.join(d, f"{i:05d}-{os.path.basename(s)}"))
PY
}

CORES=$(nproc)
echo "machine: $(nproc) cores, $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for fmt in $FORMATS; do
    case $fmt in
    text) SRC=("${TEXTS[@]}") ;;
    html)
        export_all html "$WORK/src-html"
        cp "$SHARED"/corpus/reports/*.html "$ROOT"/crates/gongkai-import/tests/fixtures/*.html "$WORK/src-html/"
        SRC=("$WORK"/src-html/*)
        ;;
    docx)
        export_all docx "$WORK/src-docx"
        SRC=("$WORK"/src-docx/*)
        ;;
    pdf)
        export_all pdf "$WORK/src-pdf"
        cp "$SHARED"/corpus/reports/*.pdf "$WORK/src-pdf/"
        SRC=("$WORK"/src-pdf/*)
        ;;
    *)
        echo "unknown format $fmt" >&2
        exit 2
        ;;
    esac
    replicate "$WORK/$fmt" "${SRC[@]}"
    echo "$fmt: ${#SRC[@]} distinct sources, $N files, $(du -sh "$WORK/$fmt" | cut -f1)"
    # The audit exits 1 when some report has an error finding (the corpus has known ones).
    for jobs in 1 "$CORES"; do
        hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$WORK/$fmt-$jobs.json" \
            "$BIN report audit $WORK/$fmt --jobs $jobs --out $WORK/out.csv" >&2
        python3 - "$WORK/$fmt-$jobs.json" "$N" "$fmt" "$jobs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
n = int(sys.argv[2])
sd = r.get("stddev") or 0.0  # absent with a single run
print(f"{sys.argv[3]:5} --jobs {sys.argv[4]}: median {r['median']:.3f} s for {n} reports = {n / r['median']:,.0f} reports/s "
      f"(mean {r['mean']:.3f} ± {sd:.3f} s, {len(r['times'])} runs)")
PY
    done
    # Every file read: the CSV has a row per file and none failed.
    python3 - "$WORK/out.csv" "$N" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
failed = [r for r in rows if r.get("error")]
print(f"      {len(rows)} rows, {len(failed)} unreadable" + (f" (e.g. {failed[0]['file']}: {failed[0]['error']})" if failed else ""))
PY
    rm -rf "${WORK:?}/$fmt"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
