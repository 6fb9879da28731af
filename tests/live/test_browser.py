"""The live pages in real Chromium against the real server: join from a phone, submit,
see it on the board; outbox across network loss and reloads; text never runs as HTML;
staff actions on the board; closing; catching up after a server restart; screenshots."""
import os
import re
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect

from facilitation.extensions import db
from facilitation.live import services as live_services
from facilitation.live.models import Item
from facilitation.scheduling.models import Meeting
from facilitation.timeutil import local_today

from conftest import PASSWORD, ServerProcess

WAIT = 20_000  # ms: upper bound for things that happen "soon" (live events, retries)
PHONE_UA = ("Mozilla/5.0 (Linux; Android 10; V1916A Build/QP1A.190711.020; wv) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 "
            "Mobile Safari/537.36 MMWEBID/1234 MicroMessenger/8.0.28.2240(0x28001C57) WeChat/arm64 "
            "Weixin NetType/WIFI Language/zh_CN ABI/arm64")


# ------------------------------------------------------------------ helpers

@pytest.fixture
def make_person(tier):
    from facilitation.people.models import Unit
    from facilitation.people.services import create_unit, save_person

    def make(employee_no, name):
        unit = Unit.query.first() or create_unit("综采一队")
        person = save_person(None, {"employee_no": employee_no, "name": name, "tier_id": tier.id,
                                    "unit_id": unit.id})
        db.session.commit()
        return person
    return make


def fresh_items(meeting):
    """The meeting's items as the server stored them (ends the test's own read snapshot)."""
    db.session.rollback()
    return Item.query.filter_by(meeting_id=meeting.id).order_by(Item.seq).all()


def board_context(browser, width=1920, height=1080):
    return browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")


def phone_context(browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               device_scale_factor=2, user_agent=PHONE_UA, locale="zh-CN")


def log_in(context, server, user):
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def open_board(context, server, user, meeting, query=""):
    page = log_in(context, server, user)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{server.url}/meetings/{meeting.id}/board{query}")
    expect(page.locator("#conn")).to_have_class("conn conn-online", timeout=WAIT)
    return page


def join_phone(context, server, meeting, employee_no="", name=""):
    page = context.new_page()
    page.goto(f"{server.url}/j/{meeting.join_code}")
    page.fill("#join-employee-no", employee_no)
    page.fill("#join-name", name)
    page.click("#join-submit")
    expect(page.locator("#main-view")).to_be_visible()
    return page


def submit_item(phone, kind, text, anonymity="named"):
    phone.click(f"label.ph-kind:has(input[value={kind}])")
    phone.fill("#item-text", text)
    phone.click(f"label.ph-choice:has(input[value={anonymity}])")
    phone.click("#item-submit")


def card(board, text):
    return board.locator(".bd-card", has=board.locator(".bd-text", has_text=text))


def http_submit(server, meeting, kind, text):
    """Raise an item through the running server (so that it broadcasts), as a guest phone would."""
    joined = requests.post(f"{server.url}/api/v1/join/{meeting.join_code}", json={"name": "HTTP 测试"}, timeout=10)
    assert joined.status_code == 200, joined.text
    response = requests.post(f"{server.url}/api/v1/meetings/{meeting.id}/items", timeout=10,
                             headers={"Authorization": "Bearer " + joined.json()["participant_token"]},
                             json={"client_id": os.urandom(8).hex(), "kind": kind, "text": text})
    assert response.status_code == 201, response.text


def staff_submit(meeting, user, kind, text, **kw):
    """Store an item directly through the service (no server involved, so no live event)."""
    item, _created = live_services.submit_item(meeting, client_id=os.urandom(8).hex(), kind=kind, text=text,
                                               staff=user, **kw)
    db.session.commit()
    return item


# ------------------------------------------------------------------ join, submit, see it on the board

def test_phone_joins_submits_and_the_board_shows_it(browser, live_server, make_meeting, make_person, lead_user):
    meeting = make_meeting()
    person = make_person("ZM10086", "王建国")
    board_ctx, phone_ctx = board_context(browser), phone_context(browser)
    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        phone = phone_ctx.new_page()
        phone.goto(f"{live_server.url}/j/{meeting.join_code}")
        # A wrong name for a roster 工号 is refused with a clear message.
        phone.fill("#join-employee-no", person.employee_no)
        phone.fill("#join-name", "王健国")
        phone.click("#join-submit")
        expect(phone.locator("#join-error")).to_contain_text("工号与姓名不一致")
        phone.fill("#join-name", person.name)
        phone.click("#join-submit")
        expect(phone.locator("#who-name")).to_have_text("王建国")
        expect(phone.locator("#who-guest")).to_be_hidden()

        # The counter counts characters, not bytes or UTF-16 units; over the limit is refused here.
        phone.fill("#item-text", "😀" * 10)
        expect(phone.locator("#counter")).to_have_text("10")
        phone.fill("#item-text", "煤" * 501)
        expect(phone.locator("#counter")).to_have_text("501")
        submit_item(phone, "question", "煤" * 501)
        expect(phone.locator("#form-error")).to_contain_text("不能超过 500 个字")
        phone.reload()  # the kind choice is cleared below by a fresh page

        text = "井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。"
        phone.fill("#item-text", text)
        expect(phone.locator("#counter")).to_have_text(str(len(text)))
        phone.click("#item-submit")
        expect(phone.locator("#form-error")).to_contain_text("请选择类型")
        submit_item(phone, "demand", text)

        mine = phone.locator("#mine .ph-item[data-seq]")
        expect(mine).to_have_count(1, timeout=WAIT)
        expect(phone.locator("#form-ok")).to_contain_text("已提交")
        expect(mine.first).to_contain_text(text)
        expect(mine.first).to_contain_text("待处理")
        expect(card(board, text)).to_have_count(1, timeout=WAIT)
        expect(card(board, text)).to_contain_text("王建国")
        expect(board.locator("#count-total")).to_have_text("1")
        expect(board.locator("#count-demand")).to_have_text("1")

        items = fresh_items(meeting)
        assert [(i.kind, i.text, i.submitter_name) for i in items] == [("demand", text, "王建国")]
        assert items[0].participant.person_id == person.id

        # The board answers; the phone sees the outcome of its own item live.
        card(board, text).locator("button[data-action=answer]").click()
        board.fill("#f-answer", "后勤管理部本周内更换保温餐箱。")
        board.click("#dialog-submit")
        expect(mine.first).to_contain_text("后勤管理部本周内更换保温餐箱。", timeout=WAIT)
        expect(mine.first).to_contain_text("已现场答复")
    finally:
        board_ctx.close()
        phone_ctx.close()


def test_guest_and_anonymous_items_show_no_name_and_votes_count_once(browser, live_server, make_meeting, lead_user):
    meeting = make_meeting()
    meeting.allow_nameless = True
    db.session.commit()
    board_ctx, phone_a_ctx, phone_b_ctx = board_context(browser), phone_context(browser), phone_context(browser)
    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        phone_a = join_phone(phone_a_ctx, live_server, meeting, name="李四")
        expect(phone_a.locator("#who-guest")).to_be_visible()
        submit_item(phone_a, "difficulty", "家住县城，通勤班车太晚，赶不上早班点名。", anonymity="anonymous")
        expect(phone_a.locator("#mine .ph-item[data-seq]")).to_have_count(1, timeout=WAIT)

        phone_b = phone_b_ctx.new_page()
        phone_b.goto(f"{live_server.url}/j/{meeting.join_code}")
        phone_b.click("#join-nameless")
        expect(phone_b.locator("#who-name")).to_have_text("未署名参会人")
        other = phone_b.locator("#others .ph-item", has_text="通勤班车")
        expect(other).to_contain_text("匿名", timeout=WAIT)
        expect(other).not_to_contain_text("李四")
        other.locator(".ph-vote").click()
        expect(other.locator(".ph-vote")).to_contain_text("已 +1 · 1", timeout=WAIT)
        expect(other.locator(".ph-vote")).to_be_disabled()
        phone_b.reload()
        expect(phone_b.locator("#others .ph-item", has_text="通勤班车").locator(".ph-vote")).to_be_disabled(
            timeout=WAIT)

        board_card = card(board, "通勤班车")
        expect(board_card.locator(".bd-votes")).to_have_text("+1", timeout=WAIT)
        expect(board_card).not_to_contain_text("李四")
        expect(phone_a.locator("#mine .ph-item[data-seq]").first).to_contain_text("赞同 1", timeout=WAIT)
        assert fresh_items(meeting)[0].votes == 1
    finally:
        board_ctx.close()
        phone_a_ctx.close()
        phone_b_ctx.close()


# ------------------------------------------------------------------ never lose, never duplicate

def test_items_survive_network_loss_and_a_reload_and_arrive_exactly_once(
        browser, live_server, make_meeting, make_person, lead_user):
    meeting = make_meeting()
    person = make_person("ZM20001", "孙建设")
    board_ctx, phone_ctx = board_context(browser), phone_context(browser)
    texts = ["建议在皮带机头加装急停拉线的反光标识。", "劳保鞋的尺码不全，42码以上经常缺货。"]
    items_route = "**/api/v1/meetings/*/items"
    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        phone = join_phone(phone_ctx, live_server, meeting, person.employee_no, person.name)
        phone_ctx.route(items_route, lambda route: route.abort("internetdisconnected"))
        submit_item(phone, "suggestion", texts[0])
        submit_item(phone, "demand", texts[1])
        pending = phone.locator("#mine .ph-pending")
        expect(pending).to_have_count(2)
        expect(pending.first).to_contain_text("等待发送")
        assert fresh_items(meeting) == []

        # A reload (the page itself still loads) keeps both in the outbox.
        phone.reload()
        expect(phone.locator("#main-view")).to_be_visible()
        expect(phone.locator("#mine .ph-pending")).to_have_count(2)
        outbox = phone.evaluate(f"JSON.parse(localStorage.getItem('huitan.outbox.{meeting.id}')).length")
        assert outbox == 2
        assert fresh_items(meeting) == []

        phone_ctx.unroute(items_route)
        phone.evaluate("window.dispatchEvent(new Event('online'))")  # what the browser says when back
        expect(phone.locator("#mine .ph-item[data-seq]")).to_have_count(2, timeout=WAIT)
        expect(phone.locator("#mine .ph-pending")).to_have_count(0)
        for text in texts:
            expect(card(board, text)).to_have_count(1, timeout=WAIT)
        stored = fresh_items(meeting)
        assert sorted(i.text for i in stored) == sorted(texts)
        assert [i.seq for i in stored] == [1, 2]
        assert phone.evaluate(f"JSON.parse(localStorage.getItem('huitan.outbox.{meeting.id}')).length") == 0
    finally:
        board_ctx.close()
        phone_ctx.close()


def test_a_lost_response_is_retried_and_stored_once(browser, live_server, make_meeting, lead_user):
    meeting = make_meeting()
    board_ctx, phone_ctx = board_context(browser), phone_context(browser)
    lost = []

    def lose_first_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server stores the item ...
            lost.append(route.request.post_data_json["client_id"])
            route.abort("connectionreset")  # ... but the phone never hears back
        else:
            route.fallback()

    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        phone = join_phone(phone_ctx, live_server, meeting, name="周八")
        phone_ctx.route("**/api/v1/meetings/*/items", lose_first_answer)
        text = "夜班津贴的计算标准是什么时候调整的？"
        submit_item(phone, "question", text)
        expect(phone.locator("#mine .ph-item[data-seq]")).to_have_count(1, timeout=WAIT)
        expect(phone.locator("#mine .ph-pending")).to_have_count(0, timeout=WAIT)
        expect(card(board, text)).to_have_count(1, timeout=WAIT)
        stored = fresh_items(meeting)
        assert len(stored) == 1 and stored[0].client_id == lost[0]
    finally:
        board_ctx.close()
        phone_ctx.close()


def test_a_refused_item_leaves_the_outbox_with_its_reason_and_never_blocks_the_next(
        browser, live_server, make_meeting, lead_user):
    """A 4xx is final: the item leaves the outbox, the phone says why and keeps the text to edit;
    the items behind it are sent. Only network errors and 5xx are retried."""
    meeting = make_meeting()
    phone_ctx = phone_context(browser)
    refused = []

    def refuse_first(route):
        if route.request.method == "POST" and not refused:
            refused.append(route.request.post_data_json["client_id"])
            route.fulfill(status=400, content_type="application/json",
                          body='{"error": {"code": "invalid", "message": "内容含有不能保存的控制字符（NUL），请删除后重试。"}}')
        else:
            route.fallback()

    try:
        phone = join_phone(phone_ctx, live_server, meeting, name="吴九")
        phone_ctx.route("**/api/v1/meetings/*/items", refuse_first)
        submit_item(phone, "demand", "第一条：会被拒绝的事项")
        submit_item(phone, "demand", "第二条：应当正常提交")
        rejected = phone.locator("#mine .ph-rejected")
        expect(rejected).to_have_count(1, timeout=WAIT)
        expect(rejected.locator(".ph-error-line")).to_contain_text("控制字符")
        expect(phone.locator("#mine .ph-item[data-seq]")).to_have_count(1, timeout=WAIT)
        expect(phone.locator("#mine .ph-pending")).to_have_count(0, timeout=WAIT)
        stored = fresh_items(meeting)
        assert [i.text for i in stored] == ["第二条：应当正常提交"]
        # the refused text comes back into the form to be corrected, and is gone from the list
        rejected.locator("button").first.click()
        expect(phone.locator("#item-text")).to_have_value("第一条：会被拒绝的事项")
        expect(phone.locator("#mine .ph-rejected")).to_have_count(0)
        phone.reload()
        expect(phone.locator("#mine .ph-rejected")).to_have_count(0)
    finally:
        phone_ctx.close()


def test_after_the_meeting_the_phone_still_shows_my_items_and_their_links(
        browser, live_server, make_meeting, make_department, lead_user, screenshot_dir):
    """The follow links outlive the meeting: the closed page lists this phone's items with their
    links (or, for a fully anonymous item, its slip number on the public board), and the follow
    page lists the phone's other items."""
    meeting = make_meeting()
    department = make_department("后勤管理部")
    phone_ctx = phone_context(browser)
    try:
        phone = join_phone(phone_ctx, live_server, meeting, name="郑十")
        submit_item(phone, "question", "夜班班车几点发车？", anonymity="named")
        submit_item(phone, "demand", "澡堂热水只到晚上八点，夜班下井回来没有热水", anonymity="hidden_identity")
        expect(phone.locator("#mine .ph-item[data-seq]")).to_have_count(2, timeout=WAIT)
        named, hidden = fresh_items(meeting)
        due = (local_today() + timedelta(days=5)).isoformat()
        staff = requests.Session()
        token = _staff_token(lead_user)
        headers = {"Authorization": f"Bearer {token}"}
        assert staff.post(f"{live_server.url}/api/v1/items/{named.id}/answer", headers=headers,
                          json={"answer": "晚班车 23:40 发车"}, timeout=10).status_code == 200
        transferred = staff.post(f"{live_server.url}/api/v1/items/{hidden.id}/transfer", headers=headers,
                                 json={"department_id": department.id, "due_date": due}, timeout=10)
        assert transferred.status_code == 201
        number = transferred.json()["slip"]["number"]
        expect(phone.locator("#mine .lv-slip, #mine .ph-item").filter(has_text=number)).to_have_count(1, timeout=WAIT)
        assert staff.post(f"{live_server.url}/api/v1/meetings/{meeting.id}/close", headers=headers,
                          timeout=10).status_code == 200

        phone.goto(f"{live_server.url}/j/{meeting.join_code}")
        mine = phone.locator("#mine-list .ph-item")
        expect(mine).to_have_count(2, timeout=WAIT)
        expect(phone.locator("#mine-list")).to_contain_text("夜班班车几点发车？")
        public_link = phone.locator("#mine-list a", has_text=number)
        expect(public_link).to_have_attribute("href", re.compile(r"/public/slips\?number=" + number))
        phone.screenshot(path=os.path.join(screenshot_dir, "phone-390-after-close.png"), full_page=True)
        phone.locator("#mine-list a.ph-follow", has_text="我的办理进度").click()
        expect(phone.locator(".follow .item-text")).to_contain_text(re.compile("夜班班车|澡堂热水"))
        expect(phone.locator("#mine-list .ph-item")).to_have_count(1, timeout=WAIT)
        phone.screenshot(path=os.path.join(screenshot_dir, "phone-390-follow-page.png"), full_page=True)
    finally:
        phone_ctx.close()


def _staff_token(user):
    from facilitation.accounts.services import issue_api_token
    token = issue_api_token(user)
    db.session.commit()
    return token


# ------------------------------------------------------------------ user text is text

def test_html_in_items_is_shown_as_text_and_never_runs(browser, live_server, make_meeting, lead_user):
    meeting = make_meeting()
    board_ctx, phone_ctx, other_ctx = board_context(browser), phone_context(browser), phone_context(browser)
    payloads = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>"]
    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        phone = join_phone(phone_ctx, live_server, meeting, name="<b>钱九</b>")
        other = join_phone(other_ctx, live_server, meeting, name="吴十")
        for text in payloads:
            submit_item(phone, "question", text)
        for page, selector in ((phone, "#mine .ph-text"), (other, "#others .ph-text"), (board, ".bd-text")):
            for text in payloads:
                expect(page.locator(selector, has_text=text)).to_have_count(1, timeout=WAIT)
            assert page.locator(f"{selector} img, {selector} script, {selector} b").count() == 0
        expect(card(board, payloads[0])).to_contain_text("<b>钱九</b>")
        expect(phone.locator("#who-name")).to_have_text("<b>钱九</b>")
        for page in (phone, other, board):
            assert page.evaluate("window.__xss") is None
    finally:
        board_ctx.close()
        phone_ctx.close()
        other_ctx.close()


# ------------------------------------------------------------------ staff actions and closing

def test_board_actions_and_closing(browser, live_server, make_meeting, make_department, lead_user, screenshot_dir):
    meeting = make_meeting()
    department = make_department("后勤管理部")
    make_department("安监处")
    staff_submit(meeting, lead_user, "question", "夜班津贴怎么算？", submitter_name="张三")
    staff_submit(meeting, lead_user, "demand", "班中餐送到时是凉的。")
    staff_submit(meeting, lead_user, "suggestion", "建议取消周末例会。")
    staff_submit(meeting, lead_user, "question", "食堂的菜价能不能公示？")
    staff_submit(meeting, lead_user, "demand", "和本场无关的广告。")
    staff_submit(meeting, lead_user, "suggestion", "建议皮带机头加装反光标识。")
    staff_submit(meeting, lead_user, "demand", "班中餐总是凉的！")
    board_ctx, phone_ctx = board_context(browser), phone_context(browser)
    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        phone = join_phone(phone_ctx, live_server, meeting, name="郑一")
        expect(board.locator("#count-total")).to_have_text("7")

        def act(text, action):
            card(board, text).locator(f"button[data-action={action}]").click()
            expect(board.locator("#dialog")).to_be_visible()

        act("夜班津贴", "answer")
        board.click("#dialog-submit")
        expect(board.locator("#dialog-error")).to_have_text("请填写答复内容。")
        board.fill("#f-answer", "按每班30元执行。")
        board.click("#dialog-submit")
        expect(board.locator("#dialog")).to_be_hidden()
        expect(card(board, "夜班津贴")).to_contain_text("按每班30元执行。")
        expect(card(board, "夜班津贴")).to_contain_text("已现场答复")
        expect(card(board, "夜班津贴").locator(".bd-actions")).to_have_count(0)

        act("班中餐送到时", "transfer")
        board.select_option("#f-department", str(department.id))
        board.fill("#f-due", (local_today() + timedelta(days=5)).isoformat())
        board.click("#dialog-submit")
        expect(card(board, "班中餐送到时")).to_contain_text("HT-", timeout=WAIT)
        slip = next(i for i in fresh_items(meeting) if i.text.startswith("班中餐送到时")).slip
        assert slip is not None and slip.department_id == department.id
        expect(card(board, "班中餐送到时")).to_contain_text(slip.number)
        expect(card(board, "班中餐送到时")).to_contain_text("后勤管理部")

        # Decline is offered for suggestions only.
        expect(card(board, "食堂的菜价").locator("button[data-action=decline]")).to_have_count(0)
        act("取消周末例会", "decline")
        board.fill("#f-explanation", "周末例会是安全生产的必要环节，暂不取消。")
        board.click("#dialog-submit")
        expect(card(board, "取消周末例会")).to_contain_text("周末例会是安全生产的必要环节")
        expect(card(board, "取消周末例会")).to_contain_text("建议未采纳")

        act("和本场无关", "hide")
        board.fill("#f-reason", "与本场主题无关")
        board.click("#dialog-submit")
        expect(card(board, "和本场无关")).to_contain_text("与本场主题无关")
        expect(card(board, "和本场无关")).to_contain_text("已隐藏")
        expect(phone.locator("#others .ph-item")).to_have_count(6, timeout=WAIT)  # hidden: gone from phones

        act("反光标识", "adopt")
        board.select_option("#f-department", str(department.id))
        board.click("#dialog-submit")
        expect(card(board, "反光标识")).to_contain_text("建议已采纳")
        expect(card(board, "反光标识")).to_contain_text("HT-")

        act("班中餐总是凉的", "merge")
        board.fill("#f-target", "2")
        expect(board.locator("#f-target-preview")).to_have_text("班中餐送到时是凉的。")
        board.click("#dialog-submit")
        expect(card(board, "班中餐总是凉的")).to_contain_text("#2")

        # One item still open: closing is refused and the board lists it.
        board.click("#close-meeting")
        problem = board.locator("#close-problem")
        expect(problem).to_be_visible()
        expect(problem).to_contain_text("还有 1 条事项没有处理结果")
        expect(problem).to_contain_text("#4 食堂的菜价能不能公示？")
        board.screenshot(path=os.path.join(screenshot_dir, "board-close-blocked-1920.png"))
        db.session.rollback()
        assert db.session.get(Meeting, meeting.id).status == "live"

        act("食堂的菜价", "answer")
        board.fill("#f-answer", "下月起在食堂门口公示。")
        board.click("#dialog-submit")
        expect(card(board, "食堂的菜价")).to_contain_text("下月起在食堂门口公示。")
        board.click("#close-meeting")
        summary = board.locator("#summary-panel")
        expect(summary).to_be_visible(timeout=WAIT)
        expect(summary.locator(".bd-summary-total dd")).to_have_text("7")
        expect(summary.locator(".bd-summary-answered dd")).to_have_text("2")
        expect(summary.locator(".bd-summary-transferred dd")).to_have_text("1")
        expect(summary.locator(".bd-summary-adopted dd")).to_have_text("1")
        expect(summary.locator(".bd-summary-declined dd")).to_have_text("1")
        expect(summary.locator(".bd-summary-merged dd")).to_have_text("1")
        expect(summary.locator(".bd-summary-hidden dd")).to_have_text("1")
        expect(board.locator("#join-panel")).to_be_hidden()
        expect(board.locator(".bd-actions")).to_have_count(0)
        expect(phone.locator("#closed-banner")).to_be_visible(timeout=WAIT)
        expect(phone.locator("#item-submit")).to_be_disabled()
        db.session.rollback()
        assert db.session.get(Meeting, meeting.id).status == "closed"

        board.reload()
        expect(board.locator("#summary-panel")).to_be_visible(timeout=WAIT)
        expect(board.locator("#close-meeting")).to_be_hidden()
        expect(board.locator(".bd-card")).to_have_count(7, timeout=WAIT)  # set-aside ones too, for staff
        board.screenshot(path=os.path.join(screenshot_dir, "board-closed-1920.png"))
    finally:
        board_ctx.close()
        phone_ctx.close()


def test_staff_entry_and_moderation(browser, live_server, make_meeting, lead_user):
    meeting = make_meeting()
    meeting.is_moderated = True
    db.session.commit()
    board_ctx, present_ctx, phone_ctx = board_context(browser), board_context(browser), phone_context(browser)
    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        present = open_board(present_ctx, live_server, lead_user, meeting, "?present=1")
        phone = join_phone(phone_ctx, live_server, meeting, name="冯二")

        # Staff enter an item for someone without a phone: marked, and shown at once.
        board.click("#staff-entry-open")
        board.select_option("#f-entry-kind", "difficulty")
        board.fill("#f-entry-text", "老母亲住院，想申请调到白班。")
        board.fill("#f-entry-name", "陈五")
        board.click("#dialog-submit")
        expect(card(board, "老母亲住院")).to_contain_text("工作人员代录", timeout=WAIT)
        expect(card(board, "老母亲住院")).to_contain_text("陈五")
        expect(card(present, "老母亲住院")).to_have_count(1, timeout=WAIT)

        # A phone's item waits for approval: not on the board, not on the projector.
        submit_item(phone, "demand", "更衣室的热水经常不够用。")
        moderation = board.locator("#moderation")
        expect(moderation).to_contain_text("更衣室的热水", timeout=WAIT)
        expect(card(board, "更衣室的热水")).to_have_count(0)
        mine = phone.locator("#mine .ph-item[data-seq]")
        expect(mine).to_contain_text("待审核", timeout=WAIT)  # its author sees it is waiting
        moderation.locator("button.bd-act-approve").click()
        expect(card(board, "更衣室的热水")).to_have_count(1, timeout=WAIT)
        expect(card(present, "更衣室的热水")).to_have_count(1, timeout=WAIT)
        expect(moderation).to_be_hidden()
        expect(mine).to_contain_text("待处理", timeout=WAIT)
        expect(phone.locator("#others .ph-item", has_text="老母亲住院")).to_have_count(1)
        assert present.locator("#close-meeting, .bd-actions, .bd-toolbar, .topbar").count() == 0

        stored = fresh_items(meeting)
        assert [(i.text, i.entered_by_user_id, i.submitter_name) for i in stored][0] == \
            ("老母亲住院，想申请调到白班。", lead_user.id, "陈五")
    finally:
        board_ctx.close()
        present_ctx.close()
        phone_ctx.close()


# ------------------------------------------------------------------ server restart

def test_board_catches_up_after_a_server_restart_and_a_lost_event(browser, database_url, make_meeting, lead_user):
    meeting = make_meeting()
    server = ServerProcess(database_url).start()
    board_ctx = board_context(browser)
    try:
        board = open_board(board_ctx, server, lead_user, meeting)
        http_submit(server, meeting, "question", "重启之前的事项")
        expect(card(board, "重启之前的事项")).to_have_count(1, timeout=WAIT)

        server.stop()
        expect(board.locator("#conn")).to_have_class("conn conn-offline", timeout=WAIT)
        # Raised while the server was down (e.g. by another process): no event will ever say so.
        staff_submit(meeting, lead_user, "demand", "服务器重启期间提交的事项")
        port = server.port
        server = ServerProcess(database_url)
        server.port = port
        server.start()

        expect(card(board, "服务器重启期间提交的事项")).to_have_count(1, timeout=WAIT)
        expect(board.locator("#conn")).to_have_class("conn conn-online", timeout=WAIT)
        expect(card(board, "重启之前的事项")).to_have_count(1)
        http_submit(server, meeting, "difficulty", "重启之后的事项")
        expect(card(board, "重启之后的事项")).to_have_count(1, timeout=WAIT)
        expect(board.locator("#count-total")).to_have_text("3")

        # Stored without a live event while the board's socket stays up (a process stopped
        # between its commit and its broadcast): the next item's seq shows the hole, and the
        # board catches up instead of missing the item for the rest of the session.
        staff_submit(meeting, lead_user, "demand", "没有广播的事项")
        http_submit(server, meeting, "suggestion", "第五条事项")
        expect(card(board, "第五条事项")).to_have_count(1, timeout=WAIT)
        expect(card(board, "没有广播的事项")).to_have_count(1, timeout=WAIT)
        expect(board.locator("#count-total")).to_have_text("5")
        expect(board.locator("#conn")).to_have_class("conn conn-online")
    finally:
        board_ctx.close()
        server.stop()


# ------------------------------------------------------------------ screenshots (look at them)

def seed_mixed_items(meeting, lead_user, make_department):
    """Eight items of every kind with every outcome, like a meeting half an hour in."""
    department = make_department("后勤管理部")
    labour = make_department("经管科")
    due = local_today() + timedelta(days=7)
    rows = [
        ("demand", "后勤", "井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。", "张海涛", "named"),
        ("question", "薪酬", "夜班津贴的计算标准是什么时候调整的？工资条上看不明白。", "刘志强", "named"),
        ("difficulty", "生活", "家住县城，通勤班车早上第一班太晚，赶不上早班点名。", None, "anonymous"),
        ("suggestion", "安全", "建议在皮带机头加装急停拉线的反光标识，井下光线暗不容易找到。", "赵国庆", "named"),
        ("demand", "劳保", "劳保鞋的尺码不全，42码以上经常缺货。", "孙立新", "named"),
        ("suggestion", "生产", "建议综采工作面交接班时增加十分钟设备点检，减少检修班的压力。", "周文斌", "named"),
        ("question", "培训", "今年的技能等级鉴定什么时候报名？", None, "hidden_identity"),
        ("suggestion", "其他", "建议取消周末的班组例会。", "吴鹏", "named"),
    ]
    items = [staff_submit(meeting, lead_user, kind, text, category=category, submitter_name=name,
                          anonymity=anonymity)
             for kind, category, text, name, anonymity in rows]
    for item, votes in zip(items, (7, 3, 5, 9, 2, 4, 1, 0)):
        item.votes = votes
    live_services.transfer_item(lead_user, items[0], department.id, due)
    live_services.answer_item(lead_user, items[1], "夜班津贴自今年7月起按每班30元执行，经管科会在工资条上单列此项。")
    live_services.adopt_suggestion(lead_user, items[3], labour.id, due)
    live_services.decline_suggestion(lead_user, items[7], "班组例会是安全生产的必要环节，改为缩短时长。")
    db.session.commit()
    return items


def test_screenshots(browser, live_server, make_meeting, make_department, lead_user, screenshot_dir):
    meeting = make_meeting(title="11月职工层级慧谈")
    seed_mixed_items(meeting, lead_user, make_department)
    board_ctx, present_ctx, narrow_ctx, phone_ctx = (board_context(browser), board_context(browser),
                                                     board_context(browser, 390, 844), phone_context(browser))
    try:
        board = open_board(board_ctx, live_server, lead_user, meeting)
        expect(board.locator(".bd-card")).to_have_count(8)
        board.screenshot(path=os.path.join(screenshot_dir, "board-1920.png"))
        board.click(".bd-sort[data-sort=votes]")
        expect(board.locator("#ranked .bd-card").first).to_contain_text("皮带机头")  # 9 votes: first
        board.screenshot(path=os.path.join(screenshot_dir, "board-1920-votes.png"))

        present = open_board(present_ctx, live_server, lead_user, meeting, "?present=1")
        expect(present.locator(".bd-card")).to_have_count(8)
        assert present.locator(".bd-actions, .bd-toolbar, .topbar").count() == 0
        present.screenshot(path=os.path.join(screenshot_dir, "board-present-1920.png"))

        narrow = open_board(narrow_ctx, live_server, lead_user, meeting)
        expect(narrow.locator(".bd-card")).to_have_count(8)
        # Usable at 390 px: nothing wider than the screen, staff controls reachable.
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
        narrow.screenshot(path=os.path.join(screenshot_dir, "board-390.png"), full_page=True)
        card(narrow, "劳保鞋").locator("button[data-action=transfer]").click()
        expect(narrow.locator("#dialog-submit")).to_be_in_viewport()
        narrow.screenshot(path=os.path.join(screenshot_dir, "board-390-dialog.png"))

        phone = join_phone(phone_ctx, live_server, meeting, name="马晓东")
        submit_item(phone, "demand", "更衣室的热水经常不够用，下夜班洗不上热水澡。")
        submit_item(phone, "suggestion", "建议在副井口增设一处自动售货机。", anonymity="anonymous")
        expect(phone.locator("#mine .ph-item[data-seq]")).to_have_count(2, timeout=WAIT)
        card(board, "更衣室的热水").locator("button[data-action=answer]").click()
        board.fill("#f-answer", "后勤管理部已加装一台热水器，下周投用。")
        board.click("#dialog-submit")
        expect(phone.locator("#mine")).to_contain_text("下周投用", timeout=WAIT)
        phone.evaluate("window.scrollTo(0, 0)")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=os.path.join(screenshot_dir, "phone-390.png"))
        phone.locator("#mine").scroll_into_view_if_needed()
        phone.screenshot(path=os.path.join(screenshot_dir, "phone-390-items.png"))
        phone.screenshot(path=os.path.join(screenshot_dir, "phone-390-full.png"), full_page=True)
    finally:
        for context in (board_ctx, present_ctx, narrow_ctx, phone_ctx):
            context.close()
