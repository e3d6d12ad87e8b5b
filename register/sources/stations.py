"""Real RIVM air-quality and KNMI weather stations (seed_data/stations) as sensor registrations."""

KINDS = {
    "air_quality": {
        "organisation": "oorivm", "sensor_type": "air_quality", "themes": ["environment", "health"],
        "measures": "Luchtverontreinigende stoffen, zoals stikstofdioxide, fijnstof en ozon.",
        "purpose": ("De luchtkwaliteit in Nederland meten, zodat het Rijk weet of de lucht gezond genoeg is, "
                    "inwoners kunnen zien hoe schoon de lucht is en Nederland aan de Europese Unie kan rapporteren."),
        "legal_basis": [{"title": "Wet milieubeheer", "citation": "titel 5.2 Luchtkwaliteitseisen",
                         "url": "https://wetten.overheid.nl/BWBR0003245"},
                        {"title": "Richtlijn 2008/50/EG betreffende de luchtkwaliteit",
                         "url": "https://eur-lex.europa.eu/eli/dir/2008/50/oj"}],
        "contact": "https://www.rivm.nl/contact", "source": "RIVM-meetstations (EIONET-stationslijst 2013)",
        "summary": "Meetstation van het RIVM dat de luchtkwaliteit meet in {place}. Het meet de lucht, niet mensen.",
    },
    "weather": {
        "organisation": "ooknmi", "sensor_type": "weather", "themes": ["climate_water"],
        "measures": "Het weer: {what}.",
        "purpose": ("Het weer en het klimaat meten voor weersverwachtingen, waarschuwingen voor gevaarlijk weer "
                    "en klimaatonderzoek."),
        "legal_basis": [{"title": "Wet taken meteorologie en seismologie",
                         "url": "https://wetten.overheid.nl/BWBR0006958"}],
        "contact": "https://www.knmi.nl/over-het-knmi/contact", "source": "KNMI-stations (via hydropandas)",
        "summary": "Weerstation van het KNMI in {place}. Het meet het weer, niet mensen.",
    },
}


def from_row(row: dict) -> dict | None:
    """One row of nl_sensor_locations_combined.csv as sensor data; None for stations no longer active."""
    if row.get("active_to"):
        return None
    kind = KINDS[row["category"]]
    place = row.get("municipality") or row["name"]
    manual = "handmatige" in (row.get("sensor_type") or "").lower()
    what = "neerslag (handmatige regenmeter)" if manual else "temperatuur, wind, luchtvochtigheid, neerslag en zon"
    operator = row["owner"].split(" (")[0]
    extra = row.get("extra") or ""
    if "DCMR" in extra:
        operator = "DCMR Milieudienst Rijnmond (meetnet Rijnmond; gemeld via het RIVM)"
    return {
        "kind": "sensor", "organisation": kind["organisation"],
        "title": f"{row['sensor_type']} {row['name']}"[:100],
        "summary": kind["summary"].format(place=place), "purpose": kind["purpose"], "themes": kind["themes"],
        "legal_basis": kind["legal_basis"], "gdpr_ground": "no_personal_data", "personal_data": "none",
        "lifecycle": "in_use", "start_date": row.get("active_from") or None, "contact": kind["contact"],
        "openness": "public",
        "provenance": {"source": kind["source"], "ref": f"station:{row['station_id']}"},
        "sensor": {
            "sensor_type": kind["sensor_type"], "measures": kind["measures"].format(what=what),
            "location": {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]},
            "location_description": row["name"], "identifiability": "none", "operator": {"name": operator},
            "processing": ["aggregated"], "access": ["iedereen (open data)"],
            **({"active_from": row["active_from"]} if row.get("active_from") else {}),
        },
    }
