#!/usr/bin/env python3
"""kill -9 under load (issue 21): no acknowledged write lost, no change without its audit record.

Runs `gongkai serve` on a fresh database, drives it with public filings (POST
/api/v1/agencies/KT/requests, each filer from its own 127.0.0.x address so that the per-address
limit spreads) and staff replies (POST /api/v1/staff/requests/{n}/events with an API token, several
posters racing for the same request), kills the server with SIGKILL at a random moment, and then,
with the server dead, checks:

- every filing answered 201 is stored, and every reply answered 201 is stored;
- no request holds more than one reply (the events are checked under the request's lock);
- every stored request has its `request.file_online` audit record, and every stored reply its
  `request.reply` record (written in the same transaction);
- `gongkai audit verify` exits 0.

Then it starts the server again on the same database and goes on, ROUNDS times. Exit 0 when every
round held, 1 otherwise. Standard library only; `psql` for PostgreSQL.

    scripts/killtest.sh                       # SQLite, 6 rounds
    BACKEND=postgres scripts/killtest.sh      # PostgreSQL at 127.0.0.1:5432 (database gk_killtest)
"""

import datetime
import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

BIN = os.environ["GONGKAI_BIN"]
BACKEND = os.environ.get("BACKEND", "sqlite")
ROUNDS = int(os.environ.get("ROUNDS", "6"))
SECONDS = float(os.environ.get("SECONDS_PER_ROUND", "20"))
FILERS = int(os.environ.get("FILERS", "24"))
POSTERS = int(os.environ.get("POSTERS", "8"))
PORT = int(os.environ.get("PORT", "18090"))
WORK = os.environ.get("WORK_DIR", "/tmp/gongkai-killtest")
PG_ADMIN = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")
AGENCY = "KT"
PASSWORD = "Kill-Test-2026!x"

shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
if BACKEND == "postgres":
    subprocess.run(["psql", PG_ADMIN, "-qc", "DROP DATABASE IF EXISTS gk_killtest"], check=True)
    subprocess.run(["psql", PG_ADMIN, "-qc", "CREATE DATABASE gk_killtest"], check=True)
    URL = PG_ADMIN.rsplit("/", 1)[0] + "/gk_killtest"
else:
    URL = f"sqlite://{WORK}/kill.db?mode=rwc"
ENV = dict(os.environ, GONGKAI_DATABASE_URL=URL, GONGKAI_DATA_DIR=f"{WORK}/data", GONGKAI_LOG="warn")
BASE = f"http://127.0.0.1:{PORT}"


def gk(*args, stdin=None):
    return subprocess.run([BIN, *args], env=ENV, input=stdin, capture_output=True, text=True)


def query(sql):
    """Rows of `sql` (the server is dead: nothing else writes)."""
    if BACKEND == "postgres":
        out = subprocess.run(["psql", URL, "-AtF", "\t", "-c", sql], capture_output=True, text=True, check=True)
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]
    con = sqlite3.connect(f"{WORK}/kill.db")
    try:
        return [tuple(str(v) for v in row) for row in con.execute(sql)]
    finally:
        con.close()


def start_server():
    log = open(f"{WORK}/serve.log", "a")
    proc = subprocess.Popen([BIN, "serve", "--bind", f"127.0.0.1:{PORT}"], env=ENV, stdout=log, stderr=log)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit(f"the server did not start: see {WORK}/serve.log")


def api_token():
    """Logs in to the console and creates an API token (what an office's integration does)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Origin", BASE)]

    def csrf(path):
        page = opener.open(BASE + path).read().decode()
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    form = {"username": "kt.staff", "password": PASSWORD, "csrf": csrf("/console/login")}
    opener.open(BASE + "/console/login", urllib.parse.urlencode(form).encode())
    form = {"name": "killtest", "days": "30", "csrf": csrf("/console/tokens")}
    try:
        page = opener.open(BASE + "/console/tokens", urllib.parse.urlencode(form).encode()).read().decode()
    except urllib.error.HTTPError as e:
        page = e.read().decode()
    return re.search(r'<code id="new-token">([^<]+)<', page).group(1)


def post(conn, path, body, headers):
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **headers})
    r = conn.getresponse()
    return r.status, r.read()


def china_today():
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date().isoformat()


class Load:
    def __init__(self, token):
        self.token = token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.filed = []  # acknowledged (201) filings
        self.replied = []  # acknowledged (201) replies
        self.refused = 0  # replies refused because another was stored first (409/422)
        self.other = {}  # any other answer: status -> (count, first body)

    def filer(self, i):
        body = {
            "applicant_type": "natural_person", "name": "压力测试", "id_document_type": "resident_id_card",
            "id_document": "110101199003071233", "phone": "13900000000", "email": "kill@example.cn",
            "content": "2026年政府采购目录", "form": "electronic", "delivery": "email",
        }
        while not self.stop.is_set():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5, source_address=(f"127.0.0.{2 + i}", 0))
                status, data = post(conn, f"/api/v1/agencies/{AGENCY}/requests", body, {})
                conn.close()
            except OSError:
                time.sleep(0.05)
                continue
            if status == 201:
                with self.lock:
                    self.filed.append(json.loads(data)["tracking_number"])
            elif status == 429:
                time.sleep(0.2)
            else:
                self.note(status, data)

    def note(self, status, data):
        with self.lock:
            count, first = self.other.get(status, (0, data[:300]))
            self.other[status] = (count + 1, first)

    def poster(self):
        headers = {"Authorization": f"Bearer {self.token}"}
        while not self.stop.is_set():
            with self.lock:
                # The newest filings: several posters race for the same request.
                pool = self.filed[-4:]
            if not pool:
                time.sleep(0.05)
                continue
            number = random.choice(pool)
            body = {"kind": "reply", "on": china_today(), "outcome": "granted"}
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5, source_address=("127.0.0.1", 0))
                status, data = post(conn, f"/api/v1/staff/requests/{number}/events", body, headers)
                conn.close()
            except OSError:
                time.sleep(0.05)
                continue
            with self.lock:
                if status == 201:
                    self.replied.append(number)
                elif status in (409, 422):
                    self.refused += 1
            if status not in (201, 409, 422):
                self.note(status, data)


def check(load, rnd):
    problems = []
    stored = {r[0] for r in query(f"SELECT tracking_number FROM requests WHERE agency = '{AGENCY}'")}
    replies = query(
        "SELECT r.tracking_number, COUNT(*) FROM request_events e JOIN requests r ON r.id = e.request "
        f"WHERE r.agency = '{AGENCY}' AND e.\"type\" = 'reply' GROUP BY r.tracking_number"
    )
    replied = {n: int(c) for n, c in replies}
    audited = query("SELECT event_type, target, COUNT(*) FROM audit_events WHERE success = 1 GROUP BY event_type, target")
    audit = {(t, n): int(c) for t, n, c in audited}
    lost_filings = [n for n in load.filed if n not in stored]
    lost_replies = [n for n in load.replied if n not in replied]
    doubled = [n for n, c in replied.items() if c > 1]
    unaudited_requests = [n for n in stored if audit.get(("request.file_online", n), 0) != 1]
    unaudited_replies = [n for n, c in replied.items() if audit.get(("request.reply", n), 0) != c]
    for name, items in [
        ("acknowledged filings lost", lost_filings),
        ("acknowledged replies lost", lost_replies),
        ("requests with two replies", doubled),
        ("requests without their audit record", unaudited_requests),
        ("replies without their audit record", unaudited_replies),
    ]:
        if items:
            problems.append(f"{name}: {len(items)} ({items[:3]})")
    # A load that wrote nothing proves nothing.
    if not load.filed:
        problems.append("no filing was acknowledged")
    for status, (count, first) in load.other.items():
        if status >= 500 or status in (400, 401, 403, 404, 415):
            problems.append(f"{count} answers {status}, the first: {first!r}")
    verify = gk("audit", "verify")
    if verify.returncode != 0:
        problems.append(f"gongkai audit verify: exit {verify.returncode}: {verify.stderr.strip()}")
    records = re.search(r"审计记录共 (\d+) 条", verify.stdout)
    print(
        f"round {rnd}: filed {len(load.filed)} (stored {len(stored)} in all), replied {len(load.replied)} "
        f"(refused as second {load.refused}), audit records {records.group(1) if records else '?'}, "
        + ("OK" if not problems else "FAILED: " + "; ".join(problems)),
        flush=True,
    )
    return not problems


def main():
    for args, stdin in [
        (["db", "migrate"], None),
        (["agency", "add", "--code", AGENCY, "--name", "压力测试局", "--kind", "government"], None),
        (["user", "add", "--agency", AGENCY, "--role", "staff", "--username", "kt.staff"], PASSWORD + "\n"),
    ]:
        r = gk(*args, stdin=stdin)
        if r.returncode != 0:
            sys.exit(f"gongkai {' '.join(args)}: {r.stderr}")
    server = start_server()
    token = api_token()
    ok = True
    totals = [0, 0]
    for rnd in range(1, ROUNDS + 1):
        if server is None:
            server = start_server()
        load = Load(token)
        threads = [threading.Thread(target=load.filer, args=(i,)) for i in range(FILERS)]
        threads += [threading.Thread(target=load.poster) for _ in range(POSTERS)]
        for t in threads:
            t.start()
        time.sleep(SECONDS * random.uniform(0.3, 1.0))
        server.send_signal(signal.SIGKILL)
        server.wait()
        server = None
        load.stop.set()
        for t in threads:
            t.join()
        ok &= check(load, rnd)
        totals[0] += len(load.filed)
        totals[1] += len(load.replied)
    print(f"{ROUNDS} kill -9 rounds on {BACKEND}: {totals[0]} filings and {totals[1]} replies acknowledged, "
          + ("none lost, every change audited, chain intact" if ok else "FAILURES above"))
    if BACKEND == "postgres":
        subprocess.run(["psql", PG_ADMIN, "-qc", "DROP DATABASE IF EXISTS gk_killtest"], check=False)
    sys.exit(0 if ok else 1)


main()
