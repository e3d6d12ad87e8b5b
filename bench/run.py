"""The one benchmark command: build the synthetic national register, run every figure, write the table.

    python -m bench.run                       # full: 1,000,000 sensors, SQLite and PostgreSQL (about 45 min)
    python -m bench.run --quick               # CI size: 1% of the data, seconds instead of minutes
    python -m bench.run --no-pg               # SQLite only
    python -m bench.run --publish             # also copy the table to bench/RESULTS.md and bench/results.json

Every figure runs side by side in the same run with Datasette serving the same SQLite data through
equivalent queries, and with nginx serving a static copy of the same response (the ceiling), as ratios;
Zichtbaar runs once on SQLite and once on PostgreSQL. The data is `bench.generate` with its fixed seed.
The table (Markdown and JSON, with the machine, versions and date) goes to bench/out/results.{md,json}.
See bench/README.md for what each figure means and where the comparison is not like for like.
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from bench import generate, import_csv, load, near_me, peers, report
from bench._common import ensure_postgres_database, guard, registration_count
from bench._servers import OUT, ROOT
from bench.machine import describe
from register.migrate import upgrade

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/zichtbaar_bench"
FULL = {"scale": 1.0, "seconds": 15, "connections": 16, "load_seconds": 60, "load_connections": 64,
        "import_rows": 2000, "near_runs": 300, "map_loads": 10}
QUICK = {"scale": 0.01, "seconds": 2, "connections": 8, "load_seconds": 5, "load_connections": 64,
         "import_rows": 40, "near_runs": 20, "map_loads": 2}


def _sibling(url: str, suffix: str) -> str:
    from sqlalchemy.engine import make_url

    from register.db import normalise_url

    parsed = make_url(normalise_url(url))
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


def _generate(url: str, scale: float, reuse: bool, out: Path) -> dict:
    """The synthetic register at this scale; reused when --reuse and it already holds data."""
    if reuse and registration_count(url) > 0:
        print(f"== reusing {url} (migrated to the current schema first)", flush=True)
        upgrade(url)
        # the figures of the run that built it, when they are still there
        earlier = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        return earlier | {"reused": True, "registrations": registration_count(url)}
    started = time.perf_counter()
    generate.main(["--database-url", url, "--scale", str(scale), "--force", "--json", str(out)])
    figures = json.loads(out.read_text(encoding="utf-8"))
    figures.update(reused=False, wall_s=round(time.perf_counter() - started, 1))
    return figures


def _step(results: dict, name: str, call):
    """Run one figure; record its seconds, or its failure without losing the figures before it."""
    print(f"\n== {name}", flush=True)
    started = time.perf_counter()
    try:
        results[name] = call()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - one failed figure must not lose the others
        results[name] = {"failed": f"{type(exc).__name__}: {exc}"}
        results.setdefault("failures", []).append(name)
        print(f"!! {name} failed: {exc}", flush=True)
    results.setdefault("step_seconds", {})[name] = round(time.perf_counter() - started, 1)


def run(opts: argparse.Namespace) -> dict:
    """Every figure of the bench for one scale; returns the results (also written under --out)."""
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if opts.scale == 1 else "_" + f"{opts.scale:g}".replace(".", "_")  # Datasette names it by stem
    sqlite_file = (OUT / f"national{suffix}.sqlite3").resolve()
    urls = {"sqlite": f"sqlite:///{sqlite_file}"}
    if opts.pg_url:
        guard(opts.pg_url)
        ensure_postgres_database(opts.pg_url)
        urls["postgresql"] = opts.pg_url
    results = {"command": " ".join(["python -m bench.run", *sys.argv[1:]]), "settings": vars(opts).copy(),
               "machine": describe(opts.pg_url)}
    results["settings"].pop("pg_url", None)
    for backend, url in urls.items():
        _step(results, f"generate_{backend}", lambda u=url, b=backend: _generate(
            u, opts.scale, opts.reuse, out / f"generate_{b}.json"))
    for backend, url in urls.items():
        _step(results, f"near_me_{backend}", lambda u=url: near_me.measure(argparse.Namespace(
            database_url=u, radius=500, runs=opts.near_runs, warmup=None, limit=50, profile=False,
            explain=False)))
    _step(results, "http", lambda: peers.measure(sqlite_file, opts.pg_url, opts.seconds, opts.connections,
                                                 opts.workers))
    for backend, url in urls.items():
        scratch = f"sqlite:///{(OUT / 'import_csv.sqlite3').resolve()}" if backend == "sqlite" \
            else _sibling(url, "import")
        _step(results, f"import_{backend}", lambda u=scratch: import_csv.run(u, opts.import_rows, False))
    _step(results, "import_sqlite_utils", lambda: import_csv.sqlite_utils_insert())
    _step(results, "map", lambda: _map(sqlite_file, opts))
    for backend, url in urls.items():
        _step(results, f"load_{backend}", lambda u=url: load.measure(u, opts.load_seconds, opts.load_connections,
                                                                   opts.workers))
    results["machine"]["load_average_at_end"] = report.load_average()
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    (out / "results.md").write_text(report.markdown(results), encoding="utf-8")
    print(f"\n== wrote {out / 'results.md'} and {out / 'results.json'}", flush=True)
    if opts.publish:
        shutil.copy(out / "results.md", ROOT / "bench" / "RESULTS.md")
        shutil.copy(out / "results.json", ROOT / "bench" / "results.json")
        print("== copied to bench/RESULTS.md and bench/results.json", flush=True)
    return results


def _map(sqlite_file: Path, opts) -> dict:
    from bench import map_peers

    return map_peers.measure(sqlite_file, opts.pg_url, opts.map_loads, opts.workers)


def parse(argv=None) -> argparse.Namespace:
    """The options: a full run by default, --quick for the CI size; any figure can be overridden."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI size: 1%% of the data, short runs")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help=f"PostgreSQL for the bench (default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds data")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--out", default=str(OUT / "results"), help="folder for results.md and results.json")
    parser.add_argument("--publish", action="store_true", help="copy the table to bench/RESULTS.md")
    for name, value in FULL.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=None,
                            help=f"default {value} (quick: {QUICK[name]})")
    opts = parser.parse_args(argv)
    preset = QUICK if opts.quick else FULL
    for name, value in preset.items():
        if getattr(opts, name) is None:
            setattr(opts, name, value)
    if opts.quick and opts.pg_url == DEFAULT_PG:
        opts.pg_url = DEFAULT_PG + "_quick"  # never wipe the full run's database for a quick one
    if opts.no_pg:
        opts.pg_url = None
    return opts


def main(argv=None) -> None:
    results = run(parse(argv))
    failures = results.get("failures", [])
    checks = report.failed_checks(results)
    if failures or checks:
        print(f"!! failed figures: {failures}; failed checks: {checks}", flush=True)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
