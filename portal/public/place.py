"""The place page: which sensors are around a point, what applies there, and what a person can do."""

from flask import abort, current_app, render_template, request

from portal.public import blueprint
from portal.public.maps import build_map
from portal.public.present import group_sensors
from register.errors import NotFound
from register.organisations import service as organisations
from register.registrations import queries
from zichtbaar.web import read_session

RADII = (100, 250, 500, 1000, 2000)
DEFAULT_RADIUS = 500
LIST_SIZES = (100, 500)  # the list alternative shows the nearest 100, or 500 on request; the total is always given
APPLICABLE_LIMIT = 2000
# Organisations with a local area get a full block; national and other bodies share one compact table,
# or the page would hold dozens of blocks for every address in the country.
LOCAL_TYPES = {"municipality", "province", "water_board", "safety_region", "environmental_service",
               "joint_arrangement", "health_service", "police"}
ZOOM_FOR_RADIUS = {100: 18, 250: 17, 500: 16, 1000: 15, 2000: 14}


def _coordinate(name: str, low: float, high: float) -> float:
    try:
        value = float(request.args.get(name, ""))
    except ValueError:
        abort(400)
    if not low <= value <= high:
        abort(400)
    return round(value, 6)


@blueprint.get("/plek")
def place():
    """Sensors within the radius (grouped by type, identifiable first) and what applies here."""
    lat, lon = _coordinate("lat", 50.6, 53.7), _coordinate("lon", 3.2, 7.3)
    try:
        radius = int(request.args.get("r", DEFAULT_RADIUS))
    except ValueError:
        radius = DEFAULT_RADIUS
    radius = radius if radius in RADII else DEFAULT_RADIUS
    label = (request.args.get("label") or "").strip()[:120]
    hidden_types = set(request.args.getlist("verberg"))  # legend filter without JavaScript
    list_limit = LIST_SIZES[1] if request.args.get("n") == str(LIST_SIZES[1]) else LIST_SIZES[0]
    session = read_session()
    found = queries.near_me(session=session, lat=lat, lon=lon, radius_m=radius, limit=list_limit,
                            applicable_limit=APPLICABLE_LIMIT)
    groups = group_sensors(found.sensors)
    orgs = []
    for org in found.organisations:
        try:
            orgs.append(organisations.get_by_code(session=session, code=org["code"]))
        except NotFound:
            continue
    applicable: dict[str, list[dict]] = {}
    for item in found.applicable:
        applicable.setdefault(item["organisation"]["code"], []).append(item)
    config = current_app.config["ZICHTBAAR"]
    parts = build_map(tiles_url=config.map_tiles_url, attribution=config.map_tiles_attribution, center=(lat, lon),
                      zoom=ZOOM_FOR_RADIUS[radius], radius_m=radius, marker_label=label)
    return render_template(
        "public/place.html", lat=lat, lon=lon, radius=radius, radii=RADII, label=label, found=found,
        groups=groups, hidden_types=hidden_types, applicable=applicable, map=parts, list_limit=list_limit,
        local_orgs=[o for o in orgs if o.type in LOCAL_TYPES], other_orgs=[o for o in orgs if o.type not in LOCAL_TYPES],
        larger_list=LIST_SIZES[1],
    )
