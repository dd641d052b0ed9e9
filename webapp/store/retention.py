"""Retention: what the daily clean-up deletes or blanks, so we keep the least for the shortest time."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime, timedelta

from sqlite_utils import Database

from webapp.store import iso, opened

log = logging.getLogger(__name__)

# The reply limits count the last hour: what is kept for them (the reply times of erased numbers) is
# needed that long and no longer.
REPLY_WINDOW = timedelta(hours=1)


def purge_cancelled_reminders(db: Database, before: datetime) -> int:
    """Delete reminders cancelled before `before`: never sent, and the facts no longer call for them.

    Sent, failed and expired rows stay: they are what stops a reminder from being planned again.
    """
    return db.execute("DELETE FROM reminders WHERE state = 'cancelled' AND updated_at < ?",
                      (iso(before),)).rowcount


def blank_old_bodies(db: Database, before: datetime) -> int:
    """Forget the text of SMS logged before `before` (and its loop key); status and counts stay for the operator."""
    return db.execute("UPDATE messages SET body = '', loop_key = NULL WHERE created_at < ? AND body != ''",
                      (iso(before),)).rowcount


def purge_erased_replies(db: Database, before: datetime) -> int:
    """Delete the reply times of erased numbers noted before `before` (they only matter for an hour)."""
    return db.execute("DELETE FROM erased_replies WHERE replied_at < ?", (iso(before),)).rowcount


# After an erasure the WAL still holds the erased rows' old pages until a checkpoint copies the new pages
# into the file and truncates it. A checkpoint cannot finish while a reader still uses an older snapshot:
# then it runs beside the request (the reply does not wait) and tries again a moment later, in one
# thread per database file and process however many erasures come meanwhile.
WAL_SCRUB_PAUSE_SECONDS = 0.5
# A TRUNCATE checkpoint waiting for a reader holds the write lock: every writer waits with it (Litestream's
# read transaction, always open, made each text wait 4.9 s after a DELETE). So no try waits: 200 tries, 100 s.
WAL_SCRUB_TRIES = 200  # consecutive busy tries before giving up
_scrub_lock = threading.Lock()
_scrub_wanted: set[str] = set()
_scrub_running: set[str] = set()


def scrub_wal(db: Database, path: str) -> None:
    """After an erasure has committed: checkpoint and truncate the WAL now if no one holds it, else soon."""
    waits = db.conn.execute("PRAGMA busy_timeout").fetchone()[0]
    db.conn.execute("PRAGMA busy_timeout = 0")  # a reader would make the reply wait for it
    try:
        done = checkpoint_truncate(db)
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {int(waits)}")
    if not done:
        scrub_wal_soon(path)


def scrub_wal_soon(path: str) -> None:
    """After an erasure: checkpoint the WAL into the file and truncate it, in the background, retrying while busy."""
    with _scrub_lock:
        _scrub_wanted.add(path)
        if path in _scrub_running:  # the running scrub checkpoints again before it stops
            return
        _scrub_running.add(path)
    threading.Thread(target=_scrub_wal, args=(path,), name="wal-scrub", daemon=True).start()


def _scrub_wal(path: str) -> None:
    """Checkpoint (TRUNCATE) until no erasure is waiting for one, or give up after WAL_SCRUB_TRIES busy tries."""
    busy_tries = 0
    with opened(path) as db:
        db.conn.execute("PRAGMA busy_timeout = 0")  # busy: give the write lock back at once, try again later
        while True:
            with _scrub_lock:
                if path not in _scrub_wanted or busy_tries >= WAL_SCRUB_TRIES:
                    _scrub_wanted.discard(path)
                    _scrub_running.discard(path)
                    break
                _scrub_wanted.discard(path)
            if checkpoint_truncate(db):
                busy_tries = 0
                continue
            busy_tries += 1
            with _scrub_lock:
                _scrub_wanted.add(path)
            time.sleep(WAL_SCRUB_PAUSE_SECONDS)
    if busy_tries >= WAL_SCRUB_TRIES:
        log.warning("after an erasure the WAL of %s stayed busy: erased rows stay in it until the next checkpoint",
                    path)


def checkpoint_truncate(db: Database) -> bool:
    """Copy the WAL into the database file and empty it; False when a reader or writer kept it busy."""
    try:
        busy, _frames, _copied = db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as error:  # another checkpoint is running: as busy
        log.info("WAL checkpoint busy: %s", error)
        return False
    return not busy
