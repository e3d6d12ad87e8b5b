"""Bulk downloads: readable by standard readers, streamed in batches, and never showing a withheld location."""

import csv
import io
import json

import jsonschema
import pytest

from api import downloads
from api.csv_format import COLUMNS
from register.registrations import bulk, queries, service
from tests.factories import payload

PREFIX = "/api/v1/downloads"
NL_BOX = (3.2, 50.7, 7.3, 53.6)  # min lon, min lat, max lon, max lat
STRATUMSEIND_AREA = {"type": "Polygon", "coordinates": [[[5.4800, 51.4375], [5.4840, 51.4375], [5.4840, 51.4395],
                                                         [5.4800, 51.4395], [5.4800, 51.4375]]]}
POSITION = {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}
RING = {"type": "array", "minItems": 4, "items": POSITION}
GEOJSON_SCHEMA = {  # RFC 7946, for the geometries the register holds
    "type": "object",
    "required": ["type", "features"],
    "not": {"required": ["crs"]},
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "not": {"required": ["crs"]},
            "properties": {
                "type": {"const": "Feature"},
                "id": {"type": ["string", "number"]},
                "properties": {"type": ["object", "null"]},
                "geometry": {"oneOf": [
                    {"type": "object", "required": ["type", "coordinates"],
                     "properties": {"type": {"const": "Point"}, "coordinates": POSITION}},
                    {"type": "object", "required": ["type", "coordinates"],
                     "properties": {"type": {"const": "LineString"},
                                    "coordinates": {"type": "array", "minItems": 2, "items": POSITION}}},
                    {"type": "object", "required": ["type", "coordinates"],
                     "properties": {"type": {"const": "Polygon"}, "coordinates": {"type": "array", "items": RING}}},
                ]},
            },
        }},
    },
}


@pytest.fixture
def register(publish, db, actors):
    """A small public register: every kind, an area sensor, a restricted sensor, a withdrawn item, a draft."""
    ids = {
        "sensor": publish("sensor", title="Geluidsmeter café Stratumseind"),
        "area": publish("sensor", title="Camera's plein", sensor={**payload()["sensor"], "location": STRATUMSEIND_AREA}),
        "restricted": publish("sensor", title="Verborgen camera", openness="restricted",
                              restriction_reason="Lopend onderzoek", oversight_body="Autoriteit Persoonsgegevens"),
        "algorithm": publish("algorithm"),
        "agreement": publish("agreement"),
        "withdrawn": publish("algorithm", title="Oud algoritme"),
    }
    with db.unit_of_work() as s:
        service.withdraw(session=s, actor=actors["approver_a"], public_id=ids["withdrawn"], reason="Niet meer gebruikt.")
        ids["draft"] = service.create(session=s, actor=actors["editor_a"],
                                      data=payload("sensor", title="Concept")).registration.public_id
    return ids


def _lines(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _positions(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
    else:
        for part in coordinates:
            yield from _positions(part)


def test_jsonl_has_every_public_registration_as_the_api_shows_it(client, register):
    response = client.get(f"{PREFIX}/registrations.jsonl")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == 'attachment; filename="registrations.jsonl"'
    assert response.headers["API-Version"]
    lines = _lines(response)
    assert {d["publicId"] for d in lines} == {v for k, v in register.items() if k != "draft"}
    for data in lines:
        assert data == client.get(f"/api/v1/registrations/{data['publicId']}").json
        assert "public_id" not in data and "organisationName" in data
    withdrawn = next(d for d in lines if d["publicId"] == register["withdrawn"])
    assert withdrawn["state"] == "withdrawn" and withdrawn["withdrawalReason"] == "Niet meer gebruikt."


def test_jsonl_withholds_the_location_of_a_restricted_sensor(client, register):
    lines = {d["publicId"]: d for d in _lines(client.get(f"{PREFIX}/registrations.jsonl"))}
    restricted = lines[register["restricted"]]["sensor"]
    assert "location" not in restricted and "locationDescription" not in restricted
    assert restricted["locationWithheld"] is True
    assert lines[register["sensor"]]["sensor"]["location"]["type"] == "Point"


def test_csv_reads_with_a_standard_reader(client, register):
    response = client.get(f"{PREFIX}/registrations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.mimetype_params.get("charset") == "utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    assert reader.fieldnames == COLUMNS
    assert {r["publicId"] for r in rows} == {v for k, v in register.items() if k != "draft"}
    by_id = {r["publicId"]: r for r in rows}
    assert by_id[register["sensor"]]["title"] == "Geluidsmeter café Stratumseind"
    assert by_id[register["sensor"]]["organisationName"] == "Gemeente Eindhoven"
    assert float(by_id[register["sensor"]]["lat"]) == pytest.approx(51.4385)
    assert by_id[register["restricted"]]["lat"] == "" and by_id[register["restricted"]]["lon"] == ""
    assert by_id[register["withdrawn"]]["state"] == "withdrawn"
    assert by_id[register["algorithm"]]["themes"] == "safety|public_space"


def test_geojson_is_an_rfc7946_feature_collection_of_public_sensors(client, register):
    response = client.get(f"{PREFIX}/sensors.geojson")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    doc = json.loads(response.data)
    jsonschema.validate(doc, GEOJSON_SCHEMA)
    assert "crs" not in doc
    ids = {f["id"] for f in doc["features"]}
    assert ids == {register["sensor"], register["area"]}
    assert register["restricted"] not in response.get_data(as_text=True)
    for feature in doc["features"]:
        assert feature["properties"]["kind"] == "sensor"
        for lon, lat, *_ in _positions(feature["geometry"]["coordinates"]):
            assert NL_BOX[0] <= lon <= NL_BOX[2] and NL_BOX[1] <= lat <= NL_BOX[3], (lon, lat)
    area = next(f for f in doc["features"] if f["id"] == register["area"])
    assert area["geometry"] == STRATUMSEIND_AREA


def test_an_empty_register_gives_valid_documents(client):
    assert json.loads(client.get(f"{PREFIX}/sensors.geojson").data) == {"type": "FeatureCollection", "features": []}
    assert client.get(f"{PREFIX}/registrations.jsonl").data == b""
    assert list(csv.reader(io.StringIO(client.get(f"{PREFIX}/registrations.csv").get_data(as_text=True)))) == [COLUMNS]


def test_downloads_stream_more_rows_than_one_batch(app, client, publish, monkeypatch):
    ids = [publish("sensor", title=f"Meter {n}") for n in range(7)]
    monkeypatch.setattr(downloads, "BATCH", 2)
    monkeypatch.setattr(downloads, "FULL_BATCH", 3)
    monkeypatch.setattr(downloads, "CHUNK", 1)  # every piece its own chunk
    pool = app.extensions["zichtbaar.db"].engine.pool
    for name, count in (("registrations.jsonl", lambda r: len(_lines(r))),
                        ("registrations.csv", lambda r: len(r.get_data(as_text=True).splitlines()) - 1),
                        ("sensors.geojson", lambda r: len(json.loads(r.data)["features"]))):
        response = client.get(f"{PREFIX}/{name}", buffered=False)
        assert response.is_streamed and "Content-Length" not in response.headers
        assert count(response) == len(ids), name
        response.close()
        assert pool.checkedout() == 0, f"{name} left a database connection open"


def _counting_expunge(session, seen: list, log: list) -> None:
    expunge_all = session.expunge_all
    session.expunge_all = lambda: (log.append(len(seen)), expunge_all())


def test_iterators_read_in_batches_with_flat_memory(db, publish):
    ids = [publish("sensor", title=f"Meter {n}") for n in range(5)] + [publish("algorithm")]
    with db.unit_of_work(write=False) as s:
        items, emptied = [], []
        _counting_expunge(s, items, emptied)
        for item in bulk.iter_public(session=s, batch=2):
            items.append(item)
        assert [i["public_id"] for i in items] == ids
        assert emptied == [2, 4, 6]  # the session is emptied after every batch
        listed = queries.list_public(session=s, filters=queries.Filters(), page_size=50).items
        assert sorted(items, key=lambda i: i["public_id"]) == sorted(listed, key=lambda i: i["public_id"])

        full, emptied, sizes = [], [], []
        _counting_expunge(s, full, emptied)
        for data in bulk.iter_public_full(session=s, batch=4):
            sizes.append(len(s.identity_map))
            full.append(data)
        assert emptied == [4, 6]
        assert max(sizes) <= 4 * 2 + 1  # one batch of registrations and details, and the organisation
        del s.expunge_all
        assert [d["public_id"] for d in full] == ids
        assert full == [queries.get_public(session=s, public_id=pid) for pid in ids]


def test_full_documents_keep_only_public_links(db, publish, actors):
    target = publish("algorithm")
    hidden = None
    with db.unit_of_work() as s:
        hidden = service.create(session=s, actor=actors["editor_a"], data=payload("algorithm")).registration.public_id
    source = publish("sensor", links=[{"target": target, "relation": "feeds"}, {"target": hidden, "relation": "feeds"}])
    with db.unit_of_work(write=False) as s:
        full = {d["public_id"]: d for d in bulk.iter_public_full(session=s, batch=1)}
        assert full[source]["links"] == [{"target": target, "relation": "feeds"}]
        assert full[target]["linked_from"] == [{"source": source, "relation": "feeds"}]
        assert full == {pid: queries.get_public(session=s, public_id=pid) for pid in (source, target)}


def test_iter_public_filters_and_located(db, register):
    with db.unit_of_work(write=False) as s:
        sensors = list(bulk.iter_public(session=s, filters=queries.Filters(kind="sensor")))
        located = list(bulk.iter_public(session=s, filters=queries.Filters(kind="sensor"), located=True))
    assert {i["public_id"] for i in sensors} == {register["sensor"], register["area"], register["restricted"]}
    assert {i["public_id"] for i in located} == {register["sensor"], register["area"]}
    area = next(i for i in located if i["public_id"] == register["area"])
    assert area["sensor"]["location"] == STRATUMSEIND_AREA
    restricted = next(i for i in sensors if i["public_id"] == register["restricted"])
    assert not {"lat", "lon", "location"} & set(restricted["sensor"])


@pytest.mark.parametrize("name", ["registrations.jsonl", "registrations.csv", "sensors.geojson"])
def test_unknown_parameters_are_refused(client, name):
    response = client.get(f"{PREFIX}/{name}?kind=sensor")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["invalidParams"][0]["name"] == "kind"


def test_a_current_copy_is_not_sent_again(client, publish):
    publish("sensor")
    first = client.get(f"{PREFIX}/registrations.csv")
    assert first.get_data(as_text=True).startswith("publicId,")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get(f"{PREFIX}/registrations.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    publish("algorithm")
    changed = client.get(f"{PREFIX}/registrations.csv", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(changed.get_data(as_text=True).splitlines()) == 3
