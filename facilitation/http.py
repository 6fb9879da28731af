"""The HTTP layer every request passes: bounded ids in URLs, the real client address behind
trusted proxies, and the security headers of every response."""
import ipaddress
import secrets

from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .validation import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: 1..2^31-1, so that a huge id is a 404, never a database overflow."""

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
        self.fixed = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    def __call__(self, environ, start_response):
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            peer = None
        if peer is not None and any(peer in network for network in self.networks):
            return self.fixed(environ, start_response)
        return self.wsgi_app(environ, start_response)


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
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def install_proxy_fix(app):
    """Must run last, outside the Socket.IO middleware, so that sockets see the real address too."""
    networks = _trusted_proxies(app.config.get("TRUSTED_PROXIES"))
    if networks:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, networks, hops=int(app.config.get("PROXY_HOPS", 1)))
