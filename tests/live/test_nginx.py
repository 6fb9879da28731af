"""Two app processes behind a real nginx (ip_hash, WebSocket upgrade) sharing the Redis message
queue, with the nginx site from the README: phones and boards spread over both processes,
one process restarted mid-session, and every board gets every item exactly once.

Clients are real python-socketio AsyncClients over WebSocket and aiohttp HTTP clients. nginx's
ip_hash keys on the first three octets of the client address, so each client binds its own
loopback address (127.0.<k>.1): the test picks addresses that hash to each process."""
import asyncio
import os
import re
import shutil
import subprocess
import threading
import time
import uuid

import aiohttp
import pytest
import requests
import socketio

from conftest import ROOT, ServerProcess, free_port

from .test_multiprocess import redis_url, wait_for_subscribers  # noqa: F401  (redis_url is a fixture)

NS = "/live"
ITEMS_PER_PHASE = 2  # per phone


def nginx_binary():
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.path.exists(p)), None)


def readme_site():
    """The ```nginx block of the README's deployment section: the config under test."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    section = re.search(r"^## Deployment.*?(?=^## )", text, re.S | re.M)
    assert section, "the README should have a '## Deployment' section"
    blocks = re.findall(r"```nginx\n(.*?)```", section.group(0), re.S)
    assert len(blocks) == 1, "the README's deployment section should hold one nginx block"
    return blocks[0]


def ip_hash_backend(address, servers=2):
    """Which upstream nginx's ip_hash picks first for an IPv4 client (ngx_http_upstream_ip_hash)."""
    value = 89
    for octet in address.split(".")[:3]:
        value = (value * 113 + int(octet)) % 6271
    return value % servers


def sources_for(backend, count):
    found = [f"127.0.{k}.1" for k in range(1, 250) if ip_hash_backend(f"127.0.{k}.1") == backend]
    return found[:count]


@pytest.fixture
def nginx(tmp_path):
    """A factory: nginx with the README's site in front of the given app ports; stopped after the test."""
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed (apt-get install nginx; `make test` and .ci/run install it)")
    started = []

    def start(ports):
        port = free_port()
        site = readme_site().replace("listen 80;", f"listen 127.0.0.1:{port};")
        site = site.replace("127.0.0.1:5001", f"127.0.0.1:{ports[0]}").replace("127.0.0.1:5002", f"127.0.0.1:{ports[1]}")
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(tmp_path / folder, exist_ok=True)
        user = "user root root;\n" if os.geteuid() == 0 else ""  # temp files in a root-only tmp dir
        (tmp_path / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\naccess_log {tmp_path}/access.log;\nclient_body_temp_path {tmp_path}/body;\n"
            f"proxy_temp_path {tmp_path}/proxy;\nfastcgi_temp_path {tmp_path}/fastcgi;\n"
            f"uwsgi_temp_path {tmp_path}/uwsgi;\nscgi_temp_path {tmp_path}/scgi;\n{site}\n}}\n")
        proc = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                                 "-e", str(tmp_path / "error.log")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        started.append(proc)
        url = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            if proc.poll() is not None:
                pytest.fail(f"nginx exited: {(tmp_path / 'error.log').read_text()[-2000:]}")
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    return url
            except requests.RequestException:
                pass
            time.sleep(0.1)
        pytest.fail("nginx did not answer /healthz")
    yield start
    for proc in started:
        proc.terminate()
        proc.wait(10)


def established_from(port):
    """TCP connections established to a local port (what nginx keeps open to one app process)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                        count += 1
        except OSError:
            continue
    return count


class Client:
    """A phone or a board reaching nginx from its own loopback address."""

    def __init__(self, url, source, meeting_id, token):
        self.url, self.source, self.meeting_id, self.token = url, source, meeting_id, token
        self.live = []       # client_ids of `created` events, in arrival order (duplicates kept)
        self.view = {}       # seq → client_id: what the board shows after catch-ups
        self.connects = 0
        self.http = self.sio = None

    async def open(self):
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(self.source, 0)),
                                          headers={"Authorization": f"Bearer {self.token}"})
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1,
                                        http_session=self.http)
        self.sio.on("connect", self.on_connect, namespace=NS)
        self.sio.on("item", self.on_item, namespace=NS)
        await self.sio.connect(self.url, namespaces=[NS], transports=["websocket"], wait_timeout=10,
                               auth={"meeting_id": self.meeting_id, "token": self.token})

    async def on_connect(self):
        self.connects += 1
        if self.connects > 1:  # a reconnect: what happened meanwhile comes over HTTP, as on the real board
            asyncio.get_running_loop().create_task(self.catch_up())

    async def on_item(self, data):
        if data.get("op") == "created":
            self.live.append(data["item"]["client_id"])
            self.view[data["item"]["seq"]] = data["item"]["client_id"]

    async def catch_up(self):
        # A full pass from seq 0, as the board's LiveFeed does: live events of the new connection
        # may already be in the view, so its highest seq says nothing about what was missed.
        after = 0
        for _attempt in range(50):
            try:
                async with self.http.get(f"{self.url}/api/v1/meetings/{self.meeting_id}/items?after={after}") as response:
                    if response.status == 200:
                        for item in (await response.json())["items"]:
                            self.view[item["seq"]] = item["client_id"]
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)

    async def submit(self, text):
        """Post an item as a phone's outbox does: the same client_id until the server has it."""
        body = {"client_id": uuid.uuid4().hex, "kind": "question", "text": text, "anonymity": "named"}
        for _attempt in range(100):
            try:
                async with self.http.post(f"{self.url}/api/v1/meetings/{self.meeting_id}/items", json=body) as response:
                    if response.status in (200, 201):
                        return body["client_id"]
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise AssertionError(f"item never stored: {text}")

    async def close(self):
        if self.sio is not None:
            await self.sio.disconnect()
        if self.http is not None:
            await self.http.close()


async def wait_until(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


def test_two_processes_behind_nginx_deliver_every_item_once(database_url, redis_url, nginx, make_meeting,  # noqa: F811
                                                           make_user, token_for):
    meeting = make_meeting()
    staff_token = token_for(make_user("organizer"))
    os.makedirs(os.path.join(ROOT, "instance"), exist_ok=True)
    env = {"SOCKETIO_MESSAGE_QUEUE": redis_url, "TRUSTED_PROXIES": "127.0.0.1"}
    servers = [ServerProcess(database_url, extra_env=env).start() for _i in range(2)]
    try:
        url = nginx([server.port for server in servers])
        wait_for_subscribers(redis_url, 2)  # app.py subscribes at start, before any client
        run_apart(scenario, url, servers, redis_url, meeting.id, meeting.join_code, staff_token)
    finally:
        for server in servers:
            server.stop()


def run_apart(coroutine_function, *args):
    """asyncio.run in a thread of its own: Playwright's sync API may own this thread's loop."""
    outcome = {}

    def target():
        try:
            asyncio.run(coroutine_function(*args))
        except BaseException as error:  # noqa: BLE001  (re-raised in the test's thread)
            outcome["error"] = error
    thread = threading.Thread(target=target)
    thread.start()
    thread.join(300)
    assert not thread.is_alive(), "the scenario did not finish in 300 s"
    if "error" in outcome:
        raise outcome["error"]


async def scenario(url, servers, redis_url, meeting_id, join_code, staff_token):  # noqa: F811
    first, second = servers
    sources = {0: sources_for(0, 5), 1: sources_for(1, 5)}
    boards = [Client(url, sources[side][n], meeting_id, staff_token) for side in (0, 1) for n in (0, 1)]
    phones = []
    for side in (0, 1):
        for n in (2, 3, 4):
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(sources[side][n], 0))) as join:
                async with join.post(f"{url}/api/v1/join/{join_code}", json={"name": f"职工{side}{n}"}) as response:
                    assert response.status == 200, await response.text()
                    phones.append(Client(url, sources[side][n], meeting_id, (await response.json())["participant_token"]))
    submitted = []
    try:
        for client in boards + phones:
            await client.open()
        # Spread over both processes: each holds sockets of its own clients.
        assert established_from(first.port) >= 5 and established_from(second.port) >= 5, \
            (established_from(first.port), established_from(second.port))

        async def phase(label):
            ids = await asyncio.gather(*(phone.submit(f"{label}·{phones.index(phone)}·{k}")
                                         for phone in phones for k in range(ITEMS_PER_PHASE)))
            submitted.extend(ids)

        await phase("两个进程都在")
        assert await wait_until(lambda: all(len(b.view) == len(submitted) for b in boards), 20)

        # Restart the second process while the phones keep submitting.
        restarting = asyncio.get_running_loop().run_in_executor(None, second.stop)
        await phase("二号进程停机")
        await restarting
        await phase("二号进程重启中")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, second.start)  # the same port: nginx's upstream is fixed
        await loop.run_in_executor(None, wait_for_subscribers, redis_url, 2)
        await phase("二号进程已恢复")
        assert any(board.connects > 1 for board in boards), "the second process's boards should have reconnected"

        everything = set(submitted)
        assert len(everything) == len(submitted) == len(phones) * ITEMS_PER_PHASE * 4
        assert await wait_until(lambda: all(set(b.view.values()) == everything for b in boards), 30), \
            [len(everything - set(b.view.values())) for b in boards]
        for board in boards:
            assert len(board.view) == len(everything)            # each item once, under one seq
            assert len(board.live) == len(set(board.live))       # no live event twice
            if board.connects == 1:                              # never cut off: every item live
                assert set(board.live) == everything
        for phone in phones:                                     # phones got the live items too
            assert len(phone.live) == len(set(phone.live))
    finally:
        await asyncio.gather(*(client.close() for client in boards + phones), return_exceptions=True)

    stored = requests.get(f"{url}/api/v1/meetings/{meeting_id}/items?after=0", timeout=10,
                          headers={"Authorization": f"Bearer {staff_token}"}).json()["items"]
    assert sorted(item["client_id"] for item in stored) == sorted(submitted)
