"""Health check, login, language switch, home page."""
from facilitation.extensions import db


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_login_form_has_username_and_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html
    assert "登录慧谈" in html  # Simplified Chinese by default


def test_login_with_wrong_password_shows_chinese_error(client, make_user):
    user = make_user("organizer")
    response = client.post("/login", data={"username": user.username, "password": "wrong-password"})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_login_then_home_page_then_logout(client, make_user, login_as):
    user = make_user("organizer", display_name="孟庆华")
    login_as(user)
    html = client.get("/").get_data(as_text=True)
    assert "本月概况" in html and "孟庆华" in html
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_disabled_user_cannot_log_in(client, make_user):
    user = make_user("viewer")
    user.is_enabled = False
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": "correct-horse-1"})
    assert response.status_code == 401


def test_login_redirect_ignores_foreign_next(client, make_user):
    user = make_user("viewer")
    response = client.post("/login?next=https://evil.example/", data={"username": user.username,
                                                                       "password": "correct-horse-1"})
    assert response.headers["Location"] == "/"


def test_language_switch_to_english(client):
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html or "Log in" in html


def test_login_is_rate_limited(app, client, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        responses = [client.post("/login", data={"username": "nobody", "password": "x"}) for _ in range(5)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"
    assert [r.status_code for r in responses[:3]] == [401, 401, 401]
    assert responses[3].status_code == 429
    assert "操作太频繁" in responses[3].get_data(as_text=True)


def test_csrf_is_enforced_on_forms(app, client, make_user):
    user = make_user("organizer")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"username": user.username, "password": "correct-horse-1"})
    assert response.status_code in (200, 400, 401)
    assert client.get("/").status_code == 302  # not logged in: the token was missing


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_default_secret(monkeypatch):
    import pytest
    from facilitation import create_app
    monkeypatch.setenv("HUITAN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app({"SECRET_KEY": "dev-only-insecure-secret-key"})
