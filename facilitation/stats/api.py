"""JSON API: the month's figures, as defined once in stats.queries."""
import re

from flask import jsonify
from flask_babel import gettext as _

from ..accounts.auth import staff_required
from ..api import bp
from ..errors import NotFound
from . import queries

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@bp.route("/stats/<month>")
@staff_required
def month_stats(month):
    """The figures of a month (YYYY-MM), the same everywhere they are shown.
    ---
    get:
      summary: Figures of a month
      parameters:
        - {name: month, in: path, required: true, schema: {type: string, pattern: '^\\d{4}-\\d{2}$'}}
      responses:
        200:
          description: counts and rates (0–1, null when there is nothing to divide by)
          content: {application/json: {schema: {$ref: '#/components/schemas/Stats'}}}
        404:
          description: not a month
    """
    match = MONTH_RE.match(month or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise NotFound(_("月份格式应为 YYYY-MM。"))
    return jsonify(queries.month_figures(int(match.group(1)), int(match.group(2))))
