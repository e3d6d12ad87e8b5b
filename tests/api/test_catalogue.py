"""The DCAT catalogue: valid JSON-LD and Turtle, with datasets, distributions that resolve, and the API."""

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

CATALOGUE = "/api/v1/catalogue"
HOST = "http://localhost"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")


def _graph(client, accept: str | None = None, fmt: str = "json-ld") -> Graph:
    response = client.get(CATALOGUE, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["API-Version"]
    assert "Accept" in response.headers.get("Vary", "")
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


def _local(url) -> str:
    assert str(url).startswith(HOST + "/"), url
    return str(url)[len(HOST):]


def test_json_ld_is_the_default_and_turtle_says_the_same(client, publish):
    publish("sensor")
    default = client.get(CATALOGUE)
    assert default.mimetype == "application/ld+json"
    turtle = client.get(CATALOGUE, headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    json_ld = Graph().parse(data=default.get_data(as_text=True), format="json-ld")
    ttl = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert len(json_ld) > 100
    assert isomorphic(json_ld, ttl)
    assert _graph(client, "application/json").isomorphic(json_ld)


def test_a_catalogue_with_the_whole_register_and_one_dataset_per_kind(client, publish):
    publish("sensor")
    graph = _graph(client)
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert catalogues == [URIRef(HOST + CATALOGUE)]
    catalogue = catalogues[0]
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    assert datasets == set(graph.subjects(RDF.type, DCAT.Dataset))
    assert {str(d).rsplit("#", 1)[1] for d in datasets} == {"register", "algorithms", "sensors", "agreements"}
    whole = URIRef(HOST + CATALOGUE + "#register")
    assert set(graph.objects(whole, DCTERMS.hasPart)) == datasets - {whole}
    for dataset in datasets:
        titles = {t.language for t in graph.objects(dataset, DCTERMS.title)}
        assert titles == {"nl", "en"}
        assert {d.language for d in graph.objects(dataset, DCTERMS.description)} == {"nl", "en"}
        for predicate in (DCTERMS.publisher, DCAT.contactPoint, DCTERMS.license, DCAT.theme, DCAT.keyword,
                          DCTERMS.identifier, DCTERMS.language, DCTERMS.accessRights, DCAT.distribution):
            assert graph.value(dataset, predicate) is not None, (dataset, predicate)
        contact = graph.value(dataset, DCAT.contactPoint)
        assert graph.value(contact, RDF.type) == VCARD.Organization
        assert str(graph.value(contact, VCARD.hasEmail)).startswith("mailto:")
        publisher = graph.value(dataset, DCTERMS.publisher)
        assert graph.value(publisher, FOAF.name) == Literal("Zichtbaar")
    sensors = URIRef(HOST + CATALOGUE + "#sensors")
    modified = graph.value(sensors, DCTERMS.modified)
    assert modified is not None and modified.datatype == XSD.dateTime
    assert graph.value(URIRef(HOST + CATALOGUE + "#algorithms"), DCTERMS.modified) is None  # none published yet
    assert graph.value(catalogue, DCTERMS.modified) == modified


def test_every_distribution_resolves(client, publish):
    publish("sensor")
    publish("algorithm")
    graph = _graph(client)
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    downloads = {str(u) for d in distributions for u in graph.objects(d, DCAT.downloadURL)}
    assert downloads == {f"{HOST}/api/v1/downloads/{name}"
                         for name in ("registrations.jsonl", "registrations.csv", "sensors.geojson")}
    for distribution in distributions:
        access = graph.value(distribution, DCAT.accessURL)
        assert access is not None and graph.value(distribution, DCTERMS.license) is not None
        urls = {access, *graph.objects(distribution, DCAT.downloadURL)}
        for url in urls:
            response = client.get(_local(url))
            assert response.status_code == 200, url
            response.close()
        media = graph.value(distribution, DCAT.mediaType)
        if media is not None:
            assert str(media).startswith("https://www.iana.org/assignments/media-types/")
    csv = URIRef(HOST + CATALOGUE + "#download-registrations-csv")
    assert graph.value(csv, DCTERMS["format"]) == URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")
    assert graph.value(csv, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    assert (URIRef(HOST + CATALOGUE + "#register"), DCAT.distribution, csv) in graph


def test_the_api_is_a_data_service(client):
    graph = _graph(client, "text/turtle", "turtle")
    services = list(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    api = services[0]
    assert (URIRef(HOST + CATALOGUE), DCAT.service, api) in graph
    assert graph.value(api, DCAT.endpointURL) == URIRef(HOST + "/api/v1")
    openapi = graph.value(api, DCTERMS.conformsTo)
    assert openapi == URIRef(HOST + "/api/v1/openapi.json")
    assert client.get(_local(openapi)).json["openapi"].startswith("3.")
    assert set(graph.objects(api, DCAT.servesDataset)) == set(graph.subjects(RDF.type, DCAT.Dataset))


def test_urls_follow_the_host_of_the_request(client):
    response = client.get(CATALOGUE, base_url="https://register.example.nl")
    graph = Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert urls and all(u.startswith("https://register.example.nl/api/v1/downloads/") for u in urls)


@pytest.mark.parametrize("query", ["?format=turtle", "?page=1"])
def test_unknown_parameters_are_refused(client, query):
    response = client.get(CATALOGUE + query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["invalidParams"]


def test_an_unoffered_type_is_not_acceptable(client):
    response = client.get(CATALOGUE, headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"
    assert client.get(CATALOGUE, headers={"Accept": "text/*"}).mimetype == "text/turtle"
    assert client.get(CATALOGUE, headers={"Accept": "*/*"}).mimetype == "application/ld+json"
