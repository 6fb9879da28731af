"""Figures of the monthly report, computed from the data for a month in Asia/Shanghai."""
from collections import Counter
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ..extensions import db
from ..live.models import ITEM_KINDS, Item
from ..people.models import Person
from ..people.services import ordered_tiers
from ..scheduling.models import Meeting, Participant
from ..slips.models import Slip
from ..slips.queries import department_kpis
from ..timeutil import local_zone, month_bounds
from .topics import hot_topics


def previous_month(year, month):
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


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


def monthly_figures(year, month):
    """Everything the monthly report shows, as plain data (also fed to the PDF)."""
    start, end = month_bounds(year, month)
    tiers, special = tier_sessions(start, end)
    items = (Item.query.filter(Item.created_at >= start, Item.created_at < end, Item.channel != "minutes")
             .all())
    by_kind = Counter(i.kind for i in items)
    by_category = Counter(i.category or "未分类" for i in items)
    participants = db.session.query(func.count(Participant.id)).join(Meeting).filter(
        Meeting.starts_at >= start, Meeting.starts_at < end, Participant.joined_at.isnot(None)).scalar() or 0
    departments = [row for row in department_kpis(start, end) if row["issued"] or row["points"]]
    slips = Slip.query.filter(Slip.issued_at >= start, Slip.issued_at < end).all()
    rated = [s for s in slips if s.rating]
    satisfied = [s for s in rated if s.rating in ("satisfied", "basically_satisfied")]
    figures = {
        "year": year, "month": month, "label": f"{year}年{month}月",
        "tiers": tiers, "special": special,
        "planned": sum(t["planned"] for t in tiers) + special["planned"],
        "held": sum(t["held"] for t in tiers) + special["held"],
        "participants": participants,
        "items_total": len(items),
        "by_kind": [{"kind": k, "count": by_kind.get(k, 0)} for k in ITEM_KINDS],
        "by_category": [{"category": c, "count": n} for c, n in by_category.most_common(12)],
        "answered_on_spot": sum(1 for i in items if i.status == "answered"),
        "hot_topics": [{"word": w, "count": n} for w, n in hot_topics([i.text for i in items
                                                                       if i.status != "hidden"], top=12)],
        "slips": {"issued": len(slips), "replied": sum(1 for s in slips if s.replied_at),
                  "closed": sum(1 for s in slips if s.status == "closed"),
                  "overdue": sum(r["overdue"] for r in departments),
                  "rated": len(rated), "satisfied": sum(1 for s in rated if s.rating == "satisfied"),
                  "basically_satisfied": sum(1 for s in rated if s.rating == "basically_satisfied"),
                  "dissatisfied": sum(1 for s in rated if s.rating == "dissatisfied"),
                  "satisfaction_rate": _pct(len(satisfied), len(rated))},
        "departments": departments,
    }
    figures["risks"] = risks(figures, items, slips)
    return figures


def month_on_month(current, previous):
    """Changes against the previous month for the headline numbers."""
    rows = []
    for key, label in (("held", _l("已开慧谈")), ("items_total", _l("收集事项")), ("participants", _l("参会人次"))):
        rows.append({"label": label, "now": current[key], "before": previous[key],
                     "change": current[key] - previous[key]})
    for key, label in (("issued", _l("交办承办单")), ("closed", _l("办结承办单")), ("overdue", _l("逾期承办单"))):
        rows.append({"label": label, "now": current["slips"][key], "before": previous["slips"][key],
                     "change": current["slips"][key] - previous["slips"][key]})
    now_rate, before_rate = current["slips"]["satisfaction_rate"], previous["slips"]["satisfaction_rate"]
    rows.append({"label": _l("满意率（百分比）"), "now": now_rate, "before": before_rate,
                 "change": round(now_rate - before_rate, 1) if now_rate is not None and before_rate is not None else None})
    return rows


def risks(figures, items, slips):
    """Things worth the leadership's attention, each with a short reason."""
    found = []
    demands = [i for i in items if i.kind in ("demand", "difficulty") and i.status != "hidden"]
    for topic in hot_topics([i.text for i in demands], top=5):
        if topic[1] >= 3:
            found.append({"kind": "repeated", "text": f"“{topic[0]}”相关诉求本月出现 {topic[1]} 次，属反复集中反映的问题"})
    unhappy = [s for s in slips if s.rating == "dissatisfied"]
    if unhappy:
        found.append({"kind": "dissatisfied",
                      "text": f"{len(unhappy)} 件承办单职工评价不满意：" + "、".join(s.number for s in unhappy[:8])})
    reopened = [s for s in slips if s.reopen_count]
    if reopened:
        found.append({"kind": "reopened",
                      "text": f"{len(reopened)} 件承办单被退回重办：" + "、".join(s.number for s in reopened[:8])})
    total_overdue = figures["slips"]["overdue"]
    for row in figures["departments"]:
        if row["overdue"] >= 2 and row["overdue"] * 2 >= total_overdue:
            found.append({"kind": "overdue_department",
                          "text": f"{row['department']}逾期 {row['overdue']} 件，占本月逾期的多数"})
    for tier in figures["tiers"]:
        if tier["held"] == 0:
            found.append({"kind": "no_session", "text": f"{tier['tier']}层级本月没有召开慧谈"})
    return found


def draft_analysis(figures):
    """A first draft of 'analysis and measures' that the organizer edits before finalising."""
    s = figures["slips"]
    kinds = {row["kind"]: row["count"] for row in figures["by_kind"]}
    topics = "、".join(t["word"] for t in figures["hot_topics"][:5]) or "无明显集中话题"
    lines = [
        f"一、总体情况。{figures['label']}计划召开慧谈 {figures['planned']} 场，实际召开 {figures['held']} 场，"
        f"参会 {figures['participants']} 人次，收集问题意见 {kinds.get('question', 0)} 条、诉求 {kinds.get('demand', 0)} 条、"
        f"困难 {kinds.get('difficulty', 0)} 条、合理化建议 {kinds.get('suggestion', 0)} 条，现场答复 {figures['answered_on_spot']} 条。",
        f"二、职工思想动态。职工关注的热点集中在：{topics}。",
        f"三、诉求办理。本月交办承办单 {s['issued']} 件，已答复 {s['replied']} 件，已办结 {s['closed']} 件，"
        f"逾期 {s['overdue']} 件；参与评价 {s['rated']} 件，满意率 "
        f"{'—' if s['satisfaction_rate'] is None else str(s['satisfaction_rate']) + '%'}。",
        "四、风险提示。" + ("；".join(r["text"] for r in figures["risks"]) + "。" if figures["risks"] else "本月未发现需要特别关注的风险。"),
        "五、下步措施。（请组织者根据以上情况填写。）",
    ]
    return "\n".join(lines)
