"""Fixtures for the slip tests: a small world with a live meeting, two departments with their
handlers, the tier lead (supervisor), another tier's lead, an organizer and a viewer; slips are
made the way the live session makes them (a participant submits, the lead transfers)."""
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from facilitation.extensions import db
from facilitation.timeutil import local_today


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """The world has eight accounts; a cheap hash keeps setup fast (checking still works)."""
    from werkzeug.security import generate_password_hash
    monkeypatch.setattr("facilitation.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture
def world(make_department, make_user, lead_user, make_meeting, tier):
    from facilitation.live.tokens import issue_participant_token
    from facilitation.live.services import join_meeting, submit_item, transfer_item
    from facilitation.people.models import Tier
    from facilitation.people.services import assign_tier_lead
    from facilitation.slips.models import Slip

    department = make_department("后勤管理部")
    other_department = make_department("人力资源部")
    world_handler = make_user("handler", username="hq-handler", department=department, display_name="孙后勤")
    other_handler = make_user("handler", username="hr-handler", department=other_department,
                              display_name="钱人力")
    organizer = make_user("organizer", username="dangqun", display_name="党群办小周")
    viewer = make_user("viewer", username="kuangzhang", display_name="矿长")
    admin = make_user("admin", username="root", display_name="管理员")
    other_lead = make_user("lead", username="lead-party", display_name="组织科长")
    assign_tier_lead(Tier.query.filter_by(code="party_member").one(), other_lead)
    meeting = make_meeting()
    db.session.commit()

    def new_slip(text="井下班中餐送到时已经凉了", anonymity="named", name="王建国", kind="demand",
                 due_days=5, department_id=None, category=None):
        """Submit an item from a phone and transfer it to a department; returns the slip."""
        participant = join_meeting(meeting.join_code, name=name)
        item, _created = submit_item(meeting, client_id=uuid.uuid4().hex, kind=kind, text=text,
                                     anonymity=anonymity, category=category, participant=participant)
        slip = transfer_item(lead_user, item, department_id or department.id, local_today() + timedelta(days=due_days))
        db.session.commit()
        slip.participant_token = issue_participant_token(participant)
        return slip

    def advance(slip, status):
        """Walk a fresh slip to `status` with the right actors."""
        from facilitation.slips import services
        handler = world_handler if slip.department_id == department.id else other_handler
        if status in ("accepted", "replied", "closed"):
            services.accept_slip(handler, slip)
        if status in ("replied", "closed"):
            services.reply_slip(handler, slip, "已更换保温餐箱，每班加热两次", "后勤管理部《井下送餐管理办法》")
        if status == "closed":
            services.close_slip(lead_user, slip)
        db.session.commit()
        return slip

    def reload(slip):
        db.session.expire_all()
        return db.session.get(Slip, slip.id)

    return SimpleNamespace(department=department, other_department=other_department, handler=world_handler,
                           other_handler=other_handler, lead=lead_user, other_lead=other_lead,
                           organizer=organizer, viewer=viewer, admin=admin, meeting=meeting, tier=tier,
                           new_slip=new_slip, advance=advance, reload=reload)


@pytest.fixture
def logged_in(app):
    """A fresh test client logged in as `user` (several users can be logged in at once)."""
    def make(user):
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": "correct-horse-1"})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client
    return make
