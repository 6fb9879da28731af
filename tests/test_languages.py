"""Every HTML page a user can GET renders in both languages.

The routes come from `app.url_map`. Every GET route that answers with an HTML page must have an
entry in PAGES below (which user opens it, with which URL arguments, expecting which status);
`test_every_html_page_is_covered` fails with the list of missing rules when a page is added
without one, so the language checks grow with the app. Routes that answer with something else
(JSON, PDF, Excel, calendar files, images, the language switch) are recognised by NOT_HTML and
by their suffix; a route that only redirects to a page (/plans/, /reports/monthly/ …) is
followed to that page. EXTRA_PAGES adds the error pages (404, 403), which belong to no route.

Each test builds a small world with LATIN-ONLY data (departments, people, meetings, items,
slips at every stage, a standing QR channel, reviews, minutes, plans, points…), so that
whatever Chinese shows on an English page comes from the templates or the code, and whatever
Latin word shows on a Chinese page is not ours. The world is built inside a request of the
language under test: texts the app itself writes at the time of an action (notifications,
audit notes) are then written as a user of that language would see them written.

- English (cookie lang=en): the expected status, and no CJK character in the visible text
  (text outside <script>/<style>), in the attributes a user reads (title, placeholder,
  aria-label, alt, data-confirm, data-title, the value of visible inputs) and in the strings
  the pages hand to their scripts (<script type="application/json" data-strings>).
  The only exception is EN_EXCEPTIONS (the language switch offering 中文).
- Chinese (the default): the expected status, and no Latin word in the visible text once our
  own data (names, titles, codes, numbers, URLs) is taken out: a status or kind code shown as
  is ("issued", "demand", "hidden_identity"…) or an English template leftover ("Tier").
  ZH_ALLOWED_WORDS lists the Latin words a Chinese page may show.

Run with -s to see the summary line; the assertion lists every failing page with the first
offending snippets.
"""
import json
import re
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from facilitation.extensions import db

PASSWORD = "correct-horse-1"  # conftest.PASSWORD
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

# GET routes that do not answer with an HTML page (besides /api/*, static files and the suffixes).
NOT_HTML = {
    "/healthz": "JSON health check",
    "/favicon.ico": "icon file",
    "/lang/<code>": "sets the language cookie and redirects back",
}
NOT_HTML_SUFFIXES = (".pdf", ".xlsx", ".ics", ".svg", ".png", ".ico", ".json", ".js", ".css")

# The language switch is written in the language it switches to: "中文" on the English page.
EN_EXCEPTIONS = {
    "language switch": "the text of links to /lang/zh (the switch names Chinese in Chinese, like every "
                       "language menu does)",
}

# Latin words a Chinese page may show: product and file-format names, the language switch, date
# format hints, quarter and number prefixes, units.
ZH_ALLOWED_WORDS = {
    "EN",  # the language switch to English
    "PDF", "Excel", "xlsx", "CSV", "QR", "A4", "SVG", "URL", "ID", "API", "Token",
    "YYYY", "MM", "DD", "HH", "Qn", "csv",  # format hints: YYYY-MM-DD, YYYY-Qn, .xlsx / .csv
    "HT",  # the slip number prefix HT-YYYYMM-NNNN
    "Ctrl",  # the key to hold for a multiple choice
    "ics",  # the calendar file (.ics)
    "A",  # the board's font size buttons A− / A+
    "PUBLIC_BASE_URL",  # the setting named in the board's hint to the administrator
    "http", "https", "localhost",
}

# Internal codes that must never show as words on a Chinese page (meeting, item, slip, rating,
# point and role codes). Any other Latin word is flagged as well, as an English leftover.
RAW_CODES = {
    "issued", "accepted", "replied", "closed", "transferred", "answered", "adopted", "declined", "merged",
    "hidden", "open", "question", "demand", "difficulty", "suggestion", "hidden_identity", "named",
    "anonymous", "regular", "special", "topic", "professional", "milestone", "online", "planned", "live",
    "cancelled", "scheduled", "overdue", "perfunctory", "noncompliance", "absent", "absence", "satisfied",
    "basically_satisfied", "dissatisfied", "full", "summary", "withheld", "handle", "draft", "published",
    "finalized", "admin", "organizer", "lead", "handler", "viewer", "male", "female", "team", "office",
    "advanced", "lagging", "understood", "partly", "objection", "unreachable", "solved", "not_solved",
    "walk_in", "invited", "guest", "nameless", "qr", "meeting", "staff", "new", "all", "urgent",
    # audit trail actions
    "create", "update", "start", "close", "cancel", "issue", "accept", "reply", "reopen", "reassign", "rate",
    "auto_close", "callback", "dispatch", "set_participants", "approve_participants", "department_sent",
    "department_absent", "attendance",
}  # a word with an underscore counts as a code too


# ------------------------------------------------------------------ the pages

@dataclass
class Visit:
    role: str  # "anonymous" or a key of World.users
    args: dict = field(default_factory=dict)  # URL argument -> key of World.values (default: the argument)
    query: str = ""
    status: int = 200
    follow: bool = False  # a redirect to a page (follow it and check the page)


def v(role, query="", status=200, follow=False, **args):
    return Visit(role, args, query, status, follow)


STAFF = ("admin", "organizer", "lead", "handler", "viewer")

PAGES = {
    "/": [v(r) for r in STAFF],
    "/login": [v("anonymous")],
    "/admin/users": [v("admin")],
    "/admin/users/new": [v("admin")],
    "/admin/users/<int:user_id>/edit": [v("admin"), v("admin", user_id="disabled_user_id")],
    # people, tiers, departments, units
    "/people/": [v("organizer"), v("lead")],
    "/people/new": [v("organizer")],
    "/people/<int:person_id>/edit": [v("organizer"), v("organizer", person_id="woman_id")],
    "/people/import": [v("organizer")],
    "/tiers/": [v("organizer"), v("handler")],
    "/tiers/<int:tier_id>/edit": [v("organizer"), v("organizer", tier_id="leadless_tier_id")],
    "/tiers/<int:tier_id>/coverage": [v("organizer"), v("lead")],
    "/departments/": [v("organizer"), v("handler")],
    "/units/": [v("organizer")],
    # meetings, plans
    "/meetings/": [v("organizer"), v("handler"), v("organizer", query="status=all")],
    "/meetings/new": [v("organizer")],
    "/meetings/<int:meeting_id>": [v("organizer"), v("organizer", meeting_id="closed_meeting"),
                                   v("organizer", meeting_id="planned_meeting"),
                                   v("organizer", meeting_id="cancelled_meeting"),
                                   v("organizer", meeting_id="special_meeting"),
                                   v("lead"), v("handler", meeting_id="closed_meeting")],
    "/meetings/<int:meeting_id>/edit": [v("organizer", meeting_id="planned_meeting"),
                                        v("organizer", meeting_id="special_meeting")],
    "/meetings/<int:meeting_id>/participants": [v("organizer", meeting_id="planned_meeting"),
                                                v("lead", meeting_id="planned_meeting"),
                                                v("organizer", meeting_id="approved_meeting")],
    "/meetings/<int:meeting_id>/board": [v("organizer"), v("lead"), v("viewer"), v("organizer", query="present=1"),
                                         v("organizer", meeting_id="closed_meeting")],
    "/plans/": [v("organizer", follow=True)],
    "/plans/<month>": [v("organizer"), v("organizer", month="next_month"), v("viewer", month="next_month")],
    # the live session from a phone
    "/j/<join_code>": [v("anonymous"), v("anonymous", join_code="planned_code", status=409),
                       v("anonymous", join_code="closed_code", status=410),
                       v("anonymous", join_code="cancelled_code", status=410),
                       v("anonymous", join_code="bad_code", status=404)],
    # minutes
    "/meetings/<int:meeting_id>/minutes": [v("organizer", meeting_id="closed_meeting"), v("organizer"),
                                           v("handler", meeting_id="closed_meeting"),
                                           v("organizer", meeting_id="revised_meeting")],
    "/j/<join_code>/minutes": [v("anonymous", join_code="closed_code"), v("anonymous"),
                               v("anonymous", join_code="bad_code", status=404)],
    # slips
    "/slips/": [v("organizer"), v("handler"), v("lead"), v("viewer"), v("organizer", query="status=all"),
                v("organizer", query="overdue=1")],
    "/slips/<int:slip_id>": [
        v("handler", slip_id="slip_issued"), v("lead", slip_id="slip_issued"),
        v("handler", slip_id="slip_accepted"), v("organizer", slip_id="slip_accepted"),
        v("lead", slip_id="slip_replied"), v("handler", slip_id="slip_replied"),
        v("organizer", slip_id="slip_closed"), v("viewer", slip_id="slip_closed"),
        v("lead", slip_id="slip_extension"), v("handler", slip_id="slip_extension"),
        v("lead", slip_id="slip_overdue"), v("lead", slip_id="slip_reopened"),
        v("lead", slip_id="slip_dissatisfied"), v("organizer", slip_id="slip_perfunctory"),
        v("organizer", slip_id="slip_dispatched"), v("handler", slip_id="slip_hidden_identity"),
        v("organizer", slip_id="slip_adopted"), v("admin", slip_id="slip_reassigned"),
    ],
    "/slips/league": [v("organizer"), v("handler")],
    "/slips/points": [v("organizer"), v("handler")],
    "/inbox": [v("handler"), v("lead"), v("organizer")],
    "/f/<token>": [v("anonymous", token=t) for t in (
        "token_open", "token_issued", "token_replied", "token_closed", "token_dissatisfied", "token_answered",
        "token_declined", "token_awarded", "token_followup", "token_channel", "token_channel_answered")]
    + [v("anonymous", token="bad_token", status=404)],
    "/public/slips": [v("anonymous"), v("organizer")],
    # reports, assessment, awards
    "/reports/monthly/": [v("organizer", follow=True)],
    "/reports/monthly/<month>": [v("organizer"), v("viewer")],
    "/assessment/": [v("organizer", follow=True)],
    "/assessment/<int:year>": [v("organizer"), v("viewer")],
    "/awards/": [v("organizer"), v("lead"), v("handler")],
    "/awards/<int:review_id>": [v("organizer"), v("lead"), v("viewer"),
                                v("organizer", review_id="final_review_id"), v("viewer", review_id="final_review_id")],
    # the standing QR channel (一码通)
    "/c/<code>": [v("anonymous"), v("anonymous", code="inactive_channel_code", status=410),
                  v("anonymous", code="bad_code", status=404)],
    "/channels/": [v("organizer")],
    "/channels/<int:channel_id>": [v("organizer"), v("organizer", channel_id="inactive_channel_id")],
    "/intake/": [v("organizer"), v("organizer", query="status=handled"), v("organizer", query="status=all"),
                 v("viewer"), v("lead")],
    "/intake/summary/<month>": [v("organizer")],
    "/public/summary/": [v("anonymous", follow=True)],
    "/public/summary/<month>": [v("anonymous")],
}

# Pages that belong to no route: the error pages.
EXTRA_PAGES = [
    ("/no-such-page", "organizer", 404),
    ("/admin/users", "handler", 403),
    ("/meetings/999999", "organizer", 404),
]


def is_html_get(rule):
    if "GET" not in rule.methods or rule.endpoint == "static":
        return False
    text = rule.rule
    if text.startswith("/api/") or text.startswith("/socket.io") or text in NOT_HTML:
        return False
    return not text.endswith(NOT_HTML_SUFFIXES)


def html_rules(app):
    return sorted({rule.rule for rule in app.url_map.iter_rules() if is_html_get(rule)})


def test_every_html_page_is_covered(app):
    rules = set(html_rules(app))
    missing = sorted(rules - set(PAGES))
    stale = sorted(set(PAGES) - rules)
    stale += sorted(set(NOT_HTML) - {rule.rule for rule in app.url_map.iter_rules()})
    message = []
    if missing:
        message.append("HTML GET routes without an entry in PAGES (tests/test_languages.py); add a visit:\n"
                       + "\n".join(f'    "{rule}": [v("organizer")],' for rule in missing))
    if stale:
        message.append("PAGES / NOT_HTML entries for routes that are gone or no longer HTML (remove them):\n"
                       + "\n".join(f"    {rule}" for rule in stale))
    assert not message, "\n".join(message)


def test_the_checks_see_what_they_should():
    """The readers themselves: CJK in text, attributes and script strings is seen; the language
    switch and script code are not; a raw code in a Chinese page is seen, our data is not."""
    page = ('<html><head><title>Huitan</title><script>var a = "脚本";</script><style>p{}</style></head><body>'
            '<a href="/lang/zh?next=/">中文</a><a href="/lang/en">EN</a><p title="提示">OK</p>'
            '<input type="hidden" value="隐藏"><input type="submit" value="保存"><p>承办单</p>'
            '<script type="application/json" data-strings>{"a": "网络"}</script></body></html>')
    found = english_problems(page)
    assert [f.split(":")[0] for f in found] == ["text", "title=", "value=", "script string"], found
    world = World()
    world.t("Tier 3 session")
    zh = ('<p>Tier 3 session</p><p>issued</p><p>状态：replied</p><p>Tier</p><p>导出 Excel / PDF</p>'
          '<p class="demand" data-x="named">已签收</p><script>var s = "closed";</script>'
          '<p>HT-202612-0001 https://example.org/x</p>')
    found = chinese_problems(zh, world)
    assert found == ["raw code as text: 'issued'", "raw code replied: '状态：replied'", "English Tier: 'Tier'"], found


# ------------------------------------------------------------------ the world

@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Six accounts log in per test: a one-round hash instead of scrypt."""
    from werkzeug.security import generate_password_hash
    import facilitation.accounts.models as account_models
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))


class World:
    """Users, URL argument values and every Latin string we stored (to recognise our own data)."""

    def __init__(self):
        self.users = {}
        self.values = {}
        self.texts = set()

    def t(self, text):
        """A Latin text we store; returns it."""
        assert not CJK.search(text), text
        self.texts.add(text)
        return text


def _shift_month(day, delta):
    month = day.month - 1 + delta
    return date(day.year + month // 12, month % 12 + 1, 1)


def _quarter(day):
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def build_world(app, lang, monkeypatch):
    """Build the world inside a request of `lang`, so that what the services write in the
    language of the acting user is written in that language."""
    from flask_babel import refresh
    monkeypatch.setitem(app.config, "PLAN_LOCATION", "Union Activity Room")  # configured data, Chinese by default
    with app.test_request_context(f"/?lang={lang}"):
        refresh()
        world = _build_world()
    refresh()
    return world


def _build_world():  # noqa: C901 (one long recipe)
    from facilitation.accounts.services import create_user, update_user
    from facilitation.awards import services as awards
    from facilitation.intake import services as intake
    from facilitation.live import services as live
    from facilitation.minutes import services as minutes
    from facilitation.people.models import Person, Tier
    from facilitation.people.services import assign_tier_lead, create_department, create_unit
    from facilitation.scheduling import plans, services as scheduling
    from facilitation.scheduling.models import Meeting
    from facilitation.slips import points, reminders, services as slips
    from facilitation.slips.models import Slip
    from facilitation.timeutil import local_today, local_zone, utcnow

    w = World()
    t = w.t
    t("Union Activity Room")
    today = local_today()
    zone = local_zone()

    # Tiers: the seeded names are Chinese data; give them Latin names.
    tier_names = ["Staff", "Party members", "Safety monitors", "Team leaders", "Safety inspectors",
                  "Deputy chiefs", "Chiefs and secretaries", "Functional offices"]
    tiers = Tier.query.order_by(Tier.position).all()
    for tier, name in zip(tiers, tier_names):
        tier.name = t(name)
        tier.lead_hint = t(f"Lead of the {name.lower()}")
    db.session.flush()
    staff_tier = next(tier for tier in tiers if tier.code == "staff")
    party_tier = next(tier for tier in tiers if tier.code == "party_member")
    w.values.update(tier_id=staff_tier.id, leadless_tier_id=tiers[-1].id)

    transport = create_department(t("Transport Team"), phone="0351-1234567")
    logistics = create_department(t("Logistics Office"))
    unit = create_unit(t("Coal Face One"), kind="team")
    office = create_unit(t("Dispatch Office"), kind="office")

    def user(username, role, display_name, department=None):
        made = create_user(t(username), PASSWORD, role, display_name=t(display_name), department=department)
        w.users[role] = w.users.get(role, made)
        return made

    user("root.admin", "admin", "Gao Admin")
    organizer = user("zhou.hua", "organizer", "Zhou Hua")
    lead = user("han.lijun", "lead", "Han Lijun")
    handler = user("sun.hong", "handler", "Sun Hong", department=transport)
    viewer = user("zhang.wei", "viewer", "Zhang Wei")
    other_lead = user("qian.yu", "lead", "Qian Yu")
    user("li.ping", "handler", "Li Ping", department=logistics)
    disabled = user("old.account", "viewer", "Old Account")
    update_user(disabled, display_name="Old Account", role="viewer", is_enabled=False)
    assign_tier_lead(staff_tier, lead)
    assign_tier_lead(party_tier, other_lead)
    w.values.update(user_id=handler.id, disabled_user_id=disabled.id)

    people = []
    for number, (name, gender, post) in enumerate([("Li Ming", "male", "Shearer driver"),
                                                  ("Wang Fang", "female", "Belt operator"),
                                                  ("Chen Gang", "male", "Electrician")], start=1):
        person = Person(employee_no=t(f"YB1000{number}"), name=t(name), gender=gender,
                        unit=unit if number < 3 else office, post=t(post), tier=staff_tier, phone=f"1380000000{number}",
                        is_focus=number == 1, focus_reason=t("Recent safety violation") if number == 1 else None)
        db.session.add(person)
        people.append(person)
    db.session.flush()
    w.values.update(person_id=people[0].id, woman_id=people[1].id)

    def meeting(title, days, hours=10, kind="regular", tier=staff_tier, **extra):
        starts = (datetime.combine(today + timedelta(days=days), datetime.min.time(), tzinfo=zone)
                  + timedelta(hours=hours))
        data = {"title": t(title), "kind": kind, "tier_id": tier.id if tier else None, "starts_at": starts,
                "location": t(f"Dispatch Building Room {abs(days) + 3}")}
        data.update(extra)
        return scheduling.create_meeting(organizer, data)

    # The live meeting: items at every outcome, slips at every stage.
    live_meeting = meeting("Tier 3 session", 0, hours=0, department_ids=[transport.id, logistics.id])
    live_meeting.starts_at = utcnow() - timedelta(minutes=30)
    scheduling.start_meeting(organizer, live_meeting)
    worker = live.join_meeting(live_meeting.join_code, name=t("Wang Jian"))
    walk_in = live.join_meeting(live_meeting.join_code, employee_no="YB10002")
    due = today + timedelta(days=7)

    def item(text, kind="demand", anonymity="named", participant=worker, target=live_meeting):
        made, _created = live.submit_item(target, client_id=uuid.uuid4().hex, kind=kind, text=t(text),
                                          anonymity=anonymity, participant=participant)
        return made

    def slip_for(text, kind="demand", anonymity="named", department=transport, participant=worker):
        made = item(text, kind, anonymity, participant)
        return made, live.transfer_item(lead, made, department.id, due)

    open_item = item("Hot water in the bathhouse")
    item("More lamps at the shaft gate", kind="question", anonymity="anonymous", participant=walk_in)
    it_issued, s_issued = slip_for("Cold meals on the night shift")
    it_accepted, s_accepted = slip_for("Boots in size 44 are missing", anonymity="anonymous")
    slips.accept_slip(handler, s_accepted)
    it_replied, s_replied = slip_for("The bus leaves too early")
    slips.accept_slip(handler, s_replied)
    slips.reply_slip(handler, s_replied, t("The bus now leaves at 7:40"), t("Timetable of the Transport Team"))
    slips.record_callback(handler, s_replied, caller=t("Sun Hong"), summary=t("Called the worker at home"),
                          reaction="partly", reaction_note=t("Would prefer 7:50"))
    it_closed, s_closed = slip_for("The locker room door is broken")
    slips.accept_slip(handler, s_closed)
    slips.reply_slip(handler, s_closed, t("Door repaired on Monday"), t("Repair order 17"))
    slips.rate_slip(s_closed, "satisfied", t("Thank you"))
    it_unhappy, s_unhappy = slip_for("Gloves wear out in a week")
    slips.accept_slip(handler, s_unhappy)
    slips.reply_slip(handler, s_unhappy, t("Gloves are ordered twice a year"), t("Purchase plan"))
    slips.rate_slip(s_unhappy, "dissatisfied", t("Still not enough"))
    _it, s_extension = slip_for("The canteen closes before the shift ends")
    slips.accept_slip(handler, s_extension)
    slips.request_extension(handler, s_extension, due + timedelta(days=5), t("Waiting for the new staff"))
    _it, s_reopened = slip_for("Noise from the fan at night")
    slips.accept_slip(handler, s_reopened)
    slips.reply_slip(handler, s_reopened, t("Fan checked"), t("Inspection record"))
    slips.reopen_slip(lead, s_reopened, t("The noise is still there"))
    _it, s_perfunctory = slip_for("Nobody answers the hotline")
    slips.flag_perfunctory(lead, s_perfunctory, t("Passed from office to office"))
    _it, s_hidden = slip_for("Help for a sick family member", kind="difficulty", anonymity="hidden_identity")
    _it, s_reassigned = slip_for("Parking for bicycles")
    slips.reassign_slip(lead, s_reassigned, logistics.id)
    _it, s_overdue = slip_for("Broken window in the dormitory")
    s_overdue.due_date = today - timedelta(days=5)
    s_overdue.issued_at = utcnow() - timedelta(days=12)
    it_followup, s_followup = slip_for("Drinking water tastes of rust")
    slips.accept_slip(handler, s_followup)
    slips.reply_slip(handler, s_followup, t("Filters replaced"), t("Water test report"))
    slips.close_slip(lead, s_followup, t("Checked on site"))
    slips.set_publication(lead, s_followup, "summary", t("Water filters were replaced"))
    s_followup.closed_at = utcnow() - timedelta(days=20)
    answered = item("When is the safety training", kind="question")
    live.answer_item(lead, answered, t("On the first Monday of the month"))
    adopted = item("Put a heater in the lamp room", kind="suggestion")
    s_adopted = live.adopt_suggestion(lead, adopted, transport.id, due)
    declined = item("Paint the headframe blue", kind="suggestion")
    live.decline_suggestion(lead, declined, t("The headframe is a listed monument"))
    hidden = item("Off-topic remark about football")
    live.hide_item(lead, hidden, t("Not about work"))
    duplicate = item("Cold meals again on the night shift")
    live.merge_item(lead, duplicate, it_issued.id)
    reminders.run_reminders(today)
    points.record_noncompliance(organizer, transport.id, t("Monthly report late"))
    reversed_entry = points.record_noncompliance(organizer, logistics.id, t("Roster sent late"))
    points.reverse_deduction(organizer, reversed_entry, t("It was sent on time"))

    # A closed meeting with published minutes, department attendance and an action item.
    closed_meeting = meeting("Tier 2 session", -3, department_ids=[transport.id, logistics.id])
    scheduling.start_meeting(organizer, closed_meeting)
    past_worker = live.join_meeting(closed_meeting.join_code, employee_no="YB10001")
    past = item("Safety helmets are too heavy", participant=past_worker, target=closed_meeting)
    live.transfer_item(lead, past, transport.id, due)
    past_question = item("Who checks the gas sensors", kind="question", participant=past_worker,
                         target=closed_meeting)
    live.answer_item(lead, past_question, t("The ventilation team, every shift"))
    scheduling.record_department_attendance(organizer, closed_meeting, transport.id, attendee_name=t("Zhao Lei"))
    scheduling.record_department_attendance(organizer, closed_meeting, logistics.id, sent=False,
                                            note=t("Nobody came"))
    scheduling.close_meeting(lead, closed_meeting)
    record = minutes.get_minutes(closed_meeting)
    minutes.save_minutes(organizer, record, t("The meeting discussed helmets and gas sensors."),
                         t("Lighter helmets will be tested."))
    minutes.add_action_item(organizer, closed_meeting, logistics.id, due, t("Test two lighter helmet models"))
    document = minutes.minutes_document(closed_meeting, record, draft=False)
    minutes.publish_minutes(organizer, record, b"%PDF-1.4 test", document)

    # A closed meeting whose published minutes are being revised.
    revised_meeting = meeting("Tier 1 session", -6)
    scheduling.start_meeting(organizer, revised_meeting)
    scheduling.close_meeting(lead, revised_meeting)
    record = minutes.get_minutes(revised_meeting)
    minutes.save_minutes(organizer, record, t("A short meeting."), t("Nothing to decide."))
    minutes.publish_minutes(organizer, record, b"%PDF-1.4 test",
                            minutes.minutes_document(revised_meeting, record, draft=False))
    minutes.start_revision(organizer, record, t("A name was misspelled"))

    # Planned meetings: one with a list, one with an approved list, one cancelled, one special session.
    planned = meeting("Tier 4 session", 2, notes=t("Bring the safety figures"))
    scheduling.set_participants(organizer, planned, [p.id for p in people[:2]])
    approved = meeting("Tier 5 session", 4)
    scheduling.set_participants(organizer, approved, [p.id for p in people])
    scheduling.approve_participants(lead, approved)
    cancelled = meeting("Tier 6 session", 6)
    scheduling.cancel_meeting(organizer, cancelled, t("The lead is on leave"))
    special = meeting("Topic session on ventilation", 8, kind="topic", tier=None, lead_user=lead,
                      department_ids=[transport.id], max_participants=30)

    # Plans and holidays: next month's plan generated, a holiday entered.
    next_month = _shift_month(today, 1)
    plans.add_holiday(organizer, next_month + timedelta(days=2), t("Mine Day"))
    plans.generate_month_plan(organizer, next_month.year, next_month.month)
    plans.publish_month_plan(organizer, next_month.year, next_month.month)
    for generated in Meeting.query.filter(Meeting.plan_month.isnot(None)):
        # The plan's titles are written by the app in the language of the organizer: ours on a
        # Chinese page; an untranslated title on an English page is a finding, not our data.
        w.texts.add(generated.title)

    # The standing QR channel (一码通).
    channel = intake.create_channel(organizer, {
        "name": t("Canteen"), "invitation": t("Tell us what bothers you"),
        "reply_promise": t("We answer within five working days"), "unit_id": unit.id,
        "supervisor_user_id": lead.id, "is_default": True})
    inactive = intake.create_channel(organizer, {"name": t("Night dormitory")})
    intake.set_channel_active(organizer, inactive, False)

    def channel_item(text, kind="demand", anonymity="named", name="Zhou Min"):
        made, _created = intake.submit_channel_item(channel, client_id=uuid.uuid4().hex, kind=kind, text=t(text),
                                                    anonymity=anonymity, name=t(name) if name else None,
                                                    phone="13900000000")
        return made

    channel_item("The shower drain is blocked")
    urgent = channel_item("Smoke from the cable trench", anonymity="anonymous")
    intake.mark_urgent(viewer, urgent)
    dispatched = channel_item("The road to the mine has potholes")
    s_dispatched = intake.dispatch_item(viewer, dispatched, transport.id, t("Fix it this week"))
    slips.accept_slip(handler, s_dispatched)
    slips.reply_slip(handler, s_dispatched, t("Potholes filled"), t("Road works order"))
    intake.pick_for_summary(organizer, f"{today:%Y-%m}", s_dispatched, True)
    channel_answered = channel_item("Is the clinic open on Sunday", kind="question")
    live.answer_item(lead, channel_answered, t("Yes, from nine to twelve"))
    channel_item("Someone is stealing from the lockers", anonymity="hidden_identity", name=None)

    # Golden-idea reviews: the current quarter finalized with a claimed award, the previous one open.
    awarded = item("Use the return air to dry work clothes", kind="suggestion")
    live.adopt_suggestion(lead, awarded, logistics.id, due)
    final_review = awards.create_review(organizer, _quarter(today), 1000)
    awards.appoint_reviewer(organizer, final_review, lead.id)
    awards.score_idea(lead, final_review, awarded.id, 5, 4, 5, t("Cheap and useful"))
    awards.score_idea(lead, final_review, adopted.id, 3, 3, 2)
    awards.set_award(organizer, final_review, awarded.id, 300, t("Best idea of the quarter"))
    awards.record_effect(organizer, final_review, awarded.id, t("Racks built in the return airway"),
                         t("Clothes dry in four hours"), 12000)
    awards.finalize_review(organizer, final_review)
    awards.claim_award(awarded.follow_token)
    previous = _shift_month(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), -3)
    old_idea = item("Label the valves with colours", kind="suggestion")
    live.adopt_suggestion(lead, old_idea, transport.id, due)
    old_idea.created_at = datetime.combine(previous + timedelta(days=10), datetime.min.time(), tzinfo=zone)
    open_review = awards.create_review(organizer, _quarter(previous), 800)
    awards.appoint_reviewer(organizer, open_review, lead.id)
    awards.appoint_reviewer(organizer, open_review, handler.id)
    awards.score_idea(lead, open_review, old_idea.id, 4, 4, 3, t("Easy to do"))
    awards.set_award(organizer, open_review, old_idea.id, 200)
    db.session.commit()

    from facilitation.intake.models import Channel
    # every random code the pages show (join codes, every channel's, the default one included)
    for code in [m.join_code for m in Meeting.query] + [c.code for c in Channel.query]:
        w.t(code)
    for slip in Slip.query:
        w.t(slip.number)
    w.values.update(
        meeting_id=live_meeting.id, closed_meeting=closed_meeting.id, planned_meeting=planned.id,
        approved_meeting=approved.id, cancelled_meeting=cancelled.id, special_meeting=special.id,
        revised_meeting=revised_meeting.id,
        join_code=live_meeting.join_code, planned_code=planned.join_code, closed_code=closed_meeting.join_code,
        cancelled_code=cancelled.join_code, bad_code="NOSUCH",
        slip_issued=s_issued.id, slip_accepted=s_accepted.id, slip_replied=s_replied.id, slip_closed=s_closed.id,
        slip_dissatisfied=s_unhappy.id, slip_extension=s_extension.id, slip_reopened=s_reopened.id,
        slip_perfunctory=s_perfunctory.id, slip_hidden_identity=s_hidden.id, slip_reassigned=s_reassigned.id,
        slip_overdue=s_overdue.id, slip_dispatched=s_dispatched.id, slip_adopted=s_adopted.id,
        token_open=open_item.follow_token, token_issued=it_issued.follow_token,
        token_replied=it_replied.follow_token, token_closed=it_closed.follow_token,
        token_dissatisfied=it_unhappy.follow_token, token_answered=answered.follow_token,
        token_declined=declined.follow_token, token_awarded=awarded.follow_token,
        token_followup=it_followup.follow_token, token_channel=dispatched.follow_token,
        token_channel_answered=channel_answered.follow_token, bad_token="no-such-token-0000000000",
        channel_id=channel.id, inactive_channel_id=inactive.id, code=channel.code,
        inactive_channel_code=inactive.code,
        review_id=open_review.id, final_review_id=final_review.id,
        month=f"{today:%Y-%m}", next_month=f"{next_month:%Y-%m}", year=today.year,
    )
    for token in (value for key, value in w.values.items() if key.startswith("token_")):
        w.t(token)
    return w


def clients_for(app, world, lang):
    clients = {}
    for role in ("anonymous",) + STAFF:
        client = app.test_client()
        if lang != "zh":
            client.set_cookie("lang", lang)
        if role != "anonymous":
            response = client.post("/login", data={"username": world.users[role].username, "password": PASSWORD})
            assert response.status_code == 302, f"{role} could not log in"
        clients[role] = client
    return clients


def visits(app, world):
    """(label, role, url, expected status, follow) for every visit of PAGES and EXTRA_PAGES."""
    endpoints = {rule.rule: rule for rule in app.url_map.iter_rules() if is_html_get(rule)}
    adapter = app.url_map.bind("localhost")
    out = []
    for rule_text, rule_visits in PAGES.items():
        rule = endpoints.get(rule_text)
        if rule is None:
            continue  # the coverage test reports it
        for visit in rule_visits:
            values = {}
            for name in rule.arguments:
                key = visit.args.get(name, name)
                assert key in world.values, f"{rule_text}: no world value {key!r} for <{name}>"
                values[name] = world.values[key]
            url = adapter.build(rule.endpoint, values, method="GET")
            if visit.query:
                url += "?" + visit.query
            out.append((f"{visit.role} {url}", visit.role, url, visit.status, visit.follow))
    for url, role, status in EXTRA_PAGES:
        out.append((f"{role} {url}", role, url, status, False))
    return out


def fetch_pages(app, lang, monkeypatch):
    """Build the world, open every page; returns (world, [(label, html)], [app error lines])."""
    world = build_world(app, lang, monkeypatch)
    clients = clients_for(app, world, lang)
    pages, errors = [], []
    for label, role, url, status, follow in visits(app, world):
        try:
            response = clients[role].get(url, follow_redirects=follow)
        except Exception as error:  # TESTING propagates exceptions: an app error, not a failed check
            frames = traceback.extract_tb(error.__traceback__)
            where = next((f"{f.filename.split('/main/')[-1]}:{f.lineno}" for f in reversed(frames)
                          if "/facilitation/" in f.filename or "/templates/" in f.filename), "?")
            errors.append(f"{label}: raised {type(error).__name__}: {error} ({where})")
            db.session.rollback()
            continue
        if response.status_code != status:
            errors.append(f"{label}: status {response.status_code}, expected {status} "
                          f"{response.headers.get('Location', '')}")
            continue
        if not response.mimetype == "text/html":
            errors.append(f"{label}: {response.mimetype}, expected text/html")
            continue
        pages.append((label, response.get_data(as_text=True)))
    return world, pages, errors


# ------------------------------------------------------------------ reading a page

VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-confirm", "data-title")
INVISIBLE_INPUTS = {"hidden", "checkbox", "radio", "file", "image"}


class PageText(HTMLParser):
    """The text a user reads: text nodes outside <script>/<style> (with whether they are inside a
    language switch link), the attributes shown as text, and the strings handed to scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []  # (text, in_lang_switch)
        self.attributes = []  # (name, text)
        self.script_strings = []
        self._skip = None  # "script" / "style" while inside one
        self._json = False
        self._lang_link = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip = tag
            self._json = tag == "script" and attrs.get("type") == "application/json" and "data-strings" in attrs
            return
        if tag == "a" and (attrs.get("href") or "").startswith("/lang/"):
            self._lang_link += 1
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.attributes.append((name, attrs[name]))
        if tag == "input" and (attrs.get("type") or "text").lower() not in INVISIBLE_INPUTS and attrs.get("value"):
            self.attributes.append(("value", attrs["value"]))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._skip = None

    def handle_endtag(self, tag):
        if tag == self._skip:
            self._skip, self._json = None, False
        elif tag == "a" and self._lang_link:
            self._lang_link -= 1

    def handle_data(self, data):
        if self._skip:
            if self._json:
                self.script_strings.extend(_strings_of(json.loads(data)))
            return
        if data.strip():
            self.texts.append((" ".join(data.split()), bool(self._lang_link)))


def _strings_of(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for each in value.values():
            yield from _strings_of(each)
    elif isinstance(value, list):
        for each in value:
            yield from _strings_of(each)


def read_page(html):
    parser = PageText()
    parser.feed(html)
    parser.close()
    return parser


def snippet(text, match, width=30):
    start, end = max(match.start() - width, 0), min(match.end() + width, len(text))
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def english_problems(html):
    page = read_page(html)
    found = []
    for text, in_lang_switch in page.texts:
        if in_lang_switch:
            continue  # EN_EXCEPTIONS["language switch"]
        match = CJK.search(text)
        if match:
            found.append(f"text: {snippet(text, match)!r}")
    for name, text in page.attributes:
        match = CJK.search(text)
        if match:
            found.append(f"{name}=: {snippet(text, match)!r}")
    for text in page.script_strings:
        match = CJK.search(text)
        if match:
            found.append(f"script string: {snippet(text, match)!r}")
    return list(dict.fromkeys(found))


NOISE = [
    re.compile(r"https?://\S+"),
    re.compile(r"\bHT-\d{6}-\d{3,}\b"),  # slip numbers
    re.compile(r"(?<![A-Za-z])Y\d+\b"),  # standing-channel item numbers
    re.compile(r"\b\d{4}-Q[1-4]\b"),  # quarters
    re.compile(r"\b[A-Z0-9]{4}-?[A-Z0-9]{4}\b"),  # claim codes
    re.compile(r"\b[0-9a-f]{12,}\b"),  # fingerprints (of a published PDF)
]
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def strip_ours(text, ours):
    """Take our data out of a text node, also where the page cut it short with "…"."""
    for data in ours:
        if data in text:
            text = text.replace(data, " ")
    while "…" in text:
        head, _sep, tail = text.partition("…")
        cut = next((len(head) - n for n in range(len(head), 2, -1)
                    if any(d.startswith(head[-n:]) for d in ours)), len(head))
        text = head[:cut] + " " + tail
    return text


def chinese_problems(html, world):
    page = read_page(html)
    ours = sorted(world.texts, key=len, reverse=True)
    found = []
    for text, _in_lang_switch in page.texts:
        # Our data first: a pattern would otherwise cut a random code short ("Y24" of join
        # code "TZ2Y24" reads as a channel item number), and the rest ("TZ2") as English.
        rest = strip_ours(text, ours)
        for pattern in NOISE:
            rest = pattern.sub(" ", rest)
        words = [w for w in WORD.findall(rest) if w not in ZH_ALLOWED_WORDS]
        if not words:
            continue
        if text in RAW_CODES:
            found.append(f"raw code as text: {text!r}")
        else:
            codes = [w for w in words if w in RAW_CODES or "_" in w]
            what = "raw code" if codes else "English"
            found.append(f"{what} {', '.join(dict.fromkeys(codes or words))}: {text[:100]!r}")
    return list(dict.fromkeys(found))


# ------------------------------------------------------------------ the checks

SHOWN_PER_PAGE = 8
COMMON_PAGES = 5  # a problem seen on this many pages is listed once (the layout, shared macros)


def report(lang, pages, errors, problems):
    print(f"\nlanguages: {len(pages)} pages checked in {lang}"
          f" ({len(errors)} not rendered, {len(problems)} with problems)")
    lines = []
    if errors:
        lines.append(f"pages that did not render ({len(errors)}):")
        lines.extend("  " + error for error in errors)
    if problems:
        seen = {}
        for _label, found in problems:
            for each in found:
                seen[each] = seen.get(each, 0) + 1
        common = {each for each, count in seen.items() if count >= COMMON_PAGES}
        lines.append(f"pages with problems in {lang} ({len(problems)} of {len(pages)}):")
        if common:
            lines.append(f"  on {COMMON_PAGES} pages or more (listed once, left out below):")
            lines.extend(f"      {each}  ({seen[each]} pages)" for each in sorted(common, key=lambda e: -seen[e]))
        for label, found in problems:
            own = [each for each in found if each not in common]
            lines.append(f"  {label}  [{len(own)}" + (f" + {len(found) - len(own)} common]" if len(own) < len(found)
                                                      else "]"))
            lines.extend("      " + each for each in own[:SHOWN_PER_PAGE])
            if len(own) > SHOWN_PER_PAGE:
                lines.append(f"      … and {len(own) - SHOWN_PER_PAGE} more")
    return "\n".join(lines)


def test_pages_in_chinese(app, monkeypatch):
    world, pages, errors = fetch_pages(app, "zh", monkeypatch)
    problems = [(label, found) for label, html in pages if (found := chinese_problems(html, world))]
    message = report("zh", pages, errors, problems)
    assert not errors and not problems, message


def test_pages_in_english(app, monkeypatch):
    _world, pages, errors = fetch_pages(app, "en", monkeypatch)
    problems = [(label, found) for label, html in pages if (found := english_problems(html))]
    message = report("en", pages, errors, problems)
    assert not errors and not problems, message
