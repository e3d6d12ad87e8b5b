"""marshmallow schemas of the API: they parse query parameters, and the OpenAPI document is made from them.

Request bodies are described by camelCase variants of the register's own validation schemas
(register/registrations/validation.py), so what the document says is what the register enforces.
"""

import copy
import re
from datetime import UTC
from functools import cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.conventions import camel
from register import vocab
from register.registrations import queries
from register.registrations.validation import RegistrationInput


class CamelSchema(Schema):
    """Fields are named in camelCase on the wire."""

    def on_bind_field(self, field_name, field_obj):
        field_obj.data_key = camel(field_obj.data_key or field_name)


def _camel_copy(field):
    field = copy.deepcopy(field)
    if isinstance(field, fields.Nested) and isinstance(field.nested, type):
        field.nested = camel_variant(field.nested)
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        field.inner = _camel_copy(field.inner)
    return field


@cache
def camel_variant(schema_cls: type[Schema]) -> type[Schema]:
    """The same fields as a register schema, named in camelCase (for documentation)."""
    attrs = {name: _camel_copy(f) for name, f in schema_cls._declared_fields.items()}
    return type(schema_cls.__name__, (CamelSchema,), attrs)


def _codes(name: str):
    return validate.OneOf(sorted(vocab.codes(name)))


class CommaFloats(fields.String):
    """A comma-separated list of a fixed number of numbers, e.g. bbox=4.8,52.3,5.0,52.4."""

    def __init__(self, count: int, **kwargs):
        self.count = count
        number = r"-?\d+(\.\d+)?"
        self.pattern = rf"^{number}(,{number}){{{count - 1}}}$"
        # The pattern documents the shape in the OpenAPI document too.
        kwargs["metadata"] = {**kwargs.get("metadata", {}), "pattern": self.pattern}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(self.pattern, text):
            raise ValidationError(f"Give {self.count} numbers separated by commas.")
        return tuple(float(part) for part in text.split(","))


class ListQuery(CamelSchema):
    """Filters, paging and order of a registration list."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=queries.MAX_PAGE_SIZE))
    kind = fields.String(validate=_codes("kind"))
    organisation = fields.String(metadata={"description": "Organisation codes, comma-separated (e.g. gm0363,pv27)."},
                                 validate=validate.Regexp(r"^[a-z0-9]{3,40}(,[a-z0-9]{3,40})*$"))
    state = fields.String(validate=validate.OneOf(queries.PUBLIC_STATES))
    theme = fields.String(validate=_codes("theme"))
    personal_data = fields.String(validate=_codes("personal_data"))
    dpia_status = fields.String(validate=_codes("dpia_status"))
    lifecycle = fields.String(validate=_codes("lifecycle"))
    sensor_type = fields.String(validate=_codes("sensor_type"))
    identifiability = fields.String(validate=_codes("identifiability"))
    overdue = fields.Boolean(metadata={"description": "Only items whose review date has passed (true) or not (false)."})
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Free text in title and summary."})
    changed_since = fields.AwareDateTime(default_timezone=UTC, metadata={"description": "ISO 8601 date-time."})
    bbox = CommaFloats(4, metadata={"description": "minLon,minLat,maxLon,maxLat (WGS84); sensors only."})
    near = CommaFloats(2, metadata={"description": "lat,lon (WGS84) of a point; with radius: sensors within it."})
    radius = fields.Float(load_default=500, validate=validate.Range(min=1, max=queries.MAX_RADIUS_M),
                          metadata={"description": "Metres around `near`."})
    sort = fields.String(load_default="-lastPublished", validate=validate.OneOf(sorted(queries.SORTS)))

    @validates_schema
    def _boxes(self, data, **_):
        errors = {}
        if "bbox" in data:
            min_lon, min_lat, max_lon, max_lat = data["bbox"]
            if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
                errors["bbox"] = ["Give minLon,minLat,maxLon,maxLat with min ≤ max, in WGS84."]
        if "near" in data and not (-90 <= data["near"][0] <= 90 and -180 <= data["near"][1] <= 180):
            errors["near"] = ["Give lat,lon in WGS84."]
        if errors:
            raise ValidationError(errors)


class NearQuery(CamelSchema):
    """A point and a radius."""

    class Meta:
        unknown = RAISE

    near = CommaFloats(2, required=True, metadata={"description": "lat,lon (WGS84), e.g. 51.4386,5.4820."})
    radius = fields.Float(load_default=500, validate=validate.Range(min=1, max=queries.MAX_RADIUS_M))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=0, max=1000),
                           metadata={"description": "At most this many sensors, and this many registrations that "
                                                    "apply there."})

    @validates_schema
    def _point(self, data, **_):
        if "near" in data and not (-90 <= data["near"][0] <= 90 and -180 <= data["near"][1] <= 180):
            raise ValidationError("Give lat,lon in WGS84.", "near")


class DiffQuery(CamelSchema):
    class Meta:
        unknown = RAISE

    from_version = fields.Integer(required=True, data_key="from", validate=validate.Range(min=1))
    to_version = fields.Integer(required=True, data_key="to", validate=validate.Range(min=1))

    def on_bind_field(self, field_name, field_obj):  # keep the short names `from` and `to`
        pass


class NoQuery(Schema):
    class Meta:
        unknown = RAISE


# ---- responses (documentation; the routes camelize the register's dicts) ----


class OrganisationRef(CamelSchema):
    code = fields.String()
    name = fields.String()


class SensorSummary(CamelSchema):
    sensor_type = fields.String()
    identifiability = fields.String()
    shape = fields.String(metadata={"description": "point, area or route"})
    lat = fields.Float()
    lon = fields.Float()
    location = fields.Dict(metadata={"description": "GeoJSON geometry of an area or route"})


class RegistrationSummary(CamelSchema):
    public_id = fields.String()
    kind = fields.String()
    title = fields.String()
    summary = fields.String()
    organisation = fields.Nested(OrganisationRef)
    state = fields.String()
    themes = fields.List(fields.String())
    personal_data = fields.String()
    dpia_status = fields.String(allow_none=True)
    lifecycle = fields.String()
    review_date = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    openness = fields.String()
    last_published_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    en = fields.Dict(keys=fields.String(), values=fields.String())
    sensor = fields.Nested(SensorSummary)
    distance_m = fields.Float()


class RegistrationList(CamelSchema):
    items = fields.List(fields.Nested(RegistrationSummary))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class LinkedFrom(CamelSchema):
    source = fields.String()
    relation = fields.String()


_Input = camel_variant(RegistrationInput)


class Registration(_Input):
    """A public registration: the register's fields plus its state and history."""

    state = fields.String()
    version = fields.Integer()
    organisation_name = fields.String()
    overdue = fields.Boolean()
    withdrawal_reason = fields.String()
    first_published_at = fields.String(metadata={"format": "date-time"})
    last_published_at = fields.String(metadata={"format": "date-time"})
    linked_from = fields.List(fields.Nested(LinkedFrom))


class VersionSummary(CamelSchema):
    number = fields.Integer()
    state = fields.String()
    change_note = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})


class VersionList(CamelSchema):
    items = fields.List(fields.Nested(VersionSummary))


class Version(Registration):
    change_note = fields.String()
    created_at = fields.String(metadata={"format": "date-time"})


class Change(CamelSchema):
    field = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class Diff(CamelSchema):
    from_version = fields.Integer(data_key="from")
    to_version = fields.Integer(data_key="to")
    changes = fields.List(fields.Nested(Change))

    def on_bind_field(self, field_name, field_obj):
        if field_name not in ("from_version", "to_version"):
            super().on_bind_field(field_name, field_obj)


class AreaRef(CamelSchema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()


class OrganisationSummary(CamelSchema):
    code = fields.String()
    name = fields.String()
    type = fields.String()


class NearMe(CamelSchema):
    sensors = fields.List(fields.Nested(RegistrationSummary))
    sensors_total = fields.Integer()
    areas = fields.List(fields.Nested(AreaRef))
    organisations = fields.List(fields.Nested(OrganisationSummary))
    applicable = fields.List(fields.Nested(RegistrationSummary))
    applicable_total = fields.Integer()


class InvalidParam(Schema):
    name = fields.String()
    code = fields.String()
    reason = fields.String()


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    invalidParams = fields.List(fields.Nested(InvalidParam))  # noqa: N815 (the ADR's member name)


class OrganisationQuery(CamelSchema):
    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    type = fields.String(validate=_codes("org_type"))
    q = fields.String(validate=validate.Length(min=1, max=200))


class Figures(CamelSchema):
    registrations = fields.Integer()
    algorithms = fields.Integer()
    sensors = fields.Integer()
    agreements = fields.Integer()
    missing_dpia = fields.Integer(metadata={"description": "Published items processing personal data without a finished DPIA"})
    overdue_reviews = fields.Integer()


class Organisation(CamelSchema):
    code = fields.String()
    name = fields.String()
    type = fields.String()
    website = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    dpo_contact = fields.String(allow_none=True)
    parent = fields.String(allow_none=True)
    areas = fields.List(fields.String())
    figures = fields.Nested(Figures)


class OrganisationList(CamelSchema):
    items = fields.List(fields.Nested(Organisation))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class Term(Schema):
    code = fields.String()
    nl = fields.String()
    en = fields.String()


class Vocabulary(CamelSchema):
    name = fields.String()
    label = fields.Dict(keys=fields.String(), values=fields.String())
    terms = fields.List(fields.Dict())


class VocabularyList(CamelSchema):
    items = fields.List(fields.Nested(Vocabulary))
