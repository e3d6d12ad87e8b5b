"""Public ids such as SEN-GM0772-0042: stable, human-readable and never reused."""

import re

from sqlalchemy import update
from sqlmodel import Session

from register import vocab
from register.registrations.models import PublicIdCounter

_ID = re.compile(r"^(?P<prefix>[A-Z]+-[A-Z0-9]+)-(?P<number>\d+)$")


def prefix_for(kind: str, organisation_code: str) -> str:
    """The id prefix of a kind within an organisation, e.g. ALG-GM0363."""
    return f"{vocab.term('kind', kind)['prefix']}-{organisation_code.upper()}"


def next_public_id(*, session: Session, kind: str, organisation_code: str) -> str:
    """Hand out the next number for this organisation and kind (the counter row serialises writers)."""
    prefix = prefix_for(kind, organisation_code)
    bumped = session.execute(
        update(PublicIdCounter)
        .where(PublicIdCounter.prefix == prefix)
        .values(last=PublicIdCounter.last + 1)
        .returning(PublicIdCounter.last)
        .execution_options(synchronize_session=False)
    ).scalar()
    if bumped is None:
        session.add(PublicIdCounter(prefix=prefix, last=1))
        session.flush()
        bumped = 1
    return f"{prefix}-{bumped:04d}"


def reserve(*, session: Session, public_id: str) -> None:
    """Record an id given from outside (import, seed) so the counter never hands it out again."""
    match = _ID.match(public_id)
    prefix, number = match["prefix"], int(match["number"])
    counter = session.get(PublicIdCounter, prefix)
    if counter is None:
        session.add(PublicIdCounter(prefix=prefix, last=number))
    elif counter.last < number:
        counter.last = number
    session.flush()


def matches(public_id: str, kind: str, organisation_code: str) -> bool:
    """True when a given id has the prefix of this kind and organisation."""
    match = _ID.match(public_id)
    return bool(match) and match["prefix"] == prefix_for(kind, organisation_code)
