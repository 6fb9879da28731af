"""The JSON API base: bearer tokens, the error shape, body limits, CSRF for cookie callers,
the tier and department lists, and an OpenAPI document that covers every /api/v1 route."""
import re

import pytest

from facilitation.extensions import db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_error(response, status, code=None):
    """The error shape of §6: {"error": {"code", "message"}} with a Chinese message."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json, response.content_type
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert CHINESE.search(error["message"]), error["message"]
    if code is not None:
        assert error["code"] == code
    return error


# ------------------------------------------------------------------ bearer tokens

def test_no_token_is_401_with_the_error_shape(api):
    error = assert_error(api().get("/tiers"), 401, "unauthorized")
    assert "令牌" in error["message"] or "登录" in error["message"]


def test_wrong_token_is_401(api, make_user, token_for):
    token_for(make_user("organizer"))
    assert_error(api("ht_not-a-real-token").get("/tiers"), 401, "unauthorized")


def test_revoked_token_is_401(api, make_user, token_for):
    from facilitation.accounts.models import ApiToken
    from facilitation.timeutil import utcnow
    token = token_for(make_user("organizer"))
    assert api(token).get("/tiers").status_code == 200
    ApiToken.query.filter_by(token_hash=ApiToken.hash(token)).one().revoked_at = utcnow()
    db.session.commit()
    assert_error(api(token).get("/tiers"), 401)


def test_token_of_a_disabled_user_is_401(api, make_user, token_for):
    user = make_user("organizer")
    token = token_for(user)
    user.is_enabled = False
    db.session.commit()
    assert_error(api(token).get("/tiers"), 401)


def test_token_is_stored_only_as_a_hash(make_user, token_for):
    from facilitation.accounts.models import ApiToken
    token = token_for(make_user("viewer"))
    row = ApiToken.query.one()
    assert token not in (row.token_hash, row.label)
    assert row.token_hash == ApiToken.hash(token)


def test_participant_token_is_not_a_staff_login(api, make_meeting):
    from facilitation.live.tokens import issue_participant_token
    from facilitation.live.services import join_meeting
    meeting = make_meeting("live")
    participant = join_meeting(meeting.join_code, name="李师傅")
    db.session.commit()
    assert_error(api(issue_participant_token(participant)).get("/tiers"), 401)


# ------------------------------------------------------------------ tiers and departments

def test_tiers_are_the_eight_in_order_with_their_lead(api, lead_user):
    response = api(lead_user).get("/tiers")
    assert response.status_code == 200
    tiers = response.get_json()["tiers"]
    assert [t["name"] for t in tiers] == ["职工", "党员", "群监员(青安岗)", "班组长", "安监员", "副区长(技术员)",
                                          "区长书记", "生产职能科室"]
    assert [t["position"] for t in tiers] == list(range(1, 9))
    for tier in tiers:
        assert {"id", "code", "name", "position", "lead"} <= set(tier)
    assert tiers[0]["code"] == "staff"
    assert tiers[0]["lead"]["name"] == "韩立军" and tiers[0]["lead"]["user_id"] == lead_user.id
    assert all(t["lead"] is None for t in tiers[1:])


def test_tiers_follow_a_reordering(api, make_user):
    from facilitation.people.models import Tier
    from facilitation.people.services import move_tier
    move_tier(Tier.query.filter_by(code="party_member").one(), -1)
    db.session.commit()
    codes = [t["code"] for t in api(make_user("viewer")).get("/tiers").get_json()["tiers"]]
    assert codes[:2] == ["party_member", "staff"]


def test_departments_list(api, make_user, make_department):
    first = make_department("人力资源部")
    second = make_department("安监处")
    retired = make_department("已撤销科")
    retired.is_active = False
    db.session.commit()
    response = api(make_user("handler", department=first)).get("/departments")
    assert response.status_code == 200
    assert response.get_json() == {"departments": [{"id": first.id, "name": "人力资源部"},
                                                   {"id": second.id, "name": "安监处"}]}


# ------------------------------------------------------------------ the error shape

def test_400_for_invalid_input(api, make_user):
    error = assert_error(api(make_user("organizer")).post("/meetings", json={"title": ""}), 400)
    assert "主题" in error["message"]


def test_403_for_a_role_that_may_not(api, make_user, tier):
    assert_error(api(make_user("viewer")).post("/meetings", json={"title": "x", "tier_id": tier.id}), 403, "forbidden")


def test_404_for_a_missing_object_and_an_unknown_route(api, make_user):
    client = api(make_user("organizer"))
    assert_error(client.get("/meetings/999999"), 404, "not_found")
    assert_error(client.get("/no-such-endpoint"), 404, "not_found")


def test_405_for_a_wrong_method(api, make_user):
    assert_error(api(make_user("organizer")).get("/meetings"), 405, "method_not_allowed")


def test_409_for_an_illegal_state_change(api, make_user, make_meeting):
    meeting = make_meeting("planned")
    assert_error(api(make_user("organizer")).post(f"/meetings/{meeting.id}/close"), 409, "conflict")


def test_oversized_json_body_is_refused(api, make_user, tier):
    from facilitation.scheduling.models import Meeting
    body = {"title": "x", "tier_id": tier.id, "starts_at": "2030-01-01T09:00", "notes": "很" * 70_000}
    response = api(make_user("organizer")).post("/meetings", json=body)
    assert_error(response, 413, "too_large")
    assert Meeting.query.count() == 0


def test_chunked_oversized_body_is_refused(client, make_user, token_for):
    """Without Content-Length (chunked upload) the body is still capped while it is read."""
    import io
    token = token_for(make_user("organizer"))
    body = b'{"title": "' + b"x" * 100_000 + b'"}'
    response = client.post("/api/v1/meetings", input_stream=io.BytesIO(body), content_type="application/json",
                           headers={"Authorization": f"Bearer {token}", "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize("body, content_type", [
    ("title=x", "application/x-www-form-urlencoded"),
    ("not json at all", "application/json"),
    ('["a", "list"]', "application/json"),
])
def test_non_json_body_is_400(client, make_user, token_for, body, content_type):
    token = token_for(make_user("organizer"))
    response = client.post("/api/v1/meetings", data=body, content_type=content_type,
                           headers={"Authorization": f"Bearer {token}"})
    error = assert_error(response, 400, "invalid_json")
    assert "JSON" in error["message"]


# ------------------------------------------------------------------ CSRF: cookie callers need the token

def test_cookie_post_without_csrf_token_is_refused(app, client, make_user, login_as, tier, lead_user):
    from facilitation.scheduling.models import Meeting
    login_as(make_user("organizer"))
    body = {"title": "十二月职工层级慧谈", "tier_id": tier.id, "starts_at": "2030-01-01T09:00"}
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/api/v1/meetings", json=body)
        assert_error(response, 400)
        assert Meeting.query.count() == 0
        # the same user with the page's token (as the board's JavaScript sends it) gets through
        html = client.get("/meetings/new").get_data(as_text=True)
        csrf_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        response = client.post("/api/v1/meetings", json=body, headers={"X-CSRFToken": csrf_token})
        assert response.status_code == 201, response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_bearer_post_needs_no_csrf_token(app, api, make_user, tier, lead_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = api(make_user("organizer")).post("/meetings", json={
            "title": "十二月职工层级慧谈", "tier_id": tier.id, "starts_at": "2030-01-01T09:00"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 201, response.get_data(as_text=True)


# ------------------------------------------------------------------ OpenAPI

def openapi_path(rule):
    """/api/v1/meetings/<int:meeting_id> → /api/v1/meetings/{meeting_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        operations = paths.get(openapi_path(rule.rule), {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in operations:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, ("undocumented API routes; add an OpenAPI block after '---' in the view's "
                         "docstring:\n" + "\n".join(missing))


def test_every_openapi_operation_has_responses(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    without = []
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = {str(code) for code in operation.get("responses", {})}
            if not any(code.startswith("2") for code in codes):
                without.append(f"{method.upper()} {path}")
            assert operation["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}
    assert not without, "operations without a success response:\n" + "\n".join(without)


def test_openapi_path_parameters_are_declared(client):
    """Every {name} in a path is described as a path parameter of its operations."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    undeclared = []
    for path, operations in paths.items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in operations.items():
            if method == "parameters":
                continue
            declared = {p["name"] for p in operations.get("parameters", []) + operation.get("parameters", [])
                        if p.get("in") == "path"}
            if names - declared:
                undeclared.append(f"{method.upper()} {path}: {sorted(names - declared)}")
    assert not undeclared, "\n".join(undeclared)


def test_openapi_is_public(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
