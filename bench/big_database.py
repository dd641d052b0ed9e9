"""A migrated database holding many people and a long message log, for bench/webhook.py's scaling figure.

Built once with SQL alone (recursive CTEs, INSERT … SELECT, synchronous off, the log's secondary indexes
made after the rows; no ANALYZE, as in a deployment) and cached under instance/bench/, keyed by its size;
a build cut short is never reused.
Every message is older than the reply window, so the benchmark's texts are answered in full: what is measured
is finding one number's hour among millions of rows, not the budget cutting the work short.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "instance" / "bench"
SECONDS_BETWEEN_MESSAGES = 3  # 10,000,000 messages span about a year


def phone(person: int) -> str:
    """The number of person `person` (1…people), as the build writes it: +336 and eight digits."""
    return f"+336{person:08d}"


def migrate(path: Path, env: dict) -> None:
    """`flask --app wsgi migrate` on this file, as a deployment upgrades its database."""
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "migrate"], cwd=ROOT, check=True,
                   env=dict(env, DATABASE=str(path)), stdout=subprocess.DEVNULL)


def build(people: int, messages: int, env: dict) -> Path:
    """The cached database with `people` people and `messages` messages (built now if absent), migrated."""
    path = CACHE / f"big-{people}-people-{messages}-messages.sqlite3"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        migrate(partial, env)
        started = time.perf_counter()
        _fill(partial, people, messages)
        print(f"(built {path.name} in {time.perf_counter() - started:.0f} s)", flush=True)
        os.replace(partial, path)
    migrate(path, env)
    return path


def _fill(path: Path, people: int, messages: int) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = OFF")  # a build cut short is thrown away, not recovered
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -1000000")  # 1 GB: the index builds sort in memory
    # The log's secondary indexes are made after the rows (one sort each, not ten million random inserts).
    indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'"
                                 " AND sql IS NOT NULL").fetchall()
    start = datetime.now(UTC) - timedelta(days=2) - timedelta(seconds=messages * SECONDS_BETWEEN_MESSAGES)
    epoch = int(start.timestamp())
    connection.execute("BEGIN")
    for name, _sql in indexes:
        connection.execute(f"DROP INDEX {name}")
    connection.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO people (id, phone, lang, created_at, updated_at)"
        " SELECT i, printf('+336%08d', i), 'fr', strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch'),"
        " strftime('%Y-%m-%dT%H:%M:%SZ', ?, 'unixepoch') FROM n", (people, epoch, epoch))
    # Pairs: a text (odd id) and its reply (the next id), each person's pairs spread over the year.
    connection.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),"
        " m(i, person, at) AS (SELECT i, ((i - 1) / 2) % ? + 1,"
        "   strftime('%Y-%m-%dT%H:%M:%SZ', ? + i * ?, 'unixepoch') FROM n)"
        " INSERT INTO messages (id, direction, person_id, phone, body, encoding, segments, status, twilio_sid,"
        "   reply_to, loop_key, created_at, updated_at)"
        " SELECT i, CASE i % 2 WHEN 1 THEN 'inbound' ELSE 'outbound' END, person, printf('+336%08d', person),"
        "   CASE i % 2 WHEN 1 THEN 'HELP' ELSE 'Send: STATUS, SENT ONLINE/POST, CARD, CLAIM dd/mm, PAID.' END,"
        "   'GSM-7', 1, CASE i % 2 WHEN 1 THEN 'received' ELSE 'sent' END, printf('SM%032x', i),"
        "   CASE i % 2 WHEN 0 THEN i - 1 END, CASE i % 2 WHEN 1 THEN 'help' END, at, at FROM m",
        (messages, people, epoch, SECONDS_BETWEEN_MESSAGES))
    for _name, sql in indexes:
        connection.execute(sql)
    connection.execute("COMMIT")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.close()
