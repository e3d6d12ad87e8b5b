"""full-text search index: FTS5 trigram table (SQLite), pg_trgm GIN indexes (PostgreSQL)

SQLite: registration_search is an external-content FTS5 table over registration (title, summary,
public_id), kept in step by triggers. A later migration that rebuilds the registration table (batch
"move and copy") drops these triggers with the old table: it must create them again and 'rebuild'.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = ('title', 'summary', 'public_id')

SQLITE_UP = [
    "CREATE VIRTUAL TABLE registration_search USING fts5(title, summary, public_id, content='registration', "
    "content_rowid='id', tokenize='trigram case_sensitive 0')",
    # Every insert, delete and change of an indexed column, however it is made (ORM, raw INSERTs of
    # bench/generate.py, DELETEs of the tests), reaches the index.
    "CREATE TRIGGER registration_search_ai AFTER INSERT ON registration BEGIN "
    "INSERT INTO registration_search(rowid, title, summary, public_id) "
    "VALUES (new.id, new.title, new.summary, new.public_id); END",
    "CREATE TRIGGER registration_search_ad AFTER DELETE ON registration BEGIN "
    "INSERT INTO registration_search(registration_search, rowid, title, summary, public_id) "
    "VALUES ('delete', old.id, old.title, old.summary, old.public_id); END",
    # Only when an indexed column changes: state changes and edits of other fields cost nothing here.
    "CREATE TRIGGER registration_search_au AFTER UPDATE OF id, title, summary, public_id ON registration BEGIN "
    "INSERT INTO registration_search(registration_search, rowid, title, summary, public_id) "
    "VALUES ('delete', old.id, old.title, old.summary, old.public_id); "
    "INSERT INTO registration_search(rowid, title, summary, public_id) "
    "VALUES (new.id, new.title, new.summary, new.public_id); END",
    "INSERT INTO registration_search(registration_search) VALUES ('rebuild')",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS registration_search_au",
    "DROP TRIGGER IF EXISTS registration_search_ad",
    "DROP TRIGGER IF EXISTS registration_search_ai",
    "DROP TABLE IF EXISTS registration_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    # pg_trgm is a trusted extension: a database owner may create it without being superuser.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name in COLUMNS:
        op.execute(f"CREATE INDEX ix_registration_{name}_trgm ON registration USING gin (lower({name}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    for name in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_registration_{name}_trgm")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
