"""PDOK Locatieserver v3.1 adapter: /suggest for candidates, /lookup for the point when suggest lacks it."""

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from register.geocoding.place import Place

DEFAULT_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
TIMEOUT_S = 3.0
MAX_LOOKUPS = 3  # each lookup is a request of its own; a page handler must not wait for eight of them
USER_AGENT = "zichtbaar-register (+https://github.com/; geocoding for the citizen portal)"

# Only kinds a citizen searches for; v3.1 refuses parameters its OpenAPI document does not list, these it does.
TYPE_FILTER = "type:(gemeente OR woonplaats OR weg OR postcode OR adres)"
SUGGEST_FIELDS = "id,type,weergavenaam,score,centroide_ll,gemeentecode"
KIND_OF = {"adres": "address", "weg": "address", "postcode": "postcode", "woonplaats": "place", "gemeente": "municipality"}
RADIUS_OF = {"adres": 100, "weg": 400, "postcode": 300, "woonplaats": 3000, "gemeente": 8000}
_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.IGNORECASE)

Fetch = Callable[[str, float], bytes]  # (url, timeout in seconds) -> response body


class PdokError(Exception):
    """The Locatieserver could not be reached or answered something unusable."""


@dataclass(frozen=True)
class Suggestion:
    id: str
    type: str
    label: str
    score: float
    place: Place | None  # set when the suggest answer already carried the point


def urllib_fetch(url: str, timeout: float) -> bytes:
    """GET a URL with the standard library (the default fetch)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https URL from config)
        return response.read(1_000_000)


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(lat, lon) from a centroide_ll value "POINT(lon lat)", or None."""
    match = _POINT.match(wkt) if isinstance(wkt, str) else None
    return (float(match.group(2)), float(match.group(1))) if match else None


def suggest(query: str, *, base_url: str = DEFAULT_URL, fetch: Fetch | None = None, rows: int = 8) -> list[Suggestion]:
    """Candidates for free text from /suggest, best first."""
    params = {"q": query, "rows": str(rows), "fq": TYPE_FILTER, "fl": SUGGEST_FIELDS}
    docs = _docs(_get(f"{base_url.rstrip('/')}/suggest?{urllib.parse.urlencode(params)}", fetch))
    found = []
    for doc in docs:
        try:
            suggestion = Suggestion(id=str(doc["id"]), type=str(doc["type"]), label=str(doc["weergavenaam"]),
                                    score=float(doc.get("score") or 0), place=_place(doc))
        except (KeyError, TypeError, ValueError):
            continue  # one odd document should not cost the others
        if suggestion.type in KIND_OF:
            found.append(suggestion)
    return found


def lookup(doc_id: str, *, base_url: str = DEFAULT_URL, fetch: Fetch | None = None) -> Place | None:
    """The full object behind a suggestion id, from /lookup; None when it has no usable point."""
    params = {"id": doc_id}
    docs = _docs(_get(f"{base_url.rstrip('/')}/lookup?{urllib.parse.urlencode(params)}", fetch))
    return _place(docs[0]) if docs else None


def search(query: str, *, base_url: str = DEFAULT_URL, fetch: Fetch | None = None, limit: int = 8) -> list[Place]:
    """Places for free text: suggest, then lookup (at most MAX_LOOKUPS) for those without a point."""
    places, lookups = [], 0
    for suggestion in suggest(query, base_url=base_url, fetch=fetch, rows=limit):
        place = suggestion.place
        if place is None and lookups < MAX_LOOKUPS:
            lookups += 1
            place = lookup(suggestion.id, base_url=base_url, fetch=fetch)
        if place is not None:
            places.append(place)
    return places[:limit]


def _get(url: str, fetch: Fetch | None) -> dict:
    """Fetch and decode JSON; every failure (network, timeout, HTTP error, bad JSON) becomes PdokError."""
    try:
        body = (fetch or urllib_fetch)(url, TIMEOUT_S)
        data = json.loads(body)
    except Exception as error:  # the fetch is injected, so anything it raises counts as "unreachable"
        raise PdokError(f"Locatieserver request failed: {error!r}") from error
    if not isinstance(data, dict):
        raise PdokError("Locatieserver answered JSON that is not an object")
    return data


def _docs(data: dict) -> list[dict]:
    """The documents of a Solr-style answer ({"response": {"docs": [...]}})."""
    docs = (data.get("response") or {}).get("docs") if isinstance(data.get("response"), dict) else None
    if not isinstance(docs, list):
        raise PdokError("Locatieserver answer has no response.docs list")
    return [d for d in docs if isinstance(d, dict)]


def _place(doc: dict) -> Place | None:
    """A Place from a document with centroide_ll, weergavenaam and type; None without a point."""
    point = parse_point(doc.get("centroide_ll"))
    kind = KIND_OF.get(doc.get("type"))
    label = doc.get("weergavenaam")
    if point is None or kind is None or not isinstance(label, str):
        return None
    code = doc.get("gemeentecode")
    return Place(label=label, kind=kind, lat=point[0], lon=point[1],
                 municipality_code=f"GM{code}" if isinstance(code, str) and code.isdigit() else None,
                 radius_m=RADIUS_OF[doc["type"]])
