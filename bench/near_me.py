"""Time near-me on a (synthetic) national database: sensors_near alone and the full near_me(limit=50).

    python -m bench.near_me --database-url sqlite:///bench/out/national.sqlite3
    python -m bench.near_me --database-url postgresql+psycopg://postgres@127.0.0.1:5432/zichtbaar_bench \\
        --radius 500 --runs 300 --json bench/out/near_me_pg.json --profile --explain

Query points: five busy city centres plus random points around the PC4 centroids (the generator's
cluster centres) of the five biggest places. Every call opens a fresh read session
(Database.unit_of_work(write=False)), as a request would, and the timing includes it. One warm-up pass
over every point runs first (warm page cache and parsed area polygons, like a running server).
--profile adds the time spent per SQL statement; --explain prints the query plans of one near_me call.
"""

import argparse
import csv
import hashlib
import json
import os
import random
import statistics
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import event

from bench._common import backend, summary_ms
from bench.generate import DATA, scatter
from register.db import Database
from register.registrations import queries

CENTRES = [  # (name, lat, lon)
    ("Amsterdam, Dam", 52.3731, 4.8926),
    ("Utrecht, Domplein", 52.0907, 5.1214),
    ("Rotterdam, Coolsingel", 51.9217, 4.4778),
    ("Eindhoven, Stratumseind", 51.4386, 5.4820),
    ("Den Haag, Plein", 52.0799, 4.3132),
]
RANDOM_POINTS = 45
SEED = 20261122


def query_points() -> list[tuple[str, float, float]]:
    """The fixed centres, then random points near the PC4 centroids of the five biggest places."""
    rng = random.Random(SEED)
    with (DATA / "gazetteer" / "postcodes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    biggest = [p for p, _ in Counter(r["place"] for r in rows).most_common(5)]
    candidates = [r for r in rows if r["place"] in biggest]
    points = list(CENTRES)
    for _ in range(RANDOM_POINTS):
        row = rng.choice(candidates)
        lat, lon = scatter(rng, float(row["lat"]), float(row["lon"]), 200)
        points.append((f"{row['place']} {row['postcode']}", round(lat, 6), round(lon, 6)))
    return points


class StatementClock:
    """Time per SQL statement (keyed by its first words), from cursor events."""

    def __init__(self, engine):
        self.seconds = defaultdict(float)
        self.calls = Counter()
        self.captured: list[tuple[str, object]] = []
        self.capture = False
        self._started = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    @staticmethod
    def key(statement: str) -> str:
        s = " ".join(statement.split())
        counting = s.startswith("SELECT count(*)")
        if "sensor.cell" in s:
            return "sensors: points in cells" + (" (count)" if counting else "")
        if "sensor.shape IN" in s:
            return "sensors: areas and routes" + (" (count)" if counting else "")
        if counting:
            return "applicable: count" + (" (restricted)" if "openness" in s else " (algorithms, agreements)")
        if "LEFT OUTER JOIN sensor" in s and "WHERE registration.id IN" in s:
            return "summaries of the nearest sensors (by id)"
        if "LEFT OUTER JOIN sensor" in s:
            return "applicable: first page"
        if "JOIN sensor" in s or "FROM sensor" in s:
            return "sensors in box"
        if "FROM area" in s:
            return "areas whose box holds the point"
        if "organisation_area" in s:
            return "organisations of those areas"
        return s[:60]

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()
        if self.capture:
            self.captured.append((statement, parameters))

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = self._started.pop(id(cursor), None)
        if started is not None:
            k = self.key(statement)
            self.seconds[k] += time.perf_counter() - started
            self.calls[k] += 1

    def reset(self):
        self.seconds.clear()
        self.calls.clear()


def code_version() -> dict:
    """Which register/ code was measured: the git commit plus a hash of the working copy of queries.py."""
    root = Path(__file__).resolve().parent.parent
    source = (root / "register" / "registrations" / "queries.py").read_bytes()
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(root), "status", "--porcelain", "register"],
                                    capture_output=True, text=True, check=False).stdout.strip())
    except OSError:
        commit, dirty = "", None
    return {"commit": commit, "register_dirty": dirty, "queries_py_sha256": hashlib.sha256(source).hexdigest()[:12]}


def timed(database: Database, points, runs: int, call) -> tuple[list[float], list[int]]:
    seconds, found = [], []
    for i in range(runs):
        _, lat, lon = points[i % len(points)]
        started = time.perf_counter()
        with database.unit_of_work(write=False) as session:
            n = call(session, lat, lon)
        seconds.append(time.perf_counter() - started)
        found.append(n)
    return seconds, found


def explain(database: Database, statements) -> list[dict]:
    plans = []
    prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    with database.engine.connect() as conn:
        for statement, params in statements:
            rows = conn.exec_driver_sql(prefix + statement, params).all()
            if database.is_sqlite:
                lines = [f"{'  ' * 0}{r[-1]} (id {r[0]}, parent {r[1]})" for r in rows]
            else:
                lines = [r[0] for r in rows]
            plans.append({"query": StatementClock.key(statement), "sql": " ".join(statement.split()), "plan": lines})
    return plans


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--radius", type=float, default=500)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=None, help="warm-up calls per function (default: one per point)")
    parser.add_argument("--limit", type=int, default=50, help="at most this many sensors and applicable items")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--profile", action="store_true", help="also report time per SQL statement")
    parser.add_argument("--explain", action="store_true", help="print the plans of one near_me call's queries")
    args = parser.parse_args(argv)
    results = measure(args)
    report(results, args)


def measure(args) -> dict:
    """Time sensors_near and near_me on the database of args.database_url (see parse_args)."""

    database = Database(args.database_url)
    clock = StatementClock(database.engine) if (args.profile or args.explain) else None
    points = query_points()

    def sensors_only(session, lat, lon):
        return queries.sensors_near(session=session, lat=lat, lon=lon, radius_m=args.radius, limit=args.limit)[1]

    def full(session, lat, lon):
        return queries.near_me(session=session, lat=lat, lon=lon, radius_m=args.radius, limit=args.limit).sensors_total

    warmup = len(points) if args.warmup is None else args.warmup
    timed(database, points, warmup, sensors_only)
    timed(database, points, warmup, full)
    results = {"database": backend(args.database_url), "code": code_version(), "radius_m": args.radius,
               "runs": args.runs, "warmup": warmup, "limit": args.limit,
               "points": len(points), "functions": {}}
    for name, call in ((f"sensors_near(limit={args.limit})", sensors_only), (f"near_me(limit={args.limit})", full)):
        if clock:
            clock.reset()
        seconds, found = timed(database, points, args.runs, call)
        stats = summary_ms(seconds)
        stats.update(mean_sensors=statistics.fmean(found), max_sensors=max(found))
        centres = [s for i, s in enumerate(seconds) if i % len(points) < len(CENTRES)]
        stats["centres_p95"] = summary_ms(centres)["p95"]
        if clock:
            stats["sql_ms_per_call"] = {k: round(v * 1000 / args.runs, 2) for k, v in clock.seconds.items()}
            stats["sql_calls_per_call"] = {k: round(v / args.runs, 2) for k, v in clock.calls.items()}
        results["functions"][name] = stats

    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    per_point = {}
    for name, lat, lon in points[: len(CENTRES)]:
        with database.unit_of_work(write=False) as session:
            per_point[name] = queries.sensors_near(session=session, lat=lat, lon=lon, radius_m=args.radius, limit=1)[1]
    results["sensors_at_centres"] = per_point

    if args.explain:
        name, lat, lon = CENTRES[0]
        clock.captured.clear()
        clock.capture = True
        with database.unit_of_work(write=False) as session:
            queries.near_me(session=session, lat=lat, lon=lon, radius_m=args.radius, limit=args.limit)
        clock.capture = False
        results["explain_point"] = name
        results["plans"] = explain(database, clock.captured)
    database.dispose()
    return results


def report(results: dict, args) -> None:
    """Print the result as Markdown tables, and write it as JSON when asked."""
    print(f"near-me on {results['database']} (limit {args.limit}): radius {args.radius:g} m, {args.runs} calls per function, "
          f"{results['points']} query points, fresh session per call; code {results['code']}\n")
    print("| function | p50 ms | p95 ms | p99 ms | max ms | mean ms | mean sensors | max sensors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, s in results["functions"].items():
        print(f"| {name} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | {s['max']:.1f} | {s['mean']:.1f} "
              f"| {s['mean_sensors']:.0f} | {s['max_sensors']} |")
    print(f"\nload average (1/5/15 min) at the end of the timed runs: {results['load_average_after']}")
    print("\nsensors within the radius at the fixed centres: "
          + ", ".join(f"{k} {v}" for k, v in results["sensors_at_centres"].items()))
    if args.profile:
        for name, s in results["functions"].items():
            total = s["mean"]
            sql = sum(s["sql_ms_per_call"].values())
            print(f"\n{name}: mean {total:.1f} ms per call, of which SQL (execute until first row) {sql:.1f} ms")
            print("| statement | ms per call | executions per call |\n|---|---:|---:|")
            for k, v in sorted(s["sql_ms_per_call"].items(), key=lambda kv: -kv[1]):
                print(f"| {k} | {v} | {s['sql_calls_per_call'][k]} |")
    if args.explain:
        print(f"\nquery plans of one near_me call at {results['explain_point']}:")
        for p in results["plans"]:
            print(f"\n-- {p['query']}\n{p['sql'][:400]}{'...' if len(p['sql']) > 400 else ''}")
            for line in p["plan"]:
                print("   " + line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
