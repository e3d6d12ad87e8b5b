"""Presentation helpers for the public pages: labels in the visitor's language, plain durations, icons."""

from pathlib import Path

import isodate
from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext

from register import vocab

IDENTIFIABILITY_ORDER = {"identifiable": 0, "deidentified": 1, "none": 2}
# DTPR icons (seed_data/dtpr/icons) per sensor type, where one fits; others get the generic dot.
SENSOR_ICONS = {
    "camera": "identifiable_video", "anpr_camera": "identifiable_video", "body_camera": "identifiable_video",
    "wifi_bluetooth_counter": "identifiable_wifi_sensor", "people_counter": "person_detection",
    "lidar_counter": "li_dar", "sound_meter": "sound_level_meter", "air_quality": "air_quality",
    "weather": "thermometer", "water_level": "ultrasonic_level_sensor", "groundwater": "soil_moisture_sensor",
    "traffic_loop": "induction_loop", "parking_sensor": "motion_detector",
    "waste_fill_level": "ultrasonic_level_sensor", "smart_lighting": "passive_infrared_sensor",
    "drone": "unmanned_aircraft_system", "beacon": "location_beacon", "gps_tracker": "gps",
}


def language() -> str:
    """The visitor's language code (nl or en)."""
    return g.get("language", "nl")


def vlabel(vocabulary: str, code: str | None) -> str:
    """A vocabulary code's label in the visitor's language."""
    return vocab.label(vocabulary, code, language()) if code else ""


def localised(data: dict, key: str):
    """A text field in English when the visitor reads English and an English text exists; else Dutch."""
    if language() == "en":
        english = (data.get("en") or {}).get(key)
        if english:
            return english
    return data.get(key)


def is_untranslated(data: dict, key: str) -> bool:
    """True when an English reader gets the Dutch text (so the page can mark it lang="nl")."""
    return language() == "en" and bool(data.get(key)) and not (data.get("en") or {}).get(key)


def duration(text: str | None) -> str:
    """An ISO 8601 duration in plain words: P2Y -> 2 years, P0D -> not kept."""
    if not text:
        return ""
    try:
        value = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError):
        return text
    if isinstance(value, isodate.Duration):
        years, months, days = int(value.years), int(value.months), value.tdelta.days
    else:
        years, months, days = 0, 0, value.days
        hours = value.seconds // 3600
        if not days and hours:
            return ngettext("%(num)d hour", "%(num)d hours", hours)
    if not (years or months or days):
        return _("not kept")
    parts = []
    if years:
        parts.append(ngettext("%(num)d year", "%(num)d years", years))
    if months:
        parts.append(ngettext("%(num)d month", "%(num)d months", months))
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    return ", ".join(parts)


def icon_name(sensor_type: str | None, icons_dir: Path) -> str | None:
    """The DTPR icon file name for a sensor type, when the seed data holds it."""
    name = SENSOR_ICONS.get(sensor_type or "")
    return name if name and (icons_dir / f"{name}.svg").exists() else None


def group_sensors(sensors: list[dict]) -> list[dict]:
    """Sensors grouped by type, identifiable types first, then by number of sensors."""
    groups: dict[str, dict] = {}
    for item in sensors:
        sensor = item.get("sensor") or {}
        code = sensor.get("sensor_type") or "other"
        group = groups.setdefault(code, {"type": code, "items": [], "rank": 9})
        group["items"].append(item)
        group["rank"] = min(group["rank"], IDENTIFIABILITY_ORDER.get(sensor.get("identifiability"), 3))
    return sorted(groups.values(), key=lambda grp: (grp["rank"], -len(grp["items"]), grp["type"]))


def map_labels(icon_url) -> dict:
    """What the map script needs to label markers in the visitor's language (no text from the data)."""
    lang = language()
    return {
        "sensorType": {t["code"]: t.get(lang, t["nl"]) for t in vocab.vocabularies()["sensor_type"]["terms"]},
        "identifiability": {t["code"]: t.get(lang, t["nl"]) for t in vocab.vocabularies()["identifiability"]["terms"]},
        "icons": {code: icon_url(name) for code, name in SENSOR_ICONS.items()},
        "more": _("More about this sensor"),
        "zoomIn": _("Zoom in to see the sensors on the map."),
        "loading": _("Loading sensors…"),
        "failed": _("The sensors could not be loaded. The list on this page still works."),
        "shown": _("%(shown)s of %(total)s sensors in this part of the map are shown. Zoom in to see all of them."),
        "all": _("%(total)s sensors in this part of the map."),
    }
