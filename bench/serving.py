"""Serving for the benchmarks: a free loopback port, gunicorn started on it and waited for, and a POST load on it."""
from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 30


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at this moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(options: list[str], target: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    """`gunicorn OPTIONS --bind 127.0.0.1:PORT TARGET`, waiting until it answers; its log goes to `log`
    (a file: a pipe nobody reads would fill up and block the workers on their next log line)."""
    command = [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}", target]
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn {target} died: {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn {target} did not start")


Request = tuple[str, bytes, dict]  # path, body, headers


def hammer(port: int, prepared: list[Request], concurrency: int) -> tuple[float, list[float], int]:
    """POST every request from `concurrency` connections (http.client reopens one the server closed);
    wall time, latencies, non-200 answers."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def worker(chunk: list[Request]) -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        for path, body, headers in chunk:
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            bad += response.status != 200
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(prepared[i::concurrency],)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


class Measured:
    """A server started on a free port and what the client measured against it: wall time, latencies, errors."""

    width = 36  # of the name, in the printed table

    def __init__(self, name: str, options: list[str], target: str, env: dict, log: Path | None = None) -> None:
        self.name, self.port = name, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = log or Path(env["DATABASE"]).with_suffix(f".{self.port}.log")  # default: next to the database
        self.process = start_gunicorn(options, target, self.port, dict(env, PUBLIC_BASE_URL=self.base), log)
        self.wall, self.latencies, self.errors = 0.0, [], 0

    def load(self, prepared: list[Request], concurrency: int, record: bool = True) -> None:
        """Send the requests; count them unless it is a warm-up."""
        wall, latencies, errors = hammer(self.port, prepared, concurrency)
        if record:
            self.wall += wall
            self.latencies += latencies
            self.errors += errors

    def stop(self) -> None:
        """Stop the server."""
        self.process.terminate()
        self.process.wait(10)

    def report(self) -> tuple[float, float, float]:
        """Print and return requests/s, p50 and p99 (ms)."""
        latencies = sorted(self.latencies)
        rate = len(latencies) / self.wall
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        print(f"{self.name:<{self.width}} {rate:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms"
              f"   errors {self.errors}")
        return rate, p50, p99
