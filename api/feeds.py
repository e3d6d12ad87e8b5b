"""Atom feeds (RFC 4287) of what changes in the public register, to follow with any feed reader.

An entry is one public version of a published or withdrawn registration: its first publication
("published"), a later publication ("changed") or its withdrawal ("withdrawn"). Only public content
goes in: the version's title, its public change note and the organisation's name; never who made it
(registration_version.created_by_id) nor anything from the audit log.
"""

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import Response, request
from lxml import etree
from marshmallow import RAISE, fields, validate
from sqlalchemy import and_, or_
from sqlmodel import Session, select

from api import schemas
from api.blueprint import bp, documented, parse_query
from api.conventions import API_VERSION, api_base, conditional
from register import vocab
from register.errors import Invalid
from register.geo.geometry import area_contains
from register.geo.models import Area
from register.organisations.models import Organisation, OrganisationArea
from register.registrations import queries
from register.registrations.models import Registration, RegistrationVersion, SensorDetails
from zichtbaar.web import read_session

ATOM = "application/atom+xml"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
MAX_ENTRIES = 100
EVENTS = ("published", "changed", "withdrawn")
EVENT_LABELS = {"published": "Gepubliceerd", "changed": "Gewijzigd", "withdrawn": "Ingetrokken"}
_SCAN = 250  # candidate versions read at a time when the area filter tests locations


class FeedQuery(schemas.CamelSchema):
    """Filters of the change feed; every one optional, all must hold."""

    class Meta:
        unknown = RAISE

    organisation = fields.String(
        validate=validate.Regexp(r"^[a-z0-9]{3,40}(,[a-z0-9]{3,40})*$"),
        metadata={"description": "Organisation codes, comma-separated (e.g. gm0772,pv30)."})
    kind = fields.String(validate=validate.OneOf(sorted(vocab.codes("kind"))))
    area = fields.String(
        validate=validate.Regexp(r"^[A-Za-z]{2}[A-Za-z0-9]{0,18}$"),
        metadata={"description": "An area code (e.g. GM0772, PV30): registrations of the organisations that hold "
                                 "this area, plus public sensors of any organisation located inside it."})
    event = fields.String(validate=validate.OneOf(EVENTS),
                          metadata={"description": "published (first version), changed (a later version) or "
                                                   "withdrawn; all by default."})


def _event(state: str, number: int) -> str:
    if state == "withdrawn":
        return "withdrawn"
    return "published" if number == 1 else "changed"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_codes(session: Session, args: dict) -> tuple[list[str], Area | None]:
    """Organisation codes and the area, each checked to exist: a typo should not give an empty feed forever."""
    errors = {}
    codes = args["organisation"].split(",") if args.get("organisation") else []
    if codes:
        known = set(session.exec(select(Organisation.code).where(Organisation.code.in_(codes))))
        missing = [c for c in codes if c not in known]
        if missing:
            errors["organisation"] = [f"No organisation with code {', '.join(missing)}."]
    area = None
    if args.get("area"):
        area = session.exec(select(Area).where(Area.code == args["area"].upper())).first()
        if area is None:
            errors["area"] = [f"No area with code {args['area'].upper()}."]
    if errors:
        raise Invalid(errors)
    return codes, area


def _query(args: dict, codes: list[str], area: Area | None):
    query = (
        select(RegistrationVersion.registration_id, RegistrationVersion.number, RegistrationVersion.state,
               RegistrationVersion.change_note, RegistrationVersion.created_at, RegistrationVersion.snapshot,
               Registration.public_id, Registration.kind, Registration.organisation_id, Registration.openness,
               Organisation.code, Organisation.name, SensorDetails.lat, SensorDetails.lon)
        .join(Registration, Registration.id == RegistrationVersion.registration_id)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(SensorDetails, SensorDetails.registration_id == Registration.id)
        .where(Registration.state.in_(queries.PUBLIC_STATES),
               RegistrationVersion.state.in_(("published", "withdrawn")))
    )
    if codes:
        query = query.where(Organisation.code.in_(codes))
    if args.get("kind"):
        query = query.where(Registration.kind == args["kind"])
    event = args.get("event")
    if event == "withdrawn":
        query = query.where(RegistrationVersion.state == "withdrawn")
    elif event == "published":
        query = query.where(RegistrationVersion.state == "published", RegistrationVersion.number == 1)
    elif event == "changed":
        query = query.where(RegistrationVersion.state == "published", RegistrationVersion.number > 1)
    if area is not None:
        holders = select(OrganisationArea.organisation_id).where(OrganisationArea.area_id == area.id)
        # Only public sensors are placed: a restricted sensor's location must not show through a filter.
        inside_box = and_(SensorDetails.registration_id.is_not(None), Registration.openness == "public",
                          SensorDetails.lat.between(area.min_lat, area.max_lat),
                          SensorDetails.lon.between(area.min_lon, area.max_lon))
        query = query.where(or_(Registration.organisation_id.in_(holders), inside_box))
    return query.order_by(RegistrationVersion.created_at.desc(), RegistrationVersion.id.desc())


def _entries(session: Session, args: dict, codes: list[str], area: Area | None) -> list:
    query = _query(args, codes, area)
    if area is None:
        return list(session.exec(query.limit(MAX_ENTRIES)))
    holders = set(session.exec(select(OrganisationArea.organisation_id).where(OrganisationArea.area_id == area.id)))
    found, offset = [], 0
    while len(found) < MAX_ENTRIES:
        rows = list(session.exec(query.offset(offset).limit(_SCAN)))
        for r in rows:
            if r.organisation_id in holders or area_contains((area.id, area.code), area.geometry, r.lat, r.lon):
                found.append(r)
        if len(rows) < _SCAN:
            break
        offset += _SCAN
    return found[:MAX_ENTRIES]


def _feed(session: Session, rows: list, args: dict) -> bytes:
    base = api_base()
    fg = FeedGenerator()
    fg.id(request.url)
    described = [f"{name}={args[name]}" for name in ("organisation", "kind", "area", "event") if args.get(name)]
    fg.title("Zichtbaar: wijzigingen in het register" + (f" ({', '.join(described)})" if described else ""))
    fg.subtitle("Publicaties, wijzigingen en intrekkingen van algoritmen, sensoren en gegevensdelingen "
                "van de Nederlandse overheid.")
    fg.link(href=request.url, rel="self", type=ATOM)
    fg.link(href=f"{base}/registrations", rel="alternate", type="application/json")
    fg.language("nl")
    fg.author(name="Zichtbaar", uri=request.host_url)
    fg.generator("Zichtbaar", version=API_VERSION, uri=request.host_url)
    newest = max((_aware(r.created_at) for r in rows), default=None)
    if newest is None:
        changed = queries.last_change(session=session)
        newest = _aware(changed) if changed else datetime(1970, 1, 1, tzinfo=UTC)
    fg.updated(newest)
    links = []
    for r in rows:
        event = _event(r.state, r.number)
        url = f"{base}/registrations/{r.public_id}/versions/{r.number}"
        title = (r.snapshot or {}).get("title", "")
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.title(f"{r.public_id}: {title}")
        entry.updated(_aware(r.created_at))
        entry.published(_aware(r.created_at))
        entry.summary(r.change_note)
        entry.author(name=r.name, uri=f"{base}/organisations/{r.code}")
        entry.link(href=url)
        entry.category(term=event, label=EVENT_LABELS[event])
        entry.category(term=r.kind, scheme=f"{base}/vocabularies/kind")
        links.append(url)
    return _fix_links(fg.atom_str(pretty=True), links, base)


def _fix_links(document: bytes, urls: list[str], base: str) -> bytes:
    """feedgen 1.0 drops rel and type of entry links; set them, and add the registration as related."""
    root = etree.fromstring(document)
    for entry, url in zip(root.iter(f"{ATOM_NS}entry"), urls, strict=True):
        link = entry.find(f"{ATOM_NS}link")
        link.set("rel", "alternate")
        link.set("type", "application/json")
        related = etree.SubElement(entry, f"{ATOM_NS}link")
        related.set("href", url.rsplit("/versions/", 1)[0])
        related.set("rel", "related")
        related.set("type", "application/json")
        link.addnext(related)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@bp.get("/feeds/changes.atom")
@documented(summary="Atom feed of publications, changes and withdrawals", tags=["Feeds"], query=FeedQuery,
            media={ATOM: "Atom 1.0 feed, newest first, at most 100 entries"},
            description="Each entry is one public version: its first publication, a change or a withdrawal, "
                        "with the public change note. Filter by organisation, kind, area and event.")
def changes_feed():
    args = parse_query(FeedQuery)
    session = read_session()
    codes, area = _check_codes(session, args)
    rows = _entries(session, args, codes, area)
    response = Response(_feed(session, rows, args), content_type=f"{ATOM}; charset=utf-8")
    return conditional(response)
