"""Headless Debian Chromium through Playwright: launch options, viewports and the network guard."""

import base64
import os
from pathlib import Path
from urllib.parse import urlsplit

from zichtbaar.config import Config

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; a browser is never downloaded
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# A 1x1 transparent PNG answers every tile request, so no test needs the real tile server.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def tile_origin() -> str:
    """The configured tile host, as the server under test sees it (MAP_TILES_URL or the PDOK default)."""
    return origin(os.environ.get("MAP_TILES_URL") or Config.map_tiles_url)


def launch(playwright):
    """Chromium, headless, with no background traffic of its own (a fresh temporary profile per launch)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)


class NetworkGuard:
    """Records every request of a browser context; serves tiles locally and refuses every other host.

    Requests to the app continue; requests to the tile host get TILE_PNG; anything else is aborted and kept in
    `foreign`, so a test (or the fixture's teardown) can say exactly which third-party URL a page tried.
    """

    def __init__(self, app_origin: str, tiles: str | None = None, tile_png: bytes = TILE_PNG):
        self.app_origin = app_origin
        self.tile_origin = tiles or tile_origin()
        self.tile_png = tile_png
        self.requests: list[str] = []
        self.tiles: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []  # uncaught script errors and CSP refusals, from every page

    def attach(self, context) -> None:
        """Watch and route every request the context's pages make, and watch their script errors."""
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self._watch)
        context.route("**/*", self._route)

    def _watch(self, page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))
        page.on("console", lambda message: self._console(page, message))

    def _console(self, page, message) -> None:
        # The CSP reports what it refuses on the console; an inline script without a nonce ends up here.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{page.url}: {message.text}")

    def _route(self, route) -> None:
        url = route.request.url
        host = origin(url)
        if host == self.app_origin:
            route.continue_()
        elif host == self.tile_origin:
            self.tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=self.tile_png,
                          headers={"Access-Control-Allow-Origin": "*"})
        else:
            self.foreign.append(url)
            route.abort("blockedbyclient")

    def outside(self) -> list[str]:
        """Every recorded request that went neither to the app nor to the tile host (data: and blob: are local)."""
        allowed = {self.app_origin, self.tile_origin}
        return [url for url in self.requests
                if not url.startswith(("data:", "blob:")) and origin(url) not in allowed]
