"""Live-session speed and reliability (DESIGN.md §7), printed as one JSON object.

N phones (real python-socketio AsyncClients over WebSocket, each joined over HTTP with its own
participant token) and M boards (staff API token) connect to `python app.py` running on a
fresh SQLite database. The phones then submit items over HTTP in two phases:

- steady: items at a meeting's pace (default 5 per second for 20 s), for the latency target;
- burst: 300 items in 10 s, for the never-lost / never-twice target.

Every 10th item is sent twice with the same client_id, as a phone's outbox retry would. For
each item and board we measure submit → board latency; we count items lost or duplicated at
the boards, at the phones and in the database; and we read the server's CPU time and RSS.

The same clients then run the same phases against bench/bare_socketio_server.py, a bare
python-socketio broadcast server on the same stack (threading, Werkzeug, simple-websocket),
so the app is judged against what this machine can do in this very run. Targets: steady p95
≤ 1.5 × bare p95, nothing lost or duplicated, server RSS ≤ 400 MB.

Phones run in a child process, so that decoding their events does not delay the boards'
clocks. Rate limits are switched off in the server: every simulated phone is 127.0.0.1.

    .venv/bin/python bench/live.py --phones 300 --boards 3 [--rate 5 --steady-seconds 20]
                                   [--burst-items 300 --burst-seconds 10] [--log-dir DIR]
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime, timedelta

import aiohttp
import socketio

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

SECRET = "bench-live-secret-key"
NS = "/live"
TEXTS = ("井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。", "夜班津贴的计算标准是什么时候调整的？",
         "通勤班车早上第一班太晚，赶不上早班点名。", "建议在皮带机头加装急停拉线的反光标识。",
         "劳保鞋的尺码不全，42码以上经常缺货。", "更衣室热水供应不稳定，升井后洗不上热水澡。")
TARGETS = {"steady_p95_ratio_to_bare_max": 1.5, "lost_max": 0, "duplicated_max": 0, "server_rss_mb_max": 400}
DRAIN_SECONDS = 60  # how long to wait for the last events after a phase


# ------------------------------------------------------------------ set-up and processes

def prepare_database(url):
    """Schema by migrations, the eight tiers, an organizer with an API token, a live meeting."""
    from flask_migrate import upgrade

    from facilitation import create_app
    from facilitation.accounts.services import create_user, issue_api_token
    from facilitation.extensions import db
    from facilitation.people.services import seed_tiers
    from facilitation.scheduling.services import create_meeting, start_meeting
    from facilitation.timeutil import local_zone

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        seed_tiers()
        organizer = create_user("bench-organizer", "bench-password-1", "organizer")
        token = issue_api_token(organizer)
        meeting = create_meeting(organizer, {
            "title": "压力测试慧谈", "kind": "topic", "location": "调度楼三楼会议室", "max_participants": 200,
            "starts_at": datetime.now(local_zone()) - timedelta(minutes=5)})
        start_meeting(organizer, meeting)
        db.session.commit()
        result = {"meeting_id": meeting.id, "join_code": meeting.join_code, "staff_token": token}
        db.engine.dispose()
    return result


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server subprocess on a free port; knows its URL, its CPU time and its memory."""

    def __init__(self, argv, env=None):
        self.port = free_port()
        self.argv = [arg.replace("{port}", str(self.port)) for arg in argv]
        self.env = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1", PYTHONUNBUFFERED="1", **(env or {}))
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = self.log = None

    def start(self, log_path):
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv} exited with {self.proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.argv} did not answer /healthz in 60 s")

    def cpu_seconds(self):
        """User + system CPU time the server process has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self):
        """Current and peak resident memory of the server process."""
        values = {}
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                key, _sep, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = round(int(rest.split()[0]) / 1024, 1)
        return values.get("VmRSS"), values.get("VmHWM")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.log:
            self.log.close()


# ------------------------------------------------------------------ clients

class Listener:
    """One phone or board: a real Socket.IO client noting when each item first arrived."""

    def __init__(self, auth):
        self.auth = auth
        self.arrived = {}  # client_id -> perf_counter() of its first `created` event
        self.duplicates = 0
        self.changed = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("item", self.on_item, namespace=NS)

    async def on_item(self, data):
        now = time.perf_counter()
        if data.get("op") != "created":
            return
        client_id = data["item"]["client_id"]
        if client_id in self.arrived:
            self.duplicates += 1
        else:
            self.arrived[client_id] = now
            self.changed.set()

    async def connect(self, url):
        await self.sio.connect(url, namespaces=[NS], auth=self.auth, transports=["websocket"], wait_timeout=30)

    async def close(self):
        if self.sio.connected:
            await self.sio.disconnect()


async def gather_limited(coroutines, limit):
    semaphore = asyncio.Semaphore(limit)

    async def run(coroutine):
        async with semaphore:
            return await coroutine
    return await asyncio.gather(*(run(c) for c in coroutines))


async def wait_for_all(listeners, expected, timeout):
    """Wait until every listener has seen every expected item, or the time is up."""
    deadline = time.perf_counter() + timeout
    for listener in listeners:
        while not expected <= listener.arrived.keys():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            listener.changed.clear()
            try:
                await asyncio.wait_for(listener.changed.wait(), remaining)
            except asyncio.TimeoutError:
                return


def missing_and_duplicates(listeners, expected):
    lost = sum(len(expected - listener.arrived.keys()) for listener in listeners)
    return lost, sum(listener.duplicates for listener in listeners)


def phones_worker(conn):
    """Child process: the phones' Socket.IO clients, driven by commands over a pipe."""
    async def serve():
        loop = asyncio.get_running_loop()
        while True:
            command, *params = await loop.run_in_executor(None, conn.recv)
            if command == "quit":
                return
            url, auths = params
            phones = [Listener(auth) for auth in auths]
            began, cpu = time.perf_counter(), time.process_time()
            try:
                await gather_limited([phone.connect(url) for phone in phones], 25)
                conn.send(("connected", time.perf_counter() - began))
                _command, expected, timeout = await loop.run_in_executor(None, conn.recv)
                expected = set(expected)
                await wait_for_all(phones, expected, timeout)
                lost, duplicated = missing_and_duplicates(phones, expected)
                conn.send(("collected", {"lost": lost, "duplicated": duplicated,
                                         "cpu_seconds": round(time.process_time() - cpu, 1)}))
            except Exception as error:  # noqa: BLE001  (reported to the parent, which stops the run)
                conn.send(("error", repr(error)))
            finally:
                await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)
    asyncio.run(serve())


async def ask(conn, message):
    """Send a command to the phones process and wait for its answer without blocking the loop."""
    conn.send(message)
    answer, payload = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    if answer == "error":
        raise RuntimeError(f"phones process: {payload}")
    return payload


# ------------------------------------------------------------------ one server, both phases

def percentiles(values):
    if not values:
        return None
    cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
    return {"p50": round(cuts[49] * 1000, 1), "p95": round(cuts[94] * 1000, 1),
            "p99": round(cuts[98] * 1000, 1), "max": round(max(values) * 1000, 1), "n": len(values)}


async def join_phones(url, join_code, count):
    async with aiohttp.ClientSession() as http:
        async def join(index):
            async with http.post(f"{url}/api/v1/join/{join_code}", json={"name": f"职工{index:03d}"}) as response:
                if response.status != 200:
                    raise RuntimeError(f"join failed: {response.status} {await response.text()}")
                return (await response.json())["participant_token"]
        return await gather_limited([join(i) for i in range(count)], 20)


async def submit_phase(http, url, meeting_id, phone_tokens, items, seconds, retry_every):
    """Submit `items` items evenly over `seconds`, round-robin over the phones' tokens."""
    sent, http_times, failures, retry_mismatches = {}, [], [], 0
    start = time.perf_counter() + 0.2

    async def post(token, body):
        async with http.post(f"{url}/api/v1/meetings/{meeting_id}/items", json=body,
                             headers={"Authorization": f"Bearer {token}"}) as response:
            return response.status, await response.json(content_type=None)

    async def submit(index):
        nonlocal retry_mismatches
        await asyncio.sleep(max(0.0, start + index * seconds / items - time.perf_counter()))
        token = phone_tokens[index % len(phone_tokens)]
        body = {"client_id": uuid.uuid4().hex, "kind": "question", "anonymity": "named",
                "text": f"{TEXTS[index % len(TEXTS)]}（{index}）"}
        began = time.perf_counter()
        sent[body["client_id"]] = began
        try:
            status, first = await post(token, body)
            http_times.append(time.perf_counter() - began)
            if status != 201:
                failures.append({"status": status, "body": first})
                return
            if retry_every and index % retry_every == 0:
                status, again = await post(token, dict(body, text="重发时改过的内容"))
                if status != 200 or again.get("id") != first.get("id") or again.get("text") != first.get("text"):
                    retry_mismatches += 1
        except aiohttp.ClientError as error:
            failures.append({"error": repr(error)})

    await asyncio.gather(*(submit(i) for i in range(items)))
    return sent, {"submit_http_ms": percentiles(http_times), "failed_submits": len(failures),
                  "failures_sample": failures[:3], "retry_mismatches": retry_mismatches}


async def run_round(url, meeting_id, phone_tokens, staff_token, phones_conn, args, retry_every):
    """Connect the clients to one server, run both phases, and measure what arrived where."""
    boards = [Listener({"meeting_id": meeting_id, "token": staff_token}) for _i in range(args.boards)]
    phone_auths = [{"meeting_id": meeting_id, "token": token} for token in phone_tokens]
    phases = (("steady", round(args.rate * args.steady_seconds), args.steady_seconds),
              ("burst", args.burst_items, args.burst_seconds))
    result, expected = {}, set()
    began = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as http:
        try:
            await asyncio.gather(ask(phones_conn, ("connect", url, phone_auths)),
                                 gather_limited([board.connect(url) for board in boards], 25))
            result["connect_seconds"] = round(time.perf_counter() - began, 1)
            for name, items, seconds in phases:
                sent, phase = await submit_phase(http, url, meeting_id, phone_tokens, items, seconds, retry_every)
                await wait_for_all(boards, set(sent), timeout=DRAIN_SECONDS)
                latencies = [board.arrived[cid] - at for board in boards for cid, at in sent.items()
                             if cid in board.arrived]
                result[name] = {"items": items, "seconds": seconds,
                                "submit_to_board_ms": percentiles(latencies), **phase}
                expected |= set(sent)
            phones = await ask(phones_conn, ("collect", list(expected), DRAIN_SECONDS))
        finally:
            await asyncio.gather(*(board.close() for board in boards), return_exceptions=True)
    lost_boards, duplicated_boards = missing_and_duplicates(boards, expected)
    result["lost"] = {"boards": lost_boards, "phones": phones["lost"]}
    result["duplicated"] = {"boards": duplicated_boards, "phones": phones["duplicated"]}
    result["phones_cpu_seconds"] = phones["cpu_seconds"]
    return result, expected


async def stored_counts(url, meeting_id, staff_token, expected):
    """Items in the database: every submitted client_id once, nothing else, seqs unique."""
    items, after = [], 0
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {staff_token}"}) as http:
        while True:
            async with http.get(f"{url}/api/v1/meetings/{meeting_id}/items?after={after}") as response:
                page = (await response.json())["items"]
            if not page:
                break
            items += page
            after = page[-1]["seq"]
    client_ids = [item["client_id"] for item in items]
    seqs = [item["seq"] for item in items]
    return {"lost": len(expected - set(client_ids)), "duplicated": len(client_ids) - len(set(client_ids)),
            "unexpected": len(set(client_ids) - expected), "seq_unique": len(seqs) == len(set(seqs))}


async def measure(server, log_path, round_args, retry_every, check_stored=None):
    """Start a server, run one round against it, add its CPU time and memory, stop it."""
    server.start(log_path)
    try:
        cpu = server.cpu_seconds()
        result, expected = await run_round(server.url, *round_args, retry_every=retry_every)
        result["server_cpu_seconds"] = round(server.cpu_seconds() - cpu, 1)
        if check_stored is not None:
            result["stored"] = await check_stored(server.url, expected)
        result["server_rss_mb"], result["server_peak_rss_mb"] = server.memory_mb()
    finally:
        server.stop()
    return result


def p95_ratio(app, bare, phase):
    app_p95 = (app[phase]["submit_to_board_ms"] or {}).get("p95")
    bare_p95 = (bare[phase]["submit_to_board_ms"] or {}).get("p95")
    return round(app_p95 / bare_p95, 2) if app_p95 and bare_p95 else None


async def bench(args, workdir, phones_conn):
    database_path = os.path.join(workdir, "live-bench.sqlite3")
    for stale in (database_path, database_path + "-wal", database_path + "-shm"):  # a reused --log-dir
        if os.path.exists(stale):
            os.remove(stale)
    database_url = "sqlite:///" + database_path
    setup = prepare_database(database_url)
    meeting_id, staff_token = setup["meeting_id"], setup["staff_token"]
    app_server = Server([sys.executable, os.path.join(ROOT, "app.py")],
                        {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "0",
                         "SOCKETIO_MESSAGE_QUEUE": ""})
    app_server.start(os.path.join(workdir, "app-join.log"))
    try:
        phone_tokens = await join_phones(app_server.url, setup["join_code"], args.phones)
    finally:
        app_server.stop()

    async def check_stored(url, expected):
        return await stored_counts(url, meeting_id, staff_token, expected)

    round_args = (meeting_id, phone_tokens, staff_token, phones_conn, args)
    load_before = os.getloadavg()[0]
    # The bare server stores nothing and would broadcast a retry twice, so it gets no retries.
    bare = await measure(Server([sys.executable, os.path.join(ROOT, "bench", "bare_socketio_server.py"), "{port}"]),
                         os.path.join(workdir, "bare-server.log"), round_args, retry_every=0)
    app = await measure(app_server, os.path.join(workdir, "app-server.log"), round_args,
                        retry_every=args.retry_every, check_stored=check_stored)

    steady_ratio, burst_ratio = p95_ratio(app, bare, "steady"), p95_ratio(app, bare, "burst")
    lost = (sum(app["lost"].values()) + app["stored"]["lost"]
            + sum(app[p]["failed_submits"] for p in ("steady", "burst")))
    duplicated = (sum(app["duplicated"].values()) + app["stored"]["duplicated"] + app["stored"]["unexpected"]
                  + sum(app[p]["retry_mismatches"] for p in ("steady", "burst")))
    return {
        "phones": args.phones, "boards": args.boards, "rate_per_second": args.rate,
        "retry_every": args.retry_every, "cpus": os.cpu_count(), "load_average_before": round(load_before, 2),
        "app": app, "bare": bare,
        "steady_p95_ratio_to_bare": steady_ratio, "burst_p95_ratio_to_bare": burst_ratio,
        "targets": TARGETS,
        "meets_targets": {
            "steady_p95": steady_ratio is not None and steady_ratio <= TARGETS["steady_p95_ratio_to_bare_max"],
            "lost": lost <= TARGETS["lost_max"], "duplicated": duplicated <= TARGETS["duplicated_max"],
            "rss": (app["server_peak_rss_mb"] or 0) <= TARGETS["server_rss_mb_max"],
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--boards", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5.0, help="items per second in the steady phase")
    parser.add_argument("--steady-seconds", type=float, default=20.0)
    parser.add_argument("--burst-items", type=int, default=300)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--retry-every", type=int, default=10,
                        help="resend every n-th item with the same client_id (0: never)")
    parser.add_argument("--log-dir", help="keep the database and the servers' logs here")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    parent_conn, child_conn = context.Pipe()
    phones_process = context.Process(target=phones_worker, args=(child_conn,), daemon=True)
    phones_process.start()
    try:
        if args.log_dir:
            os.makedirs(args.log_dir, exist_ok=True)
            result = asyncio.run(bench(args, args.log_dir, parent_conn))
        else:
            with tempfile.TemporaryDirectory(prefix="huitan-live-bench-") as workdir:
                result = asyncio.run(bench(args, workdir, parent_conn))
    finally:
        parent_conn.send(("quit",))
        phones_process.join(30)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
