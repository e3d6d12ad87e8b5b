"""Portal fixtures: an app on the test database, a client, and clients signed in per test account."""

import pytest
from flask_login.utils import _create_identifier
from sqlmodel import select

from register.accounts.models import User
from register.registrations import service
from tests.factories import payload
from zichtbaar.app import create_app
from zichtbaar.config import Config

USER_AGENT = "pytest-portal"


@pytest.fixture
def app(db):
    application = create_app(Config(database_url=db.url, testing=True, secret_key="test",
                                    api_rate_limit="10000 per minute"))
    yield application
    application.extensions["zichtbaar.db"].dispose()


def _client(app):
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=USER_AGENT, REMOTE_ADDR="127.0.0.1")
    return client


@pytest.fixture
def client(app):
    """An anonymous visitor (CSRF is on, as in production)."""
    return _client(app)


@pytest.fixture
def signed_in(app, db):
    """signed_in("approver_a") -> a client whose session is that test account's (no password round trip)."""

    def _sign_in(key: str):
        with db.unit_of_work(write=False) as s:
            user_id = s.exec(select(User.id).where(User.email == f"{key}@test.invalid")).one()
        client = _client(app)
        with app.test_request_context(headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            identifier = _create_identifier()
        with client.session_transaction() as sess:
            sess.update({"_user_id": str(user_id), "_fresh": True, "_id": identifier})
        return client

    return _sign_in


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on a page (the session cookie keeps it valid for the next POST)."""
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def publish(db, actors):
    """publish(kind, **overrides) -> public id: create, submit and publish through the services."""

    def _publish(kind="sensor", editor="editor_a", approver="approver_a", **overrides):
        with db.unit_of_work() as s:
            pid = service.create(session=s, actor=actors[editor], data=payload(kind, **overrides)).registration.public_id
        with db.unit_of_work() as s:
            service.submit(session=s, actor=actors[editor], public_id=pid)
        with db.unit_of_work() as s:
            service.publish(session=s, actor=actors[approver], public_id=pid, change_note="Eerste publicatie")
        return pid

    return _publish
