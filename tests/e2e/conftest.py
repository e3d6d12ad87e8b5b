"""Browser-test fixtures: a live gunicorn server on a copy of the seeded database, and headless Chromium.

The seeded database is fetched with request.getfixturevalue inside a session fixture, so these tests do not
name a database fixture and are not marked `db`: the PostgreSQL re-run (`-m db`) never starts a browser.
"""

import os

import pytest

from register.db import Database
from tests.e2e import data
from tests.e2e.browser import CHROMIUM, DESKTOP, PHONE, NetworkGuard, launch
from tests.e2e.server import LiveServer


def _skip_reason() -> str | None:
    if os.environ.get("ZICHTBAAR_TEST_DB") == "postgres":
        return "browser tests run on SQLite only (the PostgreSQL re-run covers the database tests)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (`make test` installs Debian's chromium: apt-get install -y chromium)"
    return None


@pytest.fixture(scope="session")
def e2e_database(request, tmp_path_factory):
    """A writable copy of the seeded database, with test accounts and an XSS sensor; its file and facts."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    seeded, _report = request.getfixturevalue("seeded")
    if not seeded.is_sqlite:
        pytest.skip("browser tests need the SQLite seeded database")
    target = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    data.copy_sqlite(data.sqlite_file(seeded.url), target)
    database = Database(f"sqlite:///{target}")
    try:
        users = data.add_accounts(database)
        xss_id = data.add_xss_sensor(database)
    finally:
        database.dispose()
    return {"file": target, "accounts": users, "xss_id": xss_id}


@pytest.fixture(scope="session")
def e2e_accounts(e2e_database):
    """{"editor"|"approver": {"email", "password", "organisation", "role"}}: Eindhoven accounts on the live server."""
    return e2e_database["accounts"]


@pytest.fixture(scope="session")
def xss_id(e2e_database):
    """The public id of the published sensor near Stratumseind whose texts hold script payloads."""
    return e2e_database["xss_id"]


@pytest.fixture(scope="session")
def live_server(e2e_database, tmp_path_factory):
    """gunicorn serving the app on the database copy; `.base`, `.url(path)`, `.log_tail()`."""
    server = LiveServer(e2e_database["file"], tmp_path_factory.mktemp("e2e-log") / "gunicorn.log")
    try:
        server.wait_ready()
    except RuntimeError as exc:
        server.stop()
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(live_server):
    """One headless Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(viewport=DESKTOP, javascript=True, **options) -> (context, guard); closed after the test.

    Every context is guarded: tiles are answered locally, other hosts are refused, and the test fails at
    teardown when any page requested a host other than the app or the tile server, threw an uncaught script
    error, or had something refused by the Content-Security-Policy.
    """
    made = []

    def _new(viewport=DESKTOP, javascript=True, **options):
        options.setdefault("locale", "nl-NL")
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript,
                                      base_url=live_server.base, **options)
        context.set_default_timeout(15_000)
        guard = NetworkGuard(live_server.base)
        guard.attach(context)
        made.append((context, guard))
        return context, guard

    yield _new
    outside, errors = [], []
    for context, guard in made:
        outside += guard.outside()
        errors += guard.errors
        context.close()
    if outside:
        pytest.fail("pages requested hosts other than the app and the tile server:\n" + "\n".join(outside))
    if errors:
        pytest.fail("pages had script errors or CSP refusals:\n" + "\n".join(errors))


@pytest.fixture
def guarded_page(new_context):
    """guarded_page(viewport=DESKTOP, javascript=True) -> (page, guard)."""

    def _page(viewport=DESKTOP, javascript=True, **options):
        context, guard = new_context(viewport, javascript, **options)
        return context.new_page(), guard

    return _page


@pytest.fixture
def network(guarded_page):
    """(page, guard) at desktop width, for tests that inspect the requests."""
    return guarded_page()


@pytest.fixture
def page(network):
    """A desktop-width (1280×800) page with JavaScript."""
    return network[0]


@pytest.fixture
def phone_page(guarded_page):
    """A phone-width (390×844) page with JavaScript."""
    return guarded_page(PHONE, is_mobile=True, has_touch=True)[0]


@pytest.fixture
def js_disabled(guarded_page):
    """A desktop-width page with JavaScript switched off."""
    return guarded_page(javascript=False)[0]
