"""A registration's public page: the plain answers first, then every detail, history and related items."""

from flask import abort, render_template

from portal.public import blueprint
from portal.public.fields import field_label
from register.errors import NotFound
from register.registrations import queries
from zichtbaar.web import read_session

HIDDEN_DETAILS = {"en", "provenance", "links", "linked_from", "version", "organisation_name", "first_published_at",
                  "last_published_at", "overdue", "withdrawal_reason", "public_id", "state", "organisation"}


@blueprint.get("/registraties/<public_id>")
def registration(public_id: str):
    """One registration as the public sees it, with its version history and what changed each time."""
    if len(public_id) > 40:
        abort(404)
    session = read_session()
    try:
        data = queries.get_public(session=session, public_id=public_id)
        history = queries.versions(session=session, public_id=public_id)
    except NotFound:
        abort(404)
    changes = {}
    for before, after in zip(history, history[1:], strict=False):
        changes[after["number"]] = [
            field_label(c["field"]) for c in queries.diff(session=session, public_id=public_id,
                                                          before=before["number"], after=after["number"])]
    related = {link["target"]: _title(session, link["target"]) for link in data.get("links", [])}
    related.update({link["source"]: _title(session, link["source"]) for link in data.get("linked_from", [])})
    details = {k: v for k, v in data.items() if k not in HIDDEN_DETAILS and v not in (None, "", [], {})}
    return render_template("public/registration.html", item=data, history=list(reversed(history)), changes=changes,
                           related=related, details=details, field_label=field_label)


def _title(session, public_id: str) -> str:
    try:
        return queries.get_public(session=session, public_id=public_id)["title"]
    except NotFound:
        return public_id
