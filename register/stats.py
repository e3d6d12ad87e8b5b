"""Counts for the status page and health check."""

from sqlalchemy import func, text
from sqlmodel import Session, select

from register.organisations.models import Organisation
from register.registrations.models import Registration


def ping(*, session: Session) -> None:
    """Raise when the database does not answer."""
    session.execute(text("SELECT 1"))


def counts(*, session: Session) -> dict:
    """Registrations per kind and state, and the number of organisations."""
    rows = session.exec(select(Registration.kind, Registration.state, func.count()).group_by(
        Registration.kind, Registration.state))
    table: dict[str, dict[str, int]] = {}
    for kind, state, n in rows:
        table.setdefault(kind, {})[state] = n
    return {"organisations": session.exec(select(func.count(Organisation.id))).one(), "registrations": table}


def public_counts(*, session: Session) -> dict[str, int]:
    """How many published registrations there are per kind."""
    rows = session.exec(select(Registration.kind, func.count()).where(Registration.state == "published")
                        .group_by(Registration.kind))
    return {kind: n for kind, n in rows}
