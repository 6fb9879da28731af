"""Monthly report figures from a constructed month where every number is known in advance."""
import io
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from facilitation.extensions import db
from facilitation.live import services as live
from facilitation.people.models import Person, Tier
from facilitation.reports.queries import monthly_figures
from facilitation.reports.topics import hot_topics, segment
from facilitation.scheduling.services import cancel_meeting, close_meeting, create_meeting, start_meeting
from facilitation.slips import services as slip_services
from facilitation.timeutil import SHANGHAI, local_today


def shanghai(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def hold(organizer, lead, tier, when, texts, person_names=()):
    """Create, start, fill and close a meeting at `when`; items get timestamps a few minutes later."""
    meeting = create_meeting(organizer, {"title": f"{tier.name if tier else '专题'}慧谈", "kind": "regular" if tier else "topic",
                                         "tier_id": tier.id if tier else None, "starts_at": when, "lead_user": lead})
    start_meeting(organizer, meeting)
    participants = []
    for index, name in enumerate(person_names):
        person = Person(employee_no=f"P{meeting.id}{index}", name=name, tier_id=tier.id if tier else None)
        db.session.add(person)
        db.session.flush()
        participants.append(live.join_meeting(meeting.join_code, person.employee_no, name))
    items = []
    for index, (kind, category, text) in enumerate(texts):
        item, _ = live.submit_item(meeting, client_id=f"month-{meeting.id}-{index:04d}", kind=kind, text=text,
                                   category=category, participant=participants[0] if participants else None,
                                   staff=None if participants else lead)
        item.created_at = when + timedelta(minutes=10 + index)
        items.append(item)
    for participant in participants:
        participant.joined_at = when + timedelta(minutes=1)
    return meeting, items


@pytest.fixture
def march(make_user, lead_user, make_department, tier):
    """2026-03 (Asia/Shanghai): 3 planned, 2 held, 3 items, 2 slips (one satisfied, one overdue)."""
    organizer = make_user("organizer")
    party = Tier.query.filter_by(code="party_member").one()
    department = make_department("后勤管理部")
    meeting, items = hold(organizer, lead_user, tier, shanghai(2026, 3, 5, 15), [
        ("demand", "后勤", "井下班中餐送到工作面已经凉了"),
        ("demand", "后勤", "班中餐希望增加面食"),
        ("question", "薪酬", "夜班津贴标准是多少")], person_names=("王建国", "李秀英"))
    live.answer_item(lead_user, items[2], "每班30元")
    due = local_today() + timedelta(days=3)
    happy = live.transfer_item(lead_user, items[0], department.id, due)
    late = live.transfer_item(lead_user, items[1], department.id, due)
    handler = make_user("handler", department=department)
    slip_services.accept_slip(handler, happy)
    slip_services.reply_slip(handler, happy, "已更换保温餐箱", "后勤保障办法")
    slip_services.rate_slip(happy, "satisfied")
    slip_services.accept_slip(handler, late)
    for slip in (happy, late):
        slip.issued_at = shanghai(2026, 3, 5, 17)
        slip.due_date = datetime(2026, 3, 10).date()
    happy.replied_at = shanghai(2026, 3, 8, 9)
    happy.rated_at = happy.closed_at = shanghai(2026, 3, 9, 9)
    close_meeting(lead_user, meeting)
    # planned but not held, and a cancelled one that does not count
    create_meeting(organizer, {"title": "党员慧谈", "kind": "regular", "tier_id": party.id,
                               "starts_at": shanghai(2026, 3, 20, 15), "lead_user": lead_user})
    cancelled = create_meeting(organizer, {"title": "取消的慧谈", "kind": "regular", "tier_id": party.id,
                                           "starts_at": shanghai(2026, 3, 21, 15), "lead_user": lead_user})
    cancel_meeting(organizer, cancelled, "与生产会冲突")
    # a special session late on 31 March (Shanghai) is March; 00:30 on 1 April is April
    special, _ = hold(organizer, lead_user, None, shanghai(2026, 3, 31, 23, 0), [])
    close_meeting(organizer, special)
    april, april_items = hold(organizer, lead_user, tier, shanghai(2026, 4, 1, 0, 30),
                              [("demand", "后勤", "四月的诉求不算三月")])
    assert april.starts_at < datetime(2026, 4, 1, tzinfo=timezone.utc)  # still March in UTC
    db.session.commit()
    return {"organizer": organizer}


def test_march_figures_are_exact(march, tier):
    figures = monthly_figures(2026, 3)
    assert figures["planned"] == 3 and figures["held"] == 2
    staff_row = next(row for row in figures["tiers"] if row["tier_id"] == tier.id)
    assert (staff_row["planned"], staff_row["held"], staff_row["attended"]) == (1, 1, 2)
    assert figures["special"] == {"planned": 1, "held": 1}
    assert figures["participants"] == 2
    assert figures["items_total"] == 3
    assert {row["kind"]: row["count"] for row in figures["by_kind"]} == {
        "question": 1, "demand": 2, "difficulty": 0, "suggestion": 0}
    assert {row["category"]: row["count"] for row in figures["by_category"]} == {"后勤": 2, "薪酬": 1}
    assert figures["answered_on_spot"] == 1
    slips = figures["slips"]
    assert (slips["slips"], slips["replied"], slips["closed"], slips["overdue"]) == (2, 1, 1, 1)
    assert (slips["rated"], slips["satisfied"], slips["satisfaction_rate"]) == (1, 1, 1.0)
    department = figures["departments"][0]
    assert department["department"] == "后勤管理部"
    # the unanswered, overdue slip counts against the on-time rate
    assert (department["slips"], department["reply_rate"], department["on_time_rate"]) == (2, 0.5, 0.5)
    assert figures["hot_topics"][0] == {"word": "班中餐", "count": 2}
    risks = " ".join(str(r["text"]) for r in figures["risks"])
    assert "党员层级的慧谈原定于 03-20 召开，至今没有召开" in risks and "职工层级" not in risks
    assert "安监员层级本月没有召开慧谈" in risks  # nothing scheduled, and March is over


def test_april_starts_at_midnight_shanghai(march):
    april = monthly_figures(2026, 4)
    assert april["items_total"] == 1 and april["planned"] == 1


def test_empty_month_and_month_on_month(march, client, login_as):
    empty = monthly_figures(2026, 1)
    assert empty["planned"] == empty["held"] == empty["items_total"] == 0
    assert empty["slips"]["satisfaction_rate"] is None and empty["hot_topics"] == []
    login_as(march["organizer"])
    page = client.get("/reports/monthly/2026-03").get_data(as_text=True)
    assert "2026年3月" in page and "班中餐" in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]  # charts carry no script
    assert client.get("/reports/monthly/2026-13").status_code == 404
    assert client.get("/reports/monthly/bogus").status_code == 404
    pdf = client.get("/reports/monthly/2026-01.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf = client.get("/reports/monthly/2026-03.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "2026年3月职工思想动态分析报告" in text and "后勤管理部" in text and "草稿" in text


def test_analysis_is_drafted_edited_and_finalised(march, client, login_as, make_user):
    login_as(march["organizer"])
    page = client.get("/reports/monthly/2026-03").get_data(as_text=True)
    assert "一、总体情况" in page  # a draft is proposed from the figures
    response = client.post("/reports/monthly/2026-03", data={"analysis": "本月班中餐问题集中。", "finalize": "0"})
    assert response.status_code == 302
    assert "本月班中餐问题集中。" in client.get("/reports/monthly/2026-03").get_data(as_text=True)
    client.post("/reports/monthly/2026-03", data={"analysis": "定稿内容", "finalize": "1"})
    late = client.post("/reports/monthly/2026-03", data={"analysis": "改不了", "finalize": "0"})
    assert "已定稿" in late.get_data(as_text=True)
    empty = client.post("/reports/monthly/2026-02", data={"analysis": "   ", "finalize": "0"})
    assert "不能为空" in empty.get_data(as_text=True)


def test_report_permissions(march, client, login_as, make_user):
    login_as(make_user("handler"))
    assert client.get("/reports/monthly/2026-03").status_code == 403
    assert client.get("/reports/monthly/2026-03.pdf").status_code == 403


def test_hot_topics_from_real_looking_demands():
    texts = ["井下班中餐送到工作面时已经凉了，希望更换保温餐箱。", "班中餐能不能增加面食？",
             "希望班中餐保温，井下太冷。", "劳保鞋的尺码不全。", "劳保鞋质量差，穿两个月就坏。"]
    top = hot_topics(texts, top=3)
    assert top[0] == ("班中餐", 3)
    assert ("劳保鞋", 2) in top and ("井下", 2) in top
    words = {word for text in texts for word in segment(text)}
    assert not words & {"希望", "能不能", "已经", "时"}
    assert "班中餐" in segment("井下班中餐") and "三违" in segment("近期三违人员座谈")


def test_a_tier_is_missed_only_after_its_scheduled_date(make_user, lead_user, tier, clock):
    """On the 2nd nobody is flagged for a session planned later; after the date passes unheld, it is."""
    from facilitation.reports.queries import monthly_figures as figures_of
    organizer = make_user("organizer")
    clock.shanghai(2026, 12, 2, 9)
    create_meeting(organizer, {"title": "职工慧谈", "kind": "regular", "tier_id": tier.id,
                               "starts_at": shanghai(2026, 12, 18, 15)})
    db.session.commit()
    early = " ".join(str(r["text"]) for r in figures_of(2026, 12)["risks"])
    assert "没有召开" not in early  # nothing is late yet on the 2nd
    clock.shanghai(2026, 12, 20, 9)
    later = " ".join(str(r["text"]) for r in figures_of(2026, 12)["risks"])
    assert "职工层级的慧谈原定于 12-18 召开，至今没有召开" in later
    assert "党员层级本月没有召开慧谈" not in later  # nothing scheduled, but December is not over
    clock.shanghai(2027, 1, 2, 9)
    after = " ".join(str(r["text"]) for r in figures_of(2026, 12)["risks"])
    assert "党员层级本月没有召开慧谈" in after
