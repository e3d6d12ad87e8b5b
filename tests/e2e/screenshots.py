"""Screenshots of the citizens' key pages at desktop and phone width, for docs/screenshots/ and the README.

    .venv/bin/python -m tests.e2e.screenshots [--database FILE] [--out docs/screenshots]

It seeds the real data into a temporary SQLite file (about a minute and a half) unless --database names an
already seeded one, which it copies first, so the file itself is never changed. The server and browser are
started as the browser tests start them (tests/e2e/server.py, tests/e2e/browser.py).

No request leaves the machine, so the map's background tiles are a plain placeholder here; the real site
shows the configured tiles (PDOK BRT-Achtergrondkaart by default).
"""

import argparse
import struct
import tempfile
import zlib
from pathlib import Path

from tests.e2e import data
from tests.e2e import helpers as h
from tests.e2e.browser import DESKTOP, PHONE, NetworkGuard, launch
from tests.e2e.server import ROOT, LiveServer

PAGES = [  # file name, path, wait for map markers
    ("start", "/", False),
    ("place", f"{h.PLACE}&label=Stratumseind", True),
    ("registration", h.REGISTRATION, False),
    ("organisation", h.ORGANISATION, False),
    ("search", h.SEARCH, False),
]
WIDTHS = {"desktop": (DESKTOP, 1), "phone": (PHONE, 2)}  # viewport, device pixel ratio
MAX_HEIGHT = {"desktop": 1500, "phone": 1400}  # CSS pixels from the top: enough to reach the map and the list


def placeholder_tile(size: int = 256) -> bytes:
    """A light 256×256 PNG with a faint border, so the map reads as a map without the real tiles."""
    background, line = b"\xf2\xf1\xec", b"\xe1\xdf\xd6"
    edge = b"\x00" + line * size
    middle = b"\x00" + line + background * (size - 1)
    raw = edge + middle * (size - 1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def seeded_copy(target: Path, source: Path | None) -> None:
    """Copy an already seeded database, or seed the real data (without demo accounts) into target."""
    if source:
        data.copy_sqlite(source, target)
        return
    from register import migrate
    from register.db import Database
    from register.seed import seed

    database = Database(f"sqlite:///{target}")
    try:
        migrate.upgrade(database.url)
        seed(database, ROOT / "seed_data", demo_accounts=False)
    finally:
        database.dispose()


def shoot(browser, base: str, out: Path) -> list[Path]:
    """Every page at every width; returns the files written."""
    written = []
    for width, (viewport, scale) in WIDTHS.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=scale, base_url=base, locale="nl-NL",
                                      is_mobile=width == "phone", has_touch=width == "phone")
        guard = NetworkGuard(base, tile_png=placeholder_tile())
        guard.attach(context)
        page = context.new_page()
        for name, path, markers in PAGES:
            page.goto(path)
            if markers:
                h.wait_for_markers(page)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(400)  # let Leaflet's fade-in of tiles and markers finish
            file = out / f"{name}-{width}.png"
            height = min(page.evaluate("() => document.documentElement.scrollHeight"), MAX_HEIGHT[width])
            page.screenshot(path=str(file), full_page=True,
                            clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})
            written.append(file)
        context.close()
        if guard.outside():
            raise SystemExit("pages requested other hosts:\n" + "\n".join(guard.outside()))
    return written


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", type=Path, default=None, help="an already seeded SQLite file (copied)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zichtbaar-shots-") as tmp:
        database = Path(tmp) / "shots.sqlite3"
        seeded_copy(database, args.database)
        with LiveServer(database, Path(tmp) / "gunicorn.log") as server:
            server.wait_ready()
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    for file in shoot(browser, server.base, args.out):
                        print(f"{file.relative_to(ROOT)}: {file.stat().st_size:,} B")
                finally:
                    browser.close()


if __name__ == "__main__":
    main()
