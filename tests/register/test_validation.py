"""Bad input to every service yields every field error at once and writes nothing."""

import pytest
from sqlalchemy import func
from sqlmodel import select

from register.accounts import service as accounts
from register.audit.models import AuditEntry
from register.errors import Invalid
from register.organisations import service as organisations
from register.registrations import service
from register.registrations.models import Registration
from tests.factories import SYSTEM, payload


def _counts(db):
    with db.unit_of_work(write=False) as s:
        return (s.exec(select(func.count(Registration.id))).one(), s.exec(select(func.count(AuditEntry.id))).one())


def test_create_reports_every_field_error_at_once_and_writes_nothing(db, actors):
    before = _counts(db)
    bad = payload("sensor", title="x" * 101, summary="", themes=["no-such-theme"], personal_data="personal",
                  review_date="soon", openness="restricted", contact=None)
    bad["sensor"] = {"sensor_type": "tricorder", "location": {"type": "Point", "coordinates": [4.9, 152.3]},
                     "identifiability": "none", "device_count": 0}
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=bad)
    errors = caught.value.errors
    for field in ("title", "summary", "themes.0", "review_date", "contact", "dpia", "gdpr_ground",
                  "restriction_reason", "oversight_body", "sensor.sensor_type", "sensor.measures",
                  "sensor.device_count"):
        assert field in errors, field
    assert _counts(db) == before


def test_a_location_outside_the_netherlands_is_named_with_the_axis_hint(db, actors):
    data = payload("sensor")
    data["sensor"]["location"] = {"type": "Point", "coordinates": [51.4385, 5.4821]}  # lat/lon swapped
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=data)
    assert "longitude first" in caught.value.errors["sensor.location"][0]


def test_unknown_keys_and_foreign_kind_sections_are_rejected(db, actors):
    data = payload("sensor", colour="red")
    data["algorithm"] = {"algorithm_type": "rules"}
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=data)
    assert "colour" in caught.value.errors and "algorithm" in caught.value.errors


def test_unknown_organisation_is_one_of_the_errors(db, actors):
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=payload("algorithm", organisation="gm9999", title=""))
    assert {"organisation", "title"} <= set(caught.value.errors)


def test_update_with_bad_input_changes_nothing(db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload("agreement")).registration.public_id
    before = _counts(db)
    bad = payload("agreement", lifecycle="eternal")
    bad["agreement"]["parties"] = [{"name": "Alleen ik", "side": "provider", "role": "controller"}]
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=pid, data=bad)
    assert {"lifecycle", "agreement.parties"} <= set(caught.value.errors)
    assert _counts(db) == before
    with db.unit_of_work(write=False) as s:
        assert service.get_for_update(session=s, public_id=pid).lifecycle == "in_use"


@pytest.mark.parametrize("step, kwargs, field", [
    (service.publish, {"change_note": "  "}, "change_note"),
    (service.withdraw, {"reason": ""}, "reason"),
    (service.return_to_draft, {"reason": ""}, "reason"),
])
def test_workflow_steps_require_their_public_texts(db, actors, step, kwargs, field):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload()).registration.public_id
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
    before = _counts(db)
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        step(session=s, actor=actors["approver_a"], public_id=pid, **kwargs)
    assert field in caught.value.errors
    assert _counts(db) == before


def test_organisation_and_account_services_report_all_errors(db):
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        organisations.create(session=s, actor=SYSTEM, data={"code": "GM 1", "name": "", "type": "guild",
                                                            "areas": ["XX99"], "parent": "nobody"})
    assert set(caught.value.errors) == {"code", "name", "type", "areas", "parent"}
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        accounts.create_user(session=s, actor=SYSTEM, email="no-at-sign", display_name=" ", password="short")
    assert set(caught.value.errors) == {"email", "display_name", "password"}
