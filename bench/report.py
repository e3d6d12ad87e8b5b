"""The benchmark table: the results of bench.run as Markdown, and the checks a run must pass."""

import os
import re


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def _f(value, digits: int = 1) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _ratio(a, b) -> str:
    try:
        return f"{a / b:.3g}×"
    except (TypeError, ZeroDivisionError):
        return "–"


def _version(text: str | None) -> str:
    """The version number out of a tool's version line ("nginx version: nginx/1.22.1" → "1.22.1")."""
    match = re.search(r"\d+(\.\d+)+", text or "")
    return match.group(0) if match else "–"


def failed_checks(results: dict) -> list[str]:
    """What a run must hold: same answers as Datasette, complete exports, no errors under load."""
    failed = []
    for backend, checks in (results.get("http") or {}).get("checks", {}).items():
        for endpoint in ("list", "search"):
            if not checks.get(endpoint, {}).get("same_ids_in_order"):
                failed.append(f"http {backend} {endpoint}: answers differ from Datasette's")
    for run in (results.get("http") or {}).get("runs", []):
        if run.get("error_count"):
            failed.append(f"http {run['server']} {run['backend']} {run['endpoint']}: {run['error_count']} errors")
    for row in (results.get("http") or {}).get("export", []):
        if row.get("status") != 200 or row.get("complete") is False:
            failed.append(f"export {row['server']} {row['backend']}: incomplete")
    if (results.get("map") or {}).get("rows") and not results["map"].get("same_sensors"):
        failed.append("map: the servers drew different sensors")
    for key, value in results.items():
        if key.startswith("load_") and isinstance(value, dict) and not value.get("ok"):
            failed.append(f"{key}: {value.get('error_count', value.get('failed'))} errors")
        if key.startswith("import_") and isinstance(value, dict) and value.get("commit", {}).get("problems"):
            failed.append(f"{key}: problems in a valid file")
    return failed


def _header(results: dict) -> list[str]:
    m = results["machine"]
    v = m["versions"]
    gen = results.get("generate_sqlite") or {}
    counts = gen.get("counts") or gen.get("rows") or {}
    lines = [
        "# Zichtbaar benchmark results", "",
        f"Made by `{results['command']}` on {m['date']}, at commit {m['commit']}.", "",
        f"* **Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}. Load average "
        f"{m['load_average_at_start']} at the start, {m.get('load_average_at_end')} at the end.",
        "* **Versions:** " + ", ".join(f"{k} {_version(x)}" for k, x in v.items()) + ".",
        f"* **Data:** `bench.generate` at scale {results['settings']['scale']:g} (fixed seed)"
        + (f": {', '.join(f'{k} {_f(n)}' for k, n in counts.items())}." if counts else "."),
        f"* **Servers:** gunicorn as production runs it ({results['settings']['workers']} workers × 2 threads); "
        "Datasette one process on the same SQLite file (`-i`); nginx serving saved copies of Zichtbaar's "
        "answers (the ceiling). Datasette cannot serve PostgreSQL: its figures are the same SQLite ones "
        "on both rows.",
        "",
    ]
    if results.get("failures") or failed_checks(results):
        lines += [f"**Failed:** {', '.join(results.get('failures', []) + failed_checks(results))}", ""]
    return lines


def _generate(results: dict) -> list[str]:
    lines = ["## Building the synthetic register", "",
             "`bench.generate`: migrations, the real vocabularies, areas and organisations, then bulk inserts; "
             "the full-text index is built once after the load.", "",
             "| backend | sensors s | algorithms s | agreements s | full-text index s | total s | reused in this run |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for backend in ("sqlite", "postgresql"):
        phases = (results.get(f"generate_{backend}") or {}).get("phases_s")
        if phases:
            lines.append(f"| {backend} | {_f(phases.get('sensors'))} | {_f(phases.get('algorithms'))} "
                         f"| {_f(phases.get('agreements'))} | {_f(phases.get('full-text index'))} "
                         f"| {_f(phases.get('total'))} | {'yes' if results[f'generate_{backend}'].get('reused') else 'no'} |")
    return lines + [""] if len(lines) > 5 else []


def _near(results: dict) -> list[str]:
    lines = ["## Near-me, in process", "",
             "`queries.near_me(limit=50)` at 500 m over 50 points (5 city centres and 45 random points near "
             "the biggest places), a fresh session per call.", "",
             "| backend | calls | p50 ms | p95 ms | p99 ms | mean sensors found |", "|---|---:|---:|---:|---:|---:|"]
    for backend in ("sqlite", "postgresql"):
        r = results.get(f"near_me_{backend}")
        if not r or "functions" not in r:
            continue
        s = next(v for k, v in r["functions"].items() if k.startswith("near_me"))
        lines.append(f"| {backend} | {s['n']} | {_f(s['p50'])} | {_f(s['p95'])} | {_f(s['p99'])} "
                     f"| {_f(s['mean_sensors'], 0)} |")
    return lines + [""]


def _http(results: dict) -> list[str]:
    http = results.get("http") or {}
    if "runs" not in http:
        return []
    lines = ["## Filtered list, full-text search and near-me through HTTP", "",
             f"wrk, {http['connections']} connections, {http['seconds']:g} s per run, one server at a time. "
             "Paths: " + ", ".join(f"{k} `{v}`" for k, v in http["paths"].items()) + ".", "",
             "| endpoint | server | backend | req/s | p50 ms | p95 ms | p99 ms | errors "
             "| req/s vs Datasette | req/s vs nginx |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    by = {(r["server"], r["endpoint"], r["backend"]): r for r in http["runs"]}
    for endpoint in ("list", "search", "near"):
        ds = by.get(("datasette", endpoint, "sqlite"))
        ng = by.get(("nginx", endpoint, "static"))
        for key in sorted(k for k in by if k[1] == endpoint):
            r = by[key]
            lines.append(f"| {endpoint} | {r['server']} | {r['backend']} | {_f(r['rps'])} | {_f(r['p50_ms'])} "
                         f"| {_f(r['p95_ms'])} | {_f(r['p99_ms'])} | {r['error_count']} "
                         + (f"| {_ratio(r['rps'], ds['rps']) if ds else '–'} | {_ratio(r['rps'], ng['rps']) if ng else '–'} |"
                            if r["server"] == "zichtbaar" else "| | |"))
    lines.append("")
    for backend, checks in http.get("checks", {}).items():
        lines.append(f"* Same answers as Datasette ({backend}): list {checks['list']['same_ids_in_order']} "
                     f"(total {checks['list']['zichtbaar_total']}), search {checks['search']['same_ids_in_order']} "
                     f"(total {checks['search']['zichtbaar_total']}); near-me found {checks['near']['zichtbaar_total']} sensors.")
    return lines + [""]


def _export(results: dict) -> list[str]:
    rows = (results.get("http") or {}).get("export") or []
    if not rows:
        return []
    nginx = next((r for r in rows if r["server"] == "nginx"), None)
    datasette = next((r for r in rows if r["server"] == "datasette"), None)
    lines = ["## Full export", "",
             "Zichtbaar: `GET /api/v1/downloads/registrations.csv` streamed to the end; peak RSS of the worker "
             "that served it. Datasette: the registration table as streamed CSV with the same state filter "
             "(fewer columns, no joins). nginx: Zichtbaar's saved file.", "",
             "| server | backend | rows | MB | seconds | rows/s | peak RSS MB | rows/s vs Datasette | rows/s vs nginx |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['server']} | {r['backend']} | {_f(r['rows'])} | {_f(r['bytes'] / 1e6)} | {_f(r['seconds'], 2)} "
                     f"| {_f(r['rows_per_s'])} | {_f(r.get('peak_rss_mb'))} "
                     + (f"| {_ratio(r['rows_per_s'], datasette['rows_per_s']) if datasette else '–'} "
                        f"| {_ratio(r['rows_per_s'], nginx['rows_per_s']) if nginx else '–'} |"
                        if r["server"] == "zichtbaar" else "| | |"))
    return lines + [""]


def _import(results: dict) -> list[str]:
    peer = results.get("import_sqlite_utils") or {}
    lines = ["## Bulk import", "",
             "A valid sensor CSV (the back office's template) through `register.bulk_import`: every row validated "
             "and created through the services with its version and audit entry, in one transaction. The peer is "
             "`sqlite-utils insert` (Datasette's loader) of the same file: text rows, no validation, no audit. "
             "nginx has no import.", "",
             "| importer | backend | rows | dry run rows/s | commit rows/s | peak RSS MB | vs sqlite-utils |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for backend in ("sqlite", "postgresql"):
        r = results.get(f"import_{backend}")
        if not r or "commit" not in r:
            continue
        lines.append(f"| Zichtbaar | {backend} | {_f(r['rows'])} | {_f(r['dry_run']['rows_per_s'])} "
                     f"| {_f(r['commit']['rows_per_s'])} | {_f(r['commit']['max_rss_mb'])} "
                     f"| {_ratio(r['commit']['rows_per_s'], peer.get('rows_per_s'))} |")
    if peer.get("rows_per_s"):
        lines.append(f"| sqlite-utils | sqlite | {_f(peer['rows'])} | – | {_f(peer['rows_per_s'])} | – | 1.00× |")
    return lines + [""]


def _map(results: dict) -> list[str]:
    m = results.get("map") or {}
    rows = m.get("rows") or []
    if not rows:
        return []
    ratios = {(r["zichtbaar"], r["peer"], r["place"]): r for r in m.get("ratios", [])}
    lines = ["## Map page: weight and time to markers in headless Chromium", "",
             f"The place page (r = 500 m) over {m['loads']} cold loads each, interleaved; the nginx row is a "
             "static copy of Zichtbaar's page and its map data, the Datasette row is datasette-cluster-map "
             "drawing the same viewport's sensors. Same sensors on every server: "
             f"{m.get('same_sensors')}. Hosts refused: {m.get('refused_hosts') or 'none'}.", "",
             "| place | server | HTML+JS+CSS KB | map data KB | sensors drawn | time to markers p50 ms | p95 ms "
             "| time vs Datasette | time vs nginx | weight vs Datasette |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ds = ratios.get((r["server"], "datasette", r["place"]), {})
        ng = ratios.get((r["server"], "nginx", r["place"]), {})
        t = r["time_to_markers_ms"]
        lines.append(f"| {r['place']} | {r['server']} | {_f(r['bytes']['html_js_css'] / 1000)} "
                     f"| {_f(r['bytes']['map_data'] / 1000)} | {_f(r['markers'])} | {_f(t['p50'], 0)} | {_f(t['p95'], 0)} "
                     f"| {_f(ds.get('time_to_markers_p50'), 2)} | {_f(ng.get('time_to_markers_p50'), 2)} "
                     f"| {_f(ds.get('html_js_css'), 2)} |")
    return lines + [""]


def _load(results: dict) -> list[str]:
    lines = ["## Mixed read load", "",
             "wrk with a random path per request from a fixed mix (API lists, search, near-me, viewport GeoJSON, "
             "single items, and the HTML pages citizens read), one run per backend. Passes with no socket error, "
             "timeout (30 s) or status outside 2xx/3xx.", "",
             "| backend | connections | seconds | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | 4xx | 5xx |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for backend in ("sqlite", "postgresql"):
        r = results.get(f"load_{backend}")
        if not r or "requests" not in r:
            continue
        lines.append(f"| {backend} | {r['connections']} | {_f(r['seconds'])} | {_f(r['requests'])} | {_f(r['rps'])} "
                     f"| {_f(r['p50_ms'], 0)} | {_f(r['p90_ms'], 0)} | {_f(r['p99_ms'], 0)} | {_f(r['max_ms'], 0)} "
                     f"| {r['error_count']} | {_f(r['status_classes']['4xx'])} | {_f(r['status_classes']['5xx'])} |")
    return lines + [""]


def markdown(results: dict) -> str:
    """The whole table as a Markdown document."""
    parts = (_header(results) + _generate(results) + _near(results) + _http(results) + _export(results) + _import(results)
             + _map(results) + _load(results))
    steps = results.get("step_seconds", {})
    parts += ["## Time per step", "", ", ".join(f"{k} {v:g} s" for k, v in steps.items()), ""]
    return "\n".join(parts)


def main(argv=None) -> None:
    """Render a results.json again as Markdown: python -m bench.report RESULTS_JSON OUT_MD."""
    import json
    import sys
    from pathlib import Path

    source, target = (argv or sys.argv[1:])[:2]
    Path(target).write_text(markdown(json.loads(Path(source).read_text(encoding="utf-8"))), encoding="utf-8")


if __name__ == "__main__":
    main()
