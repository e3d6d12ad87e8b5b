"""Fault (c): the SQLite database's disk is full, or read-only.

The database lives on a small tmpfs of its own (mounted here; the tests run as root in CI). Full: a
filler file takes the last free space while gunicorn runs. Read-only: the kernel refuses to remount a
file system read-only while a process has a file open for writing (EBUSY), so gunicorn is started on a
read-only bind mount of the same file system instead (an operator's read-only volume, or a restart after
the kernel remounted a failing disk read-only); the test keeps a connection open on the writable side so
SQLite's WAL index exists for the readers. Either way: writes get a clear 503 problem+json, reads keep
working, nothing is half-written; once space returns or the mount is writable again, writes work again
without a restart, PRAGMA integrity_check is ok and the audit chains verify.
"""

import contextlib
import errno
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from register.db import Database
from tests.faults import _live

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
RECOVERY_SECONDS = 30
READS = {"api list": "/api/v1/registrations", "portal": "/zoeken"}


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


@pytest.fixture
def tmpfs():
    """A 16 MB tmpfs of its own; skipped where mounting is not permitted (no CAP_SYS_ADMIN)."""
    where = Path(tempfile.mkdtemp(prefix="zb-disk-"))
    (where / "rw").mkdir()
    done = _mount("-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", str(where / "rw"))
    if done.returncode:
        os.rmdir(where / "rw")
        os.rmdir(where)
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield where
    for mount_point in (where / "ro", where / "rw"):
        mounted = mount_point.exists() and os.path.ismount(mount_point)
        if mounted and subprocess.run(["umount", str(mount_point)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)
        with contextlib.suppress(OSError):
            mount_point.rmdir()
    with contextlib.suppress(OSError):
        where.rmdir()


def _write(base: str, token: str, n: str) -> _live.Answer:
    return _live.call(base, "POST", f"/api/v1/organisations/{_live.ORG}/registrations",
                      _live.registration_body(n), token=token)


def _assert_refused(answer: _live.Answer, title: str) -> None:
    assert answer.status == 503, (answer.status, answer.body[:300])
    assert answer.headers["Content-Type"] == "application/problem+json"
    doc = answer.json()
    assert doc["title"] == title and "Nothing was changed" in doc["detail"], doc
    assert int(answer.headers["Retry-After"]) > 0


def _assert_reads_work(base: str) -> None:
    for what, path in READS.items():
        answer = _live.call(base, "GET", path)
        assert answer.status == 200, (what, answer.status, answer.body[:300])


def _assert_sound(path: Path, acknowledged: set[str]) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db = Database(f"sqlite:///{path}")
    try:
        _live.assert_whole(db, acknowledged)
    finally:
        db.dispose()


def _fill(directory: Path) -> Path:
    """Take every free byte of the file system with a filler file."""
    filler = directory / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def test_full_disk_answers_503_and_recovers(tmpfs, tmp_path):
    path = tmpfs / "rw" / "register.sqlite3"
    prepared = _live.prepare(f"sqlite:///{path}")
    acknowledged: set[str] = set()
    server = _live.gunicorn(f"sqlite:///{path}", tmp_path / "gunicorn.log", workers=2)
    try:
        for n in range(3):
            answer = _write(server.base, prepared.editor, f"vol-{n}")
            assert answer.status == 201, answer.body[:300]
            acknowledged.add(answer.json()["publicId"])
        filler = _fill(tmpfs / "rw")
        refused = None
        for n in range(50):  # SQLite may still have room in its WAL file for a write or two
            answer = _write(server.base, prepared.editor, f"vol-{n}")
            assert answer.status in (201, 503), (answer.status, answer.body[:300])
            if answer.status == 201:
                acknowledged.add(answer.json()["publicId"])
            else:
                refused = answer
                break
        assert refused is not None, "the full disk never refused a write"
        _assert_refused(refused, "Storage full")
        _assert_refused(_write(server.base, prepared.editor, "nog eens"), "Storage full")
        _assert_reads_work(server.base)
        filler.unlink()
        recovered = _live.wait_for(lambda: _write(server.base, prepared.editor, "weer ruimte"), RECOVERY_SECONDS)
        answer = _write(server.base, prepared.editor, "weer ruimte")
        assert recovered and answer.status == 201, (answer.status, answer.body[:300], _live.tail(server.log))
        acknowledged.add(answer.json()["publicId"])
        assert " 500 " not in server.log.read_text()
    finally:
        server.stop()
    _assert_sound(path, acknowledged)


def test_read_only_disk_answers_503_and_recovers(tmpfs, tmp_path):
    rw, ro = tmpfs / "rw" / "register.sqlite3", tmpfs / "ro" / "register.sqlite3"
    prepared = _live.prepare(f"sqlite:///{rw}")
    keeper = sqlite3.connect(rw)  # holds the WAL index (-shm) open, as a writer on the writable side would
    keeper.execute("PRAGMA journal_mode=WAL").fetchall()
    keeper.execute("SELECT count(*) FROM registration").fetchall()
    (tmpfs / "ro").mkdir()
    for args in (("--bind", str(tmpfs / "rw"), str(tmpfs / "ro")), ("-o", "remount,ro,bind", str(tmpfs / "ro"))):
        done = _mount(*args)
        assert done.returncode == 0, done.stderr
    with pytest.raises(OSError) as refused_by_kernel:  # the mount really is read-only
        (tmpfs / "ro" / "probe").write_text("x")
    assert refused_by_kernel.value.errno == errno.EROFS
    acknowledged: set[str] = set()
    server = _live.gunicorn(f"sqlite:///{ro}", tmp_path / "gunicorn.log", workers=2)
    try:
        _assert_reads_work(server.base)
        for n in range(3):
            _assert_refused(_write(server.base, prepared.editor, f"ro-{n}"), "Storage read-only")
        _assert_reads_work(server.base)
        done = _mount("-o", "remount,rw,bind", str(tmpfs / "ro"))
        assert done.returncode == 0, done.stderr

        def writes():
            answer = _write(server.base, prepared.editor, "weer schrijfbaar")
            assert answer.status in (201, 503), (answer.status, answer.body[:300])
            return answer if answer.status == 201 else None

        answer = _live.wait_for(writes, RECOVERY_SECONDS)
        assert answer, f"writes did not work again: {_live.tail(server.log)}"
        acknowledged.add(answer.json()["publicId"])
        _assert_reads_work(server.base)
        assert " 500 " not in server.log.read_text()
    finally:
        server.stop()
        keeper.close()
    _assert_sound(rw, acknowledged)
