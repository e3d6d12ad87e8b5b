"""Each organisation's users touch only their own organisation; editors cannot publish; four-eyes."""

import pytest
from sqlmodel import select

from register.errors import Conflict, NotAuthorised
from register.organisations.models import Organisation
from register.registrations import service
from tests.factories import payload


def _draft_in_review(db, actor, **overrides):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actor, data=payload("sensor", **overrides)).registration.public_id
        service.submit(session=s, actor=actor, public_id=pid)
    return pid


def test_editor_of_b_cannot_create_update_submit_or_publish_for_a(db, actors):
    pid = _draft_in_review(db, actors["editor_a"])
    intruder = actors["editor_b"]
    with pytest.raises(NotAuthorised), db.unit_of_work() as s:
        service.create(session=s, actor=intruder, data=payload("sensor"))
    for call in (
        lambda s: service.update(session=s, actor=intruder, public_id=pid, data=payload("sensor", title="Overgenomen")),
        lambda s: service.submit(session=s, actor=intruder, public_id=pid),
        lambda s: service.publish(session=s, actor=actors["approver_b"], public_id=pid, change_note="x"),
        lambda s: service.withdraw(session=s, actor=actors["approver_b"], public_id=pid, reason="x"),
        lambda s: service.archive(session=s, actor=intruder, public_id=pid),
    ):
        with pytest.raises(NotAuthorised), db.unit_of_work() as s:
            call(s)


def test_an_organisation_code_in_the_payload_does_not_grant_access(db, actors):
    with pytest.raises(NotAuthorised), db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_b"], data=payload("algorithm", organisation="gm0772"))


def test_editor_cannot_publish_or_withdraw(db, actors):
    pid = _draft_in_review(db, actors["editor_a"])
    with pytest.raises(NotAuthorised), db.unit_of_work() as s:
        service.publish(session=s, actor=actors["editor_a"], public_id=pid, change_note="Nieuw.")
    with pytest.raises(NotAuthorised), db.unit_of_work() as s:
        service.withdraw(session=s, actor=actors["editor2_a"], public_id=pid, reason="x")


def test_org_admin_manages_but_does_not_edit(db, actors):
    with pytest.raises(NotAuthorised), db.unit_of_work() as s:
        service.create(session=s, actor=actors["admin_a"], data=payload())


def test_approver_cannot_approve_their_own_last_edit(db, actors):
    pid = _draft_in_review(db, actors["approver_a"])
    with pytest.raises(Conflict, match="four-eyes"), db.unit_of_work() as s:
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Eigen werk.")


def test_four_eyes_can_be_relaxed_per_organisation(db, actors):
    with db.unit_of_work() as s:
        s.exec(select(Organisation).where(Organisation.code == "gm0772")).one().four_eyes = False
    pid = _draft_in_review(db, actors["approver_a"])
    with db.unit_of_work() as s:
        version = service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Klein team.")
    assert version.number == 1


def test_site_admin_may_act_for_any_organisation(db, actors):
    pid = _draft_in_review(db, actors["editor_b"], organisation="gm0363")
    with db.unit_of_work() as s:
        assert service.publish(session=s, actor=actors["site_admin"], public_id=pid, change_note="Door beheer.").number == 1


def test_a_token_answers_for_the_person_who_made_it_under_four_eyes(db, actors):
    from register.accounts import tokens
    from register.organisations.service import get_by_code

    with db.unit_of_work() as s:
        org = get_by_code(session=s, code="gm0772")
        # The approver's own token (made on their behalf by the site admin for this test).
        token, secret = tokens.create_token(session=s, actor=actors["admin_a"], organisation=org, role="approver",
                                            name="koppeling")
        token.created_by_id = actors["approver_a"].user_id
    with db.unit_of_work() as s:
        token_actor = tokens.authenticate(session=s, secret=secret)
    assert token_actor.person == actors["approver_a"].user_id
    pid = _draft_in_review(db, actors["approver_a"])
    with pytest.raises(Conflict, match="four-eyes"), db.unit_of_work() as s:
        service.publish(session=s, actor=token_actor, public_id=pid, change_note="Via de koppeling.")


def test_a_save_that_changes_nothing_does_not_make_you_the_last_editor(db, actors):
    pid = _draft_in_review(db, actors["approver_a"])
    with db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=pid, data=payload("sensor"))
        assert service.get_for_update(session=s, public_id=pid).state == "in_review"
    with pytest.raises(Conflict, match="four-eyes"), db.unit_of_work() as s:
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Witgewassen?")


def test_archiving_a_public_item_needs_an_approver_and_a_reason(db, actors):
    pid = _draft_in_review(db, actors["editor_a"])
    with db.unit_of_work() as s:
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Nieuw.")
    with pytest.raises(NotAuthorised), db.unit_of_work() as s:
        service.archive(session=s, actor=actors["admin_a"], public_id=pid, reason="Opruimen.")
    from register.errors import Invalid

    with pytest.raises(Invalid), db.unit_of_work() as s:
        service.archive(session=s, actor=actors["approver_a"], public_id=pid, reason=" ")
