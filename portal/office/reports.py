"""Citizens' reports from the public portal, answered or closed in the back office."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlmodel import select

from portal.office import blueprint
from portal.office.context import require_organisation
from portal.signin import current_actor
from register.accounts.authz import can
from register.errors import Conflict, Invalid, NotAuthorised, NotFound
from register.registrations.models import Registration
from register.reports import service as reports
from register.reports.models import REPORT_STATES
from zichtbaar.web import database, read_session

REPORT_KIND_LABELS = {"error": _l("Error in a registration"), "missing_sensor": _l("Missing sensor"),
                      "other": _l("Other")}
REPORT_STATE_LABELS = {"open": _l("Open"), "answered": _l("Answered"), "closed": _l("Closed")}
MESSAGES = {"Write the answer.": _l("Write the answer.")}


@blueprint.context_processor
def _report_labels():
    return {"report_kind_label": lambda kind: str(REPORT_KIND_LABELS.get(kind, kind)),
            "report_state_label": lambda state: str(REPORT_STATE_LABELS.get(state, state))}


@blueprint.get("/meldingen")
@login_required
def reports_inbox():
    """The active organisation's reports, open ones first by default."""
    organisation = require_organisation()
    state = request.args.get("status", "open")
    state = state if state in REPORT_STATES or state == "all" else "open"
    try:
        found = reports.list_for(session=read_session(), actor=current_actor(), organisation_id=organisation.id,
                                 state=None if state == "all" else state)
    except NotAuthorised:
        abort(403)
    return render_template("office/report_list.html", organisation=organisation, reports=found, state=state,
                           states=REPORT_STATES, subjects=_subjects(found))


def _subjects(found) -> dict[int, Registration]:
    ids = {r.registration_id for r in found if r.registration_id}
    if not ids:
        return {}
    return {reg.id: reg for reg in read_session().exec(select(Registration).where(Registration.id.in_(ids)))}


def _render(report, errors=None, status=200):
    subject = read_session().get(Registration, report.registration_id) if report.registration_id else None
    return render_template("office/report_detail.html", report=report, subject=subject, errors=errors or {},
                           may_handle=can(current_actor(), "edit", report.organisation_id)), status


@blueprint.get("/meldingen/<int:report_id>")
@login_required
def report(report_id: int):
    """One report with the form to answer or close it."""
    try:
        found = reports.get(session=read_session(), actor=current_actor(), report_id=report_id)
    except NotFound:
        abort(404)
    except NotAuthorised:
        abort(403)
    return _render(found)


@blueprint.post("/meldingen/<int:report_id>")
@login_required
def report_handle(report_id: int):
    """Answer a report or close it."""
    data = {"state": request.form.get("state", ""), "answer": request.form.get("answer", "")}
    try:
        with database().unit_of_work() as session:
            reports.handle(session=session, actor=current_actor(), report_id=report_id, data=data)
    except NotFound:
        abort(404)
    except NotAuthorised:
        abort(403)
    except Invalid as exc:
        found = reports.get(session=read_session(), actor=current_actor(), report_id=report_id)
        errors = {k: [str(MESSAGES.get(m, m)) for m in v] for k, v in exc.errors.items()}
        return _render(found, errors=errors, status=400)
    except Conflict:
        flash(_("This report is closed already."), "error")
        return redirect(url_for("office.report", report_id=report_id))
    flash(_("The report is answered.") if data["state"] == "answered" else _("The report is closed."), "success")
    return redirect(url_for("office.reports_inbox"))
