"""API fixtures: an app on the test database, a client, and helpers to publish items quickly."""

import pytest

from register.registrations import service
from tests.factories import payload
from zichtbaar.app import create_app
from zichtbaar.config import Config


@pytest.fixture
def app(db):
    application = create_app(Config(database_url=db.url, testing=True, secret_key="test",
                                    api_rate_limit="10000 per minute"))
    yield application
    application.extensions["zichtbaar.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def publish(db, actors):
    """publish(kind, **overrides) -> public id: create, submit and publish through the services."""

    def _publish(kind="sensor", editor="editor_a", approver="approver_a", **overrides):
        with db.unit_of_work() as s:
            pid = service.create(session=s, actor=actors[editor], data=payload(kind, **overrides)).registration.public_id
            service.submit(session=s, actor=actors[editor], public_id=pid)
            service.publish(session=s, actor=actors[approver], public_id=pid, change_note="Nieuw.")
        return pid

    return _publish
