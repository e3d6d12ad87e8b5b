"""Regressions from the security review: leaks of withheld places, control characters, bad geometry."""

import json

import pytest

from register.registrations import service
from tests.factories import payload

PREFIX = "/api/v1"
RESTRICTED = {"openness": "restricted", "restriction_reason": "Opsporing", "oversight_body": "Autoriteit Persoonsgegevens"}


def test_a_restricted_sensor_leaks_its_place_in_no_language_and_no_download(client, publish):
    secret = "Op het dak van Stationsplein 12"
    pid = publish("sensor", en={"title": "Camera", "location_description": secret}, **RESTRICTED)
    for url in (f"{PREFIX}/registrations/{pid}", f"{PREFIX}/registrations/{pid}/versions/1",
                f"{PREFIX}/downloads/registrations.jsonl", f"{PREFIX}/registrations?kind=sensor"):
        body = client.get(url).get_data(as_text=True)
        assert secret not in body and "51.4385" not in body, url


def test_a_sensor_restricted_later_keeps_its_old_place_out_of_history(client, db, actors, publish):
    pid = publish("sensor")
    with db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=pid, data=payload("sensor", **RESTRICTED))
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Nu beperkt.")
    for url in (f"{PREFIX}/registrations/{pid}/versions/1", f"{PREFIX}/registrations/{pid}/diff?from=1&to=2"):
        assert "51.4385" not in client.get(url).get_data(as_text=True), url


def test_versions_do_not_name_links_to_unpublished_items(client, db, actors, publish):
    with db.unit_of_work() as s:
        draft = service.create(session=s, actor=actors["editor_b"], data=payload("algorithm", organisation="gm0363"))
    pid = publish("sensor", links=[{"target": draft.registration.public_id, "relation": "related"}])
    assert draft.registration.public_id not in client.get(f"{PREFIX}/registrations/{pid}/versions/1").get_data(
        as_text=True)


@pytest.mark.parametrize("url", [f"{PREFIX}/registrations?q=a%00b", f"{PREFIX}/registrations/ALG%00",
                                 f"{PREFIX}/organisations/gm%00", f"{PREFIX}/organisations?q=a%00"])
def test_control_characters_in_paths_and_parameters_are_400(client, url):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_control_characters_and_overlong_values_in_a_registration_are_field_errors(db, actors):
    from register.errors import Invalid

    data = payload("algorithm", title="Nul\x00teken", retention_period="P" + "1" * 45 + "D",
                   links=[{"target": "ALG-GM0772-" + "1" * 40, "relation": "related"}])
    data["algorithm"]["source_code_url"] = "https://example.org/" + "a" * 600
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=data)
    assert {"title", "retention_period", "links.0.target", "algorithm.source_code_url"} <= set(caught.value.errors)


@pytest.mark.parametrize("geometry", [
    {"type": "Point", "coordinates": [[5.48, 51.43]]},
    {"type": "LineString", "coordinates": [[5.48, 51.43]]},
    {"type": "Polygon", "coordinates": [[[5.48, 51.43], [5.49, 51.43], [5.49, 51.44]]]},
    {"type": "Point", "coordinates": [5.48, 51.43], "crs": {"type": "name"}},
])
def test_malformed_geojson_is_a_field_error_not_a_crash(db, actors, geometry):
    from register.errors import Invalid

    data = payload("sensor")
    data["sensor"]["location"] = geometry
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=data)
    assert "sensor.location" in caught.value.errors


def test_a_deeply_nested_or_oversized_body_is_refused_cleanly(client, db, actors):
    from register.accounts import tokens
    from register.organisations.service import get_by_code

    with db.unit_of_work() as s:
        _, secret = tokens.create_token(session=s, actor=actors["admin_a"], organisation=get_by_code(session=s,
                                        code="gm0772"), role="editor", name="Koppeling")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {secret}"}
    deep = "[" * 5000 + "]" * 5000
    response = client.post(f"{PREFIX}/organisations/gm0772/registrations", data=deep, headers=headers)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    big = json.dumps({"title": "x" * (11 * 1024 * 1024)})
    response = client.post(f"{PREFIX}/organisations/gm0772/registrations", data=big, headers=headers)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
