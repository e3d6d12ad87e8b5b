"""Session fixation: a cookie an attacker planted before sign-in grants nothing after the victim signs in
with it; sign-in renews the session and its CSRF token; sign-out ends it, copies included."""

from tests.factories import PASSWORD
from tests.portal.conftest import csrf_token

SIGN_IN = "/beheer/inloggen"
PRIVATE = "/beheer/wachtwoord"


def test_a_planted_session_cookie_grants_nothing(app, db):
    name = app.config["SESSION_COOKIE_NAME"]
    attacker = app.test_client()
    planted_token = csrf_token(attacker, SIGN_IN)  # the attacker gets a session (and CSRF token) first
    planted = attacker.get_cookie(name).value
    with attacker.session_transaction() as sess:
        planted_secret = sess["csrf_token"]
    victim = app.test_client()
    victim.set_cookie(name, planted)  # ... and plants it in the victim's browser
    response = victim.post(SIGN_IN, data={"csrf_token": planted_token, "email": "editor_a@test.invalid",
                                          "password": PASSWORD})
    assert response.status_code == 302
    renewed = victim.get_cookie(name).value
    assert renewed != planted
    assert victim.get(PRIVATE).status_code == 200
    # The attacker's copy is still the anonymous session: nothing of the victim's sign-in is in it.
    assert attacker.get(PRIVATE).status_code == 302
    with victim.session_transaction() as sess:
        assert "_user_id" in sess and sess.get("csrf_token") != planted_secret  # nothing carried over
    with attacker.session_transaction() as sess:
        assert "_user_id" not in sess


def test_the_csrf_token_is_renewed_at_sign_in(client):
    before = csrf_token(client, SIGN_IN)
    client.post(SIGN_IN, data={"csrf_token": before, "email": "editor_a@test.invalid", "password": PASSWORD})
    after = csrf_token(client, PRIVATE)
    assert after != before
    # The old token no longer passes for the signed-in session.
    refused = client.post(PRIVATE, data={"csrf_token": before, "current": PASSWORD, "new": "n" * 20, "repeat": "n" * 20})
    assert refused.status_code == 400


def test_sign_out_invalidates_the_session_and_its_copies(app, db):
    name = app.config["SESSION_COOKIE_NAME"]
    victim = app.test_client()
    token = csrf_token(victim, SIGN_IN)
    victim.post(SIGN_IN, data={"csrf_token": token, "email": "editor_a@test.invalid", "password": PASSWORD})
    stolen = app.test_client()
    stolen.set_cookie(name, victim.get_cookie(name).value)
    assert stolen.get(PRIVATE).status_code == 200
    victim.post("/beheer/uitloggen", data={"csrf_token": csrf_token(victim, PRIVATE)})
    assert victim.get(PRIVATE).status_code == 302
    assert stolen.get(PRIVATE).status_code == 302
