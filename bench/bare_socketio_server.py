"""A bare python-socketio broadcast server: the baseline bench/live.py measures the app against.

The same stack as `python app.py` in the same async mode (gevent: monkey-patched, gevent's
WSGI server + simple-websocket; threading: Werkzeug + simple-websocket), without Flask,
database or checks. Clients connect with auth `{"meeting_id": m, "token": t}`: tokens starting
with "p." join meeting m's public room, others its staff room. POST /api/v1/meetings/<m>/items
with a JSON item broadcasts an `item` event (shaped like the app's) to both rooms of meeting m
and answers 201.

    .venv/bin/python bench/bare_socketio_server.py PORT [gevent|threading]
"""
import sys

ASYNC_MODE = sys.argv[2] if len(sys.argv) > 2 else "gevent"
if __name__ == "__main__" and ASYNC_MODE == "gevent":
    from gevent import monkey
    monkey.patch_all()

import itertools  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import threading  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

import socketio  # noqa: E402

sio = socketio.Server(async_mode=ASYNC_MODE, max_http_buffer_size=64 * 1024)
_seq = itertools.count(1)
_seq_lock = threading.Lock()


@sio.on("connect", namespace="/live")
def connect(sid, environ, auth=None):
    auth = auth if isinstance(auth, dict) else {}
    token = str(auth.get("token") or "")
    audience = "public" if token.startswith("p.") else "staff"
    sio.enter_room(sid, f"meeting-{auth.get('meeting_id')}-{audience}", namespace="/live")


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
    parts = path.strip("/").split("/")
    if method == "GET" and path == "/healthz":
        status, body = "200 OK", {"status": "ok"}
    elif method == "POST" and len(parts) == 5 and parts[:3] == ["api", "v1", "meetings"] and parts[4] == "items":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        item = _item(json.loads(environ["wsgi.input"].read(length) or b"{}"))
        payload = {"type": "item", "op": "created", "item": item}
        sio.emit("item", payload, to=f"meeting-{parts[3]}-staff", namespace="/live")
        sio.emit("item", payload, to=f"meeting-{parts[3]}-public", namespace="/live")
        status, body = "201 CREATED", item
    else:
        status, body = "404 NOT FOUND", {"error": "not found"}
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


app = socketio.WSGIApp(sio, http_app)

if __name__ == "__main__":
    port = int(sys.argv[1])
    if ASYNC_MODE == "gevent":
        import socket

        from gevent import pywsgi

        class NoDelayHandler(pywsgi.WSGIHandler):  # as app.py does: no 40 ms delayed-ACK stalls
            def handle(self):
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return super().handle()
        pywsgi.WSGIServer(("127.0.0.1", port), app, log=None, handler_class=NoDelayHandler).serve_forever()
    else:
        from werkzeug.serving import run_simple
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        run_simple("127.0.0.1", port, app, threaded=True)
