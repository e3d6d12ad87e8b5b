"""Citizens' reports: stored for the organisation, handled only by its own people, audited without contents."""

import pytest
from sqlmodel import select

from register.audit.models import AuditEntry
from register.errors import Conflict, Invalid, NotAuthorised
from register.registrations import service as registrations
from register.reports import service as reports
from tests.factories import payload


def _published(db, actors) -> str:
    with db.unit_of_work() as s:
        pid = registrations.create(session=s, actor=actors["editor_a"], data=payload("sensor")).registration.public_id
        registrations.submit(session=s, actor=actors["editor_a"], public_id=pid)
    with db.unit_of_work() as s:
        registrations.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Eerste publicatie")
    return pid


def test_a_report_about_a_registration_reaches_its_organisation(db, actors):
    pid = _published(db, actors)
    with db.unit_of_work() as s:
        report = reports.submit(session=s, data={"registration": pid, "kind": "error",
                                                 "message": "Deze meter staat ergens anders.", "contact": "a@b.nl"})
        report_id, org_id = report.id, report.organisation_id
    with db.unit_of_work(write=False) as s:
        found = reports.list_for(session=s, actor=actors["editor_a"], organisation_id=org_id)
        assert [r.id for r in found] == [report_id]
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "report.received")).one()
        assert "a@b.nl" not in str(entry.changes) and "ergens anders" not in str(entry.changes)
        with pytest.raises(NotAuthorised):
            reports.list_for(session=s, actor=actors["editor_b"], organisation_id=org_id)


def test_every_problem_is_reported_at_once_and_nothing_is_stored(db):
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        reports.submit(session=s, data={"kind": "gossip", "message": "kort", "contact": "x", "lat": "52"})
    assert {"kind", "message", "contact", "organisation"} <= set(caught.value.errors)
    with db.unit_of_work(write=False) as s:
        assert reports.count_open(session=s, organisation_id=1) == 0


def test_only_the_organisation_answers_and_a_closed_report_stays_closed(db, actors):
    with db.unit_of_work() as s:
        report_id = reports.submit(session=s, data={"organisation": "gm0772", "kind": "missing_sensor",
                                                    "message": "Er hangt een camera op de hoek.",
                                                    "lat": 51.44, "lon": 5.48}).id
    with pytest.raises(NotAuthorised), db.unit_of_work() as s:
        reports.handle(session=s, actor=actors["editor_b"], report_id=report_id, data={"state": "closed"})
    with pytest.raises(Invalid), db.unit_of_work() as s:
        reports.handle(session=s, actor=actors["editor_a"], report_id=report_id, data={"state": "answered"})
    with db.unit_of_work() as s:
        reports.handle(session=s, actor=actors["editor_a"], report_id=report_id,
                       data={"state": "answered", "answer": "Dank je, we voegen hem toe."})
    with db.unit_of_work() as s:
        reports.handle(session=s, actor=actors["approver_a"], report_id=report_id, data={"state": "closed"})
    with pytest.raises(Conflict), db.unit_of_work() as s:
        reports.handle(session=s, actor=actors["approver_a"], report_id=report_id, data={"state": "answered",
                                                                                          "answer": "Nog iets"})
    with db.unit_of_work(write=False) as s:
        actions = s.exec(select(AuditEntry.action).where(AuditEntry.entity_type == "report")
                         .order_by(AuditEntry.seq)).all()
    assert actions == ["report.received", "report.answered", "report.closed"]
