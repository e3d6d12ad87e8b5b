"""How complete a registration is: recommended fields left empty, missing DPIAs, overdue reviews.

Recommended fields are not required (imported registers often lack them) but citizens need them; the
back-office dashboard lists them per registration so privacy officers can fill the gaps.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from register.organisations.models import Organisation
from register.registrations import mapping
from register.registrations.models import Registration
from register.registrations.queries import is_overdue

RECOMMENDED_COMMON = ("description", "legal_basis", "retention_period", "review_date", "objection")
RECOMMENDED_PERSONAL = ("data_categories", "data_subjects")
RECOMMENDED_KIND = {
    "algorithm": ("algorithm.algorithm_type", "algorithm.publication_category", "algorithm.decision_role",
                  "algorithm.human_intervention", "algorithm.inputs", "algorithm.risks", "algorithm.hosting",
                  "algorithm.monitoring"),
    "sensor": ("sensor.location_description", "sensor.operator", "sensor.processing", "sensor.storage_location",
               "sensor.active_from"),
    "agreement": ("agreement.direction", "agreement.document_url", "agreement.sharing_method",
                  "agreement.frequency", "agreement.security_measures"),
}
NO_PERSONAL_DATA = ("none", "not_stated")
# A DPIA that was done, or a documented decision that none is needed, counts as answered.
DPIA_ANSWERED = ("completed", "prior_consultation", "not_required")


def _value(data: dict, path: str):
    value = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def processes_personal_data(data: dict) -> bool:
    """True when the registration says personal data is processed."""
    return bool(data.get("personal_data")) and data["personal_data"] not in NO_PERSONAL_DATA


def lacks_dpia(data: dict) -> bool:
    """Personal data is processed but no DPIA was completed (nor judged not required)."""
    return processes_personal_data(data) and (data.get("dpia") or {}).get("status") not in DPIA_ANSWERED


def missing(data: dict) -> list[str]:
    """The recommended fields (dotted paths) this registration leaves empty."""
    wanted = list(RECOMMENDED_COMMON)
    if processes_personal_data(data):
        wanted += RECOMMENDED_PERSONAL
    wanted += RECOMMENDED_KIND.get(data.get("kind"), ())
    if data.get("kind") == "sensor" and (data.get("sensor") or {}).get("identifiability") == "identifiable":
        wanted.append("sensor.privacy_statement_url")
    return [path for path in wanted if _value(data, path) in (None, "", [], {})]


@dataclass
class Standing:
    """One registration's line on the dashboard."""

    public_id: str
    kind: str
    title: str
    state: str
    revision_state: str | None
    review_date: date | None
    overdue: bool
    lacks_dpia: bool
    missing: list[str] = field(default_factory=list)


def for_organisation(*, session: Session, organisation_id: int, include_archived: bool = False) -> list[Standing]:
    """Every registration of an organisation with its pending data's completeness, in public-id order."""
    code = session.get(Organisation, organisation_id).code
    query = select(Registration).where(Registration.organisation_id == organisation_id)
    if not include_archived:
        query = query.where(Registration.state != "archived")
    found = list(session.exec(query.order_by(Registration.public_id)))
    details = {}
    for kind, model in mapping.DETAIL_MODELS.items():
        ids = [reg.id for reg in found if reg.kind == kind]
        for start in range(0, len(ids), 500):  # stay under database parameter limits
            for row in session.exec(select(model).where(model.registration_id.in_(ids[start:start + 500]))):
                details[row.registration_id] = row
    standings = []
    for reg in found:
        if reg.revision is not None:
            data = mapping.prune({"kind": reg.kind, "organisation": code, **reg.revision})
        else:
            data = mapping.to_data(reg, details.get(reg.id), [], code) if reg.id in details else {"kind": reg.kind}
        review = data.get("review_date")
        review = date.fromisoformat(review) if isinstance(review, str) else review
        standings.append(Standing(
            public_id=reg.public_id, kind=reg.kind, title=data.get("title") or reg.title, state=reg.state,
            revision_state=reg.revision_state, review_date=review, overdue=is_overdue(review),
            lacks_dpia=lacks_dpia(data), missing=missing(data),
        ))
    return standings
