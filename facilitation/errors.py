"""Domain errors raised by services, and their mapping to HTTP responses.

Services raise a DomainError subclass with a message already in the user's language
(built with lazy_gettext / gettext).  HTTP edges turn it into a JSON error
`{"error": {"code", "message"}}` under /api/ and into an error page or flash elsewhere.
"""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Base class: something the user asked for cannot be done."""

    status = 400
    code = "bad_request"

    def __init__(self, message, *, code=None, details=None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.details = details or {}

    def to_dict(self):
        error = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


class ValidationError(DomainError):
    """The input is malformed, missing, too long or out of range."""

    status = 400
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request is valid but illegal in the current state (e.g. closing a meeting early)."""

    status = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"


class Gone(DomainError):
    status = 410
    code = "gone"


def wants_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def json_error(status, code, message, details=None):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


HTTP_MESSAGES = {
    400: lambda: _("请求格式不正确。"),
    401: lambda: _("请先登录。"),
    403: lambda: _("您没有执行此操作的权限。"),
    404: lambda: _("找不到您要的页面或数据。"),
    405: lambda: _("不支持此请求方法。"),
    409: lambda: _("当前状态下不能执行此操作。"),
    413: lambda: _("提交的内容太大。"),
    415: lambda: _("请以 JSON 格式提交。"),
    429: lambda: _("操作太频繁，请稍后再试。"),
    500: lambda: _("服务器内部错误，请稍后再试。"),
    503: lambda: _("服务器正在重启，请稍后再试。"),
}

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large",
              415: "unsupported_media_type", 429: "rate_limited", 500: "server_error",
              503: "unavailable"}


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def handle_domain_error(error):
        from .extensions import db
        db.session.rollback()
        if wants_json():
            return jsonify(error.to_dict()), error.status
        return render_template("home/error.html", status=error.status,
                               message=error.message), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        status = error.code or 500
        message_factory = HTTP_MESSAGES.get(status)
        message = message_factory() if message_factory else error.description
        if status == 400 and getattr(error, "description", None) and "CSRF" in str(error.description):
            message = _("页面已过期，请刷新后重试。")
        if wants_json():
            return json_error(status, HTTP_CODES.get(status, "error"), message)
        return render_template("home/error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def handle_unexpected(error):  # pragma: no cover - logged, then a friendly page
        from .extensions import db
        app.logger.exception("unhandled error")
        db.session.rollback()
        if app.testing and app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        message = HTTP_MESSAGES[500]()
        if wants_json():
            return json_error(500, "server_error", message)
        return render_template("home/error.html", status=500, message=message), 500
