"""Fixtures of the golden-idea review tests: users with cheap password hashes and a `world` with
a live meeting, the union's organizers, reviewers, a viewer, an outsider and helpers."""
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from facilitation.awards import services
from facilitation.extensions import db
from facilitation.timeutil import SHANGHAI, local_today

PASSWORD = "correct-horse-1"


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Users here only need to log in: a one-round hash instead of scrypt (≈1 s a user on a busy
    2-core machine). Autouse, so it is in place before the conftest factories make users."""
    from werkzeug.security import generate_password_hash
    import facilitation.accounts.models as account_models
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))


@pytest.fixture
def world(app, make_user, make_meeting, make_department, lead_user):
    """A live meeting of the staff tier, the union's organizer, two appointed-to-be reviewers (a
    handler and a lead), a viewer, an outsider, and a helper that raises a suggestion at a fixed
    Shanghai time through the real join / submit / adopt services."""
    from facilitation.live.services import adopt_suggestion, hide_item, join_meeting, submit_item

    department = make_department("工会")
    meeting = make_meeting(title="9月职工层级慧谈")
    organizer = make_user("organizer", username="union", display_name="工会小李")
    organizer2 = make_user("organizer", username="union2", display_name="工会小张")
    reviewer = make_user("handler", username="rev-handler", department=department, display_name="评委甲")
    reviewer2 = make_user("lead", username="rev-lead", display_name="评委乙")
    viewer = make_user("viewer", username="boss", display_name="矿长")
    outsider = make_user("lead", username="outsider", display_name="局外人")

    def idea(text, at, anonymity="named", name="王建国", adopt=False, kind="suggestion", hide=False):
        participant = join_meeting(meeting.join_code, name=name)
        item, _created = submit_item(meeting, client_id=uuid.uuid4().hex, kind=kind, text=text,
                                     anonymity=anonymity, participant=participant)
        if adopt:
            adopt_suggestion(lead_user, item, department.id, local_today() + timedelta(days=10))
        if hide:
            hide_item(lead_user, item, "与主题无关")
        item.created_at = datetime(*at, tzinfo=SHANGHAI)
        db.session.commit()
        return item

    def review(quarter="2026-Q3", budget=1000, reviewers=(reviewer, reviewer2)):
        created = services.create_review(organizer, quarter, budget)
        for user in reviewers:
            services.appoint_reviewer(organizer, created, user.id)
        db.session.commit()
        return created

    def client_for(user):
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return SimpleNamespace(meeting=meeting, organizer=organizer, organizer2=organizer2, reviewer=reviewer, reviewer2=reviewer2,
                           viewer=viewer, outsider=outsider, idea=idea, review=review, client_for=client_for,
                           department=department)
