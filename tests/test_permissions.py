"""The permission matrix: every route of the app × every role gets the expected allow/deny.

The routes come from `app.url_map` (everything except static files); EXPECTED below says, for
each rule and method, which roles may use it.  A route added without an entry makes
`test_every_route_has_an_expected_entry` fail with the list of missing entries.

Allowed means the response is neither 401/403 nor Flask-Login's redirect to the login page
(`/login?next=…`); denied means one of those.  A 400 (empty form or JSON body), 404 or 409
still counts as allowed: the permission check let the request through to the validation.
Requests are sent with empty bodies, so an allowed request changes little; the roles are
tried from the least to the most privileged so that a change made by an allowed role cannot
hide a missing check for a denied one.

Roles: the five staff roles (logged in with the session cookie), `anonymous` (no login), and
`participant` (no login, the participant bearer token of someone who joined the live meeting
from a phone).  The `lead` is the current lead of the meeting's tier.
"""
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from werkzeug.security import generate_password_hash

from facilitation.extensions import db

PASSWORD = "correct-horse-1"  # the suite's password for made users (conftest.PASSWORD)

ROLES = ("anonymous", "participant", "viewer", "handler", "lead", "organizer", "admin")
STAFF = frozenset({"admin", "organizer", "lead", "handler", "viewer"})
EVERYONE = STAFF | {"anonymous", "participant"}
ORGANIZERS = frozenset({"admin", "organizer"})
CHAIRS = ORGANIZERS | {"lead"}  # organizers and the lead of the meeting's tier
READERS = CHAIRS | {"viewer"}  # everyone who watches meetings live; not handlers
ROSTER_READERS = CHAIRS  # the roster shows focus persons: organizers and leads only
ADMINS = frozenset({"admin"})
HANDLERS = ADMINS | {"handler"}  # the handler belongs to the slip's department
PARTICIPANT = frozenset({"participant"})
REVIEWER = frozenset({"lead"})  # the lead is the appointed golden-idea reviewer in world()
APPROVERS = ADMINS | {"lead"}  # the tier's lead approves a participant list; organizers prepare it

EXPECTED = {
    # public
    "/healthz": {"GET": EVERYONE},
    "/favicon.ico": {"GET": EVERYONE},
    "/login": {"GET": EVERYONE, "POST": EVERYONE},
    "/logout": {"POST": EVERYONE},  # redirects to /login without ?next=, i.e. not a denial
    "/lang/<code>": {"GET": EVERYONE},
    "/j/<join_code>": {"GET": EVERYONE},
    "/api/v1/openapi.json": {"GET": EVERYONE},
    "/api/v1/join/<join_code>": {"POST": EVERYONE},
    "/j/<join_code>/minutes": {"GET": EVERYONE},  # participants read the published minutes
    "/f/<token>": {"GET": EVERYONE, "POST": EVERYONE},  # the submitter's personal follow link
    "/public/slips": {"GET": EVERYONE},  # 公示栏
    # home and accounts
    "/": {"GET": STAFF},
    "/admin/users": {"GET": ADMINS},
    "/admin/users/new": {"GET": ADMINS, "POST": ADMINS},
    "/admin/users/<int:user_id>/edit": {"GET": ADMINS, "POST": ADMINS},
    # roster, tiers, departments, units
    "/people/": {"GET": ROSTER_READERS},
    "/people/new": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/people/<int:person_id>/edit": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/people/import": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/people/import/confirm": {"POST": ORGANIZERS},
    "/people/export.xlsx": {"GET": ROSTER_READERS},
    "/tiers/": {"GET": STAFF},
    "/tiers/<int:tier_id>/edit": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/tiers/<int:tier_id>/move": {"POST": ORGANIZERS},
    "/departments/": {"GET": STAFF, "POST": ORGANIZERS},
    "/units/": {"GET": ROSTER_READERS, "POST": ORGANIZERS},
    # meetings
    "/meetings/": {"GET": STAFF},
    "/meetings/new": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/meetings/<int:meeting_id>": {"GET": STAFF},
    "/meetings/<int:meeting_id>/edit": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/meetings/<int:meeting_id>/cancel": {"POST": ORGANIZERS},
    "/meetings/<int:meeting_id>/<any(start, close):action>": {"POST": CHAIRS},
    "/meetings/<int:meeting_id>/board": {"GET": READERS},
    "/meetings/<int:meeting_id>/participants": {"GET": CHAIRS, "POST": CHAIRS},
    "/meetings/<int:meeting_id>/notice.pdf": {"GET": CHAIRS},
    "/meetings/<int:meeting_id>/invite.ics": {"GET": CHAIRS},
    "/meetings/<int:meeting_id>/attendance": {"POST": ORGANIZERS},
    "/meetings/<int:meeting_id>/departments": {"POST": ORGANIZERS},
    # monthly plans, holidays, coverage
    "/plans/": {"GET": READERS},
    "/plans/<month>": {"GET": READERS, "POST": ORGANIZERS},
    "/plans/<month>/publish": {"POST": ORGANIZERS},
    "/plans/holidays": {"POST": ORGANIZERS},
    "/plans/holidays/<int:holiday_id>/remove": {"POST": ORGANIZERS},
    "/tiers/<int:tier_id>/coverage": {"GET": CHAIRS},
    "/meetings/<int:meeting_id>/qr.svg": {"GET": READERS},
    # minutes
    "/meetings/<int:meeting_id>/minutes": {"GET": STAFF, "POST": ORGANIZERS},
    "/meetings/<int:meeting_id>/minutes/publish": {"POST": ORGANIZERS},
    "/meetings/<int:meeting_id>/minutes/revise": {"POST": ORGANIZERS},
    "/meetings/<int:meeting_id>/minutes.pdf": {"GET": STAFF},
    "/meetings/<int:meeting_id>/minutes/r<int:revision>.pdf": {"GET": STAFF},
    # slips pages (a slip's actions are checked per action by the services)
    "/slips/": {"GET": STAFF},
    "/slips/<int:slip_id>": {"GET": STAFF, "POST": STAFF},
    "/slips/<int:slip_id>.pdf": {"GET": STAFF},
    "/slips/ledger.xlsx": {"GET": STAFF},
    "/slips/league": {"GET": STAFF},
    "/slips/points": {"GET": STAFF, "POST": ORGANIZERS},
    "/slips/points/deduct": {"POST": ORGANIZERS},
    "/slips/points/<int:entry_id>/reverse": {"POST": ORGANIZERS},
    "/inbox": {"GET": STAFF, "POST": STAFF},
    # reports and the annual assessment
    "/reports/monthly/": {"GET": READERS},
    "/reports/monthly/<month>": {"GET": READERS, "POST": ORGANIZERS},
    "/reports/monthly/<month>.pdf": {"GET": READERS},
    "/assessment/": {"GET": READERS},
    "/assessment/<int:year>": {"GET": READERS},
    "/assessment/<int:year>.pdf": {"GET": READERS},
    "/assessment/<int:year>.xlsx": {"GET": READERS},
    # golden-idea reviews: organizers manage; organizers, viewers and the appointed reviewers read
    "/awards/": {"GET": STAFF, "POST": ORGANIZERS},
    "/awards/<int:review_id>": {"GET": READERS},
    "/awards/<int:review_id>/sheet.pdf": {"GET": READERS},
    "/awards/<int:review_id>/sheet.xlsx": {"GET": READERS},
    "/awards/<int:review_id>/budget": {"POST": ORGANIZERS},
    "/awards/<int:review_id>/reviewers": {"POST": ORGANIZERS},
    "/awards/<int:review_id>/reviewers/<int:user_id>/remove": {"POST": ORGANIZERS},
    "/awards/<int:review_id>/items/<int:item_id>/score": {"POST": REVIEWER},
    "/awards/<int:review_id>/items/<int:item_id>/award": {"POST": ORGANIZERS},
    "/awards/<int:review_id>/items/<int:item_id>/award/remove": {"POST": ORGANIZERS},
    "/awards/<int:review_id>/finalize": {"POST": ORGANIZERS},
    "/awards/<int:review_id>/items/<int:item_id>/effect": {"POST": ORGANIZERS | REVIEWER},
    "/awards/<int:review_id>/items/<int:item_id>/paid": {"POST": ORGANIZERS},
    "/awards/claim/<token>": {"POST": EVERYONE},  # the submitter, by the follow token on /f/<token>
    # JSON API
    "/api/v1/tiers": {"GET": STAFF},
    "/api/v1/departments": {"GET": STAFF},
    "/api/v1/meetings": {"POST": ORGANIZERS},
    "/api/v1/meetings/<int:meeting_id>": {"GET": STAFF, "PATCH": ORGANIZERS},
    "/api/v1/meetings/<int:meeting_id>/start": {"POST": CHAIRS},
    "/api/v1/meetings/<int:meeting_id>/close": {"POST": CHAIRS},
    "/api/v1/people": {"GET": STAFF, "POST": ORGANIZERS},  # is_focus only shown to organizers and leads
    "/api/v1/plans/<month>": {"POST": ORGANIZERS},
    "/api/v1/meetings/<int:meeting_id>/proposal": {"GET": CHAIRS},
    "/api/v1/meetings/<int:meeting_id>/participants": {"GET": CHAIRS, "PUT": CHAIRS},
    "/api/v1/meetings/<int:meeting_id>/participants/approve": {"POST": APPROVERS},
    "/api/v1/tiers/<int:tier_id>/coverage": {"GET": CHAIRS},
    "/api/v1/meetings/<int:meeting_id>/items": {"GET": READERS | PARTICIPANT, "POST": CHAIRS | PARTICIPANT},
    "/api/v1/items/<int:item_id>/vote": {"POST": PARTICIPANT},
    "/api/v1/items/<int:item_id>/answer": {"POST": CHAIRS},
    "/api/v1/items/<int:item_id>/transfer": {"POST": CHAIRS},
    "/api/v1/items/<int:item_id>/adopt": {"POST": CHAIRS},
    "/api/v1/items/<int:item_id>/decline": {"POST": CHAIRS},
    "/api/v1/items/<int:item_id>/merge": {"POST": CHAIRS},
    "/api/v1/items/<int:item_id>/hide": {"POST": CHAIRS},
    "/api/v1/items/<int:item_id>/approve": {"POST": CHAIRS},
    # handlers see their department's slips, leads the ones they supervise (filtered, not denied)
    "/api/v1/slips": {"GET": STAFF},
    "/api/v1/stats/<month>": {"GET": STAFF},
    "/api/v1/slips/<int:slip_id>": {"GET": STAFF},
    "/api/v1/slips/<int:slip_id>/accept": {"POST": HANDLERS},
    "/api/v1/slips/<int:slip_id>/reply": {"POST": HANDLERS},
    "/api/v1/slips/<int:slip_id>/extend": {"POST": HANDLERS | CHAIRS},
    "/api/v1/slips/<int:slip_id>/extension/<any(approve, refuse):decision>": {"POST": CHAIRS},
    "/api/v1/slips/<int:slip_id>/close": {"POST": CHAIRS},
    "/api/v1/slips/<int:slip_id>/reopen": {"POST": CHAIRS},
    "/api/v1/slips/<int:slip_id>/reassign": {"POST": CHAIRS},
    "/api/v1/slips/<int:slip_id>/perfunctory": {"POST": CHAIRS},
    "/api/v1/slips/<int:slip_id>/feedback": {"POST": PARTICIPANT},  # the submitter of the item
    # the standing QR channel (一码通): submitting needs no account; organizers run the channels;
    # organizers, mine leaders (viewers) and channel-supervising leads triage (the service checks who does what)
    "/c/<code>": {"GET": EVERYONE},
    "/public/summary/": {"GET": EVERYONE},
    "/public/summary/<month>": {"GET": EVERYONE},
    "/public/summary/<month>.pdf": {"GET": EVERYONE},
    "/channels/": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/channels/<int:channel_id>": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/channels/<int:channel_id>/active": {"POST": ORGANIZERS},
    "/channels/<int:channel_id>/qr.svg": {"GET": ORGANIZERS},
    "/channels/<int:channel_id>/poster.pdf": {"GET": ORGANIZERS},
    "/intake/": {"GET": READERS},
    "/intake/<int:item_id>": {"POST": READERS},
    "/intake/summary/<month>": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/api/v1/channels": {"GET": ORGANIZERS, "POST": ORGANIZERS},
    "/api/v1/channels/<code>/items": {"GET": EVERYONE, "POST": EVERYONE},
    "/api/v1/intake": {"GET": READERS},  # a lead: the channels they supervise, as on the inbox page
    "/api/v1/intake/<int:item_id>/urgent": {"POST": READERS},
    "/api/v1/intake/<int:item_id>/dispatch": {"POST": ORGANIZERS | {"viewer"}},
    "/api/v1/slips/<int:slip_id>/callbacks": {"GET": STAFF, "POST": HANDLERS | CHAIRS},  # handlers: their department's
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}

# One password hash for every user of the matrix: scrypt would cost ~0.1 s per user and login.
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


def app_routes(app):
    """{rule: {methods}} for every route except static files."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        routes.setdefault(rule.rule, set()).update(rule.methods - IGNORED_METHODS)
    return routes


def expected_pairs():
    return sorted((rule, method) for rule, methods in EXPECTED.items() for method in methods)


def test_every_route_has_an_expected_entry(app):
    actual = {(rule, method) for rule, methods in app_routes(app).items() for method in methods}
    expected = set(expected_pairs())
    missing = sorted(actual - expected)
    stale = sorted(expected - actual)
    message = []
    if missing:
        message.append("routes without an entry in EXPECTED (tests/test_permissions.py); add them:\n"
                       + "\n".join(f'    "{rule}": {{"{method}": ...}},' for rule, method in missing))
    if stale:
        message.append("EXPECTED entries for routes that do not exist (remove them):\n"
                       + "\n".join(f"    {method} {rule}" for rule, method in stale))
    assert not message, "\n".join(message)


# ------------------------------------------------------------------ the world the matrix runs in

def _user(username, role, department=None):
    from facilitation.accounts.models import User
    user = User(username=username, display_name=username, role=role, department=department,
                password_hash=CHEAP_HASH)
    db.session.add(user)
    return user


@pytest.fixture
def world(app):
    """One of everything a route can point at, and a logged-in client per role."""
    from facilitation.awards.services import appoint_reviewer, create_review
    from facilitation.live.tokens import issue_participant_token
    from facilitation.live.services import join_meeting, submit_item, transfer_item
    from facilitation.people.models import Person, Tier
    from facilitation.people.services import assign_tier_lead, create_department
    from facilitation.scheduling.services import create_meeting, start_meeting
    from facilitation.timeutil import local_today, utcnow

    department = create_department("后勤管理部")
    users = {role: _user(role, role, department if role == "handler" else None)
             for role in ("admin", "organizer", "lead", "handler", "viewer")}
    target_user = _user("target-user", "viewer")
    db.session.flush()
    tier = Tier.query.filter_by(code="staff").one()
    assign_tier_lead(tier, users["lead"])
    person = Person(employee_no="YB10001", name="王建国", tier=tier)
    db.session.add(person)
    meeting = create_meeting(users["organizer"], {"title": "职工层级慧谈", "kind": "regular", "tier_id": tier.id,
                                                  "starts_at": utcnow() + timedelta(hours=1)})
    start_meeting(users["organizer"], meeting)
    participant = join_meeting(meeting.join_code, name="李师傅")
    item, _created = submit_item(meeting, client_id="matrix-item-0001", kind="demand", text="班中餐太凉",
                                 participant=participant)
    transferred, _created = submit_item(meeting, client_id="matrix-item-0002", kind="demand", text="劳保鞋缺码",
                                        participant=participant)
    slip = transfer_item(users["organizer"], transferred, department.id, local_today() + timedelta(days=7))
    today = local_today()
    from facilitation.scheduling.models import Holiday
    holiday = Holiday(day=today, name="矿庆日")
    db.session.add(holiday)
    review = create_review(users["organizer"], f"{today.year}-Q{(today.month - 1) // 3 + 1}", 1000)
    appoint_reviewer(users["organizer"], review, users["lead"].id)
    from facilitation.slips.points import record_noncompliance
    entry = record_noncompliance(users["organizer"], department.id, "月报未按时上报")
    from facilitation.intake.services import create_channel
    channel = create_channel(users["organizer"], {"name": "职工食堂"})
    db.session.commit()

    # URL arguments by name. Closing is refused while the item is open, and refusing an
    # extension that was never asked for changes nothing either.
    values = {"meeting_id": meeting.id, "item_id": item.id, "slip_id": slip.id, "user_id": target_user.id,
              "person_id": person.id, "tier_id": tier.id, "join_code": meeting.join_code, "code": "zh",
              "action": "close", "decision": "refuse", "token": transferred.follow_token,
              "review_id": review.id, "revision": 1, "year": today.year, "month": f"{today:%Y-%m}",
              "entry_id": entry.id, "holiday_id": holiday.id, "channel_id": channel.id}
    clients = {"anonymous": (app.test_client(), {}),
               "participant": (app.test_client(),
                               {"Authorization": f"Bearer {issue_participant_token(participant)}"})}
    for role, user in users.items():
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, f"{role} could not log in"
        clients[role] = (client, {})
    return values, clients


def is_denied(response):
    if response.status_code in (401, 403):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlparse(response.headers.get("Location", ""))
        return location.path == "/login" and "next" in parse_qs(location.query)
    return False


def build_url(app, rule_text, method, values):
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text and method in r.methods)
    unknown = sorted(set(rule.arguments) - set(values))
    assert not unknown, f"no value for URL argument(s) {unknown} of {rule_text}: add them to `values` in world()"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments}, method=method)


@pytest.mark.parametrize("rule, method", expected_pairs(), ids=lambda v: v)
def test_route_allows_exactly_the_expected_roles(app, world, rule, method):
    values, clients = world
    if rule not in app_routes(app) or method not in app_routes(app)[rule]:
        pytest.fail(f"{method} {rule} is in EXPECTED but not in the app (see the coverage test)")
    url = build_url(app, rule, method, values)
    wrong = []
    for role in ROLES:
        client, headers = clients[role]
        if method == "GET":
            response = client.get(url, headers=headers)
        elif rule.startswith("/api/"):
            response = client.open(url, method=method, json={}, headers=headers)
        else:
            response = client.post(url, data={}, headers=headers)
        allowed = role in EXPECTED[rule][method]
        if is_denied(response) == allowed:
            wrong.append(f"{role}: expected {'allow' if allowed else 'deny'}, got {response.status_code} "
                         f"{response.headers.get('Location', '')}")
    assert not wrong, f"{method} {url}:\n" + "\n".join(wrong)


def test_expected_table_names_only_known_roles():
    """Guards against an EXPECTED entry naming a role that does not exist (a typo allows nobody)."""
    for rule, methods in EXPECTED.items():
        for method, roles in methods.items():
            assert set(roles) <= set(ROLES), f"{method} {rule}: unknown role(s) {set(roles) - set(ROLES)}"
