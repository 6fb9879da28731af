"""The admin's user management pages: create, edit, disable; what they refuse."""
import pytest

from facilitation.accounts.models import User
from facilitation.extensions import db

PASSWORD = "correct-horse-1"  # the suite's password for made users (conftest.PASSWORD)


@pytest.fixture
def admin(make_user, login_as):
    user = make_user("admin", username="admin", display_name="系统管理员")
    login_as(user)
    return user


def user_form(**overrides):
    data = {"username": "mengqh", "display_name": "孟庆华", "role": "organizer", "department_id": "0",
            "password": "long-enough-1", "is_enabled": "y"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def can_log_in(app, username, password):
    response = app.test_client().post("/login", data={"username": username, "password": password})
    return response.status_code == 302


# ------------------------------------------------------------------ creating

def test_admin_creates_a_user_who_can_log_in(app, client, admin):
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'name="username"' in page and 'name="role"' in page and "承办人" in page
    response = client.post("/admin/users/new", data=user_form())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    user = User.query.filter_by(username="mengqh").one()
    assert user.role == "organizer" and user.display_name == "孟庆华" and user.is_enabled
    assert "long-enough-1" not in user.password_hash
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "mengqh" in listing and "孟庆华" in listing and "组织者（党群办）" in listing
    assert can_log_in(app, "mengqh", "long-enough-1")


def test_handler_needs_a_department(client, admin, make_department):
    department = make_department("后勤管理部")
    response = client.post("/admin/users/new", data=user_form(username="houqin", role="handler"))
    assert response.status_code == 400
    assert "承办人必须指定所属科室" in response.get_data(as_text=True)
    assert User.query.filter_by(username="houqin").first() is None

    response = client.post("/admin/users/new", data=user_form(username="houqin", role="handler",
                                                              department_id=str(department.id)))
    assert response.status_code == 302
    assert User.query.filter_by(username="houqin").one().department_id == department.id
    assert "后勤管理部" in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("password", ["short", "", None])
def test_short_or_missing_password_is_refused(client, admin, password):
    response = client.post("/admin/users/new", data=user_form(password=password))
    assert response.status_code == 400
    assert "密码至少需要 8 个字符" in response.get_data(as_text=True)
    assert User.query.filter_by(username="mengqh").first() is None


def test_duplicate_username_is_refused(client, admin, make_user):
    make_user("viewer", username="mengqh")
    response = client.post("/admin/users/new", data=user_form())
    assert response.status_code == 409
    assert "用户名“mengqh”已存在" in response.get_data(as_text=True)
    assert User.query.filter_by(username="mengqh").count() == 1


def test_missing_name_is_refused(client, admin):
    response = client.post("/admin/users/new", data=user_form(display_name=""))
    assert response.status_code == 200
    assert "请输入姓名" in response.get_data(as_text=True)
    assert User.query.filter_by(username="mengqh").first() is None


# ------------------------------------------------------------------ editing

def test_admin_edits_name_role_and_department(client, admin, make_user, make_department):
    department = make_department("经管科")
    user = make_user("viewer", username="zhangsan", display_name="张三")
    page = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert "张三" in page and "zhangsan" in page
    response = client.post(f"/admin/users/{user.id}/edit", data=user_form(
        username="zhangsan", display_name="张三丰", role="handler", department_id=str(department.id), password=""))
    assert response.status_code == 302
    user = reload(user)
    assert (user.display_name, user.role, user.department_id) == ("张三丰", "handler", department.id)
    assert user.check_password(PASSWORD)  # an empty password keeps the old one


def test_username_cannot_be_changed(client, admin, make_user):
    user = make_user("viewer", username="zhangsan")
    client.post(f"/admin/users/{user.id}/edit", data=user_form(username="lisi", password=""))
    assert reload(user).username == "zhangsan"
    assert User.query.filter_by(username="lisi").first() is None


def test_edit_to_handler_without_department_is_refused(client, admin, make_user):
    user = make_user("viewer")
    response = client.post(f"/admin/users/{user.id}/edit", data=user_form(username=user.username, role="handler",
                                                                           password=""))
    assert response.status_code == 400
    assert "承办人必须指定所属科室" in response.get_data(as_text=True)
    assert reload(user).role == "viewer"


def test_edit_with_short_password_is_refused(client, admin, make_user):
    user = make_user("viewer")
    response = client.post(f"/admin/users/{user.id}/edit", data=user_form(username=user.username, password="abc"))
    assert response.status_code == 400
    assert "密码至少需要 8 个字符" in response.get_data(as_text=True)
    assert reload(user).check_password(PASSWORD)


def test_admin_resets_a_password(app, client, admin, make_user):
    user = make_user("viewer", username="zhangsan")
    client.post(f"/admin/users/{user.id}/edit", data=user_form(username="zhangsan", role="viewer",
                                                               password="a-new-password"))
    assert can_log_in(app, "zhangsan", "a-new-password")
    assert not can_log_in(app, "zhangsan", PASSWORD)


def test_disabled_user_cannot_log_in_and_loses_the_open_session(app, client, admin, make_user):
    user = make_user("organizer", username="zhangsan")
    other = app.test_client()
    assert other.post("/login", data={"username": "zhangsan", "password": PASSWORD}).status_code == 302
    assert other.get("/meetings/").status_code == 200
    response = client.post(f"/admin/users/{user.id}/edit", data=user_form(username="zhangsan", password="",
                                                                           is_enabled=None))
    assert response.status_code == 302
    assert reload(user).is_enabled is False
    assert "停用" in client.get("/admin/users").get_data(as_text=True)
    assert not can_log_in(app, "zhangsan", PASSWORD)
    response = other.get("/meetings/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("change", [{"role": "organizer"}, {"is_enabled": None}])
def test_admin_cannot_demote_or_disable_himself(client, admin, change):
    data = user_form(username="admin", display_name="系统管理员", role="admin", password="")
    data.update(change)
    response = client.post(f"/admin/users/{admin.id}/edit", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 409
    assert "不能取消自己的管理员权限或停用自己" in response.get_data(as_text=True)
    admin = reload(admin)
    assert admin.role == "admin" and admin.is_enabled


def test_admin_can_still_rename_himself(client, admin):
    response = client.post(f"/admin/users/{admin.id}/edit", data=user_form(
        username="admin", display_name="管理员老王", role="admin", password=""))
    assert response.status_code == 302
    assert reload(admin).display_name == "管理员老王"


def test_editing_a_missing_user_is_404(client, admin):
    assert client.get("/admin/users/999999/edit").status_code == 404


# ------------------------------------------------------------------ who may

@pytest.mark.parametrize("role", ["organizer", "lead", "handler", "viewer"])
def test_non_admins_get_403(client, make_user, login_as, role):
    target = make_user("viewer")
    login_as(make_user(role))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.post("/admin/users/new", data=user_form()).status_code == 403
    assert client.post(f"/admin/users/{target.id}/edit", data=user_form(username=target.username,
                                                                         role="admin")).status_code == 403
    assert reload(target).role == "viewer"
    assert User.query.filter_by(username="mengqh").first() is None


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
