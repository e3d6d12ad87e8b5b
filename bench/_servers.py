"""Start the app under gunicorn (and Datasette) on loopback for the HTTP benchmarks, and stop them again.

Only processes started here are stopped, through their own process group.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy.engine import make_url

from register.db import normalise_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def sqlite_path(url: str) -> Path:
    """The absolute file of a sqlite:/// URL (the HTTP benchmarks need a file both servers can open)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise SystemExit("this benchmark needs a SQLite file: --database-url sqlite:///bench/out/national.sqlite3")
    path = Path(parsed.database)
    path = path if path.is_absolute() else (Path.cwd() / path)
    if not path.exists():
        raise SystemExit(f"{path} does not exist; run bench.generate first")
    return path.resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """A child process in its own process group, with its output in a log file under bench/out/."""

    def __init__(self, name: str, argv: list[str], env: dict, port: int, ready_path: str, log: Path):
        self.name, self.port, self.ready_path, self.log = name, port, ready_path, log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_handle = log.open("wb")
        self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._log_handle, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds until the server answers ready_path with 200."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=30) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.25)
        raise SystemExit(f"{self.name} did not answer within {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def gunicorn(database: Path | str, workers: int, log: Path, port: int | None = None) -> Server:
    """The app as production runs it (zichtbaar/gunicorn_conf.py), on a loopback port.

    `database` is a SQLite file or a database URL (PostgreSQL).
    """
    port = port or free_port()
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    env = dict(os.environ, DATABASE_URL=url, API_RATE_LIMIT="1000000 per minute",
               WEB_CONCURRENCY=str(workers))
    argv = [str(BIN / "gunicorn"), "--config", "zichtbaar/gunicorn_conf.py", "--bind", f"{HOST}:{port}",
            "zichtbaar.wsgi:app"]
    return Server("gunicorn", argv, env, port, "/health", log)


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: the children of the master process (from /proc)."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master_pid):
            pids.append(int(status.parent.name))
    return sorted(pids)


def rss_kb(pid: int) -> int:
    """Resident set size of a process in kB (VmRSS), 0 when it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
