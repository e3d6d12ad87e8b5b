"""Back-office registration forms: every field, every error beside its field at once, input kept."""

import re

import pytest
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from portal.office import forms
from register.registrations import service
from register.registrations.models import Registration
from tests.factories import payload
from tests.portal.conftest import csrf_token


def form_fields(kind: str, data: dict) -> list[tuple[str, str]]:
    """What a browser would post for a form filled in with this registration data."""
    state = forms.from_data(kind, data)
    posted = []
    for name, value in state.values.items():
        if isinstance(value, list):
            posted.extend((name, v) for v in value)
        else:
            posted.append((name, value))
    return posted


def post(client, path, fields, **extra):
    token = csrf_token(client, path)
    body = [("csrf_token", token), *fields, *extra.items()]
    return client.post(path, data=MultiDict(body))


def saved(db, public_id):
    with db.unit_of_work(write=False) as s:
        reg = service.get_for_update(session=s, public_id=public_id)
        return service.pending_data(session=s, registration=reg)


def strip_ids(data):
    return {k: v for k, v in data.items() if k not in ("public_id",)}


@pytest.mark.parametrize("kind", ["sensor", "algorithm", "agreement"])
def test_a_filled_in_form_saves_exactly_the_registration(signed_in, db, kind):
    client = signed_in("editor_a")
    data = payload(kind, en={"title": "In English"}, description="Langere uitleg.",
                   assessments=[{"type": "iama", "status": "completed", "date": "2024-01-02"}])
    response = post(client, f"/beheer/registraties/nieuw/{kind}", form_fields(kind, data), save="1")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    public_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert strip_ids(saved(db, public_id)) == data


def test_new_sensor_form_has_the_map_and_every_field(signed_in):
    page = signed_in("editor_a").get("/beheer/registraties/nieuw/sensor").get_data(as_text=True)
    for needle in ('id="location-map"', 'id="field-sensor-lat"', 'id="field-sensor-lon"', 'name="sensor-geojson"',
                   'name="legal_basis-0-citation"', 'name="dpia-status"', 'name="en-title"',
                   'name="sensor-opt_out-possible"', 'value="sound_meter"', 'name="themes"'):
        assert needle in page, needle
    assert "/static/vendor/leaflet/leaflet.js" in page and "js/office-map.js" in page


def test_every_error_is_shown_beside_its_field_at_once_and_input_is_kept(signed_in, db):
    client = signed_in("editor_a")
    fields = [("title", "Camera Markt"), ("sensor-lat", "51.43"), ("sensor-lon", "vijf"),
              ("legal_basis-0-url", "geen-link"), ("review_date", "2027-13-45"), ("personal_data", "personal")]
    response = post(client, "/beheer/registraties/nieuw/sensor", fields, save="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Camera Markt"' in page and 'value="vijf"' in page and 'value="geen-link"' in page
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    # Errors for fields all over the form, each linked from the summary and shown beside the field.
    for anchor in ("field-summary", "field-purpose", "field-sensor-lat", "field-legal_basis-0-title",
                   "field-legal_basis-0-url", "field-review_date", "group-dpia", "field-sensor-sensor_type", "field-sensor-measures",
                   "field-themes-0"):
        assert f'href="#{anchor}"' in summary, anchor
    for name in ("summary", "sensor-location", "legal_basis-0-url", "review_date", "sensor-measures"):
        assert f'id="err-{name}"' in page, name
    assert 'aria-describedby="error-summary"' not in page
    assert re.search(r'id="field-review_date"[^>]*aria-describedby="[^"]*err-review_date', page)
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(Registration)).first() is None


def test_error_messages_are_in_dutch_by_default(signed_in):
    page = post(signed_in("editor_a"), "/beheer/registraties/nieuw/sensor", [("title", "x")],
                save="1").get_data(as_text=True)
    assert "Vul dit in." in page


def test_add_and_remove_rows_work_without_javascript(signed_in):
    client = signed_in("editor_a")
    fields = [("title", "Iets"), ("legal_basis-0-title", "Gemeentewet"), ("legal_basis-1-title", "Wegenverkeerswet")]
    page = post(client, "/beheer/registraties/nieuw/sensor", fields, add="legal_basis").get_data(as_text=True)
    assert 'name="legal_basis-2-title"' in page and 'value="Wegenverkeerswet"' in page
    assert "field-error" not in page  # adding a row does not validate yet
    page = post(client, "/beheer/registraties/nieuw/sensor", fields, remove="legal_basis-0").get_data(as_text=True)
    assert 'name="legal_basis-0-title" value="Wegenverkeerswet"' in page
    assert "Gemeentewet" not in page


def test_pasted_geojson_route_is_saved(signed_in, db):
    client = signed_in("editor_a")
    route = {"type": "LineString", "coordinates": [[5.47, 51.43], [5.49, 51.44]]}
    data = payload("sensor")
    data["sensor"]["location"] = route
    fields = form_fields("sensor", data)
    assert ("sensor-geojson", '{"type": "LineString", "coordinates": [[5.47, 51.43], [5.49, 51.44]]}') in fields
    response = post(client, "/beheer/registraties/nieuw/sensor", fields, save="1")
    assert response.status_code == 302
    assert saved(db, response.headers["Location"].rsplit("/", 1)[-1])["sensor"]["location"] == route


def test_broken_geojson_is_reported_with_the_other_errors(signed_in):
    page = post(signed_in("editor_a"), "/beheer/registraties/nieuw/sensor",
                [("sensor-geojson", "{kapot")], save="1").get_data(as_text=True)
    assert "De GeoJSON is geen geldige JSON." in page and 'id="error-summary"' in page
    assert 'href="#field-title"' in page


def test_edit_shows_values_and_saves_a_change(signed_in, db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload("sensor")).registration.public_id
    client = signed_in("editor_a")
    page = client.get(f"/beheer/registraties/{pid}/bewerken").get_data(as_text=True)
    assert 'value="Geluidsmeter Stratumseind"' in page and 'value="51.4385"' in page
    data = payload("sensor", title="Geluidsmeter Stratumseind-Oost")
    response = post(client, f"/beheer/registraties/{pid}/bewerken", form_fields("sensor", data), save="1")
    assert response.status_code == 302
    assert saved(db, pid)["title"] == "Geluidsmeter Stratumseind-Oost"


def test_outsiders_and_anonymous_visitors_cannot_use_the_forms(client, signed_in, db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload("sensor")).registration.public_id
    assert client.get("/beheer/registraties/nieuw/sensor").status_code == 302
    assert signed_in("editor_b").get(f"/beheer/registraties/{pid}/bewerken").status_code == 403
    assert signed_in("admin_a").get("/beheer/registraties/nieuw/sensor").status_code == 403
    assert signed_in("editor_a").get("/beheer/registraties/nieuw/spaceship").status_code == 404
    assert signed_in("editor_a").get("/beheer/registraties/SEN-GM0772-9999").status_code == 404
