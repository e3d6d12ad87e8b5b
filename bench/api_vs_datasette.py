"""The public API under gunicorn against Datasette on the same SQLite file: requests/s and latency.

    python -m bench.api_vs_datasette --database-url sqlite:///bench/out/national.sqlite3 \\
        [--seconds 20] [--connections 16] [--workers 2] [--json PATH]

Both servers run on loopback ports and serve the same file. Datasette opens it immutable (`-i`: read
only, no locking). gunicorn runs the app as production does (zichtbaar/gunicorn_conf.py: WEB_CONCURRENCY
workers with 2 threads each). Datasette is one asyncio process that runs SQL on a small thread pool
(num_sql_threads, 3 by default), so "the same number of workers" is not possible; see bench/README.md.
Datasette is a bench-only tool (`pip install datasette` into the venv); it is not a project dependency.

Endpoints, each measured on both servers with the same duration and number of connections, one run at a
time (the servers take turns; the idle one uses no CPU):

* list: GET /api/v1/sensors?organisation=gm0363&sensorType=camera&pageSize=50&sort=title. On
  Datasette: LIST_SQL, which is the register's own SQL for that page plus its count (one statement).
* near: GET /api/v1/near-me?near=52.3731,4.8926&radius=500&limit=50. On Datasette: NEAR_SQL, the
  register's grid-cell + box + distance SQL on the sensor table (covering index ix_sensor_near), the
  nearest 50 joined to registration and organisation, plus the count. The register does more per call
  (mobile sensors drawn as areas and routes, the areas and organisations at the point, and what applies
  there, cached per process); the comparison is what a "just put the SQLite file behind Datasette"
  alternative would cost for the core of the page.

The load generator is wrk (apt-get install wrk) when installed, else a thread pool of Python clients.
Every run is bounded in time (--seconds) and in count (--max-requests per run).
"""

import argparse
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench._common import percentile
from bench._servers import BIN, HOST, OUT, Server, free_port, gunicorn, sqlite_path
from register.geo.geometry import box_around, cell_ranges

ORGANISATION, SENSOR_TYPE, PAGE_SIZE = "gm0363", "camera", 50
NEAR_LAT, NEAR_LON, RADIUS_M, LIMIT = 52.3731, 4.8926, 500.0, 50
SEARCH = "eindhoven"  # full-text search over title, summary and public id, as the API's q does it
CHECK_LIMIT = 1000  # Datasette max_returned_rows

API_PATHS = {
    "list": f"/api/v1/sensors?organisation={ORGANISATION}&sensorType={SENSOR_TYPE}&pageSize={PAGE_SIZE}&sort=title",
    "near": f"/api/v1/near-me?near={NEAR_LAT},{NEAR_LON}&radius={RADIUS_M:g}&limit={LIMIT}",
    "search": f"/api/v1/registrations?q={SEARCH}&pageSize={PAGE_SIZE}&sort=title",
}

# The summary columns of register/registrations/queries.py (SUMMARY_COLUMNS), as the app selects them.
COLUMNS = """r.id, r.public_id, r.kind, r.title, r.summary, r.state, r.themes, r.personal_data, r.dpia_status,
  r.lifecycle, r.review_date, r.openness, r.last_published_at, r.en, o.code AS org_code, o.name AS org_name,
  s.sensor_type, s.identifiability, s.shape, s.lat, s.lon"""

# queries.list_public for organisation=gm0363, sensor_type=camera, kind=sensor, sort=title, page 1 of 50:
# the same joins, filters and order, with the total the API also returns.
LIST_WHERE = f"""FROM registration AS r JOIN organisation AS o ON o.id = r.organisation_id
  LEFT OUTER JOIN sensor AS s ON s.registration_id = r.id
WHERE r.state IN ('published', 'withdrawn') AND r.kind = 'sensor' AND o.code IN ('{ORGANISATION}')
  AND s.sensor_type = '{SENSOR_TYPE}'"""
LIST_SQL = f"""SELECT {COLUMNS},
  (SELECT count(*) {LIST_WHERE}) AS total
{LIST_WHERE}
ORDER BY r.title, r.id
LIMIT {PAGE_SIZE} OFFSET 0"""


# queries.public_query for q=eindhoven over every kind, sorted by title, as the register runs it on SQLite
# (register/registrations/search.py): the FTS5 trigram table narrows the candidates, lower(column) LIKE decides.
SEARCH_WHERE = f"""FROM registration AS r JOIN organisation AS o ON o.id = r.organisation_id
  LEFT OUTER JOIN sensor AS s ON s.registration_id = r.id
WHERE r.state IN ('published', 'withdrawn')
  AND r.id IN (SELECT rowid FROM registration_search WHERE registration_search MATCH '"{SEARCH}"')
  AND (lower(r.title) LIKE '%{SEARCH}%' ESCAPE '\\'
  OR lower(r.summary) LIKE '%{SEARCH}%' ESCAPE '\\' OR lower(r.public_id) LIKE '%{SEARCH}%' ESCAPE '\\')"""
SEARCH_SQL = f"""SELECT {COLUMNS},
  (SELECT count(*) {SEARCH_WHERE}) AS total
{SEARCH_WHERE}
ORDER BY r.title, r.id
LIMIT {PAGE_SIZE} OFFSET 0"""


def near_sql(lat: float, lon: float, radius_m: float, limit: int) -> str:
    """queries._nearest_points (count + nearest ids, the same cells, box and flat distance) joined to the
    summary columns of the nearest `limit`, in one statement."""
    min_lat, min_lon, max_lat, max_lon = box_around(lat, lon, radius_m)
    k_lat = 111_195.0
    k_lon = k_lat * math.cos(math.radians(lat))
    cells = " OR ".join(f"s.cell BETWEEN {a} AND {b}" for a, b in cell_ranges(min_lat, min_lon, max_lat, max_lon))
    d2 = (f"(s.lat - {lat!r}) * {k_lat!r} * (s.lat - {lat!r}) * {k_lat!r} + "
          f"(s.lon - {lon!r}) * {k_lon!r} * (s.lon - {lon!r}) * {k_lon!r}")
    return f"""WITH hits AS (
  SELECT s.registration_id AS id, {d2} AS d2
  FROM sensor AS s
  WHERE ({cells})
    AND s.lat BETWEEN {min_lat!r} AND {max_lat!r} AND s.lon BETWEEN {min_lon!r} AND {max_lon!r}
    AND s.public IS 1 AND s.shape = 'point' AND {d2} <= {radius_m * radius_m!r}
), nearest AS (SELECT id, d2 FROM hits ORDER BY d2, id LIMIT {limit})
SELECT {COLUMNS}, s.location, n.d2 AS distance2_m2, (SELECT count(*) FROM hits) AS sensors_total
FROM nearest AS n JOIN registration AS r ON r.id = n.id JOIN organisation AS o ON o.id = r.organisation_id
  JOIN sensor AS s ON s.registration_id = n.id
ORDER BY n.d2, n.id"""


NEAR_SQL = near_sql(NEAR_LAT, NEAR_LON, RADIUS_M, LIMIT)


def datasette_path(db_name: str, sql: str) -> str:
    return f"/{db_name}.json?" + urllib.parse.urlencode({"sql": " ".join(sql.split()), "_shape": "objects"})


def datasette(db_file: Path, log: Path, port: int | None = None) -> Server:
    exe = BIN / "datasette"
    if not exe.exists():
        raise SystemExit(f"{exe} is missing: .venv/bin/pip install datasette (a bench-only tool)")
    port = port or free_port()
    argv = [str(exe), "serve", "-i", str(db_file), "--host", HOST, "--port", str(port),
            "--setting", "sql_time_limit_ms", "5000", "--setting", "max_returned_rows", "1000",
            "--setting", "max_csv_mb", "0"]  # streamed CSV stops at 100 MB by default: no limit for the export
    return Server("datasette", argv, dict(os.environ), port, "/-/versions.json", log)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


# ---------------------------------------------------------------- load generators

WRK_SCRIPT = r"""
-- bench/api_vs_datasette.py: stop a thread after max_requests responses; report as one JSON line
local responses = 0
local non2xx = 0
setup = function(thread) thread:set("max_requests", MAX_PER_THREAD) end
response = function(status, headers, body)
  responses = responses + 1
  if responses >= max_requests then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


def run_wrk(url: str, seconds: float, connections: int, threads: int, max_requests: int) -> dict:
    threads = max(1, min(threads, connections))
    script = OUT / "wrk_report.lua"
    script.write_text(WRK_SCRIPT.replace("MAX_PER_THREAD", str(max(1, max_requests // threads))), encoding="utf-8")
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "30s",
            "-s", str(script), url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("WRKJSON "):])
    errors = {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")}
    return {
        "client": "wrk", "requests": raw["requests"], "seconds": raw["duration_us"] / 1e6,
        "rps": raw["requests"] / (raw["duration_us"] / 1e6), "bytes": raw["bytes"],
        "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000, "mean_ms": raw["mean_us"] / 1000,
        "errors": errors, "error_count": sum(errors.values()),
    }


def run_python(url: str, seconds: float, connections: int, max_requests: int) -> dict:
    """A bounded thread pool of keep-alive HTTP/1.1 clients (used when wrk is not installed)."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    latencies, errors, sent, lock = [], {"status": 0, "other": 0}, [0], threading.Lock()
    byte_count = [0]
    deadline = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            started = time.perf_counter()
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    byte_count[0] += len(body)
                    if not 200 <= response.status < 300:
                        errors["status"] += 1
            except (OSError, http.client.HTTPException):
                with lock:
                    errors["other"] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        for future in [pool.submit(client) for _ in range(connections)]:
            future.result()
    elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return {
        "client": "python threads", "requests": len(ms), "seconds": elapsed, "rps": len(ms) / elapsed,
        "bytes": byte_count[0], "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99), "max_ms": max(ms, default=float("nan")),
        "mean_ms": sum(ms) / len(ms) if ms else float("nan"), "errors": errors, "error_count": sum(errors.values()),
    }


def load(url: str, args) -> dict:
    if args.client == "wrk":
        return run_wrk(url, args.seconds, args.connections, args.wrk_threads, args.max_requests)
    return run_python(url, args.seconds, args.connections, args.max_requests)


def warm(url: str, n: int) -> None:
    for _ in range(n):
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()


# ---------------------------------------------------------------- correctness

def check(api: Server, ds: Server, db_name: str) -> dict:
    """Do both servers return the same rows? The list page by public id and order; near-me's points."""
    page = get_json(api.base + API_PATHS["list"])
    rows = get_json(ds.base + datasette_path(db_name, LIST_SQL))["rows"]
    api_ids = [item["publicId"] for item in page["items"]]
    ds_ids = [row["public_id"] for row in rows]
    listing = {"same_ids_in_order": api_ids == ds_ids, "api_ids": len(api_ids), "datasette_ids": len(ds_ids),
               "api_total": page["total"], "datasette_total": rows[0]["total"] if rows else 0,
               "only_api": sorted(set(api_ids) - set(ds_ids)), "only_datasette": sorted(set(ds_ids) - set(api_ids))}

    near = get_json(api.base + API_PATHS["near"])
    # The API merges mobile sensors (areas, routes; distance 0 when the point lies inside) into its nearest
    # `limit`, so at a busy point its first 50 can be all areas. The point lists are compared at limit 1000
    # instead: the API's points must be the first ones of Datasette's list.
    wide = get_json(api.base + API_PATHS["near"].replace(f"limit={LIMIT}", f"limit={CHECK_LIMIT}"))
    rows = get_json(ds.base + datasette_path(db_name, near_sql(NEAR_LAT, NEAR_LON, RADIUS_M, CHECK_LIMIT)))["rows"]
    api_points = [s["publicId"] for s in wide["sensors"] if s["sensor"]["shape"] == "point"]
    ds_ids = [row["public_id"] for row in rows]
    nearby = {"api_sensors_at_limit_50": len(near["sensors"]),
              "api_points_at_limit_50": sum(s["sensor"]["shape"] == "point" for s in near["sensors"]),
              "api_sensors_total": near["sensorsTotal"],
              "datasette_points_total": rows[0]["sensors_total"] if rows else 0,
              "check_limit": CHECK_LIMIT, "api_points_at_check_limit": len(api_points),
              "api_shapes_at_check_limit": len(wide["sensors"]) - len(api_points),
              # the API orders its merged list by rounded haversine metres, then public id; compare as sets
              "api_points_are_datasette_nearest": set(api_points) == set(ds_ids[:len(api_points)]),
              "api_points_in_datasette_first": len(set(api_points) & set(ds_ids[:len(api_points)])),
              "api_points_in_datasette_all": len(set(api_points) & set(ds_ids)),
              "api_applicable": len(near["applicable"]), "api_applicable_total": near["applicableTotal"],
              "api_organisations": len(near["organisations"])}
    return {"list": listing, "near": nearby}


# ---------------------------------------------------------------- main

def machine() -> dict:
    import sqlite3

    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False).stdout.strip()
        except OSError:
            return None

    return {"nproc": os.cpu_count(), "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
            "gunicorn": version([str(BIN / "gunicorn"), "--version"]),
            "datasette": version([str(BIN / "datasette"), "--version"]),
            "wrk": (version(["wrk", "-v"]) or "").splitlines()[0] if shutil.which("wrk") else None}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=20, help="duration of each run")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop a run after this many requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=5, help="sequential requests before each run")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--endpoints", default="list,near")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    args.seconds = min(args.seconds, 300)  # every run is bounded

    db_file = sqlite_path(args.database_url)
    db_name = db_file.stem.split(".")[0]
    endpoints = [e for e in args.endpoints.split(",") if e]
    results = {"database": str(db_file), "machine": machine(), "seconds": args.seconds,
               "connections": args.connections, "client": args.client, "gunicorn_workers": args.workers,
               "gunicorn_threads_per_worker": int(os.environ.get("GUNICORN_THREADS", 2)),
               "sql": {"list": LIST_SQL, "near": NEAR_SQL}, "runs": []}
    with gunicorn(db_file, args.workers, OUT / "api_vs_datasette_gunicorn.log") as api, \
            datasette(db_file, OUT / "api_vs_datasette_datasette.log") as ds:
        results["startup_s"] = {"gunicorn": round(api.wait_ready(), 2), "datasette": round(ds.wait_ready(), 2)}
        results["check"] = check(api, ds, db_name)
        urls = {"zichtbaar": {e: api.base + API_PATHS[e] for e in endpoints},
                "datasette": {e: ds.base + datasette_path(db_name, {"list": LIST_SQL, "near": NEAR_SQL}[e])
                              for e in endpoints}}
        for endpoint in endpoints:
            for server in ("zichtbaar", "datasette"):
                url = urls[server][endpoint]
                warm(url, args.warmup)
                load_before = os.getloadavg()[0]
                run = load(url, args)
                run.update(server=server, endpoint=endpoint, load_average_before=round(load_before, 2))
                results["runs"].append(run)
                print(f"{server:9} {endpoint:4}: {run['rps']:8.1f} req/s  p50 {run['p50_ms']:7.1f} ms  "
                      f"p95 {run['p95_ms']:7.1f}  p99 {run['p99_ms']:7.1f}  errors {run['error_count']}  "
                      f"({run['requests']} requests)", flush=True)

    by = {(r["server"], r["endpoint"]): r for r in results["runs"]}
    results["ratios"] = {e: {"rps": by["zichtbaar", e]["rps"] / by["datasette", e]["rps"],
                             "p50": by["zichtbaar", e]["p50_ms"] / by["datasette", e]["p50_ms"]}
                         for e in endpoints}

    print(f"\n{args.client}, {args.connections} connections, {args.seconds:g} s per run; gunicorn {args.workers} "
          f"workers x {results['gunicorn_threads_per_worker']} threads, Datasette 1 process\n")
    print("| endpoint | server | req/s | p50 ms | p95 ms | p99 ms | errors | requests |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results["runs"]:
        print(f"| {r['endpoint']} | {r['server']} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
              f"| {r['p99_ms']:.1f} | {r['error_count']} | {r['requests']} |")
    print("\n| endpoint | Zichtbaar/Datasette req/s | Zichtbaar/Datasette p50 |\n|---|---:|---:|")
    for e, ratio in results["ratios"].items():
        print(f"| {e} | {ratio['rps']:.2f} | {ratio['p50']:.2f} |")
    c = results["check"]
    print(f"\nlist page: same public ids in the same order: {c['list']['same_ids_in_order']} "
          f"(totals: API {c['list']['api_total']}, Datasette {c['list']['datasette_total']})")
    n = c["near"]
    print(f"near-me: at limit {n['check_limit']} the API's {n['api_points_at_check_limit']} points are Datasette's "
          f"nearest: {n['api_points_are_datasette_nearest']} ({n['api_points_in_datasette_first']} in common) (plus {n['api_shapes_at_check_limit']} "
          f"areas/routes); totals: API {n['api_sensors_total']} sensors, Datasette {n['datasette_points_total']} "
          f"points; at limit 50 the API gave {n['api_points_at_limit_50']} points")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
