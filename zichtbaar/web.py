"""Web plumbing both faces share: the unit of work per request, request ids, security headers."""

import re
import secrets
import uuid

from flask import Flask, current_app, g, request

from register.db import Database

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
}
# Only over TLS (directly, or behind PROXIES that say X-Forwarded-Proto: https): over plain http the header
# means nothing, and sending it from a development server would pin browsers to https for localhost.
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This response's nonce for the few inline scripts the pages need (the folium map's set-up)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    """Only the app itself, plus the configured tile host for map images; inline script only by nonce."""
    tiles = current_app.config["ZICHTBAAR"].tile_origin
    script = f"script-src 'self' 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else "script-src 'self'"
    return (f"default-src 'self'; {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data: {tiles}; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")


def database(app: Flask | None = None) -> Database:
    """The app's database."""
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
        # Only a plain token is taken over: the id ends up in logs and in the audit log.
        g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    @app.teardown_request
    def _close_session(_exc):
        session = g.pop("read_session", None)
        if session is not None:
            session.close()

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
