"""/api/v1/openapi.json, generated with apispec from the endpoints' docstrings."""
from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app, jsonify

from . import bp

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}}}},
}


def build_spec(app):
    spec = APISpec(title="Huitan API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[FlaskPlugin()],
                   info={"description": "慧谈 JSON API. Authenticate with `Authorization: Bearer <token>` "
                                        "(flask --app app create-token) or the login cookie."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR_SCHEMA)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_document":
            continue
        view = app.view_functions[rule.endpoint]
        spec.path(view=view, app=app)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


@bp.route("/openapi.json")
def openapi_document():
    return jsonify(build_spec(current_app))
