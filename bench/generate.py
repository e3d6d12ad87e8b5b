"""A synthetic national register for benchmarks: real areas and organisations, synthetic registrations.

    python -m bench.generate --database-url sqlite:///bench/out/national.sqlite3
    python -m bench.generate --database-url postgresql+psycopg://postgres@127.0.0.1:5432/zichtbaar_bench
    python -m bench.generate --database-url sqlite:///bench/out/small.sqlite3 --scale 0.01 --force

Steps: Alembic migrations on an empty database; the real seed's vocabulary, area and organisation steps
(through the register's services, a few seconds); synthetic organisations up to --organisations; then
sensors, algorithms and agreements bulk-inserted with SQLAlchemy Core executemany in batches, one
transaction per batch. Registrations get no version or audit rows: the benchmarks read the working
copy only. Everything is drawn from random.Random(20261122), so a run is reproducible.
"""

import argparse
import contextlib
import csv
import json
import math
import random
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from bench._common import backend, ensure_postgres_database, guard, registration_count, wipe
from register import seed as real_seed
from register.db import Database
from register.geo.geometry import EARTH_RADIUS_M, cell_of, describe
from register.geo.models import Area
from register.migrate import upgrade
from register.organisations.models import Organisation, OrganisationArea
from register.registrations import search
from register.registrations.models import (
    AgreementDetails,
    AlgorithmDetails,
    PublicIdCounter,
    Registration,
    SensorDetails,
)

SEED = 20261122
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "seed_data"
DEFAULTS = {"sensors": 1_000_000, "algorithms": 50_000, "agreements": 20_000, "organisations": 1_000}
BATCH = 10_000
PROVENANCE = {"source": "synthetic benchmark data", "illustrative": True}
MOBILE_SHARE = 0.01
SCATTER_M = 350  # Gaussian sigma around a PC4 centroid
FALLBACK_SCATTER_M = 1_500  # PC4s that share one coordinate (a place centroid) are spread wider
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = (datetime(2026, 11, 1, tzinfo=UTC) - EPOCH).days

# Organisation types in the proportions of seed_data/organisations.csv (the real list).
ORG_TYPE_MIX = {
    "municipality": 342, "agency": 50, "environmental_service": 28, "safety_region": 25, "water_board": 20,
    "joint_arrangement": 13, "province": 12, "ministry": 11, "other": 9, "private_operator": 8, "police": 1,
    "health_service": 1,
}
ORG_TYPE_NAMES = {
    "municipality": "Synthetische gemeente", "agency": "Synthetische uitvoeringsorganisatie",
    "environmental_service": "Synthetische omgevingsdienst", "safety_region": "Synthetische veiligheidsregio",
    "water_board": "Synthetisch waterschap", "joint_arrangement": "Synthetische gemeenschappelijke regeling",
    "province": "Synthetische provincie", "ministry": "Synthetisch ministerie", "other": "Synthetische organisatie",
    "private_operator": "Synthetische exploitant", "police": "Synthetische politie-eenheid",
    "health_service": "Synthetische GGD",
}
STATE_MIX = {"published": 90, "draft": 4, "in_review": 2, "withdrawn": 3, "archived": 1}

# sensor_type: (weight, Dutch label, measures, personal_data, gdpr_ground, identifiability, themes, processing)
SENSOR_TYPES = {
    "camera": (18, "Camera", "Beelden van de openbare ruimte.", "personal", "public_task", "identifiable",
               ["safety", "public_space"], ["raw"]),
    "anpr_camera": (4, "ANPR-camera", "Kentekens van passerende voertuigen.", "personal", "legal_obligation",
                    "identifiable", ["mobility", "safety"], ["hashed"]),
    "wifi_bluetooth_counter": (5, "Wifi-teller", "Aantallen apparaten met wifi of bluetooth.", "pseudonymised",
                               "public_task", "deidentified", ["mobility", "public_space"], ["hashed", "aggregated"]),
    "people_counter": (6, "Passantenteller", "Aantallen voorbijgangers.", "aggregated", "public_task", "none",
                       ["public_space", "economy"], ["aggregated", "deleted_on_device"]),
    "lidar_counter": (2, "Lidar-teller", "Bewegingen van mensen en voertuigen als puntenwolk.", "aggregated",
                      "public_task", "none", ["mobility"], ["aggregated"]),
    "sound_meter": (6, "Geluidsmeter", "Geluidsniveau in decibel.", "none", "no_personal_data", "none",
                    ["environment"], ["aggregated"]),
    "air_quality": (12, "Luchtmeetpunt", "Fijnstof en stikstofdioxide.", "none", "no_personal_data", "none",
                    ["environment", "health"], ["aggregated"]),
    "weather": (3, "Weerstation", "Temperatuur, wind en neerslag.", "none", "no_personal_data", "none",
                ["climate_water"], ["aggregated"]),
    "water_level": (3, "Waterstandmeter", "De waterstand.", "none", "no_personal_data", "none",
                    ["climate_water"], ["raw"]),
    "groundwater": (4, "Peilbuis", "De grondwaterstand.", "none", "no_personal_data", "none",
                    ["climate_water"], ["raw"]),
    "traffic_loop": (10, "Verkeerslus", "Aantallen en snelheden van voertuigen.", "none", "no_personal_data",
                     "none", ["mobility"], ["aggregated"]),
    "parking_sensor": (12, "Parkeersensor", "Of een parkeervak bezet is.", "none", "no_personal_data", "none",
                       ["mobility"], ["raw"]),
    "waste_fill_level": (8, "Vulgraadsensor", "Hoe vol een afvalcontainer is.", "none", "no_personal_data",
                         "none", ["waste"], ["raw"]),
    "smart_lighting": (4, "Slimme lantaarnpaal", "Beweging onder de lantaarnpaal.", "none", "no_personal_data",
                       "none", ["public_space", "energy"], ["deleted_on_device"]),
    "beacon": (2, "Baken", "Niets; het zendt een signaal voor navigatie-apps.", "none", "no_personal_data", "none",
               ["mobility"], ["raw"]),
    "other": (1, "Sensor", "Diverse omgevingswaarden.", "none", "no_personal_data", "none", ["other"], ["raw"]),
}
MOBILE_TYPES = {  # shape -> sensor types that move or cover an area
    "route": ["camera", "gps_tracker", "air_quality"],  # scan cars, tracked vehicles, measuring bikes
    "area": ["drone", "body_camera", "camera", "wifi_bluetooth_counter"],
}
EXTRA_TYPES = {
    "gps_tracker": (0, "Volgsysteem", "De positie van dienstvoertuigen.", "personal", "public_task", "identifiable",
                    ["mobility"], ["raw"]),
    "drone": (0, "Drone", "Luchtbeelden.", "personal", "public_task", "identifiable", ["safety"], ["blurred"]),
    "body_camera": (0, "Bodycam", "Beeld en geluid bij incidenten.", "personal", "legal_obligation", "identifiable",
                    ["safety"], ["encrypted"]),
}
ALGO_TOPICS = [
    ("Toeslagen", "social_domain"), ("Bijstand", "work_income"), ("Parkeerhandhaving", "mobility"),
    ("Vergunningen", "permits"), ("Belastingen", "taxes"), ("Jeugdzorg", "youth"), ("Afvalroutes", "waste"),
    ("Woningtoewijzing", "housing"), ("Onderwijsroutes", "education"), ("Subsidies", "economy"),
    ("Zorgindicaties", "care"), ("Handhaving", "safety"), ("Klantcontact", "governance"),
    ("Energiebesparing", "energy"), ("Ruimtelijke plannen", "spatial_planning"), ("Waterbeheer", "climate_water"),
]
AGREEMENT_TOPICS = [
    ("Basisregistratie Personen", "wettelijke_verstrekking"), ("Wijkteams", "convenant"),
    ("Parkeergegevens", "verwerkersovereenkomst"), ("Schuldhulp", "convenant"),
    ("Afvalinzameling", "verwerkersovereenkomst"), ("Veiligheidshuis", "convenant"),
    ("Leerplicht", "gegevensleveringsovereenkomst"), ("Belastinggegevens", "wettelijke_verstrekking"),
    ("Zorgdomein", "samenwerkingsovereenkomst"), ("Mobiliteitsdata", "gegevensleveringsovereenkomst"),
]


def _weighted(mix: dict):
    keys, weights = list(mix), list(mix.values())
    cum, total = [], 0
    for w in weights:
        total += w
        cum.append(total)
    return keys, cum


def _pick(rng: random.Random, table) -> object:
    keys, cum = table
    return keys[_bisect(cum, rng.random() * cum[-1])]


def _bisect(cum: list, x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _moment(rng: random.Random) -> datetime:
    return EPOCH + timedelta(days=rng.random() * SPAN_DAYS)


# ---------------------------------------------------------------------------------------------------------
# Postcode clusters


class Clusters:
    """PC4 centroids as cluster centres; a place's PC4s weigh (PC4s in the place), so a place weighs n²."""

    def __init__(self, path: Path):
        with path.open(encoding="utf-8", newline="") as handle:
            self.rows = list(csv.DictReader(handle))
        per_place = Counter(r["place"] for r in self.rows)
        per_coord = Counter((r["lat"], r["lon"]) for r in self.rows)
        self.points = []
        weights = []
        for r in self.rows:
            lat, lon = float(r["lat"]), float(r["lon"])
            shared = per_coord[(r["lat"], r["lon"])] > 1  # a place-centroid fallback, not a real PC4 centroid
            self.points.append((lat, lon, FALLBACK_SCATTER_M if shared else SCATTER_M, r))
            weights.append(per_place[r["place"]])
        self.cum = []
        total = 0
        for w in weights:
            total += w
            self.cum.append(total)
        self.biggest_places = [p for p, _ in per_place.most_common(5)]

    def draw(self, rng: random.Random):
        return self.points[_bisect(self.cum, rng.random() * self.cum[-1])]


def scatter(rng: random.Random, lat: float, lon: float, sigma_m: float) -> tuple[float, float]:
    dlat = rng.gauss(0, sigma_m) / EARTH_RADIUS_M
    dlon = rng.gauss(0, sigma_m) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
    return lat + math.degrees(dlat), lon + math.degrees(dlon)


def offset(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / EARTH_RADIUS_M
    dlon = metres * math.sin(bearing) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
    return lat + math.degrees(dlat), lon + math.degrees(dlon)


def mobile_geometry(rng: random.Random, lat: float, lon: float, shape: str) -> dict:
    if shape == "area":  # a star-shaped polygon of 0.5-2.5 km radius: angles increase, so it never crosses
        radius = rng.uniform(500, 2_500)
        n = rng.randint(5, 9)
        ring = []
        for i in range(n):
            bearing = 2 * math.pi * i / n + rng.uniform(-0.2, 0.2)
            plat, plon = offset(lat, lon, radius * rng.uniform(0.6, 1.0), bearing)
            ring.append([round(plon, 6), round(plat, 6)])
        ring.append(ring[0])
        return {"type": "Polygon", "coordinates": [ring]}
    coords = [[round(lon, 6), round(lat, 6)]]  # a route of a few km: a wandering line
    bearing = rng.uniform(0, 2 * math.pi)
    for _ in range(rng.randint(5, 12)):
        bearing += rng.uniform(-1.0, 1.0)
        lat, lon = offset(lat, lon, rng.uniform(300, 800), bearing)
        coords.append([round(lon, 6), round(lat, 6)])
    return {"type": "LineString", "coordinates": coords}


# ---------------------------------------------------------------------------------------------------------
# The load


class Timer:
    """Seconds spent inserting into each table, and rows inserted."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.rows = Counter()

    def insert(self, conn, table, rows: list[dict]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        conn.execute(insert(table), rows)
        self.seconds[table.name] += time.perf_counter() - started
        self.rows[table.name] += len(rows)


class Generator:
    def __init__(self, url: str, counts: dict, batch: int, log=print):
        self.url, self.counts, self.batch, self.log = url, counts, batch, log
        self.rng = random.Random(SEED)
        self.database = Database(url)
        self.engine = self.database.write_engine
        self.timer = Timer()
        self.clusters = Clusters(DATA / "gazetteer" / "postcodes.csv")
        self.counters: dict[str, int] = {}

    # -- organisations ------------------------------------------------------------------------------------
    def base_seed(self) -> None:
        """The real seed's vocabularies, areas and organisations (through the services; skips what exists)."""
        report = real_seed.SeedReport()
        with self.database.unit_of_work() as session:
            real_seed.load_vocabularies(session, report)
        with self.database.unit_of_work() as session:
            real_seed._areas(session, DATA, report)
        with self.database.unit_of_work() as session:
            real_seed._organisations(session, DATA, report)
        self.log(f"  real seed steps: {report.added}")

    def synthetic_organisations(self, conn) -> None:
        rng = self.rng
        existing = conn.execute(select(func.count()).select_from(Organisation.__table__)).scalar_one()
        codes = set(conn.execute(select(Organisation.__table__.c.code)).scalars())
        areas = defaultdict(list)
        for area_id, kind in conn.execute(select(Area.__table__.c.id, Area.__table__.c.kind)):
            areas[kind].append(area_id)
        next_id = (conn.execute(select(func.max(Organisation.__table__.c.id))).scalar() or 0) + 1
        mix = _weighted(ORG_TYPE_MIX)
        orgs, links, n = [], [], 0
        while existing + len(orgs) < self.counts["organisations"]:
            n += 1
            code = f"syn{n:04d}"
            if code in codes:
                continue
            org_type = _pick(rng, mix)
            orgs.append({
                "id": next_id, "code": code, "name": f"{ORG_TYPE_NAMES[org_type]} {n:04d}", "type": org_type,
                "website": f"https://{code}.example.invalid", "contact": f"privacy@{code}.example.invalid",
                "dpo_contact": f"fg@{code}.example.invalid", "parent_id": None, "four_eyes": True,
                "aliases": [], "created_at": _moment(rng),
            })
            kind = {"municipality": "municipality", "province": "province"}.get(
                org_type, rng.choice(["municipality", "province"]))
            links.append({"organisation_id": next_id, "area_id": rng.choice(areas[kind])})
            next_id += 1
        conn.rollback()  # end the reads' implicit transaction; the writes get their own
        with conn.begin():
            self.timer.insert(conn, Organisation.__table__, orgs)
            self.timer.insert(conn, OrganisationArea.__table__, links)
        self.log(f"  synthetic organisations: {len(orgs)} (total {existing + len(orgs)})")

    def load_org_index(self, conn) -> None:
        rows = conn.execute(select(Organisation.__table__.c.id, Organisation.__table__.c.code,
                                   Organisation.__table__.c.type, Organisation.__table__.c.name)).all()
        self.orgs = {code: (oid, org_type, name) for oid, code, org_type, name in rows}
        pc4_per_municipality = Counter(r["municipality_code"].lower() for r in self.clusters.rows)
        # Algorithms and agreements: big municipalities and national bodies register more.
        weights = {}
        for code, (_, org_type, _) in self.orgs.items():
            if org_type == "municipality":
                weights[code] = 1 + pc4_per_municipality.get(code, 2)
            elif org_type in ("ministry", "agency"):
                weights[code] = 15
            elif org_type == "private_operator":
                weights[code] = 1
            else:
                weights[code] = 4
        self.org_mix = _weighted(weights)
        self.non_municipal = _weighted({c: w for c, w in weights.items()
                                                  if self.orgs[c][1] != "municipality"})
        for prefix, last in conn.execute(select(PublicIdCounter.__table__.c.prefix, PublicIdCounter.__table__.c.last)):
            self.counters[prefix] = last

    def public_id(self, kind_prefix: str, org_code: str) -> str:
        prefix = f"{kind_prefix}-{org_code.upper()}"
        self.counters[prefix] = number = self.counters.get(prefix, 0) + 1
        return f"{prefix}-{number:04d}"

    # -- registrations ------------------------------------------------------------------------------------
    def common(self, rid: int, kind: str, org_code: str, title: str, summary: str, purpose: str, themes: list,
               gdpr_ground: str, personal_data: str, openness: str = "public") -> dict:
        rng = self.rng
        state = _pick(rng, self.state_mix)
        created = _moment(rng)
        updated = created + timedelta(days=rng.random() * 120)
        published = state in ("published", "withdrawn", "archived")
        versions = (rng.randint(1, 3) + (1 if state in ("withdrawn", "archived") else 0)) if published else 0
        review = (created + timedelta(days=rng.randint(180, 1100))).date() if rng.random() < 0.6 else None
        return {
            "id": rid, "public_id": self.public_id({"sensor": "SEN", "algorithm": "ALG", "agreement": "DSA"}[kind],
                                                   org_code),
            "kind": kind, "organisation_id": self.orgs[org_code][0], "state": state, "title": title[:100],
            "summary": summary[:350], "description": None, "purpose": purpose, "themes": themes,
            "legal_basis": [], "gdpr_ground": gdpr_ground, "art9_exception": None, "personal_data": personal_data,
            "data_categories": [], "data_subjects": [], "retention_period": None, "retention_note": None,
            "dpia": None, "dpia_status": (rng.choice(["completed", "not_required", "planned", "in_progress"])
                                          if personal_data not in ("none",) else "not_required"),
            "assessments": [], "lifecycle": rng.choice(["in_use"] * 8 + ["pilot", "planned", "out_of_use"]),
            "start_date": created.date(), "end_date": None, "review_date": review,
            "contact": f"privacy@{org_code}.example.invalid", "objection": None, "openness": openness,
            "restriction_reason": "Openbaarmaking schaadt de opsporing." if openness == "restricted" else None,
            "oversight_body": None, "en": {}, "provenance": PROVENANCE, "source_ref": None,
            "withdrawal_reason": "Niet meer in gebruik." if state == "withdrawn" else None,
            "revision": None, "revision_state": None, "last_editor_id": None, "last_editor_label": "bench",
            "version_count": versions, "created_at": created, "updated_at": updated,
            "first_published_at": created + timedelta(days=1) if published else None,
            "last_published_at": updated if published else None,
        }

    def sensor_rows(self, rid: int) -> tuple[dict, dict]:
        rng = self.rng
        lat0, lon0, sigma, pc4 = self.clusters.draw(rng)
        lat, lon = scatter(rng, lat0, lon0, sigma)
        mobile = rng.random() < MOBILE_SHARE
        if mobile:
            shape = "route" if rng.random() < 0.5 else "area"
            sensor_type = rng.choice(MOBILE_TYPES[shape])
            geometry = mobile_geometry(rng, lat, lon, shape)
            derived = describe(geometry)
        else:
            sensor_type = _pick(rng, self.sensor_mix)
            lat, lon = round(lat, 6), round(lon, 6)
            geometry = {"type": "Point", "coordinates": [lon, lat]}
            derived = {"shape": "point", "lat": lat, "lon": lon, "cell": cell_of(lat, lon),
                       "min_lat": lat, "min_lon": lon, "max_lat": lat, "max_lon": lon}
        _, label, measures, personal, ground, ident, themes, processing = (SENSOR_TYPES | EXTRA_TYPES)[sensor_type]
        draw = rng.random()
        if draw < 0.72:  # most sensors belong to the municipality they stand in
            org_code = pc4["municipality_code"].lower()
        elif draw < 0.80:
            org_code = pc4["province_code"].lower()
        else:
            org_code = _pick(rng, self.non_municipal)
        if org_code not in self.orgs:
            org_code = _pick(rng, self.non_municipal)
        restricted = ident == "identifiable" and rng.random() < 0.15
        place = pc4["place"]
        reg = self.common(
            rid, "sensor", org_code, f"{label} {place} {pc4['postcode']}-{rid % 10_000:04d}",
            f"{label} van {self.orgs[org_code][2]} in {place} ({pc4['postcode']}). {measures}",
            f"{measures} Nodig voor beleid en beheer van de openbare ruimte in {place}.", themes, ground, personal,
            "restricted" if restricted else "public",
        )
        details = {
            "registration_id": rid, "sensor_type": sensor_type, "measures": measures, "location": geometry,
            "location_description": f"Bij postcode {pc4['postcode']} in {place}", "device_count": 1,
            "operator": {"name": self.orgs[org_code][2]}, "identifiability": ident, "processing": processing,
            "access": ["medewerkers van de organisatie"], "storage_location": None,
            "influences_behaviour": None, "opt_out": None, "active_from": reg["start_date"],
            "active_until": None, "privacy_statement_url": None, **derived,
            # On the public map exactly as the workflow service would set it.
            "public": reg["state"] == "published" and reg["openness"] == "public",
        }
        return reg, details

    def algorithm_rows(self, rid: int) -> tuple[dict, dict]:
        rng = self.rng
        org_code = _pick(rng, self.org_mix)
        topic, theme = rng.choice(ALGO_TOPICS)
        algorithm_type = rng.choice(["rules"] * 5 + ["statistical"] * 3 + ["machine_learning"] * 2 + ["generative_ai"])
        personal = rng.choice(["personal", "personal", "pseudonymised", "none", "special_categories"])
        reg = self.common(
            rid, "algorithm", org_code, f"{topic}: algoritme {rid}",
            f"Een synthetisch algoritme van {self.orgs[org_code][2]} voor {topic.lower()}.",
            f"Ondersteunt medewerkers bij {topic.lower()}.", [theme],
            "public_task" if personal != "none" else "no_personal_data", personal,
        )
        details = {
            "registration_id": rid, "algorithm_type": algorithm_type,
            "self_learning": algorithm_type == "machine_learning",
            "publication_category": rng.choice(["other"] * 6 + ["impactful"] * 3 + ["high_risk_ai"]),
            "ai_act_class": rng.choice(["not_ai", "not_ai", "minimal", "limited", "high"]),
            "eu_database_ref": None, "decision_role": rng.choice(["informs", "recommends", "decides"]),
            "automated_decision": False, "human_intervention": "Een medewerker beoordeelt elke uitkomst.",
            "inputs": [], "affected_groups": ["inwoners"], "impact": None, "proportionality": None,
            "alternatives": None, "risks": None, "mitigations": None, "rights_test": None, "error_rates": None,
            "monitoring": None, "supplier": None, "hosting": rng.choice(["nl", "nl", "eu"]), "source_code_url": None,
            "processing_register_url": None, "lars": None,
        }
        return reg, details

    def agreement_rows(self, rid: int) -> tuple[dict, dict]:
        rng = self.rng
        org_code = _pick(rng, self.org_mix)
        other = _pick(rng, self.org_mix)
        topic, agreement_type = rng.choice(AGREEMENT_TOPICS)
        reg = self.common(
            rid, "agreement", org_code, f"{topic}: gegevensdeling {rid}",
            f"Afspraken tussen {self.orgs[org_code][2]} en {self.orgs[other][2]} over {topic.lower()}.",
            f"Gegevens delen voor {topic.lower()}.", ["governance"], "public_task", "personal",
        )
        details = {
            "registration_id": rid,
            "parties": [{"name": self.orgs[org_code][2], "organisation": org_code, "side": "provider",
                         "role": "controller"},
                        {"name": self.orgs[other][2], "organisation": other, "side": "recipient",
                         "role": "controller"}],
            "direction": rng.choice(["one_way", "two_way"]), "legal_power": "Artikel 6, eerste lid, onder e, AVG.",
            "agreement_type": agreement_type, "document_url": None,
            "sharing_method": rng.choice(["api", "file_transfer", "portal"]),
            "frequency": rng.choice(["continuous", "daily", "monthly", "on_request"]), "security_measures": None,
            "further_use": None, "areas": [],
        }
        return reg, details

    def bulk(self, conn, kind: str, count: int, make, details_table) -> None:
        started = time.perf_counter()
        done = 0
        while done < count:
            n = min(self.batch, count - done)
            regs, details = [], []
            for _ in range(n):
                reg, det = make(self.next_id)
                self.next_id += 1
                regs.append(reg)
                details.append(det)
            with conn.begin():
                self.timer.insert(conn, Registration.__table__, regs)
                self.timer.insert(conn, details_table, details)
            done += n
            if done % (self.batch * 10) == 0 or done == count:
                elapsed = time.perf_counter() - started
                self.log(f"  {kind}: {done:>9,} / {count:,}  ({done / elapsed:,.0f} registrations/s overall)")

    def run(self) -> dict:
        t0 = time.perf_counter()
        phases = {}
        self.log("migrations")
        upgrade(self.url)
        phases["migrations"] = time.perf_counter() - t0
        t = time.perf_counter()
        self.log("real vocabularies, areas and organisations (register.seed steps)")
        self.base_seed()
        phases["real seed steps"] = time.perf_counter() - t
        self.state_mix = _weighted(STATE_MIX)
        self.sensor_mix = _weighted({k: v[0] for k, v in SENSOR_TYPES.items()})
        with self.engine.connect() as conn:
            if self.database.is_sqlite:
                conn.exec_driver_sql("PRAGMA cache_size=-524288")  # 512 MB page cache for the load
            t = time.perf_counter()
            self.synthetic_organisations(conn)
            self.load_org_index(conn)
            self.next_id = (conn.execute(select(func.max(Registration.__table__.c.id))).scalar() or 0) + 1
            conn.rollback()
            phases["synthetic organisations"] = time.perf_counter() - t
            with search_index_suspended(conn, self.database.is_sqlite, phases):
                for kind, make, table in (("sensors", self.sensor_rows, SensorDetails.__table__),
                                          ("algorithms", self.algorithm_rows, AlgorithmDetails.__table__),
                                          ("agreements", self.agreement_rows, AgreementDetails.__table__)):
                    t = time.perf_counter()
                    self.bulk(conn, kind, self.counts[kind], make, table)
                    phases[kind] = time.perf_counter() - t
            t = time.perf_counter()
            with conn.begin():
                prefixes = list(self.counters)
                table = PublicIdCounter.__table__
                for i in range(0, len(prefixes), 500):
                    conn.execute(table.delete().where(table.c.prefix.in_(prefixes[i:i + 500])))
                self.timer.insert(conn, table, [{"prefix": p, "last": n} for p, n in self.counters.items()])
                if not self.database.is_sqlite:  # explicit ids were given: move the sequences past them
                    for name in ("registration", "organisation"):
                        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                          f"(SELECT max(id) FROM {name}))"))
            phases["public id counters"] = time.perf_counter() - t
        t = time.perf_counter()
        self.log("ANALYZE")
        analyze(self.engine)
        phases["analyze"] = time.perf_counter() - t
        phases["total"] = time.perf_counter() - t0
        self.database.dispose()
        return {"phases_s": {k: round(v, 2) for k, v in phases.items()},
                "tables": {name: {"rows": self.timer.rows[name], "insert_s": round(self.timer.seconds[name], 2),
                                  "rows_per_s": round(self.timer.rows[name] / self.timer.seconds[name])}
                           for name in self.timer.rows}}


@contextlib.contextmanager
def search_index_suspended(conn, is_sqlite: bool, phases: dict):
    """Bulk-load without keeping the full-text index (migration 0006) up to date row by row, then build it once.

    Row by row, the FTS5 triggers (SQLite) and the GIN trigram indexes (PostgreSQL) cut the load rate by
    more than half; building them after the load gives the same index in about a minute.
    """
    with conn.begin():
        if is_sqlite:
            saved = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                         "AND name LIKE 'registration_search_%'").all()
            for name, _ in saved:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        else:
            saved = conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%(n)s)",
                                         {"n": list(search.TRIGRAM_INDEXES)}).all()
            for name, _ in saved:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    started = time.perf_counter()
    with conn.begin():
        for _, sql in saved:
            conn.exec_driver_sql(sql)
        if is_sqlite and saved:
            conn.exec_driver_sql(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('rebuild')")
    phases["full-text index"] = time.perf_counter() - started


def analyze(engine) -> None:
    """ANALYZE, committed (on SQLite the engine's begin hook opens a transaction even in AUTOCOMMIT mode)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    for name, default in DEFAULTS.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count (e.g. 0.01 for a quick run)")
    parser.add_argument("--batch", type=int, default=BATCH, help="rows per executemany and per transaction")
    parser.add_argument("--force", action="store_true", help="wipe the database first (SQLite file / public schema)")
    parser.add_argument("--json", type=Path, default=None, help="also write the timings as JSON here")
    parser.add_argument("--analyze-only", action="store_true", help="only run ANALYZE on an existing database")
    args = parser.parse_args(argv)
    url = args.database_url
    guard(url)
    if args.analyze_only:
        database = Database(url)
        started = time.perf_counter()
        analyze(database.write_engine)
        print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
        database.dispose()
        return
    if backend(url) == "postgresql":
        ensure_postgres_database(url)
    if args.force:
        wipe(url)
    elif registration_count(url):
        raise SystemExit("the database holds registrations already; use --force to wipe it first")
    counts = {name: max(1, round(getattr(args, name) * args.scale)) for name in DEFAULTS}
    print(f"generating into {backend(url)}: {counts}")
    result = Generator(url, counts, args.batch).run()
    result["counts"] = counts
    result["database"] = backend(url)
    print("\n| phase | seconds |\n|---|---:|")
    for phase, seconds in result["phases_s"].items():
        print(f"| {phase} | {seconds} |")
    print("\n| table | rows | insert seconds | rows/s |\n|---|---:|---:|---:|")
    for name, row in result["tables"].items():
        print(f"| {name} | {row['rows']:,} | {row['insert_s']} | {row['rows_per_s']:,} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
