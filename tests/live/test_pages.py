"""Server-rendered live pages: the phone page, its error pages, and the board's variants."""
from facilitation.extensions import db
from facilitation.scheduling.services import close_meeting


def test_wrong_join_code_page_says_so_in_chinese(client):
    response = client.get("/j/NOPE42")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "参会码无效" in body
    assert "请核对二维码或参会码" in body


def test_planned_meeting_page_says_not_started(client, make_meeting):
    meeting = make_meeting(status="planned")
    response = client.get(f"/j/{meeting.join_code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "慧谈尚未开始" in body
    assert meeting.title in body


def test_closed_meeting_page_says_it_has_ended(client, make_meeting, lead_user):
    meeting = make_meeting()
    close_meeting(lead_user, meeting)
    db.session.commit()
    response = client.get(f"/j/{meeting.join_code.lower()}")
    body = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "慧谈已经结束" in body
    assert 'id="item-form"' not in body
    assert f"/j/{meeting.join_code}/minutes" in body


def test_phone_page_offers_kinds_anonymity_levels_and_counter(client, make_meeting):
    meeting = make_meeting()
    response = client.get(f"/j/{meeting.join_code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for label in ("问题意见", "诉求", "困难", "合理化建议", "实名", "对会场匿名", "完全匿名"):
        assert label in body
    assert "只有组织者和本场牵头人能看到是谁提的" in body
    assert "系统不记录您的身份" in body
    assert "/ 500" in body
    # No CDN: every script is served by us.
    assert "socket.io.min.js" in body and "//cdn" not in body
    assert "不填姓名，直接加入" not in body  # allow_nameless is off by default


def test_phone_page_offers_nameless_join_when_allowed(client, make_meeting):
    meeting = make_meeting()
    meeting.allow_nameless = True
    db.session.commit()
    body = client.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert "不填姓名，直接加入" in body


def test_board_has_csrf_meta_qr_and_staff_controls_for_the_lead(client, login_as, lead_user, make_meeting):
    meeting = make_meeting()
    login_as(lead_user)
    body = client.get(f"/meetings/{meeting.id}/board").get_data(as_text=True)
    assert 'name="csrf-token"' in body
    assert f"/meetings/{meeting.id}/qr.svg" in body
    assert meeting.join_code in body
    assert 'id="close-meeting"' in body and 'id="staff-entry-open"' in body
    assert 'data-can-chair="1"' in body


def test_presentation_mode_hides_staff_controls_and_chrome(client, login_as, lead_user, make_meeting):
    meeting = make_meeting()
    login_as(lead_user)
    body = client.get(f"/meetings/{meeting.id}/board?present=1").get_data(as_text=True)
    assert 'id="close-meeting"' not in body
    assert 'id="dialog"' not in body
    assert 'class="topbar"' not in body
    assert 'data-can-chair="0"' in body
    assert meeting.join_code in body


def test_viewer_sees_the_board_without_controls(client, login_as, make_user, make_meeting):
    meeting = make_meeting()
    login_as(make_user("viewer"))
    response = client.get(f"/meetings/{meeting.id}/board")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="close-meeting"' not in body and 'data-can-chair="0"' in body


def test_board_requires_login(client, make_meeting):
    meeting = make_meeting()
    response = client.get(f"/meetings/{meeting.id}/board")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_qr_code_is_an_svg_of_the_join_link(client, login_as, lead_user, make_meeting):
    meeting = make_meeting()
    login_as(lead_user)
    response = client.get(f"/meetings/{meeting.id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith("<svg")


def test_vendored_socketio_client_is_served_with_its_license(client):
    script = client.get("/static/vendor/socket.io.min.js")
    assert script.status_code == 200 and b"Socket.IO v4" in script.data
    assert client.get("/static/vendor/socket.io.LICENSE").status_code == 200
    script.close()


def test_live_scripts_stay_es5_for_old_webviews(client):
    """WeChat's and old Android WebViews choke on ES2015+ syntax: keep the scripts ES5."""
    import re
    for name in ("live-common.js", "phone.js", "board.js"):
        response = client.get(f"/static/js/{name}")
        source = response.get_data(as_text=True)
        response.close()
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
        assert "=>" not in code, name
        assert "`" not in code, name
        assert "?." not in code, name
        assert not re.search(r"\b(let|const|class)\s", code), name
        assert "fetch(" not in code, name


def test_the_board_warns_when_its_qr_code_points_phones_to_the_server_itself(app, client, make_meeting, lead_user,
                                                                             login_as):
    meeting = make_meeting()
    login_as(lead_user)
    page = client.get(f"/meetings/{meeting.id}/board").get_data(as_text=True)  # the test host is localhost
    assert "二维码里的地址是本机地址" in page and "PUBLIC_BASE_URL" in page
    app.config["PUBLIC_BASE_URL"] = "http://10.1.2.3:5000"
    try:
        page = client.get(f"/meetings/{meeting.id}/board").get_data(as_text=True)  # the test host is localhost
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    assert "二维码里的地址是本机地址" not in page and "http://10.1.2.3:5000/j/" in page
