"""Fault (b): PostgreSQL restarted under load.

A private PostgreSQL cluster (initdb in a temporary directory, a free port: the shared server is never
touched) serves gunicorn while client threads read the API, near-me and a portal page and write through
the organisation API. The cluster is stopped twice (fast, then immediate: a crash) for a few seconds.
During each outage every answer is a clean 503 (problem+json on the API, an HTML page on the portal,
Retry-After on both), never a 500 and never a hang; afterwards the service answers 200 again by itself.
"""

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import select

from register import audit
from register.db import Database
from register.registrations.models import Registration
from tests.faults import _live

OUTAGE_SECONDS = 4
RECOVERY_SECONDS = 30  # generous: a loaded machine
REQUEST_TIMEOUT = 25  # longer than any request may take; a hang shows as no answer
READS = {"api list": "/api/v1/registrations", "near-me": "/api/v1/near-me?near=51.4386,5.4820",
         "portal": "/zoeken"}


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Cluster:
    """A throw-away PostgreSQL cluster, run as the postgres user when the tests run as root."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="zb-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.port = _live.free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def run(self, tool: str, *args: str) -> None:
        argv = [str(self.bin / tool), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):  # best effort while cleaning up after a failure
                self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.skip("PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin)")
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        pytest.skip("running as root without runuser or a postgres user: PostgreSQL refuses to run as root")
    made = Cluster(bin_dir)
    try:
        made.start()
        engine = create_engine(made.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE zichtbaar"))
        engine.dispose()
        yield made
    finally:
        made.remove()


def test_postgres_restart_under_load(cluster, tmp_path):
    url = cluster.url("zichtbaar")
    prepared = _live.prepare(url)
    phase = {"now": "before"}
    answers: list[tuple[str, str, str, _live.Answer]] = []  # phase at start, phase at end, what, answer
    acknowledged: set[str] = set()
    lock = threading.Lock()
    server = _live.gunicorn(url, tmp_path / "gunicorn.log", workers=2, threads=4)

    def record(what: str, started: str, answer: _live.Answer) -> None:
        with lock:
            answers.append((started, phase["now"], what, answer))

    def read(i, n):
        what = list(READS)[(i + n) % len(READS)]
        started = phase["now"]
        record(what, started, _live.call(server.base, "GET", READS[what], timeout=REQUEST_TIMEOUT))
        time.sleep(0.05)

    def write(i, n):
        started = phase["now"]
        answer = _live.call(server.base, "POST", f"/api/v1/organisations/{_live.ORG}/registrations",
                            _live.registration_body(f"pg-{i}-{n}"), token=prepared.editor, timeout=REQUEST_TIMEOUT)
        record("write", started, answer)
        if answer.status == 201:
            with lock:
                acknowledged.add(answer.json()["publicId"])
        time.sleep(0.05)

    def seen(what: str, in_phase: str, status: int) -> bool:
        with lock:
            return any(w == what and a.status == status and s == e == in_phase for s, e, w, a in answers)

    try:
        with _live.Clients(3, read), _live.Clients(1, write):
            assert _live.wait_for(lambda: all(seen(w, "before", 200) for w in READS), 60), _live.tail(server.log)
            for mode in ("fast", "immediate"):
                cluster.stop(mode)
                phase["now"] = f"outage {mode}"
                time.sleep(OUTAGE_SECONDS)
                phase["now"] = f"starting {mode}"
                cluster.start()
                phase["now"] = f"after {mode}"
                recovered = _live.wait_for(lambda m=mode: all(seen(w, f"after {m}", 200) for w in READS)
                                           and seen("write", f"after {m}", 201), RECOVERY_SECONDS)
                assert recovered, f"no recovery after the {mode} restart:\n{_live.tail(server.log)}"
    finally:
        server.stop()

    no_answer = [(s, w, a.error) for s, e, w, a in answers if a.status is None]
    assert no_answer == [], no_answer  # never a hang or a dropped connection
    assert [(s, w) for s, e, w, a in answers if a.status == 500] == []
    for mode in ("fast", "immediate"):
        during = [(w, a) for s, e, w, a in answers if s == e == f"outage {mode}"]
        assert {w for w, _ in during} == {*READS, "write"}, f"too few requests during the {mode} outage"
        for what, answer in during:
            assert answer.status == 503, (mode, what, answer.status, answer.body[:300])
            assert int(answer.headers["Retry-After"]) > 0
            if what == "portal":
                assert answer.headers["Content-Type"].startswith("text/html")
                assert "Het register is even niet beschikbaar" in answer.body.decode()
            else:
                assert answer.headers["Content-Type"] == "application/problem+json"
                doc = answer.json()
                assert doc["status"] == 503 and doc["title"] == "Database unavailable" and doc["detail"]
    db = Database(url)
    try:
        with db.unit_of_work(write=False) as s:  # what was acknowledged survived the crash
            assert acknowledged <= set(s.exec(select(Registration.public_id)))
            assert audit.verify(session=s) == []
    finally:
        db.dispose()
    counts = Counter(a.status for *_rest, a in answers)
    print(f"\nanswers by status: {counts}; acknowledged writes: {len(acknowledged)}")
