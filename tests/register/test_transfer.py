"""Export and import as JSON Lines: round trip, updates, all-or-nothing on errors."""

import json

import pytest
from sqlalchemy import func
from sqlmodel import select

from register import transfer
from register.errors import Invalid
from register.registrations import service
from register.registrations.models import Registration
from tests.factories import payload


def _publish_all(db, actors, payloads):
    with db.unit_of_work() as s:
        for data in payloads:
            pid = service.create(session=s, actor=actors["editor_a"], data=data).registration.public_id
            service.submit(session=s, actor=actors["editor_a"], public_id=pid)
            service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Nieuw.")


def test_export_then_import_changes_nothing(db, actors):
    _publish_all(db, actors, [payload("sensor"), payload("algorithm"), payload("agreement")])
    with db.unit_of_work(write=False) as s:
        lines = list(transfer.export_lines(session=s, batch=2))
    assert [json.loads(line)["kind"] for line in lines] == ["sensor", "algorithm", "agreement"]
    with db.unit_of_work() as s:
        counts = transfer.import_lines(session=s, actor=actors["editor_a"], lines=lines)
    assert counts == {"created": 0, "updated": 0, "unchanged": 3}


def test_import_creates_new_items_and_updates_known_ones_as_revisions(db, actors):
    _publish_all(db, actors, [payload("sensor")])
    with db.unit_of_work(write=False) as s:
        exported = json.loads(next(transfer.export_lines(session=s)))
    exported["title"] = "Geluidsmeter Stratumseind (vervangen)"
    fresh = payload("algorithm", provenance={"source": "eigen systeem", "ref": "crm:42"})
    with db.unit_of_work() as s:
        counts = transfer.import_lines(session=s, actor=actors["editor_a"],
                                       lines=[json.dumps(exported), json.dumps(fresh)])
    assert counts == {"created": 1, "updated": 1, "unchanged": 0}
    with db.unit_of_work() as s:  # the same external ref again updates rather than duplicates
        again = transfer.import_lines(session=s, actor=actors["editor_a"], lines=[json.dumps(fresh)])
    assert again == {"created": 0, "updated": 0, "unchanged": 1}
    with db.unit_of_work(write=False) as s:
        sensor = service.get_for_update(session=s, public_id=exported["public_id"])
        assert sensor.revision_state == "draft" and sensor.title == "Geluidsmeter Stratumseind"


def test_a_file_with_errors_in_several_lines_reports_them_all_and_writes_nothing(db, actors):
    with db.unit_of_work(write=False) as s:
        before = s.exec(select(func.count(Registration.id))).one()
    lines = [json.dumps(payload("sensor")), "{not json", json.dumps(payload("algorithm", themes=[])),
             json.dumps(payload("agreement", organisation="gm0363"))]
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        transfer.import_lines(session=s, actor=actors["editor_a"], lines=lines)
    assert set(caught.value.errors) == {"line 2", "line 3: themes", "line 4"}
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(func.count(Registration.id))).one() == before


def test_two_organisations_may_use_the_same_external_reference_but_one_may_not_use_it_twice(db, actors):
    ref = {"source": "eigen systeem", "ref": "crm:7"}
    with db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=payload("algorithm", provenance=ref))
        service.create(session=s, actor=actors["editor_b"], data=payload("algorithm", organisation="gm0363",
                                                                          provenance=ref))
    with pytest.raises(Invalid) as caught, db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=payload("algorithm", provenance=ref))
    assert "provenance.ref" in caught.value.errors


def test_migration_0003_namespaces_existing_references(tmp_path):
    from sqlalchemy import text

    from register import migrate
    from register.db import make_migration_engine

    url = f"sqlite:///{tmp_path / 'refs.sqlite3'}"
    migrate.upgrade(url, "0002")
    engine = make_migration_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (code, name, type, four_eyes, aliases, created_at) "
                          "VALUES ('gm0772', 'Eindhoven', 'municipality', 1, '[]', '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO registration (public_id, kind, organisation_id, state, title, summary, purpose, themes, "
            "legal_basis, gdpr_ground, personal_data, data_categories, data_subjects, assessments, lifecycle, contact, "
            "openness, en, provenance, source_ref, version_count, created_at, updated_at) VALUES ('ALG-GM0772-0001', "
            "'algorithm', 1, 'draft', 't', 's', 'p', '[]', '[]', 'not_stated', 'not_stated', '[]', '[]', '[]', "
            "'in_use', 'c', 'public', '{}', '{}', 'lars:1', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    migrate.upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT source_ref FROM registration")).scalar() == "gm0772:lars:1"
    engine.dispose()
