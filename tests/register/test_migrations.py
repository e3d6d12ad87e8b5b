"""Migrations build the schema from empty, match the models exactly, and go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from register import migrate
from register.db import make_migration_engine
from register.registrations.search import include_object


def test_the_migrated_schema_has_every_table_and_no_drift_from_the_models(database):
    engine = make_migration_engine(database.url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        # The search index (migration 0006) lives outside the models, as env.py tells autogenerate.
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        drift = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert drift == []


def test_downgrade_to_empty_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_migration_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    migrate.upgrade(url)
    engine = make_migration_engine(url)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
