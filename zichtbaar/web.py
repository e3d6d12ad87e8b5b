"""Web plumbing both faces share: the unit of work per request, request ids, security headers."""

import uuid

from flask import Flask, g, request

from register.db import Database

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}


def database(app: Flask | None = None) -> Database:
    """The app's database."""
    from flask import current_app

    return (app or current_app).extensions["zichtbaar.db"]


def read_session():
    """A read session for this request, closed when the request ends."""
    if "read_session" not in g:
        g.read_session = database().session()
    return g.read_session


def init_app(app: Flask) -> None:
    """Attach request ids, session clean-up and security headers."""

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex

    @app.teardown_request
    def _close_session(_exc):
        session = g.pop("read_session", None)
        if session is not None:
            session.close()

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
