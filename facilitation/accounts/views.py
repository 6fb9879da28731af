"""Login, logout and the admin's user management pages."""
from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..edges import attempt, commit
from ..extensions import db, limiter
from ..people.models import Department
from . import services
from .auth import roles_required
from .forms import ROLE_LABELS, LoginForm, UserForm
from .models import User

bp = Blueprint("accounts", __name__)


def _safe_next(target):
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        return None
    return target


def _login_key():
    """Failed guesses count per account and address: one person's typos lock out nobody else."""
    username = (request.form.get("username") or "").strip().lower()[:64]
    return f"login:{username}:{request.remote_addr or '-'}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_login_key)
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = commit(services.authenticate, form.username.data, form.password.data)
        if user is None:
            flash(_("用户名或密码不正确。"), "error")
            return render_template("accounts/login.html", form=form), 401
        login_user(user)
        return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session on the server too: a copy of the cookie saved before logout stops working."""
    if current_user.is_authenticated:
        commit(services.end_sessions, current_user._get_current_object())
    logout_user()
    return redirect(url_for("accounts.login"))


def _department_choices():
    return [(0, "—")] + [(d.id, d.name) for d in Department.query.order_by(Department.position, Department.name)]


@bp.route("/admin/users")
@roles_required("admin")
def list_users():
    users = User.query.order_by(User.role, User.username).all()
    return render_template("accounts/list_users.html", users=users, role_labels=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required("admin")
def create_user():
    form = UserForm()
    form.department_id.choices = _department_choices()
    if form.validate_on_submit():
        outcome = attempt(services.create_user, form.username.data, form.password.data, form.role.data,
                          display_name=form.display_name.data,
                          department=db.session.get(Department, form.department_id.data or 0),
                          success=_("已创建用户。"))
        if outcome.ok:
            return redirect(url_for("accounts.list_users"))
        return render_template("accounts/edit_user.html", form=form, user=None), outcome.status
    return render_template("accounts/edit_user.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.department_id.choices = _department_choices()
    if request.method == "GET":
        form.department_id.data = user.department_id or 0
    if form.validate_on_submit():
        if user.id == current_user.id and (form.role.data != "admin" or not form.is_enabled.data):
            flash(_("不能取消自己的管理员权限或停用自己。"), "error")
            return render_template("accounts/edit_user.html", form=form, user=user), 409
        outcome = attempt(services.update_user, user, display_name=form.display_name.data, role=form.role.data,
                          department=db.session.get(Department, form.department_id.data or 0),
                          is_enabled=form.is_enabled.data, password=form.password.data, success=_("已保存。"))
        if not outcome.ok:
            return render_template("accounts/edit_user.html", form=form, user=user), outcome.status
        if user.id == current_user.id:
            login_user(user)  # a new password ended the old sessions; keep this one, with a fresh cookie
        return redirect(url_for("accounts.list_users"))
    return render_template("accounts/edit_user.html", form=form, user=user)
