"""Full-text search: "q is a substring of the title, summary or public id", case-insensitive, on an index.

The rows found are always exactly those of `lower(column) LIKE '%q%'` (with %, _ and \\ taken literally).
PostgreSQL answers that LIKE from trigram (pg_trgm) indexes on the lowered columns as it is. On SQLite an
FTS5 trigram table (migration 0006) first narrows the candidates, then the same LIKE decides.
"""

from sqlalchemy import Boolean, and_, column, func, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from register.registrations.models import Registration

FTS_TABLE = "registration_search"  # SQLite: the FTS5 table; its shadow tables are named FTS_TABLE + "_…"
TRIGRAM_INDEXES = ("ix_registration_title_trgm", "ix_registration_summary_trgm", "ix_registration_public_id_trgm")
MIN_INDEXED = 3  # a trigram index cannot find anything shorter than three characters

_fts = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))


def like_pattern(q: str) -> str:
    """The LIKE pattern (escape character \\) for "contains q, lowered"."""
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts_phrase(q: str) -> str:
    """An FTS5 query holding q as one literal phrase (a double quote inside is doubled)."""
    return '"' + q.lower().replace('"', '""') + '"'


def like_condition(q: str):
    """The plain condition: lower(title|summary|public_id) LIKE '%q%' (the definition of a match)."""
    pattern = like_pattern(q)
    return or_(*(func.lower(col).like(pattern, escape="\\")
                 for col in (Registration.title, Registration.summary, Registration.public_id)))


class _Matches(ColumnElement):
    """A condition that compiles per dialect: SQLite adds the FTS5 narrowing, every other dialect is the LIKE."""

    type = Boolean()
    _is_implicitly_boolean = True  # a condition already: no "= 1" on SQLite
    inherit_cache = True
    # Both parts take part in the statement cache key, so their bound values are extracted on each use.
    _traverse_internals = [("like", InternalTraversal.dp_clauseelement),
                           ("narrow", InternalTraversal.dp_clauseelement)]

    def __init__(self, like, narrow):
        self.like, self.narrow = like, narrow


@compiles(_Matches)
def _compile_default(element, compiler, **kw):
    return "(" + compiler.process(element.like, **kw) + ")"


@compiles(_Matches, "sqlite")
def _compile_sqlite(element, compiler, **kw):
    # Parenthesised: the construct stands for one term wherever it is put (AND, OR, NOT).
    return "(" + compiler.process(and_(element.narrow, element.like), **kw) + ")"


def matches(q: str):
    """SQL condition: q is a substring of a registration's title, summary or public id (any case)."""
    like = like_condition(q)
    if len(q.lower()) < MIN_INDEXED:
        return like
    # The trigram phrase finds every row the LIKE finds: FTS5 folds case per character, a superset of
    # SQLite's lower() plus LIKE's ASCII case folding. The index narrows, the LIKE decides.
    narrow = Registration.id.in_(select(_fts.c.rowid).where(_fts.c[FTS_TABLE].match(fts_phrase(q))))
    return _Matches(like, narrow)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the search index (FTS5 tables, trigram indexes) out of autogenerate."""
    if type_ == "table" and name and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    return not (type_ == "index" and name in TRIGRAM_INDEXES)
