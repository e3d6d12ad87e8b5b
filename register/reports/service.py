"""Receiving citizens' reports and handling them in the back office; every change is audited."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlmodel import Session, func, select

from register.accounts.actor import Actor
from register.accounts.authz import require
from register.audit import service as audit
from register.clock import now
from register.errors import Conflict, Invalid, NotFound, flatten_errors
from register.organisations.models import Organisation
from register.registrations.models import PUBLIC_STATES, Registration
from register.registrations.validation import NO_CONTROL
from register.reports.models import REPORT_KINDS, Report


class ReportInput(Schema):
    """What a citizen may send: no personal data is required, a contact address is optional."""

    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    message = fields.String(required=True, validate=[validate.Length(min=10, max=4000), NO_CONTROL])
    registration = fields.String(load_default=None, validate=validate.Length(max=40))
    organisation = fields.String(load_default=None, validate=validate.Length(max=40))
    lat = fields.Float(load_default=None, validate=validate.Range(50.6, 53.7))
    lon = fields.Float(load_default=None, validate=validate.Range(3.2, 7.3))
    contact = fields.Email(load_default=None, validate=validate.Length(max=254))

    @validates_schema(skip_on_field_errors=False)  # all problems at once
    def _about_something(self, data, **_):
        if not data.get("registration") and not data.get("organisation"):
            raise ValidationError("Say which registration or which organisation the report is about.", "organisation")
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("Give both latitude and longitude, or neither.", "lat")


class AnswerInput(Schema):
    answer = fields.String(load_default=None, validate=[validate.Length(max=4000), NO_CONTROL])
    state = fields.String(required=True, validate=validate.OneOf(("answered", "closed")))


def _load(schema: Schema, data: dict) -> dict:
    try:
        return schema.load({k: v for k, v in data.items() if v not in ("", None)})
    except ValidationError as exc:
        raise Invalid(flatten_errors(exc.messages)) from None


def submit(*, session: Session, data: dict, request_id: str | None = None) -> Report:
    """Store a report from the public portal for the organisation responsible (audited on its chain)."""
    clean = _load(ReportInput(), data)
    registration = None
    if clean.get("registration"):
        registration = session.exec(
            select(Registration).where(Registration.public_id == clean["registration"],
                                       Registration.state.in_(PUBLIC_STATES))
        ).first()
        if registration is None:
            raise Invalid({"registration": ["No public registration has this identifier."]})
        org = session.get(Organisation, registration.organisation_id)
    else:
        org = session.exec(select(Organisation).where(Organisation.code == clean["organisation"])).first()
        if org is None:
            raise Invalid({"organisation": ["No organisation has this code."]})
    report = Report(organisation_id=org.id, registration_id=registration.id if registration else None,
                    kind=clean["kind"], message=clean["message"].strip(), lat=clean.get("lat"),
                    lon=clean.get("lon"), contact=clean.get("contact"))
    session.add(report)
    session.flush()
    # The message and contact address stay out of the audit log: it records that a report came in, not who sent it.
    actor = Actor(label="public:portal", request_id=request_id)
    audit.record(session=session, actor=actor, action="report.received", entity_type="report",
                 entity_id=str(report.id), organisation_id=org.id, chain=org.code,
                 changes={"kind": report.kind, "registration": clean.get("registration")})
    return report


def list_for(*, session: Session, actor: Actor, organisation_id: int, state: str | None = None) -> list[Report]:
    """The organisation's reports, newest first, optionally in one state."""
    require(actor, "read_internal", organisation_id)
    query = select(Report).where(Report.organisation_id == organisation_id)
    if state:
        query = query.where(Report.state == state)
    return list(session.exec(query.order_by(Report.created_at.desc(), Report.id.desc())))


def count_open(*, session: Session, organisation_id: int) -> int:
    """How many reports wait for an answer."""
    return session.exec(select(func.count()).select_from(Report).where(
        Report.organisation_id == organisation_id, Report.state == "open")).one()


def get(*, session: Session, actor: Actor, report_id: int) -> Report:
    """One report, for someone of its organisation."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    require(actor, "read_internal", report.organisation_id)
    return report


def handle(*, session: Session, actor: Actor, report_id: int, data: dict) -> Report:
    """Answer or close a report (editors and approvers of its organisation)."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    require(actor, "edit", report.organisation_id)
    clean = _load(AnswerInput(), data)
    if report.state == "closed":
        raise Conflict("This report is closed.")
    if clean["state"] == "answered" and not clean.get("answer"):
        raise Invalid({"answer": ["Write the answer."]})
    before = report.state
    report.state = clean["state"]
    if clean.get("answer"):
        report.answer = clean["answer"].strip()
    report.handled_by_id = actor.person
    report.updated_at = now()
    session.add(report)
    org = session.get(Organisation, report.organisation_id)
    audit.record(session=session, actor=actor, action=f"report.{clean['state']}", entity_type="report",
                 entity_id=str(report.id), organisation_id=org.id, chain=org.code,
                 changes={"state": [before, report.state]})
    session.flush()
    return report
