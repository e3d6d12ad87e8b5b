"""Geometry in WGS84: validation against the Netherlands' extent, shapes, distances, grid cells."""

import json
import math
from functools import lru_cache

import shapely
from shapely.geometry import Point, shape
from shapely.prepared import prep

EARTH_RADIUS_M = 6_371_008.8
# The European Netherlands incl. territorial waters, and the Caribbean Netherlands (BES islands).
EUROPEAN_NL = (3.0, 50.7, 7.3, 53.8)  # min_lon, min_lat, max_lon, max_lat
CARIBBEAN_NL = (-68.5, 11.9, -62.9, 17.8)
ALLOWED_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}

# Grid cells for near-me: an index on (cell, lat, lon) answers "which points lie in this box" with a
# few contiguous index range scans, identically on SQLite and PostgreSQL (no spatial extension).
CELL_DEG = 0.002
_COLS = 200_000


def cell_of(lat: float, lon: float) -> int:
    """The grid cell number of a point."""
    return int(math.floor((lat + 90) / CELL_DEG)) * _COLS + int(math.floor((lon + 180) / CELL_DEG))


def cell_ranges(min_lat: float, min_lon: float, max_lat: float, max_lon: float) -> list[tuple[int, int]]:
    """Contiguous (first, last) cell ranges, one per grid row, that cover a box."""
    row0, row1 = (int(math.floor((v + 90) / CELL_DEG)) for v in (min_lat, max_lat))
    col0, col1 = (int(math.floor((v + 180) / CELL_DEG)) for v in (min_lon, max_lon))
    return [(r * _COLS + col0, r * _COLS + col1) for r in range(row0, row1 + 1)]


def box_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of the square that holds a circle."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def distances_m(lat: float, lon: float, geometries: list[str]) -> list[float]:
    """Metres from a point to each GeoJSON geometry text (0 inside an area), in one vectorised pass.

    Coordinates are scaled to metres around the point (an equirectangular projection, accurate to well
    under 1% within a few kilometres), so GEOS measures the distances directly.
    """
    if not geometries:
        return []
    k_lat = math.radians(1) * EARTH_RADIUS_M
    k_lon = k_lat * math.cos(math.radians(lat))
    geoms = shapely.from_geojson(geometries)
    local = shapely.transform(geoms, lambda xy: (xy - (lon, lat)) * (k_lon, k_lat))
    return shapely.distance(local, Point(0.0, 0.0)).tolist()


def in_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    """True when a point lies inside (min_lon, min_lat, max_lon, max_lat)."""
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def _positions(coords):
    if coords and isinstance(coords[0], int | float):
        yield coords
    else:
        for c in coords:
            yield from _positions(c)


def _is_position(value) -> bool:
    return (isinstance(value, list) and 2 <= len(value) <= 3
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value))


def _line_ok(coords, minimum: int = 2) -> bool:
    return isinstance(coords, list) and len(coords) >= minimum and all(_is_position(p) for p in coords)


def _polygon_ok(coords) -> bool:
    # RFC 7946: linear rings of at least four positions whose first and last positions are the same.
    return isinstance(coords, list) and len(coords) >= 1 and all(
        _line_ok(ring, 4) and ring[0] == ring[-1] for ring in coords)


_SHAPE_CHECKS = {
    "Point": _is_position,
    "MultiPoint": lambda c: isinstance(c, list) and len(c) >= 1 and all(_is_position(p) for p in c),
    "LineString": _line_ok,
    "MultiLineString": lambda c: isinstance(c, list) and len(c) >= 1 and all(_line_ok(line) for line in c),
    "Polygon": _polygon_ok,
    "MultiPolygon": lambda c: isinstance(c, list) and len(c) >= 1 and all(_polygon_ok(p) for p in c),
}


def check_geometry(geometry, *, allow_caribbean: bool = False) -> list[str]:
    """Every problem with a GeoJSON geometry for a sensor location; empty when it is fine."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ALLOWED_TYPES:
        return [f"Must be a GeoJSON geometry of type {', '.join(sorted(ALLOWED_TYPES))}."]
    extra = set(geometry) - {"type", "coordinates"}
    if extra:
        return [f"A geometry has only 'type' and 'coordinates'; not {', '.join(sorted(extra))}."]
    coords = geometry.get("coordinates")
    if not _SHAPE_CHECKS[geometry["type"]](coords):
        return [f"The coordinates are not those of a GeoJSON {geometry['type']}: [longitude, latitude] positions, "
                "two or more for a line, closed rings of four or more for a polygon."]
    try:
        geom = shape(geometry)
        valid = geom.is_valid
    except (shapely.errors.ShapelyError, TypeError, ValueError) as exc:
        return [f"The geometry cannot be read: {exc}."]
    if not valid:
        return ["The geometry is not valid (for example a polygon that crosses itself)."]
    positions = list(_positions(coords))
    boxes = [EUROPEAN_NL] + ([CARIBBEAN_NL] if allow_caribbean else [])
    outside = [p for p in positions if not any(in_box(p[0], p[1], b) for b in boxes)]
    if outside:
        lon, lat = outside[0][:2]
        return [
            f"Position lon {lon}, lat {lat} lies outside the Netherlands. GeoJSON gives longitude first, "
            "then latitude (WGS84)."
        ]
    return []


def describe(geometry: dict) -> dict:
    """Shape, representative point and bounding box of a valid geometry."""
    geom = shape(geometry)
    kind = "point" if geom.geom_type in ("Point", "MultiPoint") else (
        "route" if "LineString" in geom.geom_type else "area"
    )
    rep = geom if geom.geom_type == "Point" else geom.representative_point()
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    return {
        "shape": kind, "lat": rep.y, "lon": rep.x, "cell": cell_of(rep.y, rep.x),
        "min_lat": min_lat, "min_lon": min_lon, "max_lat": max_lat, "max_lon": max_lon,
    }


@lru_cache(maxsize=512)
def _prepared(area_key: tuple, geometry_json: str):
    return prep(shape(json.loads(geometry_json)))


def area_contains(area_key: tuple, geometry_json: str, lat: float, lon: float) -> bool:
    """True when an area's polygon holds the point; parsed polygons are cached per area."""
    return _prepared(area_key, geometry_json).contains(Point(lon, lat))
