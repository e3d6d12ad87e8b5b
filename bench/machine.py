"""What a benchmark ran on: the machine, the tools' versions, the code and the date."""

import datetime as dt
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from bench._servers import BIN, ROOT


def _first_line(argv: list[str]) -> str | None:
    if not shutil.which(argv[0]) and not Path(argv[0]).exists():
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _os() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def _postgres(url: str | None) -> str | None:
    if not url:
        return None
    from sqlalchemy import create_engine, text

    from register.db import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar_one()
    except Exception as exc:  # noqa: BLE001 - a version line must not stop the report
        return f"unknown ({type(exc).__name__})"
    finally:
        engine.dispose()


def describe(pg_url: str | None = None) -> dict:
    """The machine, the versions of every server and tool in the run, the commit and the date."""
    commit = _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, check=False).stdout.strip())
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": f"{commit}{' (with uncommitted changes)' if dirty else ''}",
        "cpu": _cpu_model(), "cores": os.cpu_count(), "memory_gib": _memory_gib(), "os": _os(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version, "postgresql": _postgres(pg_url),
            "gunicorn": _first_line([str(BIN / "gunicorn"), "--version"]),
            "datasette": _first_line([str(BIN / "datasette"), "--version"]),
            "sqlite-utils": _first_line([str(BIN / "sqlite-utils"), "--version"]),
            "nginx": _first_line(["/usr/sbin/nginx", "-v"]) or _first_line(["nginx", "-v"]),
            "wrk": _first_line(["wrk", "-v"]),
            "chromium": _first_line(["/usr/bin/chromium", "--version"]),
        },
    }
