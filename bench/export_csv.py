"""Stream the full CSV download through gunicorn: rows, rows/s and the peak memory of the gunicorn worker.

    python -m bench.export_csv --database-url sqlite:///bench/out/national.sqlite3 [--workers 2] [--json PATH]

Starts the app under gunicorn (zichtbaar/gunicorn_conf.py) on a loopback port, waits until it answers,
then reads GET /api/v1/downloads/registrations.csv to the end, parsing it as CSV to count the rows. While
the body streams, the VmRSS of every gunicorn worker (the children of the master, from /proc) is sampled
every --interval seconds; the worker whose CPU time grew most is the one that served the download. The
row count is checked against the public registrations in the database (published + withdrawn).
"""

import argparse
import codecs
import csv
import http.client
import json
import os
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench._servers import HOST, OUT, cpu_seconds, gunicorn, rss_kb, worker_pids
from register.db import normalise_url

PATH = "/api/v1/downloads/registrations.csv"
AIM_MB = 200


class RssSampler(threading.Thread):
    """Samples the VmRSS of each worker of a gunicorn master until stopped."""

    def __init__(self, master_pid: int, interval: float):
        super().__init__(daemon=True)
        self.master_pid, self.interval = master_pid, interval
        self.stopped = threading.Event()
        self.peak_kb: dict[int, int] = {}
        self.samples = 0

    def run(self):
        while not self.stopped.is_set():
            for pid in worker_pids(self.master_pid):
                self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), rss_kb(pid))
            self.samples += 1
            self.stopped.wait(self.interval)

    def stop(self):
        self.stopped.set()
        self.join()


def expected_rows(url: str) -> int:
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM registration WHERE state IN ('published', 'withdrawn')")
                                ).scalar_one()
    finally:
        engine.dispose()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between RSS samples")
    parser.add_argument("--max-seconds", type=float, default=900, help="give up reading after this long")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = measure(args.database_url, args.workers, args.interval, args.max_seconds)
    report(result, args)


def measure(database_url: str, workers: int = 2, interval: float = 0.1, max_seconds: float = 900,
            path: str = PATH, save_to: Path | None = None) -> dict:
    """Stream the CSV download through gunicorn on the database; rows/s and the serving worker's peak RSS."""
    expected = expected_rows(database_url)
    with gunicorn(database_url, workers, OUT / "export_csv_gunicorn.log") as server:
        server.wait_ready()
        workers = worker_pids(server.process.pid)
        rss_before = {pid: rss_kb(pid) for pid in workers}
        cpu_before = {pid: cpu_seconds(pid) for pid in workers}
        sampler = RssSampler(server.process.pid, interval)
        sampler.start()
        conn = http.client.HTTPConnection(HOST, server.port, timeout=120)
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        first_byte = time.perf_counter() - started
        status, headers = response.status, dict(response.getheaders())
        decoder = codecs.getincrementaldecoder("utf-8")()
        body_bytes, rows, header, timed_out = 0, 0, None, False

        def lines():
            nonlocal body_bytes, timed_out
            pending = ""
            while True:
                chunk = response.read1(1 << 16)
                if not chunk:
                    break
                body_bytes += len(chunk)
                if copy:
                    copy.write(chunk)
                pending += decoder.decode(chunk)
                cut = pending.rfind("\n") + 1
                if cut:
                    # split on \n only: str.splitlines would also break on \x1c, \u2028 ... inside fields
                    for line in pending[:cut - 1].split("\n"):
                        yield line + "\n"
                    pending = pending[cut:]
                if time.perf_counter() - started > max_seconds:
                    timed_out = True
                    break
            pending += decoder.decode(b"", final=True)
            if pending:
                yield pending

        copy = save_to.open("wb") if save_to else None  # a copy for nginx, the ceiling (bench/peers.py)
        for record in csv.reader(lines()):
            if header is None:
                header = record
            else:
                rows += 1
        if copy:
            copy.close()
        elapsed = time.perf_counter() - started
        conn.close()
        sampler.stop()
        cpu_used = {pid: cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in worker_pids(server.process.pid)}

    served_by = max(cpu_used, key=cpu_used.get) if cpu_used else None
    result = {
        "database": database_url, "path": path, "status": status, "content_type": headers.get("Content-Type"),
        "rows": rows, "expected_rows": expected, "complete": rows == expected and not timed_out,
        "columns": len(header or []), "bytes": body_bytes, "seconds": round(elapsed, 2),
        "first_byte_s": round(first_byte, 3), "rows_per_s": round(rows / elapsed),
        "mb_per_s": round(body_bytes / elapsed / 1e6, 2), "workers": workers,
        "served_by_worker": served_by, "worker_cpu_s": round(cpu_used.get(served_by, 0.0), 1),
        "rss_before_mb": {str(p): round(kb / 1024, 1) for p, kb in rss_before.items()},
        "peak_rss_mb": {str(p): round(kb / 1024, 1) for p, kb in sampler.peak_kb.items()},
        "peak_rss_serving_worker_mb": round(sampler.peak_kb.get(served_by, 0) / 1024, 1),
        "rss_samples": sampler.samples, "aim_mb": AIM_MB, "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    return result


def report(result: dict, args) -> None:
    """Print the figures, and write them as JSON when asked."""
    rows, expected, status, elapsed = result["rows"], result["expected_rows"], result["status"], result["seconds"]
    body_bytes, served_by, first_byte = result["bytes"], result["served_by_worker"], result["first_byte_s"]
    print(f"GET {PATH}: HTTP {status}, {rows:,} rows (expected {expected:,}), {body_bytes / 1e6:.1f} MB in "
          f"{elapsed:.1f} s: {result['rows_per_s']:,} rows/s, {result['mb_per_s']} MB/s, first byte after "
          f"{first_byte * 1000:.0f} ms")
    print(f"serving worker {served_by}: {result['worker_cpu_s']} s CPU, RSS before "
          f"{result['rss_before_mb'].get(str(served_by))} MB, peak {result['peak_rss_serving_worker_mb']} MB "
          f"(aim < {AIM_MB} MB; {result['rss_samples']} samples every {args.interval} s); all workers' peaks: "
          f"{result['peak_rss_mb']}")
    if not result["complete"]:
        print("WARNING: the download was incomplete or the row count differs from the database")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
