"""Entries of the Algoritmeregister snapshot (algoritmes.overheid.nl) as registration data."""

from register.sources.publicatiestandaard import LIFECYCLE
from register.sources.text import html_to_text, trim
from register.sources.themes import guess_themes

SOURCE = "Algoritmeregister (algoritmes.overheid.nl)"


def from_snapshot(entry: dict, *, organisation: str) -> dict:
    """One snapshot entry (id, title, doel, juridische_basis, impactassessment, status, url)."""
    title = html_to_text(entry.get("title")) or f"Algoritme {entry['id']}"
    goal = html_to_text(entry.get("doel"))
    legal = html_to_text(entry.get("juridische_basis"))
    assessed = (entry.get("impactassessment") or "").lower()
    assessments = {
        "ja": [{"type": "other", "status": "completed",
                "summary": "Volgens het Algoritmeregister is een impacttoets gedaan (welke staat daar niet)."}],
        "nee": [{"type": "other", "status": "not_done",
                 "summary": "Volgens het Algoritmeregister is geen impacttoets gedaan."}],
    }.get(assessed)
    data = {
        "kind": "algorithm", "organisation": organisation, "title": trim(title, 100),
        "summary": trim(goal or title, 350), "purpose": goal or "Het doel staat niet in het Algoritmeregister.",
        "themes": guess_themes(title, goal, legal),
        "legal_basis": [{"title": trim(legal, 300)}] if legal else None,
        "gdpr_ground": "not_stated", "personal_data": "not_stated", "assessments": assessments,
        "lifecycle": LIFECYCLE.get(entry.get("status") or "", "in_use"),
        "contact": entry.get("url") or "https://algoritmes.overheid.nl",
        "openness": "public",
        "provenance": {"source": SOURCE, "url": entry.get("url"), "ref": f"lars:{entry['id']}"},
        "algorithm": {"lars": str(entry["id"])},
    }
    if len(goal) > 350:
        data["description"] = goal
    return {k: v for k, v in data.items() if v is not None}
