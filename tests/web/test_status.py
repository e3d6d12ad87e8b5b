"""The sign of life: /health checks the database; the status page shows counts per kind and state."""

import pytest

from register.registrations import service
from tests.factories import payload
from zichtbaar.app import create_app
from zichtbaar.config import Config


@pytest.fixture
def client(db):
    app = create_app(Config(database_url=db.url, testing=True, secret_key="test"))
    yield app.test_client()
    app.extensions["zichtbaar.db"].dispose()


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_health_is_503_when_the_database_is_gone():
    # Nothing listens on port 1 of the loopback: the connection is refused at once.
    app = create_app(Config(database_url="postgresql://nobody@127.0.0.1:1/none", testing=True, secret_key="t"))
    response = app.test_client().get("/health")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_status_page_counts_per_kind_and_state(client, db, actors):
    with db.unit_of_work() as s:
        service.create(session=s, actor=actors["editor_a"], data=payload("sensor"))
        service.create(session=s, actor=actors["editor_a"], data=payload("sensor"))
    page = client.get("/status").get_data(as_text=True)
    assert "Registraties per soort en status" in page
    row = page.split("Sensor</th>")[1].split("</tr>")[0]
    assert "<td>2</td>" in row
