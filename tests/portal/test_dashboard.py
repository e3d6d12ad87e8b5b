"""The dashboard per organisation: counts per state, overdue reviews, missing DPIAs, completeness, switching."""

from datetime import date, timedelta

from register.registrations import service
from tests.factories import payload


def create(db, actor, kind="sensor", **overrides):
    with db.unit_of_work() as s:
        return service.create(session=s, actor=actor, data=payload(kind, **overrides)).registration.public_id


def test_dashboard_counts_and_lists_per_state(signed_in, db, actors, publish):
    drafted = create(db, actors["editor_a"], title="Conceptmeter")
    published = publish("sensor", title="Gepubliceerde meter")
    create(db, actors["editor_b"], organisation="gm0363", title="Meter van Amsterdam")
    page = signed_in("editor_a").get("/beheer/").get_data(as_text=True)
    draft_table = page.split('id="table-draft"')[1].split("</table>")[0]
    published_table = page.split('id="table-published"')[1].split("</table>")[0]
    assert drafted in draft_table and published in published_table
    assert "Meter van Amsterdam" not in page  # another organisation's work stays out


def test_overdue_missing_dpia_and_incomplete_lists(signed_in, db, actors):
    past = (date.today() - timedelta(days=1)).isoformat()
    overdue = create(db, actors["editor_a"], title="Verlopen meter", review_date=past)
    no_dpia = create(db, actors["editor_a"], "agreement", title="Convenant zonder DPIA")
    client = signed_in("editor_a")
    page = client.get("/beheer/?toon=overdue").get_data(as_text=True)
    listed = page.split('id="list-overdue"')[1].split("</table>")[0]
    assert overdue in listed and no_dpia not in listed
    page = client.get("/beheer/?toon=no_dpia").get_data(as_text=True)
    listed = page.split('id="list-no_dpia"')[1].split("</table>")[0]
    assert no_dpia in listed and overdue not in listed
    page = client.get("/beheer/?toon=incomplete").get_data(as_text=True)
    assert "Beheerder" in page  # the empty recommended field (sensor.operator) is named, in Dutch


def test_a_person_in_two_organisations_switches(signed_in, db, actors):
    from sqlmodel import select

    from register.accounts import service as accounts
    from register.accounts.models import User
    from register.organisations import service as organisations
    from tests.factories import SYSTEM

    with db.unit_of_work() as s:
        user = s.exec(select(User).where(User.email == "editor_a@test.invalid")).one()
        accounts.grant(session=s, actor=SYSTEM, user=user,
                       organisation=organisations.get_by_code(session=s, code="gm0363"), role="editor")
    create(db, actors["editor_b"], organisation="gm0363", title="Meter van Amsterdam")
    create(db, actors["editor_a"], title="Meter van Eindhoven")
    client = signed_in("editor_a")
    from tests.portal.conftest import csrf_token

    for code, mine, theirs in (("gm0772", "Meter van Eindhoven", "Meter van Amsterdam"),
                               ("gm0363", "Meter van Amsterdam", "Meter van Eindhoven")):
        token = csrf_token(client, "/beheer/")
        client.post("/beheer/organisatie", data={"csrf_token": token, "organisation": code})
        page = client.get("/beheer/").get_data(as_text=True)
        assert mine in page and theirs not in page


def test_dashboard_needs_sign_in_and_a_role(client, signed_in):
    assert client.get("/beheer/").status_code == 302
    assert signed_in("site_admin").get("/beheer/").status_code == 302  # a site admin picks an organisation first
