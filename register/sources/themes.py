"""Guessing themes from Dutch text for sources that give none (marked as inferred in provenance)."""

import re

KEYWORDS = {
    "mobility": r"parkeer|parkeren|verkeer|fiets|kenteken|mobiliteit|weg\b|wegen|openbaar vervoer|rijbewijs|voertuig",
    "safety": r"veiligheid|politie|criminal|ondermijning|handhaving openbare orde|camera|brand|crisis",
    "environment": r"milieu|lucht|geluid|stikstof|uitstoot|emissie",
    "climate_water": r"water|dijk|klimaat|riool|overstroming|grondwater|neerslag",
    "social_domain": r"sociaal domein|wijkteam|schuld|armoede|inburgering",
    "work_income": r"bijstand|uitkering|participatiewet|werkloos|re-integratie|werkzoekend|\bww\b|inkomen",
    "care": r"\bwmo\b|zorg|mantelzorg|welzijn|ouderen",
    "health": r"gezondheid|ggd|medisch|ziekte|vaccin",
    "youth": r"jeugd|kinder|leerplicht",
    "education": r"onderwijs|school|student|studiefinanciering",
    "housing": r"woning|huur|wonen|woz",
    "public_space": r"openbare ruimte|melding|groen|bomen|straat|afvalbak",
    "waste": r"afval|container|vuilnis",
    "energy": r"energie|warmte|zonnepa",
    "economy": r"ondernem|bedrijv|economie|subsidie",
    "taxes": r"belasting|heffing|toeslag|aanslag|invorder",
    "permits": r"vergunning|toezicht|inspectie|controle|handhaving",
    "migration": r"asiel|migratie|vreemdeling|verblijf|naturalisatie",
    "justice": r"justitie|rechtspraak|strafrecht|reclassering|gevangenis|boete",
    "spatial_planning": r"ruimtelijk|omgevingswet|bestemmingsplan|bouw",
    "nature_agriculture": r"natuur|landbouw|dier|gewas|bos",
    "governance": r"document|archief|\bwoo\b|informatiehuishouding|post|klantcontact|chatbot|vertaal|personeel",
}
_COMPILED = {theme: re.compile(pattern, re.IGNORECASE) for theme, pattern in KEYWORDS.items()}


def guess_themes(*texts: str, limit: int = 3) -> list[str]:
    """Up to `limit` theme codes whose keywords occur most in the texts; ['other'] when none do."""
    text = " ".join(t for t in texts if t)
    scored = sorted(((len(rx.findall(text)), theme) for theme, rx in _COMPILED.items()), reverse=True)
    found = [theme for score, theme in scored if score > 0][:limit]
    return found or ["other"]
