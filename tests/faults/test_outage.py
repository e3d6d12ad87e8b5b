"""The 503 mapping (zichtbaar/outage.py), fast and without processes: which errors are outages, and
what each face answers when the database is really unreachable."""

import sqlite3

import psycopg
import pytest
from psycopg import errors as pg_errors
from sqlalchemy import exc as sa_exc

from zichtbaar import outage
from zichtbaar.app import create_app
from zichtbaar.config import Config


def _wrapped(cls, orig, invalidated=False):
    return cls("INSERT INTO audit_entry (changes) VALUES (?)", {"changes": "geheim"}, orig,
               connection_invalidated=invalidated)


def _sqlite_error(message: str, name: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name  # as the driver sets it
    return error


CASES = [
    ("sqlite full", _wrapped(sa_exc.OperationalError, _sqlite_error("database or disk is full", "SQLITE_FULL")),
     "storage_full"),
    ("sqlite read-only", _wrapped(sa_exc.OperationalError,
                                  _sqlite_error("attempt to write a readonly database", "SQLITE_READONLY")),
     "storage_read_only"),
    ("sqlite read-only (no name)", _wrapped(sa_exc.OperationalError,
                                            sqlite3.OperationalError("attempt to write a readonly database")),
     "storage_read_only"),
    ("sqlite I/O", _wrapped(sa_exc.OperationalError, _sqlite_error("disk I/O error", "SQLITE_IOERR_WRITE")),
     "database_unavailable"),
    ("sqlite locked", _wrapped(sa_exc.OperationalError, _sqlite_error("database is locked", "SQLITE_BUSY")),
     "database_unavailable"),
    ("pg refused", _wrapped(sa_exc.OperationalError, psycopg.OperationalError("connection refused")),
     "database_unavailable"),
    ("pg shutdown", _wrapped(sa_exc.OperationalError, pg_errors.AdminShutdown("terminating connection")),
     "database_unavailable"),
    ("pg disk full", _wrapped(sa_exc.OperationalError, pg_errors.DiskFull("could not extend file")),
     "storage_full"),
    ("pg standby", _wrapped(sa_exc.InternalError, pg_errors.ReadOnlySqlTransaction("read-only transaction")),
     "storage_read_only"),
    ("connection invalidated", _wrapped(sa_exc.DBAPIError, Exception("gone"), invalidated=True),
     "database_unavailable"),
    ("pool exhausted", sa_exc.TimeoutError("QueuePool limit reached"), "database_unavailable"),
    # Bugs are not outages: they stay a 500 so they are seen and fixed.
    ("sqlite missing table", _wrapped(sa_exc.OperationalError, _sqlite_error("no such table: x", "SQLITE_ERROR")),
     None),
    ("integrity", _wrapped(sa_exc.IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed")), None),
    ("pg syntax", _wrapped(sa_exc.ProgrammingError, pg_errors.SyntaxError("syntax error")), None),
    ("plain bug", ValueError("nope"), None),
]


@pytest.mark.parametrize("error, reason", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify(error, reason):
    found = outage.classify(error)
    assert (found.reason if found else None) == reason


def test_classify_follows_the_cause():
    try:
        try:
            raise _wrapped(sa_exc.OperationalError, psycopg.OperationalError("server closed the connection"))
        except sa_exc.OperationalError as inner:
            raise RuntimeError("while saving") from inner
    except RuntimeError as outer:
        assert outage.classify(outer) is outage.UNAVAILABLE


@pytest.fixture
def down_app():
    """The app pointed at a PostgreSQL address where nothing listens: every query meets a refused connection."""
    app = create_app(Config(database_url="postgresql+psycopg://postgres@127.0.0.1:9/nothing", testing=True,
                            secret_key="test", api_rate_limit="10000 per minute"))
    yield app
    app.extensions["zichtbaar.db"].dispose()


@pytest.mark.parametrize("path", ["/api/v1/registrations", "/api/v1/near-me?near=51.44,5.48",
                                  "/api/v1/organisations"])
def test_api_answers_problem_json_503(down_app, path):
    response = down_app.test_client().get(path)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    doc = response.get_json()
    assert doc["status"] == 503 and doc["title"] == "Database unavailable" and "try again" in doc["detail"]
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["API-Version"]
    assert "SELECT" not in response.get_data(as_text=True) and "127.0.0.1" not in response.get_data(as_text=True)


def test_api_write_answers_503(down_app):
    response = down_app.test_client().post("/api/v1/organisations/gm0772/registrations", json={"title": "x"},
                                           headers={"Authorization": "Bearer zb_" + "x" * 43})
    assert response.status_code == 503 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["/", "/zoeken", "/plek?lat=51.44&lon=5.48"])
def test_portal_answers_html_503(down_app, path):
    client = down_app.test_client()
    response = client.get(path)
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_data(as_text=True)
    assert "Het register is even niet beschikbaar" in body and "INSERT" not in body and "SELECT" not in body
    english = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert english.status_code == 503 and "The register is briefly unavailable" in english.get_data(as_text=True)


def test_portal_503_for_a_signed_in_visitor(down_app):
    # Loading the signed-in account needs the database too: the page must still be a 503, not a 500.
    from flask_login.utils import _create_identifier

    client = down_app.test_client()
    client.environ_base.update(HTTP_USER_AGENT="zb-test", REMOTE_ADDR="127.0.0.1")
    with down_app.test_request_context(headers={"User-Agent": "zb-test"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        identifier = _create_identifier()  # what flask-login's strong session protection expects
    with client.session_transaction() as session:
        session.update(_user_id="1", _fresh=True, _id=identifier)
    response = client.get("/beheer/")
    assert response.status_code == 503 and response.mimetype == "text/html"


def test_health_says_unavailable(down_app):
    response = down_app.test_client().get("/health")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


def test_a_bug_stays_500(down_app):
    @down_app.get("/api/v1/_boom")
    def _boom():
        raise _wrapped(sa_exc.IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed"))

    response = down_app.test_client().get("/api/v1/_boom")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "geheim" not in response.get_data(as_text=True)


def test_a_connection_lost_after_the_answer_does_not_spoil_it(down_app):
    # The database restarted after the page was rendered: closing the request's session fails. The
    # complete answer must still go out (it was a 500 with an empty body before).
    from flask import g

    class Dying:
        def close(self):
            raise _wrapped(sa_exc.OperationalError, psycopg.OperationalError("server closed the connection"))

        def invalidate(self):
            pass

    @down_app.get("/_rendered")
    def _rendered():
        g.read_session = Dying()
        return "klaar"

    response = down_app.test_client().get("/_rendered")
    assert response.status_code == 200 and response.get_data(as_text=True) == "klaar"
