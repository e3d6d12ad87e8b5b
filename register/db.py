"""Engines, sessions and the unit of work: one transaction per request or command."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine


def normalise_url(url: str) -> str:
    """Accept plain postgres:// URLs (as platforms hand them out) and use psycopg 3 for them."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def _sqlite_engine(url: str, begin: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, say when a transaction begins (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock up front (BEGIN IMMEDIATE): a writer that first reads and later
        # writes would otherwise fail with SQLITE_BUSY_SNAPSHOT when another writer got in between.
        conn.exec_driver_sql(begin)

    return engine


class Database:
    """Engines plus session factories; created by the app factory or a command, never at import."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = _sqlite_engine(self.url, "BEGIN")
            self.write_engine = _sqlite_engine(self.url, "BEGIN IMMEDIATE")
        else:
            # Fail fast while the server is down or restarting (a clean 503, see zichtbaar/outage.py) instead
            # of holding a worker thread: connecting gives up after 5 s, waiting for a pooled connection after 10 s.
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=10,
                                        connect_args={"connect_timeout": 5})
            self.write_engine = self.engine
        self._read = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, class_=Session, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded default."""
        return self.engine.dialect.name == "sqlite"

    def session(self, *, write: bool = False) -> Session:
        """A new session; the caller commits or rolls back."""
        return (self._write if write else self._read)()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """A session that commits once at the end and rolls back on any error."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self.write_engine.dispose()


def make_migration_engine(url: str) -> Engine:
    """A plain engine for Alembic (no BEGIN IMMEDIATE games; Alembic manages its transaction)."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return create_engine(url, connect_args={"timeout": 30})
    return create_engine(url)
