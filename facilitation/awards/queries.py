"""Read-only queries of the golden-idea review: the quarter's suggestions, score averages, and the
plain data (no ORM objects) that the review page, the award sheet PDF and the Excel file show."""
import re
from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import case, func
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..live.models import Item
from ..people.models import Unit
from ..timeutil import local_today, local_zone, to_local
from .models import CRITERIA, IdeaAward, IdeaEffect, IdeaReview, IdeaReviewer, IdeaScore

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
# Off-topic (hidden) items are not ideas, merged ones live on in the item they were merged into,
# and items still waiting in the moderation queue were never shown.
EXCLUDED_STATUSES = ("hidden", "merged")


def quarter_bounds(quarter):
    """'2026-Q3' -> UTC instants of the first moment of the quarter and of the next one, both at
    Asia/Shanghai midnight (the display zone). Raises ValueError for anything else."""
    match = QUARTER_RE.match(quarter or "")
    if not match:
        raise ValueError(quarter)
    year, number = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ValueError(quarter)
    zone = local_zone()
    start = datetime(year, 3 * number - 2, 1, tzinfo=zone)
    end = datetime(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1, tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def quarter_of(day):
    """The 'YYYY-Qn' that a local date belongs to."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def quarter_label(quarter):
    """'2026-Q3' -> '2026 年第 3 季度'."""
    match = QUARTER_RE.match(quarter or "")
    if not match:
        return quarter
    return _("%(year)s 年第 %(n)s 季度", year=match.group(1), n=match.group(2))


def submitter_label(item):
    """What the award documents and pages show as the submitter: the name of a named submitter,
    匿名 for anonymous ones, 完全匿名 for hidden-identity items (which store no identity)."""
    if item.anonymity == "named":
        return item.submitter_name or _("未留名")
    if item.anonymity == "anonymous":
        return _("匿名")
    return _("完全匿名")


def format_claim_code(code):
    """'K7MX3QPA' -> 'K7MX-3QPA': two groups of four are easier to read aloud and to compare."""
    if not code:
        return ""
    return f"{code[:4]}-{code[4:]}"


def local_day(value):
    """An aware UTC datetime as the local date 'YYYY-MM-DD', or '' for None."""
    return to_local(value).strftime("%Y-%m-%d") if value else ""


def payout_label(row):
    """Where an award's money stands, as the sheet and the review page say it."""
    if not row.get("amount"):
        return ""
    if row["paid"]:
        return _("已发放 %(d)s", d=row["paid"])
    if row["claimed"]:
        return _("已申领 %(d)s", d=row["claimed"])
    return _("未申领")


def quarter_suggestions(review):
    """All suggestions raised in the review's quarter, adopted ones first, then oldest first."""
    start, end = quarter_bounds(review.quarter)
    return (Item.query.options(joinedload(Item.meeting))
            .filter(Item.kind == "suggestion", Item.created_at >= start, Item.created_at < end,
                    Item.is_approved.is_(True), Item.status.notin_(EXCLUDED_STATUSES))
            .order_by(case((Item.status == "adopted", 0), else_=1), Item.created_at, Item.id))


def is_quarter_suggestion(review, item):
    return quarter_suggestions(review).filter(Item.id == item.id).first() is not None


def score_averages(review):
    """{item_id: {"count", "feasibility", "benefit", "innovation", "total"}} over the reviewers'
    scores (averages rounded to two decimals; total = the sum of the three averages)."""
    rows = (db.session.query(IdeaScore.item_id, func.count(IdeaScore.id),
                             *[func.avg(getattr(IdeaScore, c)) for c in CRITERIA])
            .filter(IdeaScore.review_id == review.id).group_by(IdeaScore.item_id))
    result = {}
    for item_id, count, *averages in rows:
        entry = {"count": count}
        for criterion, value in zip(CRITERIA, averages):
            entry[criterion] = round(float(value), 2)
        entry["total"] = round(sum(float(v) for v in averages), 2)
        result[item_id] = entry
    return result


def scores_by_reviewer(review):
    """{item_id: [IdeaScore, ...]} ordered by reviewer, for the organizer's detail view."""
    result = {}
    for score in (IdeaScore.query.filter_by(review_id=review.id)
                  .order_by(IdeaScore.item_id, IdeaScore.reviewer_user_id)):
        result.setdefault(score.item_id, []).append(score)
    return result


def my_scores(review, user):
    return {s.item_id: s for s in IdeaScore.query.filter_by(review_id=review.id, reviewer_user_id=user.id)}


def awarded_total(review, excluding_item_id=None):
    query = db.session.query(func.coalesce(func.sum(IdeaAward.amount), 0)).filter(IdeaAward.review_id == review.id)
    if excluding_item_id is not None:
        query = query.filter(IdeaAward.item_id != excluding_item_id)
    return int(query.scalar() or 0)


def visible_reviews(user):
    """Organizers, viewers and admins see every review; anyone else the ones they score."""
    query = IdeaReview.query
    if not user.has_role("organizer", "viewer"):
        query = query.join(IdeaReviewer, IdeaReviewer.review_id == IdeaReview.id).filter(
            IdeaReviewer.user_id == user.id)
    return query.order_by(IdeaReview.quarter.desc())


def _source(item, unit_names):
    """Where the idea came from: the meeting (title, date, tier) or the standing QR channel."""
    meeting = item.meeting
    if meeting is not None:
        tier = meeting.tier.name if meeting.tier else _("跨层级")
        return {"meeting": meeting.title, "tier": tier, "date": to_local(meeting.starts_at).strftime("%Y-%m-%d")}
    return {"meeting": _("一码通"), "tier": unit_names.get(item.unit_id, ""),
            "date": to_local(item.created_at).strftime("%Y-%m-%d")}


def review_rows(review, with_claim_codes=False):
    """One plain dict per suggestion of the quarter (page order: adopted first), with the
    average scores, the award (its claim code only `with_claim_codes`: the code is what pays an
    anonymous winner, so only the union's organizers see it) and the recorded effect."""
    items = quarter_suggestions(review).all()
    averages = score_averages(review)
    awards = {a.item_id: a for a in IdeaAward.query.options(joinedload(IdeaAward.paid_by))
              .filter_by(review_id=review.id)}
    effects = {e.item_id: e for e in IdeaEffect.query.filter_by(review_id=review.id)}
    unit_ids = {i.unit_id for i in items if i.unit_id}
    unit_names = dict(db.session.query(Unit.id, Unit.name).filter(Unit.id.in_(unit_ids))) if unit_ids else {}
    rows = []
    for item in items:
        award = awards.get(item.id)
        effect = effects.get(item.id)
        row = {
            "item_id": item.id, "text": item.text, "category": item.category or "",
            "status": item.status, "is_adopted": item.status == "adopted",
            "anonymity": item.anonymity, "submitter": submitter_label(item),
            "submitted": to_local(item.created_at).strftime("%Y-%m-%d"),
            "scores": averages.get(item.id), **_source(item, unit_names),
            "amount": award.amount if award else None, "note": (award.note or "") if award else "",
            "claim_code": format_claim_code(award.claim_code) if award and with_claim_codes else "",
            "claimed": local_day(award.claimed_at) if award else "",
            "paid": local_day(award.paid_at) if award else "",
            "paid_by": award.paid_by.display_name if award and award.paid_by else "",
            "implementation": (effect.implementation or "") if effect else "",
            "effect": (effect.effect or "") if effect else "",
            "benefit_yuan": effect.benefit_yuan if effect else None,
            "has_effect": effect is not None,
        }
        # Claims and payments only happen once the review is finalized.
        row["payout"] = payout_label(row) if review.status == "finalized" else ""
        rows.append(row)
    return rows


def _score_key(row):
    scores = row["scores"]
    return (-(scores["total"] if scores else -1), row["submitted"], row["item_id"])


def award_sheet(review, with_claim_codes=False):
    """Plain data for the 获奖名单 / 奖励发放表 (PDF and Excel): the awarded ideas ranked by amount
    and then by average score, with their claim codes (`with_claim_codes`, for the organizers who
    pay) and payout, and the full result list ranked by average score."""
    rows = review_rows(review, with_claim_codes=with_claim_codes)
    awarded = sorted((r for r in rows if r["amount"]), key=lambda r: (-r["amount"],) + _score_key(r))
    for rank, row in enumerate(awarded, start=1):
        row["rank"] = rank
    results = sorted(rows, key=_score_key)
    result_rows = [dict(r, rank=rank) for rank, r in enumerate(results, start=1)]
    total = sum(r["amount"] for r in awarded)
    reviewers = [r.user.display_name for r in sorted(review.reviewers, key=lambda r: r.user_id)]
    return {
        "quarter": review.quarter, "quarter_label": quarter_label(review.quarter),
        "budget": review.budget, "total": total, "remaining": review.budget - total,
        "is_final": review.status == "finalized",
        "finalized": to_local(review.finalized_at).strftime("%Y-%m-%d") if review.finalized_at else "",
        "awarded": awarded, "results": result_rows, "reviewers": reviewers,
        "idea_count": len(rows), "adopted_count": sum(1 for r in rows if r["is_adopted"]),
        "printed": local_today().isoformat(), "with_claim_codes": with_claim_codes,
        "paid_count": sum(1 for r in awarded if r["paid"]), "paid_total": sum(r["amount"] for r in awarded if r["paid"]),
        "benefit_total": sum(r["benefit_yuan"] or 0 for r in rows),
    }
