"""A bare python-socketio broadcast server: the baseline bench/live.py measures the app against.

Same stack as `python app.py` (threading mode, Werkzeug + simple-websocket) without Flask,
database or checks. Clients connect with auth `{"token": t}`: tokens starting with "p." join
the "public" room, others the "staff" room. POST …/items with a JSON item broadcasts an
`item` event (shaped like the app's) to both rooms and answers 201.

    .venv/bin/python bench/bare_socketio_server.py PORT
"""
import itertools
import json
import logging
import sys
import threading
from datetime import datetime, timezone

import socketio
from werkzeug.serving import run_simple

sio = socketio.Server(async_mode="threading", max_http_buffer_size=64 * 1024)
_seq = itertools.count(1)
_seq_lock = threading.Lock()


@sio.on("connect", namespace="/live")
def connect(sid, environ, auth=None):
    token = str((auth or {}).get("token") or "")
    sio.enter_room(sid, "public" if token.startswith("p.") else "staff", namespace="/live")


def _item(body):
    with _seq_lock:
        seq = next(_seq)
    return {"id": seq, "seq": seq, "client_id": body.get("client_id"), "kind": body.get("kind"),
            "kind_label": "问题意见", "category": None, "text": body.get("text"), "status": "open",
            "status_label": "待处理", "votes": 0, "anonymity": body.get("anonymity"), "submitter": None,
            "is_approved": True, "is_urgent": False, "entered_by_staff": False, "answer": None,
            "outcome_note": None, "merged_into_seq": None, "slip": None,
            "created_at": datetime.now(timezone.utc).isoformat()}


def http_app(environ, start_response):
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
    if method == "GET" and path == "/healthz":
        status, body = "200 OK", {"status": "ok"}
    elif method == "POST" and path.endswith("/items"):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        item = _item(json.loads(environ["wsgi.input"].read(length) or b"{}"))
        payload = {"type": "item", "op": "created", "item": item}
        sio.emit("item", payload, to="staff", namespace="/live")
        sio.emit("item", payload, to="public", namespace="/live")
        status, body = "201 CREATED", item
    else:
        status, body = "404 NOT FOUND", {"error": "not found"}
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


app = socketio.WSGIApp(sio, http_app)

if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True)
