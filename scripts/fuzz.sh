#!/usr/bin/env bash
# A bounded fuzz run of every importer (issue 21 item 4): damaged copies of the corpus (text,
# HTML, PDF, DOCX, XLSX, JSON) imported for MINUTES minutes; prints runs, panics, the slowest input
# and the peak memory, and exits 1 on any panic (the input is saved in OUT).
#
#   bash scripts/fuzz.sh MINUTES [OUT [MORE_CORPUS_DIR…]]
#   FUZZ_FORMAT=html bash scripts/fuzz.sh 60 target/fuzz-html   # one importer (html, text, docx, pdf, xlsx, json)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:?usage: scripts/fuzz.sh MINUTES [OUT]}"
out="${2:-target/fuzz}"
shift $(( $# < 2 ? $# : 2 ))
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gongkai-target}"
cargo build --release --locked -p gongkai-import --example fuzz
exec "$CARGO_TARGET_DIR/release/examples/fuzz" "$minutes" "$out" testdata examples crates/gongkai-import/tests/fixtures "$@"
