#!/usr/bin/env bash
# kill -9 during a bounded load (issue 21): `gongkai serve` killed ROUNDS times while public
# filings and staff replies are written; after each kill, no acknowledged write may be missing,
# no change may lack its audit record, and `gongkai audit verify` must pass. See
# scripts/killtest.py for what is driven and checked; results go in BENCHMARKS.md.
#
#   bash scripts/killtest.sh                          # SQLite, 6 rounds of up to 20 s
#   BACKEND=postgres bash scripts/killtest.sh         # PostgreSQL at 127.0.0.1:5432
#   ROUNDS=3 SECONDS_PER_ROUND=10 GONGKAI_BIN=target/debug/gongkai bash scripts/killtest.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gongkai-target}"
if [ -z "${GONGKAI_BIN:-}" ]; then
  (cd "$root" && cargo build --release --locked -q --bin gongkai)
  export GONGKAI_BIN="$CARGO_TARGET_DIR/release/gongkai"
fi
exec python3 "$root/scripts/killtest.py"
