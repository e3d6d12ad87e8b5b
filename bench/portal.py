"""The citizens' portal on a synthetic national database, in headless Chromium.

    python -m bench.portal --database-url sqlite:///bench/out/national.sqlite3 --loads 15 \\
        --json bench/out/portal.json   [--workers 2]

Three figures (see bench/README.md, "Portal"):

* page weight of the start page and of place pages: the bytes of the HTML and of the app's own JS and CSS
  (the aim is < 300 KB without tiles), with images and the map's API data listed apart;
* the map data of a city viewport: GET /api/v1/sensors?bbox=… as static/js/map.js asks for it, for a
  1280×800 window at zoom 14 and 16 over five city centres, and the largest response;
* the time until the map shows markers on a place page: from navigation start to the first marker element
  in the DOM, over --loads cold loads (a fresh browser context each, so nothing is cached).

The server is gunicorn as production runs it (bench/_servers.py). Tile requests never leave the machine:
tests/e2e/browser.py answers them with a 1×1 PNG, and any other host is refused and reported.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from bench._common import summary_ms
from bench._servers import OUT, gunicorn, sqlite_path
from bench.near_me import CENTRES
from tests.e2e.browser import CHROMIUM, DESKTOP, NetworkGuard, launch

PAGE_SIZE = 500  # what static/js/map.js asks for per viewport
ZOOMS = (14, 16)  # a city district, and the place page's zoom for its default radius of 500 m
PLACES = [("Amsterdam, Dam", 52.3731, 4.8926), ("Eindhoven, Stratumseind", 51.4386, 5.4820)]
OWN_CODE = ("document", "script", "stylesheet")  # "HTML weight": the page and the app's own JS and CSS
FIRST_MARKER = """(() => {
    const seen = () => {
        if (window.__zbFirstMarker === undefined && document.querySelector("#map .zb-marker")) {
            window.__zbFirstMarker = performance.now();
        }
    };
    new MutationObserver(seen).observe(document, {childList: true, subtree: true});
})();"""


def place_path(lat: float, lon: float, radius: int = 500) -> str:
    """The place page of a point."""
    return f"/plek?lat={lat}&lon={lon}&r={radius}"


def viewport_bbox(lat: float, lon: float, zoom: int, width: int, height: int) -> tuple[float, ...]:
    """West, south, east, north of a width×height pixel Web Mercator view centred on a point."""
    scale = 256 * 2 ** zoom
    x = (lon + 180) / 360 * scale
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * scale

    def unproject(px: float, py: float) -> tuple[float, float]:
        return px / scale * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / scale))))

    west, north = unproject(x - width / 2, y - height / 2)
    east, south = unproject(x + width / 2, y + height / 2)
    return west, south, east, north


def map_data(base: str) -> list[dict]:
    """The map's API request for a 1280×800 view of each city centre at each zoom: bytes, features, time."""
    rows = []
    for name, lat, lon in CENTRES:
        for zoom in ZOOMS:
            bbox = ",".join(f"{v:.5f}" for v in viewport_bbox(lat, lon, zoom, DESKTOP["width"], DESKTOP["height"]))
            url = f"{base}/api/v1/sensors?bbox={bbox}&pageSize={PAGE_SIZE}&sort=title"
            request = urllib.request.Request(url, headers={"Accept": "application/geo+json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as response:
                body = response.read()
                total = int(response.headers.get("X-Total-Count") or 0)
                encoding = response.headers.get("Content-Encoding")
            seconds = time.perf_counter() - started
            rows.append({"place": name, "zoom": zoom, "bbox": bbox, "bytes": len(body), "content_encoding": encoding,
                         "features": len(json.loads(body).get("features", [])), "total": total,
                         "ms": round(seconds * 1000, 1)})
            print(f"  map data {name} z{zoom}: {len(body):,} B, {rows[-1]['features']} of {total} sensors, "
                  f"{rows[-1]['ms']} ms")
    return rows


def _category(response, base: str) -> str:
    url = response.url
    if not url.startswith(base):
        return "tiles"
    kind = response.request.resource_type
    if kind in OWN_CODE:
        return kind
    if "/api/" in url:
        return "api"
    return kind  # image, font, …


def page_weight(browser, base: str, path: str, wait_markers: bool) -> dict:
    """Bytes per kind of response for one cold load of a page (decoded bodies; tiles counted, not weighed)."""
    context = browser.new_context(viewport=DESKTOP, base_url=base, locale="nl-NL")
    guard = NetworkGuard(base)
    guard.attach(context)
    responses = []
    context.on("response", lambda response: responses.append(response))
    page = context.new_page()
    page.goto(path)
    if wait_markers:
        page.locator("#map .zb-marker").first.wait_for(state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")
    weights: dict[str, int] = {}
    counts: dict[str, int] = {}
    largest_api = 0
    for response in responses:
        category = _category(response, base)
        counts[category] = counts.get(category, 0) + 1
        if category == "tiles" or response.status in (301, 302, 303, 304):
            continue
        try:
            size = len(response.body())
        except Exception:  # a body Chromium did not keep (e.g. an aborted request) weighs nothing here
            size = 0
        weights[category] = weights.get(category, 0) + size
        if category == "api":
            largest_api = max(largest_api, size)
    context.close()
    own = sum(weights.get(k, 0) for k in OWN_CODE)
    return {"path": path, "bytes": weights, "requests": counts, "html_js_css": own,
            "without_tiles": sum(weights.values()), "largest_api_response": largest_api,
            "foreign_requests": guard.outside()}


def time_to_markers(browser, base: str, path: str, loads: int) -> dict:
    """Milliseconds from navigation start until the first marker is in the DOM, over cold loads."""
    firsts, dom_ready = [], []
    for _ in range(loads):
        context = browser.new_context(viewport=DESKTOP, base_url=base, locale="nl-NL")
        NetworkGuard(base).attach(context)
        context.add_init_script(FIRST_MARKER)
        page = context.new_page()
        page.goto(path, wait_until="domcontentloaded")
        page.wait_for_function("() => window.__zbFirstMarker !== undefined", timeout=60_000, polling=50)
        firsts.append(page.evaluate("() => window.__zbFirstMarker") / 1000)
        dom_ready.append(page.evaluate(
            "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd") / 1000)
        context.close()
    return {"path": path, "first_marker": summary_ms(firsts), "dom_content_loaded": summary_ms(dom_ready)}


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _counts(db_file: Path) -> dict:
    import sqlite3

    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT kind, count(*) FROM registration GROUP BY kind").fetchall())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:///bench/out/national.sqlite3")
    parser.add_argument("--loads", type=int, default=15, help="cold loads per place page for the marker timing")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    db_file = sqlite_path(args.database_url)
    result = {"commit": _git_commit(), "database": str(db_file), "registrations": _counts(db_file),
              "loads": args.loads, "workers": args.workers, "load_average_before": os.getloadavg()}
    print(f"registrations by kind: {result['registrations']}")
    from playwright.sync_api import sync_playwright

    with gunicorn(db_file, args.workers, OUT / "portal_gunicorn.log") as server:
        result["server_ready_s"] = round(server.wait_ready(timeout=300), 1)
        for path in ["/"] + [place_path(lat, lon) for _, lat, lon in PLACES]:  # warm both workers' caches
            for _ in range(args.workers):
                urllib.request.urlopen(server.base + path, timeout=120).read()
        print("map data per viewport (1280×800)")
        result["map_data"] = map_data(server.base)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            result["page_weight"] = []
            for path, markers in [("/", False)] + [(place_path(lat, lon), True) for _, lat, lon in PLACES]:
                weight = page_weight(browser, server.base, path, markers)
                result["page_weight"].append(weight)
                print(f"  weight {path}: HTML+JS+CSS {weight['html_js_css']:,} B; all but tiles "
                      f"{weight['without_tiles']:,} B; {weight['bytes']}")
            result["time_to_markers"] = []
            for name, lat, lon in PLACES:
                timing = time_to_markers(browser, server.base, place_path(lat, lon), args.loads)
                timing["place"] = name
                result["time_to_markers"].append(timing)
                print(f"  first marker {name}: median {timing['first_marker']['p50']:.0f} ms "
                      f"(p95 {timing['first_marker']['p95']:.0f}, max {timing['first_marker']['max']:.0f}); "
                      f"DOMContentLoaded median {timing['dom_content_loaded']['p50']:.0f} ms")
            browser.close()
    result["load_average_after"] = os.getloadavg()
    largest = max(result["map_data"], key=lambda row: row["bytes"])
    result["largest_map_data"] = largest
    print(f"largest map-data response: {largest['bytes']:,} B ({largest['place']}, zoom {largest['zoom']}, "
          f"{largest['features']} of {largest['total']} sensors)")
    print(f"median first marker over all places: "
          f"{statistics.median(t['first_marker']['p50'] for t in result['time_to_markers']):.0f} ms")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
