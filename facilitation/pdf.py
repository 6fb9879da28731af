"""The only module that imports WeasyPrint.

Templates under templates/pdf/ are rendered with plain data (no ORM objects) into HTML in
the web process; the HTML is turned into PDF in a separate worker process so that a long
document never blocks the live Socket.IO server. The URL fetcher can read only our own
static files: no network, no file outside static/.
"""
import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from flask import current_app, render_template

STATIC_PREFIX = "static:"
_pool = None
_pool_lock = threading.Lock()


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


def _warm_up():
    from weasyprint import HTML  # noqa: F401  (import once, so the first real document is fast)
    return True


def _get_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn: never fork a process that runs server threads
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
        return _pool


def render_pdf(template_name, **context):
    """Render templates/pdf/<template_name> with plain data and return PDF bytes."""
    html = render_template(template_name, **context)
    if current_app.config.get("PDF_INLINE"):
        return html_to_pdf(html)
    return _get_pool().submit(html_to_pdf, html).result(timeout=120)


def warm_up():
    """Start the worker and import WeasyPrint in it ahead of the first document."""
    return _get_pool().submit(_warm_up).result(timeout=120)
