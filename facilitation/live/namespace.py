"""Socket.IO namespace /live.

Who sends what:
- client → server `connect` with auth `{"meeting_id": id, "token": t}` (participant token or
  staff API token) or the login cookie. The server checks the meeting and puts the client in
  the staff room or the public room itself; clients never choose a room. A refusal carries
  `{"code", "message"}` (message in Chinese) as the error data.
- server → client `item` `{"type": "item", "op": "created"|"updated", "item": {...}}` and
  `meeting` `{"type": "meeting", "op": "started"|"closed", ...}`, sent only by realtime.py
  after commit.
- client → server `ping_board` (optional keep-alive) answers `{"ok": true}`; no other events:
  items are submitted over HTTP so that they are stored before anyone sees them.

Limits: a packet is at most 64 KiB (max_http_buffer_size in create_app), the auth object at
most MAX_AUTH_BYTES, connections per address follow SOCKET_CONNECT_RATE_LIMIT, and each
connection may send MAX_EVENTS_PER_WINDOW events per EVENT_WINDOW_SECONDS.
"""
import time

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room
from limits import parse as parse_rate_limit

from ..accounts.auth import staff_user_for_token
from ..errors import DomainError
from ..extensions import db, limiter, socketio
from ..realtime import NAMESPACE, public_room, staff_room
from ..scheduling.models import Meeting
from ..validation import is_id
from .tokens import read_participant_token
from .services import participant_for_token

MAX_AUTH_BYTES = 4096
DEFAULT_CONNECT_RATE_LIMIT = "120 per minute"
EVENT_WINDOW_SECONDS = 60
MAX_EVENTS_PER_WINDOW = 30


class _Connection:
    """What the server remembers per socket: the meeting, the audience and an event counter."""

    __slots__ = ("meeting_id", "audience", "window_started", "events")

    def __init__(self, meeting_id, audience):
        self.meeting_id, self.audience = meeting_id, audience
        self.window_started, self.events = time.monotonic(), 0

    def allow_event(self):
        now = time.monotonic()
        if now - self.window_started >= EVENT_WINDOW_SECONDS:
            self.window_started, self.events = now, 0
        self.events += 1
        return self.events <= MAX_EVENTS_PER_WINDOW


_connections = {}


def _refuse(code, message):
    return ConnectionRefusedError(code, {"code": code, "message": message})


def _connect_allowed():
    """Connections per client address, counted in the same store as the HTTP rate limits."""
    if not limiter.enabled:
        return True
    limit = parse_rate_limit(current_app.config.get("SOCKET_CONNECT_RATE_LIMIT", DEFAULT_CONNECT_RATE_LIMIT))
    return limiter.limiter.hit(limit, "socket-connect", request.remote_addr or "-")


def _staff_user_for(token):
    if current_user and current_user.is_authenticated:
        return current_user
    return staff_user_for_token(token)


def _audience_for(meeting, token):
    """The room for this client, or a refusal: phones get the public room, staff the full one."""
    if token and token.startswith("p."):
        try:
            token_meeting_id, participant_id = read_participant_token(token)
            if token_meeting_id != meeting.id:
                raise _refuse("wrong_meeting", _("参会凭证不属于这场慧谈。"))
            participant_for_token(meeting.id, participant_id)
        except DomainError as error:  # expired, forged or unknown: the phone must scan again
            raise _refuse("invalid_token", error.message)
        return public_room(meeting.id), "public"
    user = _staff_user_for(token)
    if user is None:
        raise _refuse("unauthorized", _("请先登录或扫码加入慧谈。"))
    if not user.has_role("organizer", "lead", "viewer"):
        raise _refuse("forbidden", _("您没有查看本场慧谈的权限。"))
    return staff_room(meeting.id), "staff"


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    if not _connect_allowed():
        raise _refuse("rate_limited", _("操作太频繁，请稍后再试。"))
    if auth is None:
        auth = {}
    if not isinstance(auth, dict) or len(repr(auth)) > MAX_AUTH_BYTES:
        raise _refuse("bad_auth", _("连接参数不正确。"))
    meeting_id, token = auth.get("meeting_id"), auth.get("token")
    if not is_id(meeting_id) \
            or (token is not None and not isinstance(token, str)):
        raise _refuse("bad_auth", _("连接参数不正确。"))
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise _refuse("no_meeting", _("找不到该场慧谈。"))
    room, audience = _audience_for(meeting, token)
    join_room(room)
    _connections[request.sid] = _Connection(meeting.id, audience)
    return True


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args):
    _connections.pop(request.sid, None)


@socketio.on("ping_board", namespace=NAMESPACE)
def on_ping(_data=None):
    """Keep-alive from a board or phone; answers whether the server still knows the socket."""
    connection = _connections.get(request.sid)
    if connection is None:
        return {"ok": False}
    if not connection.allow_event():
        return {"ok": False, "error": {"code": "rate_limited", "message": _("操作太频繁，请稍后再试。")}}
    return {"ok": True}
