"""The real seed: every Algoritmeregister entry finds its organisation; seeding twice changes nothing."""

from sqlalchemy import func
from sqlmodel import SQLModel, select

from register import audit
from register.organisations.models import Organisation
from register.registrations.models import Registration
from register.seed import seed
from tests.conftest import SEED_DATA


def _row_counts(db):
    with db.unit_of_work(write=False) as s:
        return {t.name: s.exec(select(func.count()).select_from(t)).one() for t in SQLModel.metadata.sorted_tables}


def test_seed_matches_every_algoritmeregister_entry_and_covers_every_state(seeded):
    db, report = seeded
    # The only items left out are KNMI platforms far out in the North Sea, outside the Dutch extent.
    assert report.problems and all("KNMI" in p and "outside the Netherlands" in p for p in report.problems)
    assert report.added["algorithms (Algoritmeregister)"] == 1530
    assert report.added["algorithms (illustrative)"] == 12 and report.added["agreements (illustrative)"] == 20
    with db.unit_of_work(write=False) as s:
        types = dict(s.exec(select(Organisation.type, func.count()).group_by(Organisation.type)).all())
        states = set(s.exec(select(Registration.state).distinct()))
        kinds = dict(s.exec(select(Registration.kind, func.count()).group_by(Registration.kind)).all())
        assert audit.verify(session=s) == []
    assert types["municipality"] == 342 and types["province"] == 12 and types["water_board"] == 21
    assert types["safety_region"] == 25 and types["environmental_service"] == 28
    assert {"draft", "in_review", "published", "withdrawn"} <= states
    assert kinds["sensor"] >= 150 + 400 and kinds["agreement"] >= 20


def test_seeding_twice_changes_nothing(seeded):
    db, _ = seeded
    before = _row_counts(db)
    report = seed(db, SEED_DATA, demo_accounts=False)
    assert report.added == {}
    assert _row_counts(db) == before
