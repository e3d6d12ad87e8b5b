"""axe-core finds no serious or critical WCAG 2.1 A/AA violation on the citizens' pages."""

import pytest

from tests.e2e import axe
from tests.e2e import helpers as h
from tests.e2e.browser import PHONE

PAGES = {
    "start": "/",
    "place": h.PLACE,
    "registration": h.REGISTRATION,
    "organisation": h.ORGANISATION,
    "search": h.SEARCH,
}


def _settle(page, name: str) -> None:
    # Check the page as a visitor sees it: with its markers drawn where there is a map with sensors.
    page.wait_for_load_state("networkidle")
    if name == "place":
        h.wait_for_markers(page)


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_violations_at_desktop_width(page, name):
    page.goto(PAGES[name])
    _settle(page, name)
    violations = axe.severe_violations(page)
    assert not violations, f"{PAGES[name]}:\n{axe.describe(violations)}"


@pytest.mark.parametrize("name", ["start", "place"])
def test_no_serious_violations_at_phone_width(guarded_page, name):
    page, _ = guarded_page(PHONE, is_mobile=True, has_touch=True)
    page.goto(PAGES[name])
    _settle(page, name)
    violations = axe.severe_violations(page)
    assert not violations, f"{PAGES[name]} at phone width:\n{axe.describe(violations)}"


def test_no_serious_violations_with_a_map_popup_open(page):
    page.goto(h.PLACE)
    h.wait_for_markers(page)
    h.topmost_marker(page).click()
    page.locator(h.POPUP).wait_for(state="visible")
    violations = axe.severe_violations(page)
    assert not violations, f"{h.PLACE} with a popup open:\n{axe.describe(violations)}"
