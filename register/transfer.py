"""Export and import of registrations as JSON Lines (docs/registration-format.md)."""

import json
from collections.abc import Iterable, Iterator

from sqlmodel import Session, select

from register.accounts.actor import Actor
from register.accounts.authz import require
from register.audit import service as audit
from register.errors import Conflict, Invalid, NotAuthorised, NotFound
from register.organisations.models import Organisation
from register.registrations import service as registrations
from register.registrations.mapping import prune, stored_ref
from register.registrations.models import PUBLIC_STATES, Registration


def export_lines(*, session: Session, organisation: str | None = None, include_unpublished: bool = False,
                 batch: int = 500) -> Iterator[str]:
    """One JSON line per registration, in public-id order, read in batches to keep memory flat."""
    query = select(Registration).order_by(Registration.id)
    if organisation:
        org = session.exec(select(Organisation).where(Organisation.code == organisation)).first()
        if org is None:
            raise NotFound(f"no organisation with code {organisation!r}")
        query = query.where(Registration.organisation_id == org.id)
    if not include_unpublished:
        query = query.where(Registration.state.in_(PUBLIC_STATES))
    last_id = 0
    while True:
        rows = list(session.exec(query.where(Registration.id > last_id).limit(batch)))
        if not rows:
            return
        for reg in rows:
            yield json.dumps(registrations.current_data(session=session, registration=reg), ensure_ascii=False)
        last_id = rows[-1].id
        session.expunge_all()


def export_organisation(*, session: Session, actor: Actor, organisation: Organisation, fmt: str) -> list[str]:
    """An organisation's own registrations in every state, for its own people; the export is audited."""
    require(actor, "read_internal", organisation.id)
    # Unpublished data leaving the register is recorded like every other change of hands.
    audit.record(session=session, actor=actor, action="registration.export", entity_type="organisation",
                 entity_id=organisation.code, organisation_id=organisation.id, chain=organisation.code,
                 changes={"format": fmt})
    return list(export_lines(session=session, organisation=organisation.code, include_unpublished=True))


def existing_registration(session: Session, data: dict) -> Registration | None:
    """The registration an incoming record updates: by public id, else by its external reference."""
    if data.get("public_id"):
        return session.exec(select(Registration).where(Registration.public_id == data["public_id"])).first()
    ref = (data.get("provenance") or {}).get("ref") if isinstance(data.get("provenance"), dict) else None
    key = stored_ref(data.get("organisation"), ref) if isinstance(data.get("organisation"), str) else None
    if key:
        return session.exec(select(Registration).where(Registration.source_ref == key)).first()
    return None


def import_lines(*, session: Session, actor: Actor, lines: Iterable[str]) -> dict[str, int]:
    """Create or update a draft per line; every problem of every line is reported and nothing is written."""
    errors: dict[str, list[str]] = {}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors[f"line {number}"] = [f"Not valid JSON: {exc.msg} at column {exc.colno}."]
            continue
        try:
            with session.begin_nested():
                existing = existing_registration(session, data) if isinstance(data, dict) else None
                if existing is None:
                    registrations.create(session=session, actor=actor, data=data)
                    counts["created"] += 1
                else:
                    before = registrations.pending_data(session=session, registration=existing)
                    comparable = {**data, "public_id": existing.public_id}
                    if same_content(before, comparable):
                        counts["unchanged"] += 1
                        continue
                    registrations.update(session=session, actor=actor, public_id=existing.public_id, data=data)
                    counts["updated"] += 1
        except Invalid as exc:
            for field, messages in exc.errors.items():
                errors[f"line {number}: {field}"] = messages
        except (Conflict, NotAuthorised, NotFound) as exc:
            errors[f"line {number}"] = [str(exc)]
    if errors:
        raise Invalid(errors)
    return counts


def same_content(current: dict, incoming: dict) -> bool:
    """True when importing a record would change nothing."""
    return prune(current) == prune(incoming)
