"""A live gunicorn server on a loopback port for the browser tests and the screenshot script."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
HOST = "127.0.0.1"
SECRET_KEY = "e2e-fixed-secret-key-not-for-production"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class LiveServer:
    """gunicorn (1 worker, a few threads) serving zichtbaar.wsgi:app on a SQLite file; its log goes to a file."""

    def __init__(self, database_file: Path, log: Path, threads: int = 4, extra_env: dict | None = None):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEB_CONCURRENCY")}
        env.update(DATABASE_URL=f"sqlite:///{database_file}", SECRET_KEY=SECRET_KEY, ZICHTBAAR_ENV="test",
                   API_RATE_LIMIT="1000000 per minute", **(extra_env or {}))
        argv = [str(GUNICORN), "--bind", f"{HOST}:{self.port}", "--workers", "1", "--threads", str(threads),
                "--timeout", "120", "--no-control-socket", "zichtbaar.wsgi:app"]
        self._log_handle = log.open("wb")
        # Its own process group, so stopping it stops only what was started here.
        self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=self._log_handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return self.base + path

    def wait_ready(self, timeout: float = 120) -> None:
        """Block until /health answers 200; raise with the server's log when it exits or never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("/health"), timeout=10) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /health within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the server's log, for failure messages."""
        self._log_handle.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop gunicorn's process group (TERM, then KILL if it lingers)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
