"""GeoJSON (RFC 7946, WGS84 lon/lat) for registrations: sensors carry their location, others none."""

from sqlmodel import Session, select

from api.conventions import camelize, json_response, wants
from register.registrations.models import Registration, SensorDetails

GEOJSON = "application/geo+json"


def wants_geojson() -> bool:
    """True when the client prefers GeoJSON over JSON."""
    return wants("application/json", GEOJSON, "text/csv") == GEOJSON


def _shapes(session: Session, items: list[dict]) -> dict[str, dict]:
    ids = [i["public_id"] for i in items
           if i.get("sensor", {}).get("shape") in ("area", "route") and "location" not in i["sensor"]]
    if not ids:
        return {}
    rows = session.exec(select(Registration.public_id, SensorDetails.location)
                        .join(SensorDetails, SensorDetails.registration_id == Registration.id)
                        .where(Registration.public_id.in_(ids), Registration.openness == "public"))
    return dict(rows.all())


def geometry_of(item: dict, shapes: dict[str, dict]) -> dict | None:
    """The geometry of a list item or registration; None when it has none or it is withheld."""
    sensor = item.get("sensor") or {}
    if "location" in sensor:
        return sensor["location"]
    if item["public_id"] in shapes:
        return shapes[item["public_id"]]
    if "lat" in sensor and "lon" in sensor:
        return {"type": "Point", "coordinates": [sensor["lon"], sensor["lat"]]}
    return None


def feature(item: dict, shapes: dict[str, dict]) -> dict:
    """One registration as a GeoJSON Feature with its public id as the feature id."""
    properties = camelize({k: v for k, v in item.items() if k != "sensor"})
    sensor = {k: v for k, v in (item.get("sensor") or {}).items() if k not in ("location", "lat", "lon")}
    if sensor:
        properties["sensor"] = camelize(sensor)
    return {"type": "Feature", "id": item["public_id"], "geometry": geometry_of(item, shapes), "properties": properties}


def feature_collection(session: Session, items: list[dict], single: bool = False):
    """A response with a FeatureCollection (or one Feature) for the items."""
    shapes = _shapes(session, items)
    if single:
        return json_response(feature(items[0], shapes), content_type=GEOJSON)
    body = {"type": "FeatureCollection", "features": [feature(i, shapes) for i in items]}
    return json_response(body, content_type=GEOJSON)
