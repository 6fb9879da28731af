"""`python app.py` and its child processes: the PDF worker is started (and warmed) with the
server, and SIGTERM or SIGINT leave no child behind (issue 8, item 9)."""
import os
import signal
import time

import pytest
import requests

from conftest import ROOT, ServerProcess


def children_of(pid):
    """Every live descendant of `pid`, from /proc, as {pid: command line}."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                try:
                    with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                        found[child] = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                frontier.append(child)
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except OSError:
        return False


def wait_until(predicate, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def server(app, database_url):
    os.makedirs(os.path.join(ROOT, "instance"), exist_ok=True)
    process = ServerProcess(database_url).start()
    yield process
    process.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_server_leaves_no_child_process(server, make_user, token_for, signum):
    token = token_for(make_user("organizer"))
    # The worker starts with the server; a document goes through it.
    assert wait_until(lambda: any("huitan_pdf_worker" in c for c in children_of(server.proc.pid).values()), 30)
    response = requests.get(f"{server.url}/reports/monthly/2026-11.pdf", timeout=60,
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    children = children_of(server.proc.pid)
    assert children, "the PDF worker should be running"

    server.proc.send_signal(signum)
    assert server.proc.wait(15) == 0
    assert wait_until(lambda: not any(alive(pid) for pid in children), 10), \
        {pid: cmd for pid, cmd in children.items() if alive(pid)}


def test_the_worker_leaves_when_its_server_is_killed(server):
    """Even SIGKILL, which no handler sees: the worker reads EOF on its stdin and exits."""
    assert wait_until(lambda: any("huitan_pdf_worker" in c for c in children_of(server.proc.pid).values()), 30)
    children = children_of(server.proc.pid)
    server.proc.kill()
    server.proc.wait(10)
    assert wait_until(lambda: not any(alive(pid) for pid in children), 10)
