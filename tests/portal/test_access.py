"""Signing in and out of the back office: one answer for every refusal, throttling, safe redirects,
CSRF, session lifetime, cookie flags, password change and the choice of organisation."""

import re
import time

import pytest
from sqlmodel import select

from portal.office.auth import ABSOLUTE_HOURS, SEEN_AT, SIGNED_IN_AT
from register.accounts import service as accounts
from register.accounts.models import User
from register.accounts.signin import DEFAULT_LIMITS
from register.audit.models import AuditEntry
from register.organisations.service import get_by_code
from tests.factories import PASSWORD
from tests.portal.conftest import csrf_token
from zichtbaar.app import create_app
from zichtbaar.config import Config

SIGN_IN = "/beheer/inloggen"
EMAIL = "editor_a@test.invalid"


def post_sign_in(client, email=EMAIL, password=PASSWORD, next_url=None):
    data = {"csrf_token": csrf_token(client, SIGN_IN), "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(SIGN_IN, data=data)


def session_of(client) -> dict:
    with client.session_transaction() as sess:
        return dict(sess)


def audit_actions(db, prefix="account.") -> list[str]:
    with db.unit_of_work(write=False) as s:
        return list(s.exec(select(AuditEntry.action).where(AuditEntry.action.startswith(prefix))
                           .order_by(AuditEntry.id)))


def test_sign_in_page_has_labelled_fields_and_a_csrf_token(client):
    page = client.get(SIGN_IN).get_data(as_text=True)
    assert 'for="email"' in page and 'for="password"' in page and 'name="csrf_token"' in page


def test_sign_in_succeeds_and_starts_a_fresh_permanent_session(client, db):
    before = csrf_token(client, SIGN_IN)
    response = post_sign_in(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/beheer/")
    stored = session_of(client)
    assert stored["_user_id"] and stored["_permanent"] is True and SIGNED_IN_AT in stored
    assert stored.get("csrf_token") is None or stored["csrf_token"] != before  # rotated with the session
    assert client.get("/beheer/wachtwoord").status_code == 200
    assert audit_actions(db) == ["account.sign_in"]


def test_unknown_account_and_wrong_password_get_the_same_page(client, db):
    wrong = post_sign_in(client, password="not the right one")
    unknown = post_sign_in(client, email="nobody@test.invalid", password="not the right one")
    assert wrong.status_code == unknown.status_code == 200

    def strip(r):  # the only differences allowed: the CSRF token and the echoed e-mail address
        text = r.get_data(as_text=True)
        text = re.sub(r'name="csrf_token" value="[^"]+"', "", text)
        return text.replace(EMAIL, "").replace("nobody@test.invalid", "")

    assert strip(wrong) == strip(unknown)
    assert "niet goed" in wrong.get_data(as_text=True)  # Dutch by default
    assert "_user_id" not in session_of(client)
    assert audit_actions(db) == ["account.sign_in_failed"] * 2


def test_repeated_failures_are_throttled_with_429_and_audited(client, db):
    for _ in range(DEFAULT_LIMITS.per_account):
        assert post_sign_in(client, password="guess guess 1").status_code == 200
    locked = post_sign_in(client)  # even the right password now waits
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "minuten" in locked.get_data(as_text=True)
    assert "_user_id" not in session_of(client)
    assert audit_actions(db) == ["account.sign_in_failed"] * 5 + ["account.sign_in_throttled"]


def test_failures_from_one_address_are_throttled_across_accounts(client, db):
    for i in range(DEFAULT_LIMITS.per_address):
        post_sign_in(client, email=f"guess{i}@test.invalid", password="guess guess 1")
    assert post_sign_in(client).status_code == 429
    other = client.application.test_client()
    other.environ_base.update(REMOTE_ADDR="198.51.100.9")
    assert post_sign_in(other).status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example", "\t//evil.example"])
def test_unsafe_next_targets_go_to_the_dashboard(client, target):
    response = post_sign_in(client, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/"


def test_a_local_next_target_is_followed(client):
    response = post_sign_in(client, next_url="/beheer/wachtwoord")
    assert response.headers["Location"] == "/beheer/wachtwoord"


def test_sign_in_page_passes_next_on_only_when_safe(client):
    assert 'value="/beheer/audit"' in client.get(SIGN_IN + "?next=/beheer/audit").get_data(as_text=True)
    assert 'name="next"' not in client.get(SIGN_IN + "?next=//evil.example").get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, signed_in):
    assert client.post(SIGN_IN, data={"email": EMAIL, "password": PASSWORD}).status_code == 400
    admin = signed_in("admin_a")
    assert admin.post("/beheer/tokens", data={"name": "x", "role": "editor"}).status_code == 400
    assert admin.post("/beheer/uitloggen").status_code == 400
    assert signed_in("editor_a").post("/beheer/wachtwoord", data={}).status_code == 400


def test_sign_out_ends_the_session(signed_in):
    client = signed_in("approver_a")
    assert client.get("/beheer/wachtwoord").status_code == 200
    token = csrf_token(client, "/beheer/wachtwoord")
    response = client.post("/beheer/uitloggen", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(SIGN_IN)
    assert "_user_id" not in session_of(client)
    assert client.get("/beheer/wachtwoord").status_code == 302


def test_a_session_cookie_replayed_after_sign_out_is_refused(client, app, db):
    assert post_sign_in(client).status_code == 302
    assert client.get("/beheer/wachtwoord").status_code == 200
    captured = app.test_client()  # a copy of the cookie, taken before sign-out
    name = app.config["SESSION_COOKIE_NAME"]
    captured.set_cookie(name, client.get_cookie(name).value)
    assert captured.get("/beheer/wachtwoord").status_code == 200
    token = csrf_token(client, "/beheer/wachtwoord")
    assert client.post("/beheer/uitloggen", data={"csrf_token": token}).status_code == 302
    replay = captured.get("/beheer/wachtwoord")
    assert replay.status_code == 302 and SIGN_IN in replay.headers["Location"]
    assert "account.sign_out" in audit_actions(db)
    assert post_sign_in(client).status_code == 302  # signing in again works
    assert client.get("/beheer/wachtwoord").status_code == 200


def test_the_nav_offers_sign_out_as_a_form(signed_in):
    page = signed_in("approver_a").get("/beheer/wachtwoord").get_data(as_text=True)
    assert 'action="/beheer/uitloggen"' in page


def test_an_idle_session_expires(signed_in, app):
    client = signed_in("approver_a")
    assert client.get("/beheer/wachtwoord").status_code == 200
    with client.session_transaction() as sess:
        sess[SEEN_AT] = time.time() - app.config["ZICHTBAAR"].session_minutes * 60 - 5
    response = client.get("/beheer/wachtwoord")
    assert response.status_code == 302 and SIGN_IN in response.headers["Location"]
    assert "_user_id" not in session_of(client)


def test_a_session_ends_after_the_absolute_limit_however_active(signed_in):
    client = signed_in("approver_a")
    assert client.get("/beheer/wachtwoord").status_code == 200
    with client.session_transaction() as sess:
        sess[SIGNED_IN_AT] = time.time() - ABSOLUTE_HOURS * 3600 - 5
    assert client.get("/beheer/wachtwoord").status_code == 302
    assert client.get("/beheer/wachtwoord").status_code == 302


def test_session_cookie_flags(client, db):
    cookie = post_sign_in(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie and "Expires=" in cookie
    secure = create_app(Config(database_url=db.url, testing=True, secret_key="test", secure_cookies=True))
    try:
        secure_client = secure.test_client()
        cookie = post_sign_in(secure_client).headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        secure.extensions["zichtbaar.db"].dispose()


def change(client, current=PASSWORD, new="a brand new sentence 42", repeat=None):
    token = csrf_token(client, "/beheer/wachtwoord")
    return client.post("/beheer/wachtwoord", data={"csrf_token": token, "current": current, "new": new,
                                                   "repeat": new if repeat is None else repeat})


def test_password_change_checks_current_and_repeat_and_is_audited(client, app, db):
    post_sign_in(client)
    other = app.test_client()  # a second session of the same person
    post_sign_in(other)
    bad = change(client, current="wrong wrong wrong", new="short", repeat="other")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert 'aria-invalid="true"' in text and "error-summary" in text and "12 tekens" in text
    assert change(client).status_code == 302
    assert client.get("/beheer/wachtwoord").status_code == 200  # this session goes on
    assert other.get("/beheer/wachtwoord").status_code == 302  # every other session ends
    assert audit_actions(db, "user.password") == ["user.password"]
    fresh = app.test_client()
    assert post_sign_in(fresh).status_code == 200  # the old password no longer works
    assert post_sign_in(fresh, password="a brand new sentence 42").status_code == 302


def test_choose_organisation_only_among_ones_own(signed_in, db, actors):
    with db.unit_of_work() as s:  # approver_a also becomes editor in Amsterdam
        user = s.exec(select(User).where(User.email == "approver_a@test.invalid")).one()
        accounts.grant(session=s, actor=actors["site_admin"], user=user,
                       organisation=get_by_code(session=s, code="gm0363"), role="editor")
    client = signed_in("approver_a")
    page = client.get("/beheer/wachtwoord").get_data(as_text=True)
    assert 'id="org-switch"' in page
    token = csrf_token(client, "/beheer/wachtwoord")
    response = client.post("/beheer/organisatie", data={"csrf_token": token, "organisation": "gm0363",
                                                        "next": "/beheer/wachtwoord"})
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/wachtwoord"
    assert session_of(client)["office_org"] == "gm0363"
    refused = client.post("/beheer/organisatie", data={"csrf_token": token, "organisation": "pv30"})
    assert refused.status_code == 403
    assert session_of(client)["office_org"] == "gm0363"


def test_a_forged_or_stale_choice_of_organisation_is_ignored(signed_in, db, actors):
    client = signed_in("approver_b")
    with client.session_transaction() as sess:
        sess["office_org"] = "gm0772"  # not theirs (a stale choice after a revoked role, or forged)
    page = client.get("/beheer/audit").get_data(as_text=True)
    assert "Gemeente Amsterdam" in page and "Gemeente Eindhoven" not in page


def test_set_password_link_works_once(app, db, signed_in):
    from portal.office.auth import set_password_link

    with db.unit_of_work(write=False) as s:
        user = s.exec(select(User).where(User.email == "approver_a@test.invalid")).one()
    with app.test_request_context():
        link = set_password_link(user)
    path = link.split("localhost", 1)[1]
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    token = csrf_token(client, path)
    assert client.post(path, data={"csrf_token": token, "new": "short", "repeat": "short"}).status_code == 400
    done = client.post(path, data={"csrf_token": token, "new": "my own long sentence 7",
                                   "repeat": "my own long sentence 7"})
    assert done.status_code == 302
    assert client.get(path).status_code == 404  # used: the stamp changed
    assert post_sign_in(app.test_client(), email="approver_a@test.invalid",
                        password="my own long sentence 7").status_code == 302
    assert client.get("/beheer/wachtwoord-instellen/forged-token").status_code == 404
