"""The organisation API: an organisation's systems keep its registrations current with a bearer token.

Every route goes through the same register services as the portal (validation, authorisation,
four-eyes, audit); each request is one unit of work, so a change and its audit entry commit together
or not at all. Drafts are visible here only, to the organisation's own tokens.
"""

from flask import g, request, url_for
from marshmallow import RAISE, ValidationError, fields, validate
from sqlalchemy import func
from sqlmodel import Session, select

from api import schemas
from api.blueprint import bp, documented, parse_query
from api.conventions import camelize, decamelize, json_response, paged, problem
from register.accounts import tokens
from register.accounts.actor import Actor
from register.accounts.authz import require
from register.errors import Invalid, flatten_errors
from register.organisations.models import Organisation
from register.organisations.service import get_by_code
from register.registrations import mapping, service
from register.registrations.models import Registration
from register.registrations.validation import RegistrationInput
from register.vocab import codes
from zichtbaar.web import database

TAGS = ["Organisation API"]


class Unauthenticated(Exception):
    """No bearer token, or one that is unknown or revoked."""


@bp.errorhandler(Unauthenticated)
def _unauthenticated(exc: Unauthenticated):
    return problem(401, "Unauthorized", str(exc) or "Send a valid API token: Authorization: Bearer zb_…",
                   headers={"WWW-Authenticate": 'Bearer realm="zichtbaar"'})


def bearer_secret() -> str | None:
    """The token in the Authorization header, if it is a bearer token."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def token_actor(session: Session) -> Actor:
    """The token's Actor for this request (tied to its request id), or a 401."""
    secret = bearer_secret()
    if secret is None:
        raise Unauthenticated("Send an API token: Authorization: Bearer zb_…")
    actor = tokens.authenticate(session=session, secret=secret, request_id=g.get("request_id"))
    if actor is None:
        raise Unauthenticated("The API token is unknown or revoked.")
    return actor


def own_organisation(session: Session, actor: Actor, code: str, action: str) -> Organisation:
    """The organisation in the path, when the token belongs to it and its role allows the action."""
    org = get_by_code(session=session, code=code)
    require(actor, action, org.id)
    return org


def own_registration(session: Session, actor: Actor, public_id: str, action: str) -> Registration:
    """A registration of the token's organisation, when the token's role allows the action."""
    registration = service.get_for_update(session=session, public_id=public_id)
    require(actor, action, registration.organisation_id)
    return registration


def json_body(*, required: bool = True):
    """The request's JSON body; a 400 when it is not JSON (an absent body is {} when optional)."""
    if not required and not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise Invalid({"body": ["Send a JSON body (Content-Type: application/json)."]})
    return body


def load_body(schema_cls, *, required: bool = True) -> dict:
    """A small camelCase body checked with its schema; every error at once."""
    body = json_body(required=required)
    if not isinstance(body, dict):
        raise Invalid({"body": ["Send a JSON object."]})
    try:
        return schema_cls().load(body)
    except ValidationError as exc:
        raise Invalid(flatten_errors(exc.messages)) from None


def registration_body(code: str | None = None) -> dict:
    """A camelCase registration body as the register's exchange data (snake_case)."""
    body = json_body()
    if not isinstance(body, dict):
        raise Invalid({"body": ["Send the registration as a JSON object."]})
    data = decamelize(body)
    errors = {}
    if code is not None:
        if data.get("organisation") not in (None, code):
            errors["organisation"] = ["The path names the organisation; leave this out."]
        if "public_id" in data:
            errors["public_id"] = ["The register gives the public id; leave this out."]
        data["organisation"] = code
    if errors:
        raise Invalid(errors)
    return data


def own_view(session: Session, registration: Registration, warnings: list[str] | None = None) -> dict:
    """What the organisation sees of its own item: the pending content plus its workflow state."""
    data = service.pending_data(session=session, registration=registration)
    data.update(state=registration.state, revision_state=registration.revision_state,
                version=registration.version_count, last_editor=registration.last_editor_label,
                updated_at=mapping.plain(registration.updated_at))
    if warnings:
        data["warnings"] = warnings
    return mapping.prune(data)


# ---- documentation of bodies and responses ----


class ChangeNote(schemas.CamelSchema):
    """The public note that goes with a publication."""

    class Meta:
        unknown = RAISE

    change_note = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                                metadata={"description": "Public: what is new or what changed."})


class Reason(schemas.CamelSchema):
    """The public reason for withdrawing."""

    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ArchiveReason(schemas.CamelSchema):
    """An optional reason for archiving."""

    class Meta:
        unknown = RAISE

    reason = fields.String(validate=validate.Length(max=2000))


_Input = schemas.camel_variant(RegistrationInput)


class OwnRegistration(_Input):
    """An organisation's own registration in any state (the pending revision of a public one)."""

    state = fields.String()
    revision_state = fields.String(allow_none=True)
    version = fields.Integer()
    last_editor = fields.String(metadata={"description": "An e-mail address or token:<prefix>"})
    updated_at = fields.String(metadata={"format": "date-time"})
    warnings = fields.List(fields.String())


class OwnList(schemas.CamelSchema):
    items = fields.List(fields.Nested(OwnRegistration))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class OwnListQuery(schemas.CamelSchema):
    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    state = fields.String(validate=validate.OneOf(sorted(codes("state"))))
    kind = fields.String(validate=validate.OneOf(sorted(codes("kind"))))


class Published(schemas.CamelSchema):
    public_id = fields.String()
    state = fields.String()
    version = fields.Integer()
    change_note = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})


def _version_response(registration: Registration, version, status: int = 201):
    body = {"public_id": registration.public_id, "state": registration.state, "version": version.number,
            "change_note": version.change_note, "created_at": mapping.plain(version.created_at)}
    response = json_response(camelize(body), status=status)
    response.headers["Location"] = url_for("api.get_version", public_id=registration.public_id,
                                           number=version.number)
    return response


# ---- routes ----


@bp.post("/organisations/<code>/registrations")
@documented(summary="Create a draft registration", tags=TAGS, auth=True, body=_Input, response=OwnRegistration,
            statuses=(409,),
            description="The body is a registration in the exchange format (camelCase) without `organisation` "
                        "or `publicId`: the path names the organisation, the register gives the id. The draft "
                        "is visible only to the organisation until it is published.")
def create_registration(code: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        own_organisation(session, actor, code, "edit")
        saved = service.create(session=session, actor=actor, data=registration_body(code))
        body = own_view(session, saved.registration, saved.warnings)
    response = json_response(camelize(body), status=201)
    response.headers["Location"] = url_for("api.get_registration", public_id=body["public_id"])
    return response


@bp.get("/organisations/<code>/registrations")
@documented(summary="The organisation's own registrations in every state", tags=TAGS, auth=True,
            query=OwnListQuery, response=OwnList,
            description="Drafts, items in review, published, withdrawn and archived items of the token's "
                        "organisation, with pending revisions shown as they would be published.")
def list_own_registrations(code: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        org = own_organisation(session, actor, code, "read_internal")
        args = parse_query(OwnListQuery)
        query = select(Registration).where(Registration.organisation_id == org.id)
        if args.get("state"):
            query = query.where(Registration.state == args["state"])
        if args.get("kind"):
            query = query.where(Registration.kind == args["kind"])
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(Registration.updated_at.desc(), Registration.id.desc())
                            .offset((args["page"] - 1) * args["page_size"]).limit(args["page_size"]))
        items = [own_view(session, r) for r in rows]
    response = paged(camelize(items), total, args["page"], args["page_size"])
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.put("/registrations/<public_id>")
@documented(summary="Change a registration (a public one gets a pending revision)", tags=TAGS, auth=True,
            body=_Input, response=OwnRegistration, statuses=(409,),
            description="The whole registration, as for creating it. A draft is changed in place; a published "
                        "or withdrawn item keeps its public text until the revision is submitted and published.")
def update_registration(public_id: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        own_registration(session, actor, public_id, "edit")
        saved = service.update(session=session, actor=actor, public_id=public_id, data=registration_body())
        body = own_view(session, saved.registration, saved.warnings)
    return json_response(camelize(body))


@bp.post("/registrations/<public_id>/submit")
@documented(summary="Send a draft (or a pending revision) for review", tags=TAGS, auth=True,
            response=OwnRegistration, statuses=(409,), success=200)
def submit_registration(public_id: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        own_registration(session, actor, public_id, "submit")
        registration = service.submit(session=session, actor=actor, public_id=public_id)
        body = own_view(session, registration)
    return json_response(camelize(body))


@bp.post("/registrations/<public_id>/publish")
@documented(summary="Approve and publish an item in review (four-eyes)", tags=TAGS, auth=True, body=ChangeNote,
            response=Published, statuses=(409,),
            description="Needs an approver token other than the one (or the person) that made the last edit: "
                        "the same token gets 409. Answers with the new version and its Location.")
def publish_registration(public_id: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        own_registration(session, actor, public_id, "publish")
        note = load_body(ChangeNote)["change_note"]
        version = service.publish(session=session, actor=actor, public_id=public_id, change_note=note)
        registration = service.get_for_update(session=session, public_id=public_id)
    return _version_response(registration, version)


@bp.post("/registrations/<public_id>/withdraw")
@documented(summary="Withdraw a published item with a public reason", tags=TAGS, auth=True, body=Reason,
            response=Published, statuses=(409,))
def withdraw_registration(public_id: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        own_registration(session, actor, public_id, "withdraw")
        reason = load_body(Reason)["reason"]
        version = service.withdraw(session=session, actor=actor, public_id=public_id, reason=reason)
        registration = service.get_for_update(session=session, public_id=public_id)
    return _version_response(registration, version)


@bp.post("/registrations/<public_id>/archive")
@documented(summary="Archive an item (one that was public keeps its versions)", tags=TAGS, auth=True,
            body=ArchiveReason, response=OwnRegistration, statuses=(409,), success=200)
def archive_registration(public_id: str):
    with database().unit_of_work() as session:
        actor = token_actor(session)
        own_registration(session, actor, public_id, "archive")
        reason = load_body(ArchiveReason, required=False).get("reason", "")
        registration = service.archive(session=session, actor=actor, public_id=public_id, reason=reason)
        body = own_view(session, registration)
    return json_response(camelize(body))

