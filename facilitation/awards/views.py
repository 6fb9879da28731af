"""Pages of the quarterly golden-idea review (金点子、好建议): the list of reviews, one review
with its suggestions, scores and awards, and the award sheet as PDF and Excel.

Organizers (and admins) manage, appointed reviewers score, viewers read; organizers and
reviewers record what became of each idea. A refused action shows the review page again with the
message and the service's status (403, 409, 400 …). The submitter claims a finalized award from
their personal link (/f/<token>) with the claim route below, which needs no login.
"""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import roles_required, staff_required
from ..accounts.models import User
from ..edges import attempt, commit
from ..errors import PermissionDenied
from ..extensions import db
from ..forms import EmptyForm
from ..spreadsheets import xlsx_response
from ..texts import user_choice_label
from ..timeutil import local_today
from . import documents, queries, services
from .forms import AwardForm, BudgetForm, EffectForm, PaidForm, ReviewerForm, ReviewForm, ScoreForm
from .models import AWARD_MAX, AWARD_MIN, IdeaReview

bp = Blueprint("awards", __name__, url_prefix="/awards")


@bp.app_template_global("award_for_item")
def award_for_item(item):
    """For templates/awards/_award_notice.html on the submitter's personal page."""
    return services.award_for_item(item)


def _user():
    return current_user._get_current_object()


@bp.route("/", methods=["GET", "POST"])
@staff_required
def list_reviews():
    form = ReviewForm()
    if request.method == "POST":
        if not services.can_manage(current_user):
            raise PermissionDenied(_("只有组织者可以管理金点子评审。"))
        if form.validate_on_submit():
            outcome = attempt(services.create_review, _user(), form.quarter.data, form.budget.data,
                              success=lambda r: _("已创建 %(q)s 金点子评审。", q=queries.quarter_label(r.quarter)))
            if outcome.ok:
                return redirect(url_for("awards.show_review", review_id=outcome.value.id))
        else:
            flash(_("奖励预算应为整数（元）。") if form.budget.errors else _first_error(form), "error")
    elif not form.quarter.data:
        form.quarter.data = queries.quarter_of(local_today())
    reviews = queries.visible_reviews(current_user).all()
    totals = {r.id: queries.awarded_total(r) for r in reviews}
    return render_template("awards/list_reviews.html", reviews=reviews, totals=totals, form=form,
                           can_manage=services.can_manage(current_user), quarter_label=queries.quarter_label)


def _first_error(form):
    for errors in form.errors.values():
        if errors:
            return errors[0]
    return _("表单内容不正确，请检查后重试。")


def _review_for(review_id):
    review = services.get_review(review_id)
    services.require_view(current_user, review)
    return review


def _show(review, status=200):
    """The review page; also shown again, with the flashed message, when an action is refused."""
    user = _user()
    can_manage = services.can_manage(user)
    sheet_rows = queries.review_rows(review, with_claim_codes=can_manage)
    used = sum(r["amount"] or 0 for r in sheet_rows)
    staff = (User.query.filter(User.is_enabled.is_(True)).order_by(User.display_name).all()
             if can_manage and review.status == "open" else [])
    reviewer_form = ReviewerForm()
    appointed = {r.user_id for r in review.reviewers}
    reviewer_form.user_id.choices = [(u.id, user_choice_label(u)) for u in staff if u.id not in appointed]
    return render_template(
        "awards/show_review.html", review=review, rows=sheet_rows, used=used, remaining=review.budget - used,
        quarter_label=queries.quarter_label(review.quarter), is_open=review.status == "open",
        can_manage=can_manage, is_reviewer=services.is_reviewer(user, review),
        mine=queries.my_scores(review, user), can_record_effect=services.can_record_effect(user, review),
        paid_count=sum(1 for r in sheet_rows if r["paid"]), awarded_count=sum(1 for r in sheet_rows if r["amount"]),
        details=queries.scores_by_reviewer(review) if user.has_role("organizer", "viewer") else {},
        reviewers=sorted(review.reviewers, key=lambda r: r.user.display_name),
        reviewer_names={r.user_id: r.user.display_name for r in review.reviewers},
        reviewer_form=reviewer_form, budget_form=BudgetForm(budget=review.budget), empty_form=EmptyForm(),
        score_choices=[n for n in range(5, 0, -1)], award_min=AWARD_MIN, award_max=AWARD_MAX), status


@bp.route("/<int:review_id>")
@staff_required
def show_review(review_id):
    return _show(_review_for(review_id))


def _act(review, action, success_message, anchor=None):
    """Run one service call as one unit of work and go back to the review page; on a refusal show
    the page with the message and the error's status."""
    outcome = attempt(action, success=success_message)
    if not outcome.ok:
        return _show(db.session.get(IdeaReview, review.id), status=outcome.status)
    return redirect(url_for("awards.show_review", review_id=review.id) + (f"#{anchor}" if anchor else ""))


def _refuse(review, message, status=400):
    flash(message, "error")
    return _show(review, status=status)


@bp.route("/<int:review_id>/budget", methods=["POST"])
@roles_required("organizer")
def set_budget(review_id):
    review = _review_for(review_id)
    form = BudgetForm()
    if not form.validate_on_submit():
        return _refuse(review, _("奖励预算应为整数（元）。"))
    return _act(review, lambda: services.set_budget(_user(), review, form.budget.data), _("预算已更新。"))


@bp.route("/<int:review_id>/reviewers", methods=["POST"])
@roles_required("organizer")
def add_reviewer(review_id):
    review = _review_for(review_id)
    form = ReviewerForm()
    if not form.validate_on_submit():
        return _refuse(review, _("请选择评审人。"))
    return _act(review, lambda: services.appoint_reviewer(_user(), review, form.user_id.data), _("已添加评审人。"))


@bp.route("/<int:review_id>/reviewers/<int:user_id>/remove", methods=["POST"])
@roles_required("organizer")
def remove_reviewer(review_id, user_id):
    review = _review_for(review_id)
    if not EmptyForm().validate_on_submit():
        return _refuse(review, _("页面已过期，请刷新后重试。"))
    return _act(review, lambda: services.remove_reviewer(_user(), review, user_id), _("已移除评审人及其评分。"))


@bp.route("/<int:review_id>/items/<int:item_id>/score", methods=["POST"])
@staff_required
def score_item(review_id, item_id):
    review = services.get_review(review_id)
    # Before the form: a non-reviewer gets the 403 (an error page) whatever they sent.
    services.require_reviewer(current_user, review)
    form = ScoreForm()
    if not form.validate_on_submit():
        return _refuse(review, _("每项评分应为 1–5 分，评语不超过 500 字。"))
    return _act(review, lambda: services.score_idea(_user(), review, item_id, form.feasibility.data,
                                                    form.benefit.data, form.innovation.data, form.comment.data),
                _("评分已保存。"), anchor=f"idea-{item_id}")


@bp.route("/<int:review_id>/items/<int:item_id>/award", methods=["POST"])
@roles_required("organizer")
def award_item(review_id, item_id):
    review = _review_for(review_id)
    form = AwardForm()
    if not form.validate_on_submit():
        return _refuse(review, _("奖励金额应为 %(min)d–%(max)d 元之间的整数。", min=AWARD_MIN, max=AWARD_MAX))
    return _act(review, lambda: services.set_award(_user(), review, item_id, form.amount.data, form.note.data),
                _("奖励已设定。"), anchor=f"idea-{item_id}")


@bp.route("/<int:review_id>/items/<int:item_id>/award/remove", methods=["POST"])
@roles_required("organizer")
def remove_award(review_id, item_id):
    review = _review_for(review_id)
    if not EmptyForm().validate_on_submit():
        return _refuse(review, _("页面已过期，请刷新后重试。"))
    return _act(review, lambda: services.remove_award(_user(), review, item_id), _("已取消该奖励。"),
                anchor=f"idea-{item_id}")


@bp.route("/<int:review_id>/items/<int:item_id>/effect", methods=["POST"])
@staff_required
def record_effect(review_id, item_id):
    review = services.get_review(review_id)
    # Before the form: anyone but an organizer or an appointed reviewer gets the 403.
    services.require_effect_recorder(current_user, review)
    form = EffectForm()
    if not form.validate_on_submit():
        return _refuse(review, _("页面已过期，请刷新后重试。"))
    return _act(review, lambda: services.record_effect(_user(), review, item_id, form.implementation.data,
                                                       form.effect.data, form.benefit_yuan.data),
                _("落实情况和应用效果已保存。"), anchor=f"idea-{item_id}")


@bp.route("/<int:review_id>/items/<int:item_id>/paid", methods=["POST"])
@roles_required("organizer")
def mark_paid(review_id, item_id):
    review = _review_for(review_id)
    form = PaidForm()
    if not form.validate_on_submit():
        return _refuse(review, _("领奖码应为 8 位字母和数字。"))
    return _act(review, lambda: services.mark_paid(_user(), review, item_id, form.claim_code.data),
                _("已登记发放。"), anchor=f"idea-{item_id}")


@bp.route("/claim/<token>", methods=["POST"])
def claim(token):
    """The submitter presses 申领奖金 on their personal link: no login, the follow token is the key."""
    if not EmptyForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "error")
        return redirect(url_for("slips.follow", token=token))
    # A wrong token or an idea without a finalized award is a 404 page (the error handler's).
    commit(services.claim_award, token)
    flash(_("已登记申领。请凭领奖码到工会领取奖金，领取时出示本页。"), "success")
    return redirect(url_for("slips.follow", token=token) + "#award")


@bp.route("/<int:review_id>/finalize", methods=["POST"])
@roles_required("organizer")
def finalize(review_id):
    review = _review_for(review_id)
    if not EmptyForm().validate_on_submit():
        return _refuse(review, _("页面已过期，请刷新后重试。"))
    return _act(review, lambda: services.finalize_review(_user(), review),
                _("评审已定稿：评分和奖励已锁定，获奖职工可在个人链接中看到奖励。"))


# ---------------------------------------------------------------- documents

def _sheet_filename(review, ext):
    return f"golden-ideas-{review.quarter}.{ext}"


@bp.route("/<int:review_id>/sheet.pdf")
@staff_required
def sheet_pdf(review_id):
    from ..pdf import render_pdf
    review = _review_for(review_id)
    doc = queries.award_sheet(review, with_claim_codes=services.can_manage(current_user))
    data = render_pdf("pdf/award_sheet.html", doc=doc)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={_sheet_filename(review, 'pdf')}"})


@bp.route("/<int:review_id>/sheet.xlsx")
@staff_required
def sheet_xlsx(review_id):
    review = _review_for(review_id)
    doc = queries.award_sheet(review, with_claim_codes=services.can_manage(current_user))
    return xlsx_response(documents.award_workbook(doc), _sheet_filename(review, "xlsx"))
