"""Public reads of registrations: lists per kind, one item, versions, diffs, facets, near me."""


from api import schemas
from api.blueprint import bp, documented, parse_query
from api.conventions import add_paging_headers, camel, camelize, conditional, json_response, paged
from api.csv_format import csv_response, wants_csv
from api.geojson import feature_collection, wants_geojson
from register.registrations import queries
from zichtbaar.web import read_session

KIND_PATHS = {"registrations": None, "algorithms": "algorithm", "sensors": "sensor", "agreements": "agreement"}
LIST_MEDIA = {"application/json": "RegistrationList", "application/geo+json": "GeoJSON FeatureCollection (sensors)",
              "text/csv": "one row per registration"}


def _filters(args: dict, kind: str | None) -> queries.Filters:
    near = args.get("near")
    return queries.Filters(
        kind=kind or args.get("kind"),
        organisation=args["organisation"].split(",") if args.get("organisation") else [],
        state=args.get("state"), theme=args.get("theme"), personal_data=args.get("personal_data"),
        dpia_status=args.get("dpia_status"), lifecycle=args.get("lifecycle"), sensor_type=args.get("sensor_type"),
        identifiability=args.get("identifiability"), overdue=args.get("overdue"), q=args.get("q"),
        changed_since=args.get("changed_since"), bbox=args.get("bbox"),
        near=(near[0], near[1], args["radius"]) if near else None, sort=args["sort"],
    )


def _list(kind: str | None):
    args = parse_query(schemas.ListQuery)
    session = read_session()
    page = queries.list_public(session=session, filters=_filters(args, kind), page=args["page"],
                               page_size=args["page_size"])
    if wants_geojson():
        response = feature_collection(session, page.items)
        add_paging_headers(response, page.total, page.page, page.page_size)
    elif wants_csv():
        response = csv_response(page.items, filename=f"{kind or 'registration'}s.csv")
        add_paging_headers(response, page.total, page.page, page.page_size)
    else:
        response = paged(camelize(page.items), page.total, page.page, page.page_size)
    return conditional(response, queries.last_change(session=session))


def _make_list_view(path: str, kind: str | None):
    label = kind or "registration"

    @documented(summary=f"List public {label}s", tags=["Registrations"], query=schemas.ListQuery,
                response=schemas.RegistrationList, media=LIST_MEDIA,
                description="Published and withdrawn items. Choose JSON, GeoJSON or CSV with Accept.")
    def view():
        return _list(kind)

    view.__name__ = f"list_{path.replace('-', '_')}"
    bp.add_url_rule(f"/{path}", view.__name__, view, methods=["GET"])


for _path, _kind in KIND_PATHS.items():
    _make_list_view(_path, _kind)


@bp.get("/registrations/<public_id>")
@documented(summary="One public registration", tags=["Registrations"], query=schemas.NoQuery,
            response=schemas.Registration, media={"application/json": "Registration",
                                                   "application/geo+json": "GeoJSON Feature (sensors)"})
def get_registration(public_id: str):
    parse_query(schemas.NoQuery)
    session = read_session()
    data = queries.get_public(session=session, public_id=public_id)
    if wants_geojson():
        response = feature_collection(session, [data], single=True)
    else:
        response = json_response(camelize(data))
    return conditional(response)


@bp.get("/registrations/<public_id>/versions")
@documented(summary="The published versions of a registration", tags=["Versions"], query=schemas.NoQuery,
            response=schemas.VersionList)
def list_versions(public_id: str):
    parse_query(schemas.NoQuery)
    return conditional(json_response({"items": camelize(queries.versions(session=read_session(), public_id=public_id))}))


@bp.get("/registrations/<public_id>/versions/<int:number>")
@documented(summary="One published version, as it was", tags=["Versions"], query=schemas.NoQuery,
            response=schemas.Version)
def get_version(public_id: str, number: int):
    parse_query(schemas.NoQuery)
    return conditional(json_response(camelize(queries.version(session=read_session(), public_id=public_id, number=number))))


@bp.get("/registrations/<public_id>/diff")
@documented(summary="What changed between two versions", tags=["Versions"], query=schemas.DiffQuery,
            response=schemas.Diff)
def get_diff(public_id: str):
    args = parse_query(schemas.DiffQuery)
    changes = queries.diff(session=read_session(), public_id=public_id, before=args["from_version"],
                           after=args["to_version"])
    body = {"from": args["from_version"], "to": args["to_version"],
            "changes": [{"field": camel(c["field"]), "before": camelize(c["before"]), "after": camelize(c["after"])}
                        for c in changes]}
    return conditional(json_response(body))


@bp.get("/facets")
@documented(summary="Counts per facet value for any filter state", tags=["Registrations"], query=schemas.ListQuery,
            response=None, media={"application/json": "{facet: {value: count}}"})
def get_facets():
    args = parse_query(schemas.ListQuery)
    session = read_session()
    counts = queries.facets(session=session, filters=_filters(args, None))
    # Facet names are camelCase; the values under them are vocabulary codes and stay as they are.
    return conditional(json_response({camel(name): values for name, values in counts.items()}),
                       queries.last_change(session=session))


@bp.get("/near-me")
@documented(summary="What is collected and decided at a point", tags=["Near me"], query=schemas.NearQuery,
            response=schemas.NearMe,
            description="Public sensors within the radius, nearest first (at most `limit`, with the total), plus "
                        "the registrations of every organisation whose jurisdiction holds the point.")
def near_me():
    args = parse_query(schemas.NearQuery)
    lat, lon = args["near"]
    result = queries.near_me(session=read_session(), lat=lat, lon=lon, radius_m=args["radius"], limit=args["limit"])
    body = {"sensors": result.sensors, "sensors_total": result.sensors_total, "areas": result.areas,
            "organisations": result.organisations, "applicable": result.applicable,
            "applicable_total": result.applicable_total}
    return conditional(json_response(camelize(body)))
