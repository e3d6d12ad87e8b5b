"""Bulk import of registrations from CSV or Excel rows (and Algoritmeregister JSON), all or nothing.

The columns come from the schema's field list (register/registrations/fields.py), so the template and
the importer read the same list:

- one column per single field, named after its path without the kind: `title`, `dpia_status`,
  `sensor_type`, `operator_name`;
- lists of codes or texts in one cell, separated by `;`: `themes`, `data_categories`, `processing`;
- lists of objects in numbered columns: `legal_basis_1_title`, `legal_basis_1_citation`, `parties_2_side`;
- a sensor's location as `lat` and `lon` (WGS84), or `location_geojson` for an area or route;
- English texts as `en_<field>`: `en_title`, `en_summary`;
- `kind` on every row; `public_id` (or `provenance_ref`) to update an existing registration.

Every row goes through the same create/update services as the forms and the API. Each row runs in a
savepoint so all rows' problems are collected; the caller commits only when there were none.
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from register.accounts.actor import Actor
from register.accounts.authz import require
from register.errors import Conflict, Invalid, NotAuthorised, NotFound
from register.registrations import service as registrations
from register.registrations.fields import KINDS, FieldSpec, fields_for
from register.registrations.mapping import plain, prune
from register.registrations.validation import validate_registration
from register.sources.algoritmeregister import from_snapshot
from register.transfer import existing_registration, same_content

LOCATION_COLUMNS = ("lat", "lon", "location_geojson")
TEMPLATE_REPEATS = {"legal_basis": 2, "assessments": 2, "links": 2, "inputs": 3, "parties": 3}
TRUE = {"ja", "yes", "true", "waar", "1", "j", "y"}
FALSE = {"nee", "no", "false", "onwaar", "0", "n"}
SEPARATOR = ";"


@dataclass
class Problem:
    """One problem with one field of one row (row 1 is the header line)."""

    row: int
    field: str
    message: str


@dataclass
class Outcome:
    """What an import did (or, on a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    public_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Item:
    """One row turned into registration data, with what is needed to name its columns in errors."""

    row: int
    data: dict
    columns: dict[str, str] = field(default_factory=dict)  # data path (with indexes) -> column name
    problems: list[Problem] = field(default_factory=list)


def _column(path: str, kind: str) -> str:
    """The column name of a path without list indexes: the kind's own prefix dropped, dots as underscores."""
    if path.startswith(f"{kind}."):
        path = path[len(kind) + 1:]
    return path.replace(".", "_")


def _scalar_columns(kind: str) -> dict[str, FieldSpec]:
    """Single-value columns of a kind (not in numbered lists) -> their field."""
    found: dict[str, FieldSpec] = {}

    def visit(specs):
        for spec in specs:
            if spec.type == "object":
                visit(spec.children)
            elif spec.type == "location":
                continue
            elif spec.type != "list":
                found[_column(spec.path, kind)] = spec
                if spec.has_english:
                    found[f"en_{spec.name}"] = FieldSpec(f"en.{spec.name}", "long_text")

    visit(fields_for(kind))
    return found


def _list_groups(kind: str) -> dict[str, FieldSpec]:
    """Numbered column groups of a kind (legal_basis, assessments, links, inputs, parties) -> their field."""
    found = {}

    def visit(specs):
        for spec in specs:
            if spec.type == "object":
                visit(spec.children)
            elif spec.type == "list":
                found[_column(spec.path, kind)] = spec

    visit(fields_for(kind))
    return found


def template_columns(kind: str) -> list[str]:
    """The columns of the template for one kind, in form order."""
    columns = ["kind", "public_id"]

    def visit(specs):
        for spec in specs:
            name = _column(spec.path, kind)
            if spec.type == "object":
                visit(spec.children)
            elif spec.type == "location":
                columns.extend(LOCATION_COLUMNS)
            elif spec.type == "list":
                for n in range(1, TEMPLATE_REPEATS.get(name, 2) + 1):
                    columns.extend(f"{name}_{n}_{child.name}" for child in spec.children)
            else:
                columns.append(name)
                if spec.has_english:
                    columns.append(f"en_{spec.name}")

    visit(fields_for(kind))
    return columns


def all_columns() -> list[str]:
    """Every column any kind may use (for an export of mixed kinds), in first-seen order."""
    seen: dict[str, None] = {}
    for kind in KINDS:
        for name in template_columns(kind):
            seen.setdefault(name, None)
    return list(seen)


def example_row(kind: str) -> dict[str, str]:
    """A filled-in example row for the template, valid for the kind."""
    common = {"kind": kind, "title": "Voorbeeld", "summary": "Wat het is en wat het voor mensen betekent.",
              "purpose": "Het doel en de publieke taak.", "themes": "safety;public_space",
              "legal_basis_1_title": "Gemeentewet", "legal_basis_1_citation": "art. 172",
              "gdpr_ground": "no_personal_data", "personal_data": "none", "lifecycle": "in_use",
              "review_date": "2027-01-01", "contact": "privacy@gemeente.invalid", "openness": "public"}
    extra = {
        "sensor": {"sensor_type": "sound_meter", "measures": "Geluidsniveau in decibel", "lat": "51.4386",
                   "lon": "5.4820", "identifiability": "none", "device_count": "1"},
        "algorithm": {"algorithm_type": "rules", "decision_role": "informs"},
        "agreement": {"parties_1_name": "Gemeente", "parties_1_side": "provider", "parties_1_role": "controller",
                      "parties_2_name": "Provincie", "parties_2_side": "recipient", "parties_2_role": "controller",
                      "legal_power": "Wet, artikel", "agreement_type": "convenant"},
    }[kind]
    return {**common, **extra}


def _cell(value) -> str:
    """A cell as text: Excel numbers and dates turned into what a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv(text: str) -> Iterator[list[str]]:
    """The rows of a CSV text (comma or semicolon separated, as Dutch Excel writes it)."""
    sample = text[:4096]
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)


def read_xlsx(content: bytes) -> Iterator[list[str]]:
    """The rows of the first sheet of an Excel workbook."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        workbook.close()


def items_from_rows(rows: Iterable[list[str]], *, organisation: str) -> Iterator[Item]:
    """Registration data per row (the first row names the columns); reading problems are kept per item."""
    rows = iter(rows)
    header = [h.strip() for h in next(rows, [])]
    header_problems = [Problem(1, "", "The file is empty.")] if not header else []
    known = {c for kind in KINDS for c in _scalar_columns(kind)} | set(LOCATION_COLUMNS) | {
        "kind", "public_id", "organisation"}
    groups = {g for kind in KINDS for g in _list_groups(kind)}
    for name in header:
        match = re.match(r"^(\w+?)_(\d+)_(\w+)$", name)
        if name and name not in known and not (match and match.group(1) in groups):
            header_problems.append(Problem(1, name, "Unknown column."))
    if header and "kind" not in header:
        header_problems.append(Problem(1, "kind", "The column 'kind' is missing."))
    if header_problems:
        yield Item(1, {}, problems=header_problems)
        return
    for number, values in enumerate(rows, start=2):
        cells = {name: _cell(value) for name, value in zip(header, values, strict=False) if name}
        if not any(cells.values()):
            continue
        yield _item(number, cells, organisation)


def _item(number: int, cells: dict[str, str], organisation: str) -> Item:
    kind = cells.get("kind", "").strip().lower()
    item = Item(number, {"kind": kind, "organisation": organisation})
    if cells.get("organisation") and cells["organisation"] != organisation:
        item.problems.append(Problem(number, "organisation", f"This file may only hold registrations of {organisation}."))
    if kind not in KINDS:
        item.problems.append(Problem(number, "kind", f"Use one of: {', '.join(KINDS)}."))
        return item
    scalars, groups = _scalar_columns(kind), _list_groups(kind)
    rows_of: dict[str, dict[int, dict]] = {}
    for name, text in cells.items():
        if not text or name in ("kind", "organisation"):
            continue
        if name == "public_id":
            item.data["public_id"] = text
            item.columns["public_id"] = name
        elif name in scalars:
            spec = scalars[name]
            _set(item.data, spec.path, _convert(spec, text))
            item.columns[spec.path] = name
        elif (match := re.match(r"^(\w+?)_(\d+)_(\w+)$", name)) and match.group(1) in groups:
            group, position, sub = match.group(1), int(match.group(2)), match.group(3)
            child = next((c for c in groups[group].children if c.name == sub), None)
            if child is None:
                item.problems.append(Problem(number, name, "Unknown column for this kind."))
                continue
            rows_of.setdefault(groups[group].path, {}).setdefault(position, {})[sub] = _convert(child, text)
        elif name not in LOCATION_COLUMNS:
            item.problems.append(Problem(number, name, f"Not a column for a {kind}."))
    for path, positions in rows_of.items():
        group = _column(path, kind)
        listed = []
        for position in sorted(positions):
            item.columns[f"{path}.{len(listed)}"] = f"{group}_{position}"
            listed.append(positions[position])
        _set(item.data, path, listed)
    if kind == "sensor":
        location = _location(cells, item)
        if location is not None:
            _set(item.data, "sensor.location", location)
    item.data = prune(item.data)
    item.data.setdefault("kind", kind)
    return item


def _location(cells: dict[str, str], item: Item):
    lat, lon, pasted = (cells.get(c, "").strip() for c in LOCATION_COLUMNS)
    if pasted:
        try:
            return json.loads(pasted)
        except ValueError:
            item.problems.append(Problem(item.row, "location_geojson", "Not valid JSON."))
            return None
    if lat or lon:
        try:
            return {"type": "Point", "coordinates": [float(lon.replace(",", ".")), float(lat.replace(",", "."))]}
        except ValueError:
            item.problems.append(Problem(item.row, "lat/lon", "Give latitude and longitude as numbers."))
    return None


def _convert(spec: FieldSpec, text: str):
    if spec.type in ("codes", "texts"):
        return [part.strip() for part in text.split(SEPARATOR) if part.strip()]
    if spec.type == "bool":
        lowered = text.strip().lower()
        return True if lowered in TRUE else False if lowered in FALSE else text
    return text


def _set(data: dict, path: str, value) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def items_from_algoritmeregister(entries, *, organisation: str) -> Iterator[Item]:
    """Registration data per Algoritmeregister snapshot entry (a list, or {"entries": [...]}); row = position."""
    if isinstance(entries, dict):
        entries = entries.get("entries") or entries.get("items") or entries.get("data") or []
    if not isinstance(entries, list):
        yield Item(1, {}, problems=[Problem(1, "", "Expected a list of Algoritmeregister entries.")])
        return
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or "id" not in entry:
            yield Item(number, {}, problems=[Problem(number, "id", "Each entry needs an id.")])
            continue
        yield Item(number, from_snapshot(entry, organisation=organisation))


def column_for(item: Item, path: str) -> str:
    """The column (or numbered column) an error path points at, as the person sees it in the file."""
    kind = item.data.get("kind", "")
    if path == f"{kind}.location" or path.startswith(f"{kind}.location."):
        return "lat/lon" if "location_geojson" not in item.columns.values() else "location_geojson"
    match = re.match(r"^(.*?\.\d+)(?:\.(.+))?$", path)
    if match and match.group(1) in item.columns:
        prefix = item.columns[match.group(1)]
        return f"{prefix}_{match.group(2).replace('.', '_')}" if match.group(2) else prefix
    plain = re.sub(r"\.\d+(?=\.|$)", "", path)
    return item.columns.get(plain) or _column(plain, kind)


def run(*, session: Session, actor: Actor, items: Iterable[Item]) -> Outcome:
    """Create or update a draft per item in the caller's transaction; every problem of every row is kept.

    The caller commits only when `outcome.ok` and this is not a dry run; otherwise it rolls back.
    """
    outcome = Outcome()
    for item in items:
        outcome.problems.extend(item.problems)
        if not item.data:
            continue  # nothing could be read (the header, or an entry without an id)
        read_badly = {p.field for p in item.problems}
        try:
            with session.begin_nested():
                public_id = _write(session, actor, item.data, outcome)
            if public_id:
                outcome.public_ids.append(public_id)
        except Invalid as exc:
            for path, messages in sorted(exc.errors.items()):
                column = column_for(item, path)
                if column not in read_badly:  # a value that could not be read is reported once, as such
                    outcome.problems.extend(Problem(item.row, column, m) for m in messages)
        except (Conflict, NotAuthorised, NotFound) as exc:
            outcome.problems.append(Problem(item.row, "", str(exc)))
        # Rows are independent once flushed; letting go of them keeps memory flat for big files.
        session.expunge_all()
    return outcome


def _write(session: Session, actor: Actor, data: dict, outcome: Outcome) -> str | None:
    existing = existing_registration(session, data)
    if existing is None:
        saved = registrations.create(session=session, actor=actor, data=data)
        outcome.created += 1
        return saved.registration.public_id
    # Authorise before comparing: another organisation's drafts must not even be compared (or confirmed).
    require(actor, "edit", existing.organisation_id)
    before = registrations.pending_data(session=session, registration=existing)
    try:
        # Cells are text; compare typed values, so "2" in a file equals the stored 2.
        comparable = plain(validate_registration({**data, "public_id": existing.public_id}))
    except Invalid:
        comparable = None  # the update below reports the errors
    if comparable is not None and same_content(before, comparable):
        outcome.unchanged += 1
        return existing.public_id
    registrations.update(session=session, actor=actor, public_id=existing.public_id, data=data)
    outcome.updated += 1
    return existing.public_id


def export_table(records: Iterable[dict]) -> list[list[str]]:
    """The header and one row per registration (exchange-format dicts), in the import's columns.

    Lists longer than the template's numbered columns get extra numbered columns, so nothing is lost.
    """
    rows = [to_row(data) for data in records]
    columns = all_columns()
    known = set(columns)
    for row in rows:
        for name in row:
            if name not in known:
                known.add(name)
                columns.append(name)
    return [columns] + [[row.get(c, "") for c in columns] for row in rows]


def to_row(data: dict) -> dict[str, str]:
    """One registration's exchange data as cells of the import columns (the inverse of reading a row)."""
    kind = data.get("kind", "")
    row = {"kind": kind, "public_id": data.get("public_id", "")}

    def text(spec: FieldSpec, value) -> str:
        if spec.type in ("codes", "texts"):
            return SEPARATOR.join(str(v) for v in value or [])
        if spec.type == "bool":
            return "" if value is None else ("ja" if value else "nee")
        return "" if value is None else str(value)

    def visit(specs, values: dict):
        for spec in specs:
            value = values.get(spec.name)
            if value in (None, "", [], {}):
                continue
            name = _column(spec.path, kind)
            if spec.type == "object":
                visit(spec.children, value)
            elif spec.type == "location":
                if value.get("type") == "Point":
                    row["lon"], row["lat"] = (str(c) for c in value["coordinates"][:2])
                else:
                    row["location_geojson"] = json.dumps(value, ensure_ascii=False)
            elif spec.type == "list":
                for n, entry in enumerate(value, start=1):
                    for child in spec.children:
                        cell = text(child, entry.get(child.name))
                        if cell:
                            row[f"{name}_{n}_{child.name}"] = cell
            else:
                row[name] = text(spec, value)

    if kind in KINDS:
        visit(fields_for(kind), data)
    for key, value in (data.get("en") or {}).items():
        row[f"en_{key}"] = value
    return row
