"""Minutes pages: edit, add action items, publish, revisions, PDF; participants' read-only view."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import roles_required, staff_required
from ..edges import attempt, commit
from ..extensions import db
from ..forms import EmptyForm, first_error
from ..people.models import Department
from ..scheduling.models import Meeting
from ..slips.services import default_due_date
from . import services
from .forms import ActionItemForm, MinutesForm, ReviseForm
from .models import MinutesRevision

bp = Blueprint("minutes", __name__)


def _forms(minutes):
    form = MinutesForm(obj=minutes)
    action_form = ActionItemForm(prefix="action")
    action_form.department_id.choices = [(d.id, d.name) for d in
                                         Department.query.filter_by(is_active=True).order_by(Department.position)]
    if request.method == "GET":
        action_form.due_date.data = default_due_date("demand")
    return form, action_form


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@staff_required
def edit_minutes(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    minutes = commit(services.get_minutes, meeting)
    form, action_form = _forms(minutes)
    if request.method == "POST":
        if not current_user.has_role("organizer"):
            abort(403)
        if "action-text" in request.form:
            if action_form.validate_on_submit():
                outcome = attempt(services.add_action_item, current_user, meeting, action_form.department_id.data,
                                  action_form.due_date.data, action_form.text.data,
                                  success=lambda slip: _("已添加落实事项，生成承办单 %(n)s。", n=slip.number))
                if outcome.ok:
                    return redirect(url_for("minutes.edit_minutes", meeting_id=meeting.id))
            else:
                flash(first_error(action_form, _("表单内容不正确，请检查后重试。")), "error")
        elif form.validate_on_submit():
            if attempt(services.save_minutes, current_user, minutes, form.summary.data, form.conclusions.data,
                       success=_("纪要已保存。")).ok:
                return redirect(url_for("minutes.edit_minutes", meeting_id=meeting.id))
        else:
            flash(first_error(form, _("表单内容不正确，请检查后重试。")), "error")
    document = services.minutes_document(meeting, minutes, draft=minutes.status == "draft")
    return render_template("minutes/edit_minutes.html", meeting=meeting, minutes=minutes, doc=document,
                           form=form, action_form=action_form, publish_form=EmptyForm(prefix="publish"),
                           revise_form=ReviseForm(prefix="revise"),
                           can_edit=current_user.has_role("organizer"))


@bp.route("/meetings/<int:meeting_id>/minutes/publish", methods=["POST"])
@roles_required("organizer")
def publish(meeting_id):
    from ..pdf import render_pdf
    meeting = db.get_or_404(Meeting, meeting_id)
    minutes = services.get_minutes(meeting)
    if not EmptyForm(prefix="publish").validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("minutes.edit_minutes", meeting_id=meeting.id))
    document = services.minutes_document(meeting, minutes, draft=False)
    pdf = render_pdf("pdf/minutes.html", doc=document)
    attempt(services.publish_minutes, current_user, minutes, pdf, document,
            success=lambda revision: _("纪要已发布（第 %(n)d 版）。", n=revision.revision))
    return redirect(url_for("minutes.edit_minutes", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/minutes/revise", methods=["POST"])
@roles_required("organizer")
def revise(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = ReviseForm(prefix="revise")
    if form.validate_on_submit():
        attempt(services.start_revision, current_user, services.get_minutes(meeting), form.reason.data,
                success=_("已新建修订版草稿；发布后成为新的版本，旧版本保留。"))
    else:
        flash(_("请说明修订原因。"), "error")
    return redirect(url_for("minutes.edit_minutes", meeting_id=meeting.id))


def _pdf_response(data, filename):
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={filename}"})


@bp.route("/meetings/<int:meeting_id>/minutes.pdf")
@staff_required
def minutes_pdf(meeting_id):
    """The latest published revision; before the first publication, the current draft marked 草稿."""
    from ..pdf import render_pdf
    meeting = db.get_or_404(Meeting, meeting_id)
    minutes = services.find_minutes(meeting)
    latest = minutes.latest_revision if minutes is not None else None
    if latest is not None:
        return _pdf_response(latest.pdf, f"minutes-{meeting.id}-r{latest.revision}.pdf")
    if minutes is None:
        minutes = commit(services.get_minutes, meeting)
    pdf = render_pdf("pdf/minutes.html", doc=services.minutes_document(meeting, minutes, draft=True))
    return _pdf_response(pdf, f"minutes-{meeting.id}-draft.pdf")


@bp.route("/meetings/<int:meeting_id>/minutes/r<int:revision>.pdf")
@staff_required
def revision_pdf(meeting_id, revision):
    minutes = services.find_minutes(db.get_or_404(Meeting, meeting_id))
    if minutes is None:
        abort(404)
    row = MinutesRevision.query.filter_by(minutes_id=minutes.id, revision=revision).first_or_404()
    return _pdf_response(row.pdf, f"minutes-{meeting_id}-r{revision}.pdf")


@bp.route("/j/<join_code>/minutes")
def participant_minutes(join_code):
    """Participants read the published minutes from their phone link (no login)."""
    meeting = Meeting.query.filter_by(join_code=(join_code or "").upper()[:16]).first()
    if meeting is None:
        return render_template("home/error.html", status=404, message=_("参会码无效。")), 404
    minutes = services.find_minutes(meeting)
    latest = minutes.latest_revision if minutes is not None else None
    if latest is None:
        return render_template("minutes/participant_minutes.html", meeting=meeting, doc=None)
    document = services.minutes_document(meeting, minutes, draft=False, for_participants=True)
    document["summary"], document["conclusions"] = latest.summary or "", latest.conclusions or ""
    return render_template("minutes/participant_minutes.html", meeting=meeting, doc=document, revision=latest,
                           public=True)
