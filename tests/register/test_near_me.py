"""Near me: sensors within a radius plus what applies through the jurisdictions holding the point."""

from register.registrations import queries, service
from tests.factories import STRATUMSEIND, payload


def _published_sensor(db, actors, lon, lat, title, editor="editor_a", approver="approver_a", org="gm0772"):
    data = payload("sensor", title=title, organisation=org)
    data["sensor"]["location"] = {"type": "Point", "coordinates": [lon, lat]}
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors[editor], data=data).registration.public_id
        service.submit(session=s, actor=actors[editor], public_id=pid)
        service.publish(session=s, actor=actors[approver], public_id=pid, change_note="Nieuw.")
    return pid


def test_radius_filters_by_true_distance_and_sorts_nearest_first(db, actors):
    lat, lon = STRATUMSEIND
    near = _published_sensor(db, actors, lon + 0.0005, lat, "Dichtbij")  # ~35 m east
    edge = _published_sensor(db, actors, lon, lat + 0.0040, "Net binnen")  # ~445 m north
    corner = _published_sensor(db, actors, lon + 0.0060, lat + 0.0040, "Hoek van het vierkant")  # ~600 m
    _published_sensor(db, actors, 4.8952, 52.3702, "Amsterdam", "editor_b", "approver_b", "gm0363")
    with db.unit_of_work(write=False) as s:
        found, total = queries.sensors_near(session=s, lat=lat, lon=lon, radius_m=500)
        nearest, same_total = queries.sensors_near(session=s, lat=lat, lon=lon, radius_m=500, limit=1)
    assert [f["public_id"] for f in found] == [near, edge] and total == 2
    assert [f["public_id"] for f in nearest] == [near] and same_total == 2
    assert corner not in [f["public_id"] for f in found]
    assert 30 < found[0]["distance_m"] < 40


def test_mobile_sensor_areas_count_when_the_point_lies_inside_them(db, actors):
    lat, lon = STRATUMSEIND
    data = payload("sensor", title="Drone boven het centrum")
    data["sensor"]["location"] = {"type": "Polygon", "coordinates": [[
        [lon - 0.02, lat - 0.02], [lon + 0.02, lat - 0.02], [lon + 0.02, lat + 0.02], [lon - 0.02, lat + 0.02],
        [lon - 0.02, lat - 0.02]]]}
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=data).registration.public_id
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Nieuw.")
    with db.unit_of_work(write=False) as s:
        found, total = queries.sensors_near(session=s, lat=lat, lon=lon, radius_m=100)
    assert [f["public_id"] for f in found] == [pid] and found[0]["distance_m"] == 0 and total == 1


def test_seeded_stratumseind_point_gets_its_sensors_and_eindhoven_brabant_and_national_items(seeded):
    db, _ = seeded
    lat, lon = STRATUMSEIND
    with db.unit_of_work(write=False) as s:
        result = queries.near_me(session=s, lat=lat, lon=lon, radius_m=500, limit=5000)
    stratumseind = [x for x in result.sensors if "stratumseind" in (x["title"] + x["summary"]).lower()]
    assert len(stratumseind) >= 10
    assert all(x["organisation"]["code"] == "gm0772" for x in stratumseind)
    orgs = {o["code"] for o in result.organisations}
    assert {"gm0772", "pv30", "oorvig", "oobelastingdienst", "oouwv"} <= orgs
    assert "gm0363" not in orgs and "pv27" not in orgs
    by_org = {x["organisation"]["code"] for x in result.applicable}
    assert {"gm0772", "pv30", "oobelastingdienst"} <= by_org
    assert "gm0363" not in by_org and all(x["organisation"]["code"] != "gm0363" for x in result.sensors)
    assert [a["code"] for a in result.areas][:2] == ["GM0772", "PV30"]
