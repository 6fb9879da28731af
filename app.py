"""Entry point: `app = create_app()`; `python app.py` serves the app and its Socket.IO.

`python app.py` serves with gevent (chosen by measurement: docs/async-mode.md), so the standard
library is monkey-patched here, before anything else is imported; SOCKETIO_ASYNC_MODE=threading
serves with Werkzeug's threads instead. Importing this module (the flask CLI, WSGI servers, the
tests) patches nothing and runs in threading mode.
"""
import os

SERVING = __name__ == "__main__"
if SERVING and os.environ.get("SOCKETIO_ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey
    monkey.patch_all()

from facilitation import create_app  # noqa: E402
from facilitation.extensions import socketio  # noqa: E402

app = create_app()


def install_shutdown(server_app):
    """SIGTERM / SIGINT: stop taking connections, let the commits under way finish and their
    events go out (realtime.drain), stop the PDF worker (children never outlive the server), exit.

    Closing the listening socket first makes a proxy send new requests to another process at
    once; requests on connections already open are answered until the process exits.
    """
    import signal
    import sys

    from facilitation import pdf, realtime

    def shut_down(signum, _frame=None):
        listener = getattr(socketio, "wsgi_server", None)  # gevent's server; None with Werkzeug
        if listener is not None:
            # Not close(): that ends serve_forever, and the process with it, before the drain.
            listener.stop_accepting()
            listener.socket.close()
        if not realtime.drain(5.0):
            server_app.logger.warning("stopped before every live event was sent")
        pdf.stop_worker()
        server_app.logger.info("stopped by signal %s", signum)
        sys.exit(0)

    def on_signal(signum, frame=None):
        try:
            shut_down(signum, frame)
        except SystemExit:
            if socketio.async_mode != "gevent":
                raise
            # In gevent mode this runs in a greenlet of its own, where SystemExit would not end the
            # process; the children are gone and the last events sent, so leave now.
            os._exit(0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        if socketio.async_mode == "gevent":
            import gevent
            gevent.signal_handler(signum, on_signal, signum)
        else:
            signal.signal(signum, on_signal)


def server_options():
    """gevent's WSGI server with TCP_NODELAY on every connection.

    Without it a response or a WebSocket frame written in two pieces waits for the peer's
    delayed ACK: 40 ms for every request on Linux (measured: /healthz 44 ms → 2 ms).
    """
    if socketio.async_mode != "gevent":
        return {}
    import socket

    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):
        def handle(self):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return super().handle()
    return {"handler_class": NoDelayHandler}


if SERVING:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    install_shutdown(app)
    if app.config.get("SOCKETIO_MESSAGE_QUEUE") and not socketio.server.manager_initialized:
        # Subscribe to the message queue now, not at the first connection as python-socketio
        # would: a board that reconnects here right after a restart must not miss what another
        # process publishes between its catch-up request and this process's subscription.
        socketio.server.manager_initialized = True
        socketio.server.manager.initialize()
    if os.environ.get("HUITAN_PDF_WARM", "1") != "0":
        # Start the PDF worker beside the server, not in front of it: /healthz answers at once.
        from facilitation import pdf
        socketio.start_background_task(pdf.start_worker)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, **server_options())
