"""Fixtures: a migrated database per run (SQLite, or PostgreSQL when asked), reset before each test.

`ZICHTBAAR_TEST_DB=postgres` runs the database-facing tests (marker `db`) against TEST_DATABASE_URL.
"""

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import register.models  # noqa: F401
from register import migrate
from register.db import Database, normalise_url
from tests import factories

SEED_DATA = Path(__file__).resolve().parent.parent / "seed_data"


def _database_url(tmp_path_factory, name: str) -> str:
    if os.environ.get("ZICHTBAAR_TEST_DB") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("ZICHTBAAR_TEST_DB=postgres needs TEST_DATABASE_URL", returncode=2)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.sqlite3'}"


def _sibling_database(url: str, suffix: str) -> str:
    """A second PostgreSQL database beside the test database (created when missing)."""
    parsed = make_url(normalise_url(url))
    name = f"{parsed.database}_{suffix}"
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _drop_everything(database: Database) -> None:
    if database.is_sqlite:
        return
    with database.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A database migrated from empty once per test run."""
    db = Database(_database_url(tmp_path_factory, "db"))
    _drop_everything(db)
    migrate.upgrade(db.url)
    yield db
    db.dispose()


def pytest_collection_modifyitems(items):
    for item in items:
        if {"database", "db", "session", "seeded"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _clear(database: Database) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with database.write_engine.begin() as conn:
        if database.is_sqlite:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(database):
    """The database, emptied and filled with the small real base of tests/factories.py."""
    _clear(database)
    with database.unit_of_work() as session:
        factories.base(session, SEED_DATA)
    return database


@pytest.fixture
def session(db):
    """A write session on the fresh database; the test commits what it wants to keep."""
    s = db.session(write=True)
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def actors(db):
    """Actors per role: editor/approver/admin of Eindhoven (A), editor of Amsterdam (B), site admin."""
    with db.unit_of_work(write=False) as s:
        return factories.actors(s)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """A separate database holding the full real seed (read-only use)."""
    from register.seed import seed

    url = _database_url(tmp_path_factory, "seeded")
    if os.environ.get("ZICHTBAAR_TEST_DB") == "postgres":
        url = _sibling_database(url, "seeded")
    db = Database(url)
    _drop_everything(db)
    migrate.upgrade(db.url)
    report = seed(db, SEED_DATA, demo_accounts=False)
    yield db, report
    db.dispose()
