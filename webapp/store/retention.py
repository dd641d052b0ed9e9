"""Retention: what the daily clean-up deletes or blanks, so we keep the least for the shortest time."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from webapp.store import iso


def purge_cancelled_reminders(db: Database, before: datetime) -> int:
    """Delete reminders cancelled before `before`: never sent, and the facts no longer call for them.

    Sent, failed and expired rows stay: they are what stops a reminder from being planned again.
    """
    return db.execute("DELETE FROM reminders WHERE state = 'cancelled' AND updated_at < ?",
                      (iso(before),)).rowcount


def blank_old_bodies(db: Database, before: datetime) -> int:
    """Forget the text of SMS logged before `before`; their status and counts stay for the operator."""
    return db.execute("UPDATE messages SET body = '' WHERE created_at < ? AND body != ''",
                      (iso(before),)).rowcount



def purge_erased_replies(db: Database, before: datetime) -> int:
    """Delete the reply times of erased numbers noted before `before` (they only matter for an hour)."""
    return db.execute("DELETE FROM erased_replies WHERE replied_at < ?", (iso(before),)).rowcount
