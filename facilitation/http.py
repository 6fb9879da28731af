"""The HTTP layer every request passes: bounded ids in URLs, the real client address behind
trusted proxies, and the security headers of every response."""
import ipaddress
import re
import secrets

from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .validation import ID_MAX


def _up_to(limit):
    """A regular expression matching exactly the decimal numbers 0..limit.

    Werkzeug answers 405 instead of 404 when a converter refuses a value of a path that another
    method's rule would take; refusing in the regex keeps an out-of-range id a plain 404.
    """
    digits = str(limit)
    parts = [r"\d{1,%d}" % (len(digits) - 1)]
    for index, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - index - 1
            parts.append(digits[:index] + "[0-%d]" % (int(digit) - 1) + (r"\d{%d}" % rest if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: 1..2^31-1, so that a huge id is a 404, never a database overflow."""

    regex = _up_to(ID_MAX)

    def __init__(self, url_map, fixed_digits=0, min=1, max=ID_MAX, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _trusted_proxies(value):
    """TRUSTED_PROXIES: comma-separated addresses or networks of the proxies in front of us."""
    networks = []
    for part in (value or "").split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return networks


class TrustedProxyFix:
    """Werkzeug's ProxyFix, applied only to requests that come from a configured proxy.

    A phone that sends its own X-Forwarded-For straight to the app is not believed, so it can
    neither hide behind another address nor spend somebody else's rate limit.
    """

    def __init__(self, wsgi_app, networks, hops=1):
        self.wsgi_app, self.networks = wsgi_app, networks
        # Only what the documented nginx sets (X-Forwarded-For, -Proto; Host itself): a client's own
        # X-Forwarded-Host would pass through nginx untouched and change the links the app prints.
        self.fixed = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ, start_response):
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            peer = None
        if peer is not None and any(peer in network for network in self.networks):
            return self.fixed(environ, start_response)
        return self.wsgi_app(environ, start_response)


JSON_SCAN_MAX = 1024 * 1024  # bigger bodies are refused by the API's own size cap anyway


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and lone surrogates (no UTF-8 for them)


def _has_nul(value):
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul_bytes():
    """A NUL byte anywhere in the path, the query, a form or a JSON body: 400, before any view runs.

    PostgreSQL refuses NUL in text (a 500 deep inside a query otherwise) and C tools cut text at it.
    """
    from flask_babel import gettext as _
    from .errors import ValidationError
    suspects = [request.path]
    suspects += [part for pair in request.args.items(multi=True) for part in pair]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            suspects += [part for pair in request.form.items(multi=True) for part in pair]
        elif request.is_json and (request.content_length or 0) <= JSON_SCAN_MAX \
                and _has_nul(request.get_json(silent=True, cache=True)):
            suspects.append("\x00")
    if any(_UNSTORABLE.search(part) for part in suspects):
        raise ValidationError(_("内容含有不能保存的控制字符（NUL）或无效字符，请删除后重试。"), code="nul_byte")


def csp_nonce():
    """A per-response nonce for the few inline <style> elements we emit (pygal chart SVGs)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy():
    style = "'self'"
    if "csp_nonce" in g:
        style += f" 'nonce-{g.csp_nonce}'"
    return ("default-src 'self'; script-src 'self'; style-src " + style + "; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'")


def add_security_headers(response):
    """No inline script may run, no page may be framed, no type sniffing, no full referrers."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def install_http_layer(app):
    """Must run before any blueprint is registered: routes compile with the converters they see."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def install_proxy_fix(app):
    """Must run last, outside the Socket.IO middleware, so that sockets see the real address too."""
    networks = _trusted_proxies(app.config.get("TRUSTED_PROXIES"))
    if networks:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, networks, hops=int(app.config.get("PROXY_HOPS", 1)))
