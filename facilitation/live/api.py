"""JSON API for live capture: joining, items, votes and outcomes."""
from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import bearer_token, roles_required
from ..accounts.models import ApiToken
from ..api import bp, json_body
from ..edges import commits, unit_of_work
from ..errors import DomainError, PermissionDenied, ValidationError
from ..extensions import db, limiter
from ..scheduling.services import can_chair
from ..slips.services import slip_to_dict
from ..timeutil import parse_date
from ..validation import ID_MAX, bool_value, query_int
from . import services
from .payloads import item_to_dict
from .tokens import issue_participant_token, read_participant_token


def _token_ids(token):
    """(meeting_id, participant_id) of a participant token, checked once per request (the submit
    limiter's key and the view both need it)."""
    cached = g.get("participant_token_ids")
    if cached is None or cached[0] != token:
        g.participant_token_ids = cached = (token, read_participant_token(token))
    return cached[1]


def _participant_from_request(meeting_id=None):
    token = bearer_token()
    if not token or not token.startswith("p."):
        return None
    token_meeting_id, participant_id = _token_ids(token)
    if meeting_id is not None and token_meeting_id != meeting_id:
        raise PermissionDenied(_("参会凭证不属于这场慧谈。"), code="wrong_meeting")
    return services.participant_for_token(token_meeting_id, participant_id)


def _staff():
    return current_user if current_user.is_authenticated else None


def _string(data, key):
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(_("%(field)s 必须是字符串。", field=key))
    return value


def _join_limit():
    """Joins per meeting, sized by its cap: a room of phones behind one proxy address all get in."""
    from ..scheduling.models import Meeting
    code = (request.view_args or {}).get("join_code", "")
    cap = db.session.scalar(db.select(Meeting.max_participants).where(Meeting.join_code == code.strip().upper())) \
        if 0 < len(code) <= 16 else None
    per_person = current_app.config["JOIN_ATTEMPTS_PER_SEAT"]
    return f"{max(current_app.config['JOIN_RATE_MIN'], per_person * (cap or 0))} per minute"


def _join_key():
    return "join:" + ((request.view_args or {}).get("join_code", "")[:16].strip().upper())


def _submit_key():
    """Submissions are counted per phone (its participant token) or per staff user, never per address."""
    token = bearer_token()
    if token and token.startswith("p."):
        # per participant, not per token: joining again issues a new token, not a new allowance
        try:
            meeting_id, participant_id = _token_ids(token)
            return f"submit:participant:{meeting_id}:{participant_id}"
        except DomainError:
            pass
    if token:
        return "submit:" + ApiToken.hash(token)
    if current_user.is_authenticated:
        return f"submit:user:{current_user.id}"
    return "submit:addr:" + (request.remote_addr or "-")


@bp.route("/join/<join_code>", methods=["POST"])
@limiter.limit(_join_limit, key_func=_join_key)
def join(join_code):
    """Join a live meeting from a phone.
    ---
    post:
      summary: Join a meeting by its join code
      security: []
      parameters:
        - {name: join_code, in: path, required: true, schema: {type: string}}
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                employee_no: {type: string, maxLength: 32}
                name: {type: string, maxLength: 64}
      responses:
        200:
          description: '{"meeting_id", "participant_token", "participant": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Join'}}}
        400:
          description: no name, name and 工号 disagree, too long
        403:
          description: 'the list is approved and this person is not on it (code not_invited)'
        404:
          description: wrong join code
        409:
          description: 'meeting not started, or full (code full: the cap is reached)'
        410:
          description: meeting closed or cancelled
    """
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise ValidationError(_("请求体必须是 JSON 对象。"))
    employee_no, name = _string(data, "employee_no"), _string(data, "name")
    with unit_of_work():
        participant = services.join_meeting(join_code, employee_no, name)
    return jsonify({"meeting_id": participant.meeting_id,
                    "participant_token": issue_participant_token(participant),
                    "participant": {"id": participant.id, "name": participant.name,
                                    "is_guest": participant.is_guest}})


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@limiter.limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"], key_func=_submit_key)
def submit_item(meeting_id):
    """Raise an item (participant token) or enter one for a participant (staff).
    ---
    post:
      summary: Submit an item; idempotent on client_id
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [client_id, kind, text]
              properties:
                client_id: {type: string, pattern: '^[A-Za-z0-9_-]{8,64}$'}
                kind: {type: string, enum: [question, demand, difficulty, suggestion]}
                text: {type: string, maxLength: 500}
                anonymity: {type: string, enum: [named, anonymous, hidden_identity]}
                category: {type: string, maxLength: 32}
                submitter_name: {type: string, description: staff entry only}
      responses:
        201:
          description: the new item
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
        200:
          description: the same item, client_id seen before
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
        400:
          description: invalid item
        409:
          description: meeting not live
    """
    participant = _participant_from_request(meeting_id)
    meeting = participant.meeting if participant is not None else services.live_meeting(meeting_id)
    staff = None
    if participant is None:
        staff = _staff()
        if staff is None:
            raise PermissionDenied(_("请先扫码加入慧谈。"), code="unauthorized")
        if not can_chair(staff, meeting):
            raise PermissionDenied(_("只有组织者或本场牵头人可以代为录入事项。"))
    data = json_body()
    submitter_name = _string(data, "submitter_name") if staff else None
    with unit_of_work():
        item, created = services.submit_item(
            meeting, client_id=data.get("client_id"), kind=data.get("kind"), text=data.get("text"),
            anonymity=_string(data, "anonymity") or "named", category=data.get("category"),
            is_urgent=bool_value(data.get("is_urgent"), "is_urgent", default=False), participant=participant, staff=staff,
            submitter_name=submitter_name)
        # Built before the commit, which would expire the item and cost a reload.
        body = item_to_dict(item, audience="public" if participant else "staff")
        if participant is not None and created and item.follow_token:
            body["follow_token"] = item.follow_token
    return jsonify(body), 201 if created else 200


@bp.route("/meetings/<int:meeting_id>/items")
def list_items(meeting_id):
    """Items after a sequence number, for catching up after (re)connecting.
    ---
    get:
      summary: Items of a meeting ordered by seq
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
        - {name: after, in: query, schema: {type: integer, default: 0}}
      responses:
        200:
          description: '{"items": [...], "last_seq"}'
          content: {application/json: {schema: {$ref: '#/components/schemas/ItemList'}}}
    """
    participant = _participant_from_request(meeting_id)
    meeting = participant.meeting if participant is not None else services.live_meeting(meeting_id)
    if participant is None:
        staff = _staff()
        if staff is None:
            raise PermissionDenied(_("请先扫码加入慧谈。"), code="unauthorized")
        if not staff.has_role("organizer", "lead", "viewer"):
            raise PermissionDenied(_("您没有查看本场事项的权限。"))
    audience = "public" if participant is not None else "staff"
    after = query_int(request.args.get("after"), "after", 0, ID_MAX, default=0)
    items = services.items_after(meeting, after, audience=audience)
    return jsonify({"items": [item_to_dict(i, audience) for i in items],
                    "last_seq": meeting.next_seq, "status": meeting.status})


@bp.route("/items/<int:item_id>/vote", methods=["POST"])
def vote_item(item_id):
    """+1 an item (participant token; once per participant).
    ---
    post:
      summary: Vote for an item
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the item with its new vote count
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
        409:
          description: already voted
    """
    item = services.get_item(item_id)
    participant = _participant_from_request(item.meeting_id)
    if participant is None:
        raise PermissionDenied(_("请先扫码加入慧谈。"), code="unauthorized")
    with unit_of_work():
        services.vote_item(participant, item)
    return jsonify(item_to_dict(item, audience="public"))


def _due_date(data):
    value = data.get("due_date")
    if value is None or value == "":
        raise ValidationError(_("请填写答复期限。"), code="bad_due_date")
    try:
        return parse_date(value if isinstance(value, str) else None)
    except ValueError:
        raise ValidationError(_("答复期限格式应为 YYYY-MM-DD。"), code="bad_due_date")


def _locked_item(item_id):
    """The item, locked for its outcome (two leads pressing at once get one outcome and a 409)."""
    return services.get_item(item_id, for_update=True)


@bp.route("/items/<int:item_id>/answer", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def answer_item(item_id):
    """Answer an item on the spot.
    ---
    post:
      summary: Answer on the spot
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [answer], properties: {answer: {type: string, maxLength: 2000}}}
      responses:
        200:
          description: the item
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
        409:
          description: the item already has an outcome, or the meeting is not live
    """
    answer = json_body().get("answer")
    return jsonify(item_to_dict(services.answer_item(current_user, _locked_item(item_id), answer)))


@bp.route("/items/<int:item_id>/transfer", methods=["POST"])
@roles_required("organizer", "lead")
def transfer_item(item_id):
    """Hand an item to a department as a handling slip.
    ---
    post:
      summary: Transfer to a department
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [department_id, due_date]
              properties:
                department_id: {type: integer}
                due_date: {type: string, format: date}
      responses:
        201:
          description: '{"slip": {"id", "number", "status", "due_date"}, "item": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Transfer'}}}
        400:
          description: unknown department or past deadline
    """
    data = json_body()
    due_date = _due_date(data)
    with unit_of_work():
        item = services.get_item(item_id, for_update=True)
        slip = services.transfer_item(current_user, item, data.get("department_id"), due_date)
    return jsonify({"slip": slip_to_dict(slip), "item": item_to_dict(item)}), 201


@bp.route("/items/<int:item_id>/adopt", methods=["POST"])
@roles_required("organizer", "lead")
def adopt_item(item_id):
    """Adopt a suggestion; a slip asks the department to implement it.
    ---
    post:
      summary: Adopt a suggestion
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {department_id: {type: integer}, due_date: {type: string, format: date}}}
      responses:
        201:
          description: '{"slip": {...}, "item": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Transfer'}}}
    """
    data = json_body()
    due_date = _due_date(data)
    with unit_of_work():
        item = services.get_item(item_id, for_update=True)
        slip = services.adopt_suggestion(current_user, item, data.get("department_id"), due_date)
    return jsonify({"slip": slip_to_dict(slip), "item": item_to_dict(item)}), 201


@bp.route("/items/<int:item_id>/decline", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def decline_item(item_id):
    """Decline a suggestion with an explanation.
    ---
    post:
      summary: Decline a suggestion
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [explanation], properties: {explanation: {type: string}}}
      responses:
        200:
          description: the item
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
    """
    explanation = json_body().get("explanation")
    item = services.decline_suggestion(current_user, _locked_item(item_id), explanation)
    return jsonify(item_to_dict(item))


@bp.route("/items/<int:item_id>/merge", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def merge_item(item_id):
    """Merge a duplicate into another item of the same meeting.
    ---
    post:
      summary: Merge an item
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [target_id], properties: {target_id: {type: integer}}}
      responses:
        200:
          description: the merged item
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
    """
    target_id = json_body().get("target_id")
    return jsonify(item_to_dict(services.merge_item(current_user, _locked_item(item_id), target_id)))


@bp.route("/items/<int:item_id>/hide", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def hide_item(item_id):
    """Hide an off-topic item; the reason is kept.
    ---
    post:
      summary: Hide an item
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [reason], properties: {reason: {type: string, maxLength: 500}}}
      responses:
        200:
          description: the item
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
    """
    reason = json_body().get("reason")
    return jsonify(item_to_dict(services.hide_item(current_user, _locked_item(item_id), reason)))


@bp.route("/items/<int:item_id>/approve", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def approve_item(item_id):
    """Let a moderated item onto the board.
    ---
    post:
      summary: Approve a moderated item
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the item
          content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}
    """
    return jsonify(item_to_dict(services.approve_item(current_user, _locked_item(item_id))))
