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
# Then the console page /console/supervise of both subtrees, logged in as a supervisor, with ab
# (CONSOLE=0 skips it; CLI=0 measures it alone).
# Needs hyperfine (Debian: apt-get install hyperfine), ab (apache2-utils), curl, python3, and psql
# for PostgreSQL. The database is kept between runs (DB_DIR) unless FRESH=1. GONGKAI_BIN: a release
# binary to use.
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

out="$DB_DIR/out"
mkdir -p "$out"
# CLI=0 skips the refresh and the command-line measurements (to measure the console page alone).
if [ "${CLI:-1}" = 1 ]; then
echo "refresh --force of $YEAR (load $(load))"
t0=$(now)
"$bin" supervise refresh "${db[@]}" --year "$YEAR" --force
echo "refreshed in $(secs "$t0" "$(now)")"

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
fi

# The console page /console/supervise for a supervisor of each subtree (CONSOLE=0 skips it):
# `gongkai serve` on a free port, a supervisor account per subtree logged in through the login
# form (its CSRF cookie and field), then `ab -n N -c 1` with the session cookie (apache2-utils).
if [ "${CONSOLE:-1}" = 1 ]; then
  command -v ab >/dev/null || { echo "缺少 ab：apt-get install apache2-utils (missing ab)" >&2; exit 2; }
  port="${PORT:-18181}"
  pw='Bench-pw-2026'
  for root_code in DEMO DEMO-C01; do
    user="bench-$(echo "$root_code" | tr 'A-Z' 'a-z')"
    printf '%s\n' "$pw" | "$bin" user add "${db[@]}" --agency "$root_code" --role supervisor --username "$user" >/dev/null 2>&1 || true
  done
  # Info level: the server says when its start-up refresh of the cache (the year due and the
  # current one) is over; the pages are measured after it, not while it runs.
  GONGKAI_LOG=info "$bin" serve "${db[@]}" --bind "127.0.0.1:$port" >"$out/serve.log" 2>&1 &
  serve_pid=$!
  trap 'kill $serve_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do
    [ "$(grep -c -e 'overview cache ready' -e 'overview cache refresh failed' "$out/serve.log")" -ge 2 ] && break
    sleep 1
  done
  grep -e 'overview cache ready' -e 'overview cache refresh failed' "$out/serve.log" | sed 's/\x1b\[[0-9;]*m//g; s/^/  serve: /'
  for _ in $(seq 1 30); do curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 1; done
  for root_code in DEMO DEMO-C01; do
    user="bench-$(echo "$root_code" | tr 'A-Z' 'a-z')"
    cookie=$(python3 - "$port" "$user" "$pw" <<'PY'
import http.client, re, sys, urllib.parse
port, user, pw = sys.argv[1], sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", int(port))
c.request("GET", "/console/login")
r = c.getresponse(); page = r.read().decode()
login = [h.split(";")[0] for k, h in r.getheaders() if k.lower() == "set-cookie" and h.startswith("gk_login_csrf=")][0]
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
body = urllib.parse.urlencode({"username": user, "password": pw, "csrf": csrf, "next": "/console"})
c.request("POST", "/console/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": login,
          "Origin": f"http://127.0.0.1:{port}", "Host": f"127.0.0.1:{port}"})
r = c.getresponse(); r.read()
print([h.split(";")[0] for k, h in r.getheaders() if k.lower() == "set-cookie" and h.startswith("gk_session=")][0])
PY
)
    page="http://127.0.0.1:$port/console/supervise?year=$YEAR"
    n=$([ "$root_code" = DEMO ] && echo "${CONSOLE_RUNS:-60}" || echo "${CONSOLE_RUNS_COUNTY:-100}")
    bytes=$(curl -fsS -H "Cookie: $cookie" "$page" | wc -c)
    for _ in 1 2 3; do curl -fsS -o /dev/null -H "Cookie: $cookie" "$page"; done
    echo "$root_code console page: $bytes bytes; ab -n $n -c 1 (load before $(load))"
    ab -q -n "$n" -c 1 -H "Cookie: $cookie" -e "$out/$root_code.ab.csv" "$page" >"$out/$root_code.ab.txt"
    grep -E "^(Complete|Failed|Non-2xx)" "$out/$root_code.ab.txt" | tr -s ' ' | sed 's/^/  /'
    python3 - "$out/$root_code.ab.csv" "$root_code" <<'PY'
import csv, sys
rows = {int(r[0]): float(r[1]) for r in list(csv.reader(open(sys.argv[1])))[1:]}
print(f"{sys.argv[2]} console page: p50 {rows[50]:.0f} ms, p95 {rows[95]:.0f} ms, max {rows[100]:.0f} ms")
PY
    echo "  (load after $(load))"
  done
  kill "$serve_pid" 2>/dev/null || true
fi
