"""Figures for the home page."""
from ..extensions import db
from ..live.models import Item
from ..scheduling.models import Meeting
from ..slips.models import Slip
from ..timeutil import local_today


def month_overview(start, end):
    meetings = db.session.query(Meeting.status, db.func.count(Meeting.id)).filter(
        Meeting.starts_at >= start, Meeting.starts_at < end).group_by(Meeting.status).all()
    by_status = dict(meetings)
    items = db.session.query(db.func.count(Item.id)).filter(Item.created_at >= start, Item.created_at < end).scalar()
    open_slips = Slip.query.filter(Slip.status.in_(("issued", "accepted", "replied"))).count()
    overdue = Slip.query.filter(Slip.status.in_(("issued", "accepted")), Slip.due_date < local_today()).count()
    rated = db.session.query(Slip.rating, db.func.count(Slip.id)).filter(
        Slip.rated_at >= start, Slip.rated_at < end, Slip.rating.isnot(None)).group_by(Slip.rating).all()
    ratings = dict(rated)
    rated_total = sum(ratings.values())
    good = ratings.get("satisfied", 0) + ratings.get("basically_satisfied", 0)
    texts = [t for (t,) in db.session.query(Item.text).filter(Item.created_at >= start, Item.created_at < end,
                                                              Item.status != "hidden", Item.channel != "minutes")]
    from ..reports.topics import hot_topics
    return {"planned": sum(by_status.values()) - by_status.get("cancelled", 0),
            "held": by_status.get("closed", 0), "live": by_status.get("live", 0),
            "item_count": items or 0, "open_slips": open_slips, "overdue_slips": overdue,
            "rated": rated_total, "satisfaction": round(100.0 * good / rated_total, 1) if rated_total else None,
            "hot_topics": hot_topics(texts, top=8)}


def meetings_led_by(user):
    if not user.is_authenticated or user.role != "lead":
        return []
    return (Meeting.query.filter(Meeting.lead_user_id == user.id, Meeting.status.in_(("planned", "live")))
            .order_by(Meeting.starts_at).limit(10).all())
