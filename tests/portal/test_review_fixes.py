"""Regression tests for the security review of the portal and back office."""

import io
import zipfile

import pytest

from register.errors import Invalid
from register.organisations import service as organisations
from tests.factories import SYSTEM
from tests.portal.test_imports import upload


def test_exported_csv_defuses_spreadsheet_formulas(signed_in, publish):
    publish("sensor", title='=HYPERLINK("http://evil.example","x")')
    body = signed_in("editor_a").get("/beheer/export?formaat=csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and ',=HYPERLINK' not in body and '"=HYPERLINK' not in body


def test_unreadable_uploads_get_a_message_not_a_server_error(signed_in):
    client = signed_in("editor_a")
    huge_field = "kind,title\nsensor," + "x" * 200_000 + "\n"
    assert upload(client, huge_field).status_code == 400
    nested = "[" * 100_000
    assert upload(client, nested, filename="lars.json").status_code == 400


def test_workbooks_that_unpack_to_too_much_are_refused_before_parsing(signed_in):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + " " * (70 * 1024 * 1024) + "</a>")
    client = signed_in("editor_a")
    from tests.portal.conftest import csrf_token

    token = csrf_token(client, "/beheer/import")
    response = client.post("/beheer/import", data={"csrf_token": token, "action": "check",
                                                   "file": (io.BytesIO(buffer.getvalue()), "bom.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "60 MB" in response.get_data(as_text=True)


def test_no_organisation_may_take_the_site_chains_name(db):
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        organisations.create(session=s, actor=SYSTEM, data={"code": "site", "name": "Site", "type": "other"})
    assert "code" in caught.value.errors
    with pytest.raises(Invalid), db.unit_of_work() as s:
        organisations.create(session=s, actor=SYSTEM, data={"code": "gmé123", "name": "X", "type": "other"})


def test_only_plain_request_ids_are_taken_over(client):
    plain = client.get("/health", headers={"X-Request-ID": "abc-123_def.456"})
    assert plain.headers["X-Request-ID"] == "abc-123_def.456"
    odd = client.get("/health", headers={"X-Request-ID": "abc\x1b[31mdefgh"})
    assert odd.headers["X-Request-ID"] != "abc\x1b[31mdefgh"


def test_anonymous_reports_are_rate_limited_per_address(client, publish):
    from tests.portal.conftest import csrf_token

    pid = publish("sensor")
    token = csrf_token(client, f"/melden?registration={pid}")
    statuses = [client.post("/melden", data={"csrf_token": token, "registration": pid, "kind": "error",
                                             "message": "De meter hangt er niet meer."}).status_code
                for _ in range(12)]
    assert statuses[:10] == [302] * 10 and statuses[-1] == 429
