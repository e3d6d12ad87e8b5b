"""The place page's map against two peers: page weight and time to the first marker, side by side.

    python -m bench.map_peers --database-url sqlite:///bench/out/national.sqlite3 \\
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/zb_map] [--loads 15] [--workers 2] [--json OUT]

What is compared, for the place page at the Dam and at Stratumseind (bench/portal.py's PLACES, r=500 m),
in headless Chromium at 1280×800 with a fresh browser context per load (nothing cached):

1. Zichtbaar: gunicorn as production runs it (bench/_servers.py) serving /plek?lat&lon&r=500, once per
   backend (the SQLite file, and the same data on PostgreSQL when --pg-url is given). The page is server
   rendered (the list of what is near, areas, organisations) and static/js/map.js then asks
   /api/v1/sensors?bbox=… for the map's viewport and draws the markers.
2. Datasette (bench-only: `pip install datasette datasette-cluster-map` into the venv; not a project
   dependency) serving the same SQLite file immutable (`-i`), one canned query per place. Each query is
   the register's own viewport SQL (the grid-cell index for points, the box index for areas and routes,
   public sensors of published or withdrawn registrations, ordered by title, at most 500) for exactly the
   bbox that map.js asked for on that place page, with latitude/longitude columns, so datasette-cluster-map
   draws the same sensors. The plugin does not use a CDN: Leaflet 1.7.1 comes from the datasette-leaflet
   package and Leaflet.markercluster from the plugin itself, both served by Datasette under /-/static-plugins/,
   so the network guard refuses nothing. Its tile layer is pointed at the app's tile host, so tiles are
   answered locally in both cases. Its page is a query page: the HTML table of the rows, the SQL shown with
   CodeMirror, then the plugin loads Leaflet and fetches the rows again as JSON (`.json?_shape=objects`).
   Its first marker is the first `.leaflet-marker-icon` (a marker or a cluster).
3. nginx serving a static copy of Zichtbaar's own place page: the HTML as the server rendered it, every
   file the page loaded (JS, CSS, icons) and the GeoJSON answers to map.js's viewport requests, saved
   under their paths (a request with a query string is served from _q/<path>/<query string>). The same
   browser then does the same work with a server that does none: the ceiling for this page.

Page weight is bench/portal.py's page_weight (decoded bodies; HTML, own JS and CSS; images and map data
apart; tiles counted, not weighed). Time to markers uses portal.FIRST_MARKER (a MutationObserver set up
before the page runs: navigation start → first marker element in the DOM), median and p95 over --loads
cold loads. The loads are interleaved (load i of every server and place before load i+1), so a burst of
load on the machine hits all servers alike.

Why this is fair, and where it is not: the three show the same sensors for the same viewport from the same
data, on the same machine and browser. Datasette and nginx serve less: Datasette's page has no list of what
is near, no areas or organisations at the point and no legend; the static copy computes nothing. Datasette
is one process (asyncio with a small SQL thread pool); gunicorn runs --workers processes; nginx runs
one worker per core (bench/_nginx.py). The cluster plugin clusters markers and zooms to fit them, while the place page
shows single markers at zoom 16, so the number of marker elements differs even when the sensors are the
same ("markers" below counts sensors drawn; "marker_elements" the icons in the DOM). Datasette's Leaflet is
the unminified 1.7.1 build that datasette-leaflet ships, which weighs in its JS.
"""

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench._common import guard, summary_ms
from bench._nginx import nginx as serve_static
from bench._servers import BIN, HOST, OUT, Server, free_port, gunicorn, sqlite_path
from bench.portal import FIRST_MARKER, OWN_CODE, PLACES, page_weight, place_path
from register.geo.geometry import cell_ranges
from tests.e2e.browser import CHROMIUM, DESKTOP, NetworkGuard, launch, tile_origin
from zichtbaar.config import Config

ZB_MARKER = "#map .zb-marker"
DATASETTE_MARKER = ".leaflet-marker-pane .leaflet-marker-icon"  # a single marker or a cluster's icon
PAGE_SIZE = 500  # what static/js/map.js asks for per viewport, and the canned queries' LIMIT
INSTALL_HINT = ".venv/bin/pip install datasette datasette-cluster-map  (bench-only tools, not project dependencies)"


def first_marker_script(selector: str) -> str:
    """portal.FIRST_MARKER watching for another marker selector."""
    if ZB_MARKER not in FIRST_MARKER:
        raise RuntimeError("bench.portal.FIRST_MARKER no longer watches for " + ZB_MARKER)
    return FIRST_MARKER.replace(ZB_MARKER, selector)


@dataclass
class Target:
    """One server under test: where it listens, how to reach a place, and what its markers look like."""

    name: str
    base: str
    paths: dict  # place name → path of its map page
    marker: str  # CSS selector of a marker element

    @property
    def script(self) -> str:
        return first_marker_script(self.marker)


# ---------------------------------------------------------------- Datasette


def viewport_sql(bbox: tuple[float, float, float, float]) -> str:
    """The register's viewport query (queries.public_query with bbox, sort=title) as one SQLite statement."""
    west, south, east, north = bbox
    cells = " OR ".join(f"cell BETWEEN {a} AND {b}" for a, b in cell_ranges(south, west, north, east))
    return f"""WITH hits AS (
  SELECT registration_id FROM sensor
  WHERE ({cells}) AND lat BETWEEN {south!r} AND {north!r} AND lon BETWEEN {west!r} AND {east!r}
  UNION ALL
  SELECT registration_id FROM sensor WHERE shape IN ('area', 'route') AND min_lat <= {north!r} AND max_lat >= {south!r}
)
SELECT r.public_id, r.title, s.sensor_type, s.identifiability, o.name AS organisation,
  s.lat AS latitude, s.lon AS longitude
FROM registration AS r JOIN organisation AS o ON o.id = r.organisation_id
  JOIN sensor AS s ON s.registration_id = r.id
WHERE r.id IN (SELECT registration_id FROM hits) AND r.state IN ('published', 'withdrawn')
  AND r.openness = 'public'
  AND s.max_lat >= {south!r} AND s.min_lat <= {north!r} AND s.max_lon >= {west!r} AND s.min_lon <= {east!r}
ORDER BY r.title, r.id
LIMIT {PAGE_SIZE}"""


def query_name(place: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in place.lower()).strip("_")


def datasette_metadata(db_name: str, bboxes: dict, path: Path) -> Path:
    """Canned queries (one per place) and the cluster map's tile layer, as a Datasette metadata file."""
    tiles = os.environ.get("MAP_TILES_URL") or Config.map_tiles_url
    metadata = {
        "databases": {db_name: {"queries": {
            query_name(place): {"title": f"Sensoren in beeld: {place}", "sql": viewport_sql(bbox)}
            for place, bbox in bboxes.items()}}},
        "plugins": {"datasette-cluster-map": {
            "tile_layer": tiles,
            "tile_layer_options": {"maxZoom": 19, "attribution": Config.map_tiles_attribution}}},
    }
    path.write_text(json.dumps(metadata, indent=2))
    return path


def datasette(db_file: Path, metadata: Path, log: Path) -> Server:
    """Datasette on the SQLite file, immutable, with the cluster map plugin and the canned queries."""
    exe = BIN / "datasette"
    if not exe.exists():
        raise SystemExit(f"{exe} is missing: {INSTALL_HINT}")
    plugins = subprocess.run([str(exe), "plugins"], capture_output=True, text=True, check=False).stdout
    if "datasette-cluster-map" not in plugins:
        raise SystemExit(f"the datasette-cluster-map plugin is missing: {INSTALL_HINT}")
    port = free_port()
    argv = [str(exe), "serve", "-i", str(db_file), "--metadata", str(metadata), "--host", HOST, "--port", str(port),
            "--setting", "sql_time_limit_ms", "5000", "--setting", "max_returned_rows", "1000"]
    return Server("datasette", argv, dict(os.environ), port, "/-/versions.json", log)


# ---------------------------------------------------------------- nginx and the static copy


def snapshot(browser, base: str, path: str) -> tuple[dict, list[tuple[float, ...]]]:
    """Every same-origin 200 response of one load of a place page (url → body), and the bboxes map.js asked."""
    context = browser.new_context(viewport=DESKTOP, base_url=base, locale="nl-NL")
    NetworkGuard(base).attach(context)
    responses = []
    context.on("response", lambda response: responses.append(response))
    page = context.new_page()
    page.goto(path)
    page.locator(ZB_MARKER).first.wait_for(state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")
    files, bboxes = {}, []
    for response in responses:
        if not response.url.startswith(base) or response.status != 200:
            continue
        with contextlib.suppress(Exception):  # a body Chromium did not keep (an aborted request) is not copied
            files[response.url[len(base):]] = response.body()
        parts = urlsplit(response.url)
        if parts.path == "/api/v1/sensors":
            query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
            bboxes.append(tuple(float(v) for v in query["bbox"].split(",")))
    context.close()
    return files, bboxes


def write_site(site: Path, files: dict) -> int:
    """Save responses under their paths; a request with a query string under _q/<path>/<query>."""
    if site.exists():
        shutil.rmtree(site)
    for url, body in files.items():
        parts = urlsplit(url)
        path = parts.path.lstrip("/") or "index.html"
        target = site / "_q" / path / parts.query if parts.query else site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return len(files)


# Saved answers to requests with a query string: their file names carry no usable extension.
STATIC_COPY = """\
        location = /plek { types { } default_type "text/html; charset=utf-8"; try_files /_q/plek/$args =404; }
        location /api/ { types { } default_type application/geo+json; try_files /_q$uri/$args =404; }
        location /pictogrammen/ { types { } default_type image/svg+xml; try_files $uri =404; }
        location / { try_files $uri /_q$uri/$args =404; }"""


def nginx(site: Path) -> Server:
    """nginx (bench/_nginx.py) on a loopback port serving the static copy of the place page."""
    # The ready path: any saved file without a query string (the site's CSS is always there).
    ready = next("/" + str(p.relative_to(site)) for p in sorted(site.rglob("*.css")) if "_q" not in p.parts)
    return serve_static(site, "map_peers_nginx", workers=os.cpu_count() or 2, ready_path=ready,
                        locations=STATIC_COPY)


# ---------------------------------------------------------------- measuring


def cold_load(browser, target: Target, path: str) -> dict:
    """One cold load: ms from navigation start to the first marker and to DOMContentLoaded; refused hosts."""
    context = browser.new_context(viewport=DESKTOP, base_url=target.base, locale="nl-NL")
    watch = NetworkGuard(target.base)
    watch.attach(context)
    context.add_init_script(target.script)
    page = context.new_page()
    page.goto(path, wait_until="domcontentloaded")
    page.wait_for_function("() => window.__zbFirstMarker !== undefined", timeout=60_000, polling=50)
    first = page.evaluate("() => window.__zbFirstMarker")
    ready = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    context.close()
    return {"first_marker": first / 1000, "dom_content_loaded": ready / 1000, "refused": watch.outside()}


def markers_shown(browser, target: Target, path: str) -> dict:
    """After the page has settled: sensors drawn on the map (from its map data) and marker elements in the DOM."""
    context = browser.new_context(viewport=DESKTOP, base_url=target.base, locale="nl-NL")
    NetworkGuard(target.base).attach(context)
    data = []
    context.on("response", lambda r: data.append(r) if r.request.resource_type in ("fetch", "xhr") else None)
    page = context.new_page()
    page.goto(path)
    page.locator(target.marker).first.wait_for(state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")
    elements = page.locator(target.marker).count()
    sensors = None
    for response in data:
        with contextlib.suppress(Exception):
            body = json.loads(response.body())
            rows = body.get("features", body.get("rows"))
            if rows is not None:
                sensors = len(rows)  # the last answer is what the map shows
    context.close()
    return {"markers": sensors, "marker_elements": elements}


def weigh(browser, target: Target, path: str) -> dict:
    """portal.page_weight, summed up as HTML / own JS+CSS / images / map data (the API or the JSON fetch)."""
    weight = page_weight(browser, target.base, path, wait_markers=target.marker == ZB_MARKER)
    if target.marker != ZB_MARKER:  # Datasette: page_weight waited for networkidle, after the plugin's fetch
        weight["bytes"]["api"] = weight["bytes"].pop("fetch", 0) + weight["bytes"].pop("xhr", 0)
    by_kind = weight["bytes"]
    summary = {"html": by_kind.get("document", 0),
               "own_js_css": sum(by_kind.get(k, 0) for k in OWN_CODE if k != "document"),
               "images": by_kind.get("image", 0), "map_data": by_kind.get("api", 0)}
    summary["html_js_css"] = summary["html"] + summary["own_js_css"]
    summary["without_tiles"] = sum(by_kind.values())
    return {**summary, "by_kind": by_kind, "requests": weight["requests"],
            "refused": weight["foreign_requests"]}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def _warm(url: str, times: int) -> None:
    for _ in range(times):
        urllib.request.urlopen(url, timeout=120).read()


def measure(sqlite_file: Path, database_url: str | None, loads: int, workers: int) -> dict:
    """Page weight and time to markers of the place page on Zichtbaar (per backend), Datasette and nginx."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    if database_url:
        guard(database_url)
    sqlite_file = Path(sqlite_file).resolve()
    work = OUT / "map_peers"
    work.mkdir(parents=True, exist_ok=True)
    result = {"database": str(sqlite_file), "postgresql": bool(database_url), "loads": loads, "workers": workers,
              "places": [name for name, _, _ in PLACES], "tile_host": tile_origin(),
              "load_average_before": os.getloadavg()}
    with sync_playwright() as playwright, contextlib.ExitStack() as stack:
        browser = launch(playwright)
        stack.callback(browser.close)
        zichtbaar = {"zichtbaar": stack.enter_context(gunicorn(sqlite_file, workers, work / "gunicorn_sqlite.log"))}
        if database_url:
            zichtbaar["zichtbaar-postgresql"] = stack.enter_context(
                gunicorn(database_url, workers, work / "gunicorn_postgresql.log"))
        paths = {name: place_path(lat, lon) for name, lat, lon in PLACES}
        for server in zichtbaar.values():
            server.wait_ready(timeout=300)
            for path in paths.values():
                _warm(server.base + path, workers)

        # The static copy and the viewports come from one load of Zichtbaar's own page per place.
        base = zichtbaar["zichtbaar"].base
        files, bboxes = {}, {}
        for name, path in paths.items():
            saved, asked = snapshot(browser, base, path)
            files.update(saved)
            bboxes[name] = asked[-1]  # the last viewport request is the one whose markers stay
        result["viewports"] = {name: ",".join(f"{v:.5f}" for v in bbox) for name, bbox in bboxes.items()}
        result["static_files"] = write_site(work / "site", files)

        metadata = datasette_metadata(sqlite_file.stem, bboxes, work / "datasette_metadata.json")
        peers = {"datasette": stack.enter_context(datasette(sqlite_file, metadata, work / "datasette.log")),
                 "nginx": stack.enter_context(nginx(work / "site"))}
        for server in peers.values():
            server.wait_ready(timeout=120)
        targets = [Target(name, server.base, paths, ZB_MARKER) for name, server in zichtbaar.items()]
        targets.append(Target("datasette", peers["datasette"].base,
                              {name: f"/{sqlite_file.stem}/{query_name(name)}" for name in paths}, DATASETTE_MARKER))
        targets.append(Target("nginx", peers["nginx"].base, paths, ZB_MARKER))
        for target in targets:
            for path in target.paths.values():
                _warm(target.base + path, 1)

        rows = {(t.name, place): {"server": t.name, "place": place, "path": t.paths[place]}
                for t in targets for place in paths}
        for target in targets:
            for place, path in target.paths.items():
                row = rows[target.name, place]
                row["bytes"] = weigh(browser, target, path)
                row.update(markers_shown(browser, target, path))
                print(f"  {target.name:21} {place:24} HTML {row['bytes']['html']:>8,} B  JS+CSS "
                      f"{row['bytes']['own_js_css']:>9,} B  images {row['bytes']['images']:>7,} B  map data "
                      f"{row['bytes']['map_data']:>8,} B  markers {row['markers']} ({row['marker_elements']} in DOM)")
        timings = {key: [] for key in rows}
        for _ in range(loads):  # interleaved: load i of every server and place before load i+1
            for place in paths:
                for target in targets:
                    timings[target.name, place].append(cold_load(browser, target, target.paths[place]))
    for key, row in rows.items():
        loads_ = timings[key]
        row["time_to_markers_ms"] = summary_ms([load["first_marker"] for load in loads_])
        row["dom_content_loaded_ms"] = summary_ms([load["dom_content_loaded"] for load in loads_])
        row["refused_hosts"] = sorted({urlsplit(u).netloc for load in loads_ for u in load["refused"]}
                                      | {urlsplit(u).netloc for u in row["bytes"].pop("refused")})
        print(f"  {row['server']:21} {row['place']:24} first marker median "
              f"{row['time_to_markers_ms']['p50']:6.0f} ms, p95 {row['time_to_markers_ms']['p95']:6.0f} ms")
    result["rows"] = list(rows.values())
    result["ratios"] = []
    for name in zichtbaar:
        for place in paths:
            mine = rows[name, place]
            for peer in ("datasette", "nginx"):
                other = rows[peer, place]
                ratio = {"zichtbaar": name, "peer": peer, "place": place,
                         "time_to_markers_p50": _ratio(mine["time_to_markers_ms"]["p50"],
                                                       other["time_to_markers_ms"]["p50"]),
                         "time_to_markers_p95": _ratio(mine["time_to_markers_ms"]["p95"],
                                                       other["time_to_markers_ms"]["p95"]),
                         "html_js_css": _ratio(mine["bytes"]["html_js_css"], other["bytes"]["html_js_css"]),
                         "without_tiles": _ratio(mine["bytes"]["without_tiles"], other["bytes"]["without_tiles"])}
                result["ratios"].append(ratio)
                print(f"  {name} / {peer} at {place}: time to markers ×{ratio['time_to_markers_p50']} (median), "
                      f"×{ratio['time_to_markers_p95']} (p95); HTML+JS+CSS ×{ratio['html_js_css']}; "
                      f"all but tiles ×{ratio['without_tiles']}")
    # The figure compares like with like only when every server drew the same sensors for a place.
    result["same_sensors"] = all(len({rows[t.name, place]["markers"] for t in targets}) == 1 for place in paths)
    if not result["same_sensors"]:
        print("warning: the servers drew different numbers of sensors for a place; see rows[].markers")
    result["refused_hosts"] = sorted({host for row in rows.values() for host in row["refused_hosts"]})
    result["load_average_after"] = os.getloadavg()
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.sqlite3",
                        help="the SQLite register (bench.generate); Datasette and the static copy use it too")
    parser.add_argument("--pg-url", default=None, help="the same data on PostgreSQL: Zichtbaar measured again on it")
    parser.add_argument("--loads", type=int, default=15, help="cold loads per server and place")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = measure(sqlite_path(args.database_url), args.pg_url, args.loads, args.workers)
    if result["refused_hosts"]:
        print(f"refused hosts: {', '.join(result['refused_hosts'])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
