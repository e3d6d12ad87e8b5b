"""A citizen's way through the portal in a real browser: search, place page, map, legend, language, history."""

import re

from tests.e2e import helpers as h


def test_postcode_search_leads_to_the_place_page_with_stratumseinds_sensors(page):
    page.goto("/")
    page.locator("#search #q").fill(h.POSTCODE)
    with page.expect_navigation(url=re.compile(r"/plek\?")):
        page.locator("#search [type=submit]").click()
    listed = h.public_ids(page, "#sensor-list")
    assert set(h.STRATUMSEIND_SENSORS) <= listed, f"missing from the list: {set(h.STRATUMSEIND_SENSORS) - listed}"
    applicable = h.public_ids(page, h.APPLICABLE)
    assert set(h.EINDHOVEN_ALGORITHMS) <= applicable, f"missing Eindhoven items: {set(h.EINDHOVEN_ALGORITHMS) - applicable}"
    assert h.wait_for_markers(page) > 0


def test_the_map_shows_the_listed_sensors_and_a_marker_opens_its_summary(page):
    page.goto(h.PLACE)
    assert h.wait_for_markers(page) >= len(h.STRATUMSEIND_SENSORS)
    h.topmost_marker(page).click()
    popup = page.locator(h.POPUP)
    popup.wait_for(state="visible")
    link = popup.locator("a[href*='/registraties/']").first
    href = link.get_attribute("href")
    public_id = re.search(r"/registraties/([A-Z]+-[A-Z0-9]+-[0-9]+)", href).group(1)
    title = page.locator(f"#sensor-list li.sensor:has(a[href$='/registraties/{public_id}'])").first
    assert title.count() == 1, f"the popup's item {public_id} is not in the list alternative"
    # The popup names the item as the list does (the list may add more, such as the distance).
    list_title = title.locator(f"a[href$='/registraties/{public_id}']").first.inner_text().strip()
    assert list_title and list_title in popup.inner_text()
    link.click()
    page.wait_for_url(re.compile(rf"/registraties/{public_id}$"))
    assert page.locator("h1").inner_text().strip() == list_title


def test_the_legend_filter_hides_a_type_and_shows_it_again(page):
    page.goto(h.PLACE)
    h.wait_for_markers(page)
    before = h.visible_markers(page)
    types = page.locator("#sensor-list li.sensor").evaluate_all("els => els.map(e => e.dataset.type)")
    shown_type = max(set(types), key=types.count)  # the most common type near Stratumseind
    box = page.locator(f"#legend input[type=checkbox][name=type][value='{shown_type}']")
    assert box.is_checked()
    box.uncheck()
    page.wait_for_function(f"() => document.querySelectorAll('{h.MARKER}').length === 0 || "
                           f"[...document.querySelectorAll('{h.MARKER}')].filter(e => e.getClientRects().length)"
                           f".length < {before}")
    after = h.visible_markers(page)
    assert after < before, f"unchecking {shown_type} left {after} of {before} markers"
    box.check()
    page.wait_for_function(f"() => [...document.querySelectorAll('{h.MARKER}')]"
                           f".filter(e => e.getClientRects().length).length >= {before}")


def test_the_radius_form_narrows_the_place_page(page):
    page.goto(h.PLACE)
    at_500 = page.locator("#sensor-list li.sensor").count()
    page.locator("#radius-form select[name=r]").select_option("100")
    if "r=100" not in page.url:  # without a change handler, the form's own button submits it
        page.locator("#radius-form [type=submit]").click()
    page.wait_for_url(re.compile(r"[?&]r=100\b"))
    assert page.locator("#radius-form select[name=r]").input_value() == "100"
    assert 0 < page.locator("#sensor-list li.sensor").count() < at_500


def test_the_language_switch_turns_the_page_english_and_back(page):
    page.goto(h.PLACE)
    assert page.locator("html").get_attribute("lang") == "nl"
    page.locator(".language-switch a").first.click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "/plek" in page.url, "the switch should come back to the same page"
    assert set(h.STRATUMSEIND_SENSORS) <= h.public_ids(page, "#sensor-list")
    page.locator(".language-switch a").first.click()
    page.wait_for_function("() => document.documentElement.lang === 'nl'")


def test_a_registration_page_shows_its_title_and_history(page):
    page.goto(h.REGISTRATION)
    assert "Stratumseind" in page.locator("h1").inner_text()
    versions = page.locator(h.VERSIONS)
    assert versions.count() >= 1
    assert versions.first.is_visible()


def test_the_start_page_offers_search_and_location(page):
    page.goto("/")
    assert page.locator("label[for=q]").count() == 1
    assert page.locator("#use-location").is_visible()
    assert page.locator(".map-frame#map, .map-frame #map").is_visible()
