"""Security headers on every kind of response, and Strict-Transport-Security exactly when the request came
over TLS (directly, or through a trusted proxy saying X-Forwarded-Proto: https)."""

import pytest

from zichtbaar.app import create_app
from zichtbaar.config import Config

KINDS = {
    "HTML page": "/",
    "search page": "/zoeken?q=x",
    "error page": "/bestaat-niet",
    "back-office sign-in": "/beheer/inloggen",
    "redirect": "/taal/en?next=/zoeken",
    "API JSON": "/api/v1/registrations",
    "problem+json": "/api/v1/registrations?pageSize=abc",
    "API 404": "/api/v1/registrations/SEN-GM0772-9999",
    "static file": "/static/portal/css/site.css",
    "vendored file": "/static/vendor/leaflet/leaflet.js",
    "pictogram": "/pictogrammen/accessibility.svg",
    "feed": "/api/v1/feeds/changes.atom",
    "CSV download": "/api/v1/downloads/registrations.csv",
    "API docs": "/api-docs",
    "OpenAPI": "/api/v1/openapi.json",
    "health": "/health",
}


def _directives(policy: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_security_headers(response, where: str) -> None:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{where}: no Content-Security-Policy"
    directives = _directives(policy)
    scripts = directives.get("script-src") or directives.get("default-src", "")
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{where}: {policy}"
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", f"{where}: {policy}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy"), where


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_response_carries_the_headers(client, kind):
    response = client.get(KINDS[kind])
    assert_security_headers(response, kind)
    assert "Strict-Transport-Security" not in response.headers, f"{kind}: HSTS over plain http"


def test_hsts_over_tls(client):
    for kind, path in KINDS.items():
        response = client.get(path, base_url="https://localhost")
        assert_security_headers(response, kind)
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 15_552_000, f"{kind}: {hsts!r}"


def test_hsts_behind_a_trusted_proxy_only(db, client):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    # Without PROXIES the header is not believed: anyone could send it over plain http.
    assert "Strict-Transport-Security" not in client.get("/", headers=forwarded).headers
    proxied = create_app(Config(database_url=db.url, testing=True, secret_key="test", proxies=1))
    try:
        behind = proxied.test_client()
        assert "Strict-Transport-Security" in behind.get("/", headers=forwarded).headers
        assert "Strict-Transport-Security" in behind.get("/api/v1/registrations", headers=forwarded).headers
        assert "Strict-Transport-Security" not in behind.get("/", headers={"X-Forwarded-Proto": "http"}).headers
    finally:
        proxied.extensions["zichtbaar.db"].dispose()


def test_oversized_and_throttled_answers_carry_the_headers(client, app):
    too_big = client.post("/melden", data={"message": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert too_big.status_code == 413
    assert_security_headers(too_big, "413 page")
    assert_security_headers(client.post("/api/v1/organisations/gm0772/registrations", json={}), "401 problem")
