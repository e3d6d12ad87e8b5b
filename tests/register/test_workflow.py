"""Draft → review → publish (versions) → withdraw → archive; revisions of public items; diffs."""

import pytest

from register.errors import Conflict, NotFound
from register.registrations import queries, service
from tests.factories import payload


def _publish(db, actors, data, note="Eerste publicatie."):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=data).registration.public_id
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note=note)
    return pid


def test_public_ids_are_readable_and_sequential_per_organisation_and_kind(db, actors):
    with db.unit_of_work() as s:
        ids = [service.create(session=s, actor=actors["editor_a"], data=payload(kind)).registration.public_id
               for kind in ("sensor", "sensor", "algorithm", "agreement")]
    assert ids == ["SEN-GM0772-0001", "SEN-GM0772-0002", "ALG-GM0772-0001", "DSA-GM0772-0001"]


def test_drafts_are_not_public(db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload()).registration.public_id
    with db.unit_of_work(write=False) as s, pytest.raises(NotFound):
        queries.get_public(session=s, public_id=pid)


def test_publishing_twice_gives_two_versions_and_a_diff_naming_the_changed_fields(db, actors):
    pid = _publish(db, actors, payload("sensor"))
    changed = payload("sensor", purpose="Ook de drukte meten.", themes=["safety", "public_space"])
    changed["sensor"]["device_count"] = 3
    with db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=pid, data=changed)
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Doel verbreed.")
    with db.unit_of_work(write=False) as s:
        history = queries.versions(session=s, public_id=pid)
        assert [(v["number"], v["state"], v["change_note"]) for v in history] == [
            (1, "published", "Eerste publicatie."), (2, "published", "Doel verbreed.")]
        first = queries.version(session=s, public_id=pid, number=1)
        assert first["purpose"] == payload("sensor")["purpose"] and first["sensor"]["device_count"] == 2
        fields = {c["field"]: c for c in queries.diff(session=s, public_id=pid, before=1, after=2)}
        assert set(fields) == {"purpose", "themes", "sensor.device_count"}
        assert fields["sensor.device_count"]["before"] == 2 and fields["sensor.device_count"]["after"] == 3


def test_public_keeps_seeing_the_published_text_while_a_revision_waits(db, actors):
    pid = _publish(db, actors, payload("algorithm"))
    with db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=pid,
                       data=payload("algorithm", title="Nieuwe titel, nog niet goedgekeurd"))
    with db.unit_of_work(write=False) as s:
        public = queries.get_public(session=s, public_id=pid)
        assert public["title"] == payload("algorithm")["title"] and public["state"] == "published"
    with db.unit_of_work() as s:
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Titel verduidelijkt.")
    with db.unit_of_work(write=False) as s:
        assert queries.get_public(session=s, public_id=pid)["title"] == "Nieuwe titel, nog niet goedgekeurd"


def test_withdrawing_shows_the_reason_publicly_and_is_a_version(db, actors):
    pid = _publish(db, actors, payload("agreement"))
    with db.unit_of_work() as s:
        service.withdraw(session=s, actor=actors["approver_a"], public_id=pid, reason="Het convenant is beëindigd.")
    with db.unit_of_work(write=False) as s:
        public = queries.get_public(session=s, public_id=pid)
        assert public["state"] == "withdrawn" and public["withdrawal_reason"] == "Het convenant is beëindigd."
        assert queries.versions(session=s, public_id=pid)[-1]["state"] == "withdrawn"
        listed = queries.list_public(session=s, filters=queries.Filters(state="withdrawn"))
        assert [i["public_id"] for i in listed.items] == [pid]


def test_archived_items_keep_their_history_but_leave_the_lists(db, actors):
    pid = _publish(db, actors, payload("sensor"))
    with db.unit_of_work() as s:
        service.archive(session=s, actor=actors["approver_a"], public_id=pid, reason="Sensor weggehaald.")
    with db.unit_of_work(write=False) as s:
        assert queries.list_public(session=s, filters=queries.Filters()).total == 0
        assert queries.get_public(session=s, public_id=pid)["state"] == "archived"
        assert [v["state"] for v in queries.versions(session=s, public_id=pid)] == ["published", "archived"]
    with pytest.raises(Conflict), db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=pid, data=payload("sensor"))


def test_wrong_workflow_order_is_a_conflict(db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload()).registration.public_id
    with pytest.raises(Conflict), db.unit_of_work() as s:
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Te vroeg.")
    with pytest.raises(Conflict), db.unit_of_work() as s:
        service.withdraw(session=s, actor=actors["approver_a"], public_id=pid, reason="Nooit gepubliceerd.")


def test_returning_to_draft_and_editing_in_review_needs_a_new_submit(db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload()).registration.public_id
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.return_to_draft(session=s, actor=actors["approver_a"], public_id=pid, reason="Doel scherper.")
        assert service.get_for_update(session=s, public_id=pid).state == "draft"
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.update(session=s, actor=actors["editor2_a"], public_id=pid, data=payload(title="Aangepast"))
        assert service.get_for_update(session=s, public_id=pid).state == "draft"


def test_restricted_sensor_is_listed_without_its_location(db, actors):
    pid = _publish(db, actors, payload("sensor", openness="restricted", restriction_reason="Opsporing",
                                       oversight_body="Autoriteit Persoonsgegevens"))
    with db.unit_of_work(write=False) as s:
        public = queries.get_public(session=s, public_id=pid)
        assert "location" not in public["sensor"] and public["sensor"]["location_withheld"] is True
        item = queries.list_public(session=s, filters=queries.Filters(kind="sensor")).items[0]
        assert "lat" not in item["sensor"]
        assert queries.version(session=s, public_id=pid, number=1)["sensor"].get("location") is None


def test_a_location_outside_the_organisations_area_saves_with_a_warning(db, actors):
    data = payload("sensor")
    data["sensor"]["location"] = {"type": "Point", "coordinates": [4.8952, 52.3702]}  # Amsterdam
    with db.unit_of_work() as s:
        saved = service.create(session=s, actor=actors["editor_a"], data=data)
    assert saved.warnings and "outside the area of Gemeente Eindhoven" in saved.warnings[0]


def test_list_filters_page_and_order_deterministically(db, actors):
    for i in range(5):
        _publish(db, actors, payload("algorithm", title=f"Algoritme {i}", review_date="2020-01-01" if i % 2 else "2030-01-01"))
    _publish(db, actors, payload("sensor"))
    with db.unit_of_work(write=False) as s:
        page = queries.list_public(session=s, filters=queries.Filters(kind="algorithm", sort="title"), page=2, page_size=2)
        assert page.total == 5 and [i["title"] for i in page.items] == ["Algoritme 2", "Algoritme 3"]
        overdue = queries.list_public(session=s, filters=queries.Filters(overdue=True))
        assert {i["title"] for i in overdue.items} == {"Algoritme 1", "Algoritme 3"}
        assert all(i["overdue"] for i in overdue.items)
        assert queries.list_public(session=s, filters=queries.Filters(q="ALGORITME 4")).total == 1
        assert queries.list_public(session=s, filters=queries.Filters(q="100%_")).total == 0
        assert queries.list_public(session=s, filters=queries.Filters(theme="public_space")).total == 5
        assert queries.list_public(session=s, filters=queries.Filters(sensor_type="sound_meter")).total == 1
        assert queries.list_public(session=s, filters=queries.Filters(organisation=["gm0363"])).total == 0
        box = queries.list_public(session=s, filters=queries.Filters(bbox=(5.48, 51.43, 5.49, 51.44)))
        assert box.total == 1
