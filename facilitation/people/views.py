"""Roster, tiers and leads, departments and units pages."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..accounts.auth import roles_required
from ..accounts.models import User
from ..audit.services import events_for
from ..edges import attempt, commit
from ..errors import DomainError
from ..extensions import db
from ..texts import user_choice_label
from ..timeutil import local_today
from ..forms import EmptyForm
from ..validation import arg_int, arg_page
from . import queries, roster, services
from .forms import (DepartmentForm, PersonForm, RosterConfirmForm, RosterUploadForm,
                    TierForm, TierLeadForm, UnitForm)
from .models import Department, Person, Tier, Unit

bp = Blueprint("people", __name__)

ROSTER_EDITORS = ("organizer",)
ROSTER_READERS = ("organizer", "lead")
PAGE_SIZE = 50


def _person_choices(form):
    form.unit_id.choices = [(0, "—")] + [(u.id, u.name) for u in Unit.query.order_by(Unit.kind, Unit.name)]
    form.tier_id.choices = [(0, "—")] + [(t.id, t.name) for t in services.ordered_tiers()]


@bp.route("/people/")
@roles_required(*ROSTER_READERS)
def list_people():
    """The roster, searchable and filterable; focus persons are marked (organizers and leads only)."""
    q = request.args.get("q", "").strip()[:64]
    tier_id = arg_int(request.args, "tier_id")
    unit_id = arg_int(request.args, "unit_id")
    focus_only = request.args.get("focus") == "1"
    page = arg_page(request.args)
    pagination = queries.search_people(q, tier_id, unit_id, focus_only).paginate(
        page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template("people/list_people.html", pagination=pagination, q=q, tier_id=tier_id,
                           unit_id=unit_id, focus_only=focus_only, tiers=services.ordered_tiers(),
                           units=Unit.query.order_by(Unit.kind, Unit.name).all(),
                           can_edit=current_user.has_role(*ROSTER_EDITORS))


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(*ROSTER_EDITORS)
def create_person():
    return _edit_person(None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*ROSTER_EDITORS)
def edit_person(person_id):
    return _edit_person(db.get_or_404(Person, person_id))


def _edit_person(person):
    """Shared GET/POST handling of the add and edit person pages."""
    form = PersonForm(obj=person)
    _person_choices(form)
    if request.method == "GET" and person is not None:
        form.unit_id.data = person.unit_id or 0
        form.tier_id.data = person.tier_id or 0
        form.gender.data = person.gender or ""
        form.standing.data = person.standing or ""
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        outcome = attempt(services.save_person, person, data, actor=current_user, success=_("已保存。"))
        if not outcome.ok:
            return render_template("people/edit_person.html", form=form, person=person), outcome.status
        return redirect(url_for("people.list_people"))
    status = 400 if request.method == "POST" else 200
    return render_template("people/edit_person.html", form=form, person=person), status


@bp.route("/people/import", methods=["GET", "POST"])
@roles_required(*ROSTER_EDITORS)
def import_people():
    """Upload a roster and show what it would do; nothing is written until confirmed."""
    form = RosterUploadForm()
    tiers, units = services.ordered_tiers(), Unit.query.order_by(Unit.kind, Unit.name).all()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("people/import_people.html", form=form, preview=None, tiers=tiers,
                               units=units), status
    upload = form.file.data
    try:
        preview = roster.preview_roster(upload.filename, upload.read())
    except DomainError as error:
        flash(error.message, "error")
        return render_template("people/import_people.html", form=form, preview=None, tiers=tiers,
                               units=units), error.status
    if preview.accepted:
        preview.token = roster.stash_upload(preview.table)
    return render_template("people/import_people.html", form=form, preview=preview, tiers=tiers, units=units,
                           filename=upload.filename, confirm_form=RosterConfirmForm(token=preview.token))


@bp.route("/people/import/confirm", methods=["POST"])
@roles_required(*ROSTER_EDITORS)
def confirm_import():
    """Write the previewed batch in one transaction; a batch can be confirmed once."""
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        flash(_("导入批次无效，请重新上传文件。"), "error")
        return redirect(url_for("people.import_people"))
    try:
        outcome = attempt(lambda: roster.apply_roster(roster.take_stashed_upload(form.token.data),
                                                      actor=current_user))
    except IntegrityError:  # someone saved the same 工号 between our check and our insert
        flash(_("名单在导入过程中被他人修改，本次没有写入任何数据，请重新上传文件。"), "error")
        return redirect(url_for("people.import_people"))
    if not outcome.ok:
        return redirect(url_for("people.import_people"))
    preview = outcome.value
    flash(_("导入完成：新增 %(c)d 人，更新 %(u)d 人，无变化 %(s)d 人，未导入 %(r)d 行。",
            c=preview.count("create"), u=preview.count("update"), s=preview.count("unchanged"),
            r=preview.count("reject")), "success")
    return redirect(url_for("people.list_people"))


@bp.route("/people/export.xlsx")
@roles_required(*ROSTER_READERS)
def export_people():
    """The whole roster as .xlsx, in the layout the import reads back."""
    data = roster.export_roster_xlsx(include_focus=True)
    filename = f"roster-{local_today().isoformat()}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/tiers/")
@roles_required("organizer", "lead", "viewer", "handler")
def list_tiers():
    return render_template("people/list_tiers.html", tiers=services.ordered_tiers(),
                           counts=queries.count_people_by_tier(), move_form=EmptyForm(),
                           can_edit=current_user.has_role("organizer"))


@bp.route("/tiers/<int:tier_id>/edit", methods=["GET", "POST"])
@roles_required("organizer")
def edit_tier(tier_id):
    """Rename or describe a tier (TierForm), or hand it to a new lead (TierLeadForm)."""
    tier = db.get_or_404(Tier, tier_id)
    form = TierForm(obj=tier)
    lead_form = TierLeadForm(prefix="lead")
    lead_form.user_id.choices = [(u.id, user_choice_label(u)) for u in
                                 User.query.filter(User.role.in_(services.LEAD_ROLES),
                                                   User.is_enabled.is_(True)).order_by(User.display_name)]
    lead_form.person_id.choices = [(0, "—")] + [(p.id, f"{p.name} {p.employee_no}") for p in
                                                Person.query.filter(Person.is_active.is_(True))
                                                .order_by(Person.name).limit(2000)]
    if request.method == "GET" and tier.current_lead is not None:
        lead_form.user_id.data = tier.current_lead.user_id
        lead_form.person_id.data = tier.current_lead.person_id or 0
    status = 200
    if "lead-user_id" in request.form:
        status = 400
        if lead_form.validate_on_submit():
            outcome = attempt(services.assign_tier_lead, tier, db.session.get(User, lead_form.user_id.data or 0),
                              person=db.session.get(Person, lead_form.person_id.data or 0), actor=current_user,
                              success=_("已更换牵头人。"))
            if outcome.ok:
                return redirect(url_for("people.list_tiers"))
            status = outcome.status
    elif request.method == "POST":
        status = 400
        if form.validate_on_submit():
            outcome = attempt(services.update_tier, tier, name=form.name.data, lead_hint=form.lead_hint.data,
                              is_active=form.is_active.data, actor=current_user, success=_("已保存。"))
            if outcome.ok:
                return redirect(url_for("people.list_tiers"))
            status = outcome.status
    history = sorted(tier.leads, key=lambda lead: (lead.started_on, lead.id), reverse=True)
    return render_template("people/edit_tier.html", tier=tier, form=form, lead_form=lead_form, history=history,
                           events=events_for("tier", tier.id)), status


@bp.route("/tiers/<int:tier_id>/move", methods=["POST"])
@roles_required("organizer")
def move_tier(tier_id):
    """Move a tier one place up or down in the display order."""
    tier = db.get_or_404(Tier, tier_id)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction"))
    if direction is None or not EmptyForm().validate_on_submit():
        abort(400)  # only a forged or stale form gets here; the page sends up or down
    commit(services.move_tier, tier, direction, actor=current_user)
    return redirect(url_for("people.list_tiers"))


def _forbidden():
    return render_template("home/error.html", status=403, message=_("您没有执行此操作的权限。")), 403


def _add_from_form(form, create, success_message, endpoint):
    """The POST half of a list page with an "add" form: organizers only, one commit.

    Returns (response, status): a redirect after success, else None and the status to
    render the list page with (the error is flashed).
    """
    if not current_user.has_role("organizer"):
        return _forbidden(), None
    if form.validate_on_submit():
        outcome = attempt(create, success=success_message)
        return (redirect(url_for(endpoint)), None) if outcome.ok else (None, outcome.status)
    return None, 400


@bp.route("/departments/", methods=["GET", "POST"])
@roles_required("organizer", "lead", "viewer", "handler")
def list_departments():
    """Departments with their handler accounts; organizers add new ones here."""
    form = DepartmentForm()
    status = 200
    if request.method == "POST":
        response, status = _add_from_form(form, lambda: services.create_department(form.name.data, form.phone.data),
                                          _("已添加科室。"), "people.list_departments")
        if response is not None:
            return response
    departments = Department.query.order_by(Department.position, Department.name).all()
    handlers = {}
    for user in User.query.filter_by(role="handler").order_by(User.display_name):
        handlers.setdefault(user.department_id, []).append(user)
    return render_template("people/list_departments.html", departments=departments, form=form,
                           handlers=handlers, can_edit=current_user.has_role("organizer")), status


@bp.route("/units/", methods=["GET", "POST"])
@roles_required("organizer", "lead")
def list_units():
    """Units (区队/科室) with their head counts; organizers add new ones here."""
    form = UnitForm()
    status = 200
    if request.method == "POST":
        response, status = _add_from_form(form, lambda: services.create_unit(form.name.data, form.kind.data),
                                          _("已添加单位。"), "people.list_units")
        if response is not None:
            return response
    counts = dict(db.session.query(Person.unit_id, db.func.count(Person.id)).group_by(Person.unit_id).all())
    return render_template("people/list_units.html", units=Unit.query.order_by(Unit.kind, Unit.name).all(),
                           counts=counts, form=form, can_edit=current_user.has_role("organizer")), status
