"""The contract of the standing QR channel (DESIGN §6), exactly as written: creating a channel, its
phone page and poster, submitting with no login and no token (201 with follow_token, none for
hidden_identity; 200 with the same item for a known client_id); bad input gets a clear Chinese
4xx and stores nothing; hidden identity stores nothing that identifies the sender."""
import logging
import os
from datetime import date

import pytest

from facilitation.extensions import db
from facilitation.intake.models import Channel
from facilitation.live.models import Item

from .conftest import new_client_id


def chinese(response):
    message = response.get_json()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    return message


def item_count():
    db.session.rollback()
    return Item.query.count()


# ------------------------------------------------------------------ channels

def test_create_channel_as_written(mine, client):
    response = mine.staff.post("/channels", json={"name": "职工食堂"})
    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "name", "code"} <= set(body) and body["name"] == "职工食堂"
    assert body["supervisor_user_id"] == mine.organizer.id  # never without a supervisor
    assert body["reply_promise"] == "24小时内响应、5个工作日内答复"
    code = body["code"]
    page = client.get(f"/c/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "职工食堂" in html and 'id="item-form"' in html and 'id="mine"' in html
    # the same component as the meeting phone page, without joining, the feed of others or votes
    assert "item-form.js" in html and "channel.js" in html
    assert "join-view" not in html and 'id="others"' not in html and "socket.io" not in html
    assert client.get(f"/c/{code.lower()}").status_code == 200  # typed by hand from the poster
    listed = mine.staff.get("/channels").get_json()["channels"]
    assert [c["code"] for c in listed] == [code]


def test_channel_codes_are_unique_and_names_too(mine):
    codes = {mine.channel(f"{n}号宿舍楼")["code"] for n in range(1, 8)}
    assert len(codes) == 7 and all(len(c) == 6 for c in codes)
    again = mine.staff.post("/channels", json={"name": "1号宿舍楼"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    assert "已经有名为" in chinese(again)


@pytest.mark.parametrize("body, status", [
    ({}, 400), ({"name": ""}, 400), ({"name": "   "}, 400), ({"name": "食" * 65}, 400), ({"name": 5}, 400),
    ({"name": "浴室\x00"}, 400), ({"name": "浴室", "supervisor_user_id": 2 ** 40}, 400),
    ({"name": "浴室", "supervisor_user_id": "1"}, 400), ({"name": "浴室", "unit_id": 99999}, 400),
    ({"name": "浴室", "is_default": "yes"}, 400), ({"name": "浴室", "invitation": "邀" * 121}, 400),
])
def test_bad_channels_are_refused_in_chinese_and_nothing_is_made(mine, body, status):
    response = mine.staff.post("/channels", json=body)
    assert response.status_code == status
    chinese(response)
    db.session.rollback()
    assert Channel.query.count() == 0


def test_only_organizers_run_channels(mine, api):
    for user in (mine.viewer, mine.handler, mine.lead):
        assert api(user).post("/channels", json={"name": "职工食堂"}).status_code == 403
        assert api(user).get("/channels").status_code == 403
    assert api(None).post("/channels", json={"name": "职工食堂"}).status_code == 401


def test_supervisor_must_be_an_organizer_or_lead_in_use(mine, make_user):
    lead = mine.channel("综采一区公示栏", supervisor_user_id=mine.lead.id)
    assert lead["supervisor_user_id"] == mine.lead.id
    refused = mine.staff.post("/channels", json={"name": "浴室", "supervisor_user_id": mine.handler.id})
    assert refused.status_code == 400 and "督办员必须是" in chinese(refused)


def test_poster_is_an_a4_pdf_with_the_qr_code(mine, logged_in):
    channel = mine.channel("2号宿舍楼", invitation="宿舍里的事，扫码就能说", reply_promise="24小时内响应、3个工作日内答复")
    browser = logged_in(mine.organizer)
    response = browser.get(f"/channels/{channel['id']}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    from pypdf import PdfReader
    import io
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points
    text = reader.pages[0].extract_text()
    assert "2号宿舍楼" in text and "宿舍里的事" in text and "3个工作日内答复" in text and channel["code"] in text
    svg = browser.get(f"/channels/{channel['id']}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert logged_in(mine.viewer).get(f"/channels/{channel['id']}/poster.pdf").status_code == 403
    # the organizer's API token opens it too (a script printing every poster)
    by_token = mine.staff.client.get(f"/channels/{channel['id']}/poster.pdf",
                                     headers={"Authorization": f"Bearer {mine.staff.token}"})
    assert by_token.status_code == 200 and by_token.data.startswith(b"%PDF")
    assert mine.anonymous.client.get(f"/channels/{channel['id']}/poster.pdf").status_code == 302  # to the login


# ------------------------------------------------------------------ submitting

def test_submit_as_written_then_retry(mine):
    code = mine.channel()["code"]
    client_id = new_client_id()
    first = mine.submit(code, client_id=client_id, anonymity="named", name="段伟")
    assert first.status_code == 201
    item = first.get_json()
    assert {"id", "client_id", "kind", "text", "status", "follow_token"} <= set(item)
    assert item["client_id"] == client_id and item["status"] == "open" and item["follow_token"]
    assert item["channel"] == "职工食堂" and item["seq"] is None and item["number"] == f"Y{item['id']}"
    again = mine.submit(code, client_id=client_id, text="重发时改了字也不算数", anonymity="named", name="段伟")
    assert again.status_code == 200
    assert again.get_json()["id"] == item["id"] and again.get_json()["text"] == item["text"]
    assert again.get_json()["follow_token"] == item["follow_token"]  # a lost answer still gets its link
    stored = Item.query.one()
    assert (stored.channel, stored.meeting_id, stored.channel_id) == ("qr", None, item["channel_id"])
    assert stored.submitter_name == "段伟"
    # the same client_id in another channel is another phone's item there
    other = mine.channel("职工宿舍")["code"]
    assert mine.submit(other, client_id=client_id).status_code == 201


def test_hidden_identity_gets_no_follow_token_and_stores_nothing_identifying(mine, app, database_url, logged_in):
    """The name and 工号 sent with a fully anonymous item are nowhere: not in the database file,
    not in any answer, not in any page or document the item appears on."""
    code = mine.channel()["code"]
    marker = os.urandom(4).hex()
    name, employee_no, phone = f"隐名{marker}", f"HID{marker}", f"1390{int(marker, 16) % 10 ** 7:07d}"
    text = f"班组长排班不公，夜班总是同几个人（{marker}）"
    response = mine.submit(code, text=text, anonymity="hidden_identity", name=name, employee_no=employee_no,
                           phone=phone, headers={"X-Huitan-Device": "device" + marker})
    assert response.status_code == 201
    body = response.get_json()
    assert "follow_token" not in body and body["submitter"] is None
    stored = Item.query.one()
    assert (stored.submitter_name, stored.submitter_employee_no, stored.person_id, stored.contact_phone,
            stored.follow_token, stored.participant_id) == (None, None, None, None, None, None)
    # the item goes all the way round: transferred, replied, on the board, in the figures
    from datetime import timedelta
    from facilitation.timeutil import local_today
    slip = mine.staff.post(f"/items/{body['id']}/transfer", json={
        "department_id": mine.logistics.id, "due_date": (local_today() + timedelta(days=3)).isoformat()})
    assert slip.status_code == 201
    from facilitation.slips import services
    from facilitation.slips.models import Slip
    the_slip = Slip.query.one()
    services.accept_slip(mine.handler, the_slip)
    services.reply_slip(mine.handler, the_slip, "已调整排班，每月公示", "《区队排班管理规定》")
    db.session.commit()
    month = local_today().strftime("%Y-%m")
    organizer = logged_in(mine.organizer)
    pages = [mine.anonymous.get(f"/channels/{code}/items?client_ids={body['client_id']}"),
             mine.staff.get("/intake?status=all"), mine.staff.get(f"/stats/{month}"),
             mine.staff.get(f"/slips/{the_slip.id}"), organizer.get(f"/slips/{the_slip.id}"),
             organizer.get("/intake/?status=all"), organizer.get("/slips/ledger.xlsx"),
             organizer.get(f"/reports/monthly/{month}"), organizer.get(f"/slips/{the_slip.id}.pdf"),
             mine.anonymous.client.get("/public/slips"), mine.anonymous.client.get(f"/public/summary/{month}"),
             organizer.get("/inbox")]
    for page in pages:
        assert page.status_code == 200, page.request.path
        data = page.get_data()
        for secret in (name, employee_no, phone, "device" + marker):
            assert secret.encode("utf-8") not in data, (secret, page.request.path)
    assert text.encode("utf-8") in mine.anonymous.client.get("/public/slips").get_data()
    for secret in (name, employee_no, phone, "device" + marker):
        assert not database_contains(secret), secret


def database_contains(text):
    """Whether `text` is anywhere in the database: the bytes of the SQLite file (and its WAL), or
    every row of every table on PostgreSQL."""
    db.session.commit()
    engine = db.engine
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        needle = text.encode("utf-8")
        found = False
        for suffix in ("", "-wal", "-journal"):
            if os.path.exists(path + suffix):
                with open(path + suffix, "rb") as handle:
                    found = found or needle in handle.read()
        return found
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(db.text(f'SELECT t::text FROM "{table.name}" t')).scalars()
        if any(text in row for row in rows):
            return True
    return False


def test_named_submitter_matched_in_the_roster(mine, tier):
    from facilitation.people.services import create_unit, save_person
    unit = create_unit("综掘一区")
    person = save_person(None, {"employee_no": "YB20331", "name": "黄占超", "tier_id": tier.id, "unit_id": unit.id})
    db.session.commit()
    code = mine.channel()["code"]
    ok = mine.submit(code, text="扣税为什么比上月多？", kind="question", employee_no="YB20331")
    assert ok.status_code == 201
    item = Item.query.one()
    assert (item.submitter_name, item.person_id, item.submitter_employee_no) == ("黄占超", person.id, "YB20331")
    wrong = mine.submit(code, employee_no="YB20331", name="黄战超")
    assert wrong.status_code == 400 and "工号与姓名不一致" in chinese(wrong)
    assert item_count() == 1


BAD_ITEMS = [
    ({"text": ""}, "empty_text"), ({"text": "   \n "}, "empty_text"), ({"text": "煤" * 501}, "text_too_long"),
    ({"text": "有\x00空字符"}, "nul_byte"), ({"text": "响铃\x07"}, "control_characters"),
    ({"kind": "complaint"}, "bad_kind"), ({"kind": None}, "bad_kind"), ({"anonymity": "secret"}, "bad_anonymity"),
    ({"client_id": "short"}, "bad_client_id"), ({"client_id": "有中文的编号呀呀呀"}, "bad_client_id"),
    ({"client_id": 12345678}, "bad_client_id"), ({"name": "名" * 65}, "bad_identity"),
    ({"name": 42}, "invalid"), ({"employee_no": ["YB1"]}, "invalid"), ({"phone": "call me"}, "bad_phone"),
    ({"category": "类" * 33}, "bad_category"), ({"text": 500}, "empty_text"),
]


@pytest.mark.parametrize("change, error_code", BAD_ITEMS)
def test_bad_items_get_a_clear_chinese_4xx_and_nothing_is_stored(mine, change, error_code):
    code = mine.channel()["code"]
    response = mine.submit(code, **change)
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]["code"] == error_code
    chinese(response)
    assert item_count() == 0


def test_unknown_code_inactive_channel_and_malformed_bodies(mine, client, logged_in):
    channel = mine.channel()
    code = channel["code"]
    for wrong in ("NOPE99", "x" * 40, "%E4%B8%AD"):
        response = mine.submit(wrong)
        assert response.status_code == 404 and "二维码无效" in chinese(response)
    assert client.get("/c/NOPE99").status_code == 404
    assert "二维码无效" in client.get("/c/NOPE99").get_data(as_text=True)
    for body in ("不是JSON", "[1, 2]", "null"):
        response = client.post(f"/api/v1/channels/{code}/items", data=body, content_type="application/json")
        assert response.status_code == 400 and chinese(response)
    huge = client.post(f"/api/v1/channels/{code}/items", data="x" * 70000, content_type="application/json")
    assert huge.status_code == 413 and chinese(huge)
    assert item_count() == 0

    kept = mine.submit(code, client_id="kept-0000001")
    assert kept.status_code == 201
    stop = logged_in(mine.organizer).post(f"/channels/{channel['id']}/active", data={"active": "0"})
    assert stop.status_code == 302
    gone = mine.submit(code)
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "channel_inactive"
    assert "已经停用" in chinese(gone)
    assert mine.submit(code, client_id="kept-0000001").status_code == 200  # a late retry still gets its item
    page = client.get(f"/c/{code}")
    assert page.status_code == 410 and "已停用" in page.get_data(as_text=True)
    assert item_count() == 1


def test_status_of_the_phones_own_items(mine):
    code = mine.channel()["code"]
    mine_ids = [mine.submit(code, text=f"第{n}条", client_id=f"phone-a-{n:04d}").get_json()["client_id"]
                for n in range(3)]
    mine.submit(code, text="别人的", client_id="phone-b-0001")
    response = mine.anonymous.get(f"/channels/{code}/items?client_ids={','.join(mine_ids)},nope,,")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert sorted(i["client_id"] for i in items) == sorted(mine_ids)
    assert all("follow_token" not in i and i["submitter"] is None or i["anonymity"] == "named" for i in items)
    assert mine.anonymous.get(f"/channels/{code}/items").get_json() == {"items": []}
    assert mine.anonymous.get("/channels/NOPE99/items?client_ids=x").status_code == 404


def test_submissions_are_rate_limited_per_device_and_per_channel(mine, app):
    code = mine.channel()["code"]
    other = mine.channel("职工宿舍")["code"]
    old = {key: app.config[key] for key in ("CHANNEL_DEVICE_RATE_LIMIT", "CHANNEL_RATE_LIMIT")}
    app.config.update(CHANNEL_DEVICE_RATE_LIMIT="3 per minute", CHANNEL_RATE_LIMIT="5 per minute")
    try:
        # the channel's limit: whichever phones send, five a minute here
        first, second = {"X-Huitan-Device": "device-aaaa-0001"}, {"X-Huitan-Device": "device-bbbb-0002"}
        assert [mine.submit(code, headers=first).status_code for _ in range(3)] == [201, 201, 201]
        assert [mine.submit(code, headers=second).status_code for _ in range(3)] == [201, 201, 429]
        limited = mine.submit(code, headers=second)
        assert "操作太频繁" in chinese(limited)
        # one device's limit, on another channel
        third = {"X-Huitan-Device": "device-cccc-0003"}
        assert [mine.submit(other, headers=third).status_code for _ in range(4)] == [201, 201, 201, 429]
        assert mine.submit(other, headers={"X-Huitan-Device": "device-dddd-0004"}).status_code == 201
    finally:
        app.config.update(old)
    assert item_count() == 9


def test_a_new_device_header_on_every_request_does_not_lift_the_limits(mine, app):
    """The device id is the client's word: the per-address limit holds whatever it says, and
    refused submissions never use up the channel's allowance for everybody."""
    code = mine.channel()["code"]
    old = {key: app.config[key] for key in ("CHANNEL_ADDRESS_RATE_LIMIT", "CHANNEL_RATE_LIMIT")}
    app.config.update(CHANNEL_ADDRESS_RATE_LIMIT="4 per minute", CHANNEL_RATE_LIMIT="3 per minute")
    try:
        spoofed = [mine.submit(code, headers={"X-Huitan-Device": f"spoofed-{n:08d}"}).status_code for n in range(6)]
        assert spoofed == [201, 201, 201, 429, 429, 429]
    finally:
        app.config.update(old)
    assert item_count() == 3


def test_refused_submissions_do_not_close_the_channel(mine, app, client):
    code = mine.channel()["code"]
    old = app.config["CHANNEL_RATE_LIMIT"]
    app.config.update(CHANNEL_RATE_LIMIT="3 per minute")
    try:
        junk = [client.post(f"/api/v1/channels/{code}/items", json={"client_id": "x"},
                            environ_base={"REMOTE_ADDR": f"10.9.0.{n}"}).status_code for n in range(5)]
        assert junk == [400] * 5
        assert mine.submit(code, headers={"X-Huitan-Device": "honest-device-01"}).status_code == 201
    finally:
        app.config["CHANNEL_RATE_LIMIT"] = old


def test_the_request_log_keeps_no_address_for_channel_requests(app):
    """The access log line of a channel submission does not say who sent it."""
    from facilitation.intake.views import _ChannelLogFilter
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, _ChannelLogFilter) for f in logger.filters)
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "10.8.3.77 - - [01/Dec/2026 08:00:00] %s %s %s",
                               ('"POST /api/v1/channels/ABC234/items HTTP/1.1"', "201", "-"), None)
    assert logger.filters[-1].filter(record) is not None
    assert "10.8.3.77" not in record.getMessage() and "/api/v1/channels/ABC234/items" in record.getMessage()
    other = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "10.8.3.77 - - [x] %s %s %s",
                              ('"GET /slips/ HTTP/1.1"', "200", "-"), None)
    _ChannelLogFilter().filter(other)
    assert "10.8.3.77" in other.getMessage()
    poll = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "10.8.3.77 - - [x] %s %s %s",
                             ('"GET /api/v1/channels/ABC234/items?client_ids=named-1,hidden-2 HTTP/1.1"', "200", "-"),
                             None)
    _ChannelLogFilter().filter(poll)
    assert "hidden-2" not in poll.getMessage() and "/api/v1/channels/ABC234/items HTTP/1.1" in poll.getMessage()


def test_channel_pages_for_organizers(mine, logged_in, make_user):
    browser = logged_in(mine.organizer)
    page = browser.get("/channels/")
    assert page.status_code == 200 and "新建渠道" in page.get_data(as_text=True)
    created = browser.post("/channels/", data={"name": "洗浴中心", "invitation": "洗澡的事扫码说",
                                               "reply_promise": "当天响应", "unit_id": 0,
                                               "supervisor_user_id": mine.lead.id, "is_default": "y"})
    assert created.status_code == 302
    channel = Channel.query.filter_by(name="洗浴中心").one()
    assert (channel.supervisor_user_id, channel.is_default, channel.invitation) == (mine.lead.id, True, "洗澡的事扫码说")
    edit = browser.post(f"/channels/{channel.id}", data={"name": "洗浴中心（北区）", "invitation": "",
                                                        "reply_promise": "当天响应", "unit_id": 0,
                                                        "supervisor_user_id": mine.organizer.id})
    assert edit.status_code == 302
    channel = db.session.get(Channel, channel.id)
    db.session.refresh(channel)
    assert (channel.name, channel.invitation, channel.is_default) == ("洗浴中心（北区）", None, False)
    duplicate = browser.post("/channels/", data={"name": "洗浴中心（北区）", "unit_id": 0,
                                                 "supervisor_user_id": mine.organizer.id})
    assert duplicate.status_code == 200 and "已经有名为" in duplicate.get_data(as_text=True)
    assert Channel.query.count() == 1


def test_the_meeting_phone_page_points_to_the_default_channel(mine, make_meeting, client):
    meeting = make_meeting()
    page = client.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert "请扫描本单位张贴的“一码通”二维码提交" in page  # no channel yet
    first = mine.channel("综采一区公示栏")
    second = mine.channel("职工食堂", is_default=True)
    page = client.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert f'href="/c/{second["code"]}"' in page and "打开一码通" in page
    mine.staff.post("/channels", json={"name": "宿舍", "is_default": True})
    page = client.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert f'href="/c/{second["code"]}"' not in page  # one default at a time
    assert Channel.query.filter_by(is_default=True).count() == 1
    assert first["code"] not in page


def test_poster_month_dates(mine):  # the summary's month route refuses what is not a month
    for month in ("2026-13", "26-01", "1999-12", "2026-1", "abcd-ef"):
        assert mine.anonymous.client.get(f"/public/summary/{month}").status_code == 404
    assert mine.anonymous.client.get(f"/public/summary/{date.today():%Y-%m}").status_code == 200


def test_the_channel_page_warns_when_its_qr_code_points_at_this_machine(mine, logged_in, app):
    channel = mine.channel()
    page = logged_in(mine.organizer).get(f"/channels/{channel['id']}").get_data(as_text=True)  # http://localhost/
    assert "本机地址" in page
    app.config["PUBLIC_BASE_URL"] = "http://10.8.1.20:5000"
    try:
        page = logged_in(mine.organizer).get(f"/channels/{channel['id']}").get_data(as_text=True)
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    assert "本机地址" not in page and "http://10.8.1.20:5000/c/" in page
