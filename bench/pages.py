"""Page benchmark: slip lists and dashboards on a big database (50,000 items, 10,000 slips).

Run from the repository root:
    .venv/bin/python bench/pages.py [--db /tmp/huitan-big.sqlite3] [--rounds 20]
Without --db (or when the file does not exist) the data set is built first with
bench/make_big_dataset.py. Starts the real server (`python app.py`) on a copy-free port against
that file, logs in over HTTP like a browser (organizer, handler, lead; CSRF token from the login
form) and requests every URL `rounds` times after two warm-up requests, round-robin so that no
URL profits from running alone. Prints one JSON object: per URL p50/p95/max in ms and the status
code, and "ok": true when every p95 is within the target (150 ms).
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)
TARGET_P95_MS = 150
PASSWORD = "bench-password-1"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_path):
    port = free_port()
    env = dict(os.environ, DATABASE_URL="sqlite:///" + os.path.abspath(db_path), SECRET_KEY="bench-secret",
               HOST="127.0.0.1", PORT=str(port), RATELIMIT_ENABLED="0", PYTHONUNBUFFERED="1")
    log = tempfile.NamedTemporaryFile(prefix="huitan-bench-server-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "app.py")], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited; see {log.name}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url, log.name
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def login(url, username):
    session = requests.Session()
    form = session.get(url + "/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    response = session.post(url + "/login", data={"username": username, "password": PASSWORD,
                                                  "csrf_token": token.group(1) if token else ""},
                            allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login as {username} failed: {response.status_code}")
    return session


def sample_ids(db_path):
    """A few slip ids and a department id to put in URLs (read straight from the file)."""
    import sqlite3
    con = sqlite3.connect(db_path)
    try:
        slip_ids = [r[0] for r in con.execute("SELECT id FROM slips ORDER BY id DESC LIMIT 3")]
        slip_ids += [r[0] for r in con.execute("SELECT id FROM slips WHERE status IN ('issued','accepted') "
                                               "ORDER BY due_date LIMIT 2")]
        department_id = con.execute("SELECT department_id FROM users WHERE username='bench-handler-1'").fetchone()[0]
    finally:
        con.close()
    return slip_ids, department_id


def url_plan(slip_ids, department_id):
    """(who, path) pairs: what organizers, viewers, handlers and leads open every day."""
    plan = [
        ("organizer", "/"),
        ("organizer", "/slips/"),
        ("organizer", "/slips/?page=2"),
        ("organizer", "/slips/?status=all&page=300"),
        ("organizer", "/slips/?status=accepted"),
        ("organizer", "/slips/?status=closed&page=50"),
        ("organizer", "/slips/?overdue=1"),
        ("organizer", f"/slips/?department_id={department_id}&sort=newest"),
        ("organizer", "/slips/?tier_id=3&status=replied"),
        ("organizer", "/slips/?q=澡堂热水"),
        ("organizer", "/slips/league"),
        ("organizer", "/api/v1/slips"),
        ("organizer", "/api/v1/slips?overdue=1&per_page=50"),
        ("organizer", "/api/v1/slips?status=closed&page=20&per_page=200"),
        ("handler", "/slips/"),
        ("handler", "/slips/?status=issued"),
        ("handler", "/api/v1/slips?overdue=true"),
        ("lead", "/slips/"),
        ("anonymous", "/public/slips"),
    ]
    plan += [("organizer", f"/slips/{slip_id}") for slip_id in slip_ids]
    return plan


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="SQLite file from bench/make_big_dataset.py")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    db_path = args.db or os.path.join(tempfile.gettempdir(), "huitan-big.sqlite3")
    built = None
    if not os.path.exists(db_path):
        from make_big_dataset import build
        built = build(db_path)

    slip_ids, department_id = sample_ids(db_path)
    proc, url, log_name = start_server(db_path)
    try:
        sessions = {"organizer": login(url, "bench-organizer"), "handler": login(url, "bench-handler-1"),
                    "lead": login(url, "bench-lead-staff"), "anonymous": requests.Session()}
        plan = url_plan(slip_ids, department_id)
        timings = {(who, path): [] for who, path in plan}
        statuses = {}
        for round_no in range(args.rounds + 2):
            for who, path in plan:
                started = time.perf_counter()
                response = sessions[who].get(url + path, allow_redirects=False)
                elapsed = (time.perf_counter() - started) * 1000
                statuses[(who, path)] = response.status_code
                if round_no >= 2:  # two warm-up rounds
                    timings[(who, path)].append(elapsed)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    os.remove(log_name)  # kept only when the server failed (the exception above skips this)

    pages = {}
    for who, path in plan:
        values = timings[(who, path)]
        pages[f"{who} {path}"] = {"p50_ms": round(statistics.median(values), 1),
                                  "p95_ms": round(percentile(values, 0.95), 1),
                                  "max_ms": round(max(values), 1), "status": statuses[(who, path)]}
    worst = max(pages.items(), key=lambda kv: kv[1]["p95_ms"])
    result = {"db": db_path, "rounds": args.rounds, "target_p95_ms": TARGET_P95_MS,
              "ok": all(p["p95_ms"] <= TARGET_P95_MS and p["status"] == 200 for p in pages.values()),
              "worst": {"page": worst[0], **worst[1]}, "pages": pages}
    if built:
        result["built"] = built
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
