"""external references per organisation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:15:00

An external reference (provenance.ref, e.g. 'lars:11234933') is stored as '<organisation code>:<ref>'
so that two organisations may import the same reference; existing rows are rewritten here.
"""
import hashlib
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _stored(code: str, ref: str) -> str:
    # The same rule as register.registrations.mapping.stored_ref, frozen here as it was at this revision.
    key = f"{code}:{ref}"
    return key if len(key) <= 120 else f"{code}:sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def _references(conn):
    return conn.execute(sa.text(
        "SELECT registration.id, organisation.code, registration.source_ref FROM registration "
        "JOIN organisation ON organisation.id = registration.organisation_id WHERE registration.source_ref IS NOT NULL"
    )).all()


def upgrade() -> None:
    conn = op.get_bind()
    rows = _references(conn)
    for rid, code, ref in rows:
        conn.execute(sa.text("UPDATE registration SET source_ref = :ref WHERE id = :id"),
                     {"ref": _stored(code, ref), "id": rid})


def downgrade() -> None:
    conn = op.get_bind()
    rows = _references(conn)
    for rid, code, ref in rows:
        if ref.startswith(f"{code}:") and not ref.startswith(f"{code}:sha256:"):
            conn.execute(sa.text("UPDATE registration SET source_ref = :ref WHERE id = :id"),
                         {"ref": ref[len(code) + 1:], "id": rid})
