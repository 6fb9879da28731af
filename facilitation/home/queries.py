"""Figures for the home page: this month's figures (stats.queries, the one definition) and the
slips that need attention now."""
from ..extensions import db
from ..live.models import Item
from ..scheduling.models import Meeting
from ..slips.models import Slip
from ..stats import queries as stats


def month_overview(year, month):
    """This month's meetings and figures, and every slip still open or overdue today."""
    start, end, _first, _last = stats.period_of_month(year, month)
    meetings = db.session.query(Meeting.status, db.func.count(Meeting.id)).filter(
        Meeting.starts_at >= start, Meeting.starts_at < end).group_by(Meeting.status).all()
    by_status = dict(meetings)
    texts = [t for (t,) in db.session.query(Item.text).filter(
        Item.created_at >= start, Item.created_at < end, Item.status != "hidden",
        Item.channel.notin_(stats.NOT_RAISED_CHANNELS))]
    from ..reports.topics import hot_topics
    return {"planned": sum(by_status.values()) - by_status.get("cancelled", 0),
            "held": by_status.get("closed", 0), "live": by_status.get("live", 0),
            "figures": stats.month_figures(year, month),
            "open_slips": Slip.query.filter(Slip.status != "closed").count(),
            "overdue_slips": Slip.query.filter(stats.overdue_clause()).count(),
            "hot_topics": hot_topics(texts, top=8)}


def meetings_led_by(user):
    if not user.is_authenticated or user.role != "lead":
        return []
    return (Meeting.query.filter(Meeting.lead_user_id == user.id, Meeting.status.in_(("planned", "live")))
            .order_by(Meeting.starts_at).limit(10).all())
