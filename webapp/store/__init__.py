"""The SQLite connection: `get_db()` per request, `opened(path)` elsewhere; WAL, busy timeout, short writes."""
from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, g
from sqlite_utils import Database

# Every wait for the write lock ends within this (SQLite's busy handler), well inside the 15 s Twilio waits
# for a webhook's answer: a long write elsewhere (a migration, a backup, an operator's shell) turns into a
# prompt 503, never a hang. Readers never wait on writers (WAL).
BUSY_TIMEOUT_MS = 5_000
_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


class Busy(sqlite3.OperationalError):
    """The write lock stayed taken for the whole busy timeout: nothing was written, try again shortly."""


def connect(path: str | Path) -> Database:
    """Open the database file with the pragmas every process must share."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    # Deleted rows are overwritten with zeros, not only unlinked: DELETE erases the number from the file
    # (some builds of SQLite default to off).
    db.execute("PRAGMA secure_delete = ON")
    return db


@contextlib.contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A short write transaction that takes the write lock at once (no upgrade deadlock).

    Nested in another, it rides on the outer one (no savepoint: an error rolls the whole transaction
    back); code that must undo only its own part after an error it catches uses `savepoint`.
    """
    if db.conn.in_transaction:
        yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF in _BUSY_CODES:  # extended codes (BUSY_SNAPSHOT…) keep the primary
            raise Busy(str(error)) from error
        raise
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


@contextlib.contextmanager
def savepoint(db: Database) -> Iterator[Database]:
    """Inside a transaction, a part that an error undoes alone (the transaction goes on)."""
    with db.atomic():
        yield db


def rows(db: Database, sql: str, params: tuple | dict = ()) -> list[dict]:
    """A SELECT's rows as dicts, straight from sqlite3.

    sqlite-utils' `db.query` wraps every statement in a savepoint of its own (two more statements)
    and parses it for its first keyword; reads go through this instead.
    """
    cursor = db.conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def one(db: Database, sql: str, params: tuple | dict = ()) -> dict | None:
    """A SELECT's first row as a dict, or None."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    return None if row is None else dict(zip([column[0] for column in cursor.description], row, strict=True))


def marks(values) -> str:
    """The `?, ?, …` placeholders of an `IN (…)` list for these values."""
    return ",".join("?" * len(values))


def utcnow() -> datetime:
    """Now, in UTC, aware."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The one text form of instants in the database: UTC ISO 8601 to the second, YYYY-MM-DDTHH:MM:SSZ."""
    # isoformat pads the year to four digits (strftime's %Y does not on glibc: year 100 -> "100-…"), so
    # text order is time order.
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


_ISO_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def parse_iso(text: str) -> datetime:
    """Read back an instant written by `iso`, aware, in UTC; ValueError for any other text."""
    if not isinstance(text, str) or not _ISO_INSTANT.fullmatch(text):
        raise ValueError(f"not an instant as iso() writes them: {text!r}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


@contextlib.contextmanager
def opened(path: str | Path) -> Iterator[Database]:
    """The database for a command, the scheduler or a script: opened with `connect`, closed on the way out."""
    db = connect(path)
    try:
        yield db
    finally:
        db.close()


def get_db() -> Database:
    """The request's database: this thread's connection to the app's file, opened on its first request.

    Kept from one request to the next (closed when the thread ends or the file changes): a new connection
    per request would lose SQLite's prepared statements and, on the last close, checkpoint and delete the
    WAL, which cost the webhook about a quarter of its throughput (bench/webhook.py). `close_db` ends
    what a request leaves: an open transaction, and a connection that met a database error.
    """
    if "db" not in g:
        path = current_app.config["DATABASE"]
        held = getattr(_threads, "held", None)
        if held is not None and held[0] != path:  # another app (tests): one connection per thread at most
            held[1].close()
            held = None
        if held is None:
            held = _threads.held = (path, connect(path))
        g.db = held[1]
    return g.db


_threads = threading.local()


def close_db(exc: BaseException | None = None) -> None:
    """At the end of a request: roll back what it left open; after a database error, close the connection.

    A connection opened while the file could not be written stays read-only for good, and one that met an
    I/O error is not to be trusted: the thread's next request opens anew, so a worker recovers by itself.
    """
    db = g.pop("db", None)
    if db is None:
        return
    if db.conn.in_transaction:
        db.conn.rollback()
    if isinstance(exc, sqlite3.Error):
        _threads.held = None
        with contextlib.suppress(sqlite3.Error):
            db.close()

