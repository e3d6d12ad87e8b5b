"""The Algoritmeregister publicatiestandaard 1.0: an organisation's published algorithms out, its entries in.

Field names are the standard's own (snake_case, Dutch), so they are not camelized, and neither are
the names in invalidParams: "0.status" is entry 0's `status`.
"""

from flask import request
from marshmallow import Schema, fields
from sqlmodel import Session, select

from api import schemas
from api.blueprint import bp, documented, parse_query
from api.conventions import PROBLEM, conditional, json_response
from api.organisation_api import json_body, own_organisation, token_actor
from register.accounts.actor import Actor
from register.errors import Conflict, Invalid
from register.organisations.models import Organisation
from register.organisations.service import get_by_code
from register.registrations import mapping, service
from register.registrations.models import AlgorithmDetails, Registration
from register.sources import publicatiestandaard as standard
from register.sources.text import html_to_text, trim
from zichtbaar.web import database, read_session

TAGS = ["Publicatiestandaard"]
SOURCE = "Algoritmeregister publicatiestandaard 1.0 (aangeleverd door de organisatie)"
MAX_ENTRIES = 500
# Where the register's error paths come from in an entry (for errors the services find after mapping).
STANDARD_PATHS = {
    "title": "name", "summary": "description_short", "description": "methods_and_models", "purpose": "goal",
    "themes": "category", "legal_basis": "lawful_basis_grouping", "lifecycle": "status", "start_date": "begin_date",
    "end_date": "end_date", "contact": "contact_email", "provenance.url": "url", "dpia": "impacttoetsen_grouping",
    "assessments": "impacttoetsen_grouping", "algorithm.publication_category": "publication_category",
    "algorithm.human_intervention": "human_intervention", "algorithm.proportionality": "proportionality",
    "algorithm.risks": "risks", "algorithm.inputs": "source_data_grouping", "algorithm.supplier": "provider",
    "algorithm.source_code_url": "publiccode", "algorithm.processing_register_url": "process_index_url",
    "algorithm.lars": "lars",
}
SUBFIELDS = {"url": "link", "name": "title"}


class EntryErrors(Exception):
    """Problems with entries, named "<index>.<standard field>"."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} problems")


def _order(name: str):
    index, _, rest = name.partition(".")
    return (int(index), rest) if index.isdigit() else (-1, name)


@bp.errorhandler(EntryErrors)
def _entry_errors(exc: EntryErrors):
    doc = {"type": "https://zichtbaar.nl/problems/400", "title": "Invalid input", "status": 400,
           "detail": "One or more entries do not meet the publicatiestandaard 1.0; nothing was imported.",
           "instance": request.path,
           "invalidParams": [{"name": name, "code": "invalid", "reason": " ".join(reasons)}
                             for name, reasons in sorted(exc.errors.items(), key=lambda kv: _order(kv[0]))]}
    return json_response(doc, status=400, content_type=PROBLEM)


def _standard_path(path: str) -> str:
    for prefix in sorted(STANDARD_PATHS, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "."):
            rest = [SUBFIELDS.get(p, p) for p in path[len(prefix) + 1:].split(".") if p]
            return ".".join([STANDARD_PATHS[prefix], *rest])
    return path


StandardEntry = Schema.from_dict(
    {name: fields.Raw(allow_none=True, metadata={"description": spec.get("help_text") or spec.get("title", "")})
     for name, spec in standard.standard_properties().items()},
    name="StandardEntry",
)


class ImportItem(schemas.CamelSchema):
    index = fields.Integer()
    public_id = fields.String()
    action = fields.String(metadata={"description": "created, updated or unchanged"})


class ImportResult(schemas.CamelSchema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    items = fields.List(fields.Nested(ImportItem))


def _published_algorithms(session: Session, org: Organisation) -> list[Registration]:
    return list(session.exec(select(Registration).where(
        Registration.organisation_id == org.id, Registration.kind == "algorithm", Registration.state == "published",
    ).order_by(Registration.public_id)))


@bp.get("/organisations/<code>/publicatiestandaard")
@documented(summary="The organisation's published algorithms in the publicatiestandaard 1.0", tags=TAGS,
            query=schemas.NoQuery, response=StandardEntry(many=True),
            description="Plain text (no HTML), every property of the standard present (null when the register "
                        "has nothing for it). `source_id` is the register's public id.")
def export_standard(code: str):
    parse_query(schemas.NoQuery)
    session = read_session()
    org = get_by_code(session=session, code=code)
    registrations = _published_algorithms(session, org)
    entries = []
    for registration in registrations:
        data = service.current_data(session=session, registration=registration)
        data["last_published_at"] = mapping.plain(registration.last_published_at)
        entries.append(standard.to_standard(data, org.name))
    changed = max((r.updated_at for r in registrations), default=None)
    return conditional(json_response(entries), changed)


def _reference(org: Organisation, entry: dict) -> str:
    """The provenance ref of an entry, unique within the organisation (re-importing it updates it)."""
    lars = str(entry.get("lars") or "").strip()
    key = f"lars:{lars}" if lars else "name:" + trim(html_to_text(entry.get("name")), 100).casefold()
    return f"{standard.REF_PREFIX}{org.code}:{key}"[:120]


def _match(session: Session, org: Organisation, entry: dict, ref: str) -> Registration | None:
    """The organisation's algorithm this entry is about: by source_id (our public id), ref, or lars."""
    mine = select(Registration).where(Registration.organisation_id == org.id, Registration.kind == "algorithm")
    source_id = str(entry.get("source_id") or "").strip()
    if source_id:
        found = session.exec(mine.where(Registration.public_id == source_id)).first()
        if found:
            return found
    found = session.exec(mine.where(Registration.source_ref == mapping.stored_ref(org.code, ref))).first()
    lars = str(entry.get("lars") or "").strip()
    if found is None and lars:
        found = session.exec(mine.join(AlgorithmDetails, AlgorithmDetails.registration_id == Registration.id)
                             .where(AlgorithmDetails.lars == lars).order_by(Registration.id)).first()
    return found


def _import(session: Session, actor: Actor, org: Organisation, entry: dict) -> tuple[str, str]:
    incoming = standard.from_standard(entry, organisation=org.code, source=SOURCE)
    ref = _reference(org, entry)
    incoming["provenance"]["ref"] = ref
    existing = _match(session, org, entry, ref)
    if existing is None:
        saved = service.create(session=session, actor=actor, data=incoming)
        return "created", saved.registration.public_id
    current = service.pending_data(session=session, registration=existing)
    merged = standard.merge_standard(current, entry, incoming, org.name)
    if merged is None:
        return "unchanged", existing.public_id
    service.update(session=session, actor=actor, public_id=existing.public_id, data=merged)
    return "updated", existing.public_id


@bp.post("/organisations/<code>/publicatiestandaard")
@documented(summary="Import publicatiestandaard 1.0 entries as drafts or revisions", tags=TAGS, auth=True,
            body=StandardEntry(many=True), response=ImportResult, statuses=(409,), success=200,
            description="All or nothing: every entry is checked first and every problem is named as "
                        "\"<index>.<field>\". An entry about an algorithm the organisation has already (its "
                        "source_id is our public id, or the same lars or name) updates it: a published one gets "
                        "a pending revision. What the standard cannot say (GDPR ground, DPIA status, ...) stays.")
def import_standard(code: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        org = own_organisation(session, actor, code, "edit")
        body = json_body()
        if not isinstance(body, list):
            raise Invalid({"body": ["Send a JSON array of publicatiestandaard 1.0 entries."]})
        if len(body) > MAX_ENTRIES:
            raise Invalid({"body": [f"Send at most {MAX_ENTRIES} entries at a time."]})
        errors = {f"{i}.{field}": messages for i, entry in enumerate(body)
                  for field, messages in standard.validate_standard(entry).items()}
        if errors:
            raise EntryErrors(errors)
        results = []
        for i, entry in enumerate(body):
            try:
                action, public_id = _import(session, actor, org, entry)
            except Invalid as exc:  # what the register needs beyond the standard; nothing is written
                errors.update({f"{i}.{_standard_path(path)}": messages for path, messages in exc.errors.items()})
                continue
            except Conflict as exc:
                raise Conflict(f"entry {i}: {exc}") from None
            results.append({"index": i, "public_id": public_id, "action": action})
        if errors:
            raise EntryErrors(errors)  # rolls back the entries that did go in
    counts = {action: sum(1 for r in results if r["action"] == action) for action in ("created", "updated", "unchanged")}
    return json_response({**counts, "items": [{"index": r["index"], "publicId": r["public_id"], "action": r["action"]}
                                              for r in results]})

