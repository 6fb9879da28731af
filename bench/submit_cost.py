"""What one submit costs the server (DESIGN.md §7: ≤ 3 ms of server CPU), printed as JSON.

Two measurements on a fresh SQLite database with one live meeting and N joined phones:

- `server`: `python app.py` in a subprocess with `--sockets` boards and phones connected over
  WebSocket (real python-socketio clients); `--items` submits over HTTP (keep-alive, one at a
  time); the server's CPU time (user + system, from /proc) divided by the items. This is the
  number the target is about: request, database, commit and fan-out together.
- `profile` (with `--profile`): the same submits through the WSGI app in this process under
  cProfile (no sockets connected, so it shows the request path); the top functions by their
  own time and by cumulative time, in ms per submit.

    .venv/bin/python bench/submit_cost.py [--items 400 --sockets 30] [--profile] [--async-mode gevent]
        [--baselines]

With --baselines the same submits and sockets also go to the bare server and to the floor
(bench/floor_server.py), so the app's CPU can be read against what the stack and storing cost.
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from live import SECRET, TEXTS, Server, prepare_database  # noqa: E402


def _body(index):
    return {"client_id": uuid.uuid4().hex, "kind": "question", "anonymity": "named",
            "text": f"{TEXTS[index % len(TEXTS)]}（{index}）"}


def measure_server(database_url, setup, args, workdir):
    import requests
    import socketio
    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "0",
           "SOCKETIO_MESSAGE_QUEUE": "", "HUITAN_PDF_WARM": "0"}
    if args.async_mode:
        env["SOCKETIO_ASYNC_MODE"] = args.async_mode
    server = Server([sys.executable, os.path.join(ROOT, "app.py")], env).start(os.path.join(workdir, "server.log"))
    clients = []
    try:
        http = requests.Session()
        tokens = []
        for index in range(max(args.phones, 1)):
            response = http.post(f"{server.url}/api/v1/join/{setup['join_code']}", json={"name": f"职工{index:03d}"})
            tokens.append(response.json()["participant_token"])
        for index in range(args.sockets):
            token = setup["staff_token"] if index % 10 == 0 else tokens[index % len(tokens)]
            client = socketio.Client(reconnection=False)
            client.connect(server.url, namespaces=["/live"], transports=["websocket"],
                           auth={"meeting_id": setup["meeting_id"], "token": token}, wait_timeout=10)
            clients.append(client)
        url = f"{server.url}/api/v1/meetings/{setup['meeting_id']}/items"
        for index in range(20):  # warm: first requests import and compile lazily
            http.post(url, json=_body(index), headers={"Authorization": f"Bearer {tokens[0]}"})
        time.sleep(0.5)
        spy = _start_py_spy(server.proc.pid, args.py_spy) if args.py_spy else None
        cpu, began, split = server.cpu_seconds(), time.perf_counter(), _user_system(server.proc.pid)
        for index in range(args.items):
            response = http.post(url, json=_body(index), headers={"Authorization": f"Bearer {tokens[index % len(tokens)]}"})
            assert response.status_code == 201, response.text
        wall = time.perf_counter() - began
        time.sleep(1.0)  # let the fan-out of the last items finish before reading the CPU time
        used = server.cpu_seconds() - cpu
        user, system = (after - before for after, before in zip(_user_system(server.proc.pid), split))
        spied = _stop_py_spy(spy, args.py_spy, args.items, args.top) if spy else None
        rss, peak = server.memory_mb()
        result = {"items": args.items, "sockets": args.sockets,
                  "server_cpu_ms_per_submit": round(used * 1000 / args.items, 2),
                  "user_ms_per_submit": round(user * 1000 / args.items, 2),
                  "system_ms_per_submit": round(system * 1000 / args.items, 2),
                  "wall_ms_per_submit": round(wall * 1000 / args.items, 2), "server_rss_mb": rss}
        if spied:
            result["py_spy"] = spied
        return result
    finally:
        for client in clients:
            client.disconnect()
        server.stop()


def measure_baseline(kind, args, workdir):
    """The same submits and sockets against bench/bare_socketio_server.py ("bare": nothing stored)
    or bench/floor_server.py ("floor": Flask storing each item durably, no checks): CPU per submit."""
    import requests
    import socketio
    script = {"bare": ["bare_socketio_server.py", "{port}", "gevent"],
              "floor": ["floor_server.py", "{port}", os.path.join(workdir, "floor.sqlite3")]}[kind]
    server = Server([sys.executable, os.path.join(ROOT, "bench", script[0])] + script[1:]) \
        .start(os.path.join(workdir, f"{kind}.log"))
    clients = []
    try:
        for index in range(args.sockets):  # one in ten a board (staff room), the rest phones
            client = socketio.Client(reconnection=False)
            client.connect(server.url, namespaces=["/live"], transports=["websocket"], wait_timeout=10,
                           auth={"meeting_id": 1, "token": ("staff" if index % 10 == 0 else "p.") + str(index)})
            clients.append(client)
        http, url = requests.Session(), f"{server.url}/api/v1/meetings/1/items"
        for index in range(20):
            http.post(url, json=_body(index))
        time.sleep(0.5)
        cpu = server.cpu_seconds()
        for index in range(args.items):
            assert http.post(url, json=_body(index)).status_code == 201
        time.sleep(1.0)
        return {"server_cpu_ms_per_submit": round((server.cpu_seconds() - cpu) * 1000 / args.items, 2)}
    finally:
        for client in clients:
            client.disconnect()
        server.stop()


def _user_system(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / os.sysconf("SC_CLK_TCK"), int(fields[12]) / os.sysconf("SC_CLK_TCK")


def _start_py_spy(pid, output):
    """Sample the real server (all threads / greenlets' OS thread) while the submits run."""
    spy = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "py-spy"), "record", "--pid", str(pid), "--rate", "250", "--format", "raw",
                            "--output", output, "--nonblocking"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return spy


def _stop_py_spy(spy, output, items, top):
    """Stop py-spy and summarise its samples: own and inclusive time per function, ms per submit."""
    import signal
    spy.send_signal(signal.SIGINT)
    spy.wait(30)
    own, inclusive, total = {}, {}, 0
    with open(output) as samples:
        for line in samples:
            stack, _sep, count = line.rstrip().rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = [frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].split("site-packages/")[-1]
                      .replace(ROOT + "/", "") + ")" for frame in stack.split(";")]
            count = int(count)
            total += count
            own[frames[-1]] = own.get(frames[-1], 0) + count
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + count
    per_sample_ms = 1000.0 / 250 / items

    def rows(table):
        ranked = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [{"function": name, "ms_per_submit": round(n * per_sample_ms, 3)} for name, n in ranked]
    return {"samples": total, "sampled_ms_per_submit": round(total * per_sample_ms, 2),
            "top_own": rows(own), "top_inclusive": rows(inclusive)}


def profile_request_path(database_url, setup, args):
    from facilitation import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    tokens = []
    for index in range(max(args.phones, 1)):
        response = client.post(f"/api/v1/join/{setup['join_code']}", json={"name": f"剖析{index:03d}"})
        tokens.append(response.get_json()["participant_token"])
    url = f"/api/v1/meetings/{setup['meeting_id']}/items"
    for index in range(20):
        client.post(url, json=_body(index), headers={"Authorization": f"Bearer {tokens[0]}"})
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for index in range(args.items):
        client.post(url, json=_body(index), headers={"Authorization": f"Bearer {tokens[index % len(tokens)]}"})
    profiler.disable()
    wall = time.perf_counter() - began
    stats = pstats.Stats(profiler, stream=io.StringIO())
    per = 1000.0 / args.items

    def top(key, count):
        stats.sort_stats(key)
        rows = []
        for func in stats.fcn_list[:count]:
            cc, nc, tt, ct, _callers = stats.stats[func]
            filename, line, name = func
            where = os.path.relpath(filename, ROOT) if filename.startswith(ROOT) else \
                filename.split("site-packages/")[-1]
            rows.append({"function": f"{where}:{line}({name})", "calls_per_submit": round(nc / args.items, 1),
                         "own_ms": round(tt * per, 3), "cumulative_ms": round(ct * per, 3)})
        return rows
    return {"items": args.items, "wall_ms_per_submit_profiled": round(wall * per, 2),
            "top_own_time": top("tottime", args.top), "top_cumulative": top("cumulative", args.top)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--phones", type=int, default=30)
    parser.add_argument("--sockets", type=int, default=30, help="Socket.IO clients connected during the run")
    parser.add_argument("--profile", action="store_true", help="also profile the request path in-process")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--py-spy", metavar="FILE", help="sample the server with py-spy into FILE (raw) and summarise")
    parser.add_argument("--baselines", action="store_true",
                        help="also the bare server and the floor (Flask storing each item, no checks), same submits")
    parser.add_argument("--async-mode", help="SOCKETIO_ASYNC_MODE for the server (default: the app's choice)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="huitan-submit-cost-") as workdir:
        database_url = "sqlite:///" + os.path.join(workdir, "submit-cost.sqlite3")
        setup = prepare_database(database_url)
        result = {"load_average_before": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
        result["server"] = measure_server(database_url, setup, args, workdir)
        if args.baselines:
            for kind in ("bare", "floor"):
                result[kind] = measure_baseline(kind, args, workdir)
        if args.profile:
            result["profile"] = profile_request_path(database_url, setup, args)
        result["load_average_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
