"""The Algoritmeregister publicatiestandaard 1.0: its JSON shape to the register's format and back.

`from_standard` reads an entry, `to_standard` writes one (plain text, no HTML), `validate_standard`
checks an entry against the standard's own configuration (backend_schemas_config_v1_0.json) and
`merge_standard` applies an entry to an existing registration without losing what the standard
cannot say (GDPR ground, DPIA status, lifecycle "pilot", exact dates, ...).

What does not survive a round trip (entry → register → entry), and why:
- `tags`, `impacttoetsen` (the explanation text), `website` (when `contact_email` is given too):
  the register has no field for them.
- `lawful_basis`: kept as a legal-basis title, so cut at 300 characters and folded onto one line;
  grouping titles are cut at the standard's 100 characters; a title and link given the wrong way
  round (a URL as title) are put right.
- `category`: several categories map to one theme (Werk and Sociale zekerheid are both work_income),
  so the category that comes back is the theme's; the order is not kept.
- `impacttoetsen_grouping`: a DPIA comes back under its standard name; other tests keep their title.
- `begin_date`/`end_date`: months; the register keeps a day (the 1st) and gives the month back.
- `source_data` and `methods_and_models` live in the register's description (after the summary);
  when only `source_data` is given it comes back as `methods_and_models`.
- `contact_email`, `organization`, `source_id`, `lang`, `standard_version` are always filled on
  export (the register's contact, organisation name and public id; "nld"; "1.0").
"""

import copy
import json
import re
from functools import cache
from pathlib import Path

from register import vocab
from register.sources.text import html_to_text, trim
from register.sources.themes import guess_themes

CONFIG_PATH = (Path(__file__).resolve().parents[2] / "seed_data" / "algoritmeregister" / "standard_config"
               / "backend_schemas_config_v1_0.json")
REF_PREFIX = "standard:"  # provenance.ref of every entry read from the standard

LIFECYCLE = {"in gebruik": "in_use", "in ontwikkeling": "in_development", "buiten gebruik": "out_of_use",
             "in_gebruik": "in_use", "ontwikkeling": "in_development", "buiten_gebruik": "out_of_use"}
PUBLICATION_CATEGORY = {"impactvolle algoritmes": "impactful", "hoog-risico ai-systeem": "high_risk_ai",
                        "overige algoritmes": "other"}
CATEGORY_THEMES = {
    "openbare orde en veiligheid": "safety", "verkeer": "mobility", "vervoer": "mobility",
    "sociale zekerheid": "work_income", "werk": "work_income", "zorg en gezondheid": "health",
    "zorg": "care", "onderwijs": "education", "wonen": "housing", "belasting": "taxes", "financiën": "taxes",
    "natuur en milieu": "environment", "milieu": "environment", "water": "climate_water",
    "ruimte en infrastructuur": "spatial_planning", "bouwen en verbouwen": "spatial_planning",
    "economie": "economy", "migratie en integratie": "migration", "recht": "justice",
    "cultuur en recreatie": "culture_recreation", "organisatie en bedrijfsvoering": "governance",
    "overheid en democratie": "governance", "landbouw": "nature_agriculture",
    "onderwijs en wetenschap": "education", "overheidsfinanciën": "taxes",
}

# ---- back to the standard ----

STATUS = {"planned": "In ontwikkeling", "in_development": "In ontwikkeling", "pilot": "In gebruik",
          "in_use": "In gebruik", "out_of_use": "Buiten gebruik"}
CATEGORY = {"impactful": "Impactvolle algoritmes", "high_risk_ai": "Hoog-risico AI-systeem",
            "other": "Overige algoritmes"}
THEME_CATEGORY = {  # every theme to one of the standard's permitted categories ("other" has none)
    "mobility": "Verkeer", "safety": "Openbare orde en veiligheid", "environment": "Natuur en milieu",
    "climate_water": "Natuur en milieu", "social_domain": "Sociale zekerheid", "work_income": "Sociale zekerheid",
    "care": "Zorg en gezondheid", "health": "Zorg en gezondheid", "youth": "Zorg en gezondheid",
    "education": "Onderwijs en wetenschap", "housing": "Wonen", "public_space": "Ruimte en infrastructuur",
    "waste": "Natuur en milieu", "energy": "Natuur en milieu", "economy": "Economie",
    "taxes": "Overheidsfinanciën", "permits": "Openbare orde en veiligheid", "migration": "Migratie en integratie",
    "justice": "Recht", "spatial_planning": "Ruimte en infrastructuur", "nature_agriculture": "Natuur en milieu",
    "culture_recreation": "Cultuur en recreatie", "governance": "Organisatie en bedrijfsvoering",
}
DPIA_TITLE = "Data Protection Impact Assessment (DPIA)"
DONE = ("completed", "prior_consultation")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@cache
def standard_properties() -> dict:
    """The standard's properties (name → its configuration), in the standard's order."""
    return json.loads(CONFIG_PATH.read_text(encoding="utf-8"))["properties"]


def _groups(value) -> list[dict]:
    return [g for g in (value or []) if isinstance(g, dict) and (g.get("title") or g.get("link"))]


def _url(value) -> str | None:
    value = (value or "").strip() if isinstance(value, str) else ""
    return value if value.startswith(("http://", "https://")) else None


def _month_to_date(value):
    """The standard's months (2023-01) as the register's dates (2023-01-01); other values as given."""
    if isinstance(value, str) and _MONTH.match(value.strip()):
        return value.strip() + "-01"
    return value or None


def _legal_basis(entry: dict) -> list[dict]:
    items = []
    for g in _groups(entry.get("lawful_basis_grouping")):
        title, link = (g.get("title") or "").strip(), (g.get("link") or "").strip()
        if _url(title) and not _url(link):  # title and link the wrong way round, as happens in the source
            title, link = link, title
        items.append({"title": trim(title or link, 300), **({"url": _url(link)} if _url(link) else {})})
    text = trim(html_to_text(entry.get("lawful_basis")), 300)
    if text and text not in {i["title"] for i in items}:
        items.append({"title": text})  # the explanation, kept beside the linked laws
    return items


def from_standard(entry: dict, *, organisation: str, source: str) -> dict:
    """One publicatiestandaard 1.0 entry as registration data of the given organisation."""
    summary = html_to_text(entry.get("description_short"))
    goal = html_to_text(entry.get("goal"))
    name = html_to_text(entry.get("name")) or "Algoritme zonder naam"
    themes = [CATEGORY_THEMES[c.lower()] for c in entry.get("category") or []
              if isinstance(c, str) and c.lower() in CATEGORY_THEMES]
    legal = _legal_basis(entry)
    assessments, dpia = [], None
    for g in _groups(entry.get("impacttoetsen_grouping")):
        title = (g.get("title") or "").lower()
        link = _url(g.get("link"))
        if "dpia" in title or "gegevensbescherming" in title:
            dpia = {"status": "completed", **({"url": link} if link else {})}
        else:
            kind = "iama" if "iama" in title or "mensenrechten" in title else "deda" if "deda" in title else "other"
            assessments.append({"type": kind, "status": "completed", "summary": trim(g.get("title") or "", 4000),
                                **({"url": link} if link else {})})
    inputs = []
    for g in _groups(entry.get("source_data_grouping")):
        title, link = (g.get("title") or "").strip(), _url(g.get("link"))
        inputs.append({"name": trim(title or g.get("link"), 200),
                       **({"source": trim(link, 300)} if link and title else {})})
    source_text = html_to_text(entry.get("source_data"))
    if not inputs and source_text:
        inputs = [{"name": trim(source_text.splitlines()[0], 200)}]
    algorithm = {
        "publication_category": PUBLICATION_CATEGORY.get((entry.get("publication_category") or "").lower()),
        "human_intervention": html_to_text(entry.get("human_intervention")) or None,
        "proportionality": html_to_text(entry.get("proportionality")) or None,
        "risks": html_to_text(entry.get("risks")) or None,
        "inputs": inputs or None,
        "supplier": {"name": trim(html_to_text(entry.get("provider")), 200)} if html_to_text(entry.get("provider")) else None,
        "source_code_url": _url(entry.get("publiccode")),
        "processing_register_url": _url(entry.get("process_index_url")),
        "lars": entry.get("lars") or None,
    }
    data = {
        "kind": "algorithm", "organisation": organisation, "title": trim(name, 100),
        "summary": trim(summary or goal or name, 350), "purpose": goal or summary or name,
        "description": "\n\n".join(t for t in (summary, html_to_text(entry.get("methods_and_models")), source_text) if t) or None,
        "themes": sorted(set(themes)) or guess_themes(name, summary, goal),
        "legal_basis": legal or None, "gdpr_ground": "not_stated", "personal_data": "not_stated",
        "dpia": dpia, "assessments": assessments or None,
        "lifecycle": LIFECYCLE.get((entry.get("status") or "").lower(), "in_use"),
        "start_date": _month_to_date(entry.get("begin_date")), "end_date": _month_to_date(entry.get("end_date")),
        "contact": (entry.get("contact_email") or _url(entry.get("website")) or "https://algoritmes.overheid.nl"),
        "openness": "public",
        "provenance": {"source": source, "ref": f"{REF_PREFIX}{entry.get('id') or entry.get('lars') or name}"[:120],
                       **({"url": _url(entry.get("url"))} if _url(entry.get("url")) else {})},
        "algorithm": {k: v for k, v in algorithm.items() if v is not None},
    }
    return {k: v for k, v in data.items() if v is not None}


def _fit(text, limit: int) -> str | None:
    """Text within a limit: as it is when it fits (line breaks kept), else cut at a word."""
    if not text:
        return None
    return text if len(text) <= limit else trim(text, limit)


def is_from_standard(data: dict) -> bool:
    """True when a registration was read from the publicatiestandaard (its description is composed)."""
    return str((data.get("provenance") or {}).get("ref") or "").startswith(REF_PREFIX)


def _description_parts(data: dict) -> tuple[str, str | None, str | None]:
    """description_short, methods_and_models and source_data from the summary and description."""
    summary = data.get("summary") or ""
    description = data.get("description") or None
    if not is_from_standard(data):
        return summary, description, None
    # from_standard wrote "summary\n\nmethods\n\nsource data"; html_to_text never leaves empty lines.
    parts = [p for p in (description or "").split("\n\n") if p.strip()]
    short = summary
    if parts and trim(parts[0], 350) == summary:
        short = parts.pop(0)  # the summary in full (the register's summary stops at 350 characters)
    return short, (parts[0] if parts else None), ("\n".join(parts[1:]) or None)


def _legal_title(item: dict) -> str:
    return f"{item['title']}, {item['citation']}" if item.get("citation") else item["title"]


def _impact_tests(data: dict, from_standard_origin: bool) -> tuple[list[dict], str | None]:
    dpia = data.get("dpia") or {}
    tests, notes = [], []
    if dpia.get("status") in DONE:
        tests.append({"title": DPIA_TITLE, **({"link": dpia["url"]} if dpia.get("url") else {})})
    elif dpia.get("status"):
        reason = f" {dpia['reason']}" if dpia.get("reason") else ""
        notes.append(f"DPIA: {vocab.label('dpia_status', dpia['status']).lower()}.{reason}")
    for a in data.get("assessments") or []:
        label = vocab.label("assessment_type", a["type"])
        if a["status"] == "completed":
            title = a.get("summary") if from_standard_origin and a.get("summary") else label
            tests.append({"title": title, **({"link": a["url"]} if a.get("url") else {})})
        else:
            notes.append(f"{label}: {vocab.label('assessment_status', a['status']).lower()}.")
    return tests, ("\n".join(notes) or None)


def to_standard(data: dict, organisation_name: str) -> dict:
    """A registration (exchange dict of an algorithm) as a publicatiestandaard 1.0 entry, plain text.

    Every one of the standard's properties is there, None when the register has nothing for it.
    """
    algorithm = data.get("algorithm") or {}
    provenance = data.get("provenance") or {}
    origin = is_from_standard(data)
    short, methods, source_data = _description_parts(data)
    inputs = algorithm.get("inputs") or []
    if not origin:
        source_data = "\n".join(f"{i['name']} ({i['source']})" if i.get("source") else i["name"] for i in inputs) \
            or ", ".join(data.get("data_categories") or []) or None
    legal = data.get("legal_basis") or []
    unlinked = [_legal_title(i) for i in legal if not i.get("url")]
    tests, test_notes = _impact_tests(data, origin)
    categories = []
    for theme in data.get("themes") or []:
        if THEME_CATEGORY.get(theme) and THEME_CATEGORY[theme] not in categories:
            categories.append(THEME_CATEGORY[theme])
    entry = {
        "name": _fit(data.get("title"), 100),
        "description_short": _fit(short, 400),
        "organization": _fit(organisation_name, 100),
        "category": categories or None,
        "status": STATUS.get(data.get("lifecycle")),
        "begin_date": (data.get("start_date") or "")[:7] or None,
        "end_date": (data.get("end_date") or "")[:7] or None,
        "contact_email": _fit(data.get("contact"), 500),
        "website": None,
        "publication_category": CATEGORY.get(algorithm.get("publication_category")),
        "url": provenance.get("url"),
        "goal": _fit(data.get("purpose"), 2500),
        "proportionality": _fit(algorithm.get("proportionality"), 2500),
        "human_intervention": _fit(algorithm.get("human_intervention"), 2500),
        "risks": _fit(algorithm.get("risks"), 2500),
        "lawful_basis": _fit("\n".join(unlinked or [_legal_title(i) for i in legal]), 2500),
        "lawful_basis_grouping": [{"title": trim(_legal_title(i), 100), "link": i["url"]}
                                  for i in legal if i.get("url")] or None,
        "process_index_url": algorithm.get("processing_register_url"),
        "impacttoetsen_grouping": tests or None,
        "impacttoetsen": _fit(test_notes, 2500),
        "source_data": _fit(source_data, 2500),
        "source_data_grouping": [{"title": trim(i["name"], 500), "link": i["source"]}
                                 for i in inputs if _url(i.get("source"))] or None,
        "methods_and_models": _fit(methods, 5000),
        "provider": _fit((algorithm.get("supplier") or {}).get("name"), 200),
        "publiccode": algorithm.get("source_code_url"),
        "lang": "nld",
        "standard_version": "1.0",
        "source_id": _fit(data.get("public_id"), 100),
        "tags": None,
        "lars": algorithm.get("lars"),
        "publication_dt": (data.get("last_published_at") or "")[:10] or None,
    }
    return {name: entry.get(name) for name in standard_properties()}


# ---- checking an entry ----


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _required(spec: dict) -> bool:
    return spec.get("required") in (True, "true")  # the configuration writes one of them as a string


def _check_group(name: str, spec: dict, value, add) -> None:
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            add(f"{name}.{i}", "Give an object with " + " and ".join(spec["items"]) + ".")
            continue
        for key in item:
            if key not in spec["items"]:
                add(f"{name}.{i}.{key}", "Unknown field.")
        for key, sub in spec["items"].items():
            part = item.get(key)
            if _is_empty(part if not isinstance(part, str) else part.strip()):
                if _required(sub):
                    add(f"{name}.{i}.{key}", "Required.")
            elif not isinstance(part, str):
                add(f"{name}.{i}.{key}", "Give text.")
            elif sub.get("max_length") and len(part) > sub["max_length"]:
                add(f"{name}.{i}.{key}", f"At most {sub['max_length']} characters.")


def validate_standard(entry) -> dict[str, list[str]]:
    """Every problem of one entry by field (empty when valid): required fields, unknown fields, unknown
    values of enumerations, types, lengths, and the formats the register needs (months, URLs, lars)."""
    if not isinstance(entry, dict):
        return {"_entry": ["Give each entry as a JSON object."]}
    properties = standard_properties()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for key in entry:
        if key not in properties:
            add(key, "Unknown field: the publicatiestandaard 1.0 has no such property.")
    for name, spec in properties.items():
        value = entry.get(name)
        if _is_empty(value.strip() if isinstance(value, str) else value):
            if _required(spec):
                add(name, "Required by the publicatiestandaard 1.0.")
            continue
        permitted = spec.get("permitted_values")
        if spec.get("type") == "array":
            if not isinstance(value, list):
                add(name, "Give a list.")
            elif "items" in spec:
                _check_group(name, spec, value, add)
            elif permitted:
                allowed = {p.casefold() for p in permitted}
                for i, item in enumerate(value):
                    if not isinstance(item, str) or item.casefold() not in allowed:
                        add(f"{name}.{i}", f"Unknown value {item!r}; use one of: {', '.join(permitted)}.")
        elif not isinstance(value, str):
            add(name, "Give text.")
        elif spec.get("type") == "enum" or permitted:
            if value.casefold() not in {p.casefold() for p in permitted or []}:
                add(name, f"Unknown value {value!r}; use one of: {', '.join(permitted or [])}.")
        elif spec.get("max_length") and len(value) > spec["max_length"]:
            add(name, f"At most {spec['max_length']} characters.")
    for name in ("begin_date", "end_date"):
        if isinstance(entry.get(name), str) and entry[name].strip() and not _MONTH.match(entry[name].strip()):
            add(name, "Give a month as YYYY-MM, for example 2023-01.")
    for name in ("website", "url", "publiccode", "process_index_url"):
        if isinstance(entry.get(name), str) and entry[name].strip() and not _url(entry[name]):
            add(name, "Give a URL starting with https://.")
    contact = entry.get("contact_email")
    if isinstance(contact, str) and contact.strip() and "@" not in contact and not _url(contact):
        add("contact_email", "Give an e-mail address or a URL starting with https://.")
    lars = entry.get("lars")
    if isinstance(lars, str) and lars.strip() and not lars.strip().isdigit():
        add("lars", "Give the Algoritmeregister's numeric id.")
    return errors


# ---- applying an entry to an existing registration ----

# Which register fields each standard field decides. Fields the standard cannot express (GDPR ground,
# personal data, openness, links, English texts) are never touched by an entry.
_DECIDES = {
    "name": ("title",), "description_short": ("summary", "description"), "category": ("themes",),
    "status": ("lifecycle",), "begin_date": ("start_date",), "end_date": ("end_date",),
    "contact_email": ("contact",), "website": ("contact",),
    "publication_category": ("algorithm.publication_category",), "url": ("provenance.url",),
    "goal": ("purpose",), "proportionality": ("algorithm.proportionality",),
    "human_intervention": ("algorithm.human_intervention",), "risks": ("algorithm.risks",),
    "lawful_basis": ("legal_basis",), "lawful_basis_grouping": ("legal_basis",),
    "process_index_url": ("algorithm.processing_register_url",),
    "impacttoetsen_grouping": ("dpia", "assessments"), "source_data": ("description",),
    "source_data_grouping": ("algorithm.inputs",), "methods_and_models": ("description",),
    "provider": ("algorithm.supplier",), "publiccode": ("algorithm.source_code_url",), "lars": ("algorithm.lars",),
}


def _norm(value):
    """A value as compared between an entry and an export: plain text, spaces folded, empties as None."""
    if isinstance(value, str):
        return " ".join(html_to_text(value).split()) or None
    if isinstance(value, list):
        items = [_norm(v) for v in value]
        return sorted((i for i in items if i is not None), key=json.dumps) or None
    if isinstance(value, dict):
        pruned = {k: _norm(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None} or None
    return value


def _get(data: dict, path: str):
    head, _, rest = path.partition(".")
    return (data.get(head) or {}).get(rest) if rest else data.get(head)


def _put(data: dict, path: str, value) -> None:
    """Set a field (one level into a section); an empty value removes it, and an emptied section too."""
    head, _, rest = path.partition(".")
    target = data.setdefault(head, {}) if rest else data
    key = rest or head
    if value in (None, "", [], {}):
        target.pop(key, None)
    else:
        target[key] = copy.deepcopy(value)
    if rest and not target:
        data.pop(head)


def changed_fields(entry: dict, current: dict, organisation_name: str) -> set[str]:
    """The standard fields in which an entry differs from what the registration exports now."""
    exported = to_standard(current, organisation_name)
    enums = {"status", "publication_category", "lang", "standard_version"}
    changed = set()
    for name in standard_properties():
        new, old = entry.get(name), exported.get(name)
        if name in enums or name == "category":
            new, old = (_norm(v.casefold() if isinstance(v, str) else
                              [i.casefold() for i in v if isinstance(i, str)] if isinstance(v, list) else v)
                        for v in (new, old))
        else:
            new, old = _norm(new), _norm(old)
        if new != old:
            changed.add(name)
    return changed


def merge_standard(current: dict, entry: dict, incoming: dict, organisation_name: str) -> dict | None:
    """The registration data after applying an entry (None when nothing changes).

    `current` is the registration's pending exchange data, `incoming` is from_standard(entry). Only
    the register fields of the standard fields that differ from the current export are taken over,
    so what the standard cannot say, or says less exactly, stays as it is.
    """
    merged = copy.deepcopy(current)
    origin = is_from_standard(current)
    for name in sorted(changed_fields(entry, current, organisation_name)):
        for path in _DECIDES.get(name, ()):
            if path == "themes" and not entry.get("category"):
                continue  # no categories given: keep the themes rather than guess new ones
            if path == "dpia" and not incoming.get("dpia"):
                continue  # the standard only lists tests that were done; keep what else is known
            if path == "assessments":
                kept = [a for a in current.get("assessments") or [] if a.get("status") != "completed"]
                _put(merged, path, kept + (incoming.get("assessments") or []))
            elif path == "description" and not origin:
                # A registration made in the register keeps its own description, shown as methods_and_models.
                if name == "methods_and_models":
                    _put(merged, path, html_to_text(entry.get("methods_and_models")) or None)
            else:
                _put(merged, path, _get(incoming, path))
    return None if merged == current else merged
