"""The only way registrations change: create, update, submit, publish, withdraw, archive.

Every function validates, authorises the actor against the organisation, writes its audit entry in
the caller's transaction and flushes; the caller's unit of work commits once or rolls back whole.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, delete, select

from register import audit
from register.accounts.actor import Actor
from register.accounts.authz import require
from register.clock import now
from register.errors import Conflict, Invalid, NotFound
from register.geo.geometry import CARIBBEAN_NL, check_geometry, describe
from register.geo.service import organisation_covers
from register.organisations.models import Organisation
from register.organisations.service import areas_of
from register.registrations import mapping, public_ids
from register.registrations.models import PUBLIC_STATES, Registration, RegistrationLink, RegistrationVersion
from register.registrations.validation import validate_registration


@dataclass
class Saved:
    """A registration as saved, with warnings that do not stop the save (e.g. outside own area)."""

    registration: Registration
    warnings: list[str] = field(default_factory=list)


def _organisation(session: Session, code) -> Organisation | None:
    if not isinstance(code, str):
        return None
    return session.exec(select(Organisation).where(Organisation.code == code)).first()


def _check(session: Session, data, current_public_id: str | None = None) -> tuple[dict, Organisation, list[str]]:
    """Validate input completely: schema, organisation, geometry; every error at once."""
    errors: dict[str, list[str]] = {}
    try:
        clean = validate_registration(data)
    except Invalid as exc:
        errors.update(exc.errors)
        clean = None
    raw = data if isinstance(data, dict) else {}
    org = _organisation(session, raw.get("organisation"))
    if org is None and "organisation" not in errors:
        errors["organisation"] = [f"No organisation with code {raw.get('organisation')!r}."]
    warnings: list[str] = []
    location = (raw.get("sensor") or {}).get("location") if isinstance(raw.get("sensor"), dict) else None
    if location is not None and "sensor.location" not in errors:
        caribbean = org is not None and any(a.min_lat < CARIBBEAN_NL[3] and a.max_lat > CARIBBEAN_NL[1]
                                            for a in areas_of(session=session, organisation_id=org.id))
        problems = check_geometry(location, allow_caribbean=caribbean)
        if problems:
            errors["sensor.location"] = problems
        elif org is not None:
            point = describe(location)
            if not organisation_covers(session=session, organisation_id=org.id, lat=point["lat"], lon=point["lon"]):
                warnings.append(f"The location lies outside the area of {org.name}.")
    ref = mapping.stored_ref(org.code if org else None, ((clean or {}).get("provenance") or {}).get("ref"))
    holder = session.exec(select(Registration.public_id).where(Registration.source_ref == ref)).first() if ref else None
    if holder and holder != raw.get("public_id") and holder != current_public_id:
        errors["provenance.ref"] = [f"{holder} of this organisation has this reference already."]
    public_id = raw.get("public_id")
    if clean and org and public_id and not public_ids.matches(public_id, clean["kind"], org.code):
        errors["public_id"] = [f"Must start with {public_ids.prefix_for(clean['kind'], org.code)}-."]
    if errors:
        raise Invalid(errors)
    return clean, org, warnings


def _details(session: Session, registration: Registration):
    return session.get(mapping.DETAIL_MODELS[registration.kind], registration.id)


def _links(session: Session, registration: Registration) -> list[RegistrationLink]:
    return list(session.exec(
        select(RegistrationLink).where(RegistrationLink.source_id == registration.id).order_by(RegistrationLink.id)
    ))


def current_data(*, session: Session, registration: Registration) -> dict:
    """The exchange-format data of a registration's columns (its public content once published)."""
    org_code = session.get(Organisation, registration.organisation_id).code
    return mapping.to_data(registration, _details(session, registration), _links(session, registration), org_code)


def _apply(session: Session, registration: Registration, data: dict) -> None:
    details = _details(session, registration)
    if details is None:
        details = mapping.DETAIL_MODELS[registration.kind](registration_id=registration.id)
    mapping.apply(registration, details, data)
    session.add(details)
    session.exec(delete(RegistrationLink).where(RegistrationLink.source_id == registration.id))
    seen = set()
    for link in data.get("links") or []:
        key = (link["target"], link["relation"])
        if key not in seen and link["target"] != registration.public_id:
            seen.add(key)
            session.add(RegistrationLink(source_id=registration.id, target_public_id=link["target"],
                                         relation=link["relation"]))


def get_for_update(*, session: Session, public_id: str) -> Registration:
    """A registration by public id, or NotFound."""
    found = session.exec(select(Registration).where(Registration.public_id == public_id)).first()
    if found is None:
        raise NotFound(f"no registration {public_id!r}")
    return found


def create(*, session: Session, actor: Actor, data: dict) -> Saved:
    """Create a draft registration (with the next public id unless the import gives one)."""
    clean, org, warnings = _check(session, data)
    require(actor, "edit", org.id)
    if clean.get("public_id"):
        if session.exec(select(Registration.id).where(Registration.public_id == clean["public_id"])).first():
            raise Conflict(f"registration {clean['public_id']} exists already")
        public_ids.reserve(session=session, public_id=clean["public_id"])
        public_id = clean["public_id"]
    else:
        public_id = public_ids.next_public_id(session=session, kind=clean["kind"], organisation_code=org.code)
    stamp = now()
    registration = Registration(
        public_id=public_id, kind=clean["kind"], organisation_id=org.id, state="draft",
        last_editor_id=actor.person, last_editor_label=actor.label, created_at=stamp, updated_at=stamp,
        title="", summary="", purpose="", gdpr_ground="", personal_data="", lifecycle="", contact="",
    )
    session.add(registration)
    session.flush()
    _apply(session, registration, clean)
    session.flush()
    audit.record(
        session=session, actor=actor, action="registration.create", entity_type=registration.kind,
        entity_id=public_id, organisation_id=org.id, chain=org.code,
        changes={"after": current_data(session=session, registration=registration)},
    )
    return Saved(registration, warnings)


def update(*, session: Session, actor: Actor, public_id: str, data: dict) -> Saved:
    """Change a registration; for a public one the change waits as a revision until published."""
    registration = get_for_update(session=session, public_id=public_id)
    org = session.get(Organisation, registration.organisation_id)
    require(actor, "edit", org.id)
    if isinstance(data, dict):
        data = {**data, "kind": data.get("kind", registration.kind), "organisation": data.get("organisation", org.code)}
    clean, new_org, warnings = _check(session, data, current_public_id=public_id)
    errors = {}
    if clean["kind"] != registration.kind:
        errors["kind"] = ["The kind of a registration cannot change."]
    if new_org.id != org.id:
        errors["organisation"] = ["A registration cannot move to another organisation."]
    if clean.get("public_id") not in (None, public_id):
        errors["public_id"] = ["The public id cannot change."]
    if errors:
        raise Invalid(errors)
    if registration.state == "archived":
        raise Conflict("an archived registration cannot be changed")
    before = pending_data(session=session, registration=registration)
    clean.pop("public_id", None)
    unchanged = not mapping.diff(before, mapping.prune({"public_id": public_id, **mapping.plain(clean)}))
    if unchanged:
        # A save that changes nothing leaves the item (and who edited it last, for four-eyes) alone.
        return Saved(registration, warnings)
    if registration.state in PUBLIC_STATES:
        registration.revision = mapping.plain(clean)
        registration.revision_state = "draft"
    else:
        _apply(session, registration, clean)
        registration.state = "draft"
    registration.last_editor_id, registration.last_editor_label = actor.person, actor.label
    registration.updated_at = now()
    session.add(registration)
    session.flush()
    after = pending_data(session=session, registration=registration)
    audit.record(
        session=session, actor=actor, action="registration.update", entity_type=registration.kind,
        entity_id=public_id, organisation_id=org.id, chain=org.code,
        changes={"fields": mapping.diff(before, after), "revision": registration.state in PUBLIC_STATES},
    )
    return Saved(registration, warnings)


def pending_data(*, session: Session, registration: Registration) -> dict:
    """What the next publication would show: the revision if there is one, else the columns."""
    if registration.revision is not None:
        org_code = session.get(Organisation, registration.organisation_id).code
        return mapping.prune({"public_id": registration.public_id, "organisation": org_code, **registration.revision})
    return current_data(session=session, registration=registration)




def _transition(session, actor, public_id, permission) -> tuple[Registration, Organisation]:
    registration = get_for_update(session=session, public_id=public_id)
    org = session.get(Organisation, registration.organisation_id)
    require(actor, permission, org.id)
    return registration, org


def _move_review(registration: Registration, source: str, target: str) -> bool:
    """Move the item, or else its pending revision, from one review state to the other."""
    if registration.state == source:
        registration.state = target
    elif registration.revision_state == source:
        registration.revision_state = target
    else:
        return False
    return True


def _sync_public(session: Session, registration: Registration) -> None:
    """Keep a sensor's map flag equal to 'published and public' after every state change."""
    if registration.kind == "sensor":
        details = _details(session, registration)
        details.public = registration.state == "published" and registration.openness == "public"
        session.add(details)


def _audit(session, actor, registration, org, action, changes=None):
    audit.record(session=session, actor=actor, action=f"registration.{action}", entity_type=registration.kind,
                 entity_id=registration.public_id, organisation_id=org.id, chain=org.code, changes=changes or {})


def submit(*, session: Session, actor: Actor, public_id: str) -> Registration:
    """Send a draft (or a public item's revision) for review."""
    registration, org = _transition(session, actor, public_id, "submit")
    if not _move_review(registration, "draft", "in_review"):
        raise Conflict(f"only a draft can be submitted; {public_id} is {registration.state}")
    registration.updated_at = now()
    session.add(registration)
    _audit(session, actor, registration, org, "submit")
    session.flush()
    return registration


def return_to_draft(*, session: Session, actor: Actor, public_id: str, reason: str) -> Registration:
    """An approver sends an item in review back to its editors, saying why."""
    registration, org = _transition(session, actor, public_id, "publish")
    if not (reason or "").strip():
        raise Invalid({"reason": ["Say what needs to change."]})
    if not _move_review(registration, "in_review", "draft"):
        raise Conflict(f"{public_id} is not in review")
    session.add(registration)
    _audit(session, actor, registration, org, "return", {"reason": reason.strip()})
    session.flush()
    return registration


def _check_four_eyes(actor: Actor, registration: Registration, org: Organisation) -> None:
    # The same person, whether signed in or through a token they made, may not approve their own edit.
    same_person = registration.last_editor_id is not None and registration.last_editor_id == actor.person
    if org.four_eyes and not actor.is_system and (same_person or registration.last_editor_label == actor.label):
        raise Conflict("four-eyes: the approver must be someone other than the last editor")


def _version(session, actor, registration, org, state, note) -> RegistrationVersion:
    stamp = now()
    registration.version_count += 1
    snapshot = current_data(session=session, registration=registration)
    snapshot.update(state=state, version=registration.version_count, organisation_name=org.name)
    if state == "withdrawn":
        snapshot["withdrawal_reason"] = registration.withdrawal_reason
    version = RegistrationVersion(
        registration_id=registration.id, number=registration.version_count, state=state,
        snapshot=snapshot, change_note=note, created_at=stamp, created_by_id=actor.user_id,
    )
    session.add(version)
    return version


def publish(*, session: Session, actor: Actor, public_id: str, change_note: str) -> RegistrationVersion:
    """Approve an item in review and publish it as a new immutable version with a public change note."""
    registration, org = _transition(session, actor, public_id, "publish")
    if not (change_note or "").strip():
        raise Invalid({"change_note": ["Say publicly what is new or what changed."]})
    if registration.state != "in_review" and registration.revision_state != "in_review":
        raise Conflict(f"only an item in review can be published; {public_id} is {registration.state}")
    _check_four_eyes(actor, registration, org)
    if registration.revision_state == "in_review":
        _apply(session, registration, validate_registration(registration.revision))
        registration.withdrawal_reason = None
    session.flush()
    before = registration.version_count
    registration.state, registration.revision, registration.revision_state = "published", None, None
    stamp = now()
    registration.first_published_at = registration.first_published_at or stamp
    registration.last_published_at = registration.updated_at = stamp
    _sync_public(session, registration)
    version = _version(session, actor, registration, org, "published", change_note.strip())
    session.add(registration)
    _audit(session, actor, registration, org, "publish", {"version": version.number, "previous": before,
                                                         "change_note": version.change_note})
    session.flush()
    return version


def withdraw(*, session: Session, actor: Actor, public_id: str, reason: str) -> RegistrationVersion:
    """Withdraw a published item with a public reason; it stays visible, marked withdrawn."""
    registration, org = _transition(session, actor, public_id, "withdraw")
    if not (reason or "").strip():
        raise Invalid({"reason": ["Give the public reason for withdrawing."]})
    if registration.state != "published":
        raise Conflict(f"only a published item can be withdrawn; {public_id} is {registration.state}")
    registration.state, registration.withdrawal_reason = "withdrawn", reason.strip()
    registration.updated_at = now()
    _sync_public(session, registration)
    version = _version(session, actor, registration, org, "withdrawn", reason.strip())
    session.add(registration)
    _audit(session, actor, registration, org, "withdraw", {"version": version.number, "reason": reason.strip()})
    session.flush()
    return version


def archive(*, session: Session, actor: Actor, public_id: str, reason: str = "") -> Registration:
    """Archive an item; one that was ever public keeps its versions and gets a last, archived one."""
    registration, org = _transition(session, actor, public_id, "archive")
    if registration.state == "archived":
        raise Conflict(f"{public_id} is archived already")
    was_public = registration.state in PUBLIC_STATES
    if was_public:
        # Taking a public item off the lists weighs as much as withdrawing it: an approver, with a reason.
        require(actor, "withdraw", org.id)
        if not (reason or "").strip():
            raise Invalid({"reason": ["Give the public reason for archiving a public item."]})
    registration.state, registration.revision, registration.revision_state = "archived", None, None
    registration.updated_at = now()
    _sync_public(session, registration)
    if was_public:
        _version(session, actor, registration, org, "archived", (reason or "").strip() or "Gearchiveerd.")
    session.add(registration)
    _audit(session, actor, registration, org, "archive", {"reason": (reason or "").strip()})
    session.flush()
    return registration
