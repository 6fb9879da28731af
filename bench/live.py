"""Live-session speed and reliability (DESIGN.md §7), printed as one JSON object.

Two shapes, each against a bare python-socketio server and then the app, same clients, same run:

- meeting: one meeting, N phones (default 300) and M boards (3); a steady phase (5 items/s for
  20 s, the latency target: p95 ≤ 1.5 × bare) and a burst (300 items in 10 s: p95 ≤ 2 × bare,
  nothing lost or stored twice);
- group: a mine group on one box, 100 meetings × 10 phones and one board each (1,100
  sockets), 2 items/s spread over the meetings for 60 s; latency to the item's own board.

Phones are real python-socketio AsyncClients over WebSocket, each joined over HTTP with its
own participant token (in a child process, so that decoding their events does not delay the
boards' clocks); boards use a staff API token. Items are submitted over HTTP; every 10th is
sent twice with the same client_id, as a phone's outbox retry would. For each item and board
we measure submit → board latency; we count items lost or duplicated at the boards, at the
phones and in the database; and we read the server's CPU time, its RSS and the load average.

The bare server (bench/bare_socketio_server.py) runs on the same stack in the same async mode
(gevent by default, as `python app.py`; --async-mode threading for both), broadcasting each
POSTed item to its meeting's rooms with no Flask, no database and no checks: the app is judged
against what this machine can do in this very run. Rate limits are off in the server: every
simulated phone is 127.0.0.1.

    .venv/bin/python bench/live.py [--shape all|meeting|group] [--async-mode gevent|threading]
        [--phones 300 --boards 3 --rate 5 --steady-seconds 20 --burst-items 300 --burst-seconds 10]
        [--meetings 100 --phones-per-meeting 10 --group-rate 2 --group-seconds 60] [--log-dir DIR] [--floor]

With --floor a third server runs each shape: bench/floor_server.py, Flask on the same stack
storing each item with one durable ORM insert and broadcasting it, with none of the app's checks;
its ratio to bare is what storing an item with Flask costs before any of the app's own work.
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
TARGETS = {"steady_p95_ratio_to_bare_max": 1.5, "burst_p95_ratio_to_bare_max": 2.0, "lost_max": 0, "duplicated_max": 0,
           "server_rss_mb_max": 400}
DRAIN_SECONDS = 60  # how long to wait for the last events after a phase


# ------------------------------------------------------------------ set-up and processes

def prepare_database(url, meetings=(200,)):
    """Schema by migrations, the eight tiers, an organizer with an API token, live meetings.

    `meetings` gives each meeting's participant cap; returns their ids and join codes.
    """
    from flask_migrate import upgrade

    from facilitation import create_app
    from facilitation.accounts.models import User
    from facilitation.accounts.services import create_user, issue_api_token
    from facilitation.errors import DomainError
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
        created = []
        for index, cap in enumerate(meetings):
            # every meeting needs a chair, and one chair or one room holds one meeting at a time
            chair = User(username=f"bench-chair-{index + 1}", display_name=f"牵头人{index + 1}", role="lead",
                         password_hash=organizer.password_hash)
            db.session.add(chair)
            db.session.flush()
            fields = {"title": f"压力测试慧谈 {index + 1}", "kind": "topic", "location": f"{index + 1}号会议室",
                      "lead_user": chair, "max_participants": min(cap, 1000),
                      "starts_at": datetime.now(local_zone()) - timedelta(minutes=5)}
            try:
                meeting = create_meeting(organizer, fields)
            except DomainError:  # a build that caps a meeting lower than DESIGN.md's 1,000
                meeting = create_meeting(organizer, dict(fields, max_participants=min(cap, 200)))
            start_meeting(organizer, meeting)
            created.append(meeting)
        db.session.commit()
        result = {"meetings": [{"meeting_id": m.id, "join_code": m.join_code} for m in created],
                  "staff_token": token}
        # the first meeting's fields at the top, as bench/submit_cost.py uses them
        result.update(result["meetings"][0])
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


def _expected_for(listener, expected):
    """`expected` maps meeting id → client ids; a listener expects its own meeting's items."""
    return expected.get(listener.auth["meeting_id"], set())


async def wait_for_all(listeners, expected, timeout):
    """Wait until every listener has seen every item of its meeting, or the time is up."""
    deadline = time.perf_counter() + timeout
    for listener in listeners:
        mine = _expected_for(listener, expected)
        while not mine <= listener.arrived.keys():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            listener.changed.clear()
            try:
                await asyncio.wait_for(listener.changed.wait(), remaining)
            except asyncio.TimeoutError:
                return


def missing_and_duplicates(listeners, expected):
    lost = sum(len(_expected_for(listener, expected) - listener.arrived.keys()) for listener in listeners)
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
                expected = {meeting_id: set(ids) for meeting_id, ids in expected.items()}
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


async def submit_phase(http, url, meetings, items, seconds, retry_every):
    """Submit `items` items evenly over `seconds`, round-robin over the meetings and their phones.

    `meetings` is a list of (meeting_id, phone tokens). Returns {client_id: (meeting_id, sent at)}.
    """
    sent, http_times, failures, retry_mismatches = {}, [], [], 0
    start = time.perf_counter() + 0.2

    async def post(meeting_id, token, body):
        async with http.post(f"{url}/api/v1/meetings/{meeting_id}/items", json=body,
                             headers={"Authorization": f"Bearer {token}"}) as response:
            return response.status, await response.json(content_type=None)

    async def submit(index):
        nonlocal retry_mismatches
        await asyncio.sleep(max(0.0, start + index * seconds / items - time.perf_counter()))
        meeting_id, tokens = meetings[index % len(meetings)]
        token = tokens[(index // len(meetings)) % len(tokens)]
        body = {"client_id": uuid.uuid4().hex, "kind": "question", "anonymity": "named",
                "text": f"{TEXTS[index % len(TEXTS)]}（{index}）"}
        began = time.perf_counter()
        sent[body["client_id"]] = (meeting_id, began)
        try:
            status, first = await post(meeting_id, token, body)
            http_times.append(time.perf_counter() - began)
            if status != 201:
                failures.append({"status": status, "body": first})
                return
            if retry_every and index % retry_every == 0:
                status, again = await post(meeting_id, token, dict(body, text="重发时改过的内容"))
                if status != 200 or again.get("id") != first.get("id") or again.get("text") != first.get("text"):
                    retry_mismatches += 1
        except aiohttp.ClientError as error:
            failures.append({"error": repr(error)})

    await asyncio.gather(*(submit(i) for i in range(items)))
    return sent, {"submit_http_ms": percentiles(http_times), "failed_submits": len(failures),
                  "failures_sample": failures[:3], "retry_mismatches": retry_mismatches}


def by_meeting(sent):
    expected = {}
    for client_id, (meeting_id, _at) in sent.items():
        expected.setdefault(meeting_id, set()).add(client_id)
    return expected


async def run_round(url, plan, phones_conn, retry_every):
    """Connect the clients to one server, run the phases, and measure what arrived where."""
    meetings = [(m["meeting_id"], m["phone_tokens"]) for m in plan["meetings"]]
    boards = [Listener({"meeting_id": m["meeting_id"], "token": plan["staff_token"]})
              for m in plan["meetings"] for _i in range(plan["boards_per_meeting"])]
    phone_auths = [{"meeting_id": m["meeting_id"], "token": token}
                   for m in plan["meetings"] for token in m["phone_tokens"]]
    result, expected = {}, {}
    began = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as http:
        try:
            await asyncio.gather(ask(phones_conn, ("connect", url, phone_auths)),
                                 gather_limited([board.connect(url) for board in boards], 25))
            result["connect_seconds"] = round(time.perf_counter() - began, 1)
            result["sockets"] = len(boards) + len(phone_auths)
            for name, items, seconds in plan["phases"]:
                if not items:
                    continue
                sent, phase = await submit_phase(http, url, meetings, items, seconds, retry_every)
                wanted = by_meeting(sent)
                await wait_for_all(boards, wanted, timeout=DRAIN_SECONDS)
                latencies = [board.arrived[cid] - at for board in boards
                             for cid, (meeting_id, at) in sent.items()
                             if meeting_id == board.auth["meeting_id"] and cid in board.arrived]
                result[name] = {"items": items, "seconds": seconds,
                                "submit_to_board_ms": percentiles(latencies), **phase}
                for meeting_id, ids in wanted.items():
                    expected.setdefault(meeting_id, set()).update(ids)
            phones = await ask(phones_conn, ("collect", {k: list(v) for k, v in expected.items()}, DRAIN_SECONDS))
        finally:
            await asyncio.gather(*(board.close() for board in boards), return_exceptions=True)
    lost_boards, duplicated_boards = missing_and_duplicates(boards, expected)
    result["lost"] = {"boards": lost_boards, "phones": phones["lost"]}
    result["duplicated"] = {"boards": duplicated_boards, "phones": phones["duplicated"]}
    result["phones_cpu_seconds"] = phones["cpu_seconds"]
    return result, expected


async def stored_counts(url, staff_token, expected):
    """Items in the database: every submitted client_id once, nothing else, seqs unique per meeting."""
    totals = {"lost": 0, "duplicated": 0, "unexpected": 0, "seq_unique": True}
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {staff_token}"}) as http:
        for meeting_id, wanted in expected.items():
            items, after = [], 0
            while True:
                async with http.get(f"{url}/api/v1/meetings/{meeting_id}/items?after={after}") as response:
                    page = (await response.json())["items"]
                if not page:
                    break
                items += page
                after = page[-1]["seq"]
            client_ids = [item["client_id"] for item in items]
            seqs = [item["seq"] for item in items]
            totals["lost"] += len(wanted - set(client_ids))
            totals["duplicated"] += len(client_ids) - len(set(client_ids))
            totals["unexpected"] += len(set(client_ids) - wanted)
            totals["seq_unique"] = totals["seq_unique"] and len(seqs) == len(set(seqs))
    return totals


async def measure(server, log_path, plan, phones_conn, retry_every, check_stored=False):
    """Start a server, run one round against it, add its CPU time, memory and the load; stop it."""
    server.start(log_path)
    try:
        cpu = server.cpu_seconds()
        result = {"load_average_before": round(os.getloadavg()[0], 2)}
        round_result, expected = await run_round(server.url, plan, phones_conn, retry_every)
        result.update(round_result)
        result["server_cpu_seconds"] = round(server.cpu_seconds() - cpu, 1)
        items = sum(len(ids) for ids in expected.values())
        result["server_cpu_ms_per_item"] = round(result["server_cpu_seconds"] * 1000 / items, 1) if items else None
        if check_stored:
            result["stored"] = await stored_counts(server.url, plan["staff_token"], expected)
        result["server_rss_mb"], result["server_peak_rss_mb"] = server.memory_mb()
        result["load_average_after"] = round(os.getloadavg()[0], 2)
    finally:
        server.stop()
    return result


def p95_ratio(app, bare, phase):
    if phase not in app or phase not in bare:
        return None
    app_p95 = (app[phase]["submit_to_board_ms"] or {}).get("p95")
    bare_p95 = (bare[phase]["submit_to_board_ms"] or {}).get("p95")
    return round(app_p95 / bare_p95, 2) if app_p95 and bare_p95 else None


def shapes(args):
    """The runs: one large meeting (steady + burst) and a mine group of small meetings (steady)."""
    wanted = ("meeting", "group") if args.shape == "all" else (args.shape,)
    runs = {}
    if "meeting" in wanted:
        runs["meeting"] = {"meetings": 1, "phones_per_meeting": args.phones, "boards_per_meeting": args.boards,
                           "phases": (("steady", round(args.rate * args.steady_seconds), args.steady_seconds),
                                      ("burst", args.burst_items, args.burst_seconds))}
    if "group" in wanted:
        runs["group"] = {"meetings": args.meetings, "phones_per_meeting": args.phones_per_meeting,
                         "boards_per_meeting": 1,
                         "phases": (("steady", round(args.group_rate * args.group_seconds), args.group_seconds),)}
    return runs


async def bench(args, workdir, phones_conn):
    database_path = os.path.join(workdir, "live-bench.sqlite3")
    for stale in (database_path, database_path + "-wal", database_path + "-shm"):  # a reused --log-dir
        if os.path.exists(stale):
            os.remove(stale)
    database_url = "sqlite:///" + database_path
    runs = shapes(args)
    caps = [max(run["phones_per_meeting"], 10) for run in runs.values() for _m in range(run["meetings"])]
    setup = prepare_database(database_url, caps)
    app_env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "0",
               "SOCKETIO_MESSAGE_QUEUE": "", "SOCKETIO_ASYNC_MODE": args.async_mode}
    app_server = Server([sys.executable, os.path.join(ROOT, "app.py")], app_env)
    app_server.start(os.path.join(workdir, "app-join.log"))
    plans, next_meeting = {}, iter(setup["meetings"])
    try:
        for name, run in runs.items():
            meetings = []
            for _m in range(run["meetings"]):
                meeting = next(next_meeting)
                tokens = await join_phones(app_server.url, meeting["join_code"], run["phones_per_meeting"])
                meetings.append({"meeting_id": meeting["meeting_id"], "phone_tokens": tokens})
            plans[name] = dict(run, meetings=meetings, staff_token=setup["staff_token"])
    finally:
        app_server.stop()

    result = {"async_mode": args.async_mode, "cpus": os.cpu_count(), "retry_every": args.retry_every,
              "load_average_start": [round(x, 2) for x in os.getloadavg()]}
    for name, plan in plans.items():
        logs = os.path.join(workdir, name)
        # The bare server stores nothing and would broadcast a retry twice, so it gets no retries.
        bare = await measure(Server([sys.executable, os.path.join(ROOT, "bench", "bare_socketio_server.py"),
                                     "{port}", args.bare_async_mode or args.async_mode]),
                             logs + "-bare-server.log", plan, phones_conn, retry_every=0)
        app = await measure(Server([sys.executable, os.path.join(ROOT, "app.py")], app_env),
                            logs + "-app-server.log", plan, phones_conn, retry_every=args.retry_every,
                            check_stored=True)
        result[name] = summarise(plan, app, bare)
        if args.floor:
            # Flask + one durable ORM insert per item and nothing else (bench/floor_server.py).
            floor = await measure(Server([sys.executable, os.path.join(ROOT, "bench", "floor_server.py"), "{port}",
                                          os.path.join(workdir, f"{name}-floor.sqlite3")]),
                                  logs + "-floor-server.log", plan, phones_conn, retry_every=0)
            result[name]["floor"] = floor
            for phase in ("steady", "burst"):
                ratio = p95_ratio(floor, bare, phase)
                if ratio is not None:
                    result[name][f"floor_{phase}_p95_ratio_to_bare"] = ratio
                    result[name][f"app_{phase}_p95_ratio_to_floor"] = p95_ratio(app, floor, phase)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def summarise(plan, app, bare):
    steady_ratio, burst_ratio = p95_ratio(app, bare, "steady"), p95_ratio(app, bare, "burst")
    phases = [p for p in ("steady", "burst") if p in app]
    lost = (sum(app["lost"].values()) + app["stored"]["lost"] + sum(app[p]["failed_submits"] for p in phases))
    duplicated = (sum(app["duplicated"].values()) + app["stored"]["duplicated"] + app["stored"]["unexpected"]
                  + sum(app[p]["retry_mismatches"] for p in phases))
    meets = {"steady_p95": steady_ratio is not None and steady_ratio <= TARGETS["steady_p95_ratio_to_bare_max"],
             "lost": lost <= TARGETS["lost_max"], "duplicated": duplicated <= TARGETS["duplicated_max"],
             "rss": (app["server_peak_rss_mb"] or 0) <= TARGETS["server_rss_mb_max"]}
    if "burst" in app:
        meets["burst_p95"] = burst_ratio is not None and burst_ratio <= TARGETS["burst_p95_ratio_to_bare_max"]
    return {"meetings": plan["meetings"].__len__(), "phones_per_meeting": plan["phones_per_meeting"],
            "boards_per_meeting": plan["boards_per_meeting"],
            "phases": [{"name": n, "items": i, "seconds": s} for n, i, s in plan["phases"] if i],
            "app": app, "bare": bare, "steady_p95_ratio_to_bare": steady_ratio,
            "burst_p95_ratio_to_bare": burst_ratio, "targets": TARGETS, "meets_targets": meets}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=("all", "meeting", "group"), default="all",
                        help="meeting: one meeting with --phones phones and --boards boards (steady + burst); "
                             "group: --meetings meetings of --phones-per-meeting phones and one board (steady)")
    parser.add_argument("--async-mode", choices=("gevent", "threading"), default="gevent",
                        help="the app's (SOCKETIO_ASYNC_MODE) and, unless --bare-async-mode, the bare server's")
    parser.add_argument("--bare-async-mode", choices=("gevent", "threading"))
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--boards", type=int, default=3)
    parser.add_argument("--rate", type=float, default=5.0, help="items per second in the steady phase")
    parser.add_argument("--steady-seconds", type=float, default=20.0)
    parser.add_argument("--burst-items", type=int, default=300)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument("--meetings", type=int, default=100)
    parser.add_argument("--phones-per-meeting", type=int, default=10)
    parser.add_argument("--group-rate", type=float, default=2.0, help="items per second over all the meetings")
    parser.add_argument("--group-seconds", type=float, default=60.0)
    parser.add_argument("--retry-every", type=int, default=10,
                        help="resend every n-th item with the same client_id (0: never)")
    parser.add_argument("--log-dir", help="keep the database and the servers' logs here")
    parser.add_argument("--floor", action="store_true",
                        help="also measure bench/floor_server.py: Flask storing each item durably, nothing else")
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
