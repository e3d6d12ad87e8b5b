"""The Atom change feed: readable by a feed reader, filterable, and free of internal data."""

import feedparser
import pytest
from sqlmodel import select

from api import feeds
from register.audit.models import AuditEntry
from register.registrations import service
from tests.factories import SYSTEM, payload

FEED = "/api/v1/feeds/changes.atom"
AMSTERDAM = {"type": "Point", "coordinates": [4.8930, 52.3730]}
DEN_BOSCH = {"type": "Point", "coordinates": [5.3037, 51.6978]}  # in Noord-Brabant, not in Eindhoven


def _sensor(location: dict) -> dict:
    return {**payload()["sensor"], "location": location}


@pytest.fixture
def history(db, actors, publish):
    """Published, changed and withdrawn items of Eindhoven, Amsterdam and the province, oldest first."""
    ids = {
        "sensor": publish("sensor", title="Geluidsmeter Stratumseind"),
        "algorithm": publish("algorithm", title="Voorspelling drukte"),
        "amsterdam": publish("agreement", editor="editor_b", approver="approver_b", organisation="gm0363",
                             title="Convenant Wallen"),
        "amsterdam_sensor": publish("sensor", editor="editor_b", approver="approver_b", organisation="gm0363",
                                    title="Teller Dam", sensor=_sensor(AMSTERDAM)),
    }
    with db.unit_of_work() as s:
        service.update(session=s, actor=actors["editor_a"], public_id=ids["sensor"],
                       data=payload("sensor", title="Geluidsmeter Stratumseind (vervangen)"))
        service.submit(session=s, actor=actors["editor_a"], public_id=ids["sensor"])
        service.publish(session=s, actor=actors["approver_a"], public_id=ids["sensor"], change_note="Meter vervangen.")
        service.withdraw(session=s, actor=actors["approver_a"], public_id=ids["algorithm"],
                         reason="Niet meer in gebruik.")
        for key, data in (("province_in_eindhoven", payload("sensor", organisation="pv30", title="Provinciale camera")),
                          ("province_elsewhere", payload("sensor", organisation="pv30", title="Camera Den Bosch",
                                                         sensor=_sensor(DEN_BOSCH))),
                          ("province_restricted", payload("sensor", organisation="pv30", title="Verborgen camera",
                                                          openness="restricted", restriction_reason="Onderzoek",
                                                          oversight_body="Autoriteit Persoonsgegevens"))):
            pid = service.create(session=s, actor=SYSTEM, data=data).registration.public_id
            service.submit(session=s, actor=SYSTEM, public_id=pid)
            service.publish(session=s, actor=SYSTEM, public_id=pid, change_note="Nieuw.")
            ids[key] = pid
        ids["draft"] = service.create(session=s, actor=actors["editor_a"],
                                      data=payload("sensor", title="Nog een concept")).registration.public_id
    return ids


def _feed(client, query: str = ""):
    response = client.get(FEED + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _events(parsed) -> list[tuple[str, str]]:
    """(public id, event) per entry, in feed order."""
    found = []
    for entry in parsed.entries:
        events = [t.term for t in entry.tags if t.term in feeds.EVENTS]
        assert len(events) == 1
        found.append((entry.title.split(":", 1)[0], events[0]))
    return found


def test_the_feed_lists_public_versions_newest_first(client, history):
    parsed = _feed(client)
    assert parsed.version == "atom10"
    assert parsed.feed.title.startswith("Zichtbaar")
    assert parsed.feed.language == "nl"
    assert _events(parsed) == [
        (history["province_restricted"], "published"), (history["province_elsewhere"], "published"),
        (history["province_in_eindhoven"], "published"), (history["algorithm"], "withdrawn"),
        (history["sensor"], "changed"), (history["amsterdam_sensor"], "published"),
        (history["amsterdam"], "published"), (history["algorithm"], "published"), (history["sensor"], "published"),
    ]
    assert history["draft"] not in str(parsed)
    changed = parsed.entries[4]
    assert changed.title == f"{history['sensor']}: Geluidsmeter Stratumseind (vervangen)"
    assert changed.summary == "Meter vervangen."
    assert changed.author == "Gemeente Eindhoven"
    assert changed.id == f"http://localhost/api/v1/registrations/{history['sensor']}/versions/2"
    assert changed.link == changed.id
    assert changed.updated_parsed and changed.published_parsed
    assert {t.term for t in changed.tags} == {"changed", "sensor"}
    first = parsed.entries[-1]
    assert first.title == f"{history['sensor']}: Geluidsmeter Stratumseind"  # the title as it was then
    updated = [e.updated_parsed for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)


def test_entry_links_resolve_to_the_versions(client, history):
    for entry in _feed(client).entries:
        version = client.get(entry.link.removeprefix("http://localhost"))
        assert version.status_code == 200
        assert entry.title == f"{version.json['publicId']}: {version.json['title']}"
        assert entry.summary == version.json["changeNote"]
        related = next(link.href for link in entry.links if link.rel == "related")
        assert client.get(related.removeprefix("http://localhost")).status_code == 200


def test_a_withdrawal_appears_as_withdrawn(client, history):
    parsed = _feed(client, "?event=withdrawn")
    assert _events(parsed) == [(history["algorithm"], "withdrawn")]
    entry = parsed.entries[0]
    assert entry.summary == "Niet meer in gebruik."
    assert entry.link.endswith(f"/registrations/{history['algorithm']}/versions/2")
    assert next(t for t in entry.tags if t.term == "withdrawn").label == "Ingetrokken"


def test_filters_by_event_organisation_and_kind(client, history):
    assert _events(_feed(client, "?event=changed")) == [(history["sensor"], "changed")]
    assert {e for _, e in _events(_feed(client, "?event=published"))} == {"published"}
    assert len(_feed(client, "?event=published").entries) == 7
    amsterdam = _events(_feed(client, "?organisation=gm0363"))
    assert amsterdam == [(history["amsterdam_sensor"], "published"), (history["amsterdam"], "published")]
    both = {pid for pid, _ in _events(_feed(client, "?organisation=gm0363,gm0772"))}
    assert both == {history[k] for k in ("sensor", "algorithm", "amsterdam", "amsterdam_sensor")}
    assert _events(_feed(client, "?kind=agreement")) == [(history["amsterdam"], "published")]
    assert _events(_feed(client, "?kind=sensor&organisation=gm0772&event=published")) == [
        (history["sensor"], "published")]
    assert all(e.author == "Gemeente Amsterdam" for e in _feed(client, "?organisation=gm0363").entries)


def test_area_gives_the_organisations_registrations_and_public_sensors_inside_it(client, history):
    eindhoven = {pid for pid, _ in _events(_feed(client, "?area=GM0772"))}
    assert eindhoven == {history["sensor"], history["algorithm"], history["province_in_eindhoven"]}
    assert {pid for pid, _ in _events(_feed(client, "?area=gm0772"))} == eindhoven
    province = {pid for pid, _ in _events(_feed(client, "?area=PV30"))}
    # The province's own items, restricted ones too, and Eindhoven's public sensor (it lies in the province).
    assert province == {history[k] for k in ("province_in_eindhoven", "province_elsewhere", "province_restricted",
                                             "sensor")}
    amsterdam = {pid for pid, _ in _events(_feed(client, "?area=GM0363&kind=sensor"))}
    assert amsterdam == {history["amsterdam_sensor"]}


def test_no_internal_data_in_the_feed(client, db, history):
    body = client.get(FEED).get_data(as_text=True)
    for secret in ("@test.invalid", "editor_a", "approver_a", "editor_b", "approver_b", "system:", "registration.",
                   "created_by", "createdBy"):
        assert secret not in body, secret
    with db.unit_of_work(write=False) as s:
        entries = list(s.exec(select(AuditEntry)))
    assert entries
    for entry in entries:
        assert entry.hash not in body and entry.action not in body


def test_at_most_the_newest_entries(client, history, monkeypatch):
    monkeypatch.setattr(feeds, "MAX_ENTRIES", 2)
    assert _events(_feed(client)) == [(history["province_restricted"], "published"),
                                      (history["province_elsewhere"], "published")]
    assert len(_feed(client, "?area=GM0772").entries) == 2


def test_an_empty_feed_is_still_valid(client):
    parsed = _feed(client)
    assert parsed.entries == [] and parsed.feed.updated_parsed


@pytest.mark.parametrize("query, name", [("?since=2024-01-01", "since"), ("?event=archived", "event"),
                                         ("?kind=camera", "kind"), ("?organisation=gm9999", "organisation"),
                                         ("?area=GM9999", "area"), ("?organisation=GM0772", "organisation"),
                                         ("?event=published&event=changed", "event")])
def test_bad_parameters_are_refused(client, query, name):
    response = client.get(FEED + query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [p["name"] for p in response.json["invalidParams"]] == [name]


def test_a_current_feed_is_not_sent_again(client, publish):
    publish("sensor")
    first = client.get(FEED)
    assert first.headers["API-Version"]
    again = client.get(FEED, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
