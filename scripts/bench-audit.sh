#!/usr/bin/env bash
# Throughput of `gongkai report audit` over 10,000 reports (issue 6), per format, with --jobs 1
# and with every core; results in reports/s (BENCHMARKS.md).
#
#   scripts/bench-audit.sh [N] [FORMATS]     N = reports per format (default 10000),
#                                            FORMATS = "text html" (default)
#
# Text: the seed, the corpus texts and the examples, copied round-robin to N files. HTML: the
# corpus page 001, our 2021 county fixture, and the seed and examples rendered by
# `gongkai report render --to html`. Needs hyperfine (apt-get install hyperfine).
set -euo pipefail
N=${1:-10000}
FORMATS=${2:-text html}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${GONGKAI_SHARED:-$ROOT/../shared}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/gongkai
cargo build --release -p gongkai >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

TEXTS=("$SHARED"/seeds/000_ac430a0e528d85a1.txt "$SHARED"/corpus/reports/*.txt "$ROOT"/examples/*.txt)
mkdir -p "$WORK/src-html"
cp "$SHARED"/corpus/reports/*.html "$ROOT"/crates/gongkai-import/tests/fixtures/*.html "$WORK/src-html/"
for f in "$SHARED"/seeds/000_ac430a0e528d85a1.txt "$ROOT"/examples/*.txt; do
    "$BIN" report render "$f" --to html >"$WORK/src-html/rendered-$(basename "$f" .txt).html"
done
HTMLS=("$WORK"/src-html/*.html)

# Copies the sources round-robin into DIR until it holds N files.
replicate() {
    local dir=$1
    shift
    python3 - "$dir" "$N" "$@" <<'EOF'
import os, shutil, sys
d, n, srcs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
os.makedirs(d, exist_ok=True)
for i in range(n):
    s = srcs[i % len(srcs)]
    shutil.copyfile(s, os.path.join(d, f"{i:05d}-{os.path.basename(s)}"))
EOF
}

CORES=$(nproc)
for fmt in $FORMATS; do
    case $fmt in
    text) replicate "$WORK/$fmt" "${TEXTS[@]}" ;;
    html) replicate "$WORK/$fmt" "${HTMLS[@]}" ;;
    *)
        echo "unknown format $fmt" >&2
        exit 2
        ;;
    esac
    # The audit exits 1 when some report has an error finding (the corpus has known ones).
    for jobs in 1 "$CORES"; do
        hyperfine -N --warmup 1 --runs 5 -i --export-json "$WORK/$fmt-$jobs.json" \
            "$BIN report audit $WORK/$fmt --jobs $jobs --out $WORK/out.csv" >&2
        python3 - "$WORK/$fmt-$jobs.json" "$N" "$fmt" "$jobs" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
n = int(sys.argv[2])
print(f"{sys.argv[3]:5} --jobs {sys.argv[4]}: median {r['median']:.3f} s for {n} reports = {n / r['median']:,.0f} reports/s "
      f"(mean {r['mean']:.3f} ± {r['stddev']:.3f} s)")
EOF
    done
done
