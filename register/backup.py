"""Backup and restore of the whole register in a portable, versioned file (SQLite <-> PostgreSQL).

The file is gzip-compressed JSON Lines:
  line 1     {"format": "zichtbaar-backup", "version": 1, "revision": <Alembic>, "dialect": ..., "created_at": ...}
  per table  {"table": name, "columns": [...]} and then one JSON array per row, ordered by primary key
  last line  {"end": true, "counts": {table: rows}, "sha256": <over every table and row line>}

Tables come in dependency order, so a restore inserts parents before children. The checksum covers the
data only (not the header's time), so two backups of identical registers have the same checksum.
"""

import base64
import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Table, TypeDecorator, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

import register.models  # noqa: F401  (every table in the metadata)
from register import audit, migrate
from register.db import Database

FORMAT = "zichtbaar-backup"
VERSION = 1
BATCH = 1000


class BackupError(Exception):
    """A backup file that cannot be restored (damaged, truncated, foreign) or a database that refuses it."""


@dataclass
class Summary:
    """What a backup or restore handled."""

    revision: str
    counts: dict[str, int] = field(default_factory=dict)
    sha256: str = ""

    @property
    def rows(self) -> int:
        """Rows over all tables."""
        return sum(self.counts.values())


def tables() -> list[Table]:
    """The register's tables, parents before children."""
    return list(SQLModel.metadata.sorted_tables)


def _python_type(column) -> type | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):  # e.g. SQLModel's UTCDateTime: what it stores decides
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _encode(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decoder(column):
    kind = _python_type(column)
    if kind is datetime:
        return lambda v: None if v is None else _utc(datetime.fromisoformat(v))
    if kind is date:
        return lambda v: None if v is None else date.fromisoformat(v)
    if kind is bytes:
        return lambda v: None if v is None else base64.b64decode(v)
    return None


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _line(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _ordered(table: Table):
    return select(table).order_by(*table.primary_key.columns)


def current_revision(conn: Connection) -> str | None:
    """The Alembic revision of the database behind a connection (None when it was never migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _snapshot(database: Database) -> Connection:
    """A connection in one read-only transaction, so every table is read from the same moment."""
    conn = database.engine.connect()
    if not database.is_sqlite:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    conn.begin()  # SQLite in WAL mode: the first read fixes the snapshot for the whole transaction
    return conn


def _data_lines(conn: Connection, counts: dict[str, int]) -> Iterator[str]:
    for table in tables():
        names = [c.name for c in table.columns]
        yield _line({"table": table.name, "columns": names})
        n = 0
        for row in conn.execute(_ordered(table)):
            yield _line([_encode(v) for v in row])
            n += 1
        counts[table.name] = n


def backup(database: Database, path: Path | str) -> Summary:
    """Write the whole register to a backup file (atomically: a half-written file never has its name)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    conn = _snapshot(database)
    try:
        revision = current_revision(conn)
        if revision is None:
            raise BackupError("The database has no schema yet (run `flask migrate`); there is nothing to back up.")
        header = {"format": FORMAT, "version": VERSION, "revision": revision, "dialect": conn.dialect.name,
                  "created_at": datetime.now(UTC).isoformat()}
        with gzip.open(tmp, "wt", encoding="utf-8") as out:
            out.write(_line(header) + "\n")
            for line in _data_lines(conn, counts):
                digest.update(line.encode() + b"\n")
                out.write(line + "\n")
            out.write(_line({"end": True, "counts": counts, "sha256": digest.hexdigest()}) + "\n")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        conn.rollback()
        conn.close()
    tmp.replace(path)
    return Summary(revision=revision, counts=counts, sha256=digest.hexdigest())


def _read(path: Path) -> Iterator[str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            yield from source
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is damaged or truncated ({exc}); nothing was restored.") from None


def _parse(path: Path) -> Iterator[tuple[str, object]]:
    """("header", dict), ("table", (name, columns)), ("row", list), ("end", dict) — checked as they come."""
    lines = _read(path)
    try:
        header = json.loads(next(lines))
    except StopIteration:
        raise BackupError(f"{path} is empty; nothing was restored.") from None
    except json.JSONDecodeError:
        raise BackupError(f"{path} is not a Zichtbaar backup; nothing was restored.") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Zichtbaar backup; nothing was restored.")
    if header.get("version") != VERSION:
        raise BackupError(f"{path} has backup format version {header.get('version')}; this version reads {VERSION}.")
    yield "header", header
    digest = hashlib.sha256()
    for number, line in enumerate(lines, start=2):
        line = line.rstrip("\n")
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            raise BackupError(f"{path} is damaged at line {number}; nothing was restored.") from None
        if isinstance(value, dict) and value.get("end") is True:
            if value.get("sha256") != digest.hexdigest():
                raise BackupError(f"{path} does not match its checksum (altered or damaged); nothing was restored.")
            yield "end", value
            if next(lines, None) is not None:
                raise BackupError(f"{path} has data after its end; nothing was restored.")
            return
        digest.update(line.encode() + b"\n")
        if isinstance(value, dict) and "table" in value:
            yield "table", (value["table"], value["columns"])
        elif isinstance(value, list):
            yield "row", value
        else:
            raise BackupError(f"{path} is damaged at line {number}; nothing was restored.")
    raise BackupError(f"{path} is truncated (it has no end); nothing was restored.")


def check(path: Path | str) -> Summary:
    """Read a backup file through and verify its structure, counts and checksum (writes nothing)."""
    path = Path(path)
    known = {t.name: [c.name for c in t.columns] for t in tables()}
    counts: dict[str, int] = {}
    current = None
    summary = None
    for kind, value in _parse(path):
        if kind == "header":
            summary = Summary(revision=value["revision"])
        elif kind == "table":
            name, columns = value
            if name not in known or set(columns) != set(known[name]):
                raise BackupError(f"{path} holds table {name!r} with columns this version does not know.")
            current, counts[name] = name, 0
        elif kind == "row":
            if current is None:
                raise BackupError(f"{path} has rows before any table; nothing was restored.")
            counts[current] += 1
        else:
            if value.get("counts") != counts:
                raise BackupError(f"{path} has other row counts than its manifest says; nothing was restored.")
            summary.counts, summary.sha256 = counts, value["sha256"]
    return summary


def is_empty(conn: Connection) -> bool:
    """True when none of the register's tables holds a row (or none exists yet)."""
    inspector = inspect(conn)
    for table in tables():
        if inspector.has_table(table.name) and conn.execute(select(func.count()).select_from(table)).scalar():
            return False
    return True


def _self_first(table: Table, rows: list[dict]) -> list[dict]:
    """Rows of a table that refers to itself (an organisation's parent), parents before children."""
    refs = [fk for fk in table.foreign_keys if fk.column.table is table]
    if not refs:
        return rows
    column, target = refs[0].parent.name, refs[0].column.name
    placed, ordered, pending = set(), [], rows
    while pending:
        ready = [r for r in pending if r[column] is None or r[column] in placed]
        later = [r for r in pending if not (r[column] is None or r[column] in placed)]
        if not ready:  # a cycle: leave the rest to the database to refuse
            ready, later = later, []
        ordered += ready
        placed |= {r[target] for r in ready}
        pending = later
    return ordered


def _fix_sequences(conn: Connection) -> None:
    # Restored rows keep their ids; the next id PostgreSQL hands out must come after them.
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and _python_type(column) is int
                                                and len(table.primary_key.columns) == 1
                                                and not column.foreign_keys):
                sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                        {"t": table.name, "c": column.name}).scalar()
                if sequence:
                    conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'),
                                 {"s": sequence})


def restore(database: Database, path: Path | str, *, replace: bool = False) -> Summary:
    """Restore a backup into a database: all in one transaction, verified, or nothing at all."""
    path = Path(path)
    summary = check(path)  # the whole file is sound before anything is touched
    with database.write_engine.connect() as conn:
        revision = current_revision(conn)
        empty = is_empty(conn)
        conn.rollback()
    if not empty and not replace:
        raise BackupError("The database is not empty; restore into an empty database, or pass --replace to "
                          "overwrite everything in it.")
    if revision is None:
        migrate.upgrade(database.url, summary.revision)  # an empty database gets the backup's schema first
    elif revision != summary.revision:
        raise BackupError(f"The backup has schema revision {summary.revision}, the database {revision}; restore "
                          "into an empty database (it is migrated to the backup's revision) instead.")
    by_name = {t.name: t for t in tables()}
    counts: dict[str, int] = {}
    with database.write_engine.begin() as conn:
        if not database.is_sqlite:
            conn.execute(text("SET CONSTRAINTS ALL DEFERRED"))
        for table in reversed(tables()):  # with --replace: children first
            conn.execute(table.delete())
        table, columns, decoders, batch = None, [], [], []

        def flush():
            if batch:
                conn.execute(table.insert(), _self_first(table, batch) if table is not None else batch)
                batch.clear()

        for kind, value in _parse(path):
            if kind == "table":
                flush()
                name, columns = value
                table = by_name[name]
                decoders = [_decoder(table.c[c]) for c in columns]
                counts[name] = 0
            elif kind == "row":
                batch.append({c: (d(v) if d else v) for c, d, v in zip(columns, decoders, value, strict=True)})
                counts[table.name] += 1
                # A table that refers to itself is inserted at once, so parents can be put first.
                if len(batch) >= BATCH and not any(fk.column.table is table for fk in table.foreign_keys):
                    flush()
        flush()
        if not database.is_sqlite:
            _fix_sequences(conn)
        session = Session(bind=conn)
        problems = audit.verify(session=session)
        session.close()
        if problems:
            raise BackupError(f"The restored audit log does not verify ({len(problems)} problem(s)); nothing was "
                              "restored.")
    summary.counts = counts
    return summary
