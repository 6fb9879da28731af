"""Who is asking: the logged-in user (cookie or bearer token) and role checks for edges."""
from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db, login_manager
from ..timeutil import utcnow
from ..validation import is_digits
from .models import ApiToken, User

STAFF_ROLES = ("admin", "organizer", "lead", "handler", "viewer")


def bearer_token():
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def setup_login(app):
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.session_protection = "strong"

    @app.before_request
    def forget_previous_requests_user():
        # Flask-Login caches the user in `g`, which belongs to the app context. Code that
        # serves several requests in one app context (the test suite, scripts using the test
        # client) would otherwise let one request's login leak into the next.
        g.pop("_login_user", None)
        g.pop("auth_by_token", None)

    @login_manager.user_loader
    def load_user(session_id):
        """The user of a login cookie, if the cookie's generation is still current and the user enabled."""
        user_id, _sep, version = str(session_id or "").partition(".")
        if not (is_digits(user_id) and is_digits(version)) or len(user_id) > 10 or len(version) > 10:
            return None
        user = db.session.get(User, int(user_id)) if int(user_id) <= 2 ** 31 - 1 else None
        if user is None or not user.is_active or int(version) != (user.session_version or 1):
            return None
        return user

    @login_manager.request_loader
    def load_user_from_token(req):
        user = staff_user_for_token(bearer_token())
        if user is not None:
            g.auth_by_token = True
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from ..errors import json_error, wants_json
        from flask_babel import gettext as _
        if wants_json():
            return json_error(401, "unauthorized", _("请先登录或提供有效的访问令牌。"))
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def staff_user_for_token(token):
    """The enabled user of a staff API token, or None (participant tokens are not staff logins)."""
    if not token or token.startswith("p.") or len(token) > 200:
        return None
    row = ApiToken.query.filter_by(token_hash=ApiToken.hash(token), revoked_at=None).first()
    if row is None or not row.user.is_active:
        return None
    return row.user


def roles_required(*roles):
    """Edge decorator: the user must be logged in and have one of `roles` (admin always may)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def staff_required(view):
    return roles_required(*STAFF_ROLES)(view)


def touch_token_use(user):
    """Remember when a token was last used (cheap, once per request)."""
    token = bearer_token()
    if token:
        ApiToken.query.filter_by(token_hash=ApiToken.hash(token)).update({"last_used_at": utcnow()})
