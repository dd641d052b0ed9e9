"""Storage of reminder rows: planning them from rules, and the states they move through."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from webapp.store import immediate, iso, marks, rows
from webapp.store.kinds import FOLLOWUP_OF, Plan
from webapp.store.states import DELIVERY, FINAL, NAMES, PARKED, SENDABLE, sql_list

# The IN-lists of the SQL below, from the states table. A re-plan governs the rows not final, except the
# cancelled ones it already let go (re-cancelling them would restart their retention clock).
_SENDABLE, _PARKED = sql_list(SENDABLE), sql_list(PARKED)
_REPLANNED = sql_list(tuple(name for name in NAMES if name not in FINAL and name != "cancelled"))
_NOT_IN_PLAY = sql_list((*PARKED, "superseded"))  # a follow-up in these is not going to be sent


def replan(db: Database, person_id: int, plans: list[Plan], now: datetime, muted: bool) -> None:
    """Make the person's pending reminders match `plans`: cancel the unwanted, add the missing.

    A reminder whose due time is already past is due at once. Rows once sent (or failed) are
    never touched, so a reminder is never sent twice; a parked one the facts call for again is
    brought back rather than duplicated. A row a pass holds (`sending`) is cancelled too, lease
    and all: the pass re-checks its lease right before sending, and a dead pass's row never
    comes back.
    """
    wanted = {(p.kind, p.subject, iso(p.due_at)) for p in plans}
    held = {}  # the governed rows by their unique key: their state
    for row in rows(db, f"SELECT id, kind, subject, due_at, state FROM reminders WHERE person_id = ? AND state IN"
                    f" ({_REPLANNED})", (person_id,)):
        key = (row["kind"], row["subject"], row["due_at"])
        held[key] = row["state"]
        if key not in wanted:
            db.execute("UPDATE reminders SET state = 'cancelled', lease_owner = NULL, lease_until = NULL,"
                       " updated_at = ? WHERE id = ?", (iso(now), row["id"]))
    state = "muted" if muted else "scheduled"
    for kind, subject, due_at in sorted(wanted):
        if held.get((kind, subject, due_at)) in (state, *SENDABLE):
            continue  # there already, sendable or as wanted: the upsert below would leave it as it is
        ready = max(due_at, iso(now))
        db.execute(
            "INSERT INTO reminders (person_id, kind, subject, due_at, state, next_attempt_at,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id, kind, subject, due_at) DO UPDATE SET state = excluded.state,"
            " next_attempt_at = MAX(reminders.due_at, excluded.created_at),"
            " updated_at = excluded.updated_at"
            f" WHERE reminders.state IN ({_PARKED}) AND reminders.state != excluded.state",
            (person_id, kind, subject, due_at, state, ready, iso(now), iso(now)),
        )


def mute_all(db: Database, person_id: int, now: datetime) -> None:
    """Opt-out: nothing pending is sent any more, not even a row a pass holds (`sending`)."""
    db.execute("UPDATE reminders SET state = 'muted', lease_owner = NULL, lease_until = NULL,"
               f" updated_at = ? WHERE person_id = ? AND state IN ({_SENDABLE})",
               (iso(now), person_id))


def for_person(db: Database, person_id: int) -> list[dict]:
    """All the person's reminders, soonest first."""
    return rows(db, "SELECT * FROM reminders WHERE person_id = ? ORDER BY due_at, kind", (person_id,))


# -- the dispatch pass -----------------------------------------------------------------------------
# A claimed row is `sending` with a lease; its next_attempt_at is moved to the lease's end, so one
# index range (state, next_attempt_at) finds both the due rows and the rows whose pass died.
_DUE = (f"FROM reminders r WHERE r.state IN ({_SENDABLE}) AND r.next_attempt_at <= :now"
        " AND NOT EXISTS (SELECT 1 FROM reminders o WHERE o.person_id = r.person_id AND o.id != r.id"
        " AND +o.state = 'sending' AND o.lease_until > :now)")  # `+`: look siblings up by person
_COLUMNS = "id, person_id, kind, subject, due_at, state, attempts, next_attempt_at"


def expire_stale(db: Database, cutoff: datetime, now: datetime) -> int:
    """Give up the reminders that became sendable before `cutoff`: they are never sent."""
    return db.execute(
        "UPDATE reminders SET state = 'expired', updated_at = ? WHERE state = 'scheduled'"
        " AND next_attempt_at < ?", (iso(now), iso(cutoff))).rowcount


def postpone_due(db: Database, until: datetime, now: datetime) -> int:
    """Quiet hours: every due reminder waits until `until` (one statement, no lease needed)."""
    return db.execute(
        "UPDATE reminders SET next_attempt_at = ?, updated_at = ? WHERE state = 'scheduled'"
        " AND next_attempt_at <= ?", (iso(until), iso(now), iso(now))).rowcount


def claim_due(db: Database, now: datetime, owner: str, lease_until: datetime, limit: int) -> list[dict]:
    """Take up to `limit` due rows for this pass, atomically; none another live pass holds.

    Rows come back as they were before the claim: `state` is `sending` for a row taken back
    from a pass that died, and `next_attempt_at` then tells when that pass took it.
    """
    params = {"now": iso(now), "limit": limit}
    with immediate(db):  # the write lock is held from the SELECT on: no other pass sees these rows free
        # No ORDER BY: the index already yields due rows oldest first, and sorting would cost every
        # claim the whole due set.
        claimed = rows(db, f"SELECT {_COLUMNS} {_DUE} LIMIT :limit", params)
        if claimed:
            db.execute(
                "UPDATE reminders SET state = 'sending', lease_owner = ?, lease_until = ?,"
                f" next_attempt_at = ?, updated_at = ? WHERE id IN ({marks(claimed)})",
                (owner, iso(lease_until), iso(lease_until), iso(now), *(row["id"] for row in claimed)))
    return claimed


def due(db: Database, now: datetime, limit: int | None = None) -> list[dict]:
    """The rows a pass at `now` would take, read only (dry run)."""
    sql = f"SELECT {_COLUMNS} {_DUE} ORDER BY r.next_attempt_at, r.due_at, r.id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return rows(db, sql, {"now": iso(now)})


def _finish(db: Database, reminder_id: int, owner: str, now: datetime, state: str, *,
            attempted: bool = False, **fields) -> bool:
    """Leave `sending`, only if this pass still holds the lease; False when it lost it.
    `attempted`: the provider was tried, which counts in `attempts`."""
    sets = "".join(f", {name} = :{name}" for name in fields) + (", attempts = attempts + 1" if attempted else "")
    return db.execute(
        f"UPDATE reminders SET state = :state, lease_owner = NULL, lease_until = NULL,"
        f" updated_at = :now{sets} WHERE id = :id AND state = 'sending' AND lease_owner = :owner",
        {"state": state, "now": iso(now), "id": reminder_id, "owner": owner, **fields}).rowcount == 1


def still_held(db: Database, reminder_id: int, owner: str) -> bool:
    """Is the row still `sending` under this pass's lease (not cancelled, muted or taken over)?"""
    return db.execute("SELECT 1 FROM reminders WHERE id = ? AND state = 'sending' AND lease_owner = ?",
                      (reminder_id, owner)).fetchone() is not None


def followups(db: Database, person_ids: list[int]) -> dict[tuple[int, str, str], str]:
    """(person id, kind, subject) -> due_at of these people's follow-ups still in play (not
    cancelled, muted or superseded)."""
    if not person_ids:
        return {}
    return {(row["person_id"], row["kind"], row["subject"]): row["due_at"] for row in rows(db,
        f"SELECT person_id, kind, subject, due_at FROM reminders WHERE person_id IN ({marks(person_ids)})"
        f" AND kind IN (?, ?) AND state NOT IN ({_NOT_IN_PLAY})",
        (*person_ids, *FOLLOWUP_OF.values()))}


def bring_forward(db: Database, person_id: int, kind: str, subject: str, now: datetime) -> int:
    """Make a scheduled reminder due now (its superseded first reminder is not sent)."""
    return db.execute(
        "UPDATE reminders SET next_attempt_at = ?, updated_at = ? WHERE person_id = ? AND kind = ?"
        " AND subject = ? AND state = 'scheduled' AND next_attempt_at > ?",
        (iso(now), iso(now), person_id, kind, subject, iso(now))).rowcount


def mark_sent(db: Database, reminder_id: int, owner: str, message_id: int, now: datetime) -> bool:
    """Handed to the gateway and accepted: never sent again. `attempts` counts every try."""
    return _finish(db, reminder_id, owner, now, "sent", attempted=True, message_id=message_id,
                   sent_at=iso(now), last_error=None)


def mark_sent_after_park(db: Database, reminder_id: int, message_id: int, now: datetime) -> bool:
    """The message went out although the row was cancelled or muted during the provider call:
    record the truth, so START or a re-plan can never bring it back and send it again."""
    return db.execute(
        "UPDATE reminders SET state = 'sent', attempts = attempts + 1, message_id = ?, sent_at = ?,"
        f" last_error = NULL, updated_at = ? WHERE id = ? AND state IN ({_PARKED})"
        " AND message_id IS NULL", (message_id, iso(now), iso(now), reminder_id)).rowcount == 1


def mark_retry(db: Database, reminder_id: int, owner: str, at: datetime, error: str,
               now: datetime) -> bool:
    """A transient failure: try again at `at`."""
    return _finish(db, reminder_id, owner, now, "scheduled", attempted=True, next_attempt_at=iso(at),
                   last_error=error)


def mark_failed(db: Database, reminder_id: int, owner: str, error: str, now: datetime, *,
                attempted: bool = True) -> bool:
    """A permanent failure, or the last attempt: never tried again. `attempted=False`: the row
    itself could not be handled (damaged data), the provider was never called."""
    return _finish(db, reminder_id, owner, now, "failed", attempted=attempted, last_error=error)


def mark_postponed(db: Database, reminder_id: int, owner: str, at: datetime, now: datetime) -> bool:
    """Not now (quiet hours, one a day): due again at `at`, no attempt spent."""
    return _finish(db, reminder_id, owner, now, "scheduled", next_attempt_at=iso(at))


def mark_expired(db: Database, reminder_id: int, owner: str, now: datetime) -> bool:
    """Too old to send (the look-back window has passed): never sent."""
    return _finish(db, reminder_id, owner, now, "expired")


def mark_superseded(db: Database, reminder_id: int, owner: str, now: datetime) -> bool:
    """Sent so late that its follow-up is due too: never sent, the follow-up goes instead. Final:
    unlike `cancelled`, a re-plan never brings it back."""
    return _finish(db, reminder_id, owner, now, "superseded", last_error="superseded by follow-up")


def mark_muted(db: Database, reminder_id: int, owner: str, now: datetime) -> bool:
    """The person opted out: parked, START brings it back."""
    return _finish(db, reminder_id, owner, now, "muted")


def record_delivery(db: Database, reminder_id: int, status: str, now: datetime) -> bool:
    """Move a sent reminder to what the carrier reported (delivered, undelivered, failed)."""
    if status not in DELIVERY:
        return False
    return db.execute(
        "UPDATE reminders SET state = ?, updated_at = ? WHERE id = ? AND state = 'sent'",
        (status, iso(now), reminder_id)).rowcount == 1


def people_reminded_since(db: Database, person_ids: list[int], since: datetime) -> set[int]:
    """Which of these people were handed a reminder at or after `since`."""
    if not person_ids:
        return set()
    return {row["person_id"] for row in rows(db,
        f"SELECT DISTINCT person_id FROM reminders WHERE person_id IN ({marks(person_ids)}) AND sent_at >= ?",
        (*person_ids, iso(since)))}


def accepted_messages(db: Database, reminder_ids: list[int]) -> dict[int, int]:
    """reminder id -> a logged message for it that the backend accepted (it has a provider id)."""
    if not reminder_ids:
        return {}
    return {row["reminder_id"]: row["id"] for row in rows(db,
        f"SELECT reminder_id, MAX(id) AS id FROM messages WHERE reminder_id IN ({marks(reminder_ids)})"
        " AND direction = 'outbound' AND twilio_sid IS NOT NULL GROUP BY reminder_id",
        tuple(reminder_ids))}


def queue(db: Database, state: str | None = None, limit: int = 200) -> list[dict]:
    """The queue for operators, soonest first, with the person's number and language, and the
    delivery status Twilio's callbacks gave the message of a sent one."""
    where, params = ("WHERE r.state = ?", (state,)) if state else ("", ())
    return rows(db, "SELECT r.*, p.phone, p.lang, m.status AS delivery FROM reminders r"
                " JOIN people p ON p.id = r.person_id LEFT JOIN messages m ON m.id = r.message_id"
                f" {where} ORDER BY r.next_attempt_at, r.id LIMIT {int(limit)}", params)



def retry_failed(db: Database, reminder_id: int, now: datetime) -> bool:
    """An operator's retry of a failed reminder: scheduled again, due now, with its attempts back to 0 (the
    last error stays until a send clears it). False when the row is not `failed` (nothing changed)."""
    with immediate(db):
        return db.execute(
            "UPDATE reminders SET state = 'scheduled', next_attempt_at = ?, attempts = 0, lease_owner = NULL,"
            " lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'failed'",
            (iso(now), iso(now), reminder_id)).rowcount == 1
