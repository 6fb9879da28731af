"""The JSON API under /api/v1: bearer-token or cookie auth, JSON errors, OpenAPI document.

Feature modules (`<feature>/api.py`) add their endpoints to `bp`; each endpoint's docstring
carries its OpenAPI operation after a `---` line, and a test fails when one is missing.
"""
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import PayloadTooLarge, ValidationError
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_JSON_BYTES = 64 * 1024


@bp.before_request
def protect_cookie_requests():
    """Bearer requests cannot be forged by another site; cookie requests need the CSRF token."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        # Also caps bodies sent without Content-Length (chunked): Werkzeug then stops reading
        # one byte past the cap, which json_body() recognises.
        request.max_content_length = MAX_JSON_BYTES + 1
        if request.content_length and request.content_length > MAX_JSON_BYTES:
            raise _too_large()
        if current_app.config.get("WTF_CSRF_ENABLED", True) and current_user.is_authenticated \
                and not getattr(g, "auth_by_token", False) and not _has_valid_bearer():
            csrf.protect()


def _has_valid_bearer():
    """Only a valid token exempts a request from CSRF: a forged cross-site request cannot carry one.

    Any other Authorization header (Basic, a made-up bearer) leaves a cookie request a cookie
    request, which needs its CSRF token.
    """
    from ..accounts.auth import bearer_token, staff_user_for_token
    from ..errors import DomainError
    from ..live.tokens import read_participant_token
    token = bearer_token()
    if not token:
        return False
    if token.startswith("p."):
        try:
            read_participant_token(token)
        except DomainError:
            return False
        return True
    return staff_user_for_token(token) is not None


def _too_large():
    return PayloadTooLarge(_("提交的内容太大（不能超过 %(n)d KB）。", n=MAX_JSON_BYTES // 1024))


def json_body():
    """The request's JSON object, or a clear 400 (413 when the body is over the cap)."""
    if len(request.get_data(cache=True)) > MAX_JSON_BYTES:
        raise _too_large()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(_("请求体必须是 JSON 对象。"), code="invalid_json")
    return data


def ok(payload, status=200):
    return jsonify(payload), status
