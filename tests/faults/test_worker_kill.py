"""Fault (a): gunicorn workers killed with SIGKILL in the middle of writes.

Client threads keep creating, submitting and publishing registrations through the organisation API while
workers are killed, three times. Afterwards every acknowledged write is there completely, nothing is
there in part, the audit chains verify, and the master has started new workers that serve.
"""

import os
import signal
import threading
import time

import pytest
from sqlmodel import select

from register.db import Database
from register.registrations.models import Registration
from tests.conftest import _drop_everything, _sibling_database
from tests.faults import _live

pytestmark = pytest.mark.db
KILLS = 3
WRITES_BETWEEN_KILLS = 6


@pytest.fixture
def url(tmp_path):
    """A database of its own: a SQLite file, or in the PostgreSQL phase a sibling of the test database."""
    if os.environ.get("ZICHTBAAR_TEST_DB") == "postgres":
        url = _sibling_database(os.environ["TEST_DATABASE_URL"], "faults")
        db = Database(url)
        _drop_everything(db)
        db.dispose()
        return url
    return f"sqlite:///{tmp_path / 'kill.sqlite3'}"


def test_sigkill_mid_write_loses_no_acknowledged_write(url, tmp_path):
    prepared = _live.prepare(url)
    acknowledged: dict[str, set[str]] = {"create": set(), "submit": set(), "publish": set()}
    lock = threading.Lock()
    unanswered = []

    def write(i, n):
        base = server.base
        created = _live.call(base, "POST", f"/api/v1/organisations/{_live.ORG}/registrations",
                             _live.registration_body(f"{i}-{n}"), token=prepared.editor)
        if created.status != 201:
            unanswered.append(created.status or created.error)
            return
        pid = created.json()["publicId"]
        with lock:
            acknowledged["create"].add(pid)
        if _live.call(base, "POST", f"/api/v1/registrations/{pid}/submit", token=prepared.editor).status == 200:
            with lock:
                acknowledged["submit"].add(pid)
            published = _live.call(base, "POST", f"/api/v1/registrations/{pid}/publish",
                                   {"changeNote": "Eerste publicatie."}, token=prepared.approver)
            if published.status == 201:
                with lock:
                    acknowledged["publish"].add(pid)

    def done() -> int:
        with lock:
            return len(acknowledged["create"])

    server = _live.gunicorn(url, tmp_path / "gunicorn.log", workers=2, threads=2)
    killed: list[int] = []
    try:
        with _live.Clients(4, write):
            for _ in range(KILLS):
                target = done() + WRITES_BETWEEN_KILLS
                assert _live.wait_for(lambda t=target: done() >= t, timeout=60), _live.tail(server.log)
                workers = _live.worker_pids(server.process.pid)
                assert workers, "gunicorn has no workers"
                victim = workers[len(killed) % len(workers)]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            target = done() + WRITES_BETWEEN_KILLS  # the respawned workers take writes again
            assert _live.wait_for(lambda: done() >= target, timeout=60), _live.tail(server.log)
        time.sleep(0.5)
        respawned = _live.wait_for(lambda: len(set(_live.worker_pids(server.process.pid)) - set(killed)) >= 2, 30)
        assert respawned, f"the master did not start new workers: {_live.tail(server.log)}"
        assert not set(_live.worker_pids(server.process.pid)) & set(killed)
        assert _live.call(server.base, "GET", "/health").status == 200
    finally:
        server.stop()

    db = Database(url)
    try:
        _live.assert_whole(db, acknowledged["create"])  # all acknowledged creates; nothing in part; chains
        with db.unit_of_work(write=False) as s:
            states = dict(s.exec(select(Registration.public_id, Registration.state)).all())
        assert all(states[pid] in ("in_review", "published") for pid in acknowledged["submit"])
        assert all(states[pid] == "published" for pid in acknowledged["publish"])
    finally:
        db.dispose()
    assert len(killed) == KILLS and len(acknowledged["create"]) >= (KILLS + 1) * WRITES_BETWEEN_KILLS
    print(f"\nacknowledged: {', '.join(f'{k} {len(v)}' for k, v in acknowledged.items())}; "
          f"unanswered or refused creates: {len(unanswered)}; workers killed: {killed}")
