"""Storage of the operator console: operators, their audit log, failed sign-ins, and the queue's reads."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from sqlite_utils import Database

from webapp.store import immediate, iso, one, rows

_QUEUE_COLUMNS = ("r.id, r.kind, r.state, r.due_at, r.next_attempt_at, r.attempts, r.last_error, r.lease_owner,"
                  " r.lease_until, p.phone")


def add_operator(db: Database, name: str, password_hash: str, now: datetime) -> bool:
    """A new operator; False when the name is taken (nothing changed)."""
    try:
        with immediate(db):
            db.execute("INSERT INTO operators (name, password_hash, created_at) VALUES (?, ?, ?)",
                       (name, password_hash, iso(now)))
    except sqlite3.IntegrityError:
        return False
    return True


def set_password(db: Database, name: str, password_hash: str) -> bool:
    """A new password hash for an operator (enabled again); False when there is no such operator."""
    with immediate(db):
        return db.execute("UPDATE operators SET password_hash = ?, disabled_at = NULL WHERE name = ?",
                          (password_hash, name)).rowcount == 1


def operator_by_name(db: Database, name: str) -> dict | None:
    """One operator's row, or None."""
    return one(db, "SELECT * FROM operators WHERE name = ?", (name,))


def all_operators(db: Database) -> list[dict]:
    """Every operator, by name (hashes left out)."""
    return rows(db, "SELECT name, created_at, disabled_at FROM operators ORDER BY name")


def disable(db: Database, name: str, now: datetime) -> bool:
    """Stop an operator from signing in; False when there is no such enabled operator."""
    with immediate(db):
        return db.execute("UPDATE operators SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL",
                          (iso(now), name)).rowcount == 1


# -- failed sign-ins (the rate limit) --------------------------------------------------------------------------
def note_failure(db: Database, name_key: str, client_key: str, now: datetime, forget_before: datetime) -> None:
    """Count a failed sign-in; failures older than `forget_before` are no use to the limit and are dropped."""
    with immediate(db):
        db.execute("DELETE FROM signin_failures WHERE at < ?", (iso(forget_before),))
        db.execute("INSERT INTO signin_failures (name_key, client_key, at) VALUES (?, ?, ?)",
                   (name_key, client_key, iso(now)))


def failure_times(db: Database, column: str, key: str, since: datetime) -> list[str]:
    """When the failures of one name key or one client key since `since` happened, oldest first."""
    if column not in ("name_key", "client_key"):
        raise ValueError(column)
    return [row["at"] for row in rows(
        db, f"SELECT at FROM signin_failures WHERE {column} = ? AND at >= ? ORDER BY at", (key, iso(since)))]


# -- the audit log ---------------------------------------------------------------------------------------------
def add_audit(db: Database, operator: str, action: str, detail: str, now: datetime) -> None:
    """One line of the audit log (`detail` never holds a number in clear)."""
    with immediate(db):
        db.execute("INSERT INTO operator_audit (at, operator, action, detail) VALUES (?, ?, ?, ?)",
                   (iso(now), operator, action, detail))


def audit_log(db: Database, limit: int = 200) -> list[dict]:
    """The latest lines of the audit log, newest first."""
    return rows(db, "SELECT * FROM operator_audit ORDER BY at DESC, id DESC LIMIT ?", (limit,))


# -- the queue -------------------------------------------------------------------------------------------------
def due_between(db: Database, start: datetime, end: datetime, limit: int) -> tuple[int, list[dict]]:
    """Scheduled reminders to be tried before `end` (overdue ones too: the next pass takes them): how many,
    and the first `limit` of them, soonest first. `start` is now: a row before it is overdue."""
    where = "FROM reminders r JOIN people p ON p.id = r.person_id WHERE r.state = 'scheduled' AND r.next_attempt_at < ?"
    count = db.execute(f"SELECT COUNT(*) {where}", (iso(end),)).fetchone()[0]
    found = rows(db, f"SELECT {_QUEUE_COLUMNS}, r.next_attempt_at < ? AS overdue {where}"
                 " ORDER BY r.next_attempt_at, r.id LIMIT ?", (iso(start), iso(end), limit))
    return count, found


def in_state(db: Database, state: str, limit: int) -> list[dict]:
    """Reminders in one state (`sending`, `failed`), the latest updated first, with the person's number."""
    return rows(db, f"SELECT {_QUEUE_COLUMNS}, r.updated_at FROM reminders r JOIN people p ON p.id = r.person_id"
                " WHERE r.state = ? ORDER BY r.updated_at DESC, r.id DESC LIMIT ?", (state, limit))


def count_in_state(db: Database, state: str) -> int:
    """How many reminders are in one state."""
    return db.execute("SELECT COUNT(*) FROM reminders WHERE state = ?", (state,)).fetchone()[0]


def reminder_phone(db: Database, reminder_id: int) -> str | None:
    """The number a reminder is for (to mask it in the audit log)."""
    found = one(db, "SELECT p.phone FROM reminders r JOIN people p ON p.id = r.person_id WHERE r.id = ?",
                (reminder_id,))
    return found and found["phone"]
