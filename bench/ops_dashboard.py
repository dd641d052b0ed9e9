"""How long the console's dashboard takes to count on a year of traffic (bench/big_database.py's file, read only).

The 31 days before the log's last message hold about 890,000 of its messages (one every 3 s); the figure is the
median of a few `dashboard()` calls (warm cache), against a target of 1 s: an operator opening /ops/ waits for it.

Run: `.venv/bin/python bench/ops_dashboard.py [--people 1000000] [--messages 10000000] [--runs 5]`
(the file is built once, minutes the first time, and cached under instance/bench/).
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlite_utils import Database  # noqa: E402

from bench import big_database  # noqa: E402
from webapp import ops_dashboard  # noqa: E402
from webapp.store import parse_iso  # noqa: E402

TARGET_SECONDS = 1.0
CONFIG = {"TIMEZONE": "Europe/Paris", "SMS_SEGMENT_PRICE": None, "SMS_PRICE_CURRENCY": "EUR"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE=str(Path(tmp) / "unused.sqlite3"), SECRET_KEY="bench")
        path = big_database.build(args.people, args.messages, env)
    # Read only: the cached file is shared with bench/webhook.py and must not change.
    db = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    last, logged = db.conn.execute("SELECT MAX(created_at), MAX(id) FROM messages").fetchone()
    now = parse_iso(last)
    figures = ops_dashboard.dashboard(db, CONFIG, now)
    shown = sum(row["inbound"] + row["outbound"] for row in figures["sms"])
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        ops_dashboard.dashboard(db, CONFIG, now)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    print(f"dashboard() over {shown:,} messages in the 31 days shown ({logged:,} in the log):"
          f" median {median * 1000:.0f} ms of {args.runs} runs (min {min(timings) * 1000:.0f} ms),"
          f" target {TARGET_SECONDS * 1000:.0f} ms: {'met' if median <= TARGET_SECONDS else 'NOT MET'}")


if __name__ == "__main__":
    main()
