"""/api/v1/openapi.json, generated with apispec from the endpoints' docstrings."""
from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app, jsonify

from . import bp

ERROR_RESPONSE = {"description": '4xx: {"error": {"code", "message"}} with a message in the user\'s language',
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "details": {"type": "object", "description": "extra data, e.g. the items that block closing"}}}},
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required, **properties):
    return {"type": "object", "required": list(required), "properties": properties}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_STRING, NULLABLE_INTEGER = {"type": "string", "nullable": True}, {"type": "integer", "nullable": True}
DATE = {"type": "string", "format": "date"}
RATE = {"type": "number", "nullable": True, "minimum": 0, "maximum": 1}

# The shapes the endpoints answer with; every response in the document refers to one of them.
MEETING_KINDS = {"type": "string", "enum": ["regular", "topic", "professional", "milestone", "online"]}
# What POST /meetings takes (title and starts_at required there) and PATCH /meetings/<id> changes.
MEETING_FIELDS = dict(
    tier_id=NULLABLE_INTEGER, title={"type": "string", "maxLength": 120}, kind=MEETING_KINDS,
    starts_at={"type": "string", "description": "ISO 8601; without offset = Asia/Shanghai"},
    ends_at=NULLABLE_STRING, location={"type": "string", "maxLength": 120},
    video_url={"type": "string", "maxLength": 500}, department_ids={"type": "array", "items": INTEGER},
    max_participants={"type": "integer", "minimum": 1, "maximum": 1000, "default": 10},
    lead_user_id={"type": "integer", "nullable": True,
                  "description": "the chair; required when the tier has no lead or the meeting has no tier"},
    allow_guests={"type": "boolean", "description": "after the list is approved, people not on it may still "
                  "join; default false for regular meetings, true for special sessions"},
    allow_nameless=BOOLEAN, is_moderated=BOOLEAN)

# A person on a meeting's invitation list; reason is null on lists set before reasons were kept.
INVITEE = _object(("person_id", "name", "reason", "tier_id", "joined", "is_focus"),
                  person_id=INTEGER, name=STRING, reason=NULLABLE_STRING, tier_id=NULLABLE_INTEGER,
                  joined={"type": "boolean", "description": "attended (joined from a phone or marked present)"},
                  is_focus=BOOLEAN)
# A proposed participant or alternate, with why they are proposed.
PICK = _object(("person_id", "name", "reason"), person_id=INTEGER, name=STRING, reason=STRING)
ONLY_FOR_LEADS = "only for organizers and leads (always in the 201 answer of POST /people)"

SCHEMAS = {
    "MeetingCreate": _object(("title", "starts_at"), **MEETING_FIELDS),
    "MeetingChange": _object((), **MEETING_FIELDS),
    "Meeting": _object(
        ("id", "tier_id", "title", "kind", "status", "join_code", "starts_at", "max_participants", "lead_user_id"),
        id=INTEGER, tier_id=NULLABLE_INTEGER, title=STRING,
        kind={"type": "string", "enum": ["regular", "topic", "professional", "milestone", "online"]},
        status={"type": "string", "enum": ["planned", "live", "closed", "cancelled"]}, join_code=STRING,
        starts_at=STRING, ends_at=NULLABLE_STRING, location=NULLABLE_STRING, video_url=NULLABLE_STRING,
        max_participants=INTEGER, lead_user_id=NULLABLE_INTEGER, lead=NULLABLE_STRING,
        department_ids={"type": "array", "items": INTEGER}, allow_guests=BOOLEAN, allow_nameless=BOOLEAN,
        is_moderated=BOOLEAN),
    "Item": _object(
        ("id", "seq", "client_id", "kind", "text", "status", "votes"),
        id=INTEGER, seq=NULLABLE_INTEGER, client_id=STRING,
        kind={"type": "string", "enum": ["question", "demand", "difficulty", "suggestion"]}, kind_label=STRING,
        category=NULLABLE_STRING, category_label=NULLABLE_STRING, text=STRING, status=STRING, status_label=STRING, votes=INTEGER,
        anonymity={"type": "string", "enum": ["named", "anonymous", "hidden_identity"]},
        submitter=NULLABLE_STRING, is_approved=BOOLEAN, is_urgent=BOOLEAN, answer=NULLABLE_STRING,
        outcome_note=NULLABLE_STRING, merged_into_seq=NULLABLE_INTEGER,
        slip={"type": "object", "nullable": True}, created_at=STRING,
        follow_token={"type": "string", "description": "only in the submitter's own 201 answer"}),
    "ItemList": _object(("items", "last_seq"), items={"type": "array", "items": _ref("Item")},
                        last_seq=INTEGER, status=STRING),
    "Slip": _object(
        ("id", "number", "status", "department_id", "due_date", "is_overdue", "item_id"),
        id=INTEGER, number=STRING, status={"type": "string", "enum": ["issued", "accepted", "replied", "closed"]},
        status_label=STRING, department_id=INTEGER, department=STRING, due_date=DATE, is_overdue=BOOLEAN,
        item_id=INTEGER, purpose=STRING, tier_id=NULLABLE_INTEGER, supervisor_user_id=NULLABLE_INTEGER,
        reply=NULLABLE_STRING, basis=NULLABLE_STRING, reopen_count=INTEGER, rating=NULLABLE_STRING,
        issued_at=STRING, replied_at=NULLABLE_STRING, closed_at=NULLABLE_STRING,
        pending_extension={"type": "object", "nullable": True}),
    "SlipEnvelope": _object(("slip",), slip=_ref("Slip"),
                            extension=_object(("status",), status={"type": "string"})),
    "SlipList": _object(("slips",), slips={"type": "array", "items": _ref("Slip")}, page=INTEGER,
                        per_page=INTEGER, total=INTEGER),
    "Transfer": _object(("slip",), slip=_ref("Slip"), item=_ref("Item")),
    "Join": _object(("meeting_id", "participant_token"), meeting_id=INTEGER, participant_token=STRING,
                    participant=_object(("id",), id=INTEGER, name=NULLABLE_STRING, is_guest=BOOLEAN)),
    "TierList": _object(("tiers",), tiers={"type": "array", "items": _object(
        ("id", "code", "name", "position", "lead"), id=INTEGER, code=STRING, name=STRING, position=INTEGER,
        lead={"type": "object", "nullable": True}, lead_hint=NULLABLE_STRING, is_active=BOOLEAN)}),
    "DepartmentList": _object(("departments",), departments={"type": "array", "items": _object(
        ("id", "name"), id=INTEGER, name=STRING)}),
    "Channel": _object(("id", "name", "code"), id=INTEGER, name=STRING, code=STRING,
                       invitation=NULLABLE_STRING, reply_promise=NULLABLE_STRING, unit_id=NULLABLE_INTEGER,
                       supervisor_user_id=INTEGER, supervisor=NULLABLE_STRING, is_active=BOOLEAN,
                       is_default=BOOLEAN),
    "ChannelList": _object(("channels",), channels={"type": "array", "items": _ref("Channel")}),
    "ChannelItem": {"allOf": [_ref("Item"), _object(
        ("number", "channel_id"), number=STRING, channel_id=NULLABLE_INTEGER, channel=NULLABLE_STRING)]},
    "ChannelItemList": _object(("items",), items={"type": "array", "items": _ref("ChannelItem")},
                               page=INTEGER, per_page=INTEGER, total=INTEGER),
    "Callback": _object(("id", "slip_id", "called_at", "caller", "summary", "reaction"),
                        id=INTEGER, slip_id=INTEGER, called_at=STRING, caller=STRING, summary=STRING,
                        reaction={"type": "string", "enum": ["understood", "partly", "objection", "unreachable"]},
                        reaction_label=STRING, reaction_note=NULLABLE_STRING, recorded_by=NULLABLE_STRING),
    "CallbackList": _object(("callbacks",), callbacks={"type": "array", "items": _ref("Callback")}),
    "CallbackEnvelope": _object(("callback",), callback=_ref("Callback")),
    "Plan": _object(("meetings", "notes"), meetings={"type": "array", "items": _ref("Meeting")},
                    notes={"type": "array", "items": STRING}),
    "Proposal": _object(("participants", "alternates", "max_participants"),
                        participants={"type": "array", "items": PICK}, alternates={"type": "array", "items": PICK},
                        max_participants=INTEGER),
    "ParticipantList": _object(("participants", "approved", "max_participants"),
                               participants={"type": "array", "items": INVITEE}, approved=BOOLEAN,
                               max_participants=INTEGER),
    "Person": _object(
        ("id", "employee_no", "name", "tier_id", "unit", "gender", "post", "is_active"),
        id=INTEGER, employee_no=STRING, name=STRING, tier_id=NULLABLE_INTEGER, unit=NULLABLE_STRING,
        gender={"type": "string", "enum": ["male", "female"], "nullable": True}, post=NULLABLE_STRING,
        is_active=BOOLEAN, is_focus={"type": "boolean", "description": ONLY_FOR_LEADS},
        focus_reason={"type": "string", "nullable": True, "description": ONLY_FOR_LEADS},
        standing={"type": "string", "enum": ["advanced", "lagging"], "nullable": True,
                  "description": "null = the middle; " + ONLY_FOR_LEADS}),
    "PersonList": _object(("people",), people={"type": "array", "items": _ref("Person")}),
    "Coverage": _object(
        ("active", "covered", "share", "never", "months"), active=INTEGER, covered=INTEGER, share=RATE,
        never={"type": "array", "items": _object(("person_id", "name"), person_id=INTEGER, name=STRING)},
        months={"type": "array", "items": RATE, "minItems": 12, "maxItems": 12,
                "description": "cumulative share at the end of each month"}),
    "OpenAPI": {"type": "object", "required": ["openapi", "paths"]},
    "Stats": _object(("items", "slips", "replied", "replied_on_time", "closed", "overdue", "rated", "satisfied",
                      "reply_rate", "on_time_rate", "closure_rate", "satisfaction_rate"),
                     items=INTEGER, slips=INTEGER, replied=INTEGER, replied_on_time=INTEGER, closed=INTEGER,
                     overdue=INTEGER, rated=INTEGER, satisfied=INTEGER, reply_rate=RATE, on_time_rate=RATE,
                     closure_rate=RATE, satisfaction_rate=RATE),
}


def _describe_errors(document):
    """Every 4xx/5xx response carries the Error shape; every request body that is given is required."""
    error_content = ERROR_RESPONSE["content"]
    for operations in document["paths"].values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("default", ERROR_RESPONSE)
            for code, response in responses.items():
                if str(code)[0] in "45" and "content" not in response:
                    response["content"] = error_content
            body = operation.get("requestBody")
            if body is not None:
                body.setdefault("required", True)


def build_spec(app):
    spec = APISpec(title="Huitan API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[FlaskPlugin()],
                   info={"description": "慧谈 JSON API. Authenticate with `Authorization: Bearer <token>` "
                                        "(flask --app app create-token) or the login cookie."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR_SCHEMA)
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        spec.path(view=view, app=app)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    _describe_errors(document)
    return document


@bp.route("/openapi.json")
def openapi_document():
    """This document.
    ---
    get:
      summary: The OpenAPI 3 description of every /api/v1 endpoint
      security: []
      responses:
        200:
          description: OpenAPI 3.0 document
          content: {application/json: {schema: {$ref: '#/components/schemas/OpenAPI'}}}
    """
    return jsonify(build_spec(current_app))
