"""The only module that imports WeasyPrint.

Templates under templates/pdf/ are rendered with plain data (no ORM objects) into HTML in
the web process; the HTML is turned into PDF in a separate worker process so that a long
document never blocks the live Socket.IO server. The URL fetcher can read only our own
static files: no network, no file outside static/.

The worker is a plain child process that reads HTML from its stdin and writes PDF bytes to its
stdout (not a multiprocessing pool: that re-imported app.py, i.e. the whole application, into
the child and left a resource-tracker process behind). It loads this file on its own, without
the application package, and leaves when its stdin closes, so it never outlives the server,
even one that was killed. `python app.py` starts it and renders a sample page at start-up
(`start_worker`), so the first real document is as fast as the next.
"""
import atexit
import os
import select
import struct
import subprocess
import sys
import threading
import time

STATIC_PREFIX = "static:"
WORKER_TIMEOUT_SECONDS = 120
_HEADER = struct.Struct(">BI")  # status (0 ok, 1 error), payload length
# What the warm-up renders: both CJK families and the page furniture the real templates use, so
# that fontconfig, the fonts and the layout code are loaded before the first real document.
_WARM_UP_HTML = """<html><head><style>
@page { size: A4; margin: 20mm; @bottom-center { content: "第 " counter(page) " 页"; font-family: "Noto Sans CJK SC"; } }
body { font-family: "Noto Sans CJK SC", sans-serif; } h1 { font-family: "Noto Serif CJK SC", serif; }
table { border-collapse: collapse; } td { border: 1px solid #999; }
</style></head><body><h1>慧谈纪要 预热</h1><p>井下班中餐送到工作面时经常已经凉了。0123456789 ABC</p>
<table><tr><td>承办单 HT-202612-0001</td><td>后勤管理部</td></tr></table></body></html>"""


def _static_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "static"))


def restricted_url_fetcher(url, timeout=10, ssl_context=None):
    """Serve `static:<path>` from static/ only; refuse everything else."""
    from weasyprint.urls import default_url_fetcher
    if not url.startswith(STATIC_PREFIX):
        raise ValueError(f"blocked resource: {url[:80]}")
    root = _static_root()
    path = os.path.abspath(os.path.join(root, url[len(STATIC_PREFIX):].lstrip("/")))
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        raise ValueError(f"blocked resource: {url[:80]}")
    return default_url_fetcher("file://" + path, timeout=timeout, ssl_context=ssl_context)


def html_to_pdf(html):
    """Convert HTML to PDF bytes (runs in the worker process, or inline when asked)."""
    from weasyprint import HTML
    return HTML(string=html, base_url=STATIC_PREFIX + "/", url_fetcher=restricted_url_fetcher).write_pdf()


# ------------------------------------------------------------------ the worker process

def _read_exactly(stream, size):
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_worker():
    """The worker's loop: length-prefixed HTML in, status + length-prefixed PDF (or error) out."""
    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    source = sys.stdin.buffer
    html_to_pdf(_WARM_UP_HTML)  # import WeasyPrint, load the fonts: before the first request
    sink.write(_HEADER.pack(0, 0))  # ready
    sink.flush()
    while True:
        header = _read_exactly(source, 4)
        if header is None:  # the server closed our stdin: it stopped or died
            return
        html = _read_exactly(source, struct.unpack(">I", header)[0])
        if html is None:
            return
        try:
            status, payload = 0, html_to_pdf(html.decode("utf-8"))
        except Exception as error:  # noqa: BLE001  (reported to the server, which raises it)
            status, payload = 1, f"{type(error).__name__}: {error}".encode("utf-8", "replace")
        sink.write(_HEADER.pack(status, len(payload)))
        sink.write(payload)
        sink.flush()


# Run this file alone, not `-m facilitation.pdf`: the worker needs none of the application, and
# the package's __init__ would import all of it. -I keeps facilitation/ off sys.path (its
# http.py would shadow the standard library's).
_WORKER_BOOT = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('huitan_pdf_worker', "
                "sys.argv[1]); module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
                "module.serve_worker()")


class WorkerError(RuntimeError):
    """The PDF worker stopped or did not answer in time."""


class RenderError(RuntimeError):
    """WeasyPrint refused the document (the worker itself is fine)."""


class _Worker:
    """The server's one PDF worker: started once, used by one request at a time, restarted if it died."""

    def __init__(self):
        self._lock = threading.Lock()
        self._proc = None

    def _start(self):
        self._proc = subprocess.Popen([sys.executable, "-I", "-c", _WORKER_BOOT, os.path.abspath(__file__)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
                                      close_fds=True, start_new_session=False)
        self._receive()  # the worker says it is ready once WeasyPrint and the fonts are loaded

    def _alive(self):
        return self._proc is not None and self._proc.poll() is None

    def _read(self, size, deadline):
        fd, data = self._proc.stdout.fileno(), b""
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerError("PDF worker timed out")
            readable, _w, _x = select.select([fd], [], [], remaining)  # cooperative under gevent
            if readable:
                chunk = os.read(fd, min(size - len(data), 1 << 20))
                if not chunk:
                    raise WorkerError("PDF worker stopped")
                data += chunk
        return data

    def _write(self, data, deadline):
        fd, view = self._proc.stdin.fileno(), memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerError("PDF worker timed out")
            _r, writable, _x = select.select([], [fd], [], remaining)
            if writable:
                view = view[os.write(fd, view[:65536]):]

    def _receive(self, deadline=None):
        deadline = deadline or time.monotonic() + WORKER_TIMEOUT_SECONDS
        status, size = _HEADER.unpack(self._read(_HEADER.size, deadline))
        payload = self._read(size, deadline) if size else b""
        if status:
            raise RenderError(payload.decode("utf-8", "replace"))
        return payload

    def ensure_started(self):
        with self._lock:
            if not self._alive():
                self._start()

    def convert(self, html):
        data = html.encode("utf-8")
        with self._lock:
            if not self._alive():
                self._start()
            deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
            try:
                self._write(struct.pack(">I", len(data)) + data, deadline)
                return self._receive(deadline)
            except (OSError, WorkerError):
                self._stop_locked()  # a broken or stuck worker is replaced on the next call
                raise

    def _stop_locked(self, timeout=5):
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # the worker leaves at EOF
            proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait(timeout)
        finally:
            proc.stdout.close()

    def stop(self, timeout=5):
        # Called from signal handlers too: never wait for a request that holds the lock.
        if self._lock.acquire(timeout=1):
            try:
                self._stop_locked(timeout)
            finally:
                self._lock.release()
        elif self._proc is not None:
            self._proc.kill()

    @property
    def pid(self):
        return self._proc.pid if self._alive() else None


_worker = _Worker()
atexit.register(_worker.stop)


def render_pdf(template_name, **context):
    """Render templates/pdf/<template_name> with plain data and return PDF bytes."""
    from flask import current_app, render_template
    html = render_template(template_name, **context)
    if current_app.config.get("PDF_INLINE"):
        return html_to_pdf(html)
    return _worker.convert(html)


def start_worker():
    """Start the worker and let it load WeasyPrint and the fonts ahead of the first document."""
    _worker.ensure_started()
    return _worker.pid


warm_up = start_worker  # the name bench/documents.py and older callers use


def stop_worker():
    """Stop the worker (server shutdown: SIGTERM / SIGINT, and at exit)."""
    _worker.stop()
