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


def build_spec(app):
    spec = APISpec(title="Huitan API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[FlaskPlugin()],
                   info={"description": "慧谈 JSON API. Authenticate with `Authorization: Bearer <token>` "
                                        "(flask --app app create-token) or the login cookie."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR_SCHEMA)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        view = app.view_functions[rule.endpoint]
        spec.path(view=view, app=app)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    for operations in document["paths"].values():
        for method, operation in operations.items():
            if method != "parameters":
                operation.setdefault("responses", {}).setdefault("default", ERROR_RESPONSE)
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
    """
    return jsonify(build_spec(current_app))
