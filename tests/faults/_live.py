"""Helpers the fault scenarios share: a prepared database, gunicorn as production starts it, HTTP calls."""

import http.client
import json
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from api.conventions import camelize
from bench._servers import ROOT, Server, free_port, worker_pids  # noqa: F401  (re-exported for the scenarios)
from register import audit, migrate
from register.accounts import tokens
from register.db import Database
from register.organisations.service import get_by_code
from register.registrations.models import (
    AgreementDetails,
    AlgorithmDetails,
    Registration,
    RegistrationVersion,
    SensorDetails,
)
from tests import factories

SEED_DATA = ROOT / "seed_data"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
ORG = "gm0772"


@dataclass
class Prepared:
    url: str
    editor: str  # token secrets: the editor's token was made by the org admin, the approver's by the site admin
    approver: str


def prepare(url: str) -> Prepared:
    """Migrate an empty database, add the small real base and two API tokens of Eindhoven."""
    db = Database(url)
    migrate.upgrade(db.url)
    with db.unit_of_work() as s:
        factories.base(s, SEED_DATA)
    with db.unit_of_work() as s:
        actors = factories.actors(s)
        org = get_by_code(session=s, code=ORG)
        _t, editor = tokens.create_token(session=s, actor=actors["admin_a"], organisation=org, role="editor",
                                         name="Zaaksysteem")
        _t, approver = tokens.create_token(session=s, actor=actors["site_admin"], organisation=org,
                                           role="approver", name="Privacysysteem")
    db.dispose()
    return Prepared(url=url, editor=editor, approver=approver)


def gunicorn(url: str, log: Path, workers: int = 2, threads: int = 2) -> Server:
    """zichtbaar.wsgi:app under gunicorn with zichtbaar/gunicorn_conf.py, as production starts it."""
    if not GUNICORN.exists():
        raise RuntimeError(f"{GUNICORN} is missing; run make install")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEB_CONCURRENCY", "GUNICORN_THREADS")}
    env.update(DATABASE_URL=url, SECRET_KEY="faults-fixed-secret-key-not-for-production",
               ZICHTBAAR_ENV="production", API_RATE_LIMIT="1000000 per minute", WEB_CONCURRENCY=str(workers),
               GUNICORN_THREADS=str(threads))
    argv = [str(GUNICORN), "--config", "zichtbaar/gunicorn_conf.py", "--bind", f"127.0.0.1:{port}",
            "zichtbaar.wsgi:app"]
    server = Server("gunicorn", argv, env, port, "/health", log)
    try:
        server.wait_ready(timeout=90)
    except SystemExit as exc:  # bench's helper exits; a test wants an error with the log
        server.stop()
        raise RuntimeError(f"{exc}\n{tail(log)}") from None
    return server


def tail(log: Path, lines: int = 40) -> str:
    """The end of a server log, for failure messages."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Answer:
    status: int | None  # None: no answer (connection refused or reset, timed out)
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    error: str = ""

    def json(self):
        return json.loads(self.body)


def call(base: str, method: str, path: str, body=None, token: str | None = None, timeout: float = 30) -> Answer:
    """One HTTP request; every outcome, including no answer at all, is returned rather than raised."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        try:
            return Answer(exc.code, dict(exc.headers), exc.read())
        except (OSError, http.client.HTTPException) as cut:  # an answer cut off is no answer
            return Answer(None, error=f"{type(cut).__name__}: {cut}")
    except (OSError, http.client.HTTPException) as exc:  # reset or cut off by a killed worker, refused, timeout
        return Answer(None, error=f"{type(exc).__name__}: {exc}")


def registration_body(n: str) -> dict:
    """A valid sensor registration for the organisation API (camelCase, without organisation)."""
    data = factories.payload("sensor", title=f"Fout-scenario {n}")
    data.pop("organisation")
    return camelize(data)


def wait_for(predicate, timeout: float, interval: float = 0.2):
    """Poll until predicate() is truthy; return its value, or None after the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


class Clients:
    """Threads that run `step(i, n)` in a loop until stopped; each step records its own outcomes."""

    def __init__(self, count: int, step):
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(i, step), daemon=True) for i in range(count)]

    def _run(self, i, step):
        n = 0
        try:
            while not self.stop.is_set():
                step(i, n)
                n += 1
        except BaseException as exc:  # surfaced by join(), so a broken client fails the test
            self.errors.append(exc)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        if self.errors and exc[0] is None:
            raise self.errors[0]


def assert_whole(db: Database, acknowledged: set[str]) -> None:
    """Every acknowledged registration is there; none is there in part; the audit chains verify."""
    from sqlalchemy import func
    from sqlmodel import select

    from register.audit.models import AuditEntry

    with db.unit_of_work(write=False) as s:
        registrations = {r.public_id: r for r in s.exec(select(Registration))}
        assert acknowledged <= registrations.keys(), acknowledged - registrations.keys()
        ids = {r.id for r in registrations.values()}
        details = {model: set(s.exec(select(model.registration_id)))
                   for model in (SensorDetails, AlgorithmDetails, AgreementDetails)}
        versions = dict(s.exec(select(RegistrationVersion.registration_id, func.count())
                               .group_by(RegistrationVersion.registration_id)).all())
        created = set(s.exec(select(AuditEntry.entity_id).where(AuditEntry.action == "registration.create")))
        for pid, r in registrations.items():
            assert sum(r.id in found for found in details.values()) == 1, pid  # exactly its kind's row
            assert versions.get(r.id, 0) == r.version_count, pid
        assert all(found <= ids for found in details.values()) and set(versions) <= ids  # no orphans
        assert created == set(registrations)  # an audit entry for each, and none for what is not there
        assert audit.verify(session=s) == []
