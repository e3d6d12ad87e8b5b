"""A DCAT description of the register (DCAT-AP 2 / DCAT-AP-DONL), for harvesters such as data.overheid.nl.

The catalogue holds one dataset for the register as a whole and one per kind (algorithms, sensors,
agreements, each a part of the whole), a distribution per bulk download and per list or feed, and the
API itself as a data service. Every URL is absolute, made from the host the request came in on.
JSON-LD by default; Turtle when the Accept header asks for it.
"""

from datetime import UTC, datetime

from flask import Response, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD
from sqlalchemy import func
from sqlmodel import Session, select

from api import schemas
from api.blueprint import bp, documented, parse_query
from api.conventions import api_base, conditional, not_acceptable, wants
from api.downloads import CSV, DOWNLOADS, JSONL
from api.feeds import ATOM
from api.geojson import GEOJSON
from register.registrations import queries
from register.registrations.models import Registration
from zichtbaar.web import read_session

JSONLD = "application/ld+json"
TURTLE = "text/turtle"
OFFERED = (JSONLD, TURTLE, "application/json")

ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
OWMS = "http://standaarden.overheid.nl/owms/terms/"
LICENSE = URIRef("http://creativecommons.org/publicdomain/zero/1.0/deed.nl")  # CC0 1.0, as DONL lists it
STATUS_AVAILABLE = URIRef("http://data.overheid.nl/status/beschikbaar")
CONTACT_EMAIL = "api@zichtbaar.invalid"
CONTACT_URL = "https://github.com/zichtbaar/zichtbaar"
FILE_TYPES = {JSONL: "JSON", CSV: "CSV", GEOJSON: "GEOJSON", "application/json": "JSON", ATOM: "ATOM"}
IANA_TYPES = (CSV, GEOJSON, "application/json", ATOM)  # media types IANA registers (x-ndjson is not)
CONTEXT = {"dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD), "xsd": str(XSD),
           "adms": str(ADMS)}

DATASETS = {  # key: (kind, list path, nl title, en title, nl description, en description, keywords nl, en)
    "register": (None, "registrations", "Zichtbaar: register van algoritmen, sensoren en gegevensdelingen",
                 "Zichtbaar: register of algorithms, sensors and data-sharing agreements",
                 "Alle openbare registraties van Nederlandse overheden in Zichtbaar: welke algoritmen zij "
                 "gebruiken, welke sensoren zij in de openbare ruimte plaatsen en met wie zij gegevens delen, "
                 "met doel, grondslag, persoonsgegevens, DPIA en contact.",
                 "Every public registration of Dutch government bodies in Zichtbaar: the algorithms they use, "
                 "the sensors they place in public space and with whom they share data, with purpose, legal "
                 "basis, personal data, DPIA and contact.",
                 ["transparantie", "algoritmeregister", "algoritmen", "sensoren", "gegevensdeling", "AVG"],
                 ["transparency", "algorithm register", "algorithms", "sensors", "data sharing", "GDPR"]),
    "algorithms": ("algorithm", "algorithms", "Zichtbaar: algoritmen", "Zichtbaar: algorithms",
                   "De algoritmen die Nederlandse overheden gebruiken, met hun doel, rol in besluiten, "
                   "menselijke tussenkomst en risico's.",
                   "The algorithms Dutch government bodies use, with their purpose, role in decisions, "
                   "human intervention and risks.",
                   ["algoritmen", "algoritmeregister", "AI-verordening", "transparantie"],
                   ["algorithms", "algorithm register", "AI Act", "transparency"]),
    "sensors": ("sensor", "sensors", "Zichtbaar: sensoren in de openbare ruimte",
                "Zichtbaar: sensors in public space",
                "Camera's, geluidsmeters, tellers en andere sensoren van Nederlandse overheden, met wat zij "
                "meten, of personen herkenbaar zijn en waar zij staan (tenzij de locatie is afgeschermd).",
                "Cameras, sound meters, counters and other sensors of Dutch government bodies, with what they "
                "measure, whether people can be identified and where they are (unless the location is withheld).",
                ["sensoren", "camera's", "openbare ruimte", "privacy"],
                ["sensors", "cameras", "public space", "privacy"]),
    "agreements": ("agreement", "agreements", "Zichtbaar: gegevensdelingen", "Zichtbaar: data-sharing agreements",
                   "Convenanten en andere afspraken waarmee Nederlandse overheden gegevens delen, met partijen, "
                   "wettelijke bevoegdheid en beveiliging.",
                   "Covenants and other agreements under which Dutch government bodies share data, with parties, "
                   "legal power and security.",
                   ["gegevensdeling", "convenanten", "samenwerkingsverbanden", "AVG"],
                   ["data sharing", "covenants", "partnerships", "GDPR"]),
}
DATASET_DOWNLOADS = {"register": ("registrations.jsonl", "registrations.csv"), "sensors": ("sensors.geojson",)}
DOWNLOAD_TITLES_EN = {
    "registrations.jsonl": "Every public registration, complete, one JSON object per line",
    "registrations.csv": "Every public registration, one row per registration",
    "sensors.geojson": "Every public sensor with its location (GeoJSON FeatureCollection)",
}


def _stamp(moment: datetime | None) -> Literal | None:
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return Literal(moment.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _dates(session: Session) -> dict[str | None, tuple]:
    """(first published, last changed) of the public register as a whole (None) and per kind."""
    rows = session.exec(
        select(Registration.kind, func.min(Registration.first_published_at), func.max(Registration.updated_at))
        .where(Registration.state.in_(queries.PUBLIC_STATES)).group_by(Registration.kind)).all()
    found: dict[str | None, tuple] = {kind: (first, last) for kind, first, last in rows}
    firsts = [first for first, _ in found.values() if first]
    lasts = [last for _, last in found.values() if last]
    found[None] = (min(firsts) if firsts else None, max(lasts) if lasts else None)
    return found


def _text(graph: Graph, subject, predicate, nl: str, en: str) -> None:
    graph.add((subject, predicate, Literal(nl, lang="nl")))
    graph.add((subject, predicate, Literal(en, lang="en")))


def _common(graph: Graph, subject, publisher, contact) -> None:
    """What every dataset says alike: publisher, contact, licence, language, themes, access, status."""
    graph.add((subject, DCTERMS.publisher, publisher))
    graph.add((subject, DCAT.contactPoint, contact))
    graph.add((subject, DCTERMS.license, LICENSE))
    graph.add((subject, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
    for language in ("NLD", "ENG"):
        graph.add((subject, DCTERMS.language, URIRef(EU + "language/" + language)))
    graph.add((subject, DCTERMS.spatial, URIRef(EU + "country/NLD")))
    graph.add((subject, DCAT.theme, URIRef(OWMS + "Bestuur")))
    graph.add((subject, DCAT.theme, URIRef(EU + "data-theme/GOVE")))
    graph.add((subject, DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/CONT")))
    graph.add((subject, ADMS.status, STATUS_AVAILABLE))


def _distribution(graph: Graph, uri: URIRef, *, access: str, download: str | None, media: str, nl: str, en: str,
                  service: URIRef | None = None, modified: Literal | None = None) -> URIRef:
    graph.add((uri, RDF.type, DCAT.Distribution))
    _text(graph, uri, DCTERMS.title, nl, en)
    graph.add((uri, DCAT.accessURL, URIRef(access)))
    if download:
        graph.add((uri, DCAT.downloadURL, URIRef(download)))
    if media in IANA_TYPES:
        graph.add((uri, DCAT.mediaType, URIRef(IANA + media)))
    if media in FILE_TYPES:
        graph.add((uri, DCTERMS.format, URIRef(EU + "file-type/" + FILE_TYPES[media])))
    graph.add((uri, DCTERMS.license, LICENSE))
    if service is not None:
        graph.add((uri, DCAT.accessService, service))
    if modified is not None:
        graph.add((uri, DCTERMS.modified, modified))
    return uri


def build(session: Session) -> Graph:
    """The catalogue graph for the request's host."""
    base = api_base()
    home = request.host_url
    me = f"{base}/catalogue"
    graph = Graph()
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace)
    dates = _dates(session)

    publisher = URIRef(home + "#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal("Zichtbaar")))
    graph.add((publisher, FOAF.homepage, URIRef(home)))
    contact = BNode("contact")
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal("Zichtbaar")))
    graph.add((contact, VCARD.hasEmail, URIRef("mailto:" + CONTACT_EMAIL)))
    graph.add((contact, VCARD.hasURL, URIRef(CONTACT_URL)))

    catalog = URIRef(me)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    _text(graph, catalog, DCTERMS.title, "Catalogus van Zichtbaar", "Zichtbaar catalogue")
    _text(graph, catalog, DCTERMS.description,
          "De open gegevens van Zichtbaar, het register van algoritmen, sensoren en gegevensdelingen van de "
          "Nederlandse overheid: downloads, lijsten, feeds en de API.",
          "The open data of Zichtbaar, the register of algorithms, sensors and data-sharing agreements of Dutch "
          "government: downloads, lists, feeds and the API.")
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, FOAF.homepage, URIRef(home)))
    graph.add((catalog, DCTERMS.license, LICENSE))
    for language in ("NLD", "ENG"):
        graph.add((catalog, DCTERMS.language, URIRef(EU + "language/" + language)))
    if (modified := _stamp(dates[None][1])) is not None:
        graph.add((catalog, DCTERMS.modified, modified))

    service = URIRef(f"{me}#api")
    graph.add((service, RDF.type, DCAT.DataService))
    _text(graph, service, DCTERMS.title, "Zichtbaar API", "Zichtbaar API")
    _text(graph, service, DCTERMS.description,
          "REST API volgens de API Design Rules: lijsten met filters, registraties, versies, wijzigingen, "
          "in de buurt, organisaties en vocabulaires (JSON, GeoJSON, CSV).",
          "REST API following the Dutch API Design Rules: filtered lists, registrations, versions, diffs, near "
          "me, organisations and vocabularies (JSON, GeoJSON, CSV).")
    graph.add((service, DCAT.endpointURL, URIRef(base)))
    graph.add((service, DCAT.endpointDescription, URIRef(f"{base}/openapi.json")))
    graph.add((service, DCTERMS.conformsTo, URIRef(f"{base}/openapi.json")))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCAT.contactPoint, contact))
    graph.add((service, DCTERMS.license, LICENSE))
    graph.add((service, DCAT.theme, URIRef(OWMS + "Bestuur")))
    graph.add((service, DCAT.theme, URIRef(EU + "data-theme/GOVE")))
    graph.add((catalog, DCAT.service, service))

    whole = URIRef(f"{me}#register")
    for key, (kind, path, title_nl, title_en, text_nl, text_en, words_nl, words_en) in DATASETS.items():
        dataset = URIRef(f"{me}#{key}")
        graph.add((dataset, RDF.type, DCAT.Dataset))
        graph.add((catalog, DCAT.dataset, dataset))
        graph.add((service, DCAT.servesDataset, dataset))
        graph.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
        _text(graph, dataset, DCTERMS.title, title_nl, title_en)
        _text(graph, dataset, DCTERMS.description, text_nl, text_en)
        for word in words_nl:
            graph.add((dataset, DCAT.keyword, Literal(word, lang="nl")))
        for word in words_en:
            graph.add((dataset, DCAT.keyword, Literal(word, lang="en")))
        graph.add((dataset, DCAT.landingPage, URIRef(home)))
        _common(graph, dataset, publisher, contact)
        first, last = dates.get(kind, (None, None))
        if (issued := _stamp(first)) is not None:
            graph.add((dataset, DCTERMS.issued, issued))
        modified = _stamp(last)
        if modified is not None:
            graph.add((dataset, DCTERMS.modified, modified))
        if dataset != whole:
            graph.add((dataset, DCTERMS.isPartOf, whole))
            graph.add((whole, DCTERMS.hasPart, dataset))
        for name in DATASET_DOWNLOADS.get(key, ()):
            media, title_nl_dl = DOWNLOADS[name]
            url = f"{base}/downloads/{name}"
            graph.add((dataset, DCAT.distribution, _distribution(
                graph, URIRef(f"{me}#download-{name.replace('.', '-')}"), access=url, download=url, media=media,
                nl=title_nl_dl, en=DOWNLOAD_TITLES_EN[name], modified=modified)))
        graph.add((dataset, DCAT.distribution, _distribution(
            graph, URIRef(f"{me}#list-{key}"), access=f"{base}/{path}", download=None, media="application/json",
            nl=f"{title_nl} via de API (pagina's, filters; ook GeoJSON en CSV)",
            en=f"{title_en} through the API (paged, filtered; also GeoJSON and CSV)", service=service)))
        feed = f"{base}/feeds/changes.atom" + (f"?kind={kind}" if kind else "")
        graph.add((dataset, DCAT.distribution, _distribution(
            graph, URIRef(f"{me}#feed-{key}"), access=feed, download=None, media=ATOM,
            nl=f"{title_nl}: Atom-feed van publicaties, wijzigingen en intrekkingen",
            en=f"{title_en}: Atom feed of publications, changes and withdrawals")))
    return graph


@bp.get("/catalogue")
@documented(summary="DCAT description of the register's datasets, downloads and API", tags=["About"],
            query=schemas.NoQuery, statuses=(406,),
            media={JSONLD: "DCAT-AP catalogue as JSON-LD", TURTLE: "The same catalogue as Turtle"},
            description="A dcat:Catalog (DCAT-AP-DONL) with a dataset for the whole register and one per kind, "
                        "a distribution per download, list and feed, and the API as a dcat:DataService. "
                        "Choose JSON-LD (default) or Turtle with Accept.")
def get_catalogue():
    parse_query(schemas.NoQuery)
    refused = not_acceptable(OFFERED)
    if refused is not None:
        return refused
    graph = build(read_session())
    if wants(*OFFERED) == TURTLE:
        response = Response(graph.serialize(format="turtle"), content_type=f"{TURTLE}; charset=utf-8")
    else:
        body = graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
        response = Response(body, content_type=JSONLD)
    response.vary.add("Accept")
    return conditional(response)
