"""CSRF: every state-changing portal route (POST, from the app's URL map; the API takes bearer tokens only)
refuses a request without a token and one with another session's token, and writes nothing."""

import re

import pytest

from tests.portal.conftest import csrf_token

SAMPLE = {"public_id": "SEN-GM0772-0001", "user_id": "1", "report_id": "1", "token_id": "1", "role": "editor",
          "kind": "sensor", "token": "x"}


def _post_routes(app) -> list[str]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        routes.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE[m.group(1)], rule.rule))
    return sorted(routes)


def test_every_post_route_is_found(app):
    routes = _post_routes(app)
    assert {"/beheer/inloggen", "/melden", "/beheer/import", "/beheer/tokens"} <= set(routes)
    assert len(routes) >= 20


@pytest.mark.parametrize("who", ["site_admin", "admin_a", "approver_a"])
def test_post_routes_refuse_missing_and_foreign_tokens(app, signed_in, publish, counts, who):
    publish("sensor")
    office = signed_in(who)
    csrf_token(office, "/beheer/wachtwoord")  # the session holds a token of its own
    foreign = csrf_token(app.test_client(), "/beheer/inloggen")  # a valid token of another session
    before = counts()
    for path in _post_routes(app):
        data = {"email": "editor_a@test.invalid", "password": "x", "name": "n", "role": "editor", "title": "t",
                "organisation": "gm0772", "message": "Een bericht van tien tekens", "change_note": "x", "reason": "x"}
        for token in (None, foreign, "forged" + foreign[6:]):
            sent = dict(data) if token is None else {**data, "csrf_token": token}
            response = office.post(path, data=sent)
            assert response.status_code == 400, (who, path, token is None, response.status_code)
    assert counts() == before
