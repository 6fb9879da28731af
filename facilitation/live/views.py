"""The participant's phone page, the projector board and the join QR code."""
import io
import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

import segno
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import roles_required

from ..extensions import db
from ..people.models import Department
from ..scheduling.models import Meeting
from ..scheduling.services import can_chair
from ..timeutil import local_today
from .models import ITEM_KINDS
from .payloads import kind_label

bp = Blueprint("live", __name__)

# Topics offered on the phone and the board; the item's category stays free text (≤ 32 chars).
# Stored as offered (Chinese), shown translated (payloads.CATEGORY_LABELS, payloads.category_label).
ITEM_CATEGORIES = ("安全", "生产", "薪酬", "后勤", "劳保", "生活", "培训", "其他")
# A slip deadline a week out is the usual practice; staff can change it on the board.
DEFAULT_DUE_DAYS = 7


def standing_channel_url():
    """The link of the standing QR channel (一码通) the phone points to when someone is turned
    away at the door: the organizer's default channel (else the oldest active one); None while
    there is none, and the page then says to scan the unit's poster instead."""
    from ..intake.queries import default_channel
    channel = default_channel()
    return url_for("intake.channel_page", code=channel.code) if channel is not None else None


def _kinds():
    return [(k, kind_label(k)) for k in ITEM_KINDS]


def join_url(meeting):
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + url_for("live.phone", join_code=meeting.join_code)


@bp.route("/j/<join_code>")
def phone(join_code):
    code = (join_code or "").strip().upper()
    meeting = Meeting.query.filter_by(join_code=code).first() if len(code) <= 16 else None
    if meeting is None:
        return render_template("live/phone_error.html", reason="bad_code"), 404
    if meeting.status == "planned":
        return render_template("live/phone_error.html", reason="not_started", meeting=meeting), 409
    if meeting.status in ("closed", "cancelled"):
        return render_template("live/phone_error.html", reason=meeting.status, meeting=meeting), 410
    return render_template("live/phone.html", meeting=meeting, kinds=_kinds(), categories=ITEM_CATEGORIES,
                           max_chars=current_app.config["ITEM_MAX_CHARS"], channel_url=standing_channel_url())


@bp.route("/meetings/<int:meeting_id>/board")
@roles_required("organizer", "lead", "viewer")
def board(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    departments = Department.query.filter_by(is_active=True).order_by(Department.position).all()
    today = local_today()
    url = join_url(meeting)
    return render_template("live/board.html", meeting=meeting, join_url=url,
                           join_url_is_local=is_loopback_url(url),
                           can_chair=can_chair(current_user, meeting), departments=departments,
                           kinds=_kinds(), categories=ITEM_CATEGORIES,
                           default_due=(today + timedelta(days=DEFAULT_DUE_DAYS)).isoformat(),
                           min_due=today.isoformat(), max_chars=current_app.config["ITEM_MAX_CHARS"],
                           presentation=request.args.get("present") == "1")


def is_loopback_url(url):
    """True when the QR code would send phones to 127.0.0.1 / localhost: the phone itself.

    That happens when the board is opened on the server and PUBLIC_BASE_URL is not set.
    """
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@bp.route("/meetings/<int:meeting_id>/qr.svg")
@roles_required("organizer", "lead", "viewer")
def join_qr(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    qr = segno.make(join_url(meeting), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False)
    return Response(out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})
