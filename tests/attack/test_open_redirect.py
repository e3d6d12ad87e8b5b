"""Open redirects: every parameter the portal redirects to (sign-in `next`, the language switch, the
choice of organisation) keeps the Location on this site, whatever is sent."""

from urllib.parse import quote, urlsplit

import pytest

from tests.factories import PASSWORD
from tests.portal.conftest import csrf_token

TARGETS = ["//evil.example", "https://evil.example/", "/\\evil.example", "\\/evil.example", "javascript:alert(1)",
           "JaVaScRiPt:alert(1)", "http:/evil.example", "\t//evil.example", "/%2F/evil.example", "%2F%2Fevil.example",
           "//evil.example@zichtbaar.invalid", "https:evil.example", "/\t/evil.example", "\x00//evil.example",
           "data:text/html,<script>alert(1)</script>", "///evil.example", " //evil.example", "//%65vil.example",
           quote("//evil.example", safe=""), quote(quote("//evil.example", safe=""), safe="")]


def assert_on_this_site(response, where: str) -> None:
    assert response.status_code in (301, 302, 303, 307, 308, 400), f"{where}: {response.status_code}"
    location = response.headers.get("Location", "/")
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), f"{where} -> {location!r}"
    assert location.startswith("/") and not location.startswith(("//", "/\\")), f"{where} -> {location!r}"
    assert "evil" not in location or "%" in location.split("evil")[0], f"{where} -> {location!r}"


@pytest.mark.parametrize("target", TARGETS)
def test_language_switch(client, target):
    assert_on_this_site(client.get("/taal/en", query_string={"next": target}), f"/taal/en?next={target!r}")


@pytest.mark.parametrize("target", TARGETS)
def test_sign_in_next(client, signed_in, target):
    token = csrf_token(client, "/beheer/inloggen")
    response = client.post("/beheer/inloggen", data={"csrf_token": token, "email": "editor_a@test.invalid",
                                                     "password": PASSWORD, "next": target})
    assert_on_this_site(response, f"POST sign-in next={target!r}")
    # Already signed in: the sign-in page sends the visitor on straight away.
    assert_on_this_site(signed_in("editor_a").get("/beheer/inloggen", query_string={"next": target}), "GET sign-in")


@pytest.mark.parametrize("target", TARGETS)
def test_choice_of_organisation_next(signed_in, target):
    office = signed_in("site_admin")
    token = csrf_token(office, "/beheer/wachtwoord")
    response = office.post("/beheer/organisatie", data={"csrf_token": token, "organisation": "gm0772", "next": target})
    assert_on_this_site(response, f"/beheer/organisatie next={target!r}")
