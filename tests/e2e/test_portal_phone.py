"""At phone width (390 px) the pages reflow: no sideways scrolling, and the place page still answers."""

import pytest

from tests.e2e import helpers as h

PATHS = ["/", h.PLACE, h.REGISTRATION, h.ORGANISATION, h.SEARCH]


@pytest.mark.parametrize("path", PATHS)
def test_no_sideways_scrolling(phone_page, path):
    phone_page.goto(path)
    phone_page.wait_for_load_state("networkidle")
    overflow = phone_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    wide = phone_page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed'
                     && !e.closest('#map, .table-scroll, [data-scroll]'))
        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                         (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))""")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 390 px; too wide: {wide}"


def test_the_place_page_answers_on_a_phone(phone_page):
    phone_page.goto(h.PLACE)
    assert set(h.STRATUMSEIND_SENSORS) <= h.public_ids(phone_page, "#sensor-list")
    assert h.wait_for_markers(phone_page) > 0
    h.topmost_marker(phone_page).tap()
    phone_page.locator(h.POPUP).wait_for(state="visible")
