"""The monthly plan: POST /plans/<YYYY-MM>, working days and holidays, the plan page, publishing."""
import re
from datetime import date, timedelta

import pytest

from facilitation.extensions import db
from facilitation.people.models import Tier
from facilitation.scheduling.models import Holiday, Meeting, MonthPlan
from facilitation.timeutil import SHANGHAI, local_today


@pytest.fixture
def leads(make_user):
    """Leads for the first five tiers; the 党群 deputy leads two of them (区长书记 and 副区长)."""
    from facilitation.people.services import assign_tier_lead
    tiers = Tier.query.order_by(Tier.position).all()
    users = {}
    for tier in tiers[:5]:
        users[tier.code] = make_user("lead", display_name=f"{tier.name}牵头人")
        assign_tier_lead(tier, users[tier.code])
    shared = make_user("lead", display_name="田红梅")
    assign_tier_lead(tiers[5], shared)
    assign_tier_lead(tiers[6], shared)
    db.session.commit()
    return users, shared


FUTURE = date(local_today().year + 2, 3, 1)  # a March two years ahead: a valid month whatever today is
MONTH = f"{FUTURE:%Y-%m}"


def local(meeting):
    return meeting.starts_at.astimezone(SHANGHAI)


def test_generate_one_regular_meeting_per_tier_with_a_lead(api, organizer, leads):
    response = api(organizer).post(f"/plans/{MONTH}")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert len(body["meetings"]) == 7
    assert body["notes"] == ["层级“生产职能科室”没有牵头人，本月未安排慧谈。请先在“层级与牵头人”中指定牵头人，再重新生成。"]
    meetings = Meeting.query.order_by(Meeting.starts_at).all()
    assert all(m.kind == "regular" and m.status == "planned" and m.plan_month == MONTH for m in meetings)
    assert all(m.lead_user_id == m.tier.current_lead.user_id for m in meetings)
    assert all(m.allow_guests is False and m.max_participants == 10 for m in meetings)
    assert {"id", "tier_id", "title", "kind", "status", "join_code", "starts_at", "max_participants",
            "lead_user_id"} <= set(body["meetings"][0])
    days = [local(m).date() for m in meetings]
    assert all(d.month == 3 and d.weekday() < 5 for d in days)
    # spread over the month, never one lead twice a day, never one room twice at a time
    assert max(days) - min(days) >= timedelta(days=14)
    by_lead = {}
    for m in meetings:
        by_lead.setdefault(m.lead_user_id, []).append(local(m).date())
    assert all(len(set(d)) == len(d) for d in by_lead.values())
    slots = [(m.location, local(m)) for m in meetings]
    assert len(set(slots)) == len(slots)
    assert meetings[0].title == "3月职工层级慧谈"
    # calling again creates nothing
    again = api(organizer).post(f"/plans/{MONTH}")
    assert again.status_code == 201 and again.get_json()["meetings"] == []
    assert Meeting.query.count() == 7 and MonthPlan.query.count() == 1


def test_a_new_lead_gets_the_missing_meeting_on_the_next_call(api, organizer, leads, make_user):
    from facilitation.people.services import assign_tier_lead
    api(organizer).post(f"/plans/{MONTH}")
    assign_tier_lead(Tier.query.filter_by(code="functional_office").one(), make_user("lead", display_name="袁德胜"))
    db.session.commit()
    body = api(organizer).post(f"/plans/{MONTH}").get_json()
    assert [m["title"] for m in body["meetings"]] == ["3月生产职能科室层级慧谈"] and body["notes"] == []


def test_holidays_from_the_config_and_the_organizer_are_skipped(app, api, organizer, leads):
    from facilitation.scheduling.queries import working_days
    march = working_days(FUTURE.year, 3)
    off = set(march[:-3])  # every working day but the last three
    app.config["PLAN_HOLIDAYS"] = tuple(d.isoformat() for d in sorted(off)[:5])
    try:
        for day in sorted(off)[5:]:
            db.session.add(Holiday(day=day, name="检修停产"))
        weekend = next(date(FUTURE.year, 3, d) for d in range(1, 32) if date(FUTURE.year, 3, d).weekday() == 5)
        db.session.add(Holiday(day=weekend, name="调休上班", is_workday=True))
        db.session.commit()
        assert working_days(FUTURE.year, 3) == sorted([weekend] + march[-3:])
        body = api(organizer).post(f"/plans/{MONTH}").get_json()
    finally:
        app.config["PLAN_HOLIDAYS"] = ()
    days = {local(m).date() for m in Meeting.query.all()}
    assert len(body["meetings"]) == 7 and days <= {weekend, *march[-3:]} and not days & off


def test_bad_and_past_months(api, organizer, leads):
    for month in ("2030-13", "2030-00", "203-01", "January", "1999-12"):
        response = api(organizer).post(f"/plans/{month}")
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_month", month
    last_year = local_today().year - 1
    past = api(organizer).post(f"/plans/{last_year}-06")
    assert past.status_code == 400 and past.get_json()["error"]["code"] == "past_month"
    assert Meeting.query.count() == 0
    assert api(leads[1]).post(f"/plans/{MONTH}").status_code == 403


def test_current_month_uses_only_the_days_ahead(organizer, leads):
    from facilitation.scheduling.plans import generate_month_plan
    created, _notes, _plan = generate_month_plan(organizer, 2030, 3, today=date(2030, 3, 20))
    assert all(local(m).date() > date(2030, 3, 20) for m in created) and len(created) == 7


def test_plan_page_calendar_list_notes_and_publish(client, login_as, organizer, leads):
    login_as(organizer)
    page = client.get(f"/plans/{MONTH}").get_data(as_text=True)
    assert "未生成" in page and "生成本月计划" in page
    assert "“生产职能科室”没有牵头人，不能安排例行慧谈。" in page
    generated = client.post(f"/plans/{MONTH}", follow_redirects=True).get_data(as_text=True)
    assert "已生成 7 场例行慧谈（草稿）" in generated and "草稿" in generated
    assert "没有牵头人，本月未安排慧谈" in generated  # the note as a message too
    assert generated.count('class="cal-meeting') == 7 and "待拟定名单" in generated
    assert len(re.findall(r"<td class=\"cal-off", generated)) >= 8  # weekends
    published = client.post(f"/plans/{MONTH}/publish", follow_redirects=True).get_data(as_text=True)
    assert "计划已发布" in published and "已发布" in published
    from facilitation.slips.models import Notification
    notes = Notification.query.filter_by(kind="plan_published").all()
    assert len(notes) == 7 and all("请审核参会名单" in n.text for n in notes)
    twice = client.post(f"/plans/{MONTH}/publish", follow_redirects=True).get_data(as_text=True)
    assert "已经发布过了" in twice and Notification.query.filter_by(kind="plan_published").count() == 7


def test_organizer_enters_holidays_on_the_plan_page(client, login_as, organizer, leads, make_user):
    login_as(organizer)
    day = date(FUTURE.year, 3, 10)
    page = client.post("/plans/holidays", data={"day": day.isoformat(), "name": "矿庆日", "month": MONTH},
                       follow_redirects=True).get_data(as_text=True)
    assert "已保存节假日" in page and "矿庆日" in page
    holiday = Holiday.query.one()
    assert holiday.day == day and holiday.is_workday is False
    client.post("/plans/holidays", data={"day": day.isoformat(), "name": "调休", "is_workday": "y"})
    db.session.expire_all()
    assert Holiday.query.one().is_workday is True
    assert "请选择日期" in client.post("/plans/holidays", data={"day": "下周"}, follow_redirects=True) \
        .get_data(as_text=True)
    client.post(f"/plans/holidays/{holiday.id}/remove")
    assert Holiday.query.count() == 0


def test_viewers_and_leads_read_the_plan_but_do_not_change_it(client, login_as, organizer, leads, make_user):
    from facilitation.scheduling.plans import generate_month_plan
    generate_month_plan(organizer, FUTURE.year, 3)
    db.session.commit()
    login_as(make_user("viewer"))
    page = client.get(f"/plans/{MONTH}").get_data(as_text=True)
    assert "3月职工层级慧谈" in page and "发布计划" not in page and "生成本月计划" not in page
    assert client.post(f"/plans/{MONTH}/publish").status_code == 403
    assert client.get("/plans/2030-13").status_code == 404
