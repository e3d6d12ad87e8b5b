"""An offline gazetteer from the seed data: four-digit postcodes, places and municipalities."""

import csv
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from register.geo.geometry import haversine_m
from register.geocoding.place import Place

MAX_QUERY_LENGTH = 100  # longer input is not a place name; answering it would only cost time
MIN_QUERY_LENGTH = 2
POSTCODE_RADIUS_M = 1000  # a PC4 area in a town is roughly 1-2 km across
SAME_PLACE_M = 15_000  # groups of one place name closer than this are one town cut by a municipal border

# Names people use for a municipality that differ from the CBS name (keys are normalised).
MUNICIPALITY_ALIASES = {
    "den bosch": "GM0796",
    "hertogenbosch": "GM0796",
    "den haag": "GM0518",
    "the hague": "GM0518",
    "gravenhage": "GM0518",
}

# "5611", "5611 AB", "5611ab", optionally followed by a place name ("5611 Eindhoven", a label of ours).
_POSTCODE = re.compile(r"^(\d{4})(?: ?([a-z]{2}))?(?: (.+))?$")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Lower case, without accents or punctuation, single spaces: "'s-Hertogenbosch" -> "s hertogenbosch"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain).strip()


@dataclass
class _Entry:
    place: Place
    names: set[str]  # normalised names: matched exactly, by prefix and as a part
    labels: set[str]  # normalised extra labels ("laren lochem"): matched only exactly
    weight: int  # number of postcodes: the larger of two equal matches comes first
    rank: int  # kind order among equal matches: places before municipalities


@dataclass
class Gazetteer:
    """The loaded seed gazetteer; `search` answers free text."""

    postcodes: dict[str, Place] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)

    def search(self, query: str, limit: int = 8) -> list[Place]:
        """Places for free text, ranked: exact postcode, exact name, prefix match, then contains."""
        if not isinstance(query, str) or len(query) > MAX_QUERY_LENGTH or limit < 1:
            return []
        text = normalise(query)
        only_municipalities = False
        if text.startswith("gemeente "):
            text, only_municipalities = text[len("gemeente "):], True
        elif text.endswith(" gemeente"):  # our own label, "Utrecht (gemeente)", typed back in
            text, only_municipalities = text[: -len(" gemeente")], True
        if len(text) < MIN_QUERY_LENGTH:
            return []
        postcode = _POSTCODE.match(text)
        if postcode and not only_municipalities:
            place = self.postcodes.get(postcode.group(1))
            if place:
                return [place]  # names that happen to hold the same digits are noise here
            if not postcode.group(3):
                return []
            text = postcode.group(3)  # an unknown postcode with a place name: look for the name
        if text.isdigit():
            if only_municipalities or len(text) > 3:
                return []
            return [p for code, p in sorted(self.postcodes.items()) if code.startswith(text)][:limit]
        ranked = []
        for position, entry in enumerate(self.entries):
            if only_municipalities and entry.place.kind != "municipality":
                continue
            if text in entry.names or text in entry.labels:
                tier = 1
            elif any(name.startswith(text) or f" {text}" in f" {name}" for name in entry.names):
                tier = 2  # the whole name, or one of its words, starts with the query
            elif any(text in name for name in entry.names):
                tier = 3
            else:
                continue
            ranked.append((tier, entry.rank, -entry.weight, entry.place.label, position))
        return [self.entries[position].place for *_, position in sorted(ranked)[:limit]]


_cache: dict[Path, Gazetteer] = {}
_lock = threading.Lock()


def load(seed_dir: Path) -> Gazetteer:
    """The gazetteer of a seed data directory, read once per directory and then kept."""
    key = Path(seed_dir).resolve()
    with _lock:
        if key not in _cache:
            _cache[key] = _read(key / "gazetteer")
        return _cache[key]


def search(query: str, *, seed_dir: Path, limit: int = 8) -> list[Place]:
    """Search the gazetteer of a seed data directory (see `Gazetteer.search`)."""
    return load(seed_dir).search(query, limit=limit)


def _read(directory: Path) -> Gazetteer:
    """Build the gazetteer from postcodes.csv and municipalities.csv."""
    with open(directory / "postcodes.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(directory / "municipalities.csv", encoding="utf-8", newline="") as f:
        municipalities = list(csv.DictReader(f))
    gazetteer = Gazetteer()
    for row in rows:
        gazetteer.postcodes[row["postcode"]] = Place(
            label=f"{row['postcode']} {row['place']}", kind="postcode", lat=float(row["lat"]),
            lon=float(row["lon"]), municipality_code=row["municipality_code"], radius_m=POSTCODE_RADIUS_M)

    # A place name can lie in several municipalities (Laren NH and Laren in Lochem): those are separate
    # places. But 4pp also puts some PO-box postcodes (the "0" of a town's range) or border points in a
    # neighbouring municipality; such a group would be a false second place, so it is left out.
    groups: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        groups[row["place"]][row["municipality_code"]].append(row)
    for name, by_code in groups.items():
        kept = _distinct_places(list(by_code.values()))
        for members in kept:
            lat, lon = _centre(members)
            label = f"{name}, {members[0]['municipality']}" if len(kept) > 1 else name
            place = Place(label=label, kind="place", lat=lat, lon=lon, municipality_code=members[0]["municipality_code"],
                          radius_m=_radius(lat, lon, members, low=1000, high=10_000))
            gazetteer.entries.append(_Entry(place, {normalise(name)}, {normalise(label)}, len(members), 0))

    by_municipality = defaultdict(list)
    for row in rows:
        by_municipality[row["municipality_code"]].append(row)
    aliases = defaultdict(set)
    for alias, code in MUNICIPALITY_ALIASES.items():
        aliases[code].add(alias)
    for row in municipalities:
        code, name = row["gm_code"], row["gemeentenaam"]
        lat, lon = float(row["lat"]), float(row["lon"])
        members = by_municipality.get(code, [])
        place = Place(label=f"{name} (gemeente)", kind="municipality", lat=lat, lon=lon, municipality_code=code,
                      radius_m=_radius(lat, lon, members, low=2000, high=25_000))
        # "Hengelo (O.)" also answers to "Hengelo"
        keys = {normalise(name), normalise(_PARENTHESES.sub("", name))} | aliases[code]
        gazetteer.entries.append(_Entry(place, keys, set(), len(members), 1))
    return gazetteer


def _distinct_places(groups: list[list[dict]]) -> list[list[dict]]:
    """The groups (postcodes of one name per municipality) that are places of their own, largest first."""
    real = [g for g in groups if not all(r["postcode"].endswith("0") for r in g)] or groups
    kept: list[list[dict]] = []
    for members in sorted(real, key=len, reverse=True):
        lat, lon = _centre(members)
        if all(haversine_m(lat, lon, *_centre(other)) > SAME_PLACE_M for other in kept):
            kept.append(members)
    return kept


def _centre(members: list[dict]) -> tuple[float, float]:
    """Mean of the postcodes' distinct points (PO-box postcodes share one point and would pull it off)."""
    points = {(float(r["lat"]), float(r["lon"])) for r in members}
    return (round(sum(p[0] for p in points) / len(points), 6), round(sum(p[1] for p in points) / len(points), 6))


def _radius(lat: float, lon: float, members: list[dict], *, low: int, high: int) -> int:
    """Distance from the centre to its farthest postcode point, kept between low and high (metres)."""
    farthest = max((haversine_m(lat, lon, float(r["lat"]), float(r["lon"])) for r in members), default=0)
    return int(min(high, max(low, round(farthest, -2))))
