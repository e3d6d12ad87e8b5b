"""Helpers shared by the bench commands: database preparation and simple statistics."""

import statistics
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from register.db import normalise_url

FORBIDDEN_DATABASES = {"test"}  # the test suite's database on the shared server is never touched


def backend(url: str) -> str:
    return make_url(normalise_url(url)).get_backend_name()


def guard(url: str) -> None:
    """Refuse databases the bench must never write to."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" and parsed.database in FORBIDDEN_DATABASES:
        raise SystemExit(f"refusing to use the database named {parsed.database!r}; pick a bench database")


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database of the URL when it does not exist yet."""
    parsed = make_url(normalise_url(url))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).first()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    finally:
        admin.dispose()


def registration_count(url: str) -> int:
    """Rows in the registration table (0 when the table does not exist)."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("registration"):
                return 0
            return conn.execute(text("SELECT count(*) FROM registration")).scalar_one()
    finally:
        engine.dispose()


def wipe(url: str) -> None:
    """Start from nothing: delete a SQLite file, or drop and recreate PostgreSQL's public schema."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary_ms(seconds: list[float]) -> dict:
    """p50/p95/p99/max/mean in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
        "max": max(ms), "mean": statistics.fmean(ms), "n": len(ms),
    }
