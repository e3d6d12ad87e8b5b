"""Shared steps and facts for the portal browser tests."""

import re

from tests.factories import STRATUMSEIND

LAT, LON = STRATUMSEIND
PLACE = f"/plek?lat={LAT}&lon={LON}&r=500"
POSTCODE = "5611"  # Eindhoven's centre; its centroid lies about 200 m from Stratumseind
# From seed_data/illustrative/registrations.jsonl: published Eindhoven items on and about Stratumseind.
STRATUMSEIND_SENSORS = ["SEN-GM0772-0001", "SEN-GM0772-0002", "SEN-GM0772-0005", "SEN-GM0772-0006"]
EINDHOVEN_ALGORITHMS = ["ALG-GM0772-0001", "ALG-GM0772-0002"]
REGISTRATION = "/registraties/SEN-GM0772-0001"
ORGANISATION = "/organisaties/gm0772"
SEARCH = "/zoeken?q=Stratumseind"
# "What applies here": a section #applicable, or a heading #applicable followed by one section per organisation.
APPLICABLE = "section#applicable, #applicable ~ section.org-block"
VERSIONS = "#history li, #history tbody tr"  # the version history: a list or a table, one entry per version
MARKER = "#map .zb-marker"
POPUP = "#map .leaflet-popup-content"


def wait_for_markers(page, timeout: float = 15_000) -> int:
    """Wait until the map shows at least one marker (they load per viewport from the API); their number."""
    page.locator(MARKER).first.wait_for(state="visible", timeout=timeout)
    return page.locator(MARKER).count()


def visible_markers(page) -> int:
    """Markers that are drawn on the map now (a filtered type is removed or hidden)."""
    return page.locator(MARKER).evaluate_all(
        "els => els.filter(e => e.getClientRects().length && getComputedStyle(e).display !== 'none'"
        " && getComputedStyle(e).visibility !== 'hidden' && getComputedStyle(e).opacity !== '0').length")


def public_ids(page, selector: str) -> set[str]:
    """Public ids in the /registraties/<id> links inside the elements a selector (or selector list) finds."""
    links = ", ".join(f"{part.strip()} a[href*='/registraties/']" for part in selector.split(","))
    hrefs = page.locator(links).evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    return {m.group(1) for h in hrefs if (m := re.search(r"/registraties/([A-Z]+-[A-Z0-9]+-[0-9]+)", h))}


def no_script_ran(page) -> bool:
    """True when no payload set window.__xss."""
    return page.evaluate("() => typeof window.__xss === 'undefined'")


def topmost_marker(page):
    """A marker not covered by a neighbour (markers on one street overlap), so a real click reaches it."""
    page.locator("#map").scroll_into_view_if_needed()  # elementFromPoint sees only what is in the viewport
    index = page.locator(MARKER).evaluate_all("""els => els.findIndex(e => {
        const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return r.width > 0 && hit !== null && e.contains(hit);
    })""")
    assert index >= 0, "every marker on the map is covered by another"
    return page.locator(MARKER).nth(index)
