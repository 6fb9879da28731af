"""Figures of the monthly report, computed from the data for a month in Asia/Shanghai."""
from collections import Counter
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func

from ..extensions import db
from ..live.models import ITEM_KINDS, Item
from ..people.models import Person
from ..people.services import ordered_tiers
from ..scheduling.models import Meeting, Participant
from ..slips.models import ANSWERED, RATINGS, Slip
from ..stats import queries as stats
from ..texts import join_list
from ..timeutil import local_today, local_zone, to_local
from .topics import hot_topics


def previous_month(year, month):
    return (year - 1, 12) if month == 1 else (year, month - 1)


def tier_sessions(start, end):
    """Per tier: sessions planned (not cancelled) and held (closed) in the month; attendance; coverage.

    Coverage is scheduling's one definition (coverage_by_tier): active people of the tier who
    attended a closed meeting from 1 January up to the end of the month.
    """
    from ..scheduling.queries import coverage_by_tier
    meetings = Meeting.query.filter(Meeting.starts_at >= start, Meeting.starts_at < end).all()
    year = datetime.fromtimestamp(start.timestamp(), local_zone()).year
    attended_month = dict(db.session.query(Person.tier_id, func.count(func.distinct(Participant.person_id)))
                          .join(Participant, Participant.person_id == Person.id)
                          .join(Meeting, Meeting.id == Participant.meeting_id)
                          .filter(Participant.joined_at.isnot(None), Meeting.starts_at >= start,
                                  Meeting.starts_at < end).group_by(Person.tier_id).all())
    coverage = coverage_by_tier(year, until=end)
    rows = []
    for tier in ordered_tiers(active_only=True):
        mine = [m for m in meetings if m.tier_id == tier.id and m.status != "cancelled"]
        covered = coverage.get(tier.id, {"active": 0, "covered": 0, "share": None})
        rows.append({"tier": tier.name, "tier_id": tier.id, "planned": len(mine),
                     "held": sum(1 for m in mine if m.status == "closed"),
                     "attended": attended_month.get(tier.id, 0), "attended_year": covered["covered"],
                     "roster": covered["active"],
                     "coverage_year": round(100.0 * covered["share"], 1) if covered["share"] is not None else None})
    special = [m for m in meetings if m.tier_id is None and m.status != "cancelled"]
    return rows, {"planned": len(special), "held": sum(1 for m in special if m.status == "closed")}


def rating_breakdown(start, end):
    """How the submitters rated the current replies of the slips issued in [start, end)."""
    rows = (db.session.query(Slip.rating, func.count(Slip.id))
            .filter(Slip.issued_at >= start, Slip.issued_at < end, Slip.status.in_(ANSWERED),
                    Slip.rating.isnot(None)).group_by(Slip.rating))
    counts = dict(rows)
    return {rating: int(counts.get(rating, 0)) for rating in RATINGS}


def monthly_figures(year, month, today=None):
    """Everything the monthly report shows, as plain data (also fed to the PDF).

    The slip figures and the department rows come from stats.queries, the one definition.
    """
    today = today or local_today()
    start, end, _first, last = stats.period_of_month(year, month)
    tiers, special = tier_sessions(start, end)
    items = (Item.query.filter(Item.created_at >= start, Item.created_at < end,
                               Item.channel.notin_(stats.NOT_RAISED_CHANNELS)).all())
    by_kind = Counter(i.kind for i in items)
    by_category = Counter(i.category or _("未分类") for i in items)
    participants = db.session.query(func.count(Participant.id)).join(Meeting).filter(
        Meeting.starts_at >= start, Meeting.starts_at < end, Participant.joined_at.isnot(None)).scalar() or 0
    departments = [row for row in stats.month_department_figures(year, month, today)
                   if row["has_slips"] or row["deductions"]]
    slips = stats.month_figures(year, month, today)
    unhappy = Slip.query.filter(Slip.issued_at >= start, Slip.issued_at < end, Slip.status.in_(ANSWERED),
                                Slip.rating == "dissatisfied").order_by(Slip.number).all()
    reopened = Slip.query.filter(Slip.issued_at >= start, Slip.issued_at < end, Slip.reopen_count > 0) \
        .order_by(Slip.number).all()
    figures = {
        "year": year, "month": month, "label": _("%(year)d年%(month)d月", year=year, month=month),
        "as_of": today.isoformat(), "tiers": tiers, "special": special,
        "planned": sum(t["planned"] for t in tiers) + special["planned"],
        "held": sum(t["held"] for t in tiers) + special["held"],
        "participants": participants,
        "items_total": len(items),
        "by_kind": [{"kind": k, "count": by_kind.get(k, 0)} for k in ITEM_KINDS],
        "by_category": [{"category": c, "count": n} for c, n in by_category.most_common(12)],
        "answered_on_spot": sum(1 for i in items if i.status == "answered"),
        "hot_topics": [{"word": w, "count": n} for w, n in hot_topics([i.text for i in items
                                                                       if i.status != "hidden"], top=12)],
        "slips": slips, "ratings": rating_breakdown(start, end),
        "departments": departments,
    }
    from ..intake.documents import source_rows
    figures["by_source"], figures["source_categories"], _totals = source_rows(start, end, today)
    figures["callbacks"] = stats.callback_figures(start, end)
    figures["risks"] = risks(figures, items, unhappy, reopened, today, (start, end, last))
    return figures


def month_on_month(current, previous):
    """Changes against the previous month for the headline numbers."""
    rows = []
    for key, label in (("held", _l("已开慧谈")), ("items_total", _l("收集事项")), ("participants", _l("参会人次"))):
        rows.append({"label": label, "now": current[key], "before": previous[key],
                     "change": current[key] - previous[key]})
    for key, label in (("slips", _l("交办承办单")), ("closed", _l("办结承办单")), ("overdue", _l("逾期承办单"))):
        rows.append({"label": label, "now": current["slips"][key], "before": previous["slips"][key],
                     "change": current["slips"][key] - previous["slips"][key]})
    now_rate, before_rate = (stats.percent(current["slips"]["satisfaction_rate"]),
                             stats.percent(previous["slips"]["satisfaction_rate"]))
    rows.append({"label": _l("满意率（百分比）"), "now": now_rate, "before": before_rate,
                 "change": round(now_rate - before_rate, 1) if now_rate is not None and before_rate is not None else None})
    return rows


def missed_tiers(tiers_rows, start, end, last_day, today):
    """Tiers whose session did not happen: flagged only once it is late.

    A tier is missed when a session was scheduled and its date has passed without it being
    held, or when nothing was scheduled and the month has ended; a session planned for later
    this month is not a risk yet.
    """
    meetings = Meeting.query.filter(Meeting.starts_at >= start, Meeting.starts_at < end,
                                    Meeting.status != "cancelled").all()
    missed = []
    for tier in tiers_rows:
        mine = [m for m in meetings if m.tier_id == tier["tier_id"]]
        if any(m.status == "closed" for m in mine):
            continue
        late = [m for m in mine if m.status in ("planned", "live") and to_local(m.starts_at).date() < today]
        if late:
            missed.append({"kind": "no_session", "tier_id": tier["tier_id"], "text": _l(
                "%(t)s层级的慧谈原定于 %(d)s 召开，至今没有召开", t=tier["tier"],
                d=to_local(late[0].starts_at).strftime("%m-%d"))})
        elif not mine and today > last_day:
            missed.append({"kind": "no_session", "tier_id": tier["tier_id"],
                           "text": _l("%(t)s层级本月没有召开慧谈", t=tier["tier"])})
    return missed


def risks(figures, items, unhappy, reopened, today, period):
    """Things worth the leadership's attention, each with a short reason."""
    start, end, last_day = period
    found = []
    demands = [i for i in items if i.kind in ("demand", "difficulty") and i.status != "hidden"]
    for topic in hot_topics([i.text for i in demands], top=5):
        if topic[1] >= 3:
            found.append({"kind": "repeated", "text": _l("“%(w)s”相关诉求本月出现 %(n)d 次，属反复集中反映的问题",
                                                         w=topic[0], n=topic[1])})
    if unhappy:
        found.append({"kind": "dissatisfied", "text": _l("%(n)d 件承办单职工评价不满意：%(s)s", n=len(unhappy),
                                                         s=join_list(s.number for s in unhappy[:8]))})
    if reopened:
        found.append({"kind": "reopened", "text": _l("%(n)d 件承办单被退回重办：%(s)s", n=len(reopened),
                                                     s=join_list(s.number for s in reopened[:8]))})
    total_overdue = figures["slips"]["overdue"]
    for row in figures["departments"]:
        if row["overdue"] >= 2 and row["overdue"] * 2 >= total_overdue:
            found.append({"kind": "overdue_department", "text": _l("%(d)s逾期 %(n)d 件，占本月逾期的多数",
                                                                   d=row["department"], n=row["overdue"])})
    found += missed_tiers(figures["tiers"], start, end, last_day, today)
    return found


def _percent_text(rate):
    return "—" if rate is None else f"{stats.percent(rate):g}%"


def draft_analysis(figures):
    """A first draft of 'analysis and measures' that the organizer edits before finalising."""
    s = figures["slips"]
    kinds = {row["kind"]: row["count"] for row in figures["by_kind"]}
    topics = join_list(t["word"] for t in figures["hot_topics"][:5]) or _("无明显集中话题")
    risks = figures["risks"]
    lines = [
        _("一、总体情况。%(month)s计划召开慧谈 %(planned)s 场，实际召开 %(held)s 场，参会 %(participants)s 人次，"
          "收集问题意见 %(questions)s 条、诉求 %(demands)s 条、困难 %(difficulties)s 条、合理化建议 %(suggestions)s 条，"
          "现场答复 %(answered)s 条。", month=figures["label"], planned=figures["planned"], held=figures["held"],
          participants=figures["participants"], questions=kinds.get("question", 0), demands=kinds.get("demand", 0),
          difficulties=kinds.get("difficulty", 0), suggestions=kinds.get("suggestion", 0),
          answered=figures["answered_on_spot"]),
        _("二、职工思想动态。职工关注的热点集中在：%(topics)s。", topics=topics),
        _("三、诉求办理。本月交办承办单 %(slips)s 件，截至 %(day)s 已答复 %(replied)s 件（按期 %(on_time)s 件），"
          "已办结 %(closed)s 件，逾期未答复 %(overdue)s 件；参与评价 %(rated)s 件，满意率 %(rate)s。",
          slips=s["slips"], day=figures["as_of"], replied=s["replied"], on_time=s["replied_on_time"],
          closed=s["closed"], overdue=s["overdue"], rated=s["rated"], rate=_percent_text(s["satisfaction_rate"])),
        _("四、风险提示。%(risks)s", risks=_("%(list)s。", list=_("；").join(str(r["text"]) for r in risks))
          if risks else _("本月未发现需要特别关注的风险。")),
        _("五、下步措施。（请组织者根据以上情况填写。）"),
    ]
    return "\n".join(lines)
