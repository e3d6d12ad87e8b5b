"""A sign of life until the portal lands: /health (JSON) and a page with counts per kind and state."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy.exc import SQLAlchemyError

from register import stats
from register.vocab import label, vocabularies
from zichtbaar.web import read_session

blueprint = Blueprint("status", __name__, template_folder="templates")


@blueprint.get("/health")
def health():
    """Liveness plus a database round trip; 503 when the database does not answer."""
    try:
        stats.ping(session=read_session())
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@blueprint.get("/status")
def overview():
    """Counts of registrations per kind and per state."""
    counts = stats.counts(session=read_session())
    states = [t["code"] for t in vocabularies()["state"]["terms"]]
    return render_template("status.html", counts=counts, states=states, label=label)
