"""The Algoritmeregister publicatiestandaard 1.0: reading its JSON shape into the register's format."""

from register.sources.text import html_to_text, trim
from register.sources.themes import guess_themes

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
}


def _groups(value) -> list[dict]:
    return [g for g in (value or []) if isinstance(g, dict) and (g.get("title") or g.get("link"))]


def _url(value) -> str | None:
    value = (value or "").strip()
    return value if value.startswith(("http://", "https://")) else None


def from_standard(entry: dict, *, organisation: str, source: str) -> dict:
    """One publicatiestandaard 1.0 entry as registration data of the given organisation."""
    summary = html_to_text(entry.get("description_short"))
    goal = html_to_text(entry.get("goal"))
    name = html_to_text(entry.get("name")) or "Algoritme zonder naam"
    themes = [CATEGORY_THEMES[c.lower()] for c in entry.get("category") or [] if c.lower() in CATEGORY_THEMES]
    legal = [{"title": trim(g.get("title") or g.get("link"), 300), **({"url": g["link"]} if _url(g.get("link")) else {})}
             for g in _groups(entry.get("lawful_basis_grouping"))]
    if not legal and html_to_text(entry.get("lawful_basis")):
        legal = [{"title": trim(html_to_text(entry.get("lawful_basis")), 300)}]
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
    inputs = [{"name": trim(g.get("title") or g.get("link"), 200)} for g in _groups(entry.get("source_data_grouping"))]
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
        "start_date": entry.get("begin_date") or None, "end_date": entry.get("end_date") or None,
        "contact": (entry.get("contact_email") or _url(entry.get("website")) or "https://algoritmes.overheid.nl"),
        "openness": "public",
        "provenance": {"source": source, "ref": f"standard:{entry.get('id') or entry.get('lars') or name}"[:120],
                       **({"url": _url(entry.get("url"))} if _url(entry.get("url")) else {})},
        "algorithm": {k: v for k, v in algorithm.items() if v is not None},
    }
    return {k: v for k, v in data.items() if v is not None}
