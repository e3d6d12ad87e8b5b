"""SQL-injection strings in every filter and search parameter: a 400 or a normal answer with no extra
rows, never a 500 or a database error text, and the database unchanged afterwards."""

import html
import json

import pytest
from markupsafe import escape

INJECTIONS = ["' OR 1=1--", "1; DROP TABLE registration", "%' UNION SELECT password_hash FROM user_account--",
              "\x00", "x" * 5000, '"', "\\", "%", "_", "') OR ('a'='a", "1 OR 1=1", "*/ SELECT 1 /*"]
DATABASE_ERRORS = ("sqlite3", "psycopg", "OperationalError", "ProgrammingError", "syntax error", "SELECT ", "Traceback")
pytestmark = pytest.mark.db


def _assert_no_database_error(response, injected: str, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    body = response.get_data(as_text=True)
    # The answer may echo the input itself (a search box keeps what was typed); only other text counts.
    for echo in (injected, str(escape(injected)), html.escape(injected), json.dumps(injected)[1:-1]):
        body = body.replace(echo, "")
    leaked = [sign for sign in DATABASE_ERRORS if sign in body]
    assert not leaked, f"{where}: database error text {leaked} in the answer"


def _string_query_parameters(document: dict) -> dict[str, list[str]]:
    """Every list endpoint (GET without path parameters) and its string query parameters, from the document."""
    found = {}
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path or path.startswith(("/openapi", "/vocabularies")):
            continue
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if names:
            found[path] = names
    return found


def test_api_list_parameters(client, publish, counts):
    publish("sensor")
    publish("algorithm")
    document = client.get("/api/v1/openapi.json").json
    endpoints = _string_query_parameters(document)
    assert {"/registrations", "/sensors", "/organisations", "/facets"} <= set(endpoints)
    before = counts()
    tried = 0
    for path, names in endpoints.items():
        for name in names:
            for injected in INJECTIONS:
                response = client.get(f"/api/v1{path}", query_string={name: injected})
                where = f"{path}?{name}={injected[:30]!r}"
                _assert_no_database_error(response, injected, where)
                tried += 1
                if response.status_code == 400:
                    assert response.mimetype == "application/problem+json", where
                elif name == "q" and response.mimetype == "application/json":
                    # Nothing holds these strings: any row found came through a wildcard or injected clause.
                    assert int(response.headers.get("X-Total-Count", 0)) == 0, where
    assert tried >= 500
    assert counts() == before


@pytest.mark.parametrize("path", ["/zoeken", "/organisaties", "/zoeken-plek"])
def test_portal_search_and_filters(client, publish, counts, path):
    publish("sensor")
    empty = client.get(path, query_string={"q": "qqqq-niets-qqqq"})
    baseline = empty.get_data(as_text=True).count("/registraties/")
    before = counts()
    for injected in INJECTIONS:
        for name in ("q", "soort", "thema", "pagina", "organisatie", "achterstallig"):
            response = client.get(path, query_string={name: injected})
            _assert_no_database_error(response, injected, f"{path}?{name}")
            if name == "q" and response.status_code == 200:
                assert response.get_data(as_text=True).count("/registraties/") <= baseline, f"{path} {injected!r}"
    assert counts() == before


def test_place_page_parameters(client, publish, counts):
    publish("sensor")
    before = counts()
    for injected in INJECTIONS:
        for name in ("lat", "lon", "r", "label", "verberg", "n"):
            query = {"lat": "51.4386", "lon": "5.4820", name: injected}
            _assert_no_database_error(client.get("/plek", query_string=query), injected, f"/plek?{name}")
    assert counts() == before


def test_back_office_audit_log_filters(signed_in, counts):
    office = signed_in("approver_a")
    baseline = office.get("/beheer/audit", query_string={"actor": "qqqq-niemand"}).get_data(as_text=True).count("<tr")
    before = counts()
    for injected in INJECTIONS:
        for name in ("action", "actor", "entity", "since", "until", "page"):
            for path in ("/beheer/audit", "/beheer/audit.csv"):
                response = office.get(path, query_string={name: injected})
                _assert_no_database_error(response, injected, f"{path}?{name}")
                if name in ("action", "actor", "entity") and path == "/beheer/audit" and response.status_code == 200:
                    rows = response.get_data(as_text=True).count("<tr")
                    assert rows <= baseline, f"{path}?{name}={injected!r} found {rows} rows"
    assert counts() == before
