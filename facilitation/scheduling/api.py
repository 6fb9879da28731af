"""JSON API: meetings, monthly plans, participant proposals, lists and approval, coverage."""
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import roles_required, staff_required
from ..api import bp, json_body
from ..edges import commits, unit_of_work
from ..errors import PermissionDenied, ValidationError
from ..people.services import get_tier
from ..timeutil import local_today, parse_local_datetime
from ..validation import ID_MAX, id_value, int_value, is_id, optional_text, query_int
from . import plans, queries, services


STRING_FIELDS = ("title", "kind", "location", "video_url")
BOOLEAN_FIELDS = ("allow_guests", "allow_nameless", "is_moderated")


def _datetime(data, key):
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(_("%(field)s 必须是字符串。", field=key))
    try:
        return parse_local_datetime(value)
    except (ValueError, OverflowError):  # year 1 in Shanghai is before UTC's first day
        raise ValidationError(_("时间格式不正确，请使用 YYYY-MM-DDTHH:MM。"))


def _parse_meeting_body(data):
    """Check the JSON types and build the services' input from the known keys only."""
    parsed = {"starts_at": _datetime(data, "starts_at"), "ends_at": _datetime(data, "ends_at")}
    for key in STRING_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValidationError(_("%(field)s 必须是字符串。", field=key))
        parsed[key] = data.get(key)
    for key in ("tier_id", "lead_user_id"):
        parsed[key] = id_value(data.get(key), key, required=False)
    parsed["max_participants"] = int_value(data.get("max_participants"), _("参会人数上限"), 1, 1000)
    for key in BOOLEAN_FIELDS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ValidationError(_("%(field)s 必须是 true 或 false。", field=key))
            parsed[key] = data[key]
    ids = data.get("department_ids") or []
    if not isinstance(ids, list) or not all(is_id(i) for i in ids):
        raise ValidationError(_("department_ids 必须是整数列表。"))
    parsed["department_ids"] = ids
    lead_user_id = parsed.pop("lead_user_id")
    if lead_user_id is not None:
        parsed["lead_user"] = services.get_chair_candidate(lead_user_id)
    return parsed


@bp.route("/meetings", methods=["POST"])
@roles_required("organizer")
def create_meeting():
    """Schedule a meeting.
    ---
    post:
      summary: Create a meeting
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/MeetingCreate'}}}
      responses:
        201:
          description: '{"id", "tier_id", "title", "kind", "status", "join_code", "starts_at",
            "max_participants", "lead_user_id"}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
        400:
          description: invalid input, or no chair (code lead_required)
        403:
          description: not an organizer
        409:
          description: 'the lead already has a meeting that day, or the room is taken (code schedule_conflict)'
    """
    data = _parse_meeting_body(json_body())
    with unit_of_work():
        meeting = services.create_meeting(current_user, data)
        body = services.meeting_to_dict(meeting)
    return jsonify(body), 201


@bp.route("/meetings/<int:meeting_id>")
@staff_required
def get_meeting(meeting_id):
    """One meeting.
    ---
    get:
      summary: Get a meeting
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the meeting
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
        404:
          description: no such meeting
    """
    return jsonify(services.meeting_to_dict(services.get_meeting(meeting_id)))


def _current_body(meeting):
    """A meeting as the create body would give it, so that a PATCH changes only what it names."""
    return {"tier_id": meeting.tier_id, "title": meeting.title, "kind": meeting.kind,
            "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None,
            "location": meeting.location, "video_url": meeting.video_url,
            "max_participants": meeting.max_participants,
            "department_ids": [link.department_id for link in meeting.invited_departments]}


@bp.route("/meetings/<int:meeting_id>", methods=["PATCH"])
@roles_required("organizer")
@commits
def update_meeting(meeting_id):
    """Change a planned or live meeting: e.g. raise the cap for a large special session.
    ---
    patch:
      summary: Update a meeting (only the fields given change)
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/MeetingChange'}}}
      responses:
        200:
          description: the meeting
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
        400:
          description: 'invalid input; a cap below the list (code over_cap)'
        403:
          description: not an organizer
        404:
          description: no such meeting
        409:
          description: 'closed or cancelled, or a schedule conflict (code schedule_conflict)'
    """
    meeting = services.get_meeting(meeting_id)
    changes = json_body()
    data = _parse_meeting_body({**_current_body(meeting), **changes})
    services.update_meeting(current_user, meeting, data)
    return jsonify(services.meeting_to_dict(meeting))


@bp.route("/meetings/<int:meeting_id>/start", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def start_meeting(meeting_id):
    """Start a planned meeting (organizer or its lead).
    ---
    post:
      summary: Start a meeting
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the meeting, now live
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
        409:
          description: not planned
    """
    meeting = services.start_meeting(current_user, services.get_meeting(meeting_id))
    return jsonify(services.meeting_to_dict(meeting))


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def close_meeting(meeting_id):
    """Close a live meeting; 409 listing the items that still have no outcome.
    ---
    post:
      summary: Close a meeting
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the meeting, now closed
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
        409:
          description: items without outcome (error.details.items) or wrong state
    """
    meeting = services.close_meeting(current_user, services.get_meeting(meeting_id))
    return jsonify(services.meeting_to_dict(meeting))


# ---------------------------------------------------------------- plans

@bp.route("/plans/<month>", methods=["POST"])
@roles_required("organizer")
def generate_plan(month):
    """Generate the month's regular meetings (idempotent).
    ---
    post:
      summary: One regular meeting this month for every tier that has none yet
      parameters:
        - {name: month, in: path, required: true, schema: {type: string, pattern: '^\\d{4}-\\d{2}$'}}
      responses:
        201:
          description: '{"meetings": [...], "notes": [...]}: the meetings created (none when called again);
            notes name the tiers left out (no lead, no free slot)'
          content: {application/json: {schema: {$ref: '#/components/schemas/Plan'}}}
        400:
          description: malformed or past month
        403:
          description: not an organizer
    """
    year, number = plans.month_value(month)
    with unit_of_work():
        created, notes, _plan = plans.generate_month_plan(current_user, year, number)
        body = {"meetings": [services.meeting_to_dict(m) for m in created], "notes": [str(n) for n in notes]}
    return jsonify(body), 201


# ---------------------------------------------------------------- proposal, list, approval

def _chaired_meeting(meeting_id):
    """The meeting, when the user is an organizer or chairs it (403 for another tier's lead)."""
    meeting = services.get_meeting(meeting_id)
    if not (current_user.has_role("organizer") or services.can_chair(current_user, meeting)):
        raise PermissionDenied(_("只有组织者或本场牵头人可以查看和调整参会名单。"))
    return meeting


def proposal_filters(args):
    """Roster filters of a special session (ignored for regular meetings, which take their tier)."""
    filters = {}
    for key in ("tier_id", "unit_id"):
        value = query_int(args.get(key), key, 1, ID_MAX)
        if value is not None:
            filters[key] = value
    gender = args.get("gender") or None
    if gender not in (None, "male", "female"):
        raise ValidationError(_("gender 只能是 male 或 female。"))
    if gender:
        filters["gender"] = gender
    if args.get("focus") in ("1", "true"):
        filters["focus"] = True
    text = optional_text(args.get("q"), 64, "q")
    if text:
        filters["q"] = text
    return filters


@bp.route("/meetings/<int:meeting_id>/proposal")
@roles_required("organizer", "lead")
def meeting_proposal(meeting_id):
    """The proposed participants with their reasons, and the next candidates for swaps.
    ---
    get:
      summary: Proposed participants (rotation, coverage, focus persons first)
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
        - {name: tier_id, in: query, required: false, schema: {type: integer}, description: special sessions}
        - {name: unit_id, in: query, required: false, schema: {type: integer}, description: special sessions}
        - {name: gender, in: query, required: false, schema: {type: string, enum: [male, female]}}
        - {name: focus, in: query, required: false, schema: {type: string, enum: ['1', 'true']}}
        - {name: q, in: query, required: false, schema: {type: string, maxLength: 64},
           description: 'name, 工号, post or focus reason contains'}
      responses:
        200:
          description: '{"participants": [{"person_id", "name", "reason"}], "alternates": [...],
            "max_participants"}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Proposal'}}}
        400:
          description: malformed filter
        403:
          description: neither an organizer nor this meeting's lead
        404:
          description: no such meeting
    """
    meeting = _chaired_meeting(meeting_id)
    filters = proposal_filters(request.args) if meeting.kind != "regular" else None
    picks, alternates = queries.proposal_for(meeting, filters)
    return jsonify({"participants": [queries.pick_to_dict(p) for p in picks],
                    "alternates": [queries.pick_to_dict(p) for p in alternates],
                    "max_participants": meeting.max_participants})


@bp.route("/meetings/<int:meeting_id>/participants")
@roles_required("organizer", "lead")
def meeting_participants(meeting_id):
    """The invitation list and whether it is approved.
    ---
    get:
      summary: The invitation list
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: '{"participants": [{"person_id", "name", "reason", "is_focus"}], "approved"}'
          content: {application/json: {schema: {$ref: '#/components/schemas/ParticipantList'}}}
        403:
          description: neither an organizer nor this meeting's lead
        404:
          description: no such meeting
    """
    meeting = _chaired_meeting(meeting_id)
    return jsonify(services.participants_to_dict(meeting, include_focus=True))


@bp.route("/meetings/<int:meeting_id>/participants", methods=["PUT"])
@roles_required("organizer", "lead")
def set_meeting_participants(meeting_id):
    """Replace the invitation list; a changed list needs a new approval.
    ---
    put:
      summary: Set the invitation list
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [person_ids]
              properties:
                person_ids: {type: array, items: {type: integer}, maxItems: 1000}
      responses:
        200:
          description: '{"participants": [...], "approved": false}'
          content: {application/json: {schema: {$ref: '#/components/schemas/ParticipantList'}}}
        400:
          description: 'more than max_participants (code over_cap), unknown or inactive person, another tier
            for a regular meeting'
        403:
          description: neither an organizer nor this meeting's lead
        404:
          description: no such meeting
        409:
          description: meeting closed or cancelled
    """
    data = json_body()
    person_ids = data.get("person_ids")
    if not isinstance(person_ids, list) or len(person_ids) > services.MAX_PARTICIPANTS_LIMIT * 2:
        raise ValidationError(_("person_ids 必须是职工编号列表。"), code="bad_person_ids")
    meeting = _chaired_meeting(meeting_id)
    with unit_of_work():
        reasons = {}
        if person_ids and all(isinstance(i, int) for i in person_ids):
            picks, alternates = queries.proposal_for(meeting, None, alternates=len(person_ids))
            reasons = {p.person_id: p.reason for p in picks + alternates}
        services.set_participants(current_user, meeting, person_ids, reasons)
        body = services.participants_to_dict(meeting, include_focus=True)
    return jsonify(body)


@bp.route("/meetings/<int:meeting_id>/participants/approve", methods=["POST"])
@roles_required("lead")
def approve_meeting_participants(meeting_id):
    """The tier's lead approves the list (an admin may too; an organizer may not).
    ---
    post:
      summary: Approve the invitation list
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: '{"participants": [...], "approved": true}'
          content: {application/json: {schema: {$ref: '#/components/schemas/ParticipantList'}}}
        400:
          description: empty list
        403:
          description: not the lead of this meeting's tier (nor an admin)
        404:
          description: no such meeting
        409:
          description: meeting closed or cancelled
    """
    meeting = services.get_meeting(meeting_id)
    with unit_of_work():
        services.approve_participants(current_user, meeting)
        body = services.participants_to_dict(meeting, include_focus=True)
    return jsonify(body)


# ---------------------------------------------------------------- coverage

@bp.route("/tiers/<int:tier_id>/coverage")
@roles_required("organizer", "lead")
def tier_coverage(tier_id):
    """Who of the tier has been heard this year.
    ---
    get:
      summary: Coverage of a tier in a year
      parameters:
        - {name: tier_id, in: path, required: true, schema: {type: integer}}
        - {name: year, in: query, required: false, schema: {type: integer, minimum: 2000, maximum: 2100}}
      responses:
        200:
          description: '{"active", "covered", "share", "never": [{"person_id", "name"}], "months"}: covered =
            attended at least one closed meeting that year; share 0–1 (null without active people); months =
            cumulative share at the end of each month'
          content: {application/json: {schema: {$ref: '#/components/schemas/Coverage'}}}
        400:
          description: malformed year
        403:
          description: not an organizer or lead
        404:
          description: no such tier
    """
    year = query_int(request.args.get("year"), "year", 2000, 2100, default=local_today().year)
    return jsonify(queries.tier_coverage(get_tier(tier_id), year))
