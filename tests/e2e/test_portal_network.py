"""The portal's pages contact only the app itself and the configured tile host."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e import helpers as h

PATHS = ["/", h.PLACE, h.REGISTRATION, h.ORGANISATION, "/organisaties", h.SEARCH, "/over",
         f"/zoeken-plek?q={h.POSTCODE}"]


def test_every_request_goes_to_the_app_or_the_tile_host(network, live_server):
    page, guard = network
    for path in PATHS:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    # Move the place page's map so it fetches another viewport and more tiles.
    page.goto(h.PLACE)
    h.wait_for_markers(page)
    page.locator("#map").hover()
    page.mouse.wheel(0, 400)
    page.wait_for_load_state("networkidle")
    assert guard.outside() == [], "\n".join(guard.outside())
    assert guard.tiles, "the maps asked the configured tile host for no tiles at all"
    api = [url for url in guard.requests if url.startswith(live_server.url("/api/v1/sensors"))]
    assert any("bbox=" in url for url in api), f"the map loaded no sensors per viewport: {api}"


def test_the_guard_refuses_and_reports_another_host(network):
    page, guard = network
    # A navigation, because the page's own CSP would stop a fetch before the guard could see it.
    with pytest.raises(PlaywrightError):
        page.goto("https://example.org/x")
    assert guard.foreign == ["https://example.org/x"]
    assert guard.outside() == ["https://example.org/x"]
    guard.requests.remove("https://example.org/x")  # asked for by this test itself, so not a page's fault
