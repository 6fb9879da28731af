"""Socket.IO namespace /live.

Who sends what:
- client → server `connect` with auth `{"meeting_id": id, "token": t}` (participant token or
  staff API token) or the login cookie. The server checks the meeting and puts the client in
  the staff room or the public room itself; clients never choose a room.
- server → client `item` `{"type": "item", "op": "created"|"updated", "item": {...}}` and
  `meeting` `{"type": "meeting", "op": "started"|"closed", ...}`, sent only by realtime.py
  after commit.
- client → server `ping_board` (optional keep-alive) answers `{"ok": true}`; no other events:
  items are submitted over HTTP so that they are stored before anyone sees them.
"""
from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from ..accounts.models import ApiToken
from ..errors import DomainError
from ..extensions import db, socketio
from ..realtime import NAMESPACE, public_room, staff_room
from ..scheduling.models import Meeting
from .context import read_participant_token

# Per-connection state is tiny: which meeting and which audience.
_connections = {}
MAX_AUTH_BYTES = 4096


def _staff_user_for(token):
    if current_user and current_user.is_authenticated:
        return current_user
    if token and not token.startswith("p."):
        row = ApiToken.query.filter_by(token_hash=ApiToken.hash(token), revoked_at=None).first()
        if row is not None and row.user.is_active:
            return row.user
    return None


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth):
    try:
        if auth is not None and (not isinstance(auth, dict) or len(repr(auth)) > MAX_AUTH_BYTES):
            raise ConnectionRefusedError("bad_auth")
        auth = auth or {}
        meeting_id = auth.get("meeting_id")
        token = auth.get("token")
        if not isinstance(meeting_id, int) or (token is not None and not isinstance(token, str)):
            raise ConnectionRefusedError("bad_auth")
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None:
            raise ConnectionRefusedError("no_meeting")
        if token and token.startswith("p."):
            try:
                token_meeting_id, _participant_id = read_participant_token(token)
            except DomainError:
                raise ConnectionRefusedError("invalid_token")
            if token_meeting_id != meeting.id:
                raise ConnectionRefusedError("wrong_meeting")
            room, audience = public_room(meeting.id), "public"
        else:
            user = _staff_user_for(token)
            if user is None:
                raise ConnectionRefusedError("unauthorized")
            if not user.has_role("organizer", "lead", "viewer"):
                raise ConnectionRefusedError("forbidden")
            room, audience = staff_room(meeting.id), "staff"
        join_room(room)
        _connections[request.sid] = (meeting.id, audience)
        return True
    finally:
        db.session.remove()


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*_args):
    _connections.pop(request.sid, None)


@socketio.on("ping_board", namespace=NAMESPACE)
def on_ping(_data=None):
    return {"ok": request.sid in _connections}
