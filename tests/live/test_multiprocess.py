"""Several app processes share live events through Redis (SOCKETIO_MESSAGE_QUEUE): an item
submitted to one process reaches boards and phones connected to another, exactly once."""
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest
import redis
import requests

from conftest import ROOT, ServerProcess, free_port

from facilitation.models import Item

from .test_socketio import LiveClient, join_over_http, submit_over_http

CHANNEL = "flask-socketio"  # Flask-SocketIO's default message-queue channel


@pytest.fixture
def redis_url(tmp_path):
    """A private redis-server on a free port, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI installs it)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--daemonize", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _attempt in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def two_servers(database_url, redis_url):
    os.makedirs(os.path.join(ROOT, "instance"), exist_ok=True)
    servers = []
    try:
        for _i in range(2):
            servers.append(ServerProcess(database_url, extra_env={"SOCKETIO_MESSAGE_QUEUE": redis_url}).start())
        yield servers
    finally:
        for server in servers:
            server.stop()


def wait_for_subscribers(redis_url, count):
    """Each process subscribes to the queue from a background thread; wait until all have."""
    client = redis.Redis.from_url(redis_url)
    try:
        for _attempt in range(200):
            if dict(client.pubsub_numsub(CHANNEL)).get(CHANNEL.encode(), 0) >= count:
                return
            time.sleep(0.05)
        pytest.fail(f"fewer than {count} app processes subscribed to {CHANNEL}")
    finally:
        client.close()


def test_item_submitted_on_one_process_reaches_clients_of_the_other(two_servers, redis_url, make_meeting,
                                                                    make_user, token_for):
    first, second = two_servers
    meeting = make_meeting()
    staff_token = token_for(make_user("organizer"))
    token = join_over_http(first.url, meeting, "韩梅")
    clients = [LiveClient(second.url, {"meeting_id": meeting.id, "token": staff_token}),
               LiveClient(second.url, {"meeting_id": meeting.id, "token": join_over_http(second.url, meeting, "陶")}),
               LiveClient(first.url, {"meeting_id": meeting.id, "token": staff_token})]
    try:
        for client in clients:
            client.connect()
        wait_for_subscribers(redis_url, 2)

        submit_over_http(first.url, token, meeting, "一号进程提交的事项", anonymity="anonymous")
        submit_over_http(second.url, token, meeting, "二号进程提交的事项")
        for client in clients:
            assert client.wait_for_item("一号进程提交的事项") is not None
            assert client.wait_for_item("二号进程提交的事项") is not None
            # each once, and the anonymous submitter's name stays on the server. Two processes
            # publish independently, so events from both may interleave: clients order by seq.
            events = sorted(client.events, key=lambda e: e["item"]["seq"])
            assert [(e["op"], e["item"]["seq"], e["item"]["text"]) for e in events] == [
                ("created", 1, "一号进程提交的事项"), ("created", 2, "二号进程提交的事项")]
            assert [e["item"]["submitter"] for e in events] == [None, "韩梅"]
    finally:
        for client in clients:
            client.close()


def test_a_process_stopped_mid_burst_publishes_every_item_it_stored(database_url, redis_url, make_meeting,
                                                                    make_user, token_for):
    """SIGTERM while phones submit: whatever the stopping process stored, it also told the other
    processes (their boards keep their sockets and would never catch up), and a submit it did
    not store got an error the phone retries (503, or the connection closed) and no 201."""
    os.makedirs(os.path.join(ROOT, "instance"), exist_ok=True)
    meeting = make_meeting()
    server = ServerProcess(database_url, extra_env={"SOCKETIO_MESSAGE_QUEUE": redis_url}).start()
    listener = redis.Redis.from_url(redis_url).pubsub()
    listener.subscribe(CHANNEL)
    published, answers, stop = [], [], threading.Event()

    def listen():
        while not stop.is_set():
            message = listener.get_message(timeout=0.1)
            if message and message["type"] == "message":
                data = json.loads(message["data"])
                payload = data["data"][0] if isinstance(data["data"], list) else data["data"]  # emit's args
                if data.get("event") == "item" and payload.get("op") == "created":
                    published.append(payload["item"]["client_id"])

    def phone(token, number):
        session = requests.Session()
        for k in range(200):
            client_id = f"{number:02d}-{k:03d}-{uuid.uuid4().hex[:8]}"
            try:
                response = session.post(f"{server.url}/api/v1/meetings/{meeting.id}/items", timeout=10,
                                        headers={"Authorization": f"Bearer {token}"},
                                        json={"client_id": client_id, "kind": "question", "text": f"停机时的事项 {k}"})
            except requests.RequestException:
                answers.append((client_id, None))
                return
            answers.append((client_id, response.status_code))
            if response.status_code != 201:
                return

    try:
        tokens = [join_over_http(server.url, meeting, f"职工{n}") for n in range(8)]
        threads = [threading.Thread(target=listen)] + [threading.Thread(target=phone, args=(token, n))
                                                      for n, token in enumerate(tokens)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # the phones are in full flow
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(15) == 0
        for thread in threads[1:]:
            thread.join(30)
        time.sleep(0.5)  # the last publishes reach the listener
    finally:
        stop.set()
        threads[0].join(5)
        listener.close()
        server.stop()

    stored = {item.client_id for item in Item.query.filter_by(meeting_id=meeting.id)}
    created = {client_id for client_id, status in answers if status == 201}
    refused = [status for _client_id, status in answers if status != 201]
    assert len(created) > 20 and len(refused) == len(tokens), (len(created), refused)
    assert set(refused) <= {None, 503}, refused   # never a 500: the phone just tries again
    assert created <= stored                       # a 201 is a stored item
    assert stored <= set(published), sorted(stored - set(published))  # and every stored item went out
    assert max(Counter(published).values()) <= 2  # once to the staff room, once to the phones'
