"""Time the bulk import of a 10,000-row sensor CSV: dry run, then commit, on a fresh database.

    python -m bench.import_csv                      # fresh SQLite file bench/out/import_csv.sqlite3
    python -m bench.import_csv --rows 2000          # a smaller file
    python -m bench.import_csv --database-url URL   # a scratch PostgreSQL database (its schema is dropped!)
    python -m bench.import_csv --tracemalloc        # also the Python heap's peak per phase (slower)

The file is synthetic but valid: sound meters, cameras, counters and air-quality sensors spread over
Eindhoven's bounding box, imported by an editor of Eindhoven exactly as the back office does it
(register.bulk_import: read the CSV, run every row through registrations.create in a savepoint, then
roll back (dry run) or commit). Peak memory is the process's resident high-water mark (ru_maxrss) after
each phase; with --tracemalloc also the Python allocations' peak within the phase.
"""

import argparse
import csv
import io
import json
import random
import resource
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from shapely.geometry import shape

from bench._common import backend, ensure_postgres_database, guard, wipe
from register import bulk_import
from register.accounts import service as accounts
from register.accounts.actor import system_actor
from register.db import Database
from register.migrate import upgrade
from register.organisations import service as organisations
from register.seed import SeedReport, add_area, load_vocabularies

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "bench" / "out" / "import_csv.sqlite3"
CSV_COPY = ROOT / "bench" / "out" / "import_rows.csv"
SYSTEM = system_actor("bench")
SENSORS = [("sound_meter", "Geluidsniveau in decibel", "none"), ("camera", "Beelden van de straat", "identifiable"),
           ("people_counter", "Aantal voorbijgangers per kwartier", "deidentified"),
           ("air_quality", "Fijnstof en stikstofdioxide", "none")]


def prepare(url: str):
    """A migrated, empty database with Eindhoven (its real area) and one editor; returns (database, editor)."""
    guard(url)
    if backend(url) == "postgresql":
        ensure_postgres_database(url)
    wipe(url)
    upgrade(url)
    database = Database(url)
    collection = json.loads((ROOT / "seed_data" / "areas" / "municipalities.geojson").read_text(encoding="utf-8"))
    feature = next(f for f in collection["features"] if f["properties"]["code"] == "GM0772")
    with database.unit_of_work() as session:
        load_vocabularies(session, SeedReport())
        add_area(session, "GM0772", "municipality", feature["properties"]["name"], shape(feature["geometry"]))
        session.flush()
        org = organisations.create(session=session, actor=SYSTEM, data={
            "code": "gm0772", "name": "Gemeente Eindhoven", "type": "municipality", "areas": ["GM0772"]})
        user = accounts.create_user(session=session, actor=SYSTEM, email="bench@test.invalid",
                                    display_name="bench", password=None)
        accounts.grant(session=session, actor=SYSTEM, user=user, organisation=org, role="editor")
    with database.unit_of_work(write=False) as session:
        editor = accounts.actor_for(session=session, user=accounts.get_by_email(session=session,
                                                                               email="bench@test.invalid"))
    return database, editor, shape(feature["geometry"]).bounds


def sensor_csv(rows: int, bounds, seed: int = 42) -> str:
    """A valid sensor CSV of the template's columns, points spread over the bounding box."""
    rng = random.Random(seed)
    min_lon, min_lat, max_lon, max_lat = bounds
    columns = bulk_import.template_columns("sensor")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for n in range(1, rows + 1):
        sensor_type, measures, identifiability = SENSORS[n % len(SENSORS)]
        personal = identifiability != "none"
        row = {
            "kind": "sensor", "title": f"Sensor {n:05d}", "summary": f"Sensor {n} in de openbare ruimte.",
            "purpose": "Meten om de openbare ruimte leefbaar en veilig te houden.",
            "themes": rng.choice(["safety", "environment", "mobility;public_space"]),
            "legal_basis_1_title": "Gemeentewet", "legal_basis_1_citation": "art. 172",
            "gdpr_ground": "public_task" if personal else "no_personal_data",
            "personal_data": "pseudonymised" if personal else "none",
            "dpia_status": "completed" if personal else "", "lifecycle": "in_use",
            "review_date": f"{rng.randint(2025, 2028)}-{rng.randint(1, 12):02d}-01",
            "contact": "privacy@eindhoven.invalid", "openness": "public",
            "sensor_type": sensor_type, "measures": measures, "identifiability": identifiability,
            "lat": f"{rng.uniform(min_lat, max_lat):.6f}", "lon": f"{rng.uniform(min_lon, max_lon):.6f}",
            "device_count": str(rng.randint(1, 4)), "processing": "aggregated" if personal else "",
        }
        writer.writerow(row)
    return out.getvalue()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def phase(database, editor, text: str, commit: bool, trace: bool) -> dict:
    """One import run as the back office does it; time, outcome and memory."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    items = bulk_import.items_from_rows(bulk_import.read_csv(text), organisation="gm0772")
    session = database.session(write=True)
    try:
        outcome = bulk_import.run(session=session, actor=editor, items=items)
        if commit and outcome.ok:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()
    seconds = time.perf_counter() - started
    result = {"seconds": round(seconds, 1), "rows_per_s": round((outcome.created + outcome.updated) / seconds, 1),
              "created": outcome.created, "problems": len(outcome.problems), "max_rss_mb": round(max_rss_mb(), 1)}
    if trace:
        result["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return result


def run(url: str, rows: int, trace: bool) -> dict:
    database, editor, bounds = prepare(url)
    text = sensor_csv(rows, bounds)
    CSV_COPY.parent.mkdir(parents=True, exist_ok=True)
    CSV_COPY.write_text(text, encoding="utf-8")  # the same file for the peer (sqlite_utils_insert)
    result = {"database": backend(url), "rows": rows, "file_mb": round(len(text.encode()) / 2**20, 2),
              "rss_before_mb": round(max_rss_mb(), 1)}
    result["dry_run"] = phase(database, editor, text, commit=False, trace=trace)
    result["commit"] = phase(database, editor, text, commit=True, trace=trace)
    with database.unit_of_work(write=False) as session:
        from sqlmodel import func, select

        from register.audit.models import AuditEntry
        from register.registrations.models import Registration

        result["registrations_after"] = session.exec(select(func.count()).select_from(Registration)).one()
        result["audit_creates_after"] = session.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "registration.create")).one()
    database.dispose()
    return result


def sqlite_utils_insert(csv_file: Path = CSV_COPY) -> dict:
    """The same CSV loaded by sqlite-utils, Datasette's own loader, into a fresh SQLite file.

    It parses and inserts rows as text: no validation, no vocabularies, no versions, no audit entries. It is
    the floor of what loading the file costs, not an equivalent import.
    """
    exe = Path(sys.executable).parent / "sqlite-utils"
    if not exe.exists():
        raise SystemExit(f"{exe} is missing: .venv/bin/pip install sqlite-utils (a bench-only tool)")
    target = csv_file.with_suffix(".sqlite-utils.sqlite3")
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([str(exe), "insert", str(target), "sensors", str(csv_file), "--csv"], check=True,
                   capture_output=True)
    seconds = time.perf_counter() - started
    with sqlite3.connect(target) as conn:
        rows = conn.execute("SELECT count(*) FROM sensors").fetchone()[0]
    target.unlink(missing_ok=True)
    return {"tool": "sqlite-utils insert --csv", "rows": rows, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds, 1)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file under bench/out/")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap's peak")
    parser.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    result = run(url, args.rows, args.tracemalloc)
    print(f"import of {result['rows']} sensor rows ({result['file_mb']} MB CSV) on {result['database']}")
    print("| phase | seconds | rows/s | problems | max RSS (MB) |" + (" Python peak (MB) |" if args.tracemalloc else ""))
    print("|---|---:|---:|---:|---:|" + ("---:|" if args.tracemalloc else ""))
    for name in ("dry_run", "commit"):
        p = result[name]
        extra = f" {p['python_peak_mb']} |" if args.tracemalloc else ""
        print(f"| {name} | {p['seconds']} | {p['rows_per_s']} | {p['problems']} | {p['max_rss_mb']} |{extra}")
    print(f"after commit: {result['registrations_after']} registrations, "
          f"{result['audit_creates_after']} audit entries for creates")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
