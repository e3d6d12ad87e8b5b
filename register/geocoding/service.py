"""Geocoding as the portal calls it: the configured backend, falling back to the offline gazetteer."""

import logging
import math
import re
from pathlib import Path

from register.geocoding import gazetteer, pdok
from register.geocoding.place import Place

log = logging.getLogger(__name__)

# "lat,lon" input is accepted only around the European Netherlands, so a swapped pair is refused.
LAT_RANGE = (50.6, 53.7)
LON_RANGE = (3.2, 7.3)
_POINT = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def geocode(query: str, *, seed_dir: Path, backend: str = "gazetteer", pdok_url: str | None = None,
            fetch: pdok.Fetch | None = None, limit: int = 8) -> list[Place]:
    """Places for a search text; "pdok" asks the Locatieserver and falls back to the gazetteer on failure."""
    if not isinstance(query, str) or not query.strip() or len(query) > gazetteer.MAX_QUERY_LENGTH:
        return []
    if backend == "pdok":
        try:
            return pdok.search(query.strip(), base_url=pdok_url or pdok.DEFAULT_URL, fetch=fetch, limit=limit)
        except pdok.PdokError as error:
            log.warning("PDOK Locatieserver unavailable, using the offline gazetteer: %s", error)
    return gazetteer.search(query, seed_dir=seed_dir, limit=limit)


def parse_point(text: str) -> tuple[float, float] | None:
    """(lat, lon) from "51.4386,5.4820" when it lies in or near the Netherlands, else None."""
    match = _POINT.match(text) if isinstance(text, str) else None
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]:
        return lat, lon
    return None
