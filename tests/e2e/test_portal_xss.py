"""Registration texts holding script and HTML payloads render as inert text everywhere a citizen sees them."""

import pytest

from tests.e2e import data
from tests.e2e import helpers as h

INJECTED = "img[src='x'], svg[onload], [onerror], [onload], [onmouseover], iframe[src^='javascript']"


def _assert_inert(page, where: str, texts=(data.XSS_TITLE,)) -> None:
    assert h.no_script_ran(page), f"a payload ran on {where}"
    injected = page.locator(f"main {INJECTED}, #map {INJECTED}").evaluate_all("els => els.map(e => e.outerHTML)")
    assert injected == [], f"payload markup became elements on {where}: {injected}"
    shown = page.locator("body").inner_text()
    for text in texts:
        assert text in shown, f"{text!r} is not shown literally on {where}"


def _xss_marker(page):
    """The map marker of the XSS sensor: by its accessible name, else the one whose popup names it."""
    markers = page.locator(h.MARKER)
    for i in range(markers.count()):
        marker = markers.nth(i)
        label = " ".join(filter(None, [marker.get_attribute("title"), marker.get_attribute("aria-label"),
                                       marker.get_attribute("alt")]))
        if "XSS" in label:
            return marker
    for i in range(markers.count()):
        marker = markers.nth(i)
        marker.dispatch_event("click")  # the marker itself, even when a neighbour is drawn on top of it
        popup = page.locator(h.POPUP)
        popup.wait_for(state="visible")
        if "XSS" in popup.inner_text():
            return marker
    pytest.fail("no marker on the map opens the XSS sensor")


def test_place_page_list_popup_and_tooltip(page, xss_id):
    page.goto(h.PLACE)
    assert xss_id in h.public_ids(page, "#sensor-list")
    _assert_inert(page, "the place page's list")
    h.wait_for_markers(page)
    marker = _xss_marker(page)
    marker.dispatch_event("mouseover")  # a tooltip, if the map shows them
    tooltip = page.locator("#map .leaflet-tooltip")
    if tooltip.count():
        _assert_inert(page, "the marker's tooltip")
        assert "XSS" not in tooltip.inner_text() or data.XSS_TITLE in tooltip.inner_text()
    marker.dispatch_event("click")
    popup = page.locator(h.POPUP)
    popup.wait_for(state="visible")
    assert data.XSS_TITLE in popup.inner_text(), f"the popup shows {popup.inner_text()!r}"
    assert popup.locator(INJECTED).count() == 0
    assert h.no_script_ran(page)


def test_registration_page(page, xss_id):
    page.goto(f"/registraties/{xss_id}")
    assert page.locator("h1").inner_text().strip() == data.XSS_TITLE
    _assert_inert(page, "the registration page", (data.XSS_TITLE, data.XSS_SUMMARY, data.XSS_PURPOSE))


def test_search_page(page, xss_id):
    page.goto("/zoeken?q=XSS")
    assert xss_id in h.public_ids(page, "main")
    _assert_inert(page, "the search page")


def test_search_page_echoes_a_hostile_query_inertly(page):
    query = '"><script>window.__xss=1</script><img src=x onerror=window.__xss=1>'
    page.goto(f"/zoeken?q={query.replace('#', '%23')}")
    assert h.no_script_ran(page)
    assert page.locator(f"main {INJECTED}").count() == 0
    page.goto(f"/zoeken-plek?q={query}")
    assert h.no_script_ran(page)
    assert page.locator(f"main {INJECTED}").count() == 0


def test_organisation_page(page, xss_id):
    page.goto(h.ORGANISATION)
    ids = h.public_ids(page, "main")
    if xss_id not in ids:  # a long list may be paged or searched; look the item up within the organisation
        page.goto(f"{h.ORGANISATION}?q=XSS")
        ids = h.public_ids(page, "main")
    assert xss_id in ids, "the organisation page does not list the XSS sensor"
    _assert_inert(page, "the organisation page")
