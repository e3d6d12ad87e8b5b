"""Database outages and storage faults as a clean 503, in one place for both faces.

The API answers problem+json, the portal an HTML page; both carry Retry-After. Only faults of the
database or its storage are mapped here (connection lost or refused, pool exhausted, disk full,
read-only storage); every other database error is a bug and stays a 500. Nothing of the failed
statement (SQL, parameters, audit content) ever reaches the response.
"""

import contextlib
import sqlite3
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from sqlalchemy import exc as sa_exc
from werkzeug.wrappers import Response as BaseResponse

RETRY_AFTER = 5  # seconds: PostgreSQL restarts and fail-overs take a few seconds


@dataclass(frozen=True)
class Outage:
    """What went wrong, in words a client can act on."""

    reason: str  # database_unavailable, storage_full or storage_read_only
    title: str
    detail: str


UNAVAILABLE = Outage("database_unavailable", "Database unavailable",
                     "The register's database cannot be reached right now; try again in a few seconds.")
FULL = Outage("storage_full", "Storage full",
              "The register cannot store changes right now: its storage is full. Nothing was changed.")
READ_ONLY = Outage("storage_read_only", "Storage read-only",
                   "The register cannot store changes right now: its storage is read-only. Nothing was changed.")

# SQLite primary result codes (by name) that mean the file or the disk, not the statement, is at fault.
_SQLITE = {"SQLITE_FULL": FULL, "SQLITE_READONLY": READ_ONLY, "SQLITE_IOERR": UNAVAILABLE,
           "SQLITE_CANTOPEN": UNAVAILABLE, "SQLITE_BUSY": UNAVAILABLE, "SQLITE_NOMEM": UNAVAILABLE,
           "SQLITE_PROTOCOL": UNAVAILABLE}


def _psycopg(orig: BaseException) -> Outage | None:
    try:
        import psycopg
        from psycopg import errors
    except ImportError:  # pragma: no cover - psycopg is a dependency, but SQLite-only installs need not care
        return None
    if isinstance(orig, errors.DiskFull):
        return FULL
    if isinstance(orig, errors.ReadOnlySqlTransaction):  # e.g. a standby after a fail-over
        return READ_ONLY
    if isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError):
        # Connection lost or refused, administrator shutdown, "starting up", too many connections.
        return UNAVAILABLE
    return None


def classify(exc: BaseException) -> Outage | None:
    """The outage an exception stands for, or None when it is an ordinary error (a bug stays a 500)."""
    seen = 0
    while exc is not None and seen < 5:  # an outage may be wrapped by the code that met it
        if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
            return UNAVAILABLE
        if isinstance(exc, sa_exc.DBAPIError):
            if exc.connection_invalidated:
                return UNAVAILABLE
            orig = exc.orig
            if isinstance(orig, sqlite3.Error):
                name = getattr(orig, "sqlite_errorname", "") or ""
                found = _SQLITE.get(name) or next((o for n, o in _SQLITE.items() if name.startswith(n + "_")), None)
                if found:
                    return found
                if "disk is full" in str(orig):  # drivers without error names
                    return FULL
                if "readonly database" in str(orig):
                    return READ_ONLY
                return None
            return _psycopg(orig) if orig is not None else None
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _discard_session() -> None:
    # The request's read session is in a failed state; the error page must not use it.
    session = g.pop("read_session", None)
    if session is not None:
        with contextlib.suppress(Exception):
            session.close()


def _problem(outage: Outage) -> Response:
    from api.conventions import problem

    response = problem(503, outage.title, outage.detail, headers={"Retry-After": str(RETRY_AFTER)})
    response.headers["Cache-Control"] = "no-store"
    return response


FALLBACK_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Tijdelijk niet beschikbaar</title></head>
<body><h1>Het register is tijdelijk niet beschikbaar</h1><p>Probeer het over een paar seconden opnieuw.</p>
<p lang="en">The register is briefly unavailable; please try again in a few seconds.</p></body></html>
"""


def _page(outage: Outage) -> BaseResponse:
    from werkzeug.exceptions import ServiceUnavailable

    error = ServiceUnavailable(retry_after=RETRY_AFTER)
    renderer = current_app.extensions.get("zichtbaar.html_error")
    response = None
    if renderer is not None:
        login = getattr(current_app, "login_manager", None)
        if login is not None and "_login_user" not in g:
            # Loading the signed-in account needs the database: show the page as to a visitor.
            g._login_user = login.anonymous_user()
        try:
            response = renderer(error)
        except Exception:  # the layout itself may need what is down; fall back to a static page
            current_app.logger.warning("error page for the outage could not be rendered", exc_info=True)
    if not isinstance(response, BaseResponse):
        response = Response(FALLBACK_PAGE, status=503, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def answer(exc: BaseException) -> BaseResponse | None:
    """A 503 response for a database outage (problem+json on the API, HTML elsewhere), else None."""
    outage = classify(exc)
    if outage is None:
        return None
    orig = getattr(exc, "orig", None) or exc
    first_line = (str(orig).splitlines() or [""])[0][:200]  # never the statement or its parameters
    current_app.logger.warning("503 %s on %s %s: %s: %s", outage.reason, request.method, request.path,
                               type(orig).__name__, first_line)
    _discard_session()
    if outage is READ_ONLY:
        # SQLite opened the file read-only; fresh connections will write again once the disk is writable.
        from zichtbaar.web import database

        with contextlib.suppress(Exception):
            database().dispose()
    if request.path == "/api/v1" or request.path.startswith("/api/"):
        return _problem(outage)
    return _page(outage)


def _close_read_session(_exc) -> None:
    session = g.pop("read_session", None)
    if session is None:
        return
    try:
        session.close()
    except sa_exc.SQLAlchemyError as exc:
        # The connection died under a finished request (the database restarted meanwhile): the answer
        # was complete, so it must not turn into a 500 now. SQLAlchemy has dropped the dead connection.
        current_app.logger.warning("read session could not be closed cleanly: %s", type(exc).__name__)
        with contextlib.suppress(Exception):
            session.invalidate()


def init_app(app: Flask) -> None:
    """Close each request's read session without letting a lost connection spoil a complete answer."""
    # Teardown functions run in reverse order of registration: this one, registered after
    # zichtbaar.web's, takes the session first and closes it quietly.
    app.teardown_request(_close_read_session)
