"""Test data: a small real base (Eindhoven, Amsterdam, two provinces, the country) and valid payloads."""

import copy
import json
from functools import cache
from pathlib import Path

from shapely.geometry import shape
from sqlmodel import Session, select

from register.accounts import service as accounts
from register.accounts.actor import Actor, system_actor
from register.accounts.models import User
from register.organisations import service as organisations
from register.seed import SeedReport, add_area, load_vocabularies

SYSTEM = system_actor("test")
AREAS = {"GM0772": "municipalities", "GM0363": "municipalities", "PV30": "provinces", "PV27": "provinces"}
ORGANISATIONS = [
    ("gm0772", "Gemeente Eindhoven", "municipality", ["GM0772"]),
    ("gm0363", "Gemeente Amsterdam", "municipality", ["GM0363"]),
    ("pv30", "Provincie Noord-Brabant", "province", ["PV30"]),
    ("pv27", "Provincie Noord-Holland", "province", ["PV27"]),
    ("oorvig", "Rijksdienst voor Identiteitsgegevens", "agency", ["NL"]),
]
USERS = [  # key, organisation, roles, site admin
    ("editor_a", "gm0772", ["editor"], False),
    ("editor2_a", "gm0772", ["editor"], False),
    ("approver_a", "gm0772", ["approver"], False),
    ("admin_a", "gm0772", ["org_admin"], False),
    ("editor_b", "gm0363", ["editor"], False),
    ("approver_b", "gm0363", ["approver"], False),
    ("site_admin", None, [], True),
]
PASSWORD = "correct horse battery staple"
STRATUMSEIND = (51.4386, 5.4820)  # lat, lon: the street in Eindhoven's centre


@cache
def _features(seed_data: Path, file: str) -> dict:
    collection = json.loads((seed_data / "areas" / f"{file}.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["code"]: f for f in collection["features"]}


def base(session: Session, seed_data: Path) -> None:
    """Vocabularies, five real areas, five organisations and one account per role."""
    load_vocabularies(session, SeedReport())
    for code, file in AREAS.items():
        feature = _features(seed_data, file)[code]
        add_area(session, code, feature["properties"]["kind"], feature["properties"]["name"],
                  shape(feature["geometry"]))
    # A rough country box is enough for tests: the national body applies everywhere in it.
    add_area(session, "NL", "country", "Nederland", shape({
        "type": "Polygon", "coordinates": [[[3.2, 50.7], [7.3, 50.7], [7.3, 53.6], [3.2, 53.6], [3.2, 50.7]]]}))
    session.flush()
    for code, name, kind, areas in ORGANISATIONS:
        organisations.create(session=session, actor=SYSTEM,
                             data={"code": code, "name": name, "type": kind, "areas": areas})
    for key, org_code, roles, site_admin in USERS:
        user = accounts.create_user(session=session, actor=SYSTEM, email=f"{key}@test.invalid",
                                    display_name=key, password=PASSWORD if key == "editor_a" else None,
                                    site_admin=site_admin)
        for role in roles:
            org = organisations.get_by_code(session=session, code=org_code)
            accounts.grant(session=session, actor=SYSTEM, user=user, organisation=org, role=role)


def actors(session: Session) -> dict[str, Actor]:
    """One Actor per test account, keyed as in USERS."""
    found = {}
    for key, *_ in USERS:
        user = session.exec(select(User).where(User.email == f"{key}@test.invalid")).one()
        found[key] = accounts.actor_for(session=session, user=user)
    return found


_COMMON = {
    "organisation": "gm0772",
    "title": "Geluidsmeter Stratumseind",
    "summary": "Deze meter meet hoe hard het geluid is op straat. Hij neemt geen gesprekken op.",
    "purpose": "Overlast en onrust op tijd zien, zodat de gemeente en de politie kunnen ingrijpen.",
    "themes": ["safety"],
    "legal_basis": [{"title": "Gemeentewet", "citation": "art. 172", "url": "https://wetten.overheid.nl/BWBR0005416"}],
    "gdpr_ground": "no_personal_data",
    "personal_data": "none",
    "lifecycle": "in_use",
    "review_date": "2027-06-01",
    "contact": "privacy@eindhoven.invalid",
    "openness": "public",
}
_SENSOR = {
    "kind": "sensor", **_COMMON,
    "sensor": {"sensor_type": "sound_meter", "measures": "Geluidsniveau in decibel",
               "location": {"type": "Point", "coordinates": [5.4821, 51.4385]},
               "identifiability": "none", "device_count": 2},
}
_ALGORITHM = {
    "kind": "algorithm", **_COMMON, "title": "Voorspelling drukte Stratumseind",
    "themes": ["safety", "public_space"], "gdpr_ground": "public_task", "personal_data": "aggregated",
    "dpia": {"status": "completed", "date": "2024-03-01"},
    "algorithm": {"algorithm_type": "statistical", "publication_category": "impactful", "decision_role": "informs",
                  "human_intervention": "Een medewerker van de toezichtsruimte beoordeelt elke melding."},
}
_AGREEMENT = {
    "kind": "agreement", **_COMMON, "title": "Convenant gegevensdeling uitgaansgebied",
    "gdpr_ground": "public_task", "personal_data": "personal",
    "dpia": {"status": "in_progress"},
    "agreement": {"parties": [{"name": "Politie Eenheid Oost-Brabant", "side": "provider", "role": "controller"},
                              {"name": "Gemeente Eindhoven", "organisation": "gm0772", "side": "recipient",
                               "role": "controller"}],
                  "legal_power": "Wet politiegegevens, art. 20", "agreement_type": "convenant"},
}


def payload(kind: str = "sensor", **overrides) -> dict:
    """A valid registration payload of a kind, with top-level fields overridden."""
    data = copy.deepcopy({"sensor": _SENSOR, "algorithm": _ALGORITHM, "agreement": _AGREEMENT}[kind])
    data.update(overrides)
    return data
