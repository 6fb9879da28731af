"""Home page, health check and language switch."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from ..extensions import db
from ..people.services import ordered_tiers
from ..scheduling.models import Meeting
from ..timeutil import local_today
from . import queries

bp = Blueprint("home", __name__)


@bp.route("/healthz")
def healthz():
    """200 {"status": "ok"} after a real round-trip to the database, else 503."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except Exception:  # any database failure means unhealthy
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok"})


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own; answer it instead of a 404 on every first load."""
    return current_app.send_static_file("favicon.ico")


@bp.route("/")
@login_required
def index():
    today = local_today()
    upcoming = (Meeting.query.filter(Meeting.status.in_(("planned", "live")))
                .order_by(Meeting.starts_at).limit(10).all())
    from ..scheduling.queries import coverage_tiles
    return render_template("home/index.html", upcoming=upcoming, tiers=ordered_tiers(),
                           month=queries.month_overview(today.year, today.month), today=today,
                           my_meetings=queries.meetings_led_by(current_user),
                           coverage=coverage_tiles(today.year, today),
                           coverage_links=current_user.has_role("organizer", "lead"),
                           intake_new=_intake_new())


def _intake_new():
    """Standing-channel (一码通) items waiting for triage, for those who triage or dispatch them."""
    if not current_user.has_role("organizer", "viewer"):
        return None
    from ..intake.queries import new_count
    return new_count()


@bp.route("/lang/<code>")
def set_language(code):
    target = request.args.get("next") or request.referrer or url_for("home.index")
    if not target.startswith("/") and not target.startswith(request.host_url):
        target = url_for("home.index")
    response = redirect(target)
    if code in ("zh", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
