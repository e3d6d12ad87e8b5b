"""Attack-suite fixtures: the portal's app, clients and helpers (CSRF on, as in production), plus row counts."""

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from tests.portal.conftest import app, client, csrf_token, publish, signed_in  # noqa: F401


def table_counts(db) -> dict[str, int]:
    """Rows per table: an attack that wrote anything changes one of them."""
    with db.unit_of_work(write=False) as s:
        return {table.name: s.exec(select(func.count()).select_from(table)).one()[0]
                for table in SQLModel.metadata.sorted_tables}


@pytest.fixture
def counts(db):
    """counts() -> rows per table now."""
    return lambda: table_counts(db)
