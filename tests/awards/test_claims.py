"""Golden-idea awards that can be paid: claim codes (format, uniqueness), the claim on the
submitter's personal link, the organizer's payment record, hidden-identity ideas refused, the
recorded implementation and effect, and the award sheet (PDF, Excel) with the codes and never
an anonymous submitter's name."""
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from facilitation.audit.models import AuditEvent
from facilitation.awards import queries, services
from facilitation.awards.models import CLAIM_ALPHABET, IdeaAward, IdeaEffect
from facilitation.errors import Conflict, NotFound, PermissionDenied, ValidationError
from facilitation.extensions import db

from .test_reviews import _pdf_text, _to_png

CODE_RE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")
SHOWN_CODE_RE = re.compile(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}")


def shown(code):
    return f"{code[:4]}-{code[4:]}"


def events(action):
    return AuditEvent.query.filter_by(entity="idea_review", action=action).order_by(AuditEvent.id).all()


@pytest.fixture
def finalized(world):
    """A finalized 2026-Q3 review: a named idea awarded 400 yuan, an anonymous one 200 yuan, and a
    named idea without an award."""
    named = world.idea("主井绞车房加装温湿度监测", (2026, 7, 6, 9, 0), name="王建国", adopt=True)
    anonymous = world.idea("更衣室增设鞋靴烘干架", (2026, 8, 6, 9, 0), anonymity="anonymous", name="李秘密")
    plain = world.idea("班前会增加案例学习", (2026, 9, 6, 9, 0), name="周不获奖")
    review = world.review(budget=1000)
    services.set_award(world.organizer, review, named.id, 400, "已在两个采区推广")
    services.set_award(world.organizer, review, anonymous.id, 200)
    services.finalize_review(world.organizer, review)
    db.session.commit()
    return review, named, anonymous, plain


def award_of(item):
    db.session.expire_all()
    return IdeaAward.query.filter_by(item_id=item.id).one()


# ---------------------------------------------------------------- claim codes

def test_claim_codes_are_unambiguous_and_unique(world):
    ideas = [world.idea(f"第{i}条建议：井下照明改造", (2026, 7, 1 + i, 9, 0)) for i in range(25)]
    review = world.review(budget=25 * 100)
    for item in ideas:
        services.set_award(world.organizer, review, item.id, 100)
    db.session.commit()
    codes = [a.claim_code for a in IdeaAward.query.all()]
    assert len(codes) == 25 and len(set(codes)) == 25
    assert all(CODE_RE.match(code) for code in codes), codes
    # The generator on its own: 2,000 codes, none with 0/O/1/I/L, all distinct.
    many = {services.new_claim_code() for _ in range(2000)}
    assert len(many) == 2000
    assert not set("".join(many)) & set("0O1IL") and set("".join(many)) <= set(CLAIM_ALPHABET)

    # Changing the amount keeps the code (it may already be written down).
    first = IdeaAward.query.filter_by(item_id=ideas[0].id).one()
    code = first.claim_code
    services.remove_award(world.organizer, review, ideas[1].id)
    services.set_award(world.organizer, review, ideas[0].id, 200)
    db.session.commit()
    assert award_of(ideas[0]).claim_code == code

    # The database refuses a duplicate whatever the generator does.
    duplicate = IdeaAward(review_id=review.id, item_id=ideas[1].id, amount=100, claim_code=code)
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_typed_claim_codes_are_normalized():
    assert services.normalize_claim_code(" k7mx-3qpa ") == "K7MX3QPA"
    assert services.normalize_claim_code("K7MX 3QPA") == "K7MX3QPA"
    for bad in ("K7MX3QP", "K7MX3QPA9", "K0MX3QPA", "KIMX3QPA", "K7MX3QP\x00", "", None, 12345678, "Ｋ7MX3QPA"):
        assert services.normalize_claim_code(bad) is None, bad


# ---------------------------------------------------------------- the submitter claims

def test_claim_on_the_follow_page_once(app, world):
    named = world.idea("副井口设置雨具架", (2026, 8, 20, 9, 0), name="王建国")
    anonymous = world.idea("区队考核细则向职工公开", (2026, 8, 21, 9, 0), anonymity="anonymous", name="孙匿名")
    demand = world.idea("班中餐太凉", (2026, 8, 22, 9, 0), kind="demand")
    review = world.review()
    services.set_award(world.organizer, review, anonymous.id, 300, "已实施")
    services.set_award(world.organizer, review, named.id, 200)
    db.session.commit()
    phone = app.test_client()
    code = award_of(anonymous).claim_code

    # Not finalized: nothing to see, nothing to claim.
    page = phone.get(f"/f/{anonymous.follow_token}").get_data(as_text=True)
    assert "领奖码" not in page and code not in page and shown(code) not in page
    refused = phone.post(f"/awards/claim/{anonymous.follow_token}")
    assert refused.status_code == 404 and "没有可领取的奖励" in refused.get_data(as_text=True)
    assert award_of(anonymous).claimed_at is None

    services.finalize_review(world.organizer, review)
    db.session.commit()
    page = phone.get(f"/f/{anonymous.follow_token}").get_data(as_text=True)
    assert "奖金 300 元" in page and shown(code) in page and "凭领奖码到工会领取" in page
    assert "申领奖金" in page and f'action="/awards/claim/{anonymous.follow_token}"' in page
    assert "孙匿名" not in page

    response = phone.post(f"/awards/claim/{anonymous.follow_token}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/f/{anonymous.follow_token}#award")
    claimed_at = award_of(anonymous).claimed_at
    assert claimed_at is not None
    assert [e.text for e in events("claim")] == [f"item {anonymous.id}: 300 {code}"]
    assert events("claim")[0].actor_label == "submitter" and events("claim")[0].actor_user_id is None
    page = phone.get(f"/f/{anonymous.follow_token}").get_data(as_text=True)
    assert "您已于" in page and "申领奖金</button>" not in page

    # A replay (double tap, reload, a second phone) changes nothing.
    again = app.test_client().post(f"/awards/claim/{anonymous.follow_token}")
    assert again.status_code == 302
    assert award_of(anonymous).claimed_at == claimed_at
    assert len(events("claim")) == 1
    assert award_of(named).claimed_at is None  # the other award is untouched

    # Wrong tokens: unknown, malformed, too long, an item without an award.
    for token in ("x" * 32, "short", "ü" * 20, "a" * 65, demand.follow_token):
        response = phone.post(f"/awards/claim/{token}")
        assert response.status_code == 404, token
    with pytest.raises(NotFound):
        services.claim_award(None)
    db.session.rollback()
    assert len(events("claim")) == 1


def test_claim_needs_the_csrf_token(app, finalized):
    _review, _named, anonymous, _plain = finalized
    app.config["WTF_CSRF_ENABLED"] = True
    phone = app.test_client()
    response = phone.post(f"/awards/claim/{anonymous.follow_token}")
    assert response.status_code in (302, 400)
    assert award_of(anonymous).claimed_at is None
    page = phone.get(f"/f/{anonymous.follow_token}").get_data(as_text=True)
    token = re.search(r'action="/awards/claim/[^"]+">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                      page).group(1)
    assert phone.post(f"/awards/claim/{anonymous.follow_token}", data={"csrf_token": token}).status_code == 302
    assert award_of(anonymous).claimed_at is not None


# ---------------------------------------------------------------- the organizer records the payment

def test_only_organizers_mark_an_award_paid(app, world, finalized):
    review, named, anonymous, plain = finalized
    code = award_of(anonymous).claim_code
    url = f"/awards/{review.id}/items/{anonymous.id}/paid"
    for user in (world.viewer, world.reviewer, world.reviewer2, world.outsider):
        response = world.client_for(user).post(url, data={"claim_code": code})
        assert response.status_code == 403, user.username
    with pytest.raises(PermissionDenied):
        services.mark_paid(world.viewer, review, anonymous.id, code)
    db.session.rollback()
    assert award_of(anonymous).paid_at is None

    organizer = world.client_for(world.organizer)
    missing = organizer.post(url, data={"claim_code": ""})
    assert missing.status_code == 400 and "请填写领奖人出示的领奖码" in missing.get_data(as_text=True)
    wrong_code = "".join(c for c in "23456789ABCDEFGH" if c not in code)[:8]
    wrong = organizer.post(url, data={"claim_code": wrong_code})
    assert wrong.status_code == 400 and "领奖码不符" in wrong.get_data(as_text=True)
    assert organizer.post(url, data={"claim_code": "x" * 21}).status_code == 400
    assert award_of(anonymous).paid_at is None and events("paid") == []

    typed = f" {code[:4].lower()}-{code[4:]} "  # as a clerk might type it
    assert organizer.post(url, data={"claim_code": typed}).status_code == 302
    award = award_of(anonymous)
    assert award.paid_at is not None and award.paid_by_user_id == world.organizer.id
    paid_at = award.paid_at
    replay = world.client_for(world.organizer2).post(url, data={"claim_code": code})
    assert replay.status_code == 409 and "不能重复发放" in replay.get_data(as_text=True)
    assert award_of(anonymous).paid_at == paid_at and award_of(anonymous).paid_by_user_id == world.organizer.id

    # A named winner is paid against the name; a code, when typed, must still match.
    named_url = f"/awards/{review.id}/items/{named.id}/paid"
    assert organizer.post(named_url, data={"claim_code": wrong_code}).status_code == 400
    assert organizer.post(named_url, data={}).status_code == 302
    assert organizer.post(f"/awards/{review.id}/items/{plain.id}/paid", data={}).status_code == 404
    assert [e.text for e in events("paid")] == [f"item {anonymous.id}: 200 {code}",
                                                f"item {named.id}: 400 {award_of(named).claim_code}"]
    assert all(e.actor_user_id == world.organizer.id for e in events("paid"))

    page = organizer.get(f"/awards/{review.id}").get_data(as_text=True)
    assert page.count("已发放 ") >= 2 and "经办：工会小李" in page and "2 / 2" in page
    assert "奖金已于" in app.test_client().get(f"/f/{anonymous.follow_token}").get_data(as_text=True)


def test_payment_waits_for_the_finalized_review(world):
    item = world.idea("风门加装声光报警", (2026, 9, 9, 9, 0))
    review = world.review()
    services.set_award(world.organizer, review, item.id, 300)
    db.session.commit()
    response = world.client_for(world.organizer).post(f"/awards/{review.id}/items/{item.id}/paid", data={})
    assert response.status_code == 409 and "评审定稿后才能发放奖金" in response.get_data(as_text=True)
    assert award_of(item).paid_at is None
    with pytest.raises(Conflict):
        services.mark_paid(world.organizer, review, item.id)


# ---------------------------------------------------------------- hidden identity

def test_hidden_identity_ideas_cannot_receive_awards(app, world):
    item = world.idea("食堂窗口增加夜班时段", (2026, 8, 1, 8, 0), anonymity="hidden_identity", name="赵隐名")
    assert item.follow_token is None and item.submitter_name is None
    review = world.review()
    with pytest.raises(ValidationError) as error:
        services.set_award(world.organizer, review, item.id, 200)
    assert "完全匿名" in error.value.message and "没有人能领取" in error.value.message
    db.session.rollback()
    response = world.client_for(world.organizer).post(f"/awards/{review.id}/items/{item.id}/award",
                                                      data={"amount": "200"})
    assert response.status_code == 400 and "完全匿名提交的建议不能设奖金" in response.get_data(as_text=True)
    assert IdeaAward.query.count() == 0

    # The phone says so before anything is submitted, beside the 完全匿名 choice.
    phone = app.test_client().get(f"/j/{world.meeting.join_code}").get_data(as_text=True)
    choice = phone[phone.index('value="hidden_identity"'):]
    choice = choice[:choice.index("</label>")]
    assert "建议也不能领取“金点子”奖励" in choice


# ---------------------------------------------------------------- implementation and effect

def test_effect_is_recorded_checked_and_locked(world):
    item = world.idea("采煤机截齿集中修复再利用", (2026, 8, 12, 10, 0))
    other_quarter = world.idea("上季度的建议", (2026, 6, 30, 12, 0))
    review = world.review()
    url = f"/awards/{review.id}/items/{item.id}/effect"
    form = {"implementation": "已在综采一队、二队推广", "effect": "截齿月消耗由 120 把降到 80 把",
            "benefit_yuan": "96,000"}
    for user in (world.viewer, world.outsider):
        assert world.client_for(user).post(url, data=form).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_effect(world.viewer, review, item.id, "x")
    db.session.rollback()
    assert IdeaEffect.query.count() == 0

    reviewer = world.client_for(world.reviewer)  # a handler appointed as reviewer
    assert reviewer.post(url, data=form).status_code == 302
    record = IdeaEffect.query.one()
    assert (record.implementation, record.effect, record.benefit_yuan, record.recorded_by_user_id) == (
        "已在综采一队、二队推广", "截齿月消耗由 120 把降到 80 把", 96000, world.reviewer.id)

    bad_inputs = [
        ({"benefit_yuan": "-5"}, "创造效益应为 0–100000000 之间的整数"),
        ({"benefit_yuan": "1.5"}, "创造效益应为"),
        ({"benefit_yuan": "abc"}, "创造效益应为"),
        ({"benefit_yuan": "²"}, "创造效益应为"),
        ({"benefit_yuan": "100000001"}, "创造效益应为"),
        ({"benefit_yuan": "9" * 40}, "创造效益应为"),
        ({"implementation": "落" * 501}, "落实情况 不能超过 500 个字"),
        ({"effect": "效" * 501}, "应用效果 不能超过 500 个字"),
        ({"effect": "效果\x00好"}, "控制字符"),
    ]
    organizer = world.client_for(world.organizer)
    for change, message in bad_inputs:
        response = organizer.post(url, data=dict(form, **change))
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), change
    for value in (-1, 1.5, True, "1e3"):
        with pytest.raises(ValidationError):
            services.record_effect(world.organizer, review, item.id, "x", "y", value)
        db.session.rollback()
    db.session.expire_all()
    assert IdeaEffect.query.one().benefit_yuan == 96000

    # The organizer edits (0 yuan is a measured benefit, not "unknown"); the page shows it.
    assert organizer.post(url, data={"implementation": "全矿推广", "effect": "", "benefit_yuan": "0"}).status_code == 302
    db.session.expire_all()
    record = IdeaEffect.query.one()
    assert (record.implementation, record.effect, record.benefit_yuan) == ("全矿推广", None, 0)
    page = world.client_for(world.viewer).get(f"/awards/{review.id}").get_data(as_text=True)
    assert "全矿推广" in page and "0 元" in page
    assert 'name="benefit_yuan"' not in page  # viewers read, they do not record

    # Not a suggestion of the quarter.
    assert organizer.post(f"/awards/{review.id}/items/{other_quarter.id}/effect", data=form).status_code == 404
    # All three empty removes the record.
    assert organizer.post(url, data={"implementation": " ", "effect": "", "benefit_yuan": ""}).status_code == 302
    assert IdeaEffect.query.count() == 0
    assert [e.action for e in AuditEvent.query.filter(AuditEvent.action.in_(("effect", "clear_effect")))
            .order_by(AuditEvent.id)] == ["effect", "effect", "clear_effect"]

    assert organizer.post(url, data=form).status_code == 302
    services.finalize_review(world.organizer, review)
    db.session.commit()
    locked = reviewer.post(url, data=dict(form, benefit_yuan="1"))
    assert locked.status_code == 409 and "已定稿" in locked.get_data(as_text=True)
    with pytest.raises(Conflict):
        services.record_effect(world.organizer, review, item.id, "改", "改", 1)
    db.session.rollback()
    assert IdeaEffect.query.one().benefit_yuan == 96000
    assert 'name="benefit_yuan"' not in organizer.get(f"/awards/{review.id}").get_data(as_text=True)


# ---------------------------------------------------------------- the sheet

def test_sheet_shows_claim_codes_and_never_an_anonymous_name(world, finalized, screenshot_dir):
    review, named, anonymous, plain = finalized
    hidden = world.idea("井口增设自助热水机", (2026, 9, 20, 9, 0), anonymity="hidden_identity", name="赵隐名")
    named_code, anonymous_code = award_of(named).claim_code, award_of(anonymous).claim_code
    # Effects are recorded while the review is open: put them in place directly for this sheet.
    db.session.add(IdeaEffect(review_id=review.id, item_id=named.id, implementation="已在东翼、西翼采区推广",
                              effect="绞车房夏季超温报警由每月 6 次降为 0 次", benefit_yuan=38000))
    db.session.commit()
    services.claim_award(anonymous.follow_token)
    db.session.commit()
    services.mark_paid(world.organizer, review, named.id)
    db.session.commit()

    organizer = world.client_for(world.organizer)
    response = organizer.get(f"/awards/{review.id}/sheet.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    assert "领奖码" in text and shown(named_code) in text and shown(anonymous_code) in text
    assert "王建国" in text and "匿名" in text and "领取状态" in text
    assert "已发放" in text and "已申领" in text
    assert "落实情况：已在东翼、西翼采区推广" in text and "38,000元" in text and "创造效益合计38,000元" in text
    assert "井口增设自助热水机" in text  # the hidden-identity idea is in the result list, without a name
    for secret in ("李秘密", "赵隐名"):
        assert secret not in text
    _to_png(response.data, screenshot_dir, "awards-sheet-claims")

    workbook = load_workbook(io.BytesIO(organizer.get(f"/awards/{review.id}/sheet.xlsx").data))
    awards = list(workbook.worksheets[0].iter_rows(values_only=True))
    column = {name: index for index, name in enumerate(awards[2])}
    by_text = {row[1]: row for row in awards[3:5]}
    assert by_text["主井绞车房加装温湿度监测"][column["领奖码"]] == shown(named_code)
    assert by_text["主井绞车房加装温湿度监测"][column["领取状态"]].startswith("已发放")
    assert by_text["主井绞车房加装温湿度监测"][column["发放经办人"]] == "工会小李"
    assert by_text["主井绞车房加装温湿度监测"][column["创造效益（元）"]] == 38000
    assert by_text["更衣室增设鞋靴烘干架"][column["领奖码"]] == shown(anonymous_code)
    assert by_text["更衣室增设鞋靴烘干架"][column["提出人"]] == "匿名"
    assert by_text["更衣室增设鞋靴烘干架"][column["领取状态"]].startswith("已申领")
    results = list(workbook.worksheets[1].iter_rows(values_only=True))
    result_column = {name: index for index, name in enumerate(results[0])}
    row = next(r for r in results if r[1] == "主井绞车房加装温湿度监测")
    assert row[result_column["落实情况"]] == "已在东翼、西翼采区推广" and row[result_column["创造效益（元）"]] == 38000
    flat = repr(awards) + repr(results)
    assert "李秘密" not in flat and "赵隐名" not in flat and hidden.submitter_name is None

    # Viewers and reviewers read the sheet, but the codes that pay the money are the union's.
    for user in (world.viewer, world.reviewer):
        client = world.client_for(user)
        text = _pdf_text(client.get(f"/awards/{review.id}/sheet.pdf").data)
        assert shown(named_code) not in text and shown(anonymous_code) not in text and "已申领" in text
        workbook = load_workbook(io.BytesIO(client.get(f"/awards/{review.id}/sheet.xlsx").data))
        flat = repr(list(workbook.worksheets[0].iter_rows(values_only=True)))
        assert "领奖码" not in flat and shown(anonymous_code) not in flat and named_code not in flat
        page = client.get(f"/awards/{review.id}").get_data(as_text=True)
        assert shown(anonymous_code) not in page and not SHOWN_CODE_RE.search(page)
    assert shown(anonymous_code) in organizer.get(f"/awards/{review.id}").get_data(as_text=True)
    assert queries.award_sheet(review)["awarded"][0]["claim_code"] == ""  # codes only when asked for
