"""Pages of the annual department assessment: the year's table, and the same as PDF and Excel.
Organizers, viewers (mine leaders), leads and admins read it."""
from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..accounts.auth import roles_required
from ..spreadsheets import xlsx_response
from ..timeutil import local_today
from ..validation import arg_int
from . import documents, services

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
READERS = ("organizer", "viewer", "lead")


@bp.route("/")
@roles_required(*READERS)
def index():
    year = arg_int(request.args, "year", local_today().year, 2000, 2100)
    return redirect(url_for("assessment.annual", year=year))


@bp.route("/<int:year>")
@roles_required(*READERS)
def annual(year):
    return render_template("assessment/annual.html", doc=services.annual_assessment(year),
                           this_year=local_today().year)


@bp.route("/<int:year>.pdf")
@roles_required(*READERS)
def annual_pdf(year):
    from ..pdf import render_pdf
    data = render_pdf("pdf/annual_assessment.html", doc=services.annual_assessment(year))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=department-assessment-{year}.pdf"})


@bp.route("/<int:year>.xlsx")
@roles_required(*READERS)
def annual_xlsx(year):
    return xlsx_response(documents.annual_workbook(services.annual_assessment(year)),
                         f"department-assessment-{year}.xlsx")
