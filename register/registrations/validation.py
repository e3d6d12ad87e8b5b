"""The one source of validation truth for registrations, used by forms, API, importers and seed alike."""

import isodate
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from register import vocab
from register.errors import Invalid, flatten_errors

TEXT_FIELDS_EN = {
    "title", "summary", "description", "purpose", "retention_note", "human_intervention", "impact",
    "proportionality", "alternatives", "risks", "mitigations", "monitoring", "measures",
    "location_description", "legal_power", "security_measures", "further_use",
}


class Code(fields.String):
    """A code from a controlled vocabulary; the error names the allowed codes."""

    def __init__(self, vocabulary: str, **kwargs):
        self.vocabulary = vocabulary
        super().__init__(**kwargs)

    def _validate(self, value):
        super()._validate(value)
        allowed = vocab.codes(self.vocabulary)
        if value not in allowed:
            raise ValidationError(f"Unknown code {value!r}; use one of: {', '.join(sorted(allowed))}.")


class Duration(fields.String):
    """An ISO 8601 duration such as P2Y or P28D."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        # P0D is meaningful (not kept at all); negative or number-less durations (-P1D, PT) are not.
        message = "Use an ISO 8601 duration of at most 40 characters, for example P2Y, P28D or P0D."
        if len(text) > 40 or text.startswith("-") or not any(ch.isdigit() for ch in text):
            raise ValidationError(message)
        try:
            isodate.parse_duration(text)
        except (isodate.ISO8601Error, ValueError, OverflowError):
            raise ValidationError(message) from None
        return text


# NUL and other control characters (tab and newlines are fine): PostgreSQL refuses NUL outright.
NO_CONTROL = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="Contains control characters.")


def _text(max_len: int | None = None, **kw):
    return fields.String(validate=[validate.Length(min=1, max=max_len), NO_CONTROL], **kw)


def _url(**kw):
    return fields.Url(schemes={"http", "https"}, validate=[validate.Length(max=500), NO_CONTROL], **kw)


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _blank_is_missing(self, data, **_):
        """Forms send empty strings for untouched fields; treat them as absent and trim the rest."""
        if not isinstance(data, dict):
            return data
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if value == "":
                    continue
            if value is None:
                continue
            cleaned[key] = value
        return cleaned


class LegalBasis(_Strict):
    title = _text(300, required=True)
    citation = _text(300)
    url = _url()


class Dpia(_Strict):
    status = Code("dpia_status", required=True)
    reason = _text(2000)
    date = fields.Date()
    url = _url()
    summary = _text(4000)

    @validates_schema
    def _reason_needed(self, data, **_):
        term = vocab.term("dpia_status", data.get("status", ""))
        if term and term.get("needs_reason") and not data.get("reason"):
            raise ValidationError("Say why (required for this status).", "reason")


class Assessment(_Strict):
    type = Code("assessment_type", required=True)
    status = Code("assessment_status", required=True)
    date = fields.Date()
    url = _url()
    summary = _text(4000)


class Objection(_Strict):
    description = _text(2000, required=True)
    url = _url()


PUBLIC_ID = [validate.Length(max=40), validate.Regexp(r"^(ALG|SEN|DSA)-[A-Z0-9]+-\d{4,}$")]


class Link(_Strict):
    target = fields.String(required=True, validate=PUBLIC_ID)
    relation = Code("link_relation", required=True)


class Provenance(_Strict):
    source = _text(300)
    ref = _text(120)  # the item's id in its source (e.g. lars:11234933), so a re-import updates it
    url = _url()
    illustrative = fields.Boolean()


class SensitiveInput(_Strict):
    name = _text(200, required=True)
    source = _text(300)
    sensitive_proxy = fields.Boolean()


class RightsTest(_Strict):
    result = _text(4000, required=True)
    assessor = _text(200)
    date = fields.Date()
    url = _url()


class ErrorRates(_Strict):
    false_positive_rate = fields.Float(validate=validate.Range(0, 1))
    false_negative_rate = fields.Float(validate=validate.Range(0, 1))
    accepted_margin = _text(500)
    measured_on = fields.Date()
    people_wrongly_affected = fields.Integer(validate=validate.Range(min=0))
    note = _text(2000)


class Supplier(_Strict):
    name = _text(200, required=True)
    country = _text(100)


class Algorithm(_Strict):
    # The classification is recommended, not required: registers we import from often do not state it.
    algorithm_type = Code("algorithm_type")
    self_learning = fields.Boolean()
    publication_category = Code("publication_category")
    ai_act_class = Code("ai_act_class")
    eu_database_ref = _text(100)
    decision_role = Code("decision_role")
    automated_decision = fields.Boolean()
    human_intervention = _text()
    inputs = fields.List(fields.Nested(SensitiveInput))
    affected_groups = fields.List(_text(200))
    impact = _text()
    proportionality = _text()
    alternatives = _text()
    risks = _text()
    mitigations = _text()
    rights_test = fields.Nested(RightsTest)
    error_rates = fields.Nested(ErrorRates)
    monitoring = _text()
    supplier = fields.Nested(Supplier)
    hosting = Code("hosting")
    source_code_url = _url()
    processing_register_url = _url()
    lars = fields.String(validate=validate.Regexp(r"^\d{1,20}$"))

    @validates_schema
    def _decides_needs_human_check(self, data, **_):
        if data.get("decision_role") == "decides" and data.get("automated_decision") and not data.get(
            "human_intervention"
        ):
            raise ValidationError("Explain how a person can check an automated decision.", "human_intervention")


class Operator(_Strict):
    name = _text(200, required=True)
    organisation = fields.String(validate=validate.Regexp(r"^[a-z0-9]{3,40}$"))


class OptOut(_Strict):
    possible = fields.Boolean(required=True)
    how = _text(1000)


class Sensor(_Strict):
    sensor_type = Code("sensor_type", required=True)
    measures = _text(1000, required=True)
    location = fields.Dict(required=True)  # checked against the Netherlands' extent by the service
    location_description = _text(500)
    device_count = fields.Integer(validate=validate.Range(min=1, max=100_000))
    operator = fields.Nested(Operator)
    identifiability = Code("identifiability", required=True)
    processing = fields.List(Code("data_processing"))
    access = fields.List(_text(200))
    storage_location = _text(300)
    influences_behaviour = fields.Boolean()
    opt_out = fields.Nested(OptOut)
    active_from = fields.Date()
    active_until = fields.Date()
    privacy_statement_url = _url()

    @validates_schema
    def _dates_in_order(self, data, **_):
        if data.get("active_from") and data.get("active_until") and data["active_until"] < data["active_from"]:
            raise ValidationError("Must not be before active_from.", "active_until")


class Party(_Strict):
    name = _text(200, required=True)
    organisation = fields.String(validate=validate.Regexp(r"^[a-z0-9]{3,40}$"))
    side = Code("party_side", required=True)
    role = Code("party_role", required=True)


class Agreement(_Strict):
    parties = fields.List(fields.Nested(Party), required=True)
    direction = Code("direction")
    legal_power = _text(4000, required=True)
    agreement_type = Code("agreement_type", required=True)
    document_url = _url()
    sharing_method = Code("sharing_method")
    frequency = Code("frequency")
    security_measures = _text()
    further_use = _text()
    areas = fields.List(_text(200))

    @validates_schema
    def _both_sides(self, data, **_):
        sides = {p.get("side") for p in data.get("parties") or []}
        if "parties" in data and not {"provider", "recipient"} <= sides:
            raise ValidationError("Name at least one party that provides and one that receives data.", "parties")


KIND_SCHEMAS = {"algorithm": Algorithm, "sensor": Sensor, "agreement": Agreement}


class RegistrationInput(_Strict):
    """Everything a person or system may set on a registration (see docs/registration-format.md)."""

    kind = Code("kind", required=True)
    organisation = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9]{3,40}$"))
    public_id = fields.String(validate=PUBLIC_ID)
    title = _text(100, required=True)
    summary = _text(350, required=True)
    description = _text(20_000)
    purpose = _text(10_000, required=True)
    themes = fields.List(Code("theme"), required=True, validate=validate.Length(min=1))
    legal_basis = fields.List(fields.Nested(LegalBasis))
    gdpr_ground = Code("gdpr_ground", required=True)
    art9_exception = Code("art9_exception")
    personal_data = Code("personal_data", required=True)
    data_categories = fields.List(_text(200))
    data_subjects = fields.List(_text(200))
    retention_period = Duration()
    retention_note = _text(1000)
    dpia = fields.Nested(Dpia)
    assessments = fields.List(fields.Nested(Assessment))
    lifecycle = Code("lifecycle", required=True)
    start_date = fields.Date()
    end_date = fields.Date()
    review_date = fields.Date()
    contact = _text(300, required=True)
    objection = fields.Nested(Objection)
    openness = Code("openness", required=True)
    restriction_reason = _text(2000)
    oversight_body = _text(200)
    links = fields.List(fields.Nested(Link))
    en = fields.Dict(keys=fields.String(validate=validate.OneOf(sorted(TEXT_FIELDS_EN))),
                     values=fields.String(validate=[validate.Length(max=20_000), NO_CONTROL]))
    provenance = fields.Nested(Provenance)
    algorithm = fields.Nested(Algorithm)
    sensor = fields.Nested(Sensor)
    agreement = fields.Nested(Agreement)

    @validates_schema(skip_on_field_errors=False)
    def _rules_across_fields(self, data, **_):
        errors: dict[str, list[str]] = {}

        def add(field, message):
            errors.setdefault(field, []).append(message)

        kind = data.get("kind")
        for other in KIND_SCHEMAS:
            if other != kind and other in data:
                add(other, f"Only allowed for a registration of kind {other!r}.")
        if kind in KIND_SCHEMAS and kind not in data and "kind" in data:
            add(kind, f"Give the {kind}'s own fields.")
        personal = data.get("personal_data")
        ground = data.get("gdpr_ground")
        if personal and personal not in ("none", "not_stated") and "dpia" not in data:
            add("dpia", "Say what the DPIA status is: personal data is processed.")
        if personal == "none" and ground and ground not in ("no_personal_data",):
            add("gdpr_ground", "Choose 'no personal data': no personal data is processed.")
        if personal and personal not in ("none", "not_stated") and ground == "no_personal_data":
            add("gdpr_ground", "Choose the legal ground for processing the personal data.")
        if personal == "special_categories" and "art9_exception" not in data:
            add("art9_exception", "Name the exception of art. 9(2) GDPR that allows special categories.")
        if "not_stated" in (personal, ground) and not (data.get("provenance") or {}).get("source"):
            field = "personal_data" if personal == "not_stated" else "gdpr_ground"
            add(field, "'Not stated' is only for entries imported from another register.")
        if data.get("openness") == "restricted":
            for field in ("restriction_reason", "oversight_body"):
                if not data.get(field):
                    add(field, "Required when the registration is restricted.")
        elif data.get("openness") == "public":
            for field in ("restriction_reason", "oversight_body"):
                if data.get(field):
                    add(field, "Only for a restricted registration.")
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            add("end_date", "Must not be before start_date.")
        if errors:
            raise ValidationError(errors)


_INPUT = RegistrationInput()


def validate_registration(data) -> dict:
    """Validated, typed registration data; raises Invalid with every field error at once."""
    if not isinstance(data, dict):
        raise Invalid({"_schema": ["Send the registration as an object."]})
    # Nested kind sections get their own errors reported even when the top level has errors too.
    try:
        return _INPUT.load(data)
    except ValidationError as exc:
        raise Invalid(flatten_errors(exc.messages)) from None


