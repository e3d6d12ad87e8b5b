"""The answer of every geocoder: a labelled point with a hint of how far to look around it."""

import math
from dataclasses import dataclass

KINDS = ("postcode", "place", "municipality", "address")


@dataclass(frozen=True, slots=True)
class Place:
    """A found location; `radius_m` says roughly how large it is (for "near me" and the map's zoom)."""

    label: str  # display text, e.g. "5611 Eindhoven" or "Utrecht (gemeente)"
    kind: str  # one of KINDS
    lat: float
    lon: float
    municipality_code: str | None = None  # "GM0772", as in the areas table
    radius_m: int = 1000

    @property
    def zoom(self) -> int:
        """A web-map zoom level (Web Mercator, at Dutch latitudes) that shows about the radius around it."""
        # At zoom z one 256-px tile spans ~40,075 km * cos(52°) / 2^z; fit 2 * radius into ~600 px.
        metres_per_tile = 2 * self.radius_m * 256 / 600
        zoom = math.log2(40_075_000 * math.cos(math.radians(52)) / metres_per_tile)
        return max(7, min(18, int(zoom)))
