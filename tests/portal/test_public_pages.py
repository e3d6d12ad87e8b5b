"""The citizen portal, server side: every page answers the question without JavaScript."""

import re

import pytest
from sqlmodel import select

from register.registrations import service
from register.reports.models import Report
from tests.factories import payload
from tests.portal.conftest import csrf_token

CAMERA = {"sensor_type": "camera", "measures": "Beelden van de straat", "identifiability": "identifiable",
          "location": {"type": "Point", "coordinates": [5.4823, 51.4387]}}
XSS = '<img src=x onerror="window.__xss=1">"><script>window.__xss=1</script>'


def _place(client, **params):
    query = {"lat": 51.4386, "lon": 5.482, "r": 500, **params}
    return client.get("/plek", query_string=query)


def test_start_page_has_search_location_map_and_no_third_party_assets(client):
    page = client.get("/").get_data(as_text=True)
    assert 'id="search"' in page and 'name="q"' in page and 'id="use-location"' in page and 'id="map"' in page
    sources = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert sources == []  # Leaflet and every asset come from the app; tiles are only in the map's script
    assert "service.pdok.nl" in page and "Kadaster" in page
    assert 'lang="nl"' in page


def test_postcode_search_goes_to_the_place_page(client):
    response = client.get("/zoeken-plek", query_string={"q": "5611 AB"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/plek?lat=51.4")


def test_coordinates_and_unknown_places(client):
    assert client.get("/zoeken-plek?q=51.4386,5.482").headers["Location"].startswith("/plek?lat=51.4386")
    missing = client.get("/zoeken-plek?q=Xyzzyvlek")
    assert missing.status_code == 404 and "Xyzzyvlek" in missing.get_data(as_text=True)


def test_place_page_lists_sensors_identifiable_first_and_what_applies(client, publish):
    sound = publish("sensor")
    camera = publish("sensor", title="Camera Stratumseind", sensor=CAMERA)
    algorithm = publish("algorithm")
    far = publish("sensor", title="Meter elders", sensor={**payload("sensor")["sensor"],
                                                          "location": {"type": "Point", "coordinates": [5.50, 51.45]}})
    page = _place(client).get_data(as_text=True)
    listing = page.split('id="sensor-list"')[1].split('id="applicable"')[0]
    assert listing.index(camera) < listing.index(sound)  # identifiable types first
    assert 'data-identifiability="identifiable"' in listing and far not in listing
    applicable = page.split('id="applicable"')[1]
    assert algorithm in applicable and "Gemeente Eindhoven" in applicable
    assert 'id="legend"' in page and 'value="camera"' in page


def test_radius_and_the_legend_filter_work_without_javascript(client, publish):
    publish("sensor")
    camera = publish("sensor", title="Camera Stratumseind", sensor=CAMERA)
    hidden = _place(client, verberg="camera").get_data(as_text=True)
    section = hidden.split('class="sensor-group" data-type="camera"')[1].split(">")[0]
    assert "hidden" in section
    small = _place(client, r=100).get_data(as_text=True)
    assert camera in small  # 20 m away
    assert _place(client, lat=99).status_code == 400


def test_registration_page_answers_first_then_history_with_changes(client, db, actors, publish):
    pid = publish("algorithm")
    with db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=pid,
                       data=payload("algorithm", purpose="Een nieuw en duidelijker doel voor iedereen."))
    with db.unit_of_work() as s:
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
    with db.unit_of_work() as s:
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Doel verduidelijkt")
    page = client.get(f"/registraties/{pid}").get_data(as_text=True)
    assert page.index("Een nieuw en duidelijker doel") < page.index('id="history"')
    history = page.split('id="history"')[1]
    assert "Doel verduidelijkt" in history and "Eerste publicatie" in history
    assert history.count('class="version"') == 2
    assert f"/api/v1/registrations/{pid}" in page
    assert client.get("/registraties/NOPE-1").status_code == 404


def test_withdrawn_registration_shows_its_reason(client, db, actors, publish):
    pid = publish("sensor")
    with db.unit_of_work() as s:
        service.withdraw(session=s, actor=actors["approver_a"], public_id=pid, reason="De meter is weggehaald.")
    page = client.get(f"/registraties/{pid}").get_data(as_text=True)
    assert "De meter is weggehaald." in page


def test_drafts_are_not_public(client, db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload("sensor")).registration.public_id
    assert client.get(f"/registraties/{pid}").status_code == 404
    assert pid not in _place(client).get_data(as_text=True)


def test_organisation_pages_show_accountability_figures(client, publish):
    publish("agreement", review_date="2020-01-01")  # personal data, DPIA in progress, overdue
    listing = client.get("/organisaties?q=eindhoven").get_data(as_text=True)
    row = listing.split("Gemeente Eindhoven")[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1", "1"]
    page = client.get("/organisaties/gm0772").get_data(as_text=True)
    assert "Convenant gegevensdeling" in page
    assert client.get("/organisaties/nope").status_code == 404


def test_browse_filters_are_urls_with_counts(client, publish):
    publish("sensor")
    publish("algorithm")
    page = client.get("/zoeken").get_data(as_text=True)
    assert "soort=sensor" in page and re.search(r">\s*Sensor \(1\)", page)
    only = client.get("/zoeken?soort=algorithm").get_data(as_text=True)
    assert "Voorspelling drukte" in only and "Geluidsmeter Stratumseind" not in only
    assert "Geluidsmeter" in client.get("/zoeken?q=geluidsmeter").get_data(as_text=True)


def test_report_reaches_the_organisation_and_needs_csrf(client, app, db, publish):
    pid = publish("sensor")
    token = csrf_token(client, f"/melden?registration={pid}")
    refused = client.post("/melden", data={"registration": pid, "kind": "error", "message": "De meter hangt er niet meer."})
    assert refused.status_code == 400
    bad = client.post("/melden", data={"csrf_token": token, "registration": pid, "kind": "error", "message": "kort",
                                       "contact": "geen-adres"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="message-error"' in text and 'id="contact-error"' in text
    assert "kort" in text  # the input is kept
    good = client.post("/melden", data={"csrf_token": token, "registration": pid, "kind": "error",
                                        "message": "De meter hangt er niet meer."})
    assert good.status_code == 302
    with db.unit_of_work(write=False) as s:
        reports = list(s.exec(select(Report)))
    assert len(reports) == 1 and reports[0].state == "open" and reports[0].contact is None


@pytest.mark.parametrize("path", ["/", "/zoeken?q=img", "/organisaties/gm0772", "/plek?lat=51.4386&lon=5.482"])
def test_injected_text_is_inert_everywhere(client, publish, path):
    pid = publish("sensor", title=XSS[:100], summary=XSS, purpose=XSS)
    for url in (path, f"/registraties/{pid}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>window.__xss" not in page and '<img src=x onerror' not in page


def test_security_headers_and_cookie_free_public_pages(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "img-src 'self' data: https://service.pdok.nl" in policy
    assert "Set-Cookie" not in response.headers  # no cookie for a visitor who only reads


def test_language_switch_remembers_the_choice_and_only_redirects_locally(client):
    response = client.get("/taal/en?next=/zoeken")
    assert response.status_code == 302 and response.headers["Location"] == "/zoeken"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    assert client.get("/taal/nl?next=https://evil.example/").headers["Location"] == "/"


def test_error_pages_are_html_in_the_visitors_language(client):
    missing = client.get("/registraties/NOPE-1", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "Pagina niet gevonden" in missing.get_data(as_text=True)
    english = client.get("/bestaat-niet?lang=en").get_data(as_text=True)
    assert "Page not found" in english
    assert client.get("/api/v1/registrations/NOPE-1").mimetype == "application/problem+json"
