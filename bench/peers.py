"""The register's HTTP figures side by side with its peers, in one run: Datasette and nginx.

    python -m bench.peers --sqlite bench/out/national.sqlite3 [--pg-url URL] [--seconds 15]
        [--connections 16] [--json PATH]

For each endpoint (filtered list, full-text search, near-me) three servers take turns under the same
load (wrk, one run at a time, the others idle):

* **Zichtbaar**: gunicorn as production runs it, once per backend (SQLite file, and PostgreSQL with the
  same data when --pg-url is given);
* **Datasette** on the same SQLite file (`-i`, immutable) with the register's own SQL for the same page
  (bench/api_vs_datasette.py: LIST_SQL, SEARCH_SQL, NEAR_SQL), the usual "put the file behind Datasette"
  alternative. Datasette cannot serve PostgreSQL, so its figure is the same for both backends;
* **nginx** serving a static copy of Zichtbaar's own response from disk: the ceiling, what handing out the
  same bytes costs without computing them.

Before the load the answers are compared (the same public ids in the same order, the same totals). The
full CSV export is measured the same way: Zichtbaar's streamed download, Datasette's streamed CSV of the
registration table with the same state filter, and nginx sending a saved copy of Zichtbaar's file.
"""

import argparse
import http.client
import json
import os
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import export_csv
from bench._nginx import nginx
from bench._servers import OUT, gunicorn, rss_kb
from bench.api_vs_datasette import (
    API_PATHS,
    LIST_SQL,
    NEAR_SQL,
    SEARCH_SQL,
    datasette,
    datasette_path,
    get_json,
    run_wrk,
    warm,
)

ENDPOINTS = ("list", "search", "near")
STATIC = OUT / "static_copy"
EXPORT_DATASETTE = "registration.csv?_stream=on&_size=max&state__in=published,withdrawn"


def _check(api_base: str, ds_base: str, db_name: str) -> dict:
    """Do Zichtbaar and Datasette answer the list and search pages with the same rows?"""
    result = {}
    for endpoint, sql in (("list", LIST_SQL), ("search", SEARCH_SQL)):
        page = get_json(api_base + API_PATHS[endpoint])
        rows = get_json(ds_base + datasette_path(db_name, sql))["rows"]
        api_ids = [item["publicId"] for item in page["items"]]
        result[endpoint] = {"same_ids_in_order": api_ids == [r["public_id"] for r in rows],
                            "zichtbaar_total": page["total"], "datasette_total": rows[0]["total"] if rows else 0}
    near = get_json(api_base + API_PATHS["near"])
    result["near"] = {"zichtbaar_total": near["sensorsTotal"]}
    return result


def _save_static(api_base: str) -> dict[str, str]:
    """Save Zichtbaar's answers as files for nginx; returns the nginx path of each endpoint."""
    STATIC.mkdir(parents=True, exist_ok=True)
    paths = {}
    for endpoint in ENDPOINTS:
        with urllib.request.urlopen(api_base + API_PATHS[endpoint], timeout=120) as response:
            (STATIC / f"{endpoint}.json").write_bytes(response.read())
        paths[endpoint] = f"/{endpoint}.json"
    return paths


def _load(server: str, backend: str, endpoint: str, url: str, seconds: float, connections: int) -> dict:
    warm(url, 5)
    run = run_wrk(url, seconds, connections, threads=2, max_requests=10_000_000)
    run.update(server=server, backend=backend, endpoint=endpoint)
    print(f"  {server:9} {backend:10} {endpoint:6}: {run['rps']:8.1f} req/s  p50 {run['p50_ms']:7.1f} ms  "
          f"p95 {run['p95_ms']:7.1f}  p99 {run['p99_ms']:7.1f}  errors {run['error_count']}", flush=True)
    return run


def _stream(url: str, pid: int | None, save_to: Path | None = None) -> dict:
    """Read a CSV download to the end: rows, seconds and (for a server process) its peak RSS."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    started = time.perf_counter()
    conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
    response = conn.getresponse()
    newlines, size, peak = 0, 0, rss_kb(pid) if pid else 0
    handle = save_to.open("wb") if save_to else None
    while chunk := response.read1(1 << 16):
        newlines += chunk.count(b"\n")
        size += len(chunk)
        if handle:
            handle.write(chunk)
        if pid:
            peak = max(peak, rss_kb(pid))
    if handle:
        handle.close()
    seconds = time.perf_counter() - started
    conn.close()
    # rows are counted as lines: fine for a comparison, since the register's CSV escapes newlines in text
    rows = max(0, newlines - 1)
    return {"status": response.status, "rows": rows, "bytes": size, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds), "peak_rss_mb": round(peak / 1024, 1) if pid else None}


def measure(sqlite_file: Path, pg_url: str | None, seconds: float, connections: int, workers: int = 2,
            export: bool = True) -> dict:
    """Every HTTP figure for Zichtbaar (per backend), Datasette and nginx; see the module docstring."""
    backends = {"sqlite": f"sqlite:///{sqlite_file}"} | ({"postgresql": pg_url} if pg_url else {})
    db_name = sqlite_file.stem.split(".")[0]
    result = {"seconds": seconds, "connections": connections, "gunicorn_workers": workers,
              "sql": {"list": LIST_SQL, "search": SEARCH_SQL, "near": NEAR_SQL}, "paths": API_PATHS,
              "checks": {}, "runs": [], "export": []}
    with datasette(sqlite_file, OUT / "peers_datasette.log") as ds:
        ds.wait_ready()
        for backend, url in backends.items():
            with gunicorn(url, workers, OUT / f"peers_gunicorn_{backend}.log") as api:
                api.wait_ready()
                result["checks"][backend] = _check(api.base, ds.base, db_name)
                if backend == "sqlite":
                    static_paths = _save_static(api.base)
                for endpoint in ENDPOINTS:
                    result["runs"].append(_load("zichtbaar", backend, endpoint, api.base + API_PATHS[endpoint],
                                                seconds, connections))
        sql = {"list": LIST_SQL, "search": SEARCH_SQL, "near": NEAR_SQL}
        for endpoint in ENDPOINTS:
            result["runs"].append(_load("datasette", "sqlite", endpoint, ds.base + datasette_path(db_name, sql[endpoint]),
                                        seconds, connections))
        if export:
            expected = export_csv.expected_rows(backends["sqlite"])
            figures = _stream(f"{ds.base}/{db_name}/{EXPORT_DATASETTE}", ds.process.pid)
            result["export"].append(dict(figures, server="datasette", backend="sqlite",
                                         complete=figures["rows"] == expected))
            print(f"  datasette export: {result['export'][-1]}", flush=True)
    with nginx(STATIC, "peers_nginx", ready_path="/list.json") as web:
        web.wait_ready()
        for endpoint in ENDPOINTS:
            result["runs"].append(_load("nginx", "static", endpoint, web.base + static_paths[endpoint],
                                        seconds, connections))
    if export:
        csv_copy = STATIC / "registrations.csv"
        for backend, url in backends.items():
            figures = export_csv.measure(url, workers, save_to=csv_copy if backend == "sqlite" else None)
            result["export"].append({"server": "zichtbaar", "backend": backend, "status": figures["status"],
                                     "rows": figures["rows"], "bytes": figures["bytes"],
                                     "seconds": figures["seconds"], "rows_per_s": figures["rows_per_s"],
                                     "peak_rss_mb": figures["peak_rss_serving_worker_mb"],
                                     "complete": figures["complete"]})
            print(f"  zichtbaar export {backend}: {result['export'][-1]}", flush=True)
        with nginx(STATIC, "peers_nginx", ready_path="/list.json") as web:
            web.wait_ready()
            figures = _stream(f"{web.base}/registrations.csv", None)
            result["export"].append(dict(figures, server="nginx", backend="static",
                                         complete=figures["rows"] == expected))
        csv_copy.unlink(missing_ok=True)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", type=Path, required=True, help="the synthetic register as a SQLite file")
    parser.add_argument("--pg-url", default=None, help="the same data on PostgreSQL")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (a bench-only tool)")
    result = measure(args.sqlite.resolve(), args.pg_url, args.seconds, args.connections, export=not args.no_export)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
