"""Fixtures for the standing QR channel (一码通): a mine with departments and their handlers, an
organizer (党群工作部), a mine leader (viewer), a tier lead, and helpers to create channels and
submit to them the way a phone does (no account, no token)."""
import os
from types import SimpleNamespace

import pytest

from facilitation.extensions import db


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    from werkzeug.security import generate_password_hash
    monkeypatch.setattr("facilitation.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def new_client_id():
    return "t" + os.urandom(8).hex()


@pytest.fixture
def mine(make_department, make_user, lead_user, api, client):
    """The people of a mine and an organizer's API client; `channel(name)` makes a channel through
    the contract route; `submit(code, **fields)` posts like the channel page (no login)."""
    logistics = make_department("后勤管理部")
    hr = make_department("人力资源部")
    handler = make_user("handler", username="hq-handler", department=logistics, display_name="孙后勤")
    hr_handler = make_user("handler", username="hr-handler", department=hr, display_name="钱人力")
    organizer = make_user("organizer", username="dangqun", display_name="王艳丽")
    viewer = make_user("viewer", username="shuji", display_name="张毅（党委书记）")
    other_organizer = make_user("organizer", username="dangqun2", display_name="党群办小李")
    staff = api(organizer)
    anonymous = api(None)

    def channel(name="职工食堂", **fields):
        response = staff.post("/channels", json={"name": name, **fields})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def submit(code, text="女职工澡堂开放时间太短，夜班下班后洗不上澡", kind="demand", anonymity="named",
               client_id=None, headers=None, **fields):
        body = {"client_id": client_id or new_client_id(), "kind": kind, "text": text, "anonymity": anonymity}
        body.update(fields)
        return anonymous.post(f"/channels/{code}/items", json=body, headers=headers or {})

    return SimpleNamespace(logistics=logistics, hr=hr, handler=handler, hr_handler=hr_handler,
                           organizer=organizer, other_organizer=other_organizer, viewer=viewer, lead=lead_user,
                           staff=staff, anonymous=anonymous, channel=channel, submit=submit)


@pytest.fixture
def logged_in(app):
    """A fresh test client logged in as `user`."""
    from conftest import login

    def make(user):
        return login(app.test_client(), user)
    return make


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)
