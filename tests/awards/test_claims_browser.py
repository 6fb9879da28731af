"""The payable award in real Chromium against the real server (CSRF on): the organizer records
what became of an idea on the review page, the winner claims the award on the phone, the
organizer checks the code and records the payment; screenshots of every step."""
import os

from playwright.sync_api import expect

from facilitation.awards import services
from facilitation.awards.models import IdeaAward, IdeaEffect
from facilitation.extensions import db

from conftest import PASSWORD

WAIT = 20_000
PHONE_UA = ("Mozilla/5.0 (Linux; Android 10; V1916A Build/QP1A.190711.020; wv) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 "
            "Mobile Safari/537.36 MicroMessenger/8.0.28.2240(0x28001C57) WeChat/arm64 Weixin NetType/WIFI")


def staff_page(browser, server, user, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks before paying
    page.goto(server.url + "/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    return context, page


def test_effect_claim_and_payment_in_chromium(world, live_server, browser, screenshot_dir):
    named = world.idea("综采工作面交接班时增加十分钟设备点检", (2026, 8, 3, 9, 0), name="王建国", adopt=True)
    anonymous = world.idea("更衣室照明改为声控灯，节约用电", (2026, 8, 6, 9, 0), anonymity="anonymous",
                           name="李秘密", adopt=True)
    world.idea("井口增设自助热水机", (2026, 9, 2, 9, 0), anonymity="hidden_identity", name="赵隐名")
    review = world.review(budget=1000)
    for reviewer, values in ((world.reviewer, (5, 5, 4)), (world.reviewer2, (4, 5, 5))):
        services.score_idea(reviewer, review, named.id, *values)
        services.score_idea(reviewer, review, anonymous.id, 4, 4, 3)
    services.record_effect(world.organizer, review, named.id, "综采一区、二区自8月起执行交接班点检表",
                           "当月非计划停机由9次降为4次", 126000)
    services.set_award(world.organizer, review, named.id, 500, "效益显著，全矿推广")
    services.set_award(world.organizer, review, anonymous.id, 300)
    db.session.commit()

    # The organizer records the anonymous idea's effect on the review page.
    context, page = staff_page(browser, live_server, world.organizer)
    try:
        page.goto(f"{live_server.url}/awards/{review.id}")
        card = page.locator(f"#idea-{anonymous.id}")
        card.locator("details.effect-edit summary").click()
        card.locator("textarea[name=implementation]").fill("主副井更衣室120盏灯已改为声控灯")
        card.locator("textarea[name=effect]").fill("照明用电每月减少约2100千瓦时")
        card.locator("input[name=benefit_yuan]").fill("15,100")
        with page.expect_navigation():
            card.locator("form.effect-form button").click()
        expect(page.locator(".flash-success")).to_contain_text("落实情况和应用效果已保存")
        expect(page.locator(f"#idea-{anonymous.id} dl.effect")).to_contain_text("15,100 元")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.screenshot(path=os.path.join(screenshot_dir, "awards-review-open-1280.png"), full_page=True)
    finally:
        context.close()
    db.session.expire_all()
    assert IdeaEffect.query.filter_by(item_id=anonymous.id).one().benefit_yuan == 15100

    services.finalize_review(world.organizer, db.session.get(type(review), review.id))
    db.session.commit()
    code = IdeaAward.query.filter_by(item_id=anonymous.id).one().claim_code
    shown = f"{code[:4]}-{code[4:]}"

    # The winner opens the personal link on the phone and claims.
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                        device_scale_factor=2, user_agent=PHONE_UA, locale="zh-CN")
    try:
        phone = phone_context.new_page()
        phone.goto(f"{live_server.url}/f/{anonymous.follow_token}")
        notice = phone.locator(".award-notice")
        expect(notice).to_contain_text("奖金 300 元")
        expect(notice.locator(".claim-value")).to_have_text(shown)
        expect(notice).to_contain_text("凭领奖码到工会领取")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=os.path.join(screenshot_dir, "awards-follow-390.png"), full_page=True)
        with phone.expect_navigation():
            notice.locator("button").click()
        expect(phone.locator(".flash-success")).to_contain_text("已登记申领")
        expect(phone.locator(".award-notice")).to_contain_text("您已于")
        expect(phone.locator(".award-notice button")).to_have_count(0)
        phone.screenshot(path=os.path.join(screenshot_dir, "awards-follow-claimed-390.png"), full_page=True)
    finally:
        phone_context.close()
    db.session.expire_all()
    assert IdeaAward.query.filter_by(item_id=anonymous.id).one().claimed_at is not None

    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = desktop.new_page()
        page.goto(f"{live_server.url}/f/{anonymous.follow_token}")
        expect(page.locator(".award-notice .claim-value")).to_have_text(shown)
        page.screenshot(path=os.path.join(screenshot_dir, "awards-follow-1280.png"), full_page=True)
    finally:
        desktop.close()

    # The organizer checks the code the winner shows and records the payment.
    context, page = staff_page(browser, live_server, world.organizer)
    try:
        page.goto(f"{live_server.url}/awards/{review.id}")
        card = page.locator(f"#idea-{anonymous.id}")
        expect(card).to_contain_text(shown)
        expect(card).to_contain_text("已申领")
        card.locator("input[name=claim_code]").fill(code.lower())
        with page.expect_navigation():
            card.locator("form.paid-form button").click()
        expect(page.locator(".flash-success")).to_contain_text("已登记发放")
        expect(page.locator(f"#idea-{anonymous.id}")).to_contain_text("已发放")
        expect(page.locator(f"#idea-{anonymous.id}")).to_contain_text("经办：工会小李")
        assert "赵隐名" not in page.content() and "李秘密" not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.screenshot(path=os.path.join(screenshot_dir, "awards-review-finalized-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=os.path.join(screenshot_dir, "awards-review-finalized-390.png"), full_page=True)
    finally:
        context.close()
    db.session.expire_all()
    award = IdeaAward.query.filter_by(item_id=anonymous.id).one()
    assert award.paid_at is not None and award.paid_by_user_id == world.organizer.id
