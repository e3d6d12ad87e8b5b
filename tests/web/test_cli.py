"""The flask commands: verify-audit-chain's exit code, export/import, create-user."""

import json

import pytest
from sqlalchemy import text

from register.registrations import service
from tests.factories import payload
from zichtbaar.app import create_app
from zichtbaar.config import Config


@pytest.fixture
def cli(db):
    app = create_app(Config(database_url=db.url, testing=True, secret_key="test"))
    yield app.test_cli_runner()
    app.extensions["zichtbaar.db"].dispose()


def _publish(db, actors):
    with db.unit_of_work() as s:
        pid = service.create(session=s, actor=actors["editor_a"], data=payload()).registration.public_id
        service.submit(session=s, actor=actors["editor_a"], public_id=pid)
        service.publish(session=s, actor=actors["approver_a"], public_id=pid, change_note="Nieuw.")
    return pid


def test_verify_audit_chain_exits_1_after_tampering(cli, db, actors, tmp_path):
    _publish(db, actors)
    ok = cli.invoke(args=["verify-audit-chain"])
    assert ok.exit_code == 0 and "intact" in ok.output
    with db.write_engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET changes = '{}' WHERE action = 'registration.create'"))
    exported = tmp_path / "chain.jsonl"
    bad = cli.invoke(args=["verify-audit-chain", "--chain", "gm0772", "--export", str(exported)])
    assert bad.exit_code == 1 and "content does not match its hash" in bad.output
    assert all(json.loads(line)["chain"] == "gm0772" for line in exported.read_text().splitlines())


def test_export_and_dry_run_import_through_the_commands(cli, db, actors, tmp_path):
    pid = _publish(db, actors)
    out = tmp_path / "export.jsonl"
    assert cli.invoke(args=["export", "--output", str(out)]).exit_code == 0
    assert json.loads(out.read_text().splitlines()[0])["public_id"] == pid
    fresh = tmp_path / "new.jsonl"
    fresh.write_text(json.dumps(payload("algorithm")) + "\n")
    dry = cli.invoke(args=["import", str(fresh), "--as", "editor_a@test.invalid", "--dry-run"])
    assert dry.exit_code == 0 and "created 1" in dry.output
    real = cli.invoke(args=["import", str(fresh), "--as", "editor_b@test.invalid"])
    assert real.exit_code == 1 and "may not edit" in real.output


def test_create_user_hashes_the_password_and_grants_roles(cli, db, monkeypatch):
    monkeypatch.setenv("ZICHTBAAR_PASSWORD", "a long enough passphrase")
    result = cli.invoke(args=["create-user", "--email", "Nieuw@Test.invalid", "--name", "Privacyteam",
                              "--role", "gm0772:approver"])
    assert result.exit_code == 0, result.output
    with db.unit_of_work(write=False) as s:
        stored = s.execute(text("SELECT password_hash FROM account WHERE email = 'nieuw@test.invalid'")).scalar()
    assert stored.startswith("$argon2id$")
    again = cli.invoke(args=["create-user", "--email", "nieuw@test.invalid", "--name", "x"])
    assert again.exit_code == 1 and "exists already" in again.output
