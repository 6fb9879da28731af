"""Pages of the standing QR channel (一码通): the channel's phone page, the organizers' channel
pages (list, create, edit, stop; QR code; A4 poster), the triage inbox (分办), choosing the
replies of the month's public summary, and the public summary itself (page and PDF)."""
import logging
import re

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import roles_required
from ..edges import attempt
from ..errors import DomainError
from ..extensions import db
from ..forms import EmptyForm, first_error
from ..live import payloads, services as live_services
from ..live.views import is_loopback_url
from ..live.models import ITEM_KINDS
from ..live.views import ITEM_CATEGORIES
from ..people.models import Department, Unit
from ..slips.services import channel_supervisor, default_due_date
from ..stats import queries as stats
from ..texts import user_choice_label
from ..timeutil import local_today
from ..validation import arg_int, arg_page
from . import documents, queries, services
from .forms import ChannelForm, PickForm, TriageForm
from .models import Channel

bp = Blueprint("intake", __name__)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PAGE_SIZE = 30
TRIAGERS = ("organizer", "viewer", "lead")


# ---------------------------------------------------------------- privacy of the request log

class _ChannelLogFilter(logging.Filter):
    """The request log never ties an address to a channel submission: the address of requests to
    a channel's page or API is replaced by "-" before the line is written, and the query string is
    dropped (a phone's "我的事项" poll lists the client ids of all its items, hidden ones too: one
    line would tie a hidden-identity item to a named one)."""

    def filter(self, record):
        line = record.args[0] if isinstance(record.args, tuple) and record.args else None
        if isinstance(line, str) and (" /c/" in line or "/api/v1/channels/" in line):
            record.msg = re.sub(r"^\S+", "-", str(record.msg), count=1)
            record.args = (re.sub(r"\?[^\s\"]*", "", line, count=1),) + record.args[1:]
        return True


@bp.record_once
def _install_log_filter(state):
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, _ChannelLogFilter) for f in logger.filters):
        logger.addFilter(_ChannelLogFilter())


# ---------------------------------------------------------------- helpers

def channel_url(channel):
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + url_for("intake.channel_page", code=channel.code)


def _kinds():
    return [(k, payloads.kind_label(k)) for k in ITEM_KINDS]


def _parse_month(month_text):
    match = MONTH_RE.match(month_text or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        abort(404)
    return int(match.group(1)), int(match.group(2))


def _channel_choices(form):
    form.unit_id.choices = [(0, _("不属于某个单位"))] + [(u.id, u.name) for u in
                                                    Unit.query.filter_by(is_active=True).order_by(Unit.name)]
    form.supervisor_user_id.choices = [(u.id, user_choice_label(u))
                                       for u in services.supervisor_choices()]


def _channel_data(form):
    return {"name": form.name.data, "invitation": form.invitation.data, "reply_promise": form.reply_promise.data,
            "unit_id": form.unit_id.data or None, "supervisor_user_id": form.supervisor_user_id.data,
            "is_default": bool(form.is_default.data)}


# ---------------------------------------------------------------- the channel's phone page

@bp.route("/c/<code>")
def channel_page(code):
    """The page a poster's QR code opens: raise an item any day, no account; "我的事项" below."""
    try:
        channel = services.channel_by_code(code)
    except DomainError:
        return render_template("intake/channel_error.html", reason="bad_code"), 404
    if not channel.is_active:
        return render_template("intake/channel_error.html", reason="inactive", channel=channel), 410
    return render_template("intake/channel.html", channel=channel, kinds=_kinds(), categories=ITEM_CATEGORIES,
                           max_chars=current_app.config["ITEM_MAX_CHARS"],
                           summary_month=local_today().strftime("%Y-%m"))


# ---------------------------------------------------------------- channels (organizers)

@bp.route("/channels/", methods=["GET", "POST"])
@roles_required("organizer")
def list_channels():
    form = ChannelForm(supervisor_user_id=current_user.id)
    _channel_choices(form)
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = attempt(services.create_channel, current_user, _channel_data(form),
                              success=lambda channel: _("已创建一码通渠道“%(n)s”，编码 %(c)s。", n=channel.name,
                                                        c=channel.code))
            if outcome.ok:
                return redirect(url_for("intake.edit_channel", channel_id=outcome.value.id))
        else:
            flash(first_error(form, _("表单内容不正确，请检查后重试。")), "error")
    return render_template("intake/list_channels.html", channels=queries.all_channels(), form=form,
                           toggle_form=EmptyForm(), new_count=queries.new_count())


@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
@roles_required("organizer")
def edit_channel(channel_id):
    channel = db.get_or_404(Channel, channel_id)
    form = ChannelForm(obj=channel)
    _channel_choices(form)
    if request.method == "GET":
        form.unit_id.data = channel.unit_id or 0
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = attempt(services.update_channel, current_user, channel, _channel_data(form),
                              success=_("已保存。"))
            if outcome.ok:
                return redirect(url_for("intake.edit_channel", channel_id=channel.id))
        else:
            flash(first_error(form, _("表单内容不正确，请检查后重试。")), "error")
    url = channel_url(channel)
    return render_template("intake/edit_channel.html", channel=channel, form=form, toggle_form=EmptyForm(),
                           url=url, url_is_local=is_loopback_url(url))


@bp.route("/channels/<int:channel_id>/active", methods=["POST"])
@roles_required("organizer")
def set_active(channel_id):
    """Stop (or restart) a channel: its page then says so and takes nothing new."""
    channel = db.get_or_404(Channel, channel_id)
    active = request.form.get("active") == "1"
    if EmptyForm().validate_on_submit():
        attempt(services.set_channel_active, current_user, channel, active,
                success=_("已启用。") if active else _("已停用：扫码后会提示已停用，已收到的事项照常办理。"))
    else:
        flash(_("页面已过期，请刷新后重试。"), "error")
    return redirect(url_for("intake.edit_channel", channel_id=channel.id))


@bp.route("/channels/<int:channel_id>/qr.svg")
@roles_required("organizer")
def channel_qr(channel_id):
    channel = db.get_or_404(Channel, channel_id)
    return Response(documents.qr_svg_file(channel_url(channel)), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@bp.route("/channels/<int:channel_id>/poster.pdf")
@roles_required("organizer")
def poster_pdf(channel_id):
    """The A4 poster for the notice board, the canteen, the dormitory: print and hang."""
    from ..pdf import render_pdf
    channel = db.get_or_404(Channel, channel_id)
    data = render_pdf("pdf/channel_poster.html", doc=documents.poster_document(channel, channel_url(channel)))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=yimatong-{channel.code}.pdf"})


# ---------------------------------------------------------------- triage (分办)

@bp.route("/intake/")
@roles_required(*TRIAGERS)
def inbox():
    args = request.args
    status = args.get("status") if args.get("status") in queries.INBOX_STATUSES else "new"
    channel_id = arg_int(args, "channel_id")
    urgent_only = args.get("urgent") == "1"
    query = queries.inbox(status, channel_id, urgent_only, user=current_user)
    pagination = query.paginate(page=arg_page(args), per_page=PAGE_SIZE, error_out=False)
    departments = Department.query.filter_by(is_active=True).order_by(Department.position).all()
    today = local_today()
    # One deadline per kind, category and urgency, not per item: each reads the holiday calendar.
    deadlines, due = {}, {}
    for item in pagination.items:
        key = (item.kind, item.category, item.is_urgent)
        if key not in deadlines:
            deadlines[key] = default_due_date(*key, today)
        due[item.id] = deadlines[key]
    recent = queries.merge_targets() if current_user.has_role("organizer", "lead") else []
    targets = {item.id: [t for t in recent if t.id != item.id][:40] for item in pagination.items
               if item.status == "open"}
    return render_template("intake/inbox.html", pagination=pagination, status=status, channel_id=channel_id,
                           urgent_only=urgent_only, channels=queries.all_channels(), departments=departments,
                           due=due, targets=targets, today=today, form=TriageForm(),
                           can_triage=lambda item: live_services.can_triage(current_user, item),
                           can_dispatch=current_user.has_role("viewer", "organizer"),
                           can_hasten=lambda item: current_user.has_role("organizer", "viewer")
                           or live_services.can_triage(current_user, item),
                           supervisor=channel_supervisor,
                           item_number=payloads.item_number, new_count=queries.new_count())


def _apply_triage(item_id, form):
    user = current_user._get_current_object()
    item = live_services.get_item(item_id, for_update=True)
    action = form.action.data
    if action == "answer":
        live_services.answer_item(user, item, form.answer.data)
        return _("已答复，职工可以在“我的事项”中看到。")
    if action == "transfer":
        slip = live_services.transfer_item(user, item, form.department_id.data or None, form.due_date.data)
        return _("已转承办：%(n)s，%(d)s 前答复。", n=slip.number, d=slip.due_date.isoformat())
    if action == "merge":
        live_services.merge_item(user, item, form.target_id.data)
        return _("已合并。")
    if action == "hide":
        live_services.hide_item(user, item, form.reason.data)
        return _("已隐藏，原因已记录。")
    if action == "urgent":
        services.mark_urgent(user, item)
        return _("已确定特事特办：下一个工作日内答复，已通知督办员和承办科室。")
    if action == "dispatch":
        slip = services.dispatch_item(user, item, form.department_id.data or None, form.instruction.data,
                                      form.due_date.data)
        return _("已批办：%(n)s → %(d)s。", n=slip.number, d=slip.department.name)
    raise DomainError(_("未知操作。"))


@bp.route("/intake/<int:item_id>", methods=["POST"])
@roles_required(*TRIAGERS)
def triage(item_id):
    """One action on a channel item (answer, transfer, merge, hide, urgent, dispatch); the service checks who."""
    form = TriageForm()
    form.department_id.choices = [(0, "—")] + [(d.id, d.name) for d in Department.query.filter_by(is_active=True)]
    back = request.form.get("next") or ""
    target = back if back.startswith("/intake/") else url_for("intake.inbox")
    if not form.validate_on_submit():
        flash(first_error(form, _("表单内容不正确，请检查后重试。")), "error")
        return redirect(target)
    attempt(_apply_triage, item_id, form, success=lambda message: message)
    return redirect(target + ("#item-%d" % item_id if "#" not in target else ""))


# ---------------------------------------------------------------- the monthly public summary

@bp.route("/intake/summary/<month>", methods=["GET", "POST"])
@roles_required("organizer")
def choose_replies(month):
    """The organizer chooses which of the month's replies the public summary shows."""
    year, mon = _parse_month(month)
    if request.method == "POST":
        form = PickForm()
        slip_id = arg_int(request.form, "slip_id")
        if form.validate_on_submit() and slip_id:
            attempt(services.pick_for_summary, current_user, month, services.get_slip_for_pick(slip_id),
                    request.form.get("picked") == "1", success=_("已保存。"))
        else:
            flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("intake.choose_replies", month=month))
    start, end, _first, _last = stats.period_of_month(year, mon)
    replies = queries.month_replies(start, end).limit(300).all()
    return render_template("intake/choose_replies.html", month=month, replies=replies,
                           picked=queries.picked_slip_ids(month), form=PickForm(),
                           months=documents.month_navigation(year, mon), item_number=payloads.item_number,
                           source=lambda item: documents.source_label(item.qr_channel.name if item.qr_channel else None))


@bp.route("/public/summary/")
def current_summary():
    return redirect(url_for("intake.public_summary", month=local_today().strftime("%Y-%m")))


@bp.route("/public/summary/<month>")
def public_summary(month):
    """月度公示: what came in through every channel, what was replied and closed; no login."""
    year, mon = _parse_month(month)
    return render_template("intake/public_summary.html", doc=documents.summary_document(year, mon))


@bp.route("/public/summary/<month>.pdf")
def public_summary_pdf(month):
    from ..pdf import render_pdf
    year, mon = _parse_month(month)
    data = render_pdf("pdf/public_summary.html", doc=documents.summary_document(year, mon))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=public-summary-{month}.pdf"})
