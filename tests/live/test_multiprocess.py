"""Several app processes share live events through Redis (SOCKETIO_MESSAGE_QUEUE): an item
submitted to one process reaches boards and phones connected to another, exactly once."""
import os
import shutil
import subprocess
import time

import pytest
import redis

from conftest import ROOT, ServerProcess, free_port

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
