"""Meeting list, detail, create and edit pages; the month plan, the participant list and its
approval, invitations (notice PDF, .ics), attendance and coverage pages."""
from calendar import monthrange
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import roles_required, staff_required
from ..accounts.models import User
from ..audit.services import events_for
from ..edges import attempt
from ..errors import DomainError
from ..extensions import db
from ..forms import EmptyForm
from ..people.models import Department, Person, Unit
from ..people.services import get_tier, ordered_tiers
from ..timeutil import local_today, local_zone, month_bounds, to_local
from . import documents, plans as month_plans, queries, services
from .forms import AttendanceForm, CancelForm, DepartmentAttendanceForm, HolidayForm, MeetingForm
from .models import MEETING_STATUSES, Holiday, Meeting
from ..validation import arg_int, arg_page, is_digits, is_id

bp = Blueprint("scheduling", __name__)
PAGE_SIZE = 30


@bp.route("/meetings/")
@staff_required
def list_meetings():
    status = request.args.get("status", "")
    tier_id = arg_int(request.args, "tier_id")
    month = request.args.get("month", "")
    query = Meeting.query
    if status in MEETING_STATUSES:
        query = query.filter(Meeting.status == status)
    if tier_id:
        query = query.filter(Meeting.tier_id == tier_id)
    if month:
        try:
            year, mon = (int(x) for x in month.split("-"))
            start, end = month_bounds(year, mon)
            query = query.filter(Meeting.starts_at >= start, Meeting.starts_at < end)
        except ValueError:
            flash(_("月份格式应为 YYYY-MM。"), "error")
            month = ""
    page = arg_page(request.args)
    pagination = query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).paginate(
        page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("scheduling/list_meetings.html", pagination=pagination, status=status,
                           tier_id=tier_id, month=month, tiers=ordered_tiers(),
                           statuses=MEETING_STATUSES, can_create=current_user.has_role("organizer"))


def _form_choices(form, meeting=None):
    """Choices for the selects; a meeting keeps its own lead and departments even if since retired."""
    form.tier_id.choices = [(0, _("（跨层级）"))] + [(t.id, t.name) for t in ordered_tiers()]
    leads = (User.query.filter(User.role.in_(services.CHAIR_ROLES), User.is_enabled.is_(True))
             .order_by(User.display_name).all())
    if meeting is not None and meeting.lead is not None and meeting.lead not in leads:
        leads.append(meeting.lead)
    form.lead_user_id.choices = [(0, _("（默认：层级牵头人）"))] + [(u.id, u.display_name) for u in leads]
    invited = [link.department_id for link in meeting.invited_departments] if meeting is not None else []
    form.department_ids.choices = [(d.id, d.name) for d in Department.query.filter(
        db.or_(Department.is_active.is_(True), Department.id.in_(invited))).order_by(Department.position)]


def _form_data(form):
    def aware(value):
        return value.replace(tzinfo=local_zone()) if value else None
    return {"title": form.title.data, "kind": form.kind.data, "tier_id": form.tier_id.data or None,
            "starts_at": aware(form.starts_at.data), "ends_at": aware(form.ends_at.data),
            "location": form.location.data, "video_url": form.video_url.data,
            "department_ids": form.department_ids.data or [],
            "max_participants": form.max_participants.data,
            "allow_guests": form.allow_guests.data, "allow_nameless": form.allow_nameless.data,
            "is_moderated": form.is_moderated.data, "notes": form.notes.data or None,
            "lead_user": db.session.get(User, form.lead_user_id.data) if form.lead_user_id.data else None}


@bp.route("/meetings/new", methods=["GET", "POST"])
@roles_required("organizer")
def create_meeting():
    form = MeetingForm()
    _form_choices(form)
    if request.method == "GET":
        form.tier_id.data = arg_int(request.args, "tier_id", 0)
    if form.validate_on_submit():
        outcome = attempt(services.create_meeting, current_user, _form_data(form), success=_("已安排慧谈。"))
        if outcome.ok:
            return redirect(url_for("scheduling.show_meeting", meeting_id=outcome.value.id))
        return render_template("scheduling/edit_meeting.html", form=form, meeting=None), outcome.status
    # a form sent back with errors is a 400, as the JSON API would answer
    return render_template("scheduling/edit_meeting.html", form=form, meeting=None), \
        400 if request.method == "POST" else 200


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required("organizer")
def edit_meeting(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = MeetingForm(obj=meeting)
    _form_choices(form, meeting)
    if request.method == "GET":
        form.tier_id.data = meeting.tier_id or 0
        form.lead_user_id.data = meeting.lead_user_id or 0
        form.starts_at.data = to_local(meeting.starts_at).replace(tzinfo=None)
        form.ends_at.data = to_local(meeting.ends_at).replace(tzinfo=None) if meeting.ends_at else None
        form.department_ids.data = [link.department_id for link in meeting.invited_departments]
    if form.validate_on_submit():
        outcome = attempt(services.update_meeting, current_user, meeting, _form_data(form), success=_("已保存。"))
        if outcome.ok:
            return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
        return render_template("scheduling/edit_meeting.html", form=form, meeting=meeting), outcome.status
    return render_template("scheduling/edit_meeting.html", form=form, meeting=meeting), \
        400 if request.method == "POST" else 200


@bp.route("/meetings/<int:meeting_id>")
@staff_required
def show_meeting(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    from ..live.models import Item
    items = Item.query.filter_by(meeting_id=meeting.id).order_by(Item.seq).all()
    return render_template("scheduling/show_meeting.html", meeting=meeting, items=items,
                           can_chair=services.can_chair(current_user, meeting),
                           can_edit=current_user.has_role("organizer"), action_form=EmptyForm(),
                           cancel_form=CancelForm(), events=events_for("meeting", meeting.id),
                           sees_focus=services.can_see_focus(current_user, meeting),
                           can_list=current_user.has_role("organizer") or services.can_chair(current_user, meeting),
                           attendance_form=AttendanceForm(), department_form=DepartmentAttendanceForm())


@bp.route("/meetings/<int:meeting_id>/<any(start, close):action>", methods=["POST"])
@roles_required("organizer", "lead")
def change_meeting_status(meeting_id, action):
    meeting = db.get_or_404(Meeting, meeting_id)
    if not EmptyForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
    change = services.start_meeting if action == "start" else services.close_meeting
    outcome = attempt(change, current_user, meeting,
                      success=_("慧谈已开始，可以打开大屏。") if action == "start" else _("慧谈已结束。"))
    if not outcome.ok:
        return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
    if action == "start":
        return redirect(url_for("live.board", meeting_id=meeting.id))
    return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@roles_required("organizer")
def cancel_meeting(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("请说明取消原因。"), "error")
        return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
    attempt(services.cancel_meeting, current_user, meeting, form.reason.data)
    return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))



# ---------------------------------------------------------------- the month plan

def _month_or_404(month):
    try:
        return month_plans.month_value(month)
    except DomainError:
        abort(404)


def _shift(year, month, delta):
    index = year * 12 + month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@bp.route("/plans/")
@roles_required("organizer", "lead", "viewer")
def plans():
    today = local_today()
    return redirect(url_for("scheduling.show_plan", month=f"{today:%Y-%m}"))


@bp.route("/plans/<month>")
@roles_required("organizer", "lead", "viewer")
def show_plan(month):
    """The month as a calendar and a list: draft or published, each meeting's list status."""
    year, number = _month_or_404(month)
    meetings = queries.month_meetings(year, number)
    by_day = {}
    for meeting in meetings:
        by_day.setdefault(to_local(meeting.starts_at).date(), []).append(meeting)
    first, last = date(year, number, 1), date(year, number, monthrange(year, number)[1])
    holidays = queries.holidays_between(first, last)
    regular_tiers = {m.tier_id for m in meetings if m.kind == "regular" and m.status != "cancelled"}
    missing = [t for t in ordered_tiers(active_only=True) if t.id not in regular_tiers]
    return render_template(
        "scheduling/plan.html", month=f"{year:04d}-{number:02d}", year=year, number=number, meetings=meetings,
        by_day=by_day, weeks=queries.calendar_weeks(year, number), holidays=holidays,
        working=set(queries.working_days(year, number)), plan=queries.month_plan(year, number),
        missing=missing, prev_month=_shift(year, number, -1), next_month=_shift(year, number, 1),
        today=local_today(), can_plan=current_user.has_role("organizer"), form=EmptyForm(),
        holiday_form=HolidayForm(), holiday_rows=Holiday.query.filter(Holiday.day >= first, Holiday.day <= last)
        .order_by(Holiday.day).all())


@bp.route("/plans/<month>", methods=["POST"])
@roles_required("organizer")
def generate_plan(month):
    year, number = _month_or_404(month)
    if EmptyForm().validate_on_submit():
        outcome = attempt(month_plans.generate_month_plan, current_user, year, number)
        if outcome.ok:
            created, notes, _plan = outcome.value
            flash(_("已生成 %(n)d 场例行慧谈（草稿），请核对后发布。", n=len(created)) if created
                  else _("每个有牵头人的层级本月都已有例行慧谈，没有新增。"), "success")
            for note in notes:
                flash(note, "error")
    return redirect(url_for("scheduling.show_plan", month=month))


@bp.route("/plans/<month>/publish", methods=["POST"])
@roles_required("organizer")
def publish_plan(month):
    year, number = _month_or_404(month)
    if EmptyForm().validate_on_submit():
        attempt(month_plans.publish_month_plan, current_user, year, number,
                success=_("计划已发布，已通知各层级牵头人审核参会名单。"))
    return redirect(url_for("scheduling.show_plan", month=month))


@bp.route("/plans/holidays", methods=["POST"])
@roles_required("organizer")
def add_holiday():
    form = HolidayForm()
    back = request.form.get("month") or f"{local_today():%Y-%m}"
    if form.validate_on_submit():
        attempt(month_plans.add_holiday, current_user, form.day.data, form.name.data, form.is_workday.data,
                success=_("已保存节假日。"))
        back = f"{form.day.data:%Y-%m}"
    else:
        flash(_("请选择日期。"), "error")
    try:
        month_plans.month_value(back)
    except DomainError:
        back = f"{local_today():%Y-%m}"
    return redirect(url_for("scheduling.show_plan", month=back))


@bp.route("/plans/holidays/<int:holiday_id>/remove", methods=["POST"])
@roles_required("organizer")
def remove_holiday(holiday_id):
    holiday = db.get_or_404(Holiday, holiday_id)
    back = f"{holiday.day:%Y-%m}"
    if EmptyForm().validate_on_submit():
        attempt(month_plans.remove_holiday, current_user, holiday_id, success=_("已删除。"))
    return redirect(url_for("scheduling.show_plan", month=back))


# ---------------------------------------------------------------- the participant list and its approval

def _list_meeting(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    if not (current_user.has_role("organizer") or services.can_chair(current_user, meeting)):
        abort(403)
    return meeting


def _person_ids(values):
    ids = []
    for value in values:
        text = (value or "").strip()
        if is_digits(text) and is_id(int(text)):
            ids.append(int(text))
    return ids


@bp.route("/meetings/<int:meeting_id>/participants", methods=["GET", "POST"])
@roles_required("organizer", "lead")
def edit_participants(meeting_id):
    """The lead's approval page: the proposal with reasons, swaps with the next candidates, approve."""
    from .api import proposal_filters
    meeting = _list_meeting(meeting_id)
    filters = {}
    if meeting.kind != "regular":
        try:
            filters = proposal_filters(request.args)
        except DomainError as error:
            flash(error.message, "error")
    picks, alternates = queries.proposal_for(meeting, filters, alternates=30 if filters else queries.ALTERNATES)
    reasons = {p.person_id: p.reason for p in picks + alternates}
    if request.method == "POST":
        if EmptyForm().validate_on_submit():
            approve = request.form.get("action") == "approve"
            outcome = attempt(services.save_participants, current_user, meeting,
                              _person_ids(request.form.getlist("person_id")), reasons, approve,
                              success=_("名单已批准，可以发出参会通知。") if approve
                              else _("名单已保存，等待牵头人审核批准。"))
            if outcome.ok:
                return redirect(url_for("scheduling.edit_participants", meeting_id=meeting.id, **request.args))
        else:
            flash(_("页面已过期，请刷新后重试。"), "error")
    current = meeting.invited
    if current:
        chosen = [{"person_id": p.person_id, "name": p.name, "reason": p.reason or "", "person": p.person,
                   "joined": p.joined_at is not None} for p in current]
    else:  # nothing saved yet: the proposal is the starting point
        chosen = [{"person_id": p.person_id, "name": p.candidate.name, "reason": p.reason, "joined": False,
                   "person": None} for p in picks]
    chosen_ids = {row["person_id"] for row in chosen}
    offered = [{"person_id": p.person_id, "name": p.candidate.name, "reason": p.reason}
               for p in picks + alternates if p.person_id not in chosen_ids]
    wanted = [row["person_id"] for row in chosen + offered]
    people = {p.id: p for p in Person.query.filter(Person.id.in_(wanted))} if wanted else {}
    return render_template(
        "scheduling/participants.html", meeting=meeting, chosen=chosen, offered=offered, people=people,
        is_saved=bool(current), can_approve=services.can_approve(current_user, meeting),
        editable=meeting.status in ("planned", "live"), form=EmptyForm(), filters=filters,
        tiers=ordered_tiers(), units=Unit.query.order_by(Unit.kind, Unit.name).all())


@bp.route("/meetings/<int:meeting_id>/notice.pdf")
@roles_required("organizer", "lead")
def meeting_notice(meeting_id):
    """The printable notice, once the lead approved the list."""
    from ..pdf import render_pdf
    meeting = _list_meeting(meeting_id)
    doc = documents.notice_document(meeting)
    data = render_pdf("pdf/meeting_notice.html", doc=doc)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=notice-{meeting.id}.pdf"})


@bp.route("/meetings/<int:meeting_id>/invite.ics")
@roles_required("organizer", "lead")
def meeting_ics(meeting_id):
    meeting = _list_meeting(meeting_id)
    return Response(documents.meeting_ics(meeting, host=request.host.split(":")[0] or "huitan"),
                    mimetype="text/calendar",
                    headers={"Content-Disposition": f"attachment; filename=huitan-{meeting.id}.ics"})


# ---------------------------------------------------------------- attendance

@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@roles_required("organizer")
def mark_attendance(meeting_id):
    """Mark someone without a phone present (or undo the mark)."""
    meeting = db.get_or_404(Meeting, meeting_id)
    form = AttendanceForm()
    if form.validate_on_submit() and is_digits(form.participant_id.data):
        attempt(services.mark_attendance, current_user, meeting, int(form.participant_id.data),
                form.present.data == "1", success=_("已登记到会情况。"))
    else:
        flash(_("请求不完整，请刷新后重试。"), "error")
    return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/departments", methods=["POST"])
@roles_required("organizer")
def record_department(meeting_id):
    """Whom an invited department sent, or that it sent no one (−1 once)."""
    meeting = db.get_or_404(Meeting, meeting_id)
    form = DepartmentAttendanceForm()
    if form.validate_on_submit() and is_digits(form.department_id.data):
        sent = form.sent.data == "1"
        attempt(services.record_department_attendance, current_user, meeting, int(form.department_id.data),
                form.attendee_name.data, sent,
                success=_("已登记列席人员。") if sent else _("已登记：该科室未派人参加，扣 1 分。"))
    else:
        flash(_("请求不完整，请刷新后重试。"), "error")
    return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))


# ---------------------------------------------------------------- coverage

@bp.route("/tiers/<int:tier_id>/coverage")
@roles_required("organizer", "lead")
def tier_coverage(tier_id):
    """A tier's coverage this year: the month-by-month chart and who has not been heard yet."""
    try:
        tier = get_tier(tier_id)
    except DomainError:
        abort(404)
    today = local_today()
    year = arg_int(request.args, "year", today.year, 2000, 2100)
    figures = queries.tier_coverage(tier, year)
    months = [share if (year, i + 1) <= (today.year, today.month) else None
              for i, share in enumerate(figures["months"])]
    return render_template("scheduling/coverage.html", tier=tier, year=year, figures=figures, months=months,
                           today=today)
