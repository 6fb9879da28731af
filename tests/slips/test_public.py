"""The public board (公示栏): replied and closed slips of the month, readable without a login,
never a submitter's name (named, anonymous or hidden), never focus-person data; and how it
looks on a phone in Chromium."""
import os
from datetime import datetime, timedelta, timezone

from facilitation.extensions import db
from facilitation.live.services import join_meeting, submit_item, transfer_item
from facilitation.people.models import Person
from facilitation.timeutil import local_today, month_bounds


def _focus_person_slip(world):
    person = Person(employee_no="YB200731", name="刘重点", post="采煤机司机", is_focus=True,
                    focus_reason="家庭困难，妻子重病")
    db.session.add(person)
    db.session.commit()
    participant = join_meeting(world.meeting.join_code, employee_no="YB200731")
    item, _ = submit_item(world.meeting, client_id="focus-0001", kind="difficulty", text="孩子上学接送困难",
                          participant=participant)
    slip = transfer_item(world.lead, item, world.department.id, local_today() + timedelta(days=3))
    db.session.commit()
    return slip


def test_board_shows_this_months_replies_and_only_the_names_the_phone_promised(world, client):
    named = world.advance(world.new_slip(text="井口候车室没有暖气", name="王建国"), "replied")
    anonymous = world.advance(world.new_slip(text="班长分配任务不公平", anonymity="anonymous", name="周匿名"), "closed")
    hidden = world.advance(world.new_slip(text="有人代打卡", anonymity="hidden_identity", name="赵秘密"), "replied")
    focus = world.advance(_focus_person_slip(world), "replied")
    waiting = world.new_slip(text="还在等签收的事项")
    working = world.advance(world.new_slip(text="正在办理的事项"), "accepted")

    response = client.get("/public/slips")  # no login
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for slip in (named, anonymous, hidden):
        assert slip.number in page and slip.item.text in page
    assert "已更换保温餐箱" in page and "《井下送餐管理办法》" in page
    # 实名 promised the name beside the person's own item; nobody else's name ever shows
    assert "—— 王建国" in page
    # a difficulty (illness, family) stays off the board until someone decides otherwise
    assert focus.number not in page and focus.item.text not in page
    for slip in (waiting, working):
        assert slip.number not in page and slip.item.text not in page
    for secret in ("周匿名", "赵秘密", "刘重点", "YB200731", "家庭困难", "妻子重病", "重点", "采煤机司机"):
        assert secret not in page, secret


def test_the_organizer_publishes_a_summary_instead_of_a_personal_text(world, client, api):
    from facilitation.audit.models import AuditEvent
    focus = world.advance(_focus_person_slip(world), "replied")
    assert focus.item.publication == "withheld"
    refused = api(world.handler).post(f"/slips/{focus.id}", json={})
    assert refused.status_code in (403, 404, 405)
    response = client.post(f"/slips/{focus.id}", data={"action": "publication", "publication": "summary",
                                                      "public_summary": ""})
    assert response.status_code in (302, 401)  # not logged in: nothing happens
    from facilitation.slips import services
    import pytest
    from facilitation.errors import PermissionDenied, ValidationError
    with pytest.raises(PermissionDenied):
        services.set_publication(world.handler, focus, "full")
    with pytest.raises(ValidationError):
        services.set_publication(world.lead, focus, "summary", "  ")
    services.set_publication(world.organizer, focus, "summary", "一名职工反映子女上学接送困难")
    db.session.commit()
    page = client.get("/public/slips").get_data(as_text=True)
    assert focus.number in page and "一名职工反映子女上学接送困难" in page and "（摘要）" in page
    assert "孩子上学接送困难" not in page and "刘重点" not in page
    assert AuditEvent.query.filter_by(entity="slip", entity_id=focus.id, action="publication").count() == 1
    services.set_publication(world.organizer, focus, "withheld")
    db.session.commit()
    assert focus.number not in client.get("/public/slips").get_data(as_text=True)


def test_a_fully_anonymous_submitter_finds_the_reply_by_slip_number(world, client):
    hidden = world.advance(world.new_slip(text="有人代打卡", anonymity="hidden_identity", name="赵秘密"), "replied")
    page = client.get(f"/public/slips?number={hidden.number}").get_data(as_text=True)
    assert hidden.item.text in page and "已更换保温餐箱" in page and "赵秘密" not in page
    waiting = world.new_slip(text="还没答复", anonymity="hidden_identity")
    page = client.get(f"/public/slips?number={waiting.number}").get_data(as_text=True)
    assert "还没有答复" in page and "还没答复" not in page


def test_board_is_per_month(world, client):
    old = world.advance(world.new_slip(text="上个月答复的事项"), "replied")
    first_of_month, _ = month_bounds(local_today().year, local_today().month)
    old.replied_at = first_of_month - timedelta(days=2)
    old.issued_at = first_of_month - timedelta(days=5)
    db.session.commit()
    current = world.advance(world.new_slip(text="本月答复的事项"), "replied")

    this_month = client.get("/public/slips").get_data(as_text=True)
    assert current.number in this_month and old.number not in this_month
    last = (first_of_month - timedelta(days=2)).astimezone(timezone(timedelta(hours=8)))
    previous = client.get(f"/public/slips?month={last:%Y-%m}").get_data(as_text=True)
    assert old.number in previous and current.number not in previous and f"{last:%Y-%m}" in previous
    for bad in ("2026-13", "abc", "1900-01"):
        response = client.get(f"/public/slips?month={bad}")
        assert response.status_code == 200 and current.number in response.get_data(as_text=True), bad


def test_board_at_the_shanghai_month_boundary(world, client):
    """A reply at 23:30 UTC on the last day of a month is already the next month in Shanghai."""
    slip = world.advance(world.new_slip(text="跨月答复"), "replied")
    slip.replied_at = datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc)  # 2026-11-01 00:30 in Shanghai
    db.session.commit()
    assert slip.number in client.get("/public/slips?month=2026-11").get_data(as_text=True)
    assert slip.number not in client.get("/public/slips?month=2026-10").get_data(as_text=True)


def test_board_on_a_phone(world, live_server, browser, screenshot_dir):
    world.advance(world.new_slip(text="井口候车室冬天没有暖气，夜班职工等车时很冷，希望尽快加装暖风机。"), "replied")
    world.advance(world.new_slip(text="更衣室柜子不够用", anonymity="anonymous", name="周匿名"), "closed")
    slip = world.new_slip(text="澡堂热水供应时间太短")
    world.advance(slip, "replied")
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/public/slips")
        assert page.locator("article.public-slip").count() == 3
        assert "周匿名" not in page.content()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the board scrolls sideways by {overflow}px on a phone"
        page.screenshot(path=os.path.join(screenshot_dir, "slips-public-board-390.png"), full_page=True)
    finally:
        context.close()


def test_board_has_pages(world, client, monkeypatch):
    monkeypatch.setattr("facilitation.slips.views.PUBLIC_PAGE_SIZE", 1)
    older = world.advance(world.new_slip(text="第一件"), "replied")
    newer = world.advance(world.new_slip(text="第二件"), "replied")
    first = client.get("/public/slips").get_data(as_text=True)
    assert newer.number in first and older.number not in first and "共 2 件" in first
    second = client.get("/public/slips?page=2").get_data(as_text=True)
    assert older.number in second and newer.number not in second
