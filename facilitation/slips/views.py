"""Slip pages: dashboards, the slip page with its actions and audit trail, the paper form (PDF),
the ledger (Excel), the league table, the inbox, the submitter's follow page and the public board."""
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload

from ..accounts.auth import roles_required, staff_required
from ..audit.services import events_for
from ..edges import attempt, commit
from ..errors import DomainError
from ..extensions import db
from ..forms import EmptyForm, first_error
from ..people.models import Department
from ..people.services import ordered_tiers
from ..scheduling.models import Meeting
from ..scheduling.services import record_department_absence
from ..spreadsheets import xlsx_response
from ..stats import queries as stats
from ..stats.queries import overdue_clause
from ..timeutil import local_today, local_zone, to_local
from ..validation import arg_int, arg_page
from . import documents, labels as slip_labels, notices, points as ledger, queries, services
from .forms import AbsenceForm, ActionForm, DeductionForm, FeedbackForm, FollowupForm, ReversalForm
from .models import SLIP_STATUSES, Notification, PointEntry, Slip

bp = Blueprint("slips", __name__)
PAGE_SIZE = 30
PUBLIC_PAGE_SIZE = 40
ESCALATED_SHOWN = 6
ROLE_SCOPES = {"handler": "assigned", "lead": "supervising"}


@bp.route("/slips/")
@staff_required
def list_slips():
    """The dashboard: by default every slip not closed yet, earliest deadline first."""
    args = request.args
    status = args.get("status") if args.get("status") in SLIP_STATUSES + ("all",) else "active"
    department_id = arg_int(args, "department_id")
    tier_id = arg_int(args, "tier_id")
    overdue = True if args.get("overdue") == "1" else None
    q = (args.get("q") or "").strip()[:64]
    base = queries.visible_slips(current_user)
    query = queries.filter_slips(base, status=None if status == "all" else status, department_id=department_id,
                                 tier_id=tier_id, overdue=overdue, q=q)
    order = queries.DEADLINE_ORDER if args.get("sort") != "newest" else (Slip.issued_at.desc(), Slip.id.desc())
    pagination = queries.for_listing(query).order_by(*order).paginate(
        page=arg_page(args), per_page=PAGE_SIZE, error_out=False)
    counts = queries.counts_by_status(base)
    overdue_count = base.filter(overdue_clause()).count()
    return render_template("slips/list_slips.html", pagination=pagination, counts=counts,
                           overdue_count=overdue_count, status=status, department_id=department_id,
                           tier_id=tier_id, overdue=overdue, q=q, sort=args.get("sort", "deadline"),
                           departments=Department.query.order_by(Department.position).all(),
                           tiers=ordered_tiers(), today=local_today(), scope=ROLE_SCOPES.get(current_user.role),
                           labels=documents.status_and_rating_labels(), **_escalations())


def _escalations():
    """For the leadership (organizers, viewers): the longest-overdue escalated slips and how many."""
    if not current_user.has_role("organizer", "viewer"):
        return {"escalated": [], "escalated_count": 0}
    return {"escalated": queries.escalated_slips(limit=ESCALATED_SHOWN),
            "escalated_count": queries.escalated_query().count(),
            "escalate_after": current_app.config.get("SLIP_ESCALATE_AFTER_DAYS", 3)}


def _slip_or_404(slip_id):
    slip = db.get_or_404(Slip, slip_id)
    if not services.can_view(current_user, slip):
        abort(404)
    return slip


@bp.route("/slips/<int:slip_id>", methods=["GET", "POST"])
@staff_required
def show_slip(slip_id):
    slip = _slip_or_404(slip_id)
    form = ActionForm(publication=slip.item.publication, public_summary=slip.item.public_summary,
                      caller=current_user.display_name)
    form.department_id.choices = [(0, "—")] + [(d.id, d.name) for d in
                                               Department.query.filter_by(is_active=True).order_by(Department.position)]
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(first_error(form, _("表单内容不正确，请检查后重试。")), "error")
        else:
            outcome = attempt(_apply_action, slip, form, success=lambda message: message)
            if outcome.ok:
                return redirect(url_for("slips.show_slip", slip_id=slip.id))
            field = FIELD_OF_ERROR.get(outcome.error.code)
            if field:  # say it beside the field too, not only at the top of the page
                getattr(form, field).errors = [outcome.error.message]
            slip = _slip_or_404(slip_id)
    return render_template("slips/show_slip.html", slip=slip, form=form, events=events_for("slip", slip.id),
                           can_call=services.can_record_callback(current_user, slip),
                           sees_identity=current_user.has_role("organizer")
                           or services.is_supervisor_of(current_user, slip),
                           # the department calls a worker who signed with a name back (反馈电话)
                           sees_contact=current_user.has_role("organizer") or services.is_supervisor_of(current_user, slip)
                           or (slip.item.anonymity == "named" and services.is_handler_of(current_user, slip)),
                           source=documents.source_of(slip.item), callback_label=services.callback_label,
                           issued_by_name=_issuer_name(slip),
                           is_handler=services.is_handler_of(current_user, slip) or current_user.role == "admin",
                           is_supervisor=services.is_supervisor_of(current_user, slip),
                           is_overdue=services.is_overdue(slip), days_overdue=services.days_overdue(slip),
                           points=PointEntry.query.filter_by(slip_id=slip.id).all(), today=local_today(),
                           point_labels=ledger.POINT_LABELS,
                           labels=documents.status_and_rating_labels())


def _issuer_name(slip):
    from ..accounts.models import User
    user = db.session.get(User, slip.issued_by_user_id) if slip.issued_by_user_id else None
    return user.display_name if user is not None else ""


# A refused action whose message belongs beside one field of the form.
FIELD_OF_ERROR = {"reply_required": "reply", "basis_required": "basis", "note_required": "note",
                  "bad_publication": "publication", "summary_required": "summary", "bad_reaction": "reaction",
                  "bad_called_at": "called_at", "caller_required": "caller"}


def _apply_action(slip, form):
    action = form.action.data
    user = current_user._get_current_object()
    if action == "accept":
        services.accept_slip(user, slip)
        return _("已签收。")
    if action == "reply":
        if slip.status == "issued" and services.is_handler_of(user, slip):
            services.accept_slip(user, slip)
        services.reply_slip(user, slip, form.reply.data, form.basis.data)
        return _("已答复，等待督办员确认。")
    if action == "close":
        services.close_slip(user, slip, form.note.data)
        return _("已办结。")
    if action == "reopen":
        services.reopen_slip(user, slip, form.reason.data, form.due_date.data)
        return _("已退回重办。")
    if action == "extend":
        extension = services.extend_slip(user, slip, form.due_date.data, form.reason.data)
        return _("已延期。") if extension.status == "approved" else _("延期申请已提交，等待督办员审批。")
    if action in ("approve_extension", "refuse_extension"):
        services.decide_extension(user, slip, action == "approve_extension", form.note.data)
        return _("已处理延期申请。")
    if action == "reassign":
        services.reassign_slip(user, slip, form.department_id.data or None, form.due_date.data)
        return _("已改派。")
    if action == "publication":
        services.set_publication(user, slip, form.publication.data, form.public_summary.data)
        return _("已保存公示方式。")
    if action == "callback":
        called_at = form.called_at.data.replace(tzinfo=local_zone()) if form.called_at.data else None
        services.record_callback(user, slip, called_at=called_at, caller=form.caller.data, summary=form.summary.data,
                                 reaction=form.reaction.data, reaction_note=form.reaction_note.data)
        return _("已登记反馈电话。")
    if action == "perfunctory":
        services.flag_perfunctory(user, slip, form.reason.data)
        return _("已认定为搪塞应付、推诿扯皮，科室扣 1 分。")
    raise DomainError(_("未知操作。"))


@bp.route("/slips/<int:slip_id>.pdf")
@staff_required
def slip_pdf(slip_id):
    from ..pdf import render_pdf
    slip = _slip_or_404(slip_id)
    data = render_pdf("pdf/slip.html", doc=documents.slip_document(slip))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={slip.number}.pdf"})


@bp.route("/slips/ledger.xlsx")
@roles_required("organizer", "viewer", "lead", "handler")
def ledger_xlsx():
    try:
        start = date.fromisoformat(request.args["start"]) if request.args.get("start") else None
        end = date.fromisoformat(request.args["end"]) if request.args.get("end") else None
    except ValueError:
        flash(_("日期格式应为 YYYY-MM-DD。"), "error")
        return redirect(url_for("slips.list_slips"))
    if any(day is not None and not 2000 <= day.year <= 2100 for day in (start, end)):
        flash(_("日期应在 2000 年到 2100 年之间。"), "error")
        return redirect(url_for("slips.list_slips"))
    query = queries.visible_slips(current_user)
    if start:
        query = query.filter(Slip.issued_at >= _local_midnight(start))
    if end:
        query = query.filter(Slip.issued_at < _local_midnight(end, next_day=True))
    name = f"slip-ledger-{start or 'all'}-{end or local_today()}.xlsx"
    return xlsx_response(documents.ledger_workbook(queries.for_documents(query).order_by(Slip.number)), name)


def _local_midnight(day, next_day=False):
    from datetime import datetime, timedelta
    from ..timeutil import local_zone
    moment = datetime.combine(day + timedelta(days=1 if next_day else 0), datetime.min.time(), tzinfo=local_zone())
    return moment


@bp.route("/slips/league")
@staff_required
def league():
    try:
        year, month, start, end = queries.month_range(request.args.get("month"))
    except ValueError:
        flash(_("月份格式应为 YYYY-MM。"), "error")
        return redirect(url_for("slips.league"))
    rows = stats.month_department_figures(year, month)
    return render_template("slips/league.html", rows=rows, month=f"{year:04d}-{month:02d}",
                           ranking_rule=stats.RANKING_RULE, labels=ledger.POINT_LABELS)


@bp.route("/slips/points", methods=["GET", "POST"])
@roles_required("organizer", "viewer", "lead", "handler")
def points():
    form = AbsenceForm()
    meetings = (Meeting.query.filter(Meeting.status.in_(("live", "closed"))).order_by(Meeting.starts_at.desc())
                .limit(50).all())
    form.meeting_id.choices = [(m.id, f"{to_local(m.starts_at):%m-%d} {m.title}") for m in meetings]
    form.department_id.choices = [(d.id, d.name) for d in Department.query.order_by(Department.position)]
    if request.method == "POST":
        if not current_user.has_role("organizer"):
            abort(403)
        if form.validate_on_submit() and attempt(
                record_department_absence, current_user, db.get_or_404(Meeting, form.meeting_id.data),
                form.department_id.data, form.note.data, success=_("已登记：该科室扣 1 分。")).ok:
            return redirect(url_for("slips.points"))
    query = PointEntry.query.options(joinedload(PointEntry.department), selectinload(PointEntry.meeting),
                                     selectinload(PointEntry.reversed_by),
                                     selectinload(PointEntry.slip).options(load_only(Slip.number),
                                                                           lazyload(Slip.item)))
    if current_user.role == "handler":
        query = query.filter(PointEntry.department_id == current_user.department_id)
    entries = query.order_by(PointEntry.occurred_on.desc(), PointEntry.id.desc()).limit(300).all()
    deduction_form = DeductionForm()
    deduction_form.department_id.choices = form.department_id.choices
    return render_template("slips/points.html", entries=entries, form=form, labels=ledger.POINT_LABELS,
                           can_record=current_user.has_role("organizer"), deduction_form=deduction_form,
                           reversal_form=ReversalForm())


@bp.route("/slips/points/deduct", methods=["POST"])
@roles_required("organizer")
def deduct():
    """−1 for not following the 慧谈 arrangements (e.g. a report not sent in time), reason required."""
    form = DeductionForm()
    form.department_id.choices = [(d.id, d.name) for d in Department.query.order_by(Department.position)]
    if form.validate_on_submit():
        attempt(ledger.record_noncompliance, current_user, form.department_id.data, form.note.data,
                form.occurred_on.data, success=_("已登记：该科室扣 1 分。"))
    else:
        flash(first_error(form, _("表单内容不正确，请检查后重试。")), "error")
    return redirect(url_for("slips.points"))


@bp.route("/slips/points/<int:entry_id>/reverse", methods=["POST"])
@roles_required("organizer")
def reverse_deduction(entry_id):
    """Withdraw a deduction once, with a reason (it stays in the ledger, marked reversed)."""
    form = ReversalForm()
    if form.validate_on_submit():
        attempt(ledger.reverse_deduction, current_user, ledger.get_point_entry(entry_id), form.reason.data,
                success=_("已撤销该扣分。"))
    else:
        flash(_("请填写撤销扣分的理由。"), "error")
    return redirect(url_for("slips.points"))


@bp.route("/inbox", methods=["GET", "POST"])
@staff_required
def inbox():
    if request.method == "POST":
        if EmptyForm().validate_on_submit():
            commit(notices.mark_read, current_user)
        return redirect(url_for("slips.inbox"))
    notes = (Notification.query.filter_by(user_id=current_user.id).order_by(Notification.created_at.desc())
             .limit(200).all())
    return render_template("slips/inbox.html", notes=notes, form=EmptyForm())


def _rate_as_submitter(slip, token, rating, comment):
    services.require_submitter(slip, follow_token=token)
    return services.rate_slip(slip, rating, comment)


@bp.route("/f/<token>", methods=["GET", "POST"])
def follow(token):
    """The submitter's personal link: follow the item, rate the reply, answer the follow-up."""
    try:
        item = services.item_for_follow_token(token)
    except DomainError as error:
        return render_template("home/error.html", status=404, message=error.message), 404
    slip = item.slip
    form = FeedbackForm(prefix="fb")
    followup_form = FollowupForm(prefix="fu")
    if request.method == "POST" and slip is not None:
        if "fu-answer" in request.form and followup_form.validate_on_submit():
            outcome = attempt(services.answer_followup, slip, followup_form.answer.data == "solved",
                              success=_("感谢您的回访确认。"))
        elif form.validate_on_submit():
            outcome = attempt(_rate_as_submitter, slip, token, form.rating.data, form.comment.data,
                              success=_("感谢您的评价。"))
        else:
            flash(_("请选择评价。"), "error")
            outcome = None
        if outcome is not None and outcome.ok:
            return redirect(url_for("slips.follow", token=token))
    from ..live.payloads import kind_label, status_label as item_status
    return render_template("slips/follow.html", item=item, slip=slip, form=form, followup_form=followup_form,
                           followup_due=services.followup_due(slip), kind_label=kind_label,
                           item_status=item_status, slip_status=slip_labels.status_label,
                           rating_label=slip_labels.rating_label, token=token)


@bp.route("/public/slips")
def public_board():
    """公示栏: replied and closed slips of a month (or one slip by its number).

    A named submitter's name stands beside their own item, as the phone promised; anonymous and
    fully anonymous items show none; withheld items never appear, summarised ones show the summary.
    """
    try:
        year, month, start, end = queries.month_range(request.args.get("month"))
    except ValueError:
        year, month, start, end = queries.month_range(None)
    number = (request.args.get("number") or "").strip()[:32] or None
    pagination = queries.public_slips(start, end, number).paginate(page=arg_page(request.args),
                                                                   per_page=PUBLIC_PAGE_SIZE, error_out=False)
    rows = documents.public_rows(pagination.items)
    return render_template("slips/public_board.html", rows=rows, pagination=pagination, number=number,
                           month=f"{year:04d}-{month:02d}", months=documents.month_navigation(year, month))
