"""A bounded load run: wrk at 64 connections for 60 s on a mixed read workload, loopback only.

    python -m bench.load --database-url sqlite:///bench/out/national.sqlite3 [--seconds 60]
        [--connections 64] [--workers 2] [--json PATH]

The workload is what the public side sees on a busy day, drawn at random (fixed seed) per request from a
fixed list of paths: API list pages with filters, full-text search, near-me at city centres, single
registrations with their versions, the map's viewport GeoJSON, organisations, the CSV of a filtered list,
and the HTML pages citizens read (start, place, registration, organisation, search). The run passes when
no request failed: no socket error, no timeout (30 s), no status outside 2xx/3xx. p50/p90/p99 come from
wrk's own latency histogram; the status classes are counted per response in the Lua script.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text

from bench._servers import OUT, gunicorn
from bench.near_me import CENTRES
from bench.portal import viewport_bbox
from register.db import normalise_url

TIMEOUT_S = 30  # a request still unanswered after this counts as failed
SEED = 20261122

LUA = r"""
-- bench/load.py: a random path per request; count status classes; report one JSON line
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
init = function(args)
  paths = {PATHS}
  counts = {c2 = 0, c3 = 0, c4 = 0, c5 = 0}
  math.randomseed(SEED + id)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
response = function(status, headers, body)
  local k = "c" .. math.floor(status / 100)
  counts[k] = (counts[k] or 0) + 1
end
done = function(summary, latency, requests)
  local c = {c2 = 0, c3 = 0, c4 = 0, c5 = 0}
  for _, t in ipairs(threads) do
    local tc = t:get("counts")
    for k, v in pairs(tc) do c[k] = (c[k] or 0) + v end
  end
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"s2xx":%d,"s3xx":%d,"s4xx":%d,"s5xx":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    c.c2, c.c3, c.c4, c.c5))
end
"""


def workload(database_url: str, seed: int = SEED) -> list[str]:
    """The mixed list of paths (with repeats as weights), drawn from the database's own ids and codes."""
    rng = random.Random(seed)
    engine = create_engine(normalise_url(database_url))
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT public_id FROM registration WHERE state = 'published' ORDER BY id LIMIT 20000"))]
        orgs = [r[0] for r in conn.execute(text("SELECT code FROM organisation ORDER BY id"))]
    engine.dispose()
    picked_ids = rng.sample(ids, min(40, len(ids)))
    picked_orgs = rng.sample(orgs, min(20, len(orgs)))
    paths = []
    for code in picked_orgs:
        paths += [f"/api/v1/sensors?organisation={code}&pageSize=50&sort=title",
                  f"/api/v1/registrations?organisation={code}&pageSize=20"] * 2
        paths.append(f"/organisaties/{code}")
    for sensor_type in ("camera", "air_quality", "people_counter", "sound_meter"):
        paths.append(f"/api/v1/sensors?sensorType={sensor_type}&pageSize=50")
    paths += ["/api/v1/registrations?pageSize=50", "/api/v1/algorithms?pageSize=50",
              "/api/v1/agreements?pageSize=50", "/api/v1/registrations?dpiaStatus=completed&pageSize=50"]
    for term in ("eindhoven", "camera", "parkeer"):
        paths.append(f"/api/v1/registrations?q={term}&pageSize=20")
    for _, lat, lon in CENTRES:
        paths += [f"/api/v1/near-me?near={lat},{lon}&radius=500&limit=50"] * 3
        west, south, east, north = viewport_bbox(lat, lon, 16, 1280, 800)
        paths += [f"/api/v1/sensors?bbox={west:.5f},{south:.5f},{east:.5f},{north:.5f}&pageSize=500&sort=title"] * 2
        paths.append(f"/plek?lat={lat}&lon={lon}&r=500")
    for public_id in picked_ids:
        paths += [f"/api/v1/registrations/{public_id}", f"/registraties/{public_id}"]
    paths += [f"/api/v1/registrations/{public_id}/versions" for public_id in picked_ids[:10]]
    paths += ["/", "/organisaties", "/zoeken?soort=sensor", "/api/v1/organisations", "/api/v1/vocabularies"]
    return paths


def run_wrk(base: str, paths: list[str], seconds: float, connections: int, threads: int = 2) -> dict:
    """Run wrk with the mixed workload; the parsed figures."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (a bench-only tool)")
    script = OUT / "load_mixed.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    lua_paths = ", ".join(json.dumps(p) for p in paths)  # JSON strings are valid Lua string literals here
    script.write_text(LUA.replace("{PATHS}", "{" + lua_paths + "}").replace("SEED", str(SEED)), encoding="utf-8")
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", f"{TIMEOUT_S}s",
            "--latency", "-s", str(script), base]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("WRKJSON "):])
    seconds_run = raw["duration_us"] / 1e6
    errors = {k: raw[k] for k in ("connect", "read", "write", "timeout")} | {"status_not_2xx_3xx": raw["status"]}
    return {
        "requests": raw["requests"], "seconds": round(seconds_run, 1), "rps": round(raw["requests"] / seconds_run, 1),
        "mb": round(raw["bytes"] / 1e6, 1), "p50_ms": raw["p50_us"] / 1000, "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000, "max_ms": raw["max_us"] / 1000, "mean_ms": round(raw["mean_us"] / 1000, 1),
        "status_classes": {"2xx": raw["s2xx"], "3xx": raw["s3xx"], "4xx": raw["s4xx"], "5xx": raw["s5xx"]},
        "errors": errors, "error_count": sum(errors.values()), "ok": sum(errors.values()) == 0,
    }


def measure(database_url: str, seconds: float = 60, connections: int = 64, workers: int = 2) -> dict:
    """The mixed load run against gunicorn on the database."""
    paths = workload(database_url)
    name = "load_gunicorn_" + ("postgresql" if database_url.startswith("postgres") else "sqlite")
    with gunicorn(database_url, workers, OUT / f"{name}.log") as server:
        server.wait_ready()
        result = run_wrk(server.base, paths, seconds, connections)
    result.update(connections=connections, duration_asked_s=seconds, gunicorn_workers=workers,
                  distinct_paths=len(set(paths)), timeout_s=TIMEOUT_S,
                  load_average_after=[round(x, 2) for x in os.getloadavg()])
    print(f"  mixed load, {connections} connections, {seconds:g} s: {result['requests']} requests, "
          f"{result['rps']} req/s, p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
          f"errors {result['error_count']} {result['status_classes']}", flush=True)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = measure(args.database_url, min(args.seconds, 600), args.connections, args.workers)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    raise SystemExit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
