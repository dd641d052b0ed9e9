"""Storage of reminder rows: planning them from rules, and the states they move through."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from scheduler.rules import Plan
from webapp.store import iso

# States a reminder can still leave; the others are final and never re-created.
PENDING = ("scheduled",)
PARKED = ("cancelled", "muted")  # never sent: the facts (or START) may bring them back


def replan(db: Database, person_id: int, plans: list[Plan], now: datetime, muted: bool) -> None:
    """Make the person's pending reminders match `plans`: cancel the unwanted, add the missing.

    A reminder whose due time is already past is due at once. Rows once sent (or failed) are
    never touched, so a reminder is never sent twice; a parked one the facts call for again is
    brought back rather than duplicated.
    """
    wanted = {(p.kind, p.subject, iso(p.due_at)) for p in plans}
    for row in db.query(
        "SELECT id, kind, subject, due_at FROM reminders WHERE person_id = ? AND state IN"
        " ('scheduled', 'muted')", (person_id,)
    ):
        if (row["kind"], row["subject"], row["due_at"]) not in wanted:
            db.execute("UPDATE reminders SET state = 'cancelled', lease_until = NULL,"
                       " updated_at = ? WHERE id = ?", (iso(now), row["id"]))
    state = "muted" if muted else "scheduled"
    for kind, subject, due_at in sorted(wanted):
        ready = max(due_at, iso(now))
        db.execute(
            "INSERT INTO reminders (person_id, kind, subject, due_at, state, next_attempt_at,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id, kind, subject, due_at) DO UPDATE SET state = excluded.state,"
            " next_attempt_at = MAX(reminders.due_at, excluded.created_at),"
            " updated_at = excluded.updated_at"
            " WHERE reminders.state IN ('cancelled', 'muted') AND reminders.state != excluded.state",
            (person_id, kind, subject, due_at, state, ready, iso(now), iso(now)),
        )


def mute_all(db: Database, person_id: int, now: datetime) -> None:
    """Opt-out: nothing pending is sent any more."""
    db.execute("UPDATE reminders SET state = 'muted', lease_until = NULL, updated_at = ?"
               " WHERE person_id = ? AND state = 'scheduled'", (iso(now), person_id))


def for_person(db: Database, person_id: int) -> list[dict]:
    """All the person's reminders, soonest first."""
    return list(db.query("SELECT * FROM reminders WHERE person_id = ? ORDER BY due_at, kind",
                         (person_id,)))
