"""Completeness: recommended-but-empty fields, missing DPIAs and overdue reviews per registration."""

from datetime import date, timedelta

from register.registrations import completeness, service
from tests.factories import payload


def test_recommended_fields_that_are_empty_are_listed():
    data = payload("sensor")
    missing = completeness.missing(data)
    assert "description" in missing and "objection" in missing and "sensor.operator" in missing
    assert "legal_basis" not in missing and "review_date" not in missing
    assert "data_categories" not in missing  # only asked when personal data is processed
    data.update(description="Uitleg", objection={"description": "Bel ons"})
    assert "description" not in completeness.missing(data) and "objection" not in completeness.missing(data)


def test_personal_data_asks_for_categories_and_subjects_and_a_privacy_statement_for_identifiable_sensors():
    data = payload("sensor", personal_data="personal", gdpr_ground="public_task")
    data["sensor"]["identifiability"] = "identifiable"
    missing = completeness.missing(data)
    assert {"data_categories", "data_subjects", "sensor.privacy_statement_url"} <= set(missing)


def test_algorithm_recommendations_follow_the_format_document():
    data = payload("algorithm")
    data["algorithm"] = {}
    missing = completeness.missing(data)
    assert {"algorithm.algorithm_type", "algorithm.publication_category", "algorithm.decision_role"} <= set(missing)


def test_lacks_dpia_only_when_personal_data_is_processed_without_an_answered_dpia():
    assert not completeness.lacks_dpia(payload("sensor"))  # no personal data
    assert completeness.lacks_dpia(payload("agreement"))  # personal data, DPIA in progress
    assert not completeness.lacks_dpia(payload("algorithm"))  # completed
    not_required = payload("agreement", dpia={"status": "not_required", "reason": "Alleen geaggregeerd"})
    assert not completeness.lacks_dpia(not_required)


def test_for_organisation_reads_pending_data_and_flags_overdue(db, actors):
    past = (date.today() - timedelta(days=3)).isoformat()
    with db.unit_of_work() as s:
        a = service.create(session=s, actor=actors["editor_a"], data=payload("sensor", review_date=past))
        b = service.create(session=s, actor=actors["editor_a"], data=payload("agreement"))
        service.create(session=s, actor=actors["editor_b"], data=payload("sensor", organisation="gm0363"))
        org_id = a.registration.organisation_id
        ids = a.registration.public_id, b.registration.public_id
    with db.unit_of_work(write=False) as s:
        standings = {x.public_id: x for x in completeness.for_organisation(session=s, organisation_id=org_id)}
    assert set(standings) == set(ids)
    assert standings[ids[0]].overdue and not standings[ids[1]].overdue
    assert standings[ids[1]].lacks_dpia and not standings[ids[0]].lacks_dpia
    assert "description" in standings[ids[0]].missing
