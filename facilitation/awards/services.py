"""The quarterly golden-idea review (金点子、好建议), organised by the union.

The organizer opens a review for a quarter with a budget and appoints reviewers (any staff);
each reviewer scores every suggestion of the quarter on feasibility, benefit and innovation
(1–5, re-scoring replaces); the organizer sets awards of 100–500 yuan per idea whose sum stays
within the budget; finalizing locks the review, and from then on the submitter sees the award
on their personal link.
"""
from flask_babel import gettext as _
from sqlalchemy import update

from ..validation import fetch, is_id
from ..accounts.models import User
from ..audit.services import record_event
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..timeutil import utcnow
from . import queries
from .models import AWARD_MAX, AWARD_MIN, CRITERIA, IdeaAward, IdeaReview, IdeaReviewer, IdeaScore

BUDGET_MAX = 1_000_000
COMMENT_MAX = 500
NOTE_MAX = 200
SCORE_MIN, SCORE_MAX = 1, 5


# ---------------------------------------------------------------- who may do what

def can_manage(user):
    """The organizer (and the admin) opens reviews, appoints reviewers, sets awards, finalizes."""
    return user.has_role("organizer")


def is_reviewer(user, review):
    return any(r.user_id == user.id for r in review.reviewers)


def can_view(user, review):
    return user.has_role("organizer", "viewer") or is_reviewer(user, review)


def require_view(user, review):
    if not can_view(user, review):
        raise PermissionDenied(_("您不是本次评审的评审人，不能查看。"))


def require_reviewer(user, review):
    """Only the appointed reviewers score, whatever their role (an organizer who is not appointed
    does not score either)."""
    if not is_reviewer(user, review):
        raise PermissionDenied(_("只有本次评审指定的评审人才能打分。"))


def _require_manager(user):
    if not can_manage(user):
        raise PermissionDenied(_("只有组织者可以管理金点子评审。"))


def _require_open(review):
    if review.status != "open":
        raise Conflict(_("本季度评审已定稿，不能再修改。"), code="review_finalized")


def _lock(review):
    """Serialise writers of one review before reading what they check (the budget, the status).

    An UPDATE takes the row lock on PostgreSQL and the database write lock on SQLite, so two
    organizers awarding at the same moment cannot both fit the same remainder of the budget.
    """
    db.session.execute(update(IdeaReview).where(IdeaReview.id == review.id)
                       .values(status=IdeaReview.status).execution_options(synchronize_session=False))
    db.session.refresh(review)
    _require_open(review)


# ---------------------------------------------------------------- reviews

def parse_quarter(text):
    text = (text or "").strip().upper()
    try:
        queries.quarter_bounds(text)
    except ValueError:
        raise ValidationError(_("季度格式应为 YYYY-Qn，例如 2026-Q3。"), code="bad_quarter") from None
    return text


def _check_budget(budget):
    if not isinstance(budget, int) or isinstance(budget, bool) or not AWARD_MIN <= budget <= BUDGET_MAX:
        raise ValidationError(_("奖励预算应为 %(min)d–%(max)d 元之间的整数。", min=AWARD_MIN, max=BUDGET_MAX),
                              code="bad_budget")
    return budget


def get_review(review_id):
    return fetch(IdeaReview, review_id, _("找不到该季度评审。"))


def create_review(actor, quarter, budget):
    """Open the review of a quarter ('YYYY-Qn', one per quarter) with its award budget in yuan."""
    _require_manager(actor)
    quarter = parse_quarter(quarter)
    _check_budget(budget)
    if IdeaReview.query.filter_by(quarter=quarter).first() is not None:
        raise Conflict(_("%(q)s 的评审已经存在。", q=queries.quarter_label(quarter)), code="review_exists")
    review = IdeaReview(quarter=quarter, budget=budget, status="open", created_by_user_id=actor.id)
    db.session.add(review)
    db.session.flush()
    record_event("idea_review", review.id, "create", actor=actor, to_state="open",
                 text=f"{quarter} {budget}")
    return review


def set_budget(actor, review, budget):
    """Change the budget; never below what is already awarded."""
    _require_manager(actor)
    _check_budget(budget)
    _lock(review)
    used = queries.awarded_total(review)
    if budget < used:
        raise ValidationError(_("预算不能低于已设奖励合计 %(used)d 元。", used=used), code="budget_below_awarded")
    review.budget = budget
    record_event("idea_review", review.id, "budget", actor=actor, text=str(budget))
    return review


def appoint_reviewer(actor, review, user_id):
    """Appoint a staff user (any role) as a reviewer of this review."""
    _require_manager(actor)
    _require_open(review)
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None or not user.is_active:
        raise ValidationError(_("请选择一个有效的员工账号作为评审人。"), code="bad_reviewer")
    if is_reviewer(user, review):
        raise ValidationError(_("%(name)s 已经是评审人。", name=user.display_name), code="already_reviewer")
    review.reviewers.append(IdeaReviewer(user_id=user.id, user=user))
    db.session.flush()
    record_event("idea_review", review.id, "appoint", actor=actor, text=user.display_name)
    return user


def remove_reviewer(actor, review, user_id):
    """Withdraw a reviewer; their scores of this review go with them, so the averages only count
    the reviewers the result list names."""
    _require_manager(actor)
    _require_open(review)
    link = next((r for r in review.reviewers if r.user_id == user_id), None)
    if link is None:
        raise NotFound(_("该用户不是本次评审的评审人。"))
    IdeaScore.query.filter_by(review_id=review.id, reviewer_user_id=user_id).delete(synchronize_session=False)
    review.reviewers.remove(link)
    db.session.flush()
    record_event("idea_review", review.id, "remove_reviewer", actor=actor, text=link.user.display_name)


def _quarter_item(review, item_id):
    from ..live.models import Item
    item = db.session.get(Item, item_id) if is_id(item_id) else None
    if item is None or not queries.is_quarter_suggestion(review, item):
        raise NotFound(_("该建议不在本季度的评审范围内。"))
    return item


# ---------------------------------------------------------------- scores

def score_idea(actor, review, item_id, feasibility, benefit, innovation, comment=None):
    """A reviewer scores one suggestion (1–5 per criterion); scoring it again replaces the score."""
    require_reviewer(actor, review)
    _require_open(review)
    values = dict(zip(CRITERIA, (feasibility, benefit, innovation)))
    for value in values.values():
        if not isinstance(value, int) or isinstance(value, bool) or not SCORE_MIN <= value <= SCORE_MAX:
            raise ValidationError(_("每项评分应为 1–5 分。"), code="bad_score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("评语不能超过 %(n)d 字。", n=COMMENT_MAX), code="too_long")
    item = _quarter_item(review, item_id)
    score = IdeaScore.query.filter_by(review_id=review.id, item_id=item.id, reviewer_user_id=actor.id).first()
    if score is None:
        score = IdeaScore(review_id=review.id, item_id=item.id, reviewer_user_id=actor.id)
        db.session.add(score)
    for criterion, value in values.items():
        setattr(score, criterion, value)
    score.comment = comment or None
    score.scored_at = utcnow()
    db.session.flush()
    return score


# ---------------------------------------------------------------- awards

def set_award(actor, review, item_id, amount, note=None):
    """Award 100–500 yuan (an integer) to one suggestion, or change its award; the awards of the
    review together never exceed its budget. Hidden-identity ideas cannot be paid out."""
    _require_manager(actor)
    if not isinstance(amount, int) or isinstance(amount, bool) or not AWARD_MIN <= amount <= AWARD_MAX:
        raise ValidationError(_("奖励金额应为 %(min)d–%(max)d 元之间的整数。", min=AWARD_MIN, max=AWARD_MAX),
                              code="bad_amount")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("备注不能超过 %(n)d 字。", n=NOTE_MAX), code="too_long")
    _lock(review)
    item = _quarter_item(review, item_id)
    if item.anonymity == "hidden_identity":
        raise ValidationError(_("完全匿名提交的建议无法确认提出人，不能发放奖金。"), code="hidden_identity")
    used = queries.awarded_total(review, excluding_item_id=item.id)
    if used + amount > review.budget:
        raise ValidationError(
            _("超出预算：本季度预算 %(budget)d 元，其他建议已设奖励 %(used)d 元，最多还能设 %(left)d 元。",
              budget=review.budget, used=used, left=max(review.budget - used, 0)), code="budget_exceeded")
    award = IdeaAward.query.filter_by(review_id=review.id, item_id=item.id).first()
    if award is None:
        award = IdeaAward(review_id=review.id, item_id=item.id)
        db.session.add(award)
    award.amount, award.note = amount, note or None
    award.awarded_by_user_id, award.awarded_at = actor.id, utcnow()
    db.session.flush()
    record_event("idea_review", review.id, "award", actor=actor, text=f"item {item.id}: {amount}")
    return award


def remove_award(actor, review, item_id):
    _require_manager(actor)
    _lock(review)
    award = IdeaAward.query.filter_by(review_id=review.id, item_id=item_id).first()
    if award is None:
        raise NotFound(_("该建议没有设定奖励。"))
    db.session.delete(award)
    db.session.flush()
    record_event("idea_review", review.id, "remove_award", actor=actor, text=f"item {item_id}")


def finalize_review(actor, review):
    """Lock the review: no more scores, awards or reviewer changes; submitters see their award."""
    _require_manager(actor)
    _lock(review)
    review.status = "finalized"
    review.finalized_at = utcnow()
    record_event("idea_review", review.id, "finalize", actor=actor, from_state="open", to_state="finalized",
                 text=f"{queries.awarded_total(review)} / {review.budget}")
    return review


# ---------------------------------------------------------------- the submitter's view

def award_for_item(item):
    """The finalized award of an item as plain data ({"amount", "quarter", "quarter_label", "note"}),
    or None. Awards of a review that is still open may change, so they are not shown yet."""
    if item is None or item.id is None or item.kind != "suggestion":
        return None
    award = (IdeaAward.query.join(IdeaReview, IdeaReview.id == IdeaAward.review_id)
             .filter(IdeaAward.item_id == item.id, IdeaReview.status == "finalized")
             .with_entities(IdeaAward.amount, IdeaAward.note, IdeaReview.quarter).first())
    if award is None:
        return None
    amount, note, quarter = award
    return {"amount": amount, "note": note or "", "quarter": quarter, "quarter_label": queries.quarter_label(quarter)}
