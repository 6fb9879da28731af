"""The floor: the least a Flask app that stores each item can do, for bench/live.py.

bench/bare_socketio_server.py is python-socketio alone: no Flask, nothing stored. This server
is the same stack as `python app.py` (Flask, Flask-SocketIO, gevent's WSGI server with
TCP_NODELAY and simple-websocket; Flask-SQLAlchemy on a SQLite file with the app's pragmas:
WAL, synchronous=FULL) that, for each POSTed item, inserts one row through the ORM, commits it
durably and then broadcasts it to its meeting's two rooms, as the app does, and answers 201.
No login, token check, validation, rate limit, translation, audit trail or seq lock: what it
costs above the bare server is what storing an item with Flask costs before any of the app's
own work, so the app's figures can be read against both.

Clients connect with auth `{"meeting_id": m, "token": t}`: tokens starting with "p." join
meeting m's public room, others its staff room (as with the bare server).

    .venv/bin/python bench/floor_server.py PORT DATABASE_PATH
"""
import sys

if __name__ == "__main__":
    from gevent import monkey
    monkey.patch_all()

import itertools  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from sqlalchemy import event  # noqa: E402

db = SQLAlchemy()
socketio = SocketIO()
_seq = itertools.count(1)
_seq_lock = threading.Lock()


class FloorItem(db.Model):
    __tablename__ = "items"
    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    client_id = db.Column(db.String(64), nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    text = db.Column(db.Text, nullable=False)
    anonymity = db.Column(db.String(16), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False)
    __table_args__ = (db.UniqueConstraint("meeting_id", "client_id"),)


def create_app(database_path):
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + database_path
    db.init_app(app)
    socketio.init_app(app, async_mode="gevent", max_http_buffer_size=64 * 1024)
    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def pragmas(connection, _record):  # the app's (facilitation/database.py)
            cursor = connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000", "foreign_keys=ON"):
                cursor.execute("PRAGMA " + pragma)
            cursor.close()
        db.create_all()

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.post("/api/v1/meetings/<int:meeting_id>/items")
    def submit(meeting_id):
        body = request.get_json(force=True)
        with _seq_lock:
            seq = next(_seq)
        item = FloorItem(meeting_id=meeting_id, seq=seq, client_id=str(body.get("client_id")),
                         kind=str(body.get("kind")), text=str(body.get("text")),
                         anonymity=str(body.get("anonymity") or "named"), created_at=datetime.now(timezone.utc))
        db.session.add(item)
        db.session.commit()
        payload = {"type": "item", "op": "created", "item": {
            "id": item.id, "seq": item.seq, "client_id": item.client_id, "kind": item.kind, "text": item.text,
            "status": "open", "votes": 0, "anonymity": item.anonymity, "submitter": None,
            "created_at": item.created_at.isoformat()}}
        for audience in ("staff", "public"):
            socketio.emit("item", payload, to=f"meeting-{meeting_id}-{audience}", namespace="/live")
        return jsonify(payload["item"]), 201

    @socketio.on("connect", namespace="/live")
    def connect(auth=None):
        auth = auth if isinstance(auth, dict) else {}
        audience = "public" if str(auth.get("token") or "").startswith("p.") else "staff"
        join_room(f"meeting-{auth.get('meeting_id')}-{audience}")

    return app


if __name__ == "__main__":
    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):  # as app.py does: no 40 ms delayed-ACK stalls
        def handle(self):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return super().handle()
    floor_app = create_app(sys.argv[2])
    socketio.run(floor_app, host="127.0.0.1", port=int(sys.argv[1]), log_output=False, handler_class=NoDelayHandler)
