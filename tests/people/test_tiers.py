"""The eight tiers: seeding, renaming, ordering, and handing a tier to a new lead."""
import re

from facilitation.audit.models import AuditEvent
from facilitation.extensions import db
from facilitation.people.models import Tier, TierLead
from facilitation.people.services import TIER_SEED, seed_tiers

EIGHT = ["职工", "党员", "群监员(青安岗)", "班组长", "安监员", "副区长(技术员)", "区长书记", "生产职能科室"]


def tier_names_on_page(html):
    return re.findall(r"<td><b>(.*?)</b></td>", html)


def positions():
    return [(t.position, t.name) for t in Tier.query.order_by(Tier.position)]


def test_eight_tiers_are_seeded_in_order(client, make_user, login_as):
    assert positions() == list(enumerate(EIGHT, start=1))
    assert seed_tiers() == 0  # idempotent
    assert Tier.query.count() == 8
    login_as(make_user("viewer"))
    assert tier_names_on_page(client.get("/tiers/").get_data(as_text=True)) == EIGHT


def test_seeding_keeps_a_renamed_tier(app):
    tier = Tier.query.filter_by(code="staff").one()
    tier.name = "一线职工"
    db.session.commit()
    assert seed_tiers() == 0
    assert Tier.query.filter_by(code="staff").one().name == "一线职工"
    assert len(TIER_SEED) == 8


def test_organizer_renames_a_tier(client, make_user, login_as, tier):
    login_as(make_user("organizer"))
    response = client.post(f"/tiers/{tier.id}/edit", data={"name": "一线职工", "lead_hint": "工会副主席",
                                                            "is_active": "y"})
    assert response.status_code == 302
    assert "一线职工" in tier_names_on_page(client.get("/tiers/").get_data(as_text=True))
    response = client.post(f"/tiers/{tier.id}/edit", data={"name": "党员", "is_active": "y"})
    assert response.status_code == 409
    assert "已有同名层级“党员”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tier, tier.id).name == "一线职工"


def test_lead_cannot_edit_tiers(client, lead_user, login_as, tier):
    login_as(lead_user)
    assert client.get("/tiers/").status_code == 200
    assert client.post(f"/tiers/{tier.id}/edit", data={"name": "x", "is_active": "y"}).status_code == 403
    assert client.post(f"/tiers/{tier.id}/move", data={"direction": "up"}).status_code == 403


def test_move_up_and_down_renumbers(client, make_user, login_as):
    login_as(make_user("organizer"))
    monitor = Tier.query.filter_by(code="safety_monitor").one()
    assert client.post(f"/tiers/{monitor.id}/move", data={"direction": "up"}).status_code == 302
    assert [name for _p, name in positions()][:3] == ["职工", "群监员(青安岗)", "党员"]
    first = Tier.query.filter_by(code="staff").one()
    client.post(f"/tiers/{first.id}/move", data={"direction": "up"})  # already first: nothing moves
    last = Tier.query.filter_by(code="functional_office").one()
    client.post(f"/tiers/{last.id}/move", data={"direction": "down"})  # already last
    client.post(f"/tiers/{first.id}/move", data={"direction": "down"})
    db.session.expire_all()
    assert positions() == list(enumerate(["群监员(青安岗)", "职工", "党员", "班组长", "安监员", "副区长(技术员)",
                                          "区长书记", "生产职能科室"], start=1))
    assert tier_names_on_page(client.get("/tiers/").get_data(as_text=True))[:2] == ["群监员(青安岗)", "职工"]
    assert client.post(f"/tiers/{first.id}/move", data={"direction": "sideways"}).status_code == 400


def test_positions_are_renumbered_even_after_gaps(client, make_user, login_as):
    for tier in Tier.query.all():
        tier.position *= 10  # e.g. after a tier was removed by hand
    db.session.commit()
    login_as(make_user("organizer"))
    party = Tier.query.filter_by(code="party_member").one()
    client.post(f"/tiers/{party.id}/move", data={"direction": "down"})
    db.session.expire_all()
    assert [p for p, _n in positions()] == list(range(1, 9))


def test_new_lead_ends_previous_term_and_keeps_history(client, make_user, login_as, lead_user, tier):
    successor = make_user("lead", username="lead-new", display_name="周振华")
    login_as(make_user("organizer"))
    response = client.post(f"/tiers/{tier.id}/edit", data={"lead-user_id": successor.id, "lead-person_id": 0})
    assert response.status_code == 302
    terms = TierLead.query.filter_by(tier_id=tier.id).order_by(TierLead.id).all()
    assert [t.user_id for t in terms] == [lead_user.id, successor.id]
    assert terms[0].ended_on is not None and terms[1].ended_on is None
    assert TierLead.query.filter_by(tier_id=tier.id, ended_on=None).count() == 1
    db.session.expire_all()
    assert db.session.get(Tier, tier.id).current_lead.user_id == successor.id
    page = client.get(f"/tiers/{tier.id}/edit").get_data(as_text=True)
    assert "韩立军" in page and "周振华" in page and "现任" in page
    assert "周振华" in client.get("/tiers/").get_data(as_text=True)
    assert AuditEvent.query.filter_by(entity="tier", entity_id=tier.id, action="assign_lead").count() == 2

    # handing the tier to the same lead again changes nothing
    client.post(f"/tiers/{tier.id}/edit", data={"lead-user_id": successor.id, "lead-person_id": 0})
    assert TierLead.query.filter_by(tier_id=tier.id).count() == 2


def test_handler_cannot_become_lead(client, make_user, login_as, lead_user, tier):
    handler = make_user("handler", display_name="刘承办")
    login_as(make_user("organizer"))
    page = client.get(f"/tiers/{tier.id}/edit").get_data(as_text=True)
    assert "刘承办" not in page  # not even offered
    response = client.post(f"/tiers/{tier.id}/edit", data={"lead-user_id": handler.id, "lead-person_id": 0})
    assert response.status_code == 400
    assert "账号“刘承办”是承办人或只读账号，不能担任牵头人" in response.get_data(as_text=True)
    terms = TierLead.query.filter_by(tier_id=tier.id).all()
    assert [(t.user_id, t.ended_on) for t in terms] == [(lead_user.id, None)]


def test_disabled_account_cannot_become_lead(client, make_user, login_as, tier):
    retired = make_user("lead", display_name="退休的人")
    retired.is_enabled = False
    db.session.commit()
    login_as(make_user("organizer"))
    response = client.post(f"/tiers/{tier.id}/edit", data={"lead-user_id": retired.id, "lead-person_id": 0})
    assert "已停用，不能担任牵头人" in response.get_data(as_text=True)
    assert TierLead.query.count() == 0
