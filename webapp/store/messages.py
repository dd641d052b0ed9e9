"""Storage of the message log: every SMS in or out, its encoding, segments and status."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from sms.segments import measure
from webapp.store import iso, one, rows

# The loop key every STOP text is logged under (sms.inbound.loop_key). Folded texts are letters only: it is none
# of them. An erasure keeps which replies were STOP confirmations by it.
STOP_KEY = "#stop"


def add_message(db: Database, *, direction: str, phone: str, body: str, status: str,
                now: datetime, person_id: int | None = None, twilio_sid: str | None = None,
                reply_to: int | None = None, reminder_id: int | None = None,
                error_code: int | None = None, loop_key: str | None = None) -> int:
    """Log one SMS; return its id. `loop_key`: an inbound text as loop protection compares it."""
    encoded = measure(body)
    cursor = db.execute(
        "INSERT INTO messages (direction, person_id, phone, body, encoding, segments, status,"
        " twilio_sid, error_code, reply_to, reminder_id, created_at, updated_at, loop_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (direction, person_id, phone, body, encoded.encoding, encoded.segments, status,
         twilio_sid, error_code, reply_to, reminder_id, iso(now), iso(now), loop_key),
    )
    return cursor.lastrowid


def set_outcome(db: Database, message_id: int, *, status: str, now: datetime,
                twilio_sid: str | None = None, error_code: int | None = None) -> None:
    """Record what the gateway answered for an outbound message."""
    db.execute(
        "UPDATE messages SET status = ?, twilio_sid = COALESCE(?, twilio_sid),"
        " error_code = ?, updated_at = ? WHERE id = ?",
        (status, twilio_sid, error_code, iso(now), message_id),
    )


def message_by_id(db: Database, message_id: int) -> dict | None:
    """One logged message."""
    return one(db, "SELECT * FROM messages WHERE id = ?", (message_id,))


def log(db: Database, phone: str | None = None, limit: int | None = None) -> list[dict]:
    """The message log, newest first, optionally for one number."""
    sql = "SELECT * FROM messages"
    params: tuple = ()
    if phone:
        sql += " WHERE phone = ?"
        params = (phone,)
    sql += " ORDER BY created_at DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return rows(db, sql, params)


def by_twilio_sid(db: Database, sid: str) -> dict | None:
    """The message Twilio knows by this SID (an inbound MessageSid or an outbound message's SID)."""
    return one(db, "SELECT * FROM messages WHERE twilio_sid = ?", (sid,))


def reply_to(db: Database, message_id: int) -> dict | None:
    """The reply we gave to an inbound message, if we gave one."""
    return one(db, "SELECT * FROM messages WHERE reply_to = ? ORDER BY id LIMIT 1", (message_id,))


def traffic_since(db: Database, phone: str, loop_key: str, hour: datetime, day: datetime) -> tuple[int, int, int]:
    """How many replies this number got since `hour` and since `day`, and how many texts with this loop key
    it sent since `hour` (`day` is the earlier)."""
    return db.conn.execute(
        "SELECT COUNT(*) FILTER (WHERE direction = 'outbound' AND reply_to IS NOT NULL AND created_at >= ?),"
        " COUNT(*) FILTER (WHERE direction = 'outbound' AND reply_to IS NOT NULL),"
        " COUNT(*) FILTER (WHERE direction = 'inbound' AND loop_key = ? AND created_at >= ?)"
        " FROM messages WHERE phone = ? AND created_at >= ?",
        (iso(hour), loop_key, iso(hour), phone, iso(day))).fetchone()


def all_replies_since(db: Database, since: datetime) -> int:
    """Replies to every number since `since`, those a DELETE erased from the log too (the global ceiling)."""
    # messages_replies (m009) holds only replies: the count reads none of the hour's texts or reminders.
    return db.conn.execute(
        "SELECT (SELECT COUNT(*) FROM messages WHERE direction = 'outbound' AND reply_to IS NOT NULL"
        " AND created_at >= ?) + (SELECT COUNT(*) FROM erased_replies WHERE replied_at >= ?)",
        (iso(since), iso(since))).fetchone()[0]


def replies_to_key_since(db: Database, phone: str, loop_key: str, since: datetime) -> int:
    """Since `since`: how many replies this number got to texts with this loop key (STOP confirmations)."""
    return db.conn.execute(
        "SELECT COUNT(*) FROM messages AS reply JOIN messages AS text ON text.id = reply.reply_to"
        " WHERE reply.phone = ? AND reply.created_at >= ? AND reply.direction = 'outbound' AND text.loop_key = ?",
        (phone, iso(since), loop_key)).fetchone()[0]


def set_status(db: Database, message_id: int, status: str, now: datetime,
               error_code: int | None = None) -> None:
    """Record a status reported later (a status callback); the error code is kept if none is given."""
    db.execute(
        "UPDATE messages SET status = ?, error_code = COALESCE(?, error_code), updated_at = ? WHERE id = ?",
        (status, error_code, iso(now), message_id))


def keep_reply_times(db: Database, sender_key: str, phone: str, since: datetime) -> None:
    """Before an erasure: keep when this number got replies since `since`, and which were STOP
    confirmations (replies to texts with STOP_KEY), under its key only."""
    db.conn.execute(
        "INSERT INTO erased_replies (sender_key, replied_at, to_stop)"
        " SELECT ?, reply.created_at, text.loop_key IS ? FROM messages AS reply"
        " JOIN messages AS text ON text.id = reply.reply_to"
        " WHERE reply.phone = ? AND reply.direction = 'outbound' AND reply.created_at >= ?",
        (sender_key, STOP_KEY, phone, iso(since)))


def note_delete_reply(db: Database, sender_key: str, now: datetime, sid_key: str | None = None) -> None:
    """The reply to a DELETE, counted without storing the number (there is no log left to count it);
    `sid_key`: its MessageSid as a keyed hash, for Twilio's retries."""
    db.conn.execute("INSERT INTO erased_replies (sender_key, replied_at, to_delete, sid_key) VALUES (?, ?, 1, ?)",
                    (sender_key, iso(now), sid_key))


def delete_answered(db: Database, sender_key: str, sid_key: str, since: datetime) -> bool:
    """True when the DELETE with this MessageSid (a keyed hash) was confirmed since `since`: a retry."""
    return db.conn.execute(
        "SELECT 1 FROM erased_replies WHERE sender_key = ? AND replied_at >= ? AND sid_key = ?",
        (sender_key, iso(since), sid_key)).fetchone() is not None


def erased_replies_since(db: Database, sender_key: str, since: datetime) -> tuple[int, int, int]:
    """Replies the number behind `sender_key` got since `since` that no log shows: all, to DELETE, to STOP."""
    return db.conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(to_delete), 0), COALESCE(SUM(to_stop), 0) FROM erased_replies"
        " WHERE sender_key = ? AND replied_at >= ?", (sender_key, iso(since))).fetchone()
