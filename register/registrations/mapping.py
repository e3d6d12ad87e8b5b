"""Between the exchange format (docs/registration-format.md) and the tables, in both directions."""

import hashlib
from datetime import date, datetime

from pydantic_core import PydanticUndefined

from register.geo.geometry import describe
from register.registrations.models import (
    AgreementDetails,
    AlgorithmDetails,
    Registration,
    RegistrationLink,
    SensorDetails,
)

COMMON_FIELDS = (
    "title", "summary", "description", "purpose", "themes", "legal_basis", "gdpr_ground", "art9_exception",
    "personal_data", "data_categories", "data_subjects", "retention_period", "retention_note", "dpia",
    "assessments", "lifecycle", "start_date", "end_date", "review_date", "contact", "objection", "openness",
    "restriction_reason", "oversight_body", "en", "provenance",
)
DETAIL_MODELS = {"algorithm": AlgorithmDetails, "sensor": SensorDetails, "agreement": AgreementDetails}
DERIVED_SENSOR = ("shape", "lat", "lon", "min_lat", "min_lon", "max_lat", "max_lon", "cell", "public")
KIND_FIELDS = {
    kind: tuple(
        name for name in model.model_fields if name != "registration_id" and name not in DERIVED_SENSOR
    )
    for kind, model in DETAIL_MODELS.items()
}
LIST_FIELDS = {"themes", "legal_basis", "data_categories", "data_subjects", "assessments"}


def plain(value):
    """JSON-ready form of a value: dates as ISO strings, containers recursively."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def apply(registration: Registration, details, data: dict) -> None:
    """Set a registration's columns (and its kind's details) from validated data; absent = empty."""
    for name in COMMON_FIELDS:
        default = [] if name in LIST_FIELDS else ({} if name in ("en", "provenance") else None)
        value = data.get(name, default)
        setattr(registration, name, plain(value) if isinstance(value, dict | list) else value)
    registration.dpia_status = (data.get("dpia") or {}).get("status")
    registration.source_ref = stored_ref(data.get("organisation"), (data.get("provenance") or {}).get("ref"))
    kind_data = data.get(registration.kind) or {}
    model_fields = DETAIL_MODELS[registration.kind].model_fields
    for name in KIND_FIELDS[registration.kind]:
        value = kind_data.get(name)
        if value is None:
            value = _empty(model_fields[name])
        setattr(details, name, plain(value) if isinstance(value, dict | list) else value)
    if registration.kind == "sensor":
        for name, value in describe(details.location).items():
            setattr(details, name, value)


def stored_ref(organisation_code: str | None, ref: str | None) -> str | None:
    """The unique key of an external reference within its organisation (two organisations may both
    import 'lars:123'); hashed when it would not fit the column."""
    if not ref or not organisation_code:
        return None
    key = f"{organisation_code}:{ref}"
    return key if len(key) <= 120 else f"{organisation_code}:sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def _empty(field):
    """A column's default for a value that was not given (None where the column has none)."""
    value = field.get_default(call_default_factory=True)
    return None if value is PydanticUndefined else value


def to_data(registration: Registration, details, links: list[RegistrationLink], organisation_code: str) -> dict:
    """The exchange-format dict of a registration's current columns (empty values left out)."""
    data = {"public_id": registration.public_id, "kind": registration.kind, "organisation": organisation_code}
    for name in COMMON_FIELDS:
        data[name] = plain(getattr(registration, name))
    data["links"] = [{"target": link.target_public_id, "relation": link.relation} for link in links]
    data[registration.kind] = {name: plain(getattr(details, name)) for name in KIND_FIELDS[registration.kind]}
    return prune(data)


def prune(data):
    """Leave out None, empty strings, lists and dicts, so exports and diffs carry only what is said."""
    if isinstance(data, dict):
        pruned = {k: prune(v) for k, v in data.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(data, list):
        return [prune(v) for v in data]
    return data


def diff(before: dict, after: dict) -> list[dict]:
    """Changed fields between two exchange dicts, one level into the kind's section."""
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key in DETAIL_MODELS and isinstance(old, dict | None) and isinstance(new, dict | None):
            for sub in sorted(set(old or {}) | set(new or {})):
                if (old or {}).get(sub) != (new or {}).get(sub):
                    changes.append({"field": f"{key}.{sub}", "before": (old or {}).get(sub),
                                    "after": (new or {}).get(sub)})
        elif old != new:
            changes.append({"field": key, "before": old, "after": new})
    return changes
