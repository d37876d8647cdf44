#!/usr/bin/env bash
# Load test of the public portal (issue 7): `gongkai serve` on demo data, driven by oha at a
# fixed rate; prints throughput and latency percentiles per page (results go in BENCHMARKS.md).
#
#   scripts/load.sh                         # SQLite file, 2,000 agencies, 1,000,000 requests,
#                                           # 100,000 proactive items, 500 requests/s, 30 s per page
#   AGENCIES=20 REQUESTS=2000 PROACTIVE=1000 RATE=200 SECONDS_PER_PAGE=5 scripts/load.sh   # quick
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_load scripts/load.sh                # PostgreSQL
#
# Needs: oha (`cargo install oha --locked`), a release build (`cargo build --release -p gongkai`;
# the script builds it). The demo database is kept between runs (DB_DIR) unless FRESH=1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGENCIES="${AGENCIES:-2000}"
REQUESTS="${REQUESTS:-1000000}"
PROACTIVE="${PROACTIVE:-100000}"
RATE="${RATE:-500}"
SECONDS_PER_PAGE="${SECONDS_PER_PAGE:-30}"
PORT="${PORT:-18080}"
DB_DIR="${DB_DIR:-${TMPDIR:-/tmp}/gongkai-load}"
target="${CARGO_TARGET_DIR:-$root/target}"

command -v oha >/dev/null || { echo "缺少 oha：cargo install oha --locked (missing oha)" >&2; exit 2; }
(cd "$root" && cargo build --release --locked -q --bin gongkai)
bin="$target/release/gongkai"

mkdir -p "$DB_DIR"
url="${DATABASE_URL:-sqlite://$DB_DIR/load-$AGENCIES-$REQUESTS-$PROACTIVE.db?mode=rwc}"
marker="$DB_DIR/$(echo "$url" | tr -c 'a-zA-Z0-9' '_').done"
if [ "${FRESH:-0}" = 1 ] || [ ! -f "$marker" ]; then
  case "$url" in sqlite://*) f="${url#sqlite://}"; rm -f "${f%%\?*}"*;; esac
  echo "demo: $AGENCIES agencies, $REQUESTS requests, $PROACTIVE proactive items → $url"
  /usr/bin/time -f "demo: %e s, %M KiB max RSS" \
    "$bin" demo --database-url "$url" --agencies "$AGENCIES" --requests "$REQUESTS" --proactive "$PROACTIVE"
  touch "$marker"
fi

"$bin" serve --database-url "$url" --bind "127.0.0.1:$PORT" 2>"$DB_DIR/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

agency="DEMO-$(printf %04d $((AGENCIES / 2)))"
item="$(curl -fsS "http://127.0.0.1:$PORT/agencies/$agency/proactive" | grep -o "/agencies/$agency/proactive/[^\"]*" | head -1)"
q="$(python3 -c 'import urllib.parse; print(urllib.parse.quote("部门预算"))')"
pages=(
  "/"
  "/agencies"
  "/agencies/$agency"
  "/agencies/$agency/guide"
  "/agencies/$agency/proactive"
  "/agencies/$agency/proactive?q=$q"
  "/agencies/$agency/proactive?item=7&year=2024"
  "$item"
  "/api/v1/agencies"
)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); rate $RATE/s, ${SECONDS_PER_PAGE}s per page, 50 connections"
printf '| page | requests/s | p50 ms | p99 ms | max ms | non-2xx |\n|---|---|---|---|---|---|\n'
for p in "${pages[@]}"; do
  # Warm the page (and the search dictionary) once, then measure.
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT$p"
  json="$(oha --no-tui --latency-correction --output-format json -z "${SECONDS_PER_PAGE}s" -q "$RATE" -c 50 "http://127.0.0.1:$PORT$p")"
  python3 - "$p" "$json" <<'EOF'
import json, sys
page, data = sys.argv[1], json.loads(sys.argv[2])
s, p = data["summary"], data["latencyPercentiles"]
codes = data.get("statusCodeDistribution", {})
bad = sum(n for c, n in codes.items() if not c.startswith("2"))
print(f"| `{page}` | {s['requestsPerSec']:.0f} | {p['p50']*1000:.2f} | {p['p99']*1000:.2f} | {s['slowest']*1000:.2f} | {bad} |")
EOF
done
