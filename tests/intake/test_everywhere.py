"""Channel items count everywhere meeting items count, with their source shown: GET /stats (the one
definition), the monthly report (by source), the public board, the ledger; the callback log (反馈电话)
on the slip page and in the follow-up figures; the monthly public summary (page and PDF, no login,
month navigation, replies the organizer chose, never a name, never a hidden item's text)."""
import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from facilitation.extensions import db
from facilitation.intake.models import SummaryPick
from facilitation.live.services import join_meeting, submit_item, transfer_item
from facilitation.slips import services as slip_services
from facilitation.slips.models import Slip, SlipCallback
from facilitation.stats import queries as stats
from facilitation.timeutil import local_today

from .conftest import fresh


def month():
    return local_today().strftime("%Y-%m")


@pytest.fixture
def loop(mine, make_meeting, lead_user):
    """This month: a meeting item transferred and a channel item transferred (both replied), a
    channel item answered directly, a hidden-identity channel item transferred and replied, a
    hidden (off-topic) channel item, and one still open."""
    canteen = mine.channel("职工食堂")
    dorm = mine.channel("2号宿舍楼")
    meeting = make_meeting()
    participant = join_meeting(meeting.join_code, name="王建国")
    meeting_item, _ = submit_item(meeting, client_id=uuid.uuid4().hex, kind="demand", text="井下班中餐送到时已经凉了",
                                  category="后勤", participant=participant)
    meeting_slip = transfer_item(lead_user, meeting_item, mine.logistics.id, local_today() + timedelta(days=5))
    db.session.commit()

    def channel_item(code, text, **fields):
        return mine.submit(code, text=text, **fields).get_json()

    canteen_named = channel_item(canteen["code"], "食堂晚班饭菜品种太少", category="后勤", name="段伟", phone="13912345678")
    canteen_answered = channel_item(canteen["code"], "饭卡补贴什么时候发", kind="question", category="薪酬",
                                    anonymity="anonymous", name="匿名张三")
    dorm_hidden = channel_item(dorm["code"], "宿舍喇叭太吵影响休息", category="生活", anonymity="hidden_identity",
                               name="完全隐身者")
    dorm_off_topic = channel_item(dorm["code"], "出售二手摩托车，联系电话……", category="其他")
    dorm_open = channel_item(dorm["code"], "宿舍热水器坏了", category="生活")
    slip_ids = [mine.staff.post(f"/items/{item['id']}/transfer", json={
        "department_id": mine.logistics.id, "due_date": (local_today() + timedelta(days=5)).isoformat()}
    ).get_json()["slip"]["id"] for item in (canteen_named, dorm_hidden)]
    mine.staff.post(f"/items/{canteen_answered['id']}/answer", json={"answer": "每月10日随工资发放"})
    mine.staff.post(f"/items/{dorm_off_topic['id']}/hide", json={"reason": "广告，与工作无关"})
    slips = [meeting_slip] + [db.session.get(Slip, i) for i in slip_ids]
    for slip in slips:
        slip_services.accept_slip(mine.handler, slip)
        slip_services.reply_slip(mine.handler, slip, f"已处理：{slip.item.text[:6]}", "后勤管理部工作制度")
    slip_services.close_slip(mine.organizer, slips[1])
    db.session.commit()
    return {"canteen": canteen, "dorm": dorm, "meeting": meeting, "meeting_slip": meeting_slip,
            "canteen_slip": slips[1], "hidden_slip": slips[2], "answered": canteen_answered,
            "off_topic": dorm_off_topic, "open": dorm_open}


def test_stats_count_channel_items_and_slips(mine, loop, api):
    figures = mine.staff.get(f"/stats/{month()}").get_json()
    assert set(figures) == set(stats.FIGURE_KEYS)  # the contract keys, unchanged
    assert figures["items"] == 6  # one meeting item, five channel items (hidden ones count too)
    assert (figures["slips"], figures["replied"], figures["closed"]) == (3, 3, 1)
    assert figures["reply_rate"] == 1.0 and figures["closure_rate"] == round(1 / 3, 4)
    by_source = stats.channel_figures(*stats.period_of_month(local_today().year, local_today().month)[:2])
    assert by_source[None]["slips"] == 1
    assert by_source[loop["canteen"]["id"]]["closed"] == 1 and by_source[loop["dorm"]["id"]]["replied"] == 1
    assert sum(v["slips"] for v in by_source.values()) == figures["slips"]


def test_callbacks_on_the_slip_page_and_in_the_figures(mine, loop, logged_in, api):
    slip = loop["canteen_slip"]
    handler = logged_in(mine.handler)
    logged = handler.post(f"/slips/{slip.id}", data={
        "action": "callback", "caller": "党群工作部 王艳丽", "summary": "解释了晚班饭菜增加两个品种的安排",
        "reaction": "understood", "reaction_note": "这样好多了"}, follow_redirects=True)
    assert "已登记反馈电话" in logged.get_data(as_text=True)
    page = logged_in(mine.organizer).get(f"/slips/{slip.id}").get_data(as_text=True)
    assert "反馈电话" in page and "党群工作部 王艳丽" in page and "理解认可" in page and "这样好多了" in page
    assert "13912345678" in page  # the organizer sees the number to call
    # a worker who signed with a name is called back by the department that handles it
    assert "13912345678" in handler.get(f"/slips/{slip.id}").get_data(as_text=True)
    assert "13912345678" not in logged_in(mine.hr_handler).get(f"/slips/{slip.id}").get_data(as_text=True)
    api_response = mine.staff.post(f"/slips/{loop['meeting_slip'].id}/callbacks", json={
        "summary": "电话未接通", "reaction": "unreachable"})
    assert api_response.status_code == 201 and api_response.get_json()["callback"]["caller"] == "王艳丽"
    bad = mine.staff.post(f"/slips/{slip.id}/callbacks", json={"summary": "", "reaction": "understood"})
    assert bad.status_code == 400 and "通话内容" in bad.get_json()["error"]["message"]
    bad = mine.staff.post(f"/slips/{slip.id}/callbacks", json={"summary": "x", "reaction": "happy"})
    assert bad.status_code == 400
    future = mine.staff.post(f"/slips/{slip.id}/callbacks", json={"summary": "x", "reaction": "understood",
                                                                   "called_at": "2099-01-01T08:00"})
    assert future.status_code == 400 and "通话时间" in future.get_json()["error"]["message"]
    hidden = mine.staff.post(f"/slips/{loop['hidden_slip'].id}/callbacks", json={"summary": "x",
                                                                                 "reaction": "understood"})
    assert hidden.status_code == 409 and "完全匿名" in hidden.get_json()["error"]["message"]
    assert api(mine.hr_handler).post(f"/slips/{slip.id}/callbacks", json={
        "summary": "x", "reaction": "understood"}).status_code == 404  # not their department's slip
    assert api(mine.viewer).post(f"/slips/{slip.id}/callbacks", json={
        "summary": "x", "reaction": "understood"}).status_code == 403
    listed = mine.staff.get(f"/slips/{slip.id}/callbacks").get_json()["callbacks"]
    assert [c["reaction"] for c in listed] == ["understood"]
    assert SlipCallback.query.count() == 2
    start, end, _f, _l = stats.period_of_month(local_today().year, local_today().month)
    # reached calls count; the unanswered one does not
    assert stats.callback_figures(start, end) == {"called_back": 1, "calls": 1, "callback_share": round(1 / 3, 4)}
    objection = mine.staff.post(f"/slips/{loop['meeting_slip'].id}/callbacks", json={
        "summary": "职工认为送餐还是慢", "reaction": "objection"})
    assert objection.status_code == 201
    report = logged_in(mine.organizer).get(f"/reports/monthly/{month()}").get_data(as_text=True)
    assert "反馈电话回访 2 件" in report


def test_monthly_report_by_source(mine, loop, logged_in):
    page = logged_in(mine.organizer).get(f"/reports/monthly/{month()}").get_data(as_text=True)
    assert "按来源" in page
    for source in ("一码通·职工食堂", "一码通·2号宿舍楼", "各层级慧谈"):
        assert source in page
    pdf = logged_in(mine.organizer).get(f"/reports/monthly/{month()}.pdf")
    assert pdf.status_code == 200
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "一码通·职工食堂" in text and "各层级慧谈" in text


def test_public_board_and_ledger_show_the_source(mine, loop, client, logged_in):
    board = client.get(f"/public/slips?month={month()}").get_data(as_text=True)
    assert "一码通·职工食堂" in board and "一码通·2号宿舍楼" in board and "职工层级慧谈" in board
    assert "宿舍喇叭太吵影响休息" in board  # the reply to a fully anonymous item is public …
    for secret in ("完全隐身者", "匿名张三", "13912345678"):  # … and no name is
        assert secret not in board
    workbook = load_workbook(io.BytesIO(logged_in(mine.organizer).get("/slips/ledger.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    by_number = {row[0]: dict(zip(header, row)) for row in body}
    assert by_number[loop["canteen_slip"].number]["来源"] == "一码通·职工食堂"
    assert by_number[loop["hidden_slip"].number]["来源"] == "一码通·2号宿舍楼"
    assert by_number[loop["hidden_slip"].number]["提出人"] == "完全匿名"
    assert by_number[loop["meeting_slip"].number]["来源"] == loop["meeting"].title


def test_public_summary_page_and_pdf(mine, loop, client, logged_in):
    organizer = logged_in(mine.organizer)
    # the organizer chooses replies; a withheld one cannot be chosen
    chooser = organizer.get(f"/intake/summary/{month()}").get_data(as_text=True)
    assert loop["canteen_slip"].number in chooser and loop["hidden_slip"].number in chooser
    for slip in (loop["canteen_slip"], loop["hidden_slip"]):
        assert organizer.post(f"/intake/summary/{month()}", data={"slip_id": slip.id, "picked": "1"}).status_code == 302
    organizer.post(f"/intake/summary/{month()}", data={"slip_id": loop["hidden_slip"].id, "picked": "0"})
    # a reply of this month is not chosen for another month's summary
    other = organizer.post("/intake/summary/2001-01", data={"slip_id": loop["canteen_slip"].id, "picked": "1"},
                           follow_redirects=True)
    assert "不是在 2001-01 答复的" in other.get_data(as_text=True)
    assert SummaryPick.query.filter_by(month="2001-01").count() == 0
    response = client.get(f"/public/summary/{month()}")  # no login
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "一码通·职工食堂" in page and "一码通·2号宿舍楼" in page and "各层级慧谈" in page
    assert "答复选登" in page and "已处理：食堂晚班饭" in page and "已处理：宿舍喇叭" not in page
    assert "食堂晚班饭菜品种太少" in page
    assert "100%" in page  # the reply rate of GET /stats
    for secret in ("段伟", "匿名张三", "完全隐身者", "王建国", "13912345678", "出售二手摩托车", "广告，与工作无关"):
        assert secret not in page, secret  # no names, never a hidden item's text or reason
    assert f"/public/summary/{(local_today().replace(day=1) - timedelta(days=1)):%Y-%m}" in page  # previous month
    pdf = client.get(f"/public/summary/{month()}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "职工诉求办理情况公示" in text and "一码通·职工食堂" in text and "食堂晚班饭菜品种太少" in text
    for secret in ("段伟", "匿名张三", "完全隐身者", "出售二手摩托车"):
        assert secret not in text
    # withheld: cannot be chosen, and a chosen one that becomes withheld disappears
    slip = fresh(Slip, loop["canteen_slip"].id)
    slip_services.set_publication(mine.organizer, slip, "withheld")
    db.session.commit()
    assert "食堂晚班饭菜品种太少" not in client.get(f"/public/summary/{month()}").get_data(as_text=True)
    refused = organizer.post(f"/intake/summary/{month()}", data={"slip_id": slip.id, "picked": "1"},
                             follow_redirects=True)
    assert "不公示" in refused.get_data(as_text=True)
    # an empty month still answers, with nothing to show
    empty = client.get("/public/summary/2001-01")
    assert empty.status_code == 200 and "2000-12" in empty.get_data(as_text=True)
    assert client.get("/public/summary/").status_code == 302


def test_follow_page_of_a_channel_item(mine, loop, client):
    token = fresh(Slip, loop["canteen_slip"].id).item.follow_token
    page = client.get(f"/f/{token}").get_data(as_text=True)
    assert "一码通·职工食堂" in page and "已处理：食堂晚班饭" in page
    from facilitation.live.models import Item
    answered = fresh(Item, loop["answered"]["id"])
    page = client.get(f"/f/{answered.follow_token}").get_data(as_text=True)
    assert "每月10日随工资发放" in page and "现场答复" not in page
