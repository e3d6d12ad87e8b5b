"""Without JavaScript, search and the list alternative still answer "what is collected here?"."""

import re

from tests.e2e import helpers as h


def test_search_and_the_list_work_without_javascript(js_disabled):
    page = js_disabled
    page.goto("/")
    page.locator("#search #q").fill(h.POSTCODE)
    with page.expect_navigation(url=re.compile(r"/plek\?")):
        page.locator("#search [type=submit]").click()
    assert set(h.STRATUMSEIND_SENSORS) <= h.public_ids(page, "#sensor-list")
    assert set(h.EINDHOVEN_ALGORITHMS) <= h.public_ids(page, h.APPLICABLE)
    # Each listed sensor says how identifiable its data is, in words as well as in colour.
    items = page.locator("#sensor-list li.sensor")
    kinds = items.evaluate_all("els => els.map(e => e.dataset.identifiability)")
    assert kinds and set(kinds) <= {"identifiable", "deidentified", "none"}
    assert page.locator(h.MARKER).count() == 0, "markers come from JavaScript; the list must stand alone"


def test_a_search_with_several_places_offers_a_choice_without_javascript(js_disabled):
    page = js_disabled
    page.goto("/zoeken-plek?q=Eindhoven")
    if "/plek?" not in page.url:  # several matches: a list of links to place pages
        links = page.locator("main a[href*='/plek?']")
        assert links.count() >= 1
        links.first.click()
        page.wait_for_url(re.compile(r"/plek\?"))
    assert page.locator("#sensor-list").count() == 1


def test_the_registration_page_and_its_history_work_without_javascript(js_disabled):
    page = js_disabled
    page.goto(h.REGISTRATION)
    assert "Stratumseind" in page.locator("h1").inner_text()
    assert page.locator(h.VERSIONS).count() >= 1


def test_the_radius_form_works_without_javascript(js_disabled):
    page = js_disabled
    page.goto(h.PLACE)
    page.locator("#radius-form select[name=r]").select_option("1000")
    page.locator("#radius-form [type=submit]").click()
    page.wait_for_url(re.compile(r"[?&]r=1000\b"))
    assert set(h.STRATUMSEIND_SENSORS) <= h.public_ids(page, "#sensor-list")
