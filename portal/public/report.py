"""Report an error or a missing sensor: stored for the organisation's back office, no personal data needed."""

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.public import blueprint
from register.errors import Invalid, NotFound
from register.organisations import service as organisations
from register.registrations import queries
from register.reports import service as reports
from zichtbaar.web import database, read_session

FIELDS = ("kind", "message", "registration", "organisation", "lat", "lon", "contact")


def _subject(values: dict):
    session = read_session()
    if values.get("registration"):
        try:
            return queries.get_public(session=session, public_id=values["registration"][:40])
        except NotFound:
            abort(404)
    if values.get("organisation"):
        try:
            return organisations.get_by_code(session=session, code=values["organisation"][:40])
        except NotFound:
            abort(404)
    return None


@blueprint.route("/melden", methods=["GET", "POST"])
def report():
    """A short form; what is sent reaches the organisation responsible, and nothing is published."""
    source = request.form if request.method == "POST" else request.args
    values = {name: (source.get(name) or "").strip() for name in FIELDS}
    values["kind"] = values["kind"] or ("missing_sensor" if values["lat"] and not values["registration"] else "error")
    subject = _subject(values)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            with database().unit_of_work() as session:
                reports.submit(session=session, data=values, request_id=g.get("request_id"))
            return redirect(url_for("public.report_received"))
        except Invalid as exc:
            errors = {field: [_translate(m) for m in messages] for field, messages in exc.errors.items()}
    return render_template("public/report.html", values=values, subject=subject, errors=errors), (400 if errors else 200)


@blueprint.get("/melden/ontvangen")
def report_received():
    """Thanks, and what happens next."""
    return render_template("public/report_received.html")


def _translate(message: str) -> str:
    known = {
        "Shorter than minimum length 10.": _("Write at least 10 characters."),
        "Not a valid email address.": _("This is not a valid e-mail address."),
        "Must be one of: error, missing_sensor, other.": _("Choose what you want to report."),
        "Say which registration or which organisation the report is about.":
            _("Say which registration or which organisation the report is about."),
        "Give both latitude and longitude, or neither.": _("Give both latitude and longitude, or neither."),
        "Missing data for required field.": _("This field is required."),
        "Not a valid number.": _("Enter a number."),
    }
    return known.get(message, _("This value is not valid."))
