"""Registration forms without a form library: the schema's field list becomes HTML inputs and back.

Input names are the data path with "-" for ".", list rows numbered (`legal_basis-0-citation`), so
`Invalid.errors` keys (`legal_basis.0.citation`) map straight onto inputs. Values stay the strings the
person typed; the one marshmallow schema converts and validates them, so a rejected value is shown again
exactly as typed. "Add another" and "remove" are submit buttons that re-render the form, so lists work
without JavaScript.
"""

import json
import re
from dataclasses import dataclass, field

from flask import g
from flask_babel import lazy_gettext as _l

from register import vocab
from register.registrations.fields import FieldSpec, fields_for
from register.registrations.mapping import prune

LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary in plain language"),
    "description": _l("Description"),
    "purpose": _l("Purpose"),
    "themes": _l("Themes"),
    "legal_basis": _l("Legal basis"),
    "legal_basis.title": _l("Law or regulation"),
    "legal_basis.citation": _l("Article"),
    "legal_basis.url": _l("Link"),
    "gdpr_ground": _l("GDPR ground"),
    "art9_exception": _l("Exception for special categories (art. 9 GDPR)"),
    "personal_data": _l("Personal data"),
    "data_categories": _l("Data categories"),
    "data_subjects": _l("Whose data"),
    "retention_period": _l("Retention period"),
    "retention_note": _l("About the retention"),
    "dpia": _l("DPIA (data protection impact assessment)"),
    "dpia.status": _l("DPIA status"),
    "dpia.reason": _l("Reason"),
    "dpia.date": _l("Date"),
    "dpia.url": _l("Link"),
    "dpia.summary": _l("Public summary"),
    "assessments": _l("Other assessments"),
    "assessments.type": _l("Type"),
    "assessments.status": _l("Status"),
    "assessments.date": _l("Date"),
    "assessments.url": _l("Link"),
    "assessments.summary": _l("Summary"),
    "lifecycle": _l("Lifecycle"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "review_date": _l("Review date"),
    "contact": _l("Contact for questions"),
    "objection": _l("Objection"),
    "objection.description": _l("How to object or complain"),
    "objection.url": _l("Link"),
    "openness": _l("Openness"),
    "restriction_reason": _l("Reason for the restriction"),
    "oversight_body": _l("Oversight body"),
    "links": _l("Related registrations"),
    "links.target": _l("Public id of the other registration"),
    "links.relation": _l("Relation"),
    "provenance": _l("Origin"),
    "provenance.source": _l("Source"),
    "provenance.ref": _l("Id in the source"),
    "provenance.url": _l("Link to the source"),
    "provenance.illustrative": _l("Illustrative details (not from a source)"),
    "algorithm": _l("Algorithm details"),
    "algorithm.algorithm_type": _l("Type of algorithm"),
    "algorithm.self_learning": _l("Self-learning"),
    "algorithm.publication_category": _l("Publication category"),
    "algorithm.ai_act_class": _l("AI Act risk class"),
    "algorithm.eu_database_ref": _l("EU database reference"),
    "algorithm.decision_role": _l("Role in decisions"),
    "algorithm.automated_decision": _l("Automated decision (art. 22 GDPR)"),
    "algorithm.human_intervention": _l("Human intervention"),
    "algorithm.inputs": _l("Input variables and data sources"),
    "algorithm.inputs.name": _l("Name"),
    "algorithm.inputs.source": _l("Source"),
    "algorithm.inputs.sensitive_proxy": _l("Sensitive proxy"),
    "algorithm.affected_groups": _l("Affected groups"),
    "algorithm.impact": _l("Impact"),
    "algorithm.proportionality": _l("Proportionality"),
    "algorithm.alternatives": _l("Alternatives considered"),
    "algorithm.risks": _l("Risks"),
    "algorithm.mitigations": _l("Mitigation"),
    "algorithm.rights_test": _l("Non-discrimination and fundamental rights test"),
    "algorithm.rights_test.result": _l("Result"),
    "algorithm.rights_test.assessor": _l("Assessor"),
    "algorithm.rights_test.date": _l("Date"),
    "algorithm.rights_test.url": _l("Link"),
    "algorithm.error_rates": _l("Error rates"),
    "algorithm.error_rates.false_positive_rate": _l("False positive rate (0 to 1)"),
    "algorithm.error_rates.false_negative_rate": _l("False negative rate (0 to 1)"),
    "algorithm.error_rates.accepted_margin": _l("Accepted margin"),
    "algorithm.error_rates.measured_on": _l("Measured on"),
    "algorithm.error_rates.people_wrongly_affected": _l("People wrongly affected"),
    "algorithm.error_rates.note": _l("Note"),
    "algorithm.monitoring": _l("Monitoring and evaluation"),
    "algorithm.supplier": _l("Supplier"),
    "algorithm.supplier.name": _l("Name"),
    "algorithm.supplier.country": _l("Country"),
    "algorithm.hosting": _l("Hosting"),
    "algorithm.source_code_url": _l("Link to the source code"),
    "algorithm.processing_register_url": _l("Link to the processing register"),
    "algorithm.lars": _l("Algoritmeregister id"),
    "sensor": _l("Sensor details"),
    "sensor.sensor_type": _l("Type of sensor"),
    "sensor.measures": _l("What it measures"),
    "sensor.location": _l("Location"),
    "sensor.location_description": _l("Description of the location"),
    "sensor.device_count": _l("Number of devices at this spot"),
    "sensor.operator": _l("Operator"),
    "sensor.operator.name": _l("Name"),
    "sensor.operator.organisation": _l("Organisation code (if in the register)"),
    "sensor.identifiability": _l("Identifiability"),
    "sensor.processing": _l("Data processing"),
    "sensor.access": _l("Who gets access"),
    "sensor.storage_location": _l("Where the data is stored"),
    "sensor.influences_behaviour": _l("Used to influence behaviour"),
    "sensor.opt_out": _l("Opting out"),
    "sensor.opt_out.possible": _l("Can people opt out?"),
    "sensor.opt_out.how": _l("How"),
    "sensor.active_from": _l("Active from"),
    "sensor.active_until": _l("Active until"),
    "sensor.privacy_statement_url": _l("Link to the privacy statement"),
    "agreement": _l("Agreement details"),
    "agreement.parties": _l("Parties"),
    "agreement.parties.name": _l("Name"),
    "agreement.parties.organisation": _l("Organisation code (if in the register)"),
    "agreement.parties.side": _l("Side"),
    "agreement.parties.role": _l("Role"),
    "agreement.direction": _l("Direction"),
    "agreement.legal_power": _l("Legal power for the disclosure"),
    "agreement.agreement_type": _l("Type of agreement"),
    "agreement.document_url": _l("Link to the agreement"),
    "agreement.sharing_method": _l("Method of sharing"),
    "agreement.frequency": _l("Frequency"),
    "agreement.security_measures": _l("Security measures"),
    "agreement.further_use": _l("Permitted further use"),
    "agreement.areas": _l("Areas covered"),
}
HINTS = {
    "summary": _l("At most 350 characters, in plain Dutch (B1): what it is and what it means for people."),
    "retention_period": _l("An ISO 8601 duration, for example P28D (28 days) or P2Y (2 years)."),
    "contact": _l("A role mailbox or web address, never a person's own address."),
    "data_categories": _l("One per line."),
    "data_subjects": _l("One per line."),
    "algorithm.affected_groups": _l("One per line."),
    "sensor.access": _l("One per line."),
    "agreement.areas": _l("One per line."),
    "review_date": _l("When it will be looked at again. A date in the past shows as overdue."),
    "links.target": _l("For example SEN-GM0772-0001."),
}
# A heading is shown before these top-level fields, so the long form reads in parts.
SECTIONS = {
    "title": _l("What it is"),
    "legal_basis": _l("Legal basis and personal data"),
    "retention_period": _l("Retention and assessments"),
    "lifecycle": _l("Lifecycle and contact"),
    "openness": _l("Openness"),
    "links": _l("Links and origin"),
}
# Known domain messages in the visitor's language; others are shown as the register words them.
MESSAGES = {
    "Missing data for required field.": _l("Fill this in."),
    "Not a valid date.": _l("Give a date as YYYY-MM-DD."),
    "Not a valid integer.": _l("Give a whole number."),
    "Not a valid number.": _l("Give a number."),
    "Not a valid boolean.": _l("Choose yes or no."),
    "Not a valid URL.": _l("Give a web address starting with https:// or http://."),
    "Shorter than minimum length 1.": _l("Fill this in."),
    "Length must be between 1 and 1.": _l("Fill this in."),
    "Say what the DPIA status is: personal data is processed.": _l(
        "Give the DPIA status: personal data is processed."),
    "Choose 'no personal data': no personal data is processed.": _l(
        "Choose 'no personal data': no personal data is processed."),
    "Choose the legal ground for processing the personal data.": _l(
        "Choose the legal ground for processing the personal data."),
    "Required when the registration is restricted.": _l("Required when the registration is restricted."),
    "Only for a restricted registration.": _l("Only for a restricted registration."),
    "Say why (required for this status).": _l("Say why (required for this status)."),
    "Must not be before start_date.": _l("Must not be before the start date."),
    "Must not be before active_from.": _l("Must not be before 'active from'."),
    "Name at least one party that provides and one that receives data.": _l(
        "Name at least one party that provides and one that receives data."),
    "Explain how a person can check an automated decision.": _l(
        "Explain how a person can check an automated decision."),
    "Give a latitude and a longitude, or paste GeoJSON.": _l("Give a latitude and a longitude, or paste GeoJSON."),
    "Latitude and longitude must be numbers.": _l("Latitude and longitude must be numbers, for example 51.4386."),
    "The GeoJSON is not valid JSON.": _l("The GeoJSON is not valid JSON."),
}
ROWS_ANCHOR = "rows"


def message(text: str) -> str:
    """A register message in the visitor's language when it is a known one."""
    if text in MESSAGES:
        return str(MESSAGES[text])
    if text.startswith("Longer than maximum length"):
        return str(_l("Too long: at most %(n)s characters.", n=text.rsplit(" ", 1)[-1].rstrip(".")))
    if text.startswith("Must be greater than or equal to") or text.startswith("Must be less than or equal to"):
        return str(_l("Out of range: %(text)s", text=text))
    return text


def label(path: str) -> str:
    """The label of a field by its path without list indices."""
    plain = re.sub(r"\.\d+(?=\.|$)", "", path)
    found = LABELS.get(plain)
    return str(found) if found is not None else plain.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def _name(prefix: str, spec: FieldSpec) -> str:
    return f"{prefix}{spec.name}"


def _strings(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class FormState:
    """What the form shows: the typed values by input name, and how many rows each list has."""

    kind: str
    values: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)

    @property
    def specs(self):
        return fields_for(self.kind)

    def value(self, name: str):
        return self.values.get(name, "")

    def row_count(self, name: str) -> int:
        # Always one row to type into; an empty row is dropped when the form is read.
        return max(self.rows.get(name, 0), 1)


def from_data(kind: str, data: dict) -> FormState:
    """The form for a registration's exchange data (e.g. pending_data when editing)."""
    state = FormState(kind)
    _fill(state, fields_for(kind), data or {}, "")
    for key, text in ((data or {}).get("en") or {}).items():
        state.values[f"en-{key}"] = _strings(text)
    return state


def _fill(state: FormState, specs, data: dict, prefix: str) -> None:
    for spec in specs:
        name, value = _name(prefix, spec), data.get(spec.name)
        if spec.type == "object":
            _fill(state, spec.children, value if isinstance(value, dict) else {}, f"{name}-")
        elif spec.type == "list":
            items = value if isinstance(value, list) else []
            state.rows[name] = len(items)
            for i, item in enumerate(items):
                _fill(state, spec.children, item if isinstance(item, dict) else {}, f"{name}-{i}-")
        elif spec.type == "codes":
            state.values[name] = [str(v) for v in value or []]
        elif spec.type == "texts":
            state.values[name] = "\n".join(str(v) for v in value or [])
        elif spec.type == "location":
            _fill_location(state, name, value)
        else:
            state.values[name] = _strings(value)


def _fill_location(state: FormState, name: str, value) -> None:
    base = name.rsplit("-", 1)[0]
    if isinstance(value, dict) and value.get("type") == "Point" and len(value.get("coordinates") or []) == 2:
        lon, lat = value["coordinates"]
        state.values[f"{base}-lat"], state.values[f"{base}-lon"] = _strings(lat), _strings(lon)
    elif value:
        state.values[f"{base}-geojson"] = json.dumps(value, ensure_ascii=False)


def from_request(kind: str, form) -> FormState:
    """The form as submitted: empty list rows dropped, rows renumbered, 'add'/'remove' applied."""
    state = FormState(kind)
    _read(state, fields_for(kind), form, "", "")
    for key in form:
        if key.startswith("en-"):
            state.values[key] = form.get(key, "")
    return state


def _read(state: FormState, specs, form, read_prefix: str, write_prefix: str) -> bool:
    """Copy the inputs of these fields; True when any of them holds something."""
    filled = False
    for spec in specs:
        source, target = _name(read_prefix, spec), _name(write_prefix, spec)
        if spec.type == "object":
            filled |= _read(state, spec.children, form, f"{source}-", f"{target}-")
        elif spec.type == "list":
            indexes = sorted({int(m.group(1)) for key in form
                              if (m := re.match(rf"^{re.escape(source)}-(\d+)-", key))})
            count = 0
            for index in indexes:
                if form.get("remove") == f"{source}-{index}":
                    continue
                scratch = FormState(state.kind)
                if _read(scratch, spec.children, form, f"{source}-{index}-", f"{target}-{count}-"):
                    state.values.update(scratch.values)
                    state.rows.update(scratch.rows)
                    count += 1
            state.rows[target] = count + (1 if form.get("add") == source else 0)
            filled |= count > 0
        elif spec.type == "codes":
            chosen = [v for v in form.getlist(source) if v]
            state.values[target] = chosen
            filled |= bool(chosen)
        elif spec.type == "location":
            base_source, base_target = source.rsplit("-", 1)[0], target.rsplit("-", 1)[0]
            for part in ("lat", "lon", "geojson"):
                text = form.get(f"{base_source}-{part}", "")
                state.values[f"{base_target}-{part}"] = text
                filled |= bool(text.strip())
        else:
            text = form.get(source, "")
            state.values[target] = text
            filled |= bool(text.strip())
    return filled


def to_data(state: FormState, organisation: str) -> tuple[dict, dict[str, list[str]]]:
    """The registration data the form holds, and problems found before validation (by data path)."""
    problems: dict[str, list[str]] = {}
    data = _build(state, fields_for(state.kind), "", "", problems)
    english = {key[3:]: value for key, value in state.values.items() if key.startswith("en-") and value.strip()}
    data.update(kind=state.kind, organisation=organisation, en=english)
    data = prune(data)
    # An empty kind section still goes in, so each of its required fields gets its own error.
    data.setdefault(state.kind, {})
    return data, problems


def _build(state: FormState, specs, prefix: str, path: str, problems: dict) -> dict:
    data = {}
    for spec in specs:
        name, here = _name(prefix, spec), f"{path}{spec.name}"
        if spec.type == "object":
            data[spec.name] = prune(_build(state, spec.children, f"{name}-", f"{here}.", problems))
        elif spec.type == "list":
            rows = [prune(_build(state, spec.children, f"{name}-{i}-", f"{here}.{i}.", problems))
                    for i in range(state.rows.get(name, 0))]
            data[spec.name] = [row for row in rows if row]
        elif spec.type == "codes":
            data[spec.name] = list(state.values.get(name) or [])
        elif spec.type == "texts":
            data[spec.name] = [line.strip() for line in (state.values.get(name) or "").splitlines() if line.strip()]
        elif spec.type == "location":
            data[spec.name] = _location(state, name.rsplit("-", 1)[0], here, problems)
        else:
            data[spec.name] = state.values.get(name, "")
    return data


def _location(state: FormState, base: str, path: str, problems: dict):
    """A GeoJSON geometry from the pasted text, else a point from latitude and longitude."""
    pasted = (state.values.get(f"{base}-geojson") or "").strip()
    lat = (state.values.get(f"{base}-lat") or "").strip()
    lon = (state.values.get(f"{base}-lon") or "").strip()
    if pasted:
        try:
            return json.loads(pasted)
        except ValueError:
            problems.setdefault(path, []).append("The GeoJSON is not valid JSON.")
            return None
    if not lat and not lon:
        return None
    try:
        return {"type": "Point", "coordinates": [float(lon.replace(",", ".")), float(lat.replace(",", "."))]}
    except ValueError:
        problems.setdefault(path, []).append("Latitude and longitude must be numbers.")
        return None


@dataclass
class ErrorView:
    """Errors placed beside their inputs, and the summary at the top that links to them."""

    by_name: dict[str, list[str]] = field(default_factory=dict)
    summary: list[tuple[str, str, str]] = field(default_factory=list)  # (anchor id, label, message)

    def get(self, name: str) -> list[str]:
        return self.by_name.get(name, [])


def anchor(kind: str, name: str) -> str:
    """The id a summary link jumps to for an input name."""
    if name == f"{kind}-location":
        return f"field-{kind}-lat"
    return f"field-{name}"


def place_errors(state: FormState, errors: dict[str, list[str]]) -> ErrorView:
    """Map each error's data path to the nearest input the form shows (a list row, a list, a field)."""
    known = _known_names(state)
    order = {name: i for i, name in enumerate(known)}
    view = ErrorView()
    placed = []
    for path, messages in errors.items():
        name = path.replace(".", "-")
        while name and name not in known:
            name = name.rsplit("-", 1)[0] if "-" in name else ""
        placed.append((order.get(name, -1), path, messages))
    # The summary lists problems in the order of the form, top to bottom.
    for _position, path, messages in sorted(placed, key=lambda p: (p[0], p[1])):
        name = path.replace(".", "-")
        while name and name not in known:
            name = name.rsplit("-", 1)[0] if "-" in name else ""
        target = name or "_form"
        for text in messages:
            shown = message(text)
            view.by_name.setdefault(target, []).append(shown)
            if target == "_form":
                view.summary.append(("registration-form", "", shown))
            else:
                view.summary.append((known[target], label(target.replace("-", ".")), shown))
    return view


def _known_names(state: FormState) -> dict[str, str]:
    """Every input (or group of inputs) name on the form, with the id errors link to."""
    known: dict[str, str] = {}

    def visit(specs, prefix):
        for spec in specs:
            name = _name(prefix, spec)
            if spec.type == "object":
                known[name] = f"group-{name}"
                visit(spec.children, f"{name}-")
            elif spec.type == "list":
                known[name] = f"group-{name}"
                for i in range(state.row_count(name)):
                    known[f"{name}-{i}"] = f"group-{name}-{i}"
                    visit(spec.children, f"{name}-{i}-")
            elif spec.type == "location":
                known[name] = anchor(state.kind, name)
            elif spec.type == "codes":
                known[name] = f"field-{name}-0"
            else:
                known[name] = f"field-{name}"
                if spec.has_english:
                    known[f"en-{spec.name}"] = f"field-en-{spec.name}"

    visit(state.specs, "")
    known["en"] = "field-en-title"
    return known


def options(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a vocabulary in the visitor's language."""
    lang = g.get("language", "nl")
    return [(t["code"], t.get(lang) or t["nl"]) for t in vocab.vocabularies()[vocabulary]["terms"]]
