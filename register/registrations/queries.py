"""Public reads: lists with filters and paging, one registration, its versions and diffs, near me.

Only published and withdrawn items are public (archived ones stay readable by id through their
versions). Restricted items are listed with what may be shown: a restricted sensor's location is
withheld, and it is not placed on the map or in the distance list of near-me.
"""

import json
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import String, and_, cast, func, or_
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session, select

from register.clock import today
from register.errors import NotFound
from register.geo.geometry import box_around, cell_ranges, distances_m, haversine_m
from register.geo.models import Area
from register.geo.service import areas_containing
from register.organisations.models import Organisation, OrganisationArea
from register.registrations import mapping, search
from register.registrations.models import (
    PUBLIC_STATES,
    Registration,
    RegistrationLink,
    RegistrationVersion,
    SensorDetails,
)
from register.registrations.service import current_data

MAX_PAGE_SIZE = 500
MAX_RADIUS_M = 5_000
MAX_BOX_ROWS = 150  # a box up to ~33 km high uses the grid index; larger ones (the whole country) scan
SORTS = {
    "title": (Registration.title,),
    "-title": (Registration.title.desc(),),
    "lastPublished": (Registration.last_published_at,),
    "-lastPublished": (Registration.last_published_at.desc(),),
    "reviewDate": (Registration.review_date,),
    "-reviewDate": (Registration.review_date.desc(),),
}
WITHHELD_SENSOR_FIELDS = ("location", "location_description")


@dataclass
class Filters:
    """A public list's filter state; every field optional."""

    kind: str | None = None
    organisation: list[str] = field(default_factory=list)
    state: str | None = None  # published or withdrawn
    theme: str | None = None
    personal_data: str | None = None
    dpia_status: str | None = None
    lifecycle: str | None = None
    sensor_type: str | None = None
    identifiability: str | None = None
    overdue: bool | None = None
    q: str | None = None
    changed_since: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    near: tuple[float, float, float] | None = None  # lat, lon, radius in metres: sensors around a point
    sort: str = "-lastPublished"


@dataclass
class Page:
    items: list[dict]
    total: int
    page: int
    page_size: int


def is_overdue(review_date: date | None) -> bool:
    """True when a review date has passed."""
    return review_date is not None and review_date < today()


# What a list item needs, selected as plain columns: loading whole ORM objects (with their JSON columns)
# costs milliseconds per row, which near-me in a dense city centre cannot afford.
SUMMARY_COLUMNS = (
    Registration.id, Registration.public_id, Registration.kind, Registration.title, Registration.summary,
    Registration.state, Registration.themes, Registration.personal_data, Registration.dpia_status,
    Registration.lifecycle, Registration.review_date, Registration.openness, Registration.last_published_at,
    Registration.en, Organisation.code.label("org_code"), Organisation.name.label("org_name"),
    SensorDetails.sensor_type, SensorDetails.identifiability, SensorDetails.shape, SensorDetails.lat,
    SensorDetails.lon,
)


def summary_select(*extra):
    """SELECT of the summary columns over registration ⋈ organisation ⟕ sensor."""
    return (
        select(*SUMMARY_COLUMNS, *extra).select_from(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(SensorDetails, SensorDetails.registration_id == Registration.id)
    )


def summary(row) -> dict:
    """A public list item from a row of SUMMARY_COLUMNS."""
    item = {
        "public_id": row.public_id, "kind": row.kind, "title": row.title, "summary": row.summary,
        "organisation": {"code": row.org_code, "name": row.org_name}, "state": row.state, "themes": row.themes,
        "personal_data": row.personal_data, "dpia_status": row.dpia_status, "lifecycle": row.lifecycle,
        "review_date": row.review_date.isoformat() if row.review_date else None,
        "overdue": is_overdue(row.review_date), "openness": row.openness,
        "last_published_at": mapping.plain(row.last_published_at),
        "en": {k: v for k, v in (row.en or {}).items() if k in ("title", "summary")},
    }
    if row.sensor_type is not None:
        item["sensor"] = {"sensor_type": row.sensor_type, "identifiability": row.identifiability, "shape": row.shape}
        if row.openness == "public":
            item["sensor"].update(lat=row.lat, lon=row.lon)
    return item


def public_query(filters: Filters):
    """The SELECT of public list items matching the filters (unordered)."""
    query = summary_select()
    states = (filters.state,) if filters.state in PUBLIC_STATES else PUBLIC_STATES
    query = query.where(Registration.state.in_(states))
    if filters.kind:
        query = query.where(Registration.kind == filters.kind)
    if filters.organisation:
        query = query.where(Organisation.code.in_(filters.organisation))
    if filters.theme:
        # JSON lists are compared as text: portable across SQLite and PostgreSQL.
        needle = filters.theme.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(cast(Registration.themes, String).like(f'%"{needle}"%', escape="\\"))
    for name in ("personal_data", "dpia_status", "lifecycle"):
        if getattr(filters, name):
            query = query.where(getattr(Registration, name) == getattr(filters, name))
    for name in ("sensor_type", "identifiability"):
        if getattr(filters, name):
            query = query.where(getattr(SensorDetails, name) == getattr(filters, name))
    if filters.overdue is True:
        query = query.where(Registration.review_date < today())
    elif filters.overdue is False:
        query = query.where(or_(Registration.review_date.is_(None), Registration.review_date >= today()))
    if filters.q:
        query = query.where(search.matches(filters.q))
    if filters.changed_since:
        query = query.where(Registration.updated_at >= filters.changed_since)
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        query = query.where(
            SensorDetails.registration_id.is_not(None), Registration.openness == "public",
            SensorDetails.max_lat >= min_lat, SensorDetails.min_lat <= max_lat,
            SensorDetails.max_lon >= min_lon, SensorDetails.min_lon <= max_lon,
        )
        ranges = cell_ranges(min_lat, min_lon, max_lat, max_lon)
        if len(ranges) <= MAX_BOX_ROWS:
            # A map viewport: find its sensors through the grid-cell index (points) and the box index
            # (areas, routes) first, instead of walking every published sensor in the country.
            points = select(SensorDetails.registration_id).where(
                or_(*(SensorDetails.cell.between(a, b) for a, b in ranges)),
                SensorDetails.lat.between(min_lat, max_lat), SensorDetails.lon.between(min_lon, max_lon))
            shapes = select(SensorDetails.registration_id).where(
                SensorDetails.shape.in_(("area", "route")), SensorDetails.min_lat <= max_lat,
                SensorDetails.max_lat >= min_lat)
            query = query.where(Registration.id.in_(points.union_all(shapes)))
    if filters.near:
        query = query.where(_within(*filters.near))
    return query


def _within(lat: float, lon: float, radius_m: float):
    """SQL condition: a public sensor point within the radius (grid cells first, then the flat distance)."""
    min_lat, min_lon, max_lat, max_lon = box_around(lat, lon, radius_m)
    in_cells = or_(*(SensorDetails.cell.between(a, b) for a, b in cell_ranges(min_lat, min_lon, max_lat, max_lon)))
    return and_(SensorDetails.registration_id.is_not(None), Registration.openness == "public",
                SensorDetails.shape == "point", in_cells, SensorDetails.lat.between(min_lat, max_lat),
                SensorDetails.lon.between(min_lon, max_lon), _flat_distance2(lat, lon) <= radius_m * radius_m)


FACETS = {
    "kind": Registration.kind, "state": Registration.state, "personal_data": Registration.personal_data,
    "dpia_status": Registration.dpia_status, "lifecycle": Registration.lifecycle,
    "sensor_type": SensorDetails.sensor_type, "identifiability": SensorDetails.identifiability,
}


def _counting(filters: Filters, *columns):
    """SELECT count(*) (grouped by columns) over the public items matching the filters.

    Only the tables the filters or columns refer to are joined: counting a national list through the
    summary's joins to organisation and sensor took seconds, counting registration alone takes milliseconds.
    Leaving a join out never changes a count: every registration has one organisation, at most one sensor row.
    """
    where = public_query(filters).whereclause
    tables = set(find_tables(where, check_columns=True)) if where is not None else set()
    for column in columns:
        table = getattr(column, "table", None)  # a mapped column; a cast names its column inside
        tables |= {table} if table is not None else set(find_tables(column, check_columns=True))
    query = select(*columns, func.count()).select_from(Registration)
    if Organisation.__table__ in tables:
        query = query.join(Organisation, Organisation.id == Registration.organisation_id)
    if SensorDetails.__table__ in tables:
        query = query.outerjoin(SensorDetails, SensorDetails.registration_id == Registration.id)
    if where is not None:
        query = query.where(where)
    return query.group_by(*columns) if columns else query


def count_public(*, session: Session, filters: Filters) -> int:
    """How many public items match the filters."""
    return session.exec(_counting(filters)).one()


def facets(*, session: Session, filters: Filters) -> dict[str, dict[str, int]]:
    """Counts per value of each facet for the items matching the filters (themes counted per theme)."""
    key = (repr(filters), last_change(session=session))
    cached = _facet_cache.get(key)
    if cached is None:
        cached = _facets_uncached(session, filters)
        _facet_cache.put(key, cached)
    return {name: dict(counts) for name, counts in cached.items()}


def _facets_uncached(session: Session, filters: Filters) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    # One grouped count per table instead of one per facet: the registration facets come from one walk of
    # the covering index ix_registration_facets, the sensor facets from one of ix_sensor_facets.
    for table in (Registration.__table__, SensorDetails.__table__):
        names = [name for name, column in FACETS.items() if column.table is table]
        for *values, n in session.exec(_counting(filters, *(FACETS[name] for name in names))).all():
            for name, value in zip(names, values, strict=True):
                if value is not None:
                    result[name][str(value)] = result[name].get(str(value), 0) + n
    # Themes are a JSON list per item: count the few distinct lists in SQL, then split them here.
    themes: dict[str, int] = {}
    for text, n in session.exec(_counting(filters, cast(Registration.themes, String))).all():
        for code in json.loads(text) if text else []:
            themes[code] = themes.get(code, 0) + n
    result["theme"] = dict(sorted(themes.items()))
    return result


def last_change(*, session: Session):
    """When any public registration last changed (for Last-Modified on lists)."""
    return session.exec(select(func.max(Registration.updated_at))).one()


def list_public(*, session: Session, filters: Filters, page: int = 1, page_size: int = 50) -> Page:
    """A page of public registrations matching the filters, in a deterministic order."""
    page, page_size = max(1, page), max(1, min(page_size, MAX_PAGE_SIZE))
    query = public_query(filters)
    total = count_public(session=session, filters=filters)
    order = SORTS.get(filters.sort, SORTS["-lastPublished"]) + (Registration.id,)
    rows = session.exec(query.order_by(*order).offset((page - 1) * page_size).limit(page_size))
    return Page([summary(row) for row in rows], total, page, page_size)


def withhold(data: dict, restricted: bool = False) -> dict:
    """Remove what a restricted sensor must not show: its place, in Dutch and in English.

    `restricted` is the registration's current openness: a sensor restricted later keeps its old
    place out of the earlier versions too.
    """
    if (restricted or data.get("openness") == "restricted") and isinstance(data.get("sensor"), dict):
        data["sensor"] = {k: v for k, v in data["sensor"].items() if k not in WITHHELD_SENSOR_FIELDS}
        data["sensor"]["location_withheld"] = True
        if isinstance(data.get("en"), dict):
            data["en"] = {k: v for k, v in data["en"].items() if k not in WITHHELD_SENSOR_FIELDS}
    return data


def _visible(session: Session, public_id: str) -> Registration:
    reg = session.exec(select(Registration).where(Registration.public_id == public_id)).first()
    if reg is None or (reg.state not in PUBLIC_STATES and reg.version_count == 0):
        raise NotFound(f"no public registration {public_id!r}")
    return reg


def get_public(*, session: Session, public_id: str) -> dict:
    """The public view of one registration: its latest public content, state, links and history size."""
    reg = _visible(session, public_id)
    org = session.get(Organisation, reg.organisation_id)
    if reg.state in PUBLIC_STATES:
        data = current_data(session=session, registration=reg)
    else:  # archived: the last public snapshot
        data = dict(_versions(session, reg)[-1].snapshot)
    data.update(
        state=reg.state, version=reg.version_count, organisation_name=org.name,
        overdue=is_overdue(reg.review_date), withdrawal_reason=reg.withdrawal_reason,
        first_published_at=mapping.plain(reg.first_published_at), last_published_at=mapping.plain(reg.last_published_at),
        linked_from=_linked_from(session, public_id),
    )
    data["links"] = [link for link in data.get("links", []) if _is_public(session, link["target"])]
    return mapping.prune(withhold(data))


def _is_public(session: Session, public_id: str) -> bool:
    return session.exec(select(Registration.id).where(
        Registration.public_id == public_id, Registration.state.in_(PUBLIC_STATES))).first() is not None


def _linked_from(session: Session, public_id: str) -> list[dict]:
    rows = session.exec(
        select(Registration.public_id, RegistrationLink.relation)
        .join(Registration, Registration.id == RegistrationLink.source_id)
        .where(RegistrationLink.target_public_id == public_id, Registration.state.in_(PUBLIC_STATES))
        .order_by(Registration.public_id)
    )
    return [{"source": pid, "relation": rel} for pid, rel in rows]


def _versions(session: Session, reg: Registration) -> list[RegistrationVersion]:
    return list(session.exec(select(RegistrationVersion).where(RegistrationVersion.registration_id == reg.id)
                             .order_by(RegistrationVersion.number)))


def versions(*, session: Session, public_id: str) -> list[dict]:
    """The public history: number, state, change note and date of every version."""
    reg = _visible(session, public_id)
    return [{"number": v.number, "state": v.state, "change_note": v.change_note,
             "created_at": mapping.plain(v.created_at)} for v in _versions(session, reg)]


def version(*, session: Session, public_id: str, number: int) -> dict:
    """One published version's full snapshot, as it was (less what is now withheld or not public)."""
    reg = _visible(session, public_id)
    # A number past the database's integer (32 bits on PostgreSQL) cannot be a version; asking would overflow.
    found = None if not 0 < number < 2**31 else session.exec(select(RegistrationVersion).where(
        RegistrationVersion.registration_id == reg.id, RegistrationVersion.number == number)).first()
    if found is None:
        raise NotFound(f"{public_id} has no version {number}")
    data = {**found.snapshot, "change_note": found.change_note, "created_at": mapping.plain(found.created_at)}
    data["links"] = [link for link in data.get("links", []) if _is_public(session, link["target"])]
    return withhold(data, restricted=reg.openness == "restricted")


def diff(*, session: Session, public_id: str, before: int, after: int) -> list[dict]:
    """The fields that changed between two versions, with their old and new values."""
    old = version(session=session, public_id=public_id, number=before)
    new = version(session=session, public_id=public_id, number=after)
    meta = {"version", "change_note", "created_at"}
    return mapping.diff({k: v for k, v in old.items() if k not in meta}, {k: v for k, v in new.items() if k not in meta})


@dataclass
class NearMe:
    sensors: list[dict]
    sensors_total: int
    areas: list[dict]
    organisations: list[dict]
    applicable: list[dict]
    applicable_total: int


def _flat_distance2(lat: float, lon: float):
    """Squared metres from a point on a flat local projection (errs well under 1% within 5 km)."""
    k_lat = 111_195.0
    k_lon = k_lat * math.cos(math.radians(lat))
    dy, dx = (SensorDetails.lat - lat) * k_lat, (SensorDetails.lon - lon) * k_lon
    return dy * dy + dx * dx


def _nearest_points(session: Session, lat: float, lon: float, radius_m: float, limit: int | None) -> tuple[list[int], int]:
    """Registration ids of the nearest public sensor points within the radius, and how many there are.

    Reads only the sensor table's covering index ix_sensor_near: a few contiguous index ranges;
    the count and the nearest ids are both computed by the database.
    """
    min_lat, min_lon, max_lat, max_lon = box_around(lat, lon, radius_m)
    d2 = _flat_distance2(lat, lon)
    where = (or_(*(SensorDetails.cell.between(a, b) for a, b in cell_ranges(min_lat, min_lon, max_lat, max_lon))),
             SensorDetails.lat.between(min_lat, max_lat), SensorDetails.lon.between(min_lon, max_lon),
             SensorDetails.public.is_(True), SensorDetails.shape == "point", d2 <= radius_m * radius_m)
    total = session.exec(select(func.count()).select_from(SensorDetails).where(*where)).one()
    nearest = select(SensorDetails.registration_id).where(*where).order_by(d2, SensorDetails.registration_id)
    return list(session.exec(nearest.limit(limit) if limit is not None else nearest)), total


def _shapes_near(session: Session, lat: float, lon: float, radius_m: float) -> list[tuple[int, float]]:
    """(registration id, metres) of public mobile sensors (areas, routes) within the radius.

    Boxes are tested on a covering index; the shapes come as raw GeoJSON text, straight to GEOS.
    """
    min_lat, min_lon, max_lat, max_lon = box_around(lat, lon, radius_m)
    rows = session.exec(select(SensorDetails.registration_id, cast(SensorDetails.location, String)).where(
        SensorDetails.shape.in_(("area", "route")), SensorDetails.min_lat <= max_lat, SensorDetails.max_lat >= min_lat,
        SensorDetails.min_lon <= max_lon, SensorDetails.max_lon >= min_lon, SensorDetails.public.is_(True))).all()
    distances = distances_m(lat, lon, [text for _, text in rows])
    return [(rid, d) for (rid, _), d in zip(rows, distances, strict=True) if d <= radius_m]


def _summaries_by_id(session: Session, ids: list[int], *extra):
    for start in range(0, len(ids), 500):  # IN lists in chunks, within every database's parameter limit
        yield from session.exec(summary_select(*extra).where(Registration.id.in_(ids[start:start + 500])))


def sensors_near(*, session: Session, lat: float, lon: float, radius_m: float,
                 limit: int | None = None) -> tuple[list[dict], int]:
    """Public sensors within the radius, nearest first (at most `limit`), and how many there are in all."""
    nearest, point_total = _nearest_points(session, lat, lon, radius_m, limit)
    shapes = sorted(_shapes_near(session, lat, lon, radius_m), key=lambda pair: pair[1])
    shape_distance = dict(shapes[:limit] if limit is not None else shapes)
    found = []
    for row in _summaries_by_id(session, nearest + list(shape_distance), SensorDetails.location):
        item = summary(row)
        if row.id in shape_distance:
            item["distance_m"] = round(shape_distance[row.id], 1)
            item["sensor"]["location"] = row.location
        else:
            item["distance_m"] = round(haversine_m(lat, lon, row.lat, row.lon), 1)
        found.append(item)
    found.sort(key=lambda i: (i["distance_m"], i["public_id"]))
    return (found[:limit] if limit is not None else found), point_total + len(shapes)


class _TimedCache:
    """Answers kept per process for a while, keyed by what they depend on.

    Every point in a municipality has the same "what applies here", so near-me in a busy city mostly hits
    the cache; facet counts over the national register take seconds and change only with the register.
    Keys hold the register's last change, so a change normally shows at once; because commits can land
    out of the order of their timestamps, an entry also expires after `ttl` seconds, which bounds how
    stale an answer can be.
    """

    def __init__(self, size: int = 1024, ttl: float = 30.0):
        self.size, self.ttl, self.entries, self.lock = size, ttl, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key, value) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + self.ttl, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_applicable_cache = _TimedCache()
_facet_cache = _TimedCache(size=256, ttl=300.0)


def _applicable(session: Session, org_ids: list[int], limit: int) -> tuple[list[dict], int]:
    key = (tuple(sorted(org_ids)), limit, last_change(session=session))
    cached = _applicable_cache.get(key)
    if cached is None:
        cached = _applicable_uncached(session, org_ids, limit)
        _applicable_cache.put(key, cached)
    return list(cached[0]), cached[1]


def _applicable_uncached(session: Session, org_ids: list[int], limit: int) -> tuple[list[dict], int]:
    # Algorithms and agreements of those organisations, then their restricted sensors (listed without a
    # place). Two queries, each on its own index, instead of one OR that would scan every sensor.
    published = Registration.state == "published"
    rules = (Registration.organisation_id.in_(org_ids), Registration.kind.in_(("agreement", "algorithm")), published)
    restricted = (Registration.openness == "restricted", Registration.organisation_id.in_(org_ids),
                  Registration.kind == "sensor", published)
    totals = [session.exec(select(func.count()).select_from(Registration).where(*where)).one()
              for where in (rules, restricted)]
    items = [summary(row) for row in session.exec(
        summary_select().where(*rules).order_by(Registration.kind, Registration.title, Registration.id).limit(limit))]
    if len(items) < limit:
        items += [summary(row) for row in session.exec(
            summary_select().where(*restricted).order_by(Registration.title, Registration.id)
            .limit(limit - len(items)))]
    return items, sum(totals)


def near_me(*, session: Session, lat: float, lon: float, radius_m: float = 500, limit: int = 200,
            applicable_limit: int | None = None) -> NearMe:
    """Sensors around a point plus what applies there through the organisations whose area holds it.

    `limit` caps the sensors and, unless `applicable_limit` is given, the applicable items too.
    """
    radius_m = max(1.0, min(float(radius_m), MAX_RADIUS_M))
    sensors, sensors_total = sensors_near(session=session, lat=lat, lon=lon, radius_m=radius_m, limit=limit)
    areas = areas_containing(session=session, lat=lat, lon=lon)
    area_ids = [a.id for a in areas]
    # IN (subquery), not DISTINCT: PostgreSQL cannot compare the JSON columns DISTINCT would need.
    holders = select(OrganisationArea.organisation_id).where(OrganisationArea.area_id.in_(area_ids))
    orgs = list(session.exec(
        select(Organisation).where(Organisation.id.in_(holders)).order_by(Organisation.name, Organisation.id)
    )) if area_ids else []
    applicable, applicable_total = (_applicable(session, [o.id for o in orgs], applicable_limit or limit)
                                    if orgs else ([], 0))
    return NearMe(
        sensors=sensors, sensors_total=sensors_total,
        areas=[{"code": a.code, "name": a.name, "kind": a.kind} for a in sorted(areas, key=_area_order)],
        organisations=[{"code": o.code, "name": o.name, "type": o.type} for o in orgs],
        applicable=applicable, applicable_total=applicable_total,
    )


_AREA_ORDER = {"municipality": 0, "province": 1, "safety_region": 2, "environmental_service": 3, "country": 9}


def _area_order(area: Area):
    return (_AREA_ORDER.get(area.kind, 5), area.code)
