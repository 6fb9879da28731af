"""Meeting list, detail, create and edit pages."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.context import roles_required, staff_required
from ..accounts.models import User
from ..audit.services import events_for
from ..errors import DomainError
from ..extensions import db
from ..forms import EmptyForm
from ..people.models import Department
from ..people.services import ordered_tiers
from ..timeutil import local_zone, month_bounds, to_local
from . import services
from .forms import CancelForm, MeetingForm
from .models import MEETING_STATUSES, Meeting
from ..validation import arg_int, arg_page

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
            "is_moderated": form.is_moderated.data,
            "lead_user": db.session.get(User, form.lead_user_id.data) if form.lead_user_id.data else None}


@bp.route("/meetings/new", methods=["GET", "POST"])
@roles_required("organizer")
def create_meeting():
    form = MeetingForm()
    _form_choices(form)
    if request.method == "GET":
        form.tier_id.data = arg_int(request.args, "tier_id", 0)
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(current_user, _form_data(form))
            meeting.notes = form.notes.data or None
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("scheduling/edit_meeting.html", form=form, meeting=None), error.status
        flash(_("已安排慧谈。"), "success")
        return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
    return render_template("scheduling/edit_meeting.html", form=form, meeting=None)


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
        try:
            data = _form_data(form)
            services.update_meeting(current_user, meeting, data)
            meeting.notes = form.notes.data or None
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("scheduling/edit_meeting.html", form=form, meeting=meeting), error.status
        flash(_("已保存。"), "success")
        return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
    return render_template("scheduling/edit_meeting.html", form=form, meeting=meeting)


@bp.route("/meetings/<int:meeting_id>")
@staff_required
def show_meeting(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    from ..live.models import Item
    items = Item.query.filter_by(meeting_id=meeting.id).order_by(Item.seq).all()
    return render_template("scheduling/show_meeting.html", meeting=meeting, items=items,
                           can_chair=services.can_chair(current_user, meeting),
                           can_edit=current_user.has_role("organizer"), action_form=EmptyForm(),
                           cancel_form=CancelForm(), events=events_for("meeting", meeting.id))


@bp.route("/meetings/<int:meeting_id>/<any(start, close):action>", methods=["POST"])
@roles_required("organizer", "lead")
def change_meeting_status(meeting_id, action):
    meeting = db.get_or_404(Meeting, meeting_id)
    if not EmptyForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
    try:
        if action == "start":
            services.start_meeting(current_user, meeting)
        else:
            services.close_meeting(current_user, meeting)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))
    flash(_("慧谈已开始，可以打开大屏。") if action == "start" else _("慧谈已结束。"), "success")
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
    try:
        services.cancel_meeting(current_user, meeting, form.reason.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("scheduling.show_meeting", meeting_id=meeting.id))

