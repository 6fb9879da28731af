"""In real Chromium against the real server: the lead approves a proposal on a 390×844 phone and
on a desktop; a phone turned away at the door is pointed to 一码通. Screenshots in screenshots/."""
import os
from datetime import datetime

import pytest
from playwright.sync_api import expect

from facilitation.extensions import db
from facilitation.scheduling.models import Meeting
from facilitation.timeutil import SHANGHAI

from conftest import PASSWORD

WAIT = 20_000


def log_in(context, server, user):
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def phone(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               device_scale_factor=2, locale="zh-CN")


def stored(meeting_id):
    db.session.rollback()  # end the test's read snapshot: the server wrote
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id)


@pytest.fixture
def planned(make_regular, make_roster, tier):
    people = make_roster(tier, 16, focus=(5,))
    meeting = make_regular(starts_at=datetime(2030, 3, 12, 15, tzinfo=SHANGHAI))
    return meeting, people


def test_lead_swaps_and_approves_on_a_phone(browser, live_server, lead_user, planned, screenshot_dir):
    meeting, people = planned
    context = phone(browser)
    page = log_in(context, live_server, lead_user)
    page.goto(f"{live_server.url}/meetings/{meeting.id}/participants")
    expect(page.locator("#list-state")).to_contain_text("系统按轮换规则建议的名单")
    checked = page.locator("input[name=person_id]:checked")
    expect(checked).to_have_count(10)
    expect(page.locator("#pick-count")).to_have_text("10")
    first = page.locator("li.pick").first
    expect(first).to_contain_text("重点人员（三必谈五必访）")  # the focus person leads the list
    page.screenshot(path=os.path.join(screenshot_dir, "approval-phone-390.png"))
    # swap: drop the last proposed person, take the first alternate
    dropped = checked.nth(9).get_attribute("value")
    checked.nth(9).uncheck()
    alternates = page.locator("input[name=person_id]:not(:checked)")
    taken = alternates.nth(1).get_attribute("value")  # nth(0) is the one just dropped
    alternates.nth(1).check()
    expect(page.locator("#pick-count")).to_have_text("10")
    # one more is over the cap: the buttons wait until it is fixed
    extra_value = page.locator("input[name=person_id]:not(:checked)").nth(2).get_attribute("value")
    extra = page.locator(f"input[name=person_id][value='{extra_value}']")
    extra.check()
    expect(page.locator("#pick-count")).to_have_text("11")
    expect(page.locator("#pick-over")).to_be_visible()
    expect(page.locator("#approve-list")).to_be_disabled()
    extra.uncheck()
    expect(page.locator("#approve-list")).to_be_enabled()
    page.locator("#approve-list").tap()
    expect(page.locator("#list-state")).to_contain_text("名单已于", timeout=WAIT)
    expect(page.locator(".flash-success")).to_contain_text("名单已批准")
    page.screenshot(path=os.path.join(screenshot_dir, "approval-phone-390-approved.png"))
    meeting = stored(meeting.id)
    chosen = {str(p.person_id) for p in meeting.invited}
    assert meeting.is_list_approved and meeting.participants_approved_by_id == lead_user.id
    assert len(chosen) == 10 and taken in chosen and dropped not in chosen
    # the bar stays reachable on a phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_organizer_prepares_and_the_lead_approves_on_a_desktop(browser, live_server, organizer, lead_user, planned,
                                                                 screenshot_dir):
    meeting, people = planned
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = log_in(context, live_server, organizer)
    page.goto(f"{live_server.url}/meetings/{meeting.id}/participants")
    expect(page.locator("#approve-list")).to_have_count(0)  # organizers prepare, they do not approve
    page.screenshot(path=os.path.join(screenshot_dir, "proposal-desktop-1280.png"), full_page=True)
    page.click("#save-list")
    expect(page.locator("#list-state")).to_contain_text("等待牵头人审核批准", timeout=WAIT)
    assert not stored(meeting.id).is_list_approved and len(stored(meeting.id).invited) == 10
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = log_in(context, live_server, lead_user)
    page.goto(f"{live_server.url}/meetings/{meeting.id}")
    page.click("text=参会名单与审核")
    page.click("#approve-list")
    expect(page.locator("#list-state")).to_contain_text("名单已于", timeout=WAIT)
    notice = page.request.get(f"{live_server.url}/meetings/{meeting.id}/notice.pdf")
    assert notice.status == 200 and notice.body()[:5] == b"%PDF-"
    page.screenshot(path=os.path.join(screenshot_dir, "approval-desktop-1280.png"), full_page=True)
    assert stored(meeting.id).is_list_approved
    context.close()


def test_a_phone_turned_away_is_pointed_to_the_standing_channel(browser, live_server, organizer, lead_user, planned,
                                                                screenshot_dir):
    from facilitation.scheduling.services import approve_participants, set_participants, start_meeting
    meeting, people = planned
    set_participants(lead_user, meeting, [p.id for p in people[:10]])
    approve_participants(lead_user, meeting)
    start_meeting(organizer, meeting)
    db.session.commit()
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{live_server.url}/j/{meeting.join_code}")
    expect(page.locator("#join-view")).to_be_visible(timeout=WAIT)
    expect(page.locator("#join-turned-away")).to_be_hidden()
    page.fill("#join-employee-no", people[12].employee_no)
    page.click("#join-submit")
    expect(page.locator("#join-error")).to_contain_text("不在名单中", timeout=WAIT)
    expect(page.locator("#join-turned-away")).to_be_visible()
    expect(page.locator("#join-turned-away")).to_contain_text("一码通")
    page.screenshot(path=os.path.join(screenshot_dir, "phone-390-not-invited.png"))
    page.fill("#join-employee-no", people[0].employee_no)
    page.click("#join-submit")
    expect(page.locator("#main-view")).to_be_visible(timeout=WAIT)
    context.close()
