"""The board with many items, in real Chromium against the real server: the projector window
pages through 30 items that fit the screen (newest or most-voted first), turns pages by itself
or when the presenter says so, shows no control, keeps every text at 28 px or more at 1920×1080;
the presenter's window drives it; slip status changes made by a handler reach it live."""
import os
from datetime import timedelta

import requests
from playwright.sync_api import expect

from facilitation.extensions import db
from facilitation.live import services as live_services
from facilitation.live.models import Item
from facilitation.scheduling.models import Participant
from facilitation.timeutil import local_today

from .test_browser import WAIT, log_in

TEXTS = ("井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。", "夜班津贴的计算标准是什么时候调整的？",
         "通勤班车早上第一班太晚，赶不上早班点名。", "建议在皮带机头加装急停拉线的反光标识。",
         "劳保鞋的尺码不全，42码以上经常缺货。", "更衣室热水供应不稳定，升井后洗不上热水澡。",
         "技能鉴定报名信息发布太晚，希望提前通知，留出复习时间。", "单身公寓宽带经常断网。",
         "矿灯充电架有几个插槽接触不良，充不满电，下井后不到一个班就暗了。", "建议食堂增加清真窗口。")
NAMES = ("马晓东", "李红梅", "王建国", "赵志刚", "孙丽", "周海波")


def seed_thirty(meeting, lead_user, make_department, make_user):
    """30 items: new and answered ones, votes, anonymous names, slips at every stage."""
    logistics = make_department("后勤管理部")
    handler = make_user("handler", department=logistics)
    participants = []
    for name in NAMES:
        participant = live_services.join_meeting(meeting.join_code, name=name)
        participants.append(participant)
    items = []
    for n in range(30):
        text = TEXTS[n % len(TEXTS)] + ("" if n < len(TEXTS) else f"（第{n + 1}条）")
        item, _created = live_services.submit_item(
            meeting, client_id=f"present-seed-{n:03d}", kind=("question", "demand", "difficulty", "suggestion")[n % 4],
            text=text, participant=participants[n % len(participants)],
            anonymity="anonymous" if n % 5 == 2 else "named", category=("后勤", "安全", "薪酬", None)[n % 4])
        item.votes = (n * 7) % 13
        items.append(item)
    db.session.flush()
    due = local_today() + timedelta(days=5)
    live_services.answer_item(lead_user, items[1], "本月起按新标准执行，工资单上单列。")
    slips = [live_services.transfer_item(lead_user, items[n], logistics.id, due) for n in (0, 5, 9)]
    db.session.commit()
    return items, slips, handler


def visible_cards(page):
    return page.locator("#ranked .bd-card:visible")


def small_texts(page, minimum_px=28):
    """Every visible element with its own text on the projector whose font is below `minimum_px`."""
    return page.evaluate("""(minimum) => {
        const small = [];
        for (const node of document.querySelectorAll('.bd *')) {
            const own = Array.from(node.childNodes).some(c => c.nodeType === 3 && c.textContent.trim());
            const box = node.getBoundingClientRect();
            if (!own || !box.width || !box.height || box.bottom < 0 || box.top > innerHeight) continue;
            const size = parseFloat(getComputedStyle(node).fontSize);
            if (size < minimum) small.push([node.className || node.tagName, size, node.textContent.trim().slice(0, 20)]);
        }
        return small;
    }""", minimum_px)


def test_thirty_items_on_the_projector(browser, live_server, make_meeting, make_department, make_user, lead_user,
                                       token_for, screenshot_dir):
    meeting = make_meeting(title="11月职工层级慧谈（扩大会）")
    items, slips, handler = seed_thirty(meeting, lead_user, make_department, make_user)
    # One browser, two windows: the presenter's board and the projector share localStorage.
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    try:
        presenter = log_in(context, live_server, lead_user)
        presenter.goto(f"{live_server.url}/meetings/{meeting.id}/board")
        expect(presenter.locator("#conn")).to_have_class("conn conn-online", timeout=WAIT)
        presenter.select_option("#present-seconds", "0")  # the presenter turns the pages for now
        projector = context.new_page()
        projector.goto(f"{live_server.url}/meetings/{meeting.id}/board?present=1")
        expect(projector.locator("#conn")).to_have_class("conn conn-online", timeout=WAIT)
        expect(projector.locator("#ranked .bd-card")).to_have_count(30)

        # No control on the projector, and the items come in screenfuls, newest first.
        assert projector.locator("button:visible, select:visible, .bd-actions, .bd-toolbar, #present-panel").count() == 0
        pager = projector.locator("#pager-text")
        expect(pager).to_contain_text("第 1 /")
        pages = int(pager.inner_text().split("/")[1].split("页")[0])
        assert 2 <= pages <= 8, pager.inner_text()
        shown = visible_cards(projector)
        assert 4 <= shown.count() < 30
        assert shown.first.get_attribute("data-seq") == "30"
        bar_top = projector.locator("#pager").bounding_box()["y"]
        for index in range(shown.count()):  # nothing hides under the pager or below the screen
            box = shown.nth(index).bounding_box()
            assert box["y"] + box["height"] <= bar_top + 1, (index, box, bar_top)
        assert small_texts(projector) == []
        assert projector.evaluate("getComputedStyle(document.body).fontSize") == "28px"
        projector.screenshot(path=os.path.join(screenshot_dir, "board-present-30-page1.png"))

        # The presenter turns the page; the projector follows and reports back.
        presenter.click("#present-next")
        expect(pager).to_contain_text("第 2 /")
        expect(presenter.locator("#present-state")).to_contain_text(f"第 2 / {pages} 页")
        assert visible_cards(projector).first.get_attribute("data-seq") != "30"
        projector.screenshot(path=os.path.join(screenshot_dir, "board-present-30-page2.png"))

        # A new item lands on page 1, which the projector shows at once.
        participant = Participant.query.filter_by(meeting_id=meeting.id).first()
        token = requests.post(f"{live_server.url}/api/v1/join/{meeting.join_code}",
                              json={"name": participant.name}, timeout=10).json()["participant_token"]
        response = requests.post(f"{live_server.url}/api/v1/meetings/{meeting.id}/items", timeout=10,
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"client_id": "present-new-item-1", "kind": "demand", "anonymity": "named",
                                       "text": "副井口的候车棚漏雨，希望雨季前修好。"})
        assert response.status_code == 201
        expect(visible_cards(projector).first).to_contain_text("候车棚漏雨", timeout=WAIT)
        expect(pager).to_contain_text("第 1 /")

        # Most-voted first, chosen on the presenter's panel.
        presenter.click(".bd-present-order[data-order=votes]")
        expect(visible_cards(projector).first.locator(".bd-votes")).to_have_text("+12", timeout=WAIT)
        projector.screenshot(path=os.path.join(screenshot_dir, "board-present-30-votes.png"))

        # Larger type for a large room; still no card under the pager.
        presenter.click("#present-font-up")
        expect(presenter.locator("#present-font")).to_have_text("32 像素")
        projector.wait_for_function("getComputedStyle(document.body).fontSize === '32px'")
        assert small_texts(projector, 32) == []

        # A handler's slip status changes reach the projector live, with the reply once given.
        slip = slips[2]
        handler_api = {"Authorization": f"Bearer {token_for(handler)}"}
        assert requests.post(f"{live_server.url}/api/v1/slips/{slip.id}/accept", headers=handler_api,
                             timeout=10).status_code == 200
        assert requests.post(f"{live_server.url}/api/v1/slips/{slip.id}/reply", headers=handler_api, timeout=10,
                             json={"reply": "已联系网络公司更换交换机，周五前恢复。", "basis": "后勤维修记录"}).status_code == 200
        presenter.click(".bd-present-order[data-order=newest]")
        card = projector.locator(f"#ranked .bd-card[data-seq='{items[9].seq}']")
        expect(card).to_contain_text("已答复", timeout=WAIT)
        expect(card).to_contain_text("周五前恢复")
        expect(presenter.locator(f"#ranked .bd-card[data-seq='{items[9].seq}'], "
                                 f"#column-{items[9].kind} .bd-card[data-seq='{items[9].seq}']")).to_contain_text("已答复")

        # Pages turn by themselves when the presenter asks for it.
        presenter.click("#present-font-down")
        presenter.select_option("#present-seconds", "10")
        before = pager.inner_text()
        expect(pager).not_to_have_text(before, timeout=15_000)
        expect(pager).to_contain_text("每 10 秒翻页")

        presenter.evaluate("window.scrollTo(0, 0)")
        presenter.screenshot(path=os.path.join(screenshot_dir, "board-presenter-1920.png"))
    finally:
        context.close()
    # The lead may run the presenter's board from a phone: the panel stays usable at 390 px.
    narrow = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = log_in(narrow, live_server, lead_user)
        page.goto(f"{live_server.url}/meetings/{meeting.id}/board")
        expect(page.locator("#conn")).to_have_class("conn conn-online", timeout=WAIT)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#present-panel").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(screenshot_dir, "board-presenter-390.png"))
    finally:
        narrow.close()
    assert Item.query.filter_by(meeting_id=meeting.id).count() == 31
