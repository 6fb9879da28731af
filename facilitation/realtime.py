"""The only module that emits Socket.IO events, and only after the transaction commits.

Services build their payloads themselves (plain `{"type", "op", ...}` dicts: this module imports
no feature) and call `queue(...)` / `queue_for_meeting(...)` while they work. The events wait in
the database session's `info`; the outermost commit hands them, in commit order, to this
process's sender, and a rolled-back transaction or savepoint drops them (the same idea as
Zulip's send_event_on_commit).

The sender is one background task per process fed by a queue. Handing events over costs the
committing request a `put`; the fan-out to hundreds of sockets happens outside the database
write turn, so a burst of submits is never serialised behind it (issue 13: the broadcast used
to hold SQLite's write turn). Events leave in the order they were committed: SQLite commits
under the process's write turn, and a meeting's PostgreSQL commits are serialised by its row
lock; clients also order items by `seq` and catch up over HTTP after a reconnect.

Stopping a process (SIGTERM) calls `drain`: from then on a commit that carries events is
refused (503, the phone's outbox tries again, nginx sends it to another process), the commits
already under way finish and their events are sent, then the process may exit. Without it a
process stopped while a PostgreSQL COMMIT was on the wire stored the item but never told the
other processes' boards (their sockets stay up, so they never catch up).
"""
import atexit
import logging
import threading
import time

from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable

from .extensions import socketio

NAMESPACE = "/live"
_PENDING_KEY = "huitan_pending_broadcasts"
_MARKS_KEY = "huitan_savepoint_marks"
_COUNTED_KEY = "huitan_commit_under_way"
logger = logging.getLogger(__name__)


def staff_room(meeting_id):
    """Boards and staff: every item, the moderation queue and hide reasons; never an anonymous name."""
    return f"meeting-{meeting_id}-staff"


def public_room(meeting_id):
    """Participants' phones: approved items only, never a hidden name."""
    return f"meeting-{meeting_id}-public"


def _pending(session):
    return session.info.setdefault(_PENDING_KEY, [])


def queue(session, event_name, payload, room):
    """Queue an emit of `payload` to `room` on the given SQLAlchemy session; sent after its commit."""
    _pending(session).append((event_name, payload, room))


def queue_for_meeting(session, event_name, meeting_id, staff_payload, public_payload=None):
    """Queue one event for a meeting's staff room and, if given, another for its public room.

    The caller decides what each audience may see; a `None` public payload reaches no phone.
    """
    queue(session, event_name, staff_payload, staff_room(meeting_id))
    if public_payload is not None:
        queue(session, event_name, public_payload, public_room(meeting_id))


# ------------------------------------------------------------------ the sender

class _Sender:
    """One background task that emits committed events in order, outside any database turn."""

    def __init__(self):
        self._queue = None
        self._lock = threading.Lock()

    def _ensure_started(self):
        if self._queue is not None:
            return self._queue
        with self._lock:
            if self._queue is None:
                # The queue and the task follow the server's async mode (threads or greenlets).
                server = socketio.server
                new_queue = server.eio.create_queue() if server is not None else None
                if new_queue is None:
                    return None
                socketio.start_background_task(self._run, new_queue)
                self._queue = new_queue
        return self._queue

    def put(self, batch):
        target = self._ensure_started()
        if target is None:  # Socket.IO not initialised (a bare script): send inline
            _emit_all(batch)
            return
        target.put(batch)

    def _run(self, source):
        while True:
            batch = source.get()
            try:
                _emit_all(batch)
            finally:
                source.task_done()

    def idle(self):
        # unfinished_tasks counts batches put and not yet emitted (queue.Queue and gevent's alike)
        return self._queue is None or not self._queue.unfinished_tasks


def _emit_all(batch):
    for event_name, payload, room in batch:
        try:
            socketio.emit(event_name, payload, to=room, namespace=NAMESPACE)
        except Exception:  # noqa: BLE001
            # The change is committed; a failed push (e.g. the message queue is down) must not stop
            # the sender. Clients catch up with items?after=<seq> when they reconnect.
            logger.exception("could not broadcast %s to %s", event_name, room)


_sender = _Sender()


def wait_until_sent(timeout=5.0):
    """Block until every committed event has been handed to Socket.IO (tests, scripts, exit)."""
    deadline = time.monotonic() + timeout
    while not _sender.idle():
        if time.monotonic() > deadline:
            return False
        socketio.sleep(0.005)
    return True


class _Gate:
    """Counts the commits that carry events, from just before COMMIT until their events are
    queued, and shuts for new ones when the process stops."""

    def __init__(self):
        self._lock = threading.Lock()
        self.under_way = 0
        self.closing = False

    def enter(self, session):
        with self._lock:
            if self.closing:
                raise ServiceUnavailable()
            session.info[_COUNTED_KEY] = True
            self.under_way += 1

    def leave(self, session):
        if session.info.pop(_COUNTED_KEY, None):
            with self._lock:
                self.under_way -= 1

    def close(self):
        with self._lock:
            self.closing = True


_gate = _Gate()


def drain(timeout=5.0):
    """Before the process exits: refuse new commits that carry events, wait for the ones under
    way, and send every committed event. True when all went out within `timeout` seconds."""
    _gate.close()
    deadline = time.monotonic() + timeout
    while _gate.under_way:
        if time.monotonic() > deadline:
            return False
        socketio.sleep(0.005)
    return wait_until_sent(max(deadline - time.monotonic(), 0.0))


atexit.register(wait_until_sent, 2.0)  # a CLI command's last events still go out


# ------------------------------------------------------------------ session hooks

def _before_commit(session):
    if not session.in_nested_transaction() and session.info.get(_PENDING_KEY) \
            and not session.info.get(_COUNTED_KEY):
        _gate.enter(session)


def _after_transaction_end(session, transaction):
    # The outermost transaction ended (committed, its events queued; or rolled back).
    if transaction.parent is None and not transaction.nested:
        _gate.leave(session)


def _after_commit(session):
    # SQLAlchemy also fires after_commit when a savepoint is released; only the outermost
    # commit makes the change visible to others.
    if session.in_nested_transaction():
        return
    session.info.pop(_MARKS_KEY, None)
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        _sender.put(pending)


def _after_transaction_create(session, transaction):
    # Remember how many events were queued when a savepoint began, so that rolling the
    # savepoint back drops only the events queued inside it.
    if transaction.nested:
        session.info.setdefault(_MARKS_KEY, {})[id(transaction)] = len(session.info.get(_PENDING_KEY, ()))


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.nested:
        mark = session.info.get(_MARKS_KEY, {}).pop(id(previous_transaction), None)
        if mark is not None and _PENDING_KEY in session.info:
            del session.info[_PENDING_KEY][mark:]
    elif previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_MARKS_KEY, None)


_LISTENERS = (("before_commit", _before_commit), ("after_commit", _after_commit),
              ("after_transaction_create", _after_transaction_create),
              ("after_soft_rollback", _after_soft_rollback), ("after_transaction_end", _after_transaction_end))


def init_app(app):
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
