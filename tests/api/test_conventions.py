"""Dutch API Design Rules conventions: versions, problems, paging, caching, CORS, limits, no leaks."""

import pytest

from tests.factories import STRATUMSEIND
from zichtbaar.app import create_app
from zichtbaar.config import Config

PREFIX = "/api/v1"


def test_every_response_carries_api_version_even_errors(client):
    for url in (f"{PREFIX}/registrations", f"{PREFIX}/nowhere", f"{PREFIX}/registrations?pageSize=0"):
        assert client.get(url).headers["API-Version"] == "1.0.0"


def test_trailing_slash_is_404_problem_not_a_redirect(client):
    response = client.get(f"{PREFIX}/registrations/")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_every_invalid_parameter_is_reported_at_once(client):
    response = client.get(f"{PREFIX}/sensors?pageSize=0&kind=ufo&bbox=1,2&colour=red&changedSince=yesterday")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    names = {p["name"] for p in response.json["invalidParams"]}
    assert names == {"pageSize", "kind", "bbox", "colour", "changedSince"}
    assert "Traceback" not in response.get_data(as_text=True)


def test_paging_has_link_headers_total_and_a_stable_order(client, publish):
    ids = [publish("algorithm", title=f"Algoritme {i}") for i in range(5)]
    first = client.get(f"{PREFIX}/algorithms?pageSize=2&sort=title")
    assert first.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in first.headers["Link"] and 'rel="last"' in first.headers["Link"]
    seen = []
    for page in (1, 2, 3):
        seen += [i["publicId"] for i in client.get(f"{PREFIX}/algorithms?pageSize=2&sort=title&page={page}").json["items"]]
    assert seen == ids


def test_etag_and_last_modified_give_304(client, publish):
    pid = publish("sensor")
    first = client.get(f"{PREFIX}/registrations/{pid}")
    assert first.headers["ETag"]
    again = client.get(f"{PREFIX}/registrations/{pid}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    listing = client.get(f"{PREFIX}/sensors")
    assert listing.headers["Last-Modified"]
    assert client.get(f"{PREFIX}/sensors", headers={"If-Modified-Since": listing.headers["Last-Modified"],
                                                   "If-None-Match": listing.headers["ETag"]}).status_code == 304


def test_cors_is_open_for_the_public_api(client):
    response = client.get(f"{PREFIX}/vocabularies", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_formats_follow_accept(client, publish):
    publish("sensor")
    geo = client.get(f"{PREFIX}/sensors", headers={"Accept": "application/geo+json"})
    assert geo.mimetype == "application/geo+json" and geo.json["features"][0]["geometry"]["type"] == "Point"
    lon, lat = geo.json["features"][0]["geometry"]["coordinates"]
    assert 3 < lon < 8 and 50 < lat < 54  # RFC 7946: longitude first
    csv_text = client.get(f"{PREFIX}/sensors", headers={"Accept": "text/csv"}).get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("publicId,kind,title")


def test_near_me_in_one_call(client, publish):
    near = publish("sensor")
    lat, lon = STRATUMSEIND
    body = client.get(f"{PREFIX}/near-me?near={lat},{lon}&radius=300").json
    assert [s["publicId"] for s in body["sensors"]] == [near]
    assert {o["code"] for o in body["organisations"]} == {"gm0772", "pv30", "oorvig"}


def test_rate_limit_answers_429_problem_with_retry_after(db):
    app = create_app(Config(database_url=db.url, testing=True, secret_key="t", api_rate_limit="3 per minute"))
    client = app.test_client()
    statuses = [client.get(f"{PREFIX}/vocabularies").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    limited = client.get(f"{PREFIX}/vocabularies")
    assert limited.mimetype == "application/problem+json" and int(limited.headers["Retry-After"]) > 0
    app.extensions["zichtbaar.db"].dispose()


@pytest.mark.parametrize("kind", ["sensor", "algorithm", "agreement"])
def test_no_audit_log_internal_user_or_email_in_public_responses(client, publish, kind):
    pid = publish(kind)
    urls = [f"{PREFIX}/registrations", f"{PREFIX}/registrations/{pid}", f"{PREFIX}/registrations/{pid}/versions",
            f"{PREFIX}/registrations/{pid}/versions/1", f"{PREFIX}/organisations/gm0772", f"{PREFIX}/facets",
            f"{PREFIX}/near-me?near={STRATUMSEIND[0]},{STRATUMSEIND[1]}"]
    for url in urls:
        text = client.get(url).get_data(as_text=True)
        for secret in ("@test.invalid", "registration.create", "audit", "lastEditor", "createdById", "passwordHash"):
            assert secret not in text, (url, secret)


def test_drafts_are_not_public(client, db, actors):
    from register.registrations import service
    from tests.factories import payload

    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload()).registration.public_id
    assert client.get(f"{PREFIX}/registrations/{pid}").status_code == 404
    assert client.get(f"{PREFIX}/registrations").json["total"] == 0


def test_rate_limit_counters_are_shared_through_redis(db):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # Two app instances stand for two gunicorn workers: together they get the limit once.
    apps = [create_app(Config(database_url=db.url, testing=True, secret_key="t", redis_url=url,
                              api_rate_limit="4 per minute")) for _ in range(2)]
    clients = [a.test_client() for a in apps]
    statuses = [clients[i % 2].get(f"{PREFIX}/vocabularies").status_code for i in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    for a in apps:
        a.extensions["zichtbaar.db"].dispose()
