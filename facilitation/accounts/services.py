"""Accounts: creating users, checking passwords, issuing API tokens."""
import secrets

from flask_babel import gettext as _

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..validation import clean_text
from ..people.models import Department
from ..timeutil import utcnow
from .models import ROLES, ApiToken, User

MIN_PASSWORD_LENGTH = 8


def _validate_password(password):
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(_("密码至少需要 %(n)d 个字符。", n=MIN_PASSWORD_LENGTH))
    if len(password) > 128:
        raise ValidationError(_("密码不能超过 128 个字符。"))


def _resolve_department(role, department):
    if role == "handler":
        if department is None:
            raise ValidationError(_("承办人必须指定所属科室。"))
        return department
    return department


def find_department_by_name(name):
    department = Department.query.filter_by(name=(name or "").strip()).first()
    if department is None:
        raise NotFound(_("找不到科室“%(name)s”。", name=name))
    return department


def create_user(username, password, role, *, display_name=None, department=None, person=None):
    """Create a staff account; handlers must belong to a department."""
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise ValidationError(_("用户名不能为空，且不超过 64 个字符。"))
    if role not in ROLES:
        raise ValidationError(_("未知角色：%(role)s。", role=role))
    _validate_password(password)
    if User.query.filter_by(username=username).first() is not None:
        raise Conflict(_("用户名“%(name)s”已存在。", name=username))
    user = User(username=username, role=role, display_name=clean_text(display_name or username).strip()[:64],
                department=_resolve_department(role, department), person=person)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user, *, display_name, role, department=None, is_enabled=True, password=None):
    """Change a user's name, role, department or status; an empty password keeps the old one."""
    if role not in ROLES:
        raise ValidationError(_("未知角色：%(role)s。", role=role))
    if not (display_name or "").strip():
        raise ValidationError(_("姓名不能为空。"))
    ends_sessions = bool(password) or not is_enabled or role != user.role
    user.display_name = clean_text(display_name).strip()[:64]
    user.role = role
    user.department = _resolve_department(role, department)
    user.is_enabled = bool(is_enabled)
    if password:
        _validate_password(password)
        user.set_password(password)
        # a new password is what one sets after a leak: the user's API tokens go with the old one
        ApiToken.query.filter_by(user_id=user.id, revoked_at=None).update({"revoked_at": utcnow()},
                                                                         synchronize_session=False)
    if ends_sessions:  # a new password, a lost role or a disabled account: old cookies stop working
        user.end_sessions()
    db.session.flush()
    return user


def end_sessions(user):
    """Log the user out everywhere (logout ends the session on the server, not only in the browser)."""
    user.end_sessions()
    db.session.flush()
    return user


def authenticate(username, password):
    """Return the user for a correct username and password, else None."""
    user = User.query.filter_by(username=(username or "").strip()).first()
    if user is None or not user.is_active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def issue_api_token(user, label=None):
    """Create a bearer token; returns the plain token, which is shown once and never stored."""
    token = "ht_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=ApiToken.hash(token), label=label))
    db.session.flush()
    return token


def get_user_by_username(username):
    user = User.query.filter_by(username=username).first()
    if user is None:
        raise NotFound(_("找不到用户“%(name)s”。", name=username))
    return user
