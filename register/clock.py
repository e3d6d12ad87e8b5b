"""One place that tells the time, so services, tests and audit hashes agree on its form (aware UTC)."""

from datetime import UTC, date, datetime


def now() -> datetime:
    """Current time in UTC, timezone-aware (SQLModel stores and returns datetimes in UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC."""
    return now().date()
