"""Organisations with their figures and areas, and the vocabularies that resolve every code."""

import json

from sqlmodel import select

from api import schemas
from api.blueprint import bp, documented, parse_query
from api.conventions import camelize, conditional, json_response, paged
from api.geojson import GEOJSON
from register.errors import NotFound
from register.geo.models import Area
from register.organisations import figures, service
from register.organisations.models import Organisation, OrganisationArea
from register.vocab import vocabularies
from zichtbaar.web import read_session


def _organisation(session, org: Organisation, counts: dict, areas: list[str], parents: dict[int, str]) -> dict:
    return {"code": org.code, "name": org.name, "type": org.type, "website": org.website, "contact": org.contact,
            "dpo_contact": org.dpo_contact, "parent": parents.get(org.parent_id), "areas": areas,
            "figures": counts.get(org.id, figures.EMPTY)}


def _areas_by_org(session, org_ids: list[int]) -> dict[int, list[str]]:
    rows = session.exec(select(OrganisationArea.organisation_id, Area.code)
                        .join(Area, Area.id == OrganisationArea.area_id)
                        .where(OrganisationArea.organisation_id.in_(org_ids)).order_by(Area.code))
    found: dict[int, list[str]] = {}
    for org_id, code in rows:
        found.setdefault(org_id, []).append(code)
    return found


def _parents(session, orgs: list[Organisation]) -> dict[int, str]:
    ids = {o.parent_id for o in orgs if o.parent_id}
    return dict(session.exec(select(Organisation.id, Organisation.code).where(Organisation.id.in_(ids))).all()) if ids else {}


@bp.get("/organisations")
@documented(summary="Organisations with their public figures", tags=["Organisations"],
            query=schemas.OrganisationQuery, response=schemas.OrganisationList)
def list_organisations():
    args = parse_query(schemas.OrganisationQuery)
    session = read_session()
    orgs, total = service.list_all(session=session, type=args.get("type"), q=args.get("q"), page=args["page"],
                                   page_size=args["page_size"])
    ids = [o.id for o in orgs]
    counts = figures.figures(session=session, organisation_ids=ids)
    areas, parents = _areas_by_org(session, ids), _parents(session, orgs)
    items = [_organisation(session, o, counts, areas.get(o.id, []), parents) for o in orgs]
    return conditional(paged(camelize(items), total, args["page"], args["page_size"]))


@bp.get("/organisations/<code>")
@documented(summary="One organisation with its figures", tags=["Organisations"], query=schemas.NoQuery,
            response=schemas.Organisation)
def get_organisation(code: str):
    parse_query(schemas.NoQuery)
    session = read_session()
    org = service.get_by_code(session=session, code=code)
    counts = figures.figures(session=session, organisation_ids=[org.id])
    item = _organisation(session, org, counts, _areas_by_org(session, [org.id]).get(org.id, []), _parents(session, [org]))
    return conditional(json_response(camelize(item)))


@bp.get("/organisations/<code>/area")
@documented(summary="The organisation's jurisdiction as GeoJSON", tags=["Organisations"], query=schemas.NoQuery,
            media={GEOJSON: "FeatureCollection of the organisation's areas"})
def get_organisation_area(code: str):
    parse_query(schemas.NoQuery)
    session = read_session()
    org = service.get_by_code(session=session, code=code)
    areas = service.areas_of(session=session, organisation_id=org.id)
    body = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": a.code, "geometry": json.loads(a.geometry),
         "properties": {"code": a.code, "name": a.name, "kind": a.kind}} for a in areas]}
    return conditional(json_response(body, content_type=GEOJSON))


@bp.get("/vocabularies")
@documented(summary="Every controlled vocabulary with Dutch and English labels", tags=["Vocabularies"],
            query=schemas.NoQuery, response=schemas.VocabularyList)
def list_vocabularies():
    parse_query(schemas.NoQuery)
    items = [{"name": name, **v} for name, v in vocabularies().items()]
    return conditional(json_response({"items": items}))


@bp.get("/vocabularies/<name>")
@documented(summary="One vocabulary", tags=["Vocabularies"], query=schemas.NoQuery, response=schemas.Vocabulary)
def get_vocabulary(name: str):
    parse_query(schemas.NoQuery)
    if name not in vocabularies():
        raise NotFound(f"no vocabulary {name!r}")
    return conditional(json_response({"name": name, **vocabularies()[name]}))
