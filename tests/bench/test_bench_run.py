"""The benchmark command works end to end on a scaled-down data set (the full run is by hand: bench/RESULTS.md).

This runs `python -m bench.run --quick` as a user would: it builds 1% of the synthetic national register,
measures every figure on SQLite (and on PostgreSQL when TEST_DATABASE_URL is set, in a database of its
own beside the test database), against Datasette and nginx, and writes the table. Nothing here asserts a
time: only that every figure was produced, the answers matched Datasette's, the exports were complete and
the 64-connection mixed load had no errors.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from register.db import normalise_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOOLS = {"wrk": shutil.which("wrk"), "nginx": shutil.which("nginx") or Path("/usr/sbin/nginx").exists(),
         "chromium": Path("/usr/bin/chromium").exists(), "datasette": (BIN / "datasette").exists(),
         "sqlite-utils": (BIN / "sqlite-utils").exists()}

pytestmark = pytest.mark.skipif(not all(TOOLS.values()) or os.environ.get("ZICHTBAAR_TEST_DB") == "postgres",
                                reason=f"needs {[k for k, v in TOOLS.items() if not v]} (make test installs them); "
                                       "runs once, in the SQLite round")


def _bench_database() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    parsed = make_url(normalise_url(url))
    return parsed.set(database=f"{parsed.database}_bench").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    pg = _bench_database()
    argv = [sys.executable, "-m", "bench.run", "--quick", "--out", str(out)]
    argv += ["--pg-url", pg] if pg else ["--no-pg"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    results = json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else None
    return done, results, (out / "results.md"), pg


def test_the_command_succeeds_and_writes_both_tables(run):
    done, results, markdown, _ = run
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert results is not None and markdown.exists()
    text = markdown.read_text()
    for heading in ("Near-me", "Filtered list, full-text search and near-me", "Full export", "Bulk import",
                    "Map page", "Mixed read load"):
        assert f"## {heading}" in text
    assert results["machine"]["cores"] and results["machine"]["versions"]["datasette"]


def test_every_figure_is_measured_on_every_backend(run):
    _, results, _, pg = run
    backends = ["sqlite"] + (["postgresql"] if pg else [])
    assert not results.get("failures")
    for backend in backends:
        assert results[f"near_me_{backend}"]["functions"]
        assert results[f"import_{backend}"]["commit"]["created"] == results["settings"]["import_rows"]
        assert results[f"load_{backend}"]["requests"] > 0
    servers = {(r["server"], r["backend"], r["endpoint"]) for r in results["http"]["runs"]}
    for endpoint in ("list", "search", "near"):
        assert ("datasette", "sqlite", endpoint) in servers and ("nginx", "static", endpoint) in servers
        assert all(("zichtbaar", b, endpoint) in servers for b in backends)
    assert {(r["server"], r["backend"]) for r in results["http"]["export"]} >= \
        {("datasette", "sqlite"), ("nginx", "static")} | {("zichtbaar", b) for b in backends}
    assert {row["server"] for row in results["map"]["rows"]} >= {"zichtbaar", "datasette", "nginx"}


def test_answers_match_datasette_and_nothing_failed_under_load(run):
    _, results, _, _ = run
    for checks in results["http"]["checks"].values():
        assert checks["list"]["same_ids_in_order"] and checks["search"]["same_ids_in_order"]
        assert checks["list"]["zichtbaar_total"] == checks["list"]["datasette_total"] > 0
        assert checks["search"]["zichtbaar_total"] == checks["search"]["datasette_total"] > 0  # index filled
    assert all(r["error_count"] == 0 for r in results["http"]["runs"])
    assert all(r["rows"] > 0 and r["status"] == 200 and r["complete"] for r in results["http"]["export"])
    assert results["map"]["same_sensors"] and not results["map"]["refused_hosts"]
    for key in ("load_sqlite", "load_postgresql"):
        if key in results:
            load = results[key]
            assert load["connections"] == 64 and load["ok"], load
            assert load["status_classes"]["5xx"] == 0 and load["status_classes"]["4xx"] == 0
