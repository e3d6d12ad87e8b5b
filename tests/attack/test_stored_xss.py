"""Stored XSS: a dozen classic payloads in every text field of every kind, and through the CSV import,
come out inert on every page, feed, API answer and export that shows them.

The popup and tooltip on the map are drawn by the browser and are covered by tests/e2e/test_portal_xss.py.
"""

import csv
import io
import json

import pytest
from sqlmodel import select

from register import bulk_import
from register.registrations import service
from register.registrations.fields import KINDS
from register.registrations.models import Registration
from tests.attack.hostile import hostile, refuses_plain_text, text_paths
from tests.attack.inert import MARKERS, PAYLOADS, assert_inert_feed, assert_inert_html
from tests.factories import STRATUMSEIND
from tests.portal.conftest import csrf_token

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _publish_all(db, actors, public_ids) -> None:
    for public_id in public_ids:
        with db.unit_of_work() as s:
            service.submit(session=s, actor=actors["editor_a"], public_id=public_id)
        with db.unit_of_work() as s:
            service.publish(session=s, actor=actors["approver_a"], public_id=public_id, change_note=PAYLOADS["zbx12"])


def _unique_ref(data: dict, kind: str, marker: str) -> None:
    # The source reference is unique per organisation; keep the payload in it, made unique.
    data["provenance"]["ref"] = f"{kind}-{marker}-{data['provenance']['ref']}"[:120]


@pytest.fixture
def stored(db, actors) -> dict[tuple[str, str], str]:
    """(kind, marker) -> public id of a published registration with that payload in every text field."""
    found = {}
    for kind in KINDS:
        for marker, text in PAYLOADS.items():
            data, refused = hostile(kind, text)
            # Only codes and identifiers may refuse a payload; every free-text field must store it.
            assert all(refuses_plain_text(kind, path) for path in refused), (kind, marker, refused)
            _unique_ref(data, kind, marker)
            with db.unit_of_work() as s:
                found[kind, marker] = service.create(session=s, actor=actors["editor_a"], data=data).registration.public_id
    _publish_all(db, actors, found.values())
    return found


def test_every_free_text_field_is_covered(db):
    for kind in KINDS:
        data, refused = hostile(kind, PAYLOADS["zbx01"])
        stored = [path for path in text_paths(kind) if path not in refused]
        assert len(stored) >= 20, (kind, stored)
        flat = json.dumps(data)
        assert flat.count("zbx01") >= len(stored), f"{kind}: some text fields did not get the payload"


def test_registration_pages_public_and_office(stored, client, signed_in):
    office = signed_in("editor_a")
    english = signed_in("editor_a")
    english.get("/taal/en")
    for (kind, marker), public_id in stored.items():
        where = f"{kind} {marker}"
        text = assert_inert_html(client.get(f"/registraties/{public_id}").get_data(as_text=True), f"page {where}")
        assert PAYLOADS[marker] in text, f"the title is not shown literally on the page of {where}"
        assert_inert_html(english.get(f"/registraties/{public_id}").get_data(as_text=True), f"English page {where}")
        for suffix in ("", "/bewerken", "/voorbeeld"):
            response = office.get(f"/beheer/registraties/{public_id}{suffix}")
            assert response.status_code == 200, (suffix, where)
            assert_inert_html(response.get_data(as_text=True), f"/beheer/registraties/…{suffix} {where}")
    form = office.get(f"/beheer/registraties/{stored['sensor', 'zbx07']}/bewerken").get_data(as_text=True)
    assert "&lt;/textarea&gt;&lt;script&gt;" in form  # escaped inside the text areas, not closing them


def test_lists_search_place_and_dashboard(stored, client, signed_in):
    pages = ["/", "/zoeken", "/organisaties/gm0772", f"/plek?lat={STRATUMSEIND[0]}&lon={STRATUMSEIND[1]}",
             *(f"/zoeken?q={marker}" for marker in MARKERS), "/organisaties"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert_html(response.get_data(as_text=True), path, shows=path not in ("/", "/organisaties"))
    office = signed_in("approver_a")
    for path in ("/beheer/", "/beheer/audit"):
        response = office.get(path)
        assert response.status_code == 200, path
        assert_inert_html(response.get_data(as_text=True), path)


def test_api_json_feed_and_exports(stored, client, signed_in):
    for (_kind, marker), public_id in stored.items():
        response = client.get(f"/api/v1/registrations/{public_id}")
        assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.json["title"] == PAYLOADS[marker]  # stored and served as data, unaltered
    listing = client.get("/api/v1/registrations?pageSize=100")
    assert listing.mimetype == "application/json" and listing.headers["X-Content-Type-Options"] == "nosniff"

    feed = client.get("/api/v1/feeds/changes.atom")
    assert feed.status_code == 200 and feed.headers["X-Content-Type-Options"] == "nosniff"
    assert_inert_feed(feed.data, "the Atom feed")

    _assert_csv_defused(client.get("/api/v1/downloads/registrations.csv"), "API CSV download")
    _assert_csv_defused(client.get("/api/v1/registrations?pageSize=100", headers={"Accept": "text/csv"}), "API CSV")
    _assert_json_lines(client.get("/api/v1/downloads/registrations.jsonl"), "API JSON Lines download")
    office = signed_in("editor_a")
    _assert_csv_defused(office.get("/beheer/export?formaat=csv"), "back-office CSV export")
    _assert_json_lines(office.get("/beheer/export?formaat=jsonl"), "back-office JSON Lines export")


def _assert_csv_defused(response, where: str) -> None:
    assert response.status_code == 200 and response.mimetype == "text/csv", where
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    formulas = [cell for cell in cells if cell.startswith(FORMULA_START)]
    assert not formulas, f"{where}: cells a spreadsheet would run as formulas: {formulas[:3]}"
    assert "'" + PAYLOADS["zbx09"] in cells, f"{where}: the formula payload is missing (or altered)"
    assert any(PAYLOADS["zbx01"] == cell for cell in cells), f"{where}: payloads must be kept as text"


def _assert_json_lines(response, where: str) -> None:
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson", where
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    titles = {json.loads(line)["title"] for line in response.get_data(as_text=True).splitlines() if line}
    assert set(PAYLOADS.values()) <= titles, f"{where}: payloads altered or missing"


def test_payloads_through_the_csv_import(db, actors, client, signed_in):
    markers = ("zbx02", "zbx05", "zbx07", "zbx09", "zbx14")
    records = []
    for kind in KINDS:
        for marker in markers:
            data, _ = hostile(kind, PAYLOADS[marker])
            data.pop("organisation")
            _unique_ref(data, kind, marker)
            records.append(data)
    out = io.StringIO()
    csv.writer(out).writerows(bulk_import.export_table(records))  # the importer's own columns
    office = signed_in("editor_a")
    token = csrf_token(office, "/beheer/import")
    response = office.post("/beheer/import", data={"csrf_token": token, "action": "commit", "file": (
        io.BytesIO(out.getvalue().encode("utf-8")), "aanval.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    with db.unit_of_work(write=False) as s:
        imported = [(r.title, r.public_id) for r in s.exec(select(Registration))]
    assert sorted(title for title, _ in imported) == sorted(r["title"] for r in records), "titles changed on import"
    public_ids = [public_id for _, public_id in imported]
    assert len(public_ids) == len(records)
    _publish_all(db, actors, public_ids)
    for public_id in public_ids:
        assert_inert_html(client.get(f"/registraties/{public_id}").get_data(as_text=True), f"imported {public_id}")
        assert_inert_html(office.get(f"/beheer/registraties/{public_id}/bewerken").get_data(as_text=True),
                          f"imported {public_id} edit form")
    assert_inert_html(client.get("/zoeken").get_data(as_text=True), "search after import")
    assert_inert_feed(client.get("/api/v1/feeds/changes.atom").data, "feed after import")


@pytest.mark.parametrize("marker", [m for m in MARKERS if m not in ("zbx09", "zbx10")])
def test_the_check_catches_each_payload_when_it_is_not_escaped(marker):
    from html import escape

    from jinja2 import Template

    text = PAYLOADS[marker]
    assert_inert_html(f"<p title=\"{escape(text)}\">{escape(text)}</p>", "escaped")  # shown as text: fine
    raw = Template(text).render(config={"SECRET_KEY": "s"}) if marker == "zbx08" else text
    with pytest.raises(AssertionError):
        assert_inert_html(f"<p>{raw}</p><a href=\"{raw}\">x</a>", "unescaped")
