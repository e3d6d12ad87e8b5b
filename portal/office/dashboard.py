"""The dashboard per organisation: what waits for whom, overdue reviews, missing DPIAs, gaps per registration."""

from flask import render_template, request
from flask_login import login_required

from portal.office import blueprint
from portal.office.context import my_organisations, require_organisation
from portal.signin import current_actor
from register.accounts.authz import can
from register.registrations import completeness
from register.registrations.fields import KINDS
from register.reports import service as reports
from zichtbaar.web import read_session

STATE_ORDER = ("draft", "in_review", "published", "withdrawn")


@blueprint.get("/")
@login_required
def dashboard():
    """Drafts, waiting for review, published, overdue reviews, missing DPIAs, completeness."""
    organisation = require_organisation()
    actor = current_actor()
    session = read_session()
    standings = completeness.for_organisation(session=session, organisation_id=organisation.id)
    # A public item with a pending change counts where the change is: it waits for an editor or approver.
    by_state = {state: [s for s in standings if (s.revision_state or s.state) == state] for state in STATE_ORDER}
    shown = request.args.get("toon")
    listed = {
        "overdue": [s for s in standings if s.overdue],
        "no_dpia": [s for s in standings if s.lacks_dpia],
        "incomplete": [s for s in standings if s.missing],
    }
    return render_template(
        "office/dashboard.html", organisation=organisation, organisations=my_organisations(),
        by_state=by_state, listed=listed, standings=standings, shown=shown if shown in listed else None,
        kinds=KINDS, may_edit=can(actor, "edit", organisation.id), may_import=can(actor, "edit", organisation.id),
        open_reports=reports.count_open(session=session, organisation_id=organisation.id),
    )
