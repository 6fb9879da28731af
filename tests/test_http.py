"""The HTTP layer: bounded ids, NUL bytes, security headers, CSRF with other Authorization
headers, the real client address only from trusted proxies, limits keyed per person."""
import io
import os
import re
import zipfile
from datetime import timedelta

import pytest

from facilitation.extensions import db, limiter
from facilitation.live.models import Item
from facilitation.scheduling.models import Participant
from facilitation.timeutil import local_today

from conftest import ROOT
from tests.live.test_items_api import join, new_client_id

HUGE_IDS = ("9223372036854775808", "2147483648", "99999999999999999999")


# ------------------------------------------------------------------ ids

@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_ids_in_paths_are_404_not_500(api, make_user, huge):
    organizer = api(make_user("organizer"))
    for path in (f"/meetings/{huge}", f"/slips/{huge}", f"/meetings/{huge}/items"):
        assert organizer.get(path).status_code == 404, path
    assert organizer.post(f"/items/{huge}/answer", json={"answer": "好"}).status_code == 404


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_numbers_in_queries_and_bodies_are_400_not_500(api, make_user, make_meeting, huge):
    organizer_user = make_user("organizer")
    organizer = api(organizer_user)
    meeting = make_meeting()
    assert organizer.get(f"/meetings/{meeting.id}/items?after={huge}").status_code in (200, 400)
    assert organizer.get(f"/slips?page={huge}").status_code in (200, 400)
    assert organizer.get(f"/slips?department_id={huge}").status_code in (200, 400)
    for field in ("tier_id", "lead_user_id"):
        response = organizer.post("/meetings", json={"title": "专题慧谈", "kind": "topic", field: int(huge),
                                                     "starts_at": "2027-01-05T09:00"})
        assert response.status_code == 400, response.get_json()
    item = organizer.post(f"/meetings/{meeting.id}/items",
                          json={"client_id": new_client_id(), "kind": "demand", "text": "更衣室暖气不热"}).get_json()
    due = (local_today() + timedelta(days=3)).isoformat()
    for path, body in ((f"/items/{item['id']}/transfer", {"department_id": int(huge), "due_date": due}),
                       (f"/items/{item['id']}/merge", {"target_id": int(huge)})):
        assert organizer.post(path, json=body).status_code in (400, 404)
    assert db.session.get(Item, item["id"]).status == "open"


def test_html_pages_ignore_absurd_page_numbers(client, make_user, login_as):
    login_as(make_user("organizer"))
    for url in ("/slips/?page=99999999999999999999", "/meetings/?page=-3&tier_id=99999999999999",
                "/public/slips?page=99999999999999999999"):
        assert client.get(url).status_code == 200, url


# ------------------------------------------------------------------ NUL bytes and bidi controls

def test_nul_bytes_are_refused_with_a_clear_message_and_nothing_stored(api, make_meeting):
    meeting = make_meeting()
    token = join(api, meeting)
    phone = api(token)
    response = phone.post(f"/meetings/{meeting.id}/items",
                          json={"client_id": new_client_id(), "kind": "demand", "text": "班车\x00太少"})
    assert response.status_code == 400
    assert "控制字符" in response.get_json()["error"]["message"]
    assert Item.query.count() == 0
    assert api().post(f"/join/{meeting.join_code}", json={"name": "王\x00五"}).status_code == 400
    assert api().post(f"/join/{meeting.join_code}%00", json={"name": "王五"}).status_code in (400, 404)
    assert Participant.query.filter_by(display_name="王五").count() == 0


def test_right_to_left_overrides_are_removed_from_item_text(api, make_meeting):
    meeting = make_meeting()
    phone = api(join(api, meeting))
    response = phone.post(f"/meetings/{meeting.id}/items",
                          json={"client_id": new_client_id(), "kind": "suggestion", "text": "附件abc\u202egnp.exe"})
    assert response.status_code == 201
    assert response.get_json()["text"] == "附件abcgnp.exe"
    assert Item.query.one().text == "附件abcgnp.exe"


def test_booleans_must_be_booleans(api, make_user, make_meeting):
    meeting = make_meeting()
    organizer = api(make_user("organizer"))
    response = organizer.post(f"/meetings/{meeting.id}/items",
                              json={"client_id": new_client_id(), "kind": "demand", "text": "急事", "is_urgent": "false"})
    assert response.status_code == 400 and "true 或 false" in response.get_json()["error"]["message"]
    assert Item.query.count() == 0


def test_deadlines_more_than_a_year_ahead_are_refused(api, make_user, make_meeting, make_department):
    department = make_department("后勤管理部")
    meeting = make_meeting()
    organizer = api(make_user("organizer"))
    item = organizer.post(f"/meetings/{meeting.id}/items",
                          json={"client_id": new_client_id(), "kind": "demand", "text": "澡堂热水不够"}).get_json()
    response = organizer.post(f"/items/{item['id']}/transfer", json={"department_id": department.id,
                                                                     "due_date": "9999-12-31"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "far_due_date"
    assert db.session.get(Item, item["id"]).status == "open"


def test_a_zip_that_is_no_workbook_is_a_clear_400(client, make_user, login_as):
    login_as(make_user("organizer"))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
        archive.writestr("xl/workbook.xml", "<not-xml")
    response = client.post("/people/import", data={"file": (io.BytesIO(data.getvalue()), "名单.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "无法读取该 Excel 文件" in response.get_data(as_text=True)


# ------------------------------------------------------------------ headers

def test_every_response_carries_the_security_headers(client, make_user, login_as):
    for url in ("/login", "/healthz", "/api/v1/openapi.json", "/j/NOPE"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_handlers_or_style_attributes():
    offenders = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "templates")):
        if os.path.basename(folder) == "pdf":
            continue  # PDFs are rendered by WeasyPrint, never by a browser
        for name in files:
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            for pattern in (r"\son[a-z]+\s*=", r"\sstyle\s*=", r"<style", r"<script(?![^>]*(src=|type=\"application/json\"))"):
                if re.search(pattern, text):
                    offenders.append(f"{name}: {pattern}")
    assert not offenders, offenders


# ------------------------------------------------------------------ CSRF

def test_a_cookie_request_with_a_basic_header_still_needs_its_csrf_token(app, client, make_user, make_meeting,
                                                                          login_as):
    meeting = make_meeting()
    login_as(make_user("organizer"))
    app.config["WTF_CSRF_ENABLED"] = True
    body = {"client_id": new_client_id(), "kind": "demand", "text": "跨站伪造的事项"}
    for header in ("Basic eDp5", "Bearer made-up-token", "Bearer p.forged", "Token abc"):
        response = client.post(f"/api/v1/meetings/{meeting.id}/items", json=body, headers={"Authorization": header})
        assert response.status_code == 400, header
    assert Item.query.count() == 0


def test_a_valid_bearer_token_needs_no_csrf_token(app, api, make_user, make_meeting):
    meeting = make_meeting()
    app.config["WTF_CSRF_ENABLED"] = True
    response = api(make_user("organizer")).post(f"/meetings/{meeting.id}/items",
                                                json={"client_id": new_client_id(), "kind": "demand", "text": "好"})
    assert response.status_code == 201


# ------------------------------------------------------------------ behind a proxy

def proxied_app(trusted):
    from facilitation import create_app
    from conftest import TEST_SECRET
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db.engine.url.render_as_string(False),
                       "SECRET_KEY": TEST_SECRET, "WTF_CSRF_ENABLED": False, "TRUSTED_PROXIES": trusted})


def test_forwarded_addresses_are_believed_only_from_trusted_proxies():
    from flask import request
    seen = []
    app = proxied_app("10.0.0.0/8")
    app.before_request(lambda: seen.append(request.remote_addr))
    client = app.test_client()
    client.get("/healthz", headers={"X-Forwarded-For": "192.168.7.21"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    client.get("/healthz", headers={"X-Forwarded-For": "192.168.7.21"}, environ_base={"REMOTE_ADDR": "172.16.0.9"})
    assert seen == ["192.168.7.21", "172.16.0.9"]


def test_failed_logins_of_one_account_do_not_lock_out_others_behind_the_same_proxy(app, client, make_user):
    alice, bob = make_user("organizer"), make_user("lead")
    limiter.reset()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for _n in range(4):
            client.post("/login", data={"username": alice.username, "password": "wrong"})
        locked = client.post("/login", data={"username": alice.username, "password": "wrong"})
        other = client.post("/login", data={"username": bob.username, "password": "correct-horse-1"})
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"
        limiter.reset()
    assert locked.status_code == 429
    assert other.status_code == 302


def test_a_full_room_of_phones_behind_one_address_all_get_in(app, api, make_meeting):
    meeting = make_meeting(max_participants=10)
    limiter.reset()
    app.config.update(JOIN_RATE_MIN=30, JOIN_ATTEMPTS_PER_SEAT=5)
    try:
        statuses = [api().post(f"/join/{meeting.join_code}", json={"name": f"职工{n}"}).status_code
                    for n in range(10)]
    finally:
        app.config.update(JOIN_RATE_MIN=10000)
        limiter.reset()
    assert statuses == [200] * 10
