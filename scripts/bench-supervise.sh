#!/usr/bin/env bash
# Benchmarks of the supervising office's overview (issue 8) on demo data: loading the demo
# (registers, proactive items, report texts), the overview cache's full refresh, and the overview
# of the whole tree and of one county on the command line — cold, then warm (hyperfine, p50/p95)
# — with the cached output compared byte for byte with `--no-cache`. Results go in BENCHMARKS.md.
#
#   scripts/bench-supervise.sh                                                # SQLite file
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gk_super scripts/bench-supervise.sh
#   AGENCIES=50 REQUESTS=20000 PROACTIVE=1000 RUNS=5 scripts/bench-supervise.sh   # quick
#
# The demo tree is flat (the government and its departments and towns); a county of 201 agencies
# is made for the measurement: `DEMO-C01` under `DEMO`, and 200 of the departments moved under it.
# Needs hyperfine (Debian: apt-get install hyperfine), python3, and psql for PostgreSQL. The
# database is kept between runs (DB_DIR) unless FRESH=1. GONGKAI_BIN: a release binary to use.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGENCIES="${AGENCIES:-2000}"
REQUESTS="${REQUESTS:-1000000}"
PROACTIVE="${PROACTIVE:-100000}"
RUNS="${RUNS:-30}"
YEAR="${YEAR:-2025}"
TODAY="${TODAY:-2026-11-27}"
DB_DIR="${DB_DIR:-${TMPDIR:-/tmp}/gongkai-super}"
target="${CARGO_TARGET_DIR:-$root/target}"
# Errors only on stderr: slow-statement warnings of the bulk reads would drown the figures.
export GONGKAI_LOG="${GONGKAI_LOG:-error}"

command -v hyperfine >/dev/null || { echo "缺少 hyperfine：apt-get install hyperfine (missing hyperfine)" >&2; exit 2; }
if [ -z "${GONGKAI_BIN:-}" ]; then
  (cd "$root" && cargo build --release --locked -q --bin gongkai)
  GONGKAI_BIN="$target/release/gongkai"
fi
bin="$GONGKAI_BIN"
mkdir -p "$DB_DIR"
url="${DATABASE_URL:-sqlite://$DB_DIR/super-$AGENCIES-$REQUESTS.db?mode=rwc}"
db=(--database-url "$url")
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f} s')"; }

marker="$DB_DIR/$(echo "$url" | tr -c 'a-zA-Z0-9' '_').done"
if [ "${FRESH:-0}" = 1 ] || [ ! -f "$marker" ]; then
  case "$url" in
    sqlite://*) f="${url#sqlite://}"; rm -f "${f%%\?*}"*;;
    postgres*://*) name="${url##*/}"; admin="${url%/*}/postgres"
      psql -q "$admin" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name";;
  esac
  echo "demo: $AGENCIES agencies, $REQUESTS requests, $PROACTIVE proactive items → $url (load $(load))"
  t0=$(now)
  "$bin" demo "${db[@]}" --agencies "$AGENCIES" --requests "$REQUESTS" --proactive "$PROACTIVE"
  echo "demo loaded in $(secs "$t0" "$(now)") (load $(load))"
  # The county: DEMO-C01 and 200 departments under it (plain SQL; the refresh below is forced).
  "$bin" agency add "${db[@]}" --code DEMO-C01 --name 示范县城区片 --kind government --parent DEMO >/dev/null
  move="UPDATE agencies SET parent = 'DEMO-C01' WHERE code IN (SELECT code FROM agencies WHERE parent = 'DEMO' AND kind = 'department' ORDER BY code LIMIT 200)"
  case "$url" in
    sqlite://*) f="${url#sqlite://}"; python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()" "${f%%\?*}" "$move";;
    *) psql -q "${url}" -c "$move";;
  esac
  touch "$marker"
fi

echo "refresh --force of $YEAR (load $(load))"
t0=$(now)
"$bin" supervise refresh "${db[@]}" --year "$YEAR" --force
echo "refreshed in $(secs "$t0" "$(now)")"

out="$DB_DIR/out"
mkdir -p "$out"
for root_code in DEMO DEMO-C01; do
  cmd="$bin supervise --agency $root_code --year $YEAR --today $TODAY --json --database-url $url"
  t0=$(now); $cmd > "$out/$root_code.cached.json"; t1=$(now)
  echo "$root_code: first run after the refresh $(secs "$t0" "$t1")"
  t0=$(now); $cmd --no-cache > "$out/$root_code.uncached.json"; t1=$(now)
  echo "$root_code: --no-cache $(secs "$t0" "$t1")"
  cmp "$out/$root_code.cached.json" "$out/$root_code.uncached.json" && echo "$root_code: cached output identical to --no-cache"
  echo "$root_code: $RUNS warm runs (load before $(load))"
  hyperfine -N -w 1 -r "$RUNS" --export-json "$out/$root_code.hyperfine.json" --output=null "$cmd" >/dev/null
  python3 - "$out/$root_code.hyperfine.json" "$root_code" <<'PY'
import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"])
p = lambda q: t[min(len(t) - 1, int(round(q * (len(t) - 1))))] * 1000
print(f"{sys.argv[2]}: p50 {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, min {t[0]*1000:.0f}, max {t[-1]*1000:.0f} ({len(t)} runs)")
PY
  echo "  (load after $(load))"
done
