"""Logout, a password change and deactivation end the session on the server: a copy of the
cookie saved before stops working."""
from facilitation.extensions import db

from conftest import PASSWORD, login


def saved_cookie(client):
    return client.get_cookie("session").value


def replay(app, cookie):
    """A fresh browser that only has the saved cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/")


def test_a_cookie_saved_before_logout_is_dead_after_it(app, client, make_user):
    user = make_user("organizer")
    login(client, user)
    cookie = saved_cookie(client)
    assert replay(app, cookie).status_code == 200
    assert client.post("/logout").status_code == 302
    response = replay(app, cookie)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # logging in again works and gives a new, working cookie
    login(client, user)
    assert replay(app, saved_cookie(client)).status_code == 200


def test_a_password_change_by_the_admin_ends_the_users_sessions(app, client, make_user):
    from facilitation.accounts.services import update_user
    user = make_user("handler")
    login(client, user)
    cookie = saved_cookie(client)
    from facilitation.accounts.services import issue_api_token
    token = issue_api_token(user)
    db.session.commit()
    assert client.get("/api/v1/tiers", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    update_user(user, display_name=user.display_name, role=user.role, department=user.department,
                password="a-new-password-9")
    db.session.commit()
    assert replay(app, cookie).status_code == 302
    # the API tokens went with the old password
    assert app.test_client().get("/api/v1/tiers", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_deactivation_ends_the_users_sessions(app, client, make_user, login_as):
    admin = make_user("admin")
    user = make_user("viewer")
    login(client, user)
    cookie = saved_cookie(client)
    admin_client = app.test_client()
    login(admin_client, admin)
    response = admin_client.post(f"/admin/users/{user.id}/edit", data={
        "display_name": user.display_name, "role": "viewer", "department_id": 0, "password": ""})
    assert response.status_code == 302  # is_enabled unchecked: the account is disabled
    db.session.expire_all()
    assert not user.is_enabled
    assert replay(app, cookie).status_code == 302


def test_an_admin_changing_their_own_password_stays_logged_in(app, client, make_user):
    admin = make_user("admin")
    login(client, admin)
    response = client.post(f"/admin/users/{admin.id}/edit", data={
        "display_name": "新名字", "role": "admin", "department_id": 0, "is_enabled": "y",
        "password": "another-password-7"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/login", data={"username": admin.username, "password": PASSWORD}).status_code == 401


def test_a_forged_cookie_id_without_the_generation_is_refused(app, make_user):
    """Cookies written before generations existed (`user_id` only) no longer log anyone in."""
    from flask.sessions import SecureCookieSessionInterface
    user = make_user("admin")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": str(user.id), "_fresh": True})
    assert replay(app, forged).status_code == 302
