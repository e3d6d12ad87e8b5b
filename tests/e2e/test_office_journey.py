"""The back-office journey in a real browser: register a sensor on the map, fix errors, publish, withdraw."""

import re

from tests.e2e import helpers as h


def sign_in(page, account):
    page.goto("/beheer/inloggen")
    page.locator("#email").fill(account["email"])
    page.locator("#password").fill(account["password"])
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    assert "/inloggen" not in page.url, "sign-in failed"


def test_editor_registers_a_sensor_on_the_map_and_an_approver_publishes_and_withdraws_it(new_context, e2e_accounts):
    editor_context, _ = new_context()
    page = editor_context.new_page()
    sign_in(page, e2e_accounts["editor"])
    page.goto("/beheer/registraties/nieuw/sensor")

    # Clicking the map (it opens on Eindhoven's own area) fills in latitude and longitude.
    the_map = page.locator("#location-map")
    the_map.wait_for(state="visible")
    page.wait_for_function("() => document.querySelectorAll('#location-map .leaflet-tile-loaded').length > 0")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_function("() => document.querySelector('#field-sensor-lat').value !== ''")
    lat = float(page.locator("#field-sensor-lat").input_value())
    lon = float(page.locator("#field-sensor-lon").input_value())
    assert 51.3 < lat < 51.6 and 5.3 < lon < 5.6, (lat, lon)

    # Saving with most fields empty shows every error at once, and keeps what was typed.
    page.locator("#field-title").fill("E2E geluidsmeter Markt")
    with page.expect_navigation():
        page.locator("#registration-form button[name=save]:not(.visually-hidden)").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.locator("li").count() >= 8
    assert page.locator("#error-summary-title").inner_text()
    assert page.locator("#error-summary a[href='#field-summary']").count() == 1
    assert page.locator("#error-summary-title + ul a[href='#field-sensor-sensor_type']").count() == 1
    assert page.locator("#field-title").input_value() == "E2E geluidsmeter Markt"
    assert float(page.locator("#field-sensor-lat").input_value()) == lat

    # Fixing the errors saves a draft.
    page.locator("#field-summary").fill("Deze meter meet hoe hard het geluid is. Hij neemt geen gesprekken op.")
    page.locator("#field-purpose").fill("Overlast op tijd zien.")
    page.locator("#field-themes-0").check()
    page.locator("#field-gdpr_ground").select_option("no_personal_data")
    page.locator("#field-personal_data").select_option("none")
    page.locator("#field-lifecycle").select_option("in_use")
    page.locator("#field-contact").fill("privacy@eindhoven.invalid")
    page.locator("#field-openness").select_option("public")
    page.locator("#field-sensor-sensor_type").select_option("sound_meter")
    page.locator("#field-sensor-measures").fill("Geluidsniveau in decibel")
    page.locator("#field-sensor-identifiability").select_option("none")
    with page.expect_navigation():
        page.locator("#registration-form button[name=save]:not(.visually-hidden)").click()
    assert page.locator("#error-summary").count() == 0
    match = re.search(r"/beheer/registraties/(SEN-GM0772-\d+)$", page.url)
    assert match, page.url
    public_id = match.group(1)

    # The editor submits it for review; an editor cannot publish.
    assert page.locator("#publish-form").count() == 0
    with page.expect_navigation():
        page.locator("#submit-form button[type=submit]").click()
    assert page.locator("#registration-state").get_attribute("data-state") == "in_review"

    # An approver of the same organisation publishes it with a public change note.
    approver_context, _ = new_context()
    approver = approver_context.new_page()
    sign_in(approver, e2e_accounts["approver"])
    approver.goto(f"/beheer/registraties/{public_id}")
    approver.locator("#publish-change_note").fill("Nieuwe geluidsmeter op de Markt.")
    with approver.expect_navigation():
        approver.locator("#publish-form button[type=submit]").click()
    assert approver.locator("#registration-state").get_attribute("data-state") == "published"
    assert approver.locator("#withdraw-form").count() == 1

    # The sensor is on the public map (and in its list alternative) at the clicked spot.
    public = new_context()[0].new_page()
    with public.expect_response(lambda r: "/api/v1/sensors?bbox=" in r.url and r.ok) as loaded:
        public.goto(f"/plek?lat={lat}&lon={lon}&r=250")
    assert public_id in h.public_ids(public, "#sensor-list")
    assert public_id in loaded.value.text()  # the map's own data for this viewport holds it
    h.wait_for_markers(public)

    # Withdrawing it shows the public reason on its public page.
    approver.locator("#withdraw-reason").fill("De meter is verplaatst naar het Stationsplein.")
    with approver.expect_navigation():
        approver.locator("#withdraw-form button[type=submit]").click()
    public.goto(f"/registraties/{public_id}")
    assert "De meter is verplaatst naar het Stationsplein." in public.locator("main").inner_text()
