"""The /live Socket.IO namespace: who may connect, which room they land in, what reaches
phones and boards, and that events go out only after the change is committed.

The first half uses Flask-SocketIO's in-process test client; the second half drives real
python-socketio clients over WebSocket against the server subprocess (`live_server`)."""
import json
import threading
import uuid

import pytest
import requests
import socketio

from facilitation import realtime
from facilitation.extensions import db
from facilitation.extensions import socketio as server_socketio
from facilitation.live import services
from facilitation.live.models import Item
from facilitation.live.namespace import MAX_EVENTS_PER_WINDOW
from facilitation.scheduling.models import Participant

NS = "/live"


def new_client_id():
    return uuid.uuid4().hex


def item_events(sock):
    """The `item` events a test client has received since the last call, as payload dicts."""
    assert realtime.wait_until_sent()  # the process's sender emits after the commit, in order
    return [event["args"][0] for event in sock.get_received(NS) if event["name"] == "item"]


@pytest.fixture
def connect(app):
    """Open an in-process Socket.IO test client on /live; all are disconnected after the test."""
    opened = []

    def do(auth=None, flask_test_client=None):
        sock = server_socketio.test_client(app, namespace=NS, auth=auth, flask_test_client=flask_test_client)
        opened.append(sock)
        return sock
    yield do
    for sock in opened:
        if sock.is_connected(NS):
            sock.disconnect(namespace=NS)


@pytest.fixture
def phone(api, connect):
    """Join a meeting over HTTP and connect its phone socket; returns (token, socket)."""
    def do(meeting, name="王建国"):
        token = api().post(f"/join/{meeting.join_code}", json={"name": name}).get_json()["participant_token"]
        sock = connect({"meeting_id": meeting.id, "token": token})
        assert sock.is_connected(NS)
        return token, sock
    return do


@pytest.fixture
def board(connect, make_user, token_for):
    """An organizer's board socket, authenticated with a staff API token."""
    def do(meeting):
        sock = connect({"meeting_id": meeting.id, "token": token_for(make_user("organizer"))})
        assert sock.is_connected(NS)
        return sock
    return do


def submit(api, token, meeting, text="副井候车室没有暖气", anonymity="named", **extra):
    response = api(token).post(f"/meetings/{meeting.id}/items", json={
        "client_id": extra.pop("client_id", None) or new_client_id(), "kind": extra.pop("kind", "question"),
        "text": text, "anonymity": anonymity, **extra})
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


# ------------------------------------------------------------------ who may connect

def test_connect_is_refused_without_valid_auth(api, connect, make_meeting, make_user, token_for):
    meeting, other = make_meeting(), make_meeting()
    token = api().post(f"/join/{other.join_code}", json={"name": "王建国"}).get_json()["participant_token"]
    refused = [
        None,
        {"meeting_id": meeting.id},
        {"meeting_id": meeting.id, "token": "not-a-token"},
        {"meeting_id": meeting.id, "token": "p.forged.signature"},
        {"meeting_id": meeting.id, "token": token},  # another meeting's participant
        {"meeting_id": meeting.id, "token": token_for(make_user("handler"))},
        {"meeting_id": 999999, "token": token_for(make_user("organizer"))},
        {"meeting_id": str(meeting.id), "token": token_for(make_user("organizer"))},
        {"meeting_id": True, "token": token_for(make_user("organizer"))},
        {"meeting_id": meeting.id, "token": ["list"]},
        {"meeting_id": meeting.id, "token": token_for(make_user("organizer")), "padding": "x" * 5000},
    ]
    for auth in refused:
        assert not connect(auth).is_connected(NS), auth
    assert connect({"meeting_id": meeting.id, "token": token_for(make_user("viewer"))}).is_connected(NS)


def test_login_cookie_connects_a_board(app, client, login_as, connect, make_user, make_meeting, api, phone):
    meeting = make_meeting()
    login_as(make_user("lead"))
    board = connect({"meeting_id": meeting.id}, flask_test_client=client)
    assert board.is_connected(NS)
    token, _phone = phone(meeting)
    submit(api, token, meeting, text="通勤车少")
    assert [(e["op"], e["item"]["text"]) for e in item_events(board)] == [("created", "通勤车少")]

    anonymous = app.test_client()
    assert not connect({"meeting_id": meeting.id}, flask_test_client=anonymous).is_connected(NS)


def test_socket_connections_are_rate_limited(app, connect, make_meeting, make_user, token_for):
    from facilitation.extensions import limiter
    meeting = make_meeting()
    auth = {"meeting_id": meeting.id, "token": token_for(make_user("organizer"))}
    limiter.reset()
    app.config["SOCKET_CONNECT_RATE_LIMIT"] = "2 per minute"
    try:
        results = [connect(auth).is_connected(NS) for _ in range(3)]
    finally:
        app.config.pop("SOCKET_CONNECT_RATE_LIMIT")
        limiter.reset()
    assert results == [True, True, False]


def test_socket_events_are_limited(phone, make_meeting):
    _token, sock = phone(make_meeting())
    answers = [sock.emit("ping_board", callback=True, namespace=NS) for _ in range(MAX_EVENTS_PER_WINDOW + 1)]
    assert answers[0] == {"ok": True} and answers[MAX_EVENTS_PER_WINDOW - 1] == {"ok": True}
    assert answers[-1]["ok"] is False and answers[-1]["error"]["code"] == "rate_limited"


def test_clients_cannot_submit_or_pick_rooms_over_the_socket(phone, board, make_meeting, api):
    meeting, other = make_meeting(), make_meeting()
    _token, sock = phone(meeting)
    other_board = board(other)
    sock.emit("join", {"room": f"meeting-{other.id}-staff"}, namespace=NS)
    sock.emit("item", {"client_id": new_client_id(), "kind": "question", "text": "走后门"}, namespace=NS)
    assert Item.query.count() == 0
    other_token = api().post(f"/join/{other.join_code}", json={"name": "乙"}).get_json()["participant_token"]
    submit(api, other_token, other, text="另一场的事项")
    assert item_events(sock) == []
    assert [e["item"]["text"] for e in item_events(other_board)] == ["另一场的事项"]


# ------------------------------------------------------------------ what reaches whom

def test_items_reach_their_meetings_phones_and_boards_only(api, phone, board, make_meeting):
    meeting, other = make_meeting(), make_meeting()
    token, my_phone = phone(meeting, "甲")
    _other_token, other_phone = phone(other, "乙")
    my_board, other_board = board(meeting), board(other)

    item = submit(api, token, meeting, text="工作服尺码不全")
    api(token).post(f"/items/{item['id']}/vote")

    for sock in (my_phone, my_board):
        events = item_events(sock)
        assert [(e["type"], e["op"], e["item"]["seq"], e["item"]["votes"]) for e in events] == [
            ("item", "created", 1, 0), ("item", "updated", 1, 1)]
        assert events[0]["item"]["text"] == "工作服尺码不全"
    assert item_events(other_phone) == [] and item_events(other_board) == []


def test_hidden_names_and_moderation_queue_never_reach_phones(api, phone, board, make_meeting, make_user):
    meeting = make_meeting(is_moderated=True)
    token, sock = phone(meeting, "钱隐名")
    staff = board(meeting)
    organizer = make_user("organizer")

    anonymous = submit(api, token, meeting, text="班长克扣加班费", anonymity="anonymous")
    submit(api, token, meeting, text="有人代打卡", anonymity="hidden_identity")
    assert item_events(sock) == []  # both wait in the moderation queue
    assert [e["item"]["text"] for e in item_events(staff)] == ["班长克扣加班费", "有人代打卡"]

    api(organizer).post(f"/items/{anonymous['id']}/approve")
    api(organizer).post(f"/items/{anonymous['id']}/hide", json={"reason": "涉及个人，会后单独了解"})
    phone_events, board_events = item_events(sock), item_events(staff)
    assert [(e["op"], e["item"]["status"], e["item"]["text"], e["item"]["outcome_note"])
            for e in phone_events] == [("updated", "open", "班长克扣加班费", None), ("updated", "hidden", "", None)]
    assert board_events[-1]["item"]["outcome_note"] == "涉及个人，会后单独了解"
    for payload in phone_events + board_events:
        assert "钱隐名" not in json.dumps(payload, ensure_ascii=False)
        assert payload["item"]["submitter"] is None


def test_meeting_close_is_broadcast(api, phone, board, make_meeting, lead_user):
    meeting = make_meeting()
    _token, sock = phone(meeting)
    staff = board(meeting)
    assert api(lead_user).post(f"/meetings/{meeting.id}/close").status_code == 200
    assert realtime.wait_until_sent()
    for received in (sock.get_received(NS), staff.get_received(NS)):
        assert [(e["name"], e["args"][0]["op"], e["args"][0]["meeting"]["status"]) for e in received] == [
            ("meeting", "closed", "closed")]


# ------------------------------------------------------------------ only after commit

def test_events_go_out_only_after_commit(board, make_meeting, api):
    meeting = make_meeting()
    staff = board(meeting)
    token = api().post(f"/join/{meeting.join_code}", json={"name": "孙"}).get_json()["participant_token"]
    participant = Participant.query.one()
    fields = {"kind": "question", "anonymity": "named", "participant": participant}

    services.submit_item(meeting, client_id=new_client_id(), text="回滚的事项", **fields)
    assert item_events(staff) == []  # flushed, not committed
    db.session.rollback()
    assert item_events(staff) == [] and Item.query.count() == 0
    db.session.commit()  # an unrelated commit must not flush the rolled-back event
    assert item_events(staff) == []

    services.submit_item(meeting, client_id=new_client_id(), text="保留的事项", **fields)
    savepoint = db.session.begin_nested()
    services.submit_item(meeting, client_id=new_client_id(), text="保存点内回滚", **fields)
    savepoint.rollback()
    assert item_events(staff) == []
    db.session.commit()
    assert [(e["op"], e["item"]["text"]) for e in item_events(staff)] == [("created", "保留的事项")]
    assert [i.text for i in Item.query.all()] == ["保留的事项"]

    # A rejected request (domain error → rollback in the error handler) pushes nothing either.
    failed = api(token).post(f"/meetings/{meeting.id}/items", json={
        "client_id": new_client_id(), "kind": "question", "text": "", "anonymity": "named"})
    assert failed.status_code == 400 and item_events(staff) == []


def test_a_failed_broadcast_does_not_fail_the_stored_item(api, make_meeting, monkeypatch, caplog):
    meeting = make_meeting()
    token = api().post(f"/join/{meeting.join_code}", json={"name": "吴"}).get_json()["participant_token"]

    def message_queue_down(*_args, **_kwargs):
        raise ConnectionError("message queue unreachable")
    monkeypatch.setattr(server_socketio, "emit", message_queue_down)
    item = submit(api, token, meeting, text="广播失败也要保存")
    assert realtime.wait_until_sent()
    assert item["seq"] == 1 and Item.query.one().text == "广播失败也要保存"
    assert "could not broadcast item" in caplog.text


def test_a_slow_broadcast_never_holds_the_write_turn(api, board, make_meeting, monkeypatch):
    """The commit hands events to the sender and returns: a stuck fan-out delays no submit, and
    the events still leave in commit order once it moves again (issue 13)."""
    meeting = make_meeting()
    staff = board(meeting)
    token = api().post(f"/join/{meeting.join_code}", json={"name": "郑"}).get_json()["participant_token"]
    assert realtime.wait_until_sent()
    release, entered = threading.Event(), threading.Event()
    real_emit = server_socketio.emit

    def stuck_emit(*args, **kwargs):
        entered.set()
        assert release.wait(10)
        return real_emit(*args, **kwargs)
    monkeypatch.setattr(server_socketio, "emit", stuck_emit)
    try:
        first = submit(api, token, meeting, text="第一条")
        assert entered.wait(5)  # the sender is now stuck inside the first emit
        texts = [f"第{n}条" for n in ("二", "三", "四", "五")]
        stored = [submit(api, token, meeting, text=text) for text in texts]  # each commits, nothing waits
        assert [i["seq"] for i in [first] + stored] == [1, 2, 3, 4, 5]
        assert Item.query.count() == 5
    finally:
        release.set()
    assert [(e["op"], e["item"]["seq"]) for e in item_events(staff)] == [("created", n) for n in range(1, 6)]


def test_events_leave_in_commit_order_under_concurrent_submits(app, board, make_meeting, api):
    """Eight threads submit at once through the real request path: every board event once, by seq."""
    meeting = make_meeting()
    staff = board(meeting)
    tokens = [api().post(f"/join/{meeting.join_code}", json={"name": f"并发{n}"}).get_json()["participant_token"]
              for n in range(8)]
    errors = []

    def phone(token, index):
        with app.app_context():
            client = app.test_client()
            for k in range(10):
                response = client.post(f"/api/v1/meetings/{meeting.id}/items",
                                        headers={"Authorization": f"Bearer {token}"},
                                        json={"client_id": new_client_id(), "kind": "question",
                                              "text": f"并发{index}-{k}", "anonymity": "named"})
                if response.status_code != 201:
                    errors.append(response.get_json())
    threads = [threading.Thread(target=phone, args=(t, i)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    seqs = [e["item"]["seq"] for e in item_events(staff)]
    assert len(seqs) == 80 and len(set(seqs)) == 80
    if db.engine.dialect.name == "sqlite":  # one write turn: commit order is seq order
        assert seqs == sorted(seqs)


def test_slip_status_changes_by_handlers_reach_the_board(api, board, phone, make_meeting, make_user,
                                                         make_department, lead_user):
    from datetime import timedelta
    from facilitation.timeutil import local_today
    department = make_department("后勤管理部")
    handler = make_user("handler", department=department)
    meeting = make_meeting()
    token, my_phone = phone(meeting, "冯")
    staff = board(meeting)
    item = submit(api, token, meeting, text="浴室热水不稳定", anonymity="anonymous")
    transferred = api(lead_user).post(f"/items/{item['id']}/transfer", json={
        "department_id": department.id, "due_date": (local_today() + timedelta(days=5)).isoformat()})
    slip_id = transferred.get_json()["slip"]["id"]
    assert api(handler).post(f"/slips/{slip_id}/accept").status_code == 200
    assert api(handler).post(f"/slips/{slip_id}/reply", json={"reply": "已更换锅炉温控阀", "basis": "后勤维修记录"}
                             ).status_code == 200
    assert api(lead_user).post(f"/slips/{slip_id}/close").status_code == 200
    for sock in (staff, my_phone):
        slips = [e["item"]["slip"] for e in item_events(sock) if e["item"]["slip"]]
        assert [(s["status"], s["status_label"]) for s in slips] == [
            ("issued", "待签收"), ("accepted", "办理中"), ("replied", "已答复"), ("closed", "已办结")]
        assert slips[-1]["reply"] == "已更换锅炉温控阀" and slips[1]["reply"] is None


# ------------------------------------------------------------------ real clients over WebSocket

class LiveClient:
    """A real python-socketio client on /live that records the events it receives."""

    def __init__(self, base_url, auth):
        self.base_url, self.auth = base_url, auth
        self.events, self.errors = [], []
        self._changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("item", lambda data: self._record(self.events, data), namespace=NS)
        self.sio.on("connect_error", lambda data=None: self._record(self.errors, data), namespace=NS)

    def _record(self, target, data):
        with self._changed:
            target.append(data)
            self._changed.notify_all()

    def connect(self):
        self.sio.connect(self.base_url, namespaces=[NS], auth=self.auth, transports=["websocket"],
                         wait_timeout=10)
        return self

    def wait_for_item(self, text, timeout=10):
        """Block until an `item` event with this text arrives; returns it (None on timeout)."""
        def found():
            return next((e for e in self.events if e["item"]["text"] == text), None)
        with self._changed:
            self._changed.wait_for(found, timeout)
            return found()

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()


def join_over_http(base_url, meeting, name):
    response = requests.post(f"{base_url}/api/v1/join/{meeting.join_code}", json={"name": name}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["participant_token"]


def submit_over_http(base_url, token, meeting, text, anonymity="named"):
    response = requests.post(f"{base_url}/api/v1/meetings/{meeting.id}/items", timeout=10,
                             headers={"Authorization": f"Bearer {token}"},
                             json={"client_id": new_client_id(), "kind": "question", "text": text,
                                   "anonymity": anonymity})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def live_clients():
    opened = []

    def open_client(base_url, auth):
        client = LiveClient(base_url, auth)
        opened.append(client)
        return client
    yield open_client
    for client in opened:
        client.close()


def test_real_clients_refused_without_token(live_server, live_clients, make_meeting):
    meeting = make_meeting()
    client = live_clients(live_server.url, {"meeting_id": meeting.id})
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect()
    assert client.errors and client.errors[0]["data"] == {"code": "unauthorized",
                                                          "message": "请先登录或扫码加入慧谈。"}


def test_real_clients_oversized_auth_is_refused(live_server, live_clients, make_meeting):
    meeting = make_meeting()
    for padding in (5000, 100 * 1024):  # over MAX_AUTH_BYTES, and over the 64 KiB packet limit
        client = live_clients(live_server.url, {"meeting_id": meeting.id, "padding": "x" * padding})
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect()


def test_real_clients_get_only_their_meeting_and_no_hidden_names(live_server, live_clients, make_meeting,
                                                                 make_user, token_for):
    meeting, other = make_meeting(), make_meeting()
    url = live_server.url
    token = join_over_http(url, meeting, "李暗名")
    other_token = join_over_http(url, other, "外场职工")
    staff_token = token_for(make_user("organizer"))
    phone = live_clients(url, {"meeting_id": meeting.id, "token": token}).connect()
    other_phone = live_clients(url, {"meeting_id": other.id, "token": other_token}).connect()
    staff = live_clients(url, {"meeting_id": meeting.id, "token": staff_token}).connect()
    with pytest.raises(socketio.exceptions.ConnectionError):  # a phone token for the wrong meeting
        live_clients(url, {"meeting_id": meeting.id, "token": other_token}).connect()

    submit_over_http(url, other_token, other, "另一场的事项")
    assert other_phone.wait_for_item("另一场的事项") is not None
    submit_over_http(url, token, meeting, "矿灯充电架不够用", anonymity="anonymous")
    submit_over_http(url, token, meeting, "夜班有人睡岗", anonymity="hidden_identity")

    for client in (phone, staff):
        assert client.wait_for_item("夜班有人睡岗") is not None
        assert [e["item"]["text"] for e in client.events] == ["矿灯充电架不够用", "夜班有人睡岗"]
        assert "李暗名" not in json.dumps(client.events, ensure_ascii=False)
    # The socket delivers in order, so the other meeting's item would have arrived before these.
    assert [e["item"]["text"] for e in other_phone.events] == ["另一场的事项"]
    stored = Item.query.filter_by(text="夜班有人睡岗").one()
    assert (stored.participant_id, stored.submitter_name, stored.follow_token) == (None, None, None)
