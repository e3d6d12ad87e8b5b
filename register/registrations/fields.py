"""The field list of each kind, read from the one validation schema, for forms, import columns and completeness.

Walking RegistrationInput instead of keeping a second list means a field added to the schema shows up in
the back-office form, the CSV/Excel template and the importer at once.
"""

from dataclasses import dataclass
from functools import cache

from marshmallow import fields, validate

from register.registrations.validation import KIND_SCHEMAS, TEXT_FIELDS_EN, Code, Duration, RegistrationInput

KINDS = tuple(KIND_SCHEMAS)
# Set by the system (kind, organisation), shown rather than edited (public_id), or given per text field (en).
NOT_IN_FORMS = {"kind", "organisation", "public_id", "en"}


@dataclass(frozen=True)
class FieldSpec:
    """One field of the exchange format: its dotted path (no list indices), type and constraints."""

    path: str
    type: str  # text, long_text, url, duration, code, codes, texts, bool, date, integer, number, location, object, list
    required: bool = False
    vocabulary: str | None = None
    max_length: int | None = None
    children: tuple["FieldSpec", ...] = ()

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def has_english(self) -> bool:
        """True when an English version of this text can be given under `en`."""
        top_level = "." not in self.path or (self.path.count(".") == 1 and self.path.split(".")[0] in KIND_SCHEMAS)
        return self.type in ("text", "long_text") and self.name in TEXT_FIELDS_EN and top_level


def _max_length(field) -> int | None:
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
    return None


def _spec(path: str, field) -> FieldSpec:
    required = bool(field.required)
    if isinstance(field, fields.Nested):
        children = tuple(_spec(f"{path}.{name}", child) for name, child in field.schema.fields.items())
        return FieldSpec(path, "object", required, children=children)
    if isinstance(field, fields.List):
        inner = field.inner
        if isinstance(inner, fields.Nested):
            children = tuple(_spec(f"{path}.{name}", child) for name, child in inner.schema.fields.items())
            return FieldSpec(path, "list", required, children=children)
        if isinstance(inner, Code):
            return FieldSpec(path, "codes", required, vocabulary=inner.vocabulary)
        return FieldSpec(path, "texts", required, max_length=_max_length(inner))
    if isinstance(field, Code):
        return FieldSpec(path, "code", required, vocabulary=field.vocabulary)
    if isinstance(field, fields.Boolean):
        return FieldSpec(path, "bool", required)
    if isinstance(field, fields.Date):
        return FieldSpec(path, "date", required)
    if isinstance(field, fields.Integer):
        return FieldSpec(path, "integer", required)
    if isinstance(field, fields.Float):
        return FieldSpec(path, "number", required)
    if isinstance(field, fields.Dict):
        return FieldSpec(path, "location", required)
    if isinstance(field, fields.Url):
        return FieldSpec(path, "url", required, max_length=_max_length(field))
    if isinstance(field, Duration):
        return FieldSpec(path, "duration", required, max_length=40)
    limit = _max_length(field)
    # Codes and ids (no Length validator) and short texts are one line; longer texts get a text area.
    has_length = any(isinstance(v, validate.Length) for v in field.validators)
    long = has_length and (limit is None or limit > 300)
    return FieldSpec(path, "long_text" if long else "text", required, max_length=limit)


@cache
def fields_for(kind: str) -> tuple[FieldSpec, ...]:
    """The top-level fields a person fills in for a registration of this kind, in schema order."""
    if kind not in KIND_SCHEMAS:
        raise ValueError(f"unknown kind {kind!r}")
    found = []
    for name, field in RegistrationInput().fields.items():
        if name in NOT_IN_FORMS or (name in KIND_SCHEMAS and name != kind):
            continue
        found.append(_spec(name, field))
    return tuple(found)


def walk(specs) -> list[FieldSpec]:
    """Every field, depth first (objects and lists before their children)."""
    found = []
    for spec in specs:
        found.append(spec)
        found.extend(walk(spec.children))
    return found
