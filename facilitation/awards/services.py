"""The quarterly golden-idea review (金点子、好建议), organised by the union.

The organizer opens a review for a quarter with a budget and appoints reviewers (any staff);
each reviewer scores every suggestion of the quarter on feasibility, benefit and innovation
(1–5, re-scoring replaces); the organizer sets awards of 100–500 yuan per idea whose sum stays
within the budget; organizers and reviewers record what became of each idea (落实情况, 应用效果,
创造效益); finalizing locks the review, and from then on the submitter sees the award and its
claim code (领奖码) on their personal link, claims it there, and the organizer records the payment.
"""
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import update

from ..validation import clean_text, fetch, is_id, optional_text
from ..accounts.models import User
from ..audit.services import record_event
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..timeutil import utcnow
from . import queries
from .models import (AWARD_MAX, AWARD_MIN, CLAIM_ALPHABET, CLAIM_CODE_LENGTH, CRITERIA, IdeaAward, IdeaEffect,
                     IdeaReview, IdeaReviewer, IdeaScore)

BUDGET_MAX = 1_000_000
COMMENT_MAX = 500
NOTE_MAX = 200
SCORE_MIN, SCORE_MAX = 1, 5
EFFECT_TEXT_MAX = 500
BENEFIT_MAX = 100_000_000  # 1 亿元: far above any one idea's benefit, far below a 32-bit column
BENEFIT_DIGITS = re.compile(r"[0-9]{1,12}")


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


def can_record_effect(user, review):
    """Organizers and the appointed reviewers record what became of an idea."""
    return can_manage(user) or is_reviewer(user, review)


def require_effect_recorder(user, review):
    if not can_record_effect(user, review):
        raise PermissionDenied(_("只有组织者和本次评审的评审人可以填写落实情况和应用效果。"))


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
    comment = clean_text(comment or "").strip()
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
    note = clean_text(note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("备注不能超过 %(n)d 字。", n=NOTE_MAX), code="too_long")
    _lock(review)
    item = _quarter_item(review, item_id)
    if item.anonymity == "hidden_identity":
        raise ValidationError(_("完全匿名提交的建议不能设奖金：系统没有记录提出人，也没有个人链接和领奖码，"
                                "没有人能领取这笔奖金。"), code="hidden_identity")
    used = queries.awarded_total(review, excluding_item_id=item.id)
    if used + amount > review.budget:
        raise ValidationError(
            _("超出预算：本季度预算 %(budget)d 元，其他建议已设奖励 %(used)d 元，最多还能设 %(left)d 元。",
              budget=review.budget, used=used, left=max(review.budget - used, 0)), code="budget_exceeded")
    award = IdeaAward.query.filter_by(review_id=review.id, item_id=item.id).first()
    if award is None:
        # The code stays when the amount changes: it may already be written down somewhere.
        award = IdeaAward(review_id=review.id, item_id=item.id, claim_code=new_claim_code())
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


# ---------------------------------------------------------------- claim codes and payment

def new_claim_code():
    """A fresh 领奖码: 8 characters of CLAIM_ALPHABET (31⁸ ≈ 8.5 × 10¹¹ codes, drawn with `secrets`),
    unused by any award; the unique column guards against the one-in-a-billion race."""
    while True:
        code = "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(CLAIM_CODE_LENGTH))
        if IdeaAward.query.filter_by(claim_code=code).first() is None:
            return code


def normalize_claim_code(text):
    """What a clerk typed ('abcd-efgh', ' ABCD EFGH ') as a stored code, or None when it cannot be one."""
    if not isinstance(text, str):
        return None
    code = "".join(text.split()).replace("-", "").upper()
    if len(code) != CLAIM_CODE_LENGTH or any(c not in CLAIM_ALPHABET for c in code):
        return None
    return code


def _finalized_award(item):
    return (IdeaAward.query.join(IdeaReview, IdeaReview.id == IdeaAward.review_id)
            .filter(IdeaAward.item_id == item.id, IdeaReview.status == "finalized").first())


def claim_award(follow_token):
    """The submitter claims the finalized award of their idea on their personal link (the token is the
    proof: hidden-identity ideas have none and get no award). Records the first claim only; a replay
    (double tap, reload, a second phone) returns the award unchanged."""
    from ..slips.services import item_for_follow_token
    item = item_for_follow_token(follow_token)
    award = _finalized_award(item) if item.kind == "suggestion" else None
    if award is None:
        # An award of a review still open may change: it does not exist for the submitter yet.
        raise NotFound(_("您的建议目前没有可领取的奖励。"), code="no_award")
    now = utcnow()
    # One conditional UPDATE: two taps at the same moment record one claim.
    claimed = db.session.execute(update(IdeaAward).where(IdeaAward.id == award.id, IdeaAward.claimed_at.is_(None))
                                 .values(claimed_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(award)
    if claimed:
        record_event("idea_review", award.review_id, "claim", actor_label="submitter", to_state="claimed",
                     text=f"item {item.id}: {award.amount} {award.claim_code}")
    return award


def mark_paid(actor, review, item_id, claim_code=None):
    """The organizer records that the union paid the award of one idea, once, after the review was
    finalized. For an anonymous idea the sheet shows no name, so the code the winner shows must be
    typed in and match; for a named one the code is checked when given."""
    _require_manager(actor)
    if review.status != "finalized":
        raise Conflict(_("评审定稿后才能发放奖金。"), code="review_open")
    award = IdeaAward.query.filter_by(review_id=review.id, item_id=item_id).first() if is_id(item_id) else None
    if award is None:
        raise NotFound(_("该建议没有设定奖励。"))
    typed = (claim_code or "").strip() if isinstance(claim_code, str) else ""
    if award.item.anonymity != "named" and not typed:
        raise ValidationError(_("匿名建议的奖金须凭领奖码发放：请填写领奖人出示的领奖码。"), code="claim_code_required")
    if typed and normalize_claim_code(typed) != award.claim_code:
        raise ValidationError(_("领奖码不符，请核对领奖人出示的领奖码（8 位，不含 0、O、1、I、L）。"),
                              code="claim_code_mismatch")
    now = utcnow()
    paid = db.session.execute(update(IdeaAward).where(IdeaAward.id == award.id, IdeaAward.paid_at.is_(None))
                              .values(paid_at=now, paid_by_user_id=actor.id)
                              .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(award)
    if not paid:
        raise Conflict(_("该奖金已经登记发放，不能重复发放。"), code="already_paid")
    record_event("idea_review", review.id, "paid", actor=actor, to_state="paid",
                 text=f"item {award.item_id}: {award.amount} {award.claim_code}")
    return award


# ---------------------------------------------------------------- what became of the idea

def record_effect(actor, review, item_id, implementation=None, effect=None, benefit_yuan=None):
    """Record an idea's implementation (落实情况), measured effect (应用效果) and the benefit it
    created (whole yuan, 0 or more; digits from a form are accepted) while the review is open;
    saving all three empty removes the record."""
    require_effect_recorder(actor, review)
    _require_open(review)
    implementation = optional_text(implementation, EFFECT_TEXT_MAX, _("落实情况"))
    effect = optional_text(effect, EFFECT_TEXT_MAX, _("应用效果"))
    benefit_yuan = _benefit_value(benefit_yuan)
    _lock(review)
    item = _quarter_item(review, item_id)
    record = IdeaEffect.query.filter_by(review_id=review.id, item_id=item.id).first()
    if implementation is None and effect is None and benefit_yuan is None:
        if record is not None:
            db.session.delete(record)
            db.session.flush()
            record_event("idea_review", review.id, "clear_effect", actor=actor, text=f"item {item.id}")
        return None
    if record is None:
        record = IdeaEffect(review_id=review.id, item_id=item.id)
        db.session.add(record)
    record.implementation, record.effect, record.benefit_yuan = implementation, effect, benefit_yuan
    record.recorded_by_user_id, record.recorded_at = actor.id, utcnow()
    db.session.flush()
    record_event("idea_review", review.id, "effect", actor=actor,
                 text=f"item {item.id}: {'' if benefit_yuan is None else benefit_yuan}")
    return record


def _benefit_value(value):
    """Whole yuan from a form ('12000', '12,000') or JSON (12000); None when left empty."""
    message = _("创造效益应为 0–%(max)d 之间的整数（元），不填表示尚未测算。", max=BENEFIT_MAX)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if not text:
            return None
        # ASCII digits only: str.isdigit() also takes '²', which int() refuses.
        if not BENEFIT_DIGITS.fullmatch(text):
            raise ValidationError(message, code="bad_benefit")
        value = int(text)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BENEFIT_MAX:
        raise ValidationError(message, code="bad_benefit")
    return value


# ---------------------------------------------------------------- the submitter's view

def award_for_item(item):
    """The finalized award of an item as plain data ({"amount", "quarter", "quarter_label", "note",
    "claim_code", "claimed", "paid"}), or None. Awards of a review that is still open may change,
    so they are not shown yet."""
    if item is None or item.id is None or item.kind != "suggestion":
        return None
    award = _finalized_award(item)
    if award is None:
        return None
    quarter = db.session.get(IdeaReview, award.review_id).quarter
    return {"amount": award.amount, "note": award.note or "", "quarter": quarter,
            "quarter_label": queries.quarter_label(quarter), "claim_code": queries.format_claim_code(award.claim_code),
            "claimed": queries.local_day(award.claimed_at), "paid": queries.local_day(award.paid_at)}
