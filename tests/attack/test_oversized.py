"""Bodies over the limit (MAX_CONTENT_LENGTH) get 413 — problem+json on the API, an HTML page on the
portal — and write nothing."""

import io

import pytest

from register.accounts import tokens
from register.organisations.service import get_by_code
from tests.portal.conftest import csrf_token

pytestmark = pytest.mark.db


@pytest.fixture
def too_big(app) -> int:
    return app.config["MAX_CONTENT_LENGTH"] + 1024


def _bearer(db, actors) -> dict:
    with db.unit_of_work() as s:
        _, secret = tokens.create_token(session=s, actor=actors["admin_a"], organisation=get_by_code(session=s, code="gm0772"),
                                        role="approver", name="groot")
    return {"Authorization": f"Bearer {secret}"}


def test_api_json_bodies(client, db, actors, publish, counts, too_big):
    headers = _bearer(db, actors)
    public_id = publish("sensor")
    body = b'{"title": "' + b"x" * too_big + b'"}'
    before = counts()
    for method, path in (("POST", "/api/v1/organisations/gm0772/registrations"), ("PUT", f"/api/v1/registrations/{public_id}"),
                         ("POST", "/api/v1/organisations/gm0772/publicatiestandaard"),
                         ("POST", f"/api/v1/registrations/{public_id}/withdraw")):
        response = client.open(path, method=method, data=body, headers=headers, content_type="application/json")
        assert response.status_code == 413, (path, response.status_code)
        assert response.mimetype == "application/problem+json" and response.json["status"] == 413
    assert counts() == before


def _assert_html_413(response, where: str) -> None:
    assert response.status_code == 413, (where, response.status_code)
    assert response.mimetype == "text/html" and "<html" in response.get_data(as_text=True), where


def test_back_office_forms_and_import_upload(signed_in, counts, too_big):
    office = signed_in("editor_a")
    token = csrf_token(office, "/beheer/import")
    before = counts()
    upload = office.post("/beheer/import", data={"csrf_token": token, "action": "commit",
                                                 "file": (io.BytesIO(b"kind,title\n" + b"x" * too_big), "groot.csv")},
                         content_type="multipart/form-data")
    _assert_html_413(upload, "import upload")
    for path in ("/beheer/registraties/nieuw/sensor", "/beheer/wachtwoord", "/beheer/import"):
        response = office.post(path, data={"csrf_token": token, "title": "x" * too_big})
        _assert_html_413(response, path)
    assert counts() == before


def test_public_report_form(client, counts, too_big):
    token = csrf_token(client, "/melden")
    before = counts()
    response = client.post("/melden", data={"csrf_token": token, "kind": "error", "message": "x" * too_big,
                                            "organisation": "gm0772"})
    _assert_html_413(response, "/melden")
    assert counts() == before
