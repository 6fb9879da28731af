"""Monthly plans (月度慧谈计划): one regular session per tier on working days, drafted, changed by
the organizer and published; and the holidays and swapped working days the plan keeps to."""
import re
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _

from ..audit.services import record_event
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..people.models import Tier
from ..timeutil import local_today, month_bounds, to_local, utcnow
from ..validation import fetch, optional_text
from .models import Holiday, Meeting, MonthPlan
from .services import create_meeting, find_conflict

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")

def month_value(text):
    """(year, month) from "YYYY-MM", or a clear 400."""
    found = MONTH_RE.match(text or "") if isinstance(text, str) else None
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise ValidationError(_("月份格式应为 YYYY-MM（例如 2027-01）。"), code="bad_month")
    return int(found.group(1)), int(found.group(2))


def _plan_days(year, month, today):
    """Working days of the month still ahead (from tomorrow); weekend days only if none is left."""
    from .queries import working_days
    from calendar import monthrange
    last = date(year, month, monthrange(year, month)[1])
    if last <= today:
        raise ValidationError(_("%(y)d年%(m)d月已经过去（或今天是最后一天），不能再生成计划。", y=year, m=month),
                              code="past_month")
    days = [d for d in working_days(year, month) if d > today]
    if not days:
        start = max(date(year, month, 1), today + timedelta(days=1))
        days = [start + timedelta(days=i) for i in range((last - start).days + 1)]
    return days


def _spread(days, count):
    """Preferred day index for each of `count` meetings, spread evenly over the days."""
    return [min(len(days) - 1, int((i + 0.5) * len(days) / count)) for i in range(count)]


def generate_month_plan(actor, year, month, today=None):
    """One regular meeting in the month for every active tier that has none yet; returns
    (created meetings, notes, plan).

    Each is chaired by the tier's current lead, on a working day (weekends, configured
    holidays and holidays entered by the organizer are skipped; 调休 working days count),
    spread over the month, at the first configured time and room that clash with nothing:
    never two meetings of one lead on the same day, never two in one room at the same time.
    A tier without a lead gets no meeting and a note. Calling it again creates nothing.
    The plan is a draft until published.
    """
    from .queries import local_moment
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以生成月度计划。"))
    today = today or local_today()
    days = _plan_days(year, month, today)
    label = f"{year:04d}-{month:02d}"
    start, end = month_bounds(year, month)
    has_meeting = {tier_id for (tier_id,) in db.session.query(Meeting.tier_id).filter(
        Meeting.kind == "regular", Meeting.status != "cancelled", Meeting.starts_at >= start,
        Meeting.starts_at < end, Meeting.tier_id.isnot(None))}
    notes, todo = [], []
    for tier in Tier.query.filter_by(is_active=True).order_by(Tier.position, Tier.id):
        if tier.id in has_meeting:
            continue
        if tier.current_lead is None:
            notes.append(_("层级“%(tier)s”没有牵头人，本月未安排慧谈。请先在“层级与牵头人”中指定牵头人，再重新生成。",
                           tier=tier.name))
            continue
        todo.append(tier)
    plan = MonthPlan.query.filter_by(month=label).first()
    if plan is None and todo:
        plan = MonthPlan(month=label, created_by_user_id=actor.id)
        db.session.add(plan)
        db.session.flush()
    created = []
    times = current_app.config["PLAN_TIMES"] or ("15:00",)
    location = current_app.config["PLAN_LOCATION"]
    duration = timedelta(minutes=current_app.config["MEETING_DEFAULT_MINUTES"])
    for tier, preferred in zip(todo, _spread(days, len(todo)) if todo else []):
        lead = tier.current_lead.user
        order = sorted(range(len(days)), key=lambda i: (abs(i - preferred), i))
        slot = None
        for index in order:
            for hhmm in times:
                starts_at = local_moment(days[index], hhmm)
                if find_conflict(starts_at, starts_at + duration, location, lead.id) is None:
                    slot = starts_at
                    break
            if slot is not None:
                break
        if slot is None:
            notes.append(_("层级“%(tier)s”：本月找不到与其他慧谈不冲突的时间，未安排，请手工安排。", tier=tier.name))
            continue
        meeting = create_meeting(actor, {
            "title": _("%(m)d月%(tier)s层级慧谈", m=month, tier=tier.name), "kind": "regular",
            "tier_id": tier.id, "starts_at": slot, "ends_at": slot + duration, "location": location,
            "allow_guests": False, "plan_month": label})
        created.append(meeting)
    if created:
        record_event("plan", plan.id, "generate", actor=actor, text=_("%(month)s：新增 %(n)d 场", month=label,
                                                                      n=len(created)))
    db.session.flush()
    return created, notes, plan


def publish_month_plan(actor, year, month):
    """Publish the draft month plan: the leads are told to review their participant lists."""
    from ..slips.notices import notify
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以发布月度计划。"))
    label = f"{year:04d}-{month:02d}"
    plan = MonthPlan.query.filter_by(month=label).first()
    if plan is None:
        raise Conflict(_("%(month)s 还没有生成计划。", month=label), code="no_plan")
    if plan.is_published:
        raise Conflict(_("%(month)s 的计划已经发布过了。", month=label), code="already_published")
    plan.published_at = utcnow()
    plan.published_by_user_id = actor.id
    meetings = (Meeting.query.filter(Meeting.plan_month == label, Meeting.status != "cancelled")
                .order_by(Meeting.starts_at).all())
    for meeting in meetings:
        when = to_local(meeting.starts_at).strftime("%m-%d %H:%M")
        notify(meeting.lead, "plan_published",
               _("%(month)s 慧谈计划已发布：《%(title)s》%(when)s %(place)s，请审核参会名单。", month=label,
                 title=meeting.title, when=when, place=meeting.location or ""),
               dedupe_key=f"plan:{meeting.id}")
    record_event("plan", plan.id, "publish", actor=actor, text=label)
    db.session.flush()
    return plan


def add_holiday(actor, day, name, is_workday=False):
    """Enter a day off (or a weekend worked instead, 调休上班) for the monthly plans."""
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以维护节假日。"))
    if not isinstance(day, date):
        raise ValidationError(_("请选择日期。"), code="bad_date")
    name = optional_text(name, 64, _("名称")) or (_("调休上班") if is_workday else _("节假日"))
    holiday = Holiday.query.filter_by(day=day).first()
    if holiday is None:
        holiday = Holiday(day=day, created_by_user_id=actor.id)
        db.session.add(holiday)
    holiday.name = name
    holiday.is_workday = bool(is_workday)
    db.session.flush()
    record_event("holiday", holiday.id, "save", actor=actor, text=f"{day.isoformat()} {name}")
    return holiday


def remove_holiday(actor, holiday_id):
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以维护节假日。"))
    holiday = fetch(Holiday, holiday_id, _("找不到该节假日。"))
    record_event("holiday", holiday.id, "remove", actor=actor, text=holiday.day.isoformat())
    db.session.delete(holiday)
    db.session.flush()
    return holiday
