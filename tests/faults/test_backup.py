"""Backup and restore (register/backup.py, `flask backup` / `flask restore`): the round trip yields an
identical register, and a damaged file is refused without changing anything."""

import gzip
import os

import pytest
from sqlalchemy import text

from register import audit, backup
from register.accounts import tokens
from register.db import Database
from register.organisations.service import get_by_code
from register.registrations import service
from register.reports import service as reports
from tests.conftest import _drop_everything, _sibling_database
from tests.factories import payload
from zichtbaar.app import create_app
from zichtbaar.config import Config

pytestmark = pytest.mark.db


def _varied(db, actors) -> None:
    """Every kind in every public state, revisions, drafts, a token and reports: what a register holds."""
    with db.unit_of_work() as s:
        ed, ap = actors["editor_a"], actors["approver_a"]
        published = []
        for kind in ("sensor", "algorithm", "agreement"):
            for n in range(3):
                pid = service.create(session=s, actor=ed, data=payload(kind, title=f"{kind} {n} – ë")).registration.public_id
                service.submit(session=s, actor=ed, public_id=pid)
                service.publish(session=s, actor=ap, public_id=pid, change_note=f"Nieuw {n}.")
                published.append(pid)
        service.withdraw(session=s, actor=ap, public_id=published[0], reason="Niet meer in gebruik.")
        service.archive(session=s, actor=ap, public_id=published[1], reason="Opgeruimd.")
        service.update(session=s, actor=ed, public_id=published[2], data=payload("sensor", title="Nieuwe titel"))
        service.submit(session=s, actor=ed, public_id=published[2])
        service.publish(session=s, actor=ap, public_id=published[2], change_note="Tweede versie.")
        service.update(session=s, actor=ed, public_id=published[3], data=payload("algorithm", title="In bewerking"))
        service.create(session=s, actor=actors["editor_b"], data=payload("sensor", organisation="gm0363"))
        token, _secret = tokens.create_token(session=s, actor=actors["admin_a"],
                                             organisation=get_by_code(session=s, code="gm0772"), role="editor",
                                             name="Zaaksysteem")
        tokens.revoke_token(session=s, actor=actors["site_admin"], token_id=token.id)
        tokens.create_token(session=s, actor=actors["admin_a"], organisation=get_by_code(session=s, code="gm0772"),
                            role="approver", name="Tweede")
        reports.submit(session=s, data={"kind": "error", "message": "Wat meet deze sensor precies?",
                                        "registration": published[4], "contact": "a@b.invalid"})
        reports.submit(session=s, data={"kind": "other", "message": "Een vraag aan de gemeente zelf.",
                                        "organisation": "gm0363", "lat": 52.37, "lon": 4.89})


def dump(database: Database) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by primary key, as the register reads them."""
    with database.engine.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(backup._ordered(t))] for t in backup.tables()}


@pytest.fixture
def fresh(database, tmp_path):
    """An empty database without any schema, beside the test database."""
    if database.is_sqlite:
        target = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    else:
        target = Database(_sibling_database(database.url, "restore"))
        _drop_everything(target)
    yield target
    target.dispose()


@pytest.fixture
def varied(db, actors):
    _varied(db, actors)
    return db


def test_round_trip_yields_an_identical_register(varied, fresh, tmp_path):
    first = backup.backup(varied, tmp_path / "one.zbk")
    assert first.counts["registration_version"] >= 11 and first.counts["report"] == 2
    assert first.counts["audit_entry"] > 30 and first.counts["api_token"] == 2
    restored = backup.restore(fresh, tmp_path / "one.zbk")
    assert restored.counts == first.counts
    original, copy = dump(varied), dump(fresh)
    assert [t for t in original if original[t] != copy[t]] == []
    assert all(original[t] == copy[t] for t in original) and sum(map(len, copy.values())) == first.rows
    with fresh.unit_of_work(write=False) as s:
        assert audit.verify(session=s) == []
    second = backup.backup(fresh, tmp_path / "two.zbk")
    assert second.sha256 == first.sha256 and second.counts == first.counts


def test_restored_register_keeps_working(varied, fresh, tmp_path, actors):
    # New rows after a restore get new ids (PostgreSQL sequences were moved past the restored ones).
    backup.backup(varied, tmp_path / "one.zbk")
    backup.restore(fresh, tmp_path / "one.zbk")
    with fresh.unit_of_work() as s:
        saved = service.create(session=s, actor=actors["editor_a"], data=payload("sensor", title="Na herstel"))
        assert saved.registration.id > max(r[0] for r in dump(varied)["registration"])
    with fresh.unit_of_work(write=False) as s:
        assert audit.verify(session=s) == []


def test_restore_refuses_a_database_with_data(varied, tmp_path):
    backup.backup(varied, tmp_path / "one.zbk")
    before = dump(varied)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(varied, tmp_path / "one.zbk")
    assert dump(varied) == before


def _damage(source, target, how):
    raw = source.read_bytes()
    if how == "truncated":  # cut inside the gzip stream
        target.write_bytes(raw[: len(raw) * 2 // 3])
    elif how == "cut at a line":  # a valid gzip file that lost its last lines (and so its manifest)
        lines = gzip.decompress(raw).splitlines(keepends=True)
        target.write_bytes(gzip.compress(b"".join(lines[: len(lines) // 2])))
    elif how == "altered row":  # one character of one row changed; the manifest kept
        text_ = gzip.decompress(raw).decode()
        at = text_.index("Nieuw 1.")
        target.write_bytes(gzip.compress((text_[:at] + "Nieuw 2." + text_[at + 8:]).encode()))
    elif how == "flipped byte":
        data = bytearray(raw)
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif how == "not a backup":
        target.write_bytes(gzip.compress(b'{"hello": "world"}\n'))


@pytest.mark.parametrize("how", ["truncated", "cut at a line", "altered row", "flipped byte", "not a backup"])
def test_a_damaged_backup_is_refused_and_changes_nothing(varied, fresh, tmp_path, how):
    backup.backup(varied, tmp_path / "one.zbk")
    _damage(tmp_path / "one.zbk", tmp_path / "bad.zbk", how)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(fresh, tmp_path / "bad.zbk")
    assert "nothing was restored" in str(refused.value) or "not a Zichtbaar backup" in str(refused.value)
    with fresh.engine.connect() as conn:  # the fresh database was not even migrated
        assert backup.current_revision(conn) is None and backup.is_empty(conn)


def test_commands_back_up_and_restore(varied, fresh, tmp_path):
    source = create_app(Config(database_url=varied.url, testing=True, secret_key="test")).test_cli_runner()
    target = create_app(Config(database_url=fresh.url, testing=True, secret_key="test")).test_cli_runner()
    result = source.invoke(args=["backup", str(tmp_path / "cli.zbk")])
    assert result.exit_code == 0 and "sha256" in result.output, result.output
    result = target.invoke(args=["restore", str(tmp_path / "cli.zbk")])
    assert result.exit_code == 0 and "intact" in result.output, result.output
    assert dump(fresh) == dump(varied)
    again = target.invoke(args=["restore", str(tmp_path / "cli.zbk")])
    assert again.exit_code == 1 and "not empty" in again.output
    with varied.write_engine.begin() as conn:  # --replace overwrites, still identical afterwards
        conn.execute(text("DELETE FROM report"))
    replaced = target.invoke(args=["restore", "--replace", str(tmp_path / "cli.zbk")])
    assert replaced.exit_code == 0, replaced.output
    assert dump(fresh)["report"] != dump(varied)["report"]  # the file, not the changed source, was restored
    assert os.path.getsize(tmp_path / "cli.zbk") > 0


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL") or os.environ.get("ZICHTBAAR_TEST_DB") == "postgres",
                    reason="moves a SQLite register to PostgreSQL: needs TEST_DATABASE_URL, runs in the SQLite round")
def test_a_sqlite_backup_restores_into_postgresql_and_back(varied, tmp_path):
    target = Database(_sibling_database(os.environ["TEST_DATABASE_URL"], "cross"))
    _drop_everything(target)
    try:
        first = backup.backup(varied, tmp_path / "from-sqlite.zbk")
        backup.restore(target, tmp_path / "from-sqlite.zbk")
        with target.unit_of_work(write=False) as s:
            assert audit.verify(session=s) == []
        second = backup.backup(target, tmp_path / "from-postgresql.zbk")
        assert second.counts == first.counts and second.sha256 == first.sha256
        original, copy = dump(varied), dump(target)
        assert [t for t in original if original[t] != copy[t]] == []
    finally:
        _drop_everything(target)
        target.dispose()
