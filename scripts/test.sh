#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test of every crate, on SQLite and on
# PostgreSQL. This is the command README.md names and .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# The corpus, the seed and the official template the tests read are in testdata/ (nothing
# beside the clone is needed).
[ -d testdata/corpus/reports ] || { echo "test: testdata/corpus/reports is missing from the clone" >&2; exit 1; }
# The PostgreSQL tests always run; they fail (not skip) when the server is unreachable.
export GONGKAI_TEST_POSTGRES_URL="${GONGKAI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

# axe-core's browser build for the accessibility scan (installed by setup.sh; A5.2).
export GONGKAI_AXE_JS="${GONGKAI_AXE_JS:-${GONGKAI_AXE_DIR:-$HOME/.cache/gongkai-axe}/node_modules/axe-core/axe.min.js}"

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --all-targets --locked
# Doc tests (not part of --all-targets).
cargo test --workspace --doc --locked
