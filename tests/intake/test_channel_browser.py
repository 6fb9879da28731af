"""The channel page in real Chromium against the real server: the meeting phone page's guarantees
through the shared component (offline → reload → online: each item exactly once; a lost answer is
retried and stored once; a refused item keeps its text and reason), full anonymity sends nothing
about the sender, "我的事项" with follow links; and screenshots of the pages of issue 12."""
import os
import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from facilitation.extensions import db
from facilitation.live.models import Item
from facilitation.timeutil import local_today

from conftest import PASSWORD

WAIT = 20_000
ITEMS_ROUTE = "**/api/v1/channels/*/items*"


def phone_context(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               device_scale_factor=2, locale="zh-CN")


def stored(channel_id):
    db.session.rollback()
    return Item.query.filter_by(channel_id=channel_id).order_by(Item.id).all()


@pytest.fixture
def channel(make_user):
    from facilitation.intake.services import create_channel
    organizer = make_user("organizer", username="dangqun", display_name="王艳丽")
    made = create_channel(organizer, {"name": "职工食堂", "invitation": "食堂里的事，扫一扫就能说"})
    db.session.commit()
    made.organizer = organizer
    return made


def submit(page, kind, text, anonymity="named"):
    page.click(f"label.ph-kind:has(input[value={kind}])")
    page.fill("#item-text", text)
    page.click(f"label.ph-choice:has(input[value={anonymity}])")
    page.click("#item-submit")


def test_offline_reload_online_each_item_exactly_once(browser, live_server, channel):
    context = phone_context(browser)
    texts = ["食堂晚班的饭菜品种太少，希望增加面食。", "女职工澡堂开放时间能否延长到晚上十点？"]
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/c/{channel.code}")
        expect(page.locator(".ph-head-title")).to_contain_text("职工食堂")
        expect(page.locator("#identity")).to_be_visible()
        page.fill("#id-name", "段伟")
        page.fill("#id-employee-no", "YB30001")
        context.route(ITEMS_ROUTE, lambda route: route.abort("internetdisconnected"))
        submit(page, "demand", texts[0])
        submit(page, "demand", texts[1])
        expect(page.locator("#mine .ph-pending")).to_have_count(2)
        expect(page.locator("#mine .ph-pending").first).to_contain_text("等待发送")
        assert stored(channel.id) == []

        page.reload()  # the page itself still loads; the items wait in the outbox
        expect(page.locator("#mine .ph-pending")).to_have_count(2)
        assert page.evaluate(f"JSON.parse(localStorage.getItem('huitan.outbox.c{channel.code}')).length") == 2
        assert stored(channel.id) == []
        expect(page.locator("#id-name")).to_have_value("段伟")  # remembered on this phone for next time

        context.unroute(ITEMS_ROUTE)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#mine .ph-pending")).to_have_count(0, timeout=WAIT)
        expect(page.locator("#mine .ph-item")).to_have_count(2, timeout=WAIT)
        items = stored(channel.id)
        assert sorted(i.text for i in items) == sorted(texts)
        assert all(i.submitter_name == "段伟" and i.submitter_employee_no == "YB30001" for i in items)
        assert page.evaluate(f"JSON.parse(localStorage.getItem('huitan.outbox.c{channel.code}')).length") == 0
        expect(page.locator("#mine a.ph-follow")).to_have_count(2)

        # a second reload shows the same two, with the server's status, once each
        page.reload()
        expect(page.locator("#mine .ph-item")).to_have_count(2)
        expect(page.locator("#mine .lv-status-open")).to_have_count(2, timeout=WAIT)
        assert len(stored(channel.id)) == 2
    finally:
        context.close()


def test_a_lost_answer_is_retried_and_stored_once_and_a_refusal_keeps_its_text(browser, live_server, channel):
    context = phone_context(browser)
    lost, refused = [], []

    def flaky(route):
        if route.request.method != "POST":
            route.fallback()
        elif not lost:
            route.fetch()  # the server stores it …
            lost.append(route.request.post_data_json["client_id"])
            route.abort("connectionreset")  # … but the phone never hears back
        elif route.request.post_data_json["client_id"] != lost[0] and not refused:
            refused.append(route.request.post_data_json["client_id"])
            route.fulfill(status=400, content_type="application/json",
                          body='{"error": {"code": "empty_text", "message": "内容不能为空。"}}')
        else:
            route.fallback()

    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/c/{channel.code}")
        context.route(ITEMS_ROUTE, flaky)
        submit(page, "question", "扣税为什么比上个月多了？", anonymity="hidden_identity")
        expect(page.locator("#mine .ph-item[data-id]")).to_have_count(1, timeout=WAIT)
        submit(page, "demand", "这一条会被拒绝", anonymity="hidden_identity")
        rejected = page.locator("#mine .ph-rejected")
        expect(rejected).to_have_count(1, timeout=WAIT)
        expect(rejected.locator(".ph-error-line")).to_contain_text("内容不能为空")
        items = stored(channel.id)
        assert len(items) == 1 and items[0].client_id == lost[0]
        rejected.locator("button").first.click()
        expect(page.locator("#item-text")).to_have_value("这一条会被拒绝")
        # the refused one never became one of "my items"
        assert page.evaluate("JSON.parse(localStorage.getItem('huitan.mine')).length") == 1
    finally:
        context.close()


def test_full_anonymity_sends_nothing_about_the_sender(browser, live_server, channel):
    context = phone_context(browser)
    bodies = []
    try:
        page = context.new_page()
        page.on("request", lambda request: bodies.append(request.post_data_json)
                if request.method == "POST" and "/items" in request.url else None)
        page.goto(f"{live_server.url}/c/{channel.code}")
        # 实名 without a name or 工号: the page asks for one, nothing is sent
        submit(page, "demand", "宿舍楼顶的喇叭太响")
        expect(page.locator("#form-error")).to_contain_text("请填写姓名或工号")
        assert bodies == []
        page.fill("#id-name", "黄占超")
        page.fill("#id-phone", "13912345678")
        page.click("label.ph-choice:has(input[value=hidden_identity])")
        expect(page.locator("#identity")).to_be_hidden()
        submit(page, "demand", "宿舍楼顶的喇叭太响", anonymity="hidden_identity")
        expect(page.locator("#mine .ph-item[data-id]")).to_have_count(1, timeout=WAIT)
        assert len(bodies) == 1 and not ({"name", "employee_no", "phone"} & set(bodies[0]))
        item = stored(channel.id)[0]
        assert (item.submitter_name, item.contact_phone, item.follow_token) == (None, None, None)
        expect(page.locator("#mine")).to_contain_text("完全匿名")
        expect(page.locator("#mine a.ph-follow")).to_have_count(0)
    finally:
        context.close()


def test_my_items_follow_the_answers_and_slips(browser, live_server, channel, make_department):
    """After triage the phone's list shows the answer, and a fully anonymous item its slip number
    with the way to the public board."""
    from facilitation.live import services as live_services
    department = make_department("后勤管理部")
    context = phone_context(browser)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/c/{channel.code}")
        page.fill("#id-name", "李运芳")
        submit(page, "question", "饭卡补贴每月几号发？")
        submit(page, "demand", "食堂排队太长，能否多开一个窗口？", anonymity="hidden_identity")
        expect(page.locator("#mine .ph-item[data-id]")).to_have_count(2, timeout=WAIT)
        question, demand = stored(channel.id)
        live_services.answer_item(channel.organizer, question, "每月10日随工资发放")
        slip = live_services.transfer_item(channel.organizer, demand, department.id, local_today() + timedelta(days=3))
        db.session.commit()
        page.reload()
        expect(page.locator("#mine")).to_contain_text("每月10日随工资发放", timeout=WAIT)
        link = page.locator("#mine a.ph-follow", has_text=slip.number)
        expect(link).to_have_attribute("href", f"/public/slips?number={slip.number}")
    finally:
        context.close()


# ------------------------------------------------------------------ screenshots of issue 12

def _log_in(context, server, user):
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_screenshots(browser, live_server, channel, make_department, make_user, screenshot_dir, tmp_path):
    """The channel page at 390×844, the triage inbox, the public summary (page and PDF) and the
    A4 poster (PDF as PNG), for a person to look at."""
    from facilitation.intake.services import (create_channel, dispatch_item, mark_urgent, pick_for_summary,
                                              submit_channel_item)
    from facilitation.live import services as live_services
    from facilitation.slips import services as slip_services
    department = make_department("后勤管理部")
    hr = make_department("人力资源部")
    handler = make_user("handler", username="hq", department=department, display_name="后勤承办人")
    viewer = make_user("viewer", username="shuji", display_name="张毅")
    dorm = create_channel(channel.organizer, {"name": "2号宿舍楼"})
    db.session.commit()
    phone = phone_context(browser)
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = phone.new_page()
        page.goto(f"{live_server.url}/c/{channel.code}")
        page.screenshot(path=os.path.join(screenshot_dir, "channel-390-empty.png"), full_page=True)
        page.fill("#id-name", "段伟")
        page.fill("#id-phone", "13912345678")
        submit(page, "demand", "女职工澡堂开放时间太短，夜班下班后洗不上澡，希望延长到晚上十点。")
        submit(page, "question", "饭卡补贴每月几号发？", anonymity="anonymous")
        expect(page.locator("#mine .ph-item[data-id]")).to_have_count(2, timeout=WAIT)
        page.screenshot(path=os.path.join(screenshot_dir, "channel-390.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=os.path.join(screenshot_dir, "channel-390-viewport.png"))

        texts = [("2号宿舍6楼楼顶喇叭太响，夜班工人白天睡不好。", "生活", "named"),
                 ("综掘二区会议室空调不制冷，班前会热得受不了。", "后勤", "anonymous"),
                 ("工资条上的扣税项目看不明白，希望有人解释。", "薪酬", "hidden_identity")]
        for n, (text, category, anonymity) in enumerate(texts):
            submit_channel_item(
                dorm, client_id=f"shot-{n:04d}-abcd", kind="demand", text=text, anonymity=anonymity,
                category=category, name="李运芳" if anonymity != "hidden_identity" else None)
        db.session.commit()
        items = stored(dorm.id)
        mark_urgent(channel.organizer, items[0])
        dispatch_item(viewer, items[2], hr.id, "请人力资源部把扣税依据讲清楚，并电话回复职工")
        db.session.commit()
        first = stored(channel.id)[0]
        slip = live_services.transfer_item(channel.organizer, first, department.id, local_today() + timedelta(days=5))
        slip_services.accept_slip(handler, slip)
        slip_services.reply_slip(handler, slip, "女职工澡堂自下周一起开放到晚上十点，夜班另设热水时段。",
                                 "后勤管理部《浴室管理办法》（2026年修订）")
        db.session.commit()
        slip_services.record_callback(channel.organizer, slip, caller="党群工作部 王艳丽",
                                      summary="告知澡堂延长开放的安排", reaction="understood", reaction_note="这下方便了")
        pick_for_summary(channel.organizer, local_today().strftime("%Y-%m"), slip, True)
        db.session.commit()
        second = stored(channel.id)[1]
        live_services.answer_item(channel.organizer, second, "每月10日随工资一并发放。")
        db.session.commit()

        staff = _log_in(desktop, live_server, channel.organizer)
        staff.goto(f"{live_server.url}/intake/")
        expect(staff.locator(".intake-item")).to_have_count(2)
        staff.screenshot(path=os.path.join(screenshot_dir, "intake-inbox-1280.png"), full_page=True)
        staff.goto(f"{live_server.url}/intake/?status=all")
        staff.screenshot(path=os.path.join(screenshot_dir, "intake-inbox-all-1280.png"), full_page=True)
        staff.goto(f"{live_server.url}/slips/{slip.id}")
        staff.screenshot(path=os.path.join(screenshot_dir, "slip-callbacks-1280.png"), full_page=True)
        staff.goto(f"{live_server.url}/channels/{channel.id}")
        staff.screenshot(path=os.path.join(screenshot_dir, "channel-edit-1280.png"), full_page=True)
        phone_staff = _log_in(phone, live_server, channel.organizer)
        phone_staff.goto(f"{live_server.url}/intake/")
        phone_staff.screenshot(path=os.path.join(screenshot_dir, "intake-inbox-390.png"), full_page=True)

        month = local_today().strftime("%Y-%m")
        public = desktop.new_page()
        public.goto(f"{live_server.url}/public/summary/{month}")
        expect(public.locator(".summary-pick")).to_have_count(1)
        public.screenshot(path=os.path.join(screenshot_dir, "public-summary-1280.png"), full_page=True)
        public_phone = phone.new_page()
        public_phone.goto(f"{live_server.url}/public/summary/{month}")
        public_phone.screenshot(path=os.path.join(screenshot_dir, "public-summary-390.png"), full_page=True)

        for url, name in ((f"/public/summary/{month}.pdf", "public-summary-pdf"),
                          (f"/channels/{channel.id}/poster.pdf", "poster-pdf")):
            response = staff.request.get(live_server.url + url)
            assert response.status == 200 and response.body().startswith(b"%PDF")
            pdf = tmp_path / f"{name}.pdf"
            pdf.write_bytes(response.body())
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf),
                            os.path.join(screenshot_dir, name)], check=True)
    finally:
        phone.close()
        desktop.close()


def test_a_logged_in_organizer_can_try_the_page_with_csrf_on(browser, live_server, channel):
    """The API asks a cookie session for its CSRF token: the page sends it when someone is logged in."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = _log_in(context, live_server, channel.organizer)
        page.goto(f"{live_server.url}/c/{channel.code}")
        page.fill("#id-name", "王艳丽")
        submit(page, "suggestion", "试一试：建议食堂门口加装洗手池。")
        expect(page.locator("#mine .ph-item[data-id]")).to_have_count(1, timeout=WAIT)
        assert [i.text for i in stored(channel.id)] == ["试一试：建议食堂门口加装洗手池。"]
    finally:
        context.close()
