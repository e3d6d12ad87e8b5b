"""Every change has its audit entry in the same transaction; tampering is detected."""

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from register import audit
from register.audit.models import AuditEntry
from register.errors import NotAuthorised
from register.registrations import service
from register.registrations.models import Registration
from tests.factories import payload


class Boom(Exception):
    pass


def _count(db, model):
    with db.unit_of_work(write=False) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_each_step_writes_one_entry_with_actor_action_and_fields(db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload()).registration.public_id
        service.update(session=s, actor=actors["editor_a"], public_id=pid, data=payload(title="Nieuwe titel"))
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Eerste publicatie.")
    with db.unit_of_work(write=False) as s:
        rows = s.exec(select(AuditEntry).where(AuditEntry.entity_id == pid).order_by(AuditEntry.seq)).all()
    assert [(r.action, r.actor_label, r.chain) for r in rows] == [
        ("registration.create", "editor_a@test.invalid", "gm0772"),
        ("registration.update", "editor_a@test.invalid", "gm0772"),
        ("registration.submit", "editor_a@test.invalid", "gm0772"),
        ("registration.publish", "approver_a@test.invalid", "gm0772"),
    ]
    assert rows[1].changes["fields"] == [{"field": "title", "before": "Geluidsmeter Stratumseind",
                                          "after": "Nieuwe titel"}]


def test_a_change_that_fails_later_in_its_transaction_leaves_neither_row_nor_entry(db, actors):
    registrations, entries = _count(db, Registration), _count(db, AuditEntry)
    with pytest.raises(Boom), db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=payload())
        raise Boom
    assert (_count(db, Registration), _count(db, AuditEntry)) == (registrations, entries)


def test_when_the_audit_write_fails_the_change_is_not_kept(db, actors, monkeypatch):
    registrations = _count(db, Registration)

    def broken(**_):
        raise Boom

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(Boom), db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=payload())
    assert _count(db, Registration) == registrations


def test_verify_finds_nothing_wrong_in_an_honest_log(db, actors):
    with db.unit_of_work() as s:
        for _ in range(3):
            service.create(session=s, actor=actors["editor_a"], data=payload())
    with db.unit_of_work(write=False) as s:
        assert audit.verify(session=s) == []


@pytest.mark.parametrize("tamper", [
    "UPDATE audit_entry SET actor_label = 'someone-else@test.invalid' WHERE id = (SELECT max(id) FROM audit_entry WHERE chain = 'gm0772') - 1",
    "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry WHERE chain = 'gm0772') - 1",
    "DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry WHERE chain = 'gm0772')",
])
def test_verify_reports_rows_altered_behind_the_registers_back(db, actors, tamper):
    with db.unit_of_work() as s:
        for _ in range(3):
            service.create(session=s, actor=actors["editor_a"], data=payload())
    with db.write_engine.begin() as conn:
        conn.execute(text(tamper))
    with db.unit_of_work(write=False) as s:
        problems = audit.verify(session=s)
    assert problems and {p.chain for p in problems} == {"gm0772"}


def test_audit_log_is_readable_only_by_approvers_admins_and_site_admins(db, actors):
    from register.audit.service import entries
    from register.organisations.service import get_by_code

    with db.unit_of_work(write=False) as s:
        org = get_by_code(session=s, code="gm0772")
        for key in ("approver_a", "admin_a", "site_admin"):
            assert entries(session=s, actor=actors[key], organisation_id=org.id)
        for key in ("editor_a", "editor_b", "approver_b"):
            with pytest.raises(NotAuthorised):
                entries(session=s, actor=actors[key], organisation_id=org.id)
