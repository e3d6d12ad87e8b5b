"""Time the real seed (register.seed.seed, demo accounts off) on a fresh database.

    python -m bench.seed_time                      # fresh SQLite file bench/out/seed_time.sqlite3
    python -m bench.seed_time --database-url URL   # a scratch PostgreSQL database (its schema is dropped!)
"""

import argparse
import json
import time
from pathlib import Path

from bench._common import backend, ensure_postgres_database, guard, wipe
from register.db import Database
from register.migrate import upgrade
from register.seed import seed

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "bench" / "out" / "seed_time.sqlite3"


def run(url: str) -> dict:
    guard(url)
    if backend(url) == "postgresql":
        ensure_postgres_database(url)
    wipe(url)
    started = time.perf_counter()
    upgrade(url)
    migrated = time.perf_counter()
    database = Database(url)
    steps: list[tuple[str, float]] = []

    def progress(name: str) -> None:
        steps.append((name, time.perf_counter()))

    report = seed(database, ROOT / "seed_data", demo_accounts=False, progress=progress)
    finished = time.perf_counter()
    database.dispose()
    marks = steps + [("end", finished)]
    step_seconds = {name: round(marks[i + 1][1] - at, 2) for i, (name, at) in enumerate(steps)}
    added = sum(report.added.values())
    seed_seconds = finished - migrated
    return {
        "database": backend(url), "migrate_s": round(migrated - started, 2), "seed_s": round(seed_seconds, 2),
        "items_added": added, "items_per_s": round(added / seed_seconds, 1), "steps_s": step_seconds,
        "added": report.added, "problems": len(report.problems),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file under bench/out/")
    parser.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    result = run(url)
    print(f"seed on {result['database']}: migrations {result['migrate_s']} s, seed {result['seed_s']} s, "
          f"{result['items_added']} items added ({result['items_per_s']} items/s), {result['problems']} problems")
    print("| step | seconds |\n|---|---:|")
    for name, seconds in result["steps_s"].items():
        print(f"| {name} | {seconds} |")
    print("| what | added |\n|---|---:|")
    for what, n in sorted(result["added"].items()):
        print(f"| {what} | {n} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
