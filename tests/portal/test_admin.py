"""Administration pages: members and roles, accounts made by org admins, API tokens shown once,
organisations for site admins."""

import re

from sqlmodel import select

from register.accounts import tokens
from register.accounts.models import ApiToken, Membership, User
from register.audit.models import AuditEntry
from register.organisations.models import Organisation
from tests.portal.conftest import csrf_token


def user_id(db, key) -> int:
    with db.unit_of_work(write=False) as s:
        return s.exec(select(User.id).where(User.email == f"{key}@test.invalid")).one()


def roles_of(db, key, code="gm0772") -> set[str]:
    with db.unit_of_work(write=False) as s:
        return set(s.exec(select(Membership.role).join(Organisation, Organisation.id == Membership.organisation_id)
                          .join(User, User.id == Membership.user_id)
                          .where(User.email == f"{key}@test.invalid", Organisation.code == code)))


def post(client, path, page, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_members_page_lists_the_organisations_accounts_only(signed_in):
    page = signed_in("admin_a").get("/beheer/leden").get_data(as_text=True)
    assert "editor_a@test.invalid" in page and "approver_a@test.invalid" in page
    assert "editor_b@test.invalid" not in page
    assert "<th scope=\"col\">" in page and "<caption>" in page


def test_org_admin_adds_a_new_account_and_gets_a_one_time_link(signed_in, db, app):
    client = signed_in("admin_a")
    response = post(client, "/beheer/leden", "/beheer/leden", email="New.Person@Test.Invalid",
                    display_name="Team sensoren", role="editor")
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    link = re.search(r'value="(http://localhost/beheer/wachtwoord-instellen/[^"]+)"',
                     response.get_data(as_text=True)).group(1)
    assert roles_of(db, "new.person") == {"editor"}
    with db.unit_of_work(write=False) as s:
        user = s.exec(select(User).where(User.email == "new.person@test.invalid")).one()
        assert user.password_hash is None and not user.is_site_admin
        actions = set(s.exec(select(AuditEntry.action).where(AuditEntry.entity_id == str(user.id),
                                                             AuditEntry.chain == "gm0772")))
    assert actions == {"user.create", "membership.grant"}
    # The link is not on the members page afterwards.
    assert "wachtwoord-instellen" not in client.get("/beheer/leden").get_data(as_text=True)
    assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 200


def test_adding_an_existing_account_only_grants_the_role(signed_in, db):
    client = signed_in("admin_a")
    response = post(client, "/beheer/leden", "/beheer/leden", email="editor_b@test.invalid", display_name="",
                    role="approver")
    assert response.status_code == 302
    assert roles_of(db, "editor_b") == {"approver"} and roles_of(db, "editor_b", "gm0363") == {"editor"}


def test_add_member_shows_errors_beside_the_fields(signed_in):
    client = signed_in("admin_a")
    response = post(client, "/beheer/leden", "/beheer/leden", email="not-an-address", display_name="", role="editor")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Vul een geldig e-mailadres in." in text and 'aria-invalid="true"' in text and "error-summary" in text
    duplicate = post(client, "/beheer/leden", "/beheer/leden", email="editor_a@test.invalid", display_name="",
                     role="editor")
    assert duplicate.status_code == 409


def test_grant_revoke_and_remove_roles(signed_in, db):
    client = signed_in("admin_a")
    target = user_id(db, "editor_a")
    assert post(client, f"/beheer/leden/{target}/rollen", "/beheer/leden", role="approver").status_code == 302
    assert roles_of(db, "editor_a") == {"editor", "approver"}
    assert post(client, f"/beheer/leden/{target}/rollen/editor/intrekken", "/beheer/leden").status_code == 302
    assert roles_of(db, "editor_a") == {"approver"}
    assert post(client, f"/beheer/leden/{target}/deactiveren", "/beheer/leden").status_code == 302
    assert roles_of(db, "editor_a") == set()
    with db.unit_of_work(write=False) as s:
        assert s.get(User, target).active  # the account stays; only the roles here go


def test_org_admin_cannot_touch_members_of_another_organisation(signed_in, db):
    client = signed_in("admin_a")
    other = user_id(db, "editor_b")
    assert post(client, f"/beheer/leden/{other}/rollen", "/beheer/leden", role="editor").status_code == 404
    assert post(client, f"/beheer/leden/{other}/rollen/editor/intrekken", "/beheer/leden").status_code == 404
    assert post(client, f"/beheer/leden/{other}/deactiveren", "/beheer/leden").status_code == 404
    assert roles_of(db, "editor_b", "gm0363") == {"editor"} and roles_of(db, "editor_b") == set()


def test_token_secret_is_shown_once_and_never_listed(signed_in, db):
    client = signed_in("admin_a")
    response = post(client, "/beheer/tokens", "/beheer/tokens", name="Sensorbeheer", role="editor")
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(zb_[^"]+)"', response.get_data(as_text=True)).group(1)
    with db.unit_of_work(write=False) as s:
        assert tokens.authenticate(session=s, secret=secret) is not None
        stored = s.exec(select(ApiToken)).one()
    listing = client.get("/beheer/tokens").get_data(as_text=True)
    assert "Sensorbeheer" in listing and stored.prefix in listing and secret not in listing
    assert stored.token_hash not in listing


def test_token_form_refuses_bad_input_and_admin_role(signed_in):
    client = signed_in("admin_a")
    response = post(client, "/beheer/tokens", "/beheer/tokens", name="", role="org_admin")
    assert response.status_code == 400
    assert "Kies een van de mogelijkheden." in response.get_data(as_text=True)


def test_revoke_token_and_not_one_of_another_organisation(signed_in, db, actors):
    from register.organisations.service import get_by_code

    with db.unit_of_work() as s:
        own, _ = tokens.create_token(session=s, actor=actors["admin_a"], organisation=get_by_code(session=s, code="gm0772"),
                                     role="editor", name="own")
        theirs, _ = tokens.create_token(session=s, actor=actors["site_admin"],
                                        organisation=get_by_code(session=s, code="gm0363"), role="editor", name="theirs")
    client = signed_in("admin_a")
    assert post(client, f"/beheer/tokens/{theirs.id}/intrekken", "/beheer/tokens").status_code == 404
    assert post(client, f"/beheer/tokens/{own.id}/intrekken", "/beheer/tokens").status_code == 302
    with db.unit_of_work(write=False) as s:
        assert s.get(ApiToken, own.id).revoked_at is not None
        assert s.get(ApiToken, theirs.id).revoked_at is None


def test_site_admin_lists_creates_and_acts_for_organisations(signed_in, db):
    client = signed_in("site_admin")
    # Without a chosen organisation, organisation pages send the site admin to pick one.
    response = client.get("/beheer/leden")
    assert response.status_code == 302 and response.headers["Location"].endswith("/beheer/organisaties")
    listing = client.get("/beheer/organisaties").get_data(as_text=True)
    assert "Gemeente Eindhoven" in listing and "Gemeente Amsterdam" in listing
    made = post(client, "/beheer/organisaties", "/beheer/organisaties", code="ws0155", name="Waterschap Aa en Maas",
                type="water_board", areas="", website="")
    assert made.status_code == 302
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(Organisation).where(Organisation.code == "ws0155")).one()
    bad = post(client, "/beheer/organisaties", "/beheer/organisaties", code="X", name="", type="", areas="ZZ99",
               website="")
    assert bad.status_code == 400 and "error-summary" in bad.get_data(as_text=True)
    assert post(client, "/beheer/organisatie", "/beheer/organisaties", organisation="gm0363").status_code == 302
    assert "editor_b@test.invalid" in client.get("/beheer/leden").get_data(as_text=True)


def test_org_admin_cannot_manage_organisations(signed_in):
    client = signed_in("admin_a")
    assert client.get("/beheer/organisaties").status_code == 403
    token = csrf_token(client, "/beheer/leden")
    assert client.post("/beheer/organisaties", data={"csrf_token": token, "code": "zz0001", "name": "X",
                                                     "type": "municipality"}).status_code == 403


def test_a_set_password_link_dies_when_another_organisation_grants_the_account_a_role(signed_in, db, app, actors):
    from register.accounts import service as accounts
    from register.organisations.service import get_by_code

    admin_a = signed_in("admin_a")
    made = post(admin_a, "/beheer/leden", "/beheer/leden", email="newbie@test.invalid", display_name="Newbie",
                role="editor")
    path = re.search(r'value="http://localhost(/beheer/wachtwoord-instellen/[^"]+)"', made.get_data(as_text=True)).group(1)
    with db.unit_of_work() as s:  # a site admin, acting for Amsterdam, adds the same address as approver
        user = s.exec(select(User).where(User.email == "newbie@test.invalid")).one()
        accounts.grant(session=s, actor=actors["site_admin"], user=user,
                       organisation=get_by_code(session=s, code="gm0363"), role="approver")
    # admin_a still holds the old link: it must no longer set a password for the account.
    assert admin_a.get(path).status_code == 404
    attacker = app.test_client()
    token = csrf_token(attacker, "/beheer/inloggen")
    taken = attacker.post(path, data={"csrf_token": token, "new": "taken over sentence 99",
                                      "repeat": "taken over sentence 99"})
    assert taken.status_code == 404
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(User).where(User.email == "newbie@test.invalid")).one().password_hash is None
    signin = attacker.post("/beheer/inloggen", data={"csrf_token": token, "email": "newbie@test.invalid",
                                                    "password": "taken over sentence 99"})
    assert signin.status_code == 200  # refused
    assert attacker.get("/beheer/audit").status_code == 302


def test_a_set_password_link_dies_when_a_role_is_revoked(signed_in, db):
    admin_a = signed_in("admin_a")
    made = post(admin_a, "/beheer/leden", "/beheer/leden", email="newbie@test.invalid", display_name="Newbie",
                role="editor")
    path = re.search(r'value="http://localhost(/beheer/wachtwoord-instellen/[^"]+)"', made.get_data(as_text=True)).group(1)
    assert admin_a.get(path).status_code == 200
    newbie = user_id(db, "newbie")
    assert post(admin_a, f"/beheer/leden/{newbie}/rollen", "/beheer/leden", role="approver").status_code == 302
    assert admin_a.get(path).status_code == 404


def test_an_org_admin_cannot_remove_the_last_administrator(signed_in, db):
    client = signed_in("admin_a")
    me = user_id(db, "admin_a")
    refused = post(client, f"/beheer/leden/{me}/rollen/org_admin/intrekken", "/beheer/leden")
    assert refused.status_code == 409 and "laatste beheerder" in refused.get_data(as_text=True)
    assert post(client, f"/beheer/leden/{me}/deactiveren", "/beheer/leden").status_code == 409
    assert roles_of(db, "admin_a") == {"org_admin"}
    # With a second administrator, the first may step down.
    other = user_id(db, "editor_a")
    assert post(client, f"/beheer/leden/{other}/rollen", "/beheer/leden", role="org_admin").status_code == 302
    assert post(client, f"/beheer/leden/{me}/rollen/org_admin/intrekken", "/beheer/leden").status_code == 302
    assert roles_of(db, "admin_a") == set()
    assert "org_admin" in roles_of(db, "editor_a")


def test_a_site_admin_may_remove_an_organisations_last_administrator(signed_in, db):
    client = signed_in("site_admin")
    assert post(client, "/beheer/organisatie", "/beheer/organisaties", organisation="gm0772").status_code == 302
    admin = user_id(db, "admin_a")
    assert post(client, f"/beheer/leden/{admin}/rollen/org_admin/intrekken", "/beheer/leden").status_code == 302
    assert roles_of(db, "admin_a") == set()
