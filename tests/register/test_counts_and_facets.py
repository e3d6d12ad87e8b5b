"""List totals and facet counts take only the joins they need, and still count exactly what the list holds."""

import pytest
from sqlmodel import func, select

from register.registrations import queries, service
from tests.factories import payload

pytestmark = pytest.mark.db

FILTERS = [
    queries.Filters(),
    queries.Filters(kind="sensor"),
    queries.Filters(kind="algorithm", sort="title"),
    queries.Filters(organisation=["gm0772", "gm0363"]),
    queries.Filters(sensor_type="camera"),
    queries.Filters(identifiability="identifiable", kind="sensor"),
    queries.Filters(theme="safety"),
    queries.Filters(q="camera"),
    queries.Filters(state="withdrawn"),
    queries.Filters(personal_data="none", lifecycle="in_use"),
    queries.Filters(overdue=True),
    queries.Filters(bbox=(5.3, 51.3, 5.6, 51.6)),
    queries.Filters(near=(51.4386, 5.4820, 2000.0)),
]


def _naive_count(session, filters) -> int:
    return session.exec(select(func.count()).select_from(queries.public_query(filters).subquery())).one()


def _naive_facets(session, filters) -> dict[str, dict[str, int]]:
    """Every facet counted row by row in Python over the full summary query."""
    rows = session.exec(queries.public_query(filters)).all()
    result = {name: {} for name in (*queries.FACETS, "theme")}
    for row in rows:
        for name, column in queries.FACETS.items():
            value = getattr(row, column.key)
            if value is not None:
                result[name][str(value)] = result[name].get(str(value), 0) + 1
        for code in row.themes or []:
            result["theme"][code] = result["theme"].get(code, 0) + 1
    result["theme"] = dict(sorted(result["theme"].items()))
    return result


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_totals_and_facets_equal_counting_the_list_itself(seeded, filters):
    db, _ = seeded
    with db.unit_of_work(write=False) as s:
        assert queries.count_public(session=s, filters=filters) == _naive_count(s, filters)
        assert queries.list_public(session=s, filters=filters, page_size=1).total == _naive_count(s, filters)
        assert queries.facets(session=s, filters=filters) == _naive_facets(s, filters)


def test_the_seeded_register_gives_the_filters_something_to_count(seeded):
    db, _ = seeded
    with db.unit_of_work(write=False) as s:
        assert queries.count_public(session=s, filters=queries.Filters()) > 1000
        assert queries.count_public(session=s, filters=queries.Filters(sensor_type="camera")) > 0
        counts = queries.facets(session=s, filters=queries.Filters())
    assert set(counts["kind"]) == {"sensor", "algorithm", "agreement"} and counts["theme"]


def test_cached_facets_follow_a_change_at_once(db, actors):
    filters = queries.Filters(kind="algorithm")
    with db.unit_of_work(write=False) as s:
        before = queries.facets(session=s, filters=filters)
    with db.unit_of_work() as s:
        saved = service.create(session=s, actor=actors["editor_a"], data=payload("algorithm", themes=["safety"]))
        public_id = saved.registration.public_id
    with db.unit_of_work() as s:
        service.submit(session=s, actor=actors["editor_a"], public_id=public_id)
    with db.unit_of_work() as s:
        service.publish(session=s, actor=actors["approver_a"], public_id=public_id, change_note="test")
    with db.unit_of_work(write=False) as s:
        after = queries.facets(session=s, filters=filters)
        assert after == _naive_facets(s, filters)
    assert sum(after["kind"].values()) == sum(before["kind"].values()) + 1
    assert after["theme"].get("safety", 0) == before["theme"].get("safety", 0) + 1
