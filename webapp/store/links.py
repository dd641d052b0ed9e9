"""Storage of linked devices, their token hashes, the opt-in codes and the texts counted for their rate limits."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from webapp.store import iso, one, parse_iso, rows


def add_device(db: Database, person_id: int, token_hash: str, now: datetime) -> int:
    """Link a device (by the hash of its token) to a person; return its id."""
    return db.execute("INSERT INTO devices (person_id, token_hash, created_at) VALUES (?, ?, ?)",
                      (person_id, token_hash, iso(now))).lastrowid


def device_by_token(db: Database, token_hash: str) -> dict | None:
    """The device with this token hash, if it is linked."""
    return one(db, "SELECT * FROM devices WHERE token_hash = ?", (token_hash,))


def is_revoked(db: Database, token_hash: str) -> bool:
    """True when this token hash was linked once and is no longer."""
    return one(db, "SELECT 1 AS x FROM revoked_tokens WHERE token_hash = ?", (token_hash,)) is not None


def touch_device(db: Database, device_id: int, now: datetime) -> None:
    """Note the device's last sync."""
    db.execute("UPDATE devices SET last_sync_at = ? WHERE id = ?", (iso(now), device_id))


def revoke_device(db: Database, device_id: int, now: datetime) -> None:
    """Unlink one device: its token stops working, and says so."""
    db.execute("INSERT OR IGNORE INTO revoked_tokens (token_hash, revoked_at)"
               " SELECT token_hash, ? FROM devices WHERE id = ?", (iso(now), device_id))
    db.execute("DELETE FROM devices WHERE id = ?", (device_id,))


def revoke_person_devices(db: Database, person_id: int, now: datetime) -> int:
    """Unlink every device of a person (before erasing them); return how many."""
    db.execute("INSERT OR IGNORE INTO revoked_tokens (token_hash, revoked_at)"
               " SELECT token_hash, ? FROM devices WHERE person_id = ?", (iso(now), person_id))
    return db.execute("DELETE FROM devices WHERE person_id = ?", (person_id,)).rowcount


def devices_of(db: Database, person_id: int) -> int:
    """How many devices the person has linked."""
    return one(db, "SELECT COUNT(*) AS n FROM devices WHERE person_id = ?", (person_id,))["n"]


def save_code(db: Database, phone: str, code_hash: str, lang: str, expires_at: datetime, now: datetime) -> None:
    """The one live code for this number (a new code replaces the old one, with its tries)."""
    db.execute(
        "INSERT INTO optin_codes (phone, code_hash, lang, tries, expires_at, created_at) VALUES (?, ?, ?, 0, ?, ?)"
        " ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash, lang = excluded.lang, tries = 0,"
        " expires_at = excluded.expires_at, created_at = excluded.created_at",
        (phone, code_hash, lang, iso(expires_at), iso(now)))


def code_for(db: Database, phone: str) -> dict | None:
    """The live code row for this number, if any."""
    return one(db, "SELECT * FROM optin_codes WHERE phone = ?", (phone,))


def count_try(db: Database, phone: str) -> int:
    """One more wrong try at this number's code; return the tries so far."""
    row = one(db, "UPDATE optin_codes SET tries = tries + 1 WHERE phone = ? RETURNING tries", (phone,))
    return row["tries"] if row else 0


def drop_code(db: Database, phone: str) -> None:
    """Forget this number's code (used, expired or tried too often)."""
    db.execute("DELETE FROM optin_codes WHERE phone = ?", (phone,))


def note_code_text(db: Database, phone_key: str, client_key: str, now: datetime) -> None:
    """Count one code texted, for the rate limits (keyed hashes of the number and the client address)."""
    db.execute("INSERT INTO optin_texts (phone_key, client_key, sent_at) VALUES (?, ?, ?)",
               (phone_key, client_key, iso(now)))


def _texts_where(phone_key: str | None, client_key: str | None) -> tuple[str, tuple]:
    if phone_key is not None:
        return "phone_key = ? AND ", (phone_key,)
    if client_key is not None:
        return "client_key = ? AND ", (client_key,)
    return "", ()


def code_texts_since(db: Database, since: datetime, *, phone_key: str | None = None,
                     client_key: str | None = None) -> int:
    """Codes texted since `since`: to one number, from one client address, or in all."""
    where, params = _texts_where(phone_key, client_key)
    return one(db, f"SELECT COUNT(*) AS n FROM optin_texts WHERE {where}sent_at >= ?", (*params, iso(since)))["n"]


def first_code_text_since(db: Database, since: datetime, *, phone_key: str | None = None,
                          client_key: str | None = None) -> datetime | None:
    """When the earliest code counted since `since` was texted (to one number, from one client, or in all)."""
    where, params = _texts_where(phone_key, client_key)
    row = one(db, f"SELECT MIN(sent_at) AS at FROM optin_texts WHERE {where}sent_at >= ?", (*params, iso(since)))
    return parse_iso(row["at"]) if row and row["at"] else None


def purge_link_leftovers(db: Database, now: datetime, texts_before: datetime) -> int:
    """Delete expired codes and the code texts counted before `texts_before` (daily clean-up); return rows."""
    expired = db.execute("DELETE FROM optin_codes WHERE expires_at < ?", (iso(now),)).rowcount
    return expired + db.execute("DELETE FROM optin_texts WHERE sent_at < ?", (iso(texts_before),)).rowcount


def devices_list(db: Database, person_id: int) -> list[dict]:
    """The person's linked devices: when each was linked and last synced (never their token hashes)."""
    return rows(db, "SELECT id, created_at, last_sync_at FROM devices WHERE person_id = ? ORDER BY id", (person_id,))


def sync_record(db: Database, person_id: int) -> dict[str, list[dict]]:
    """What sync keeps about the person beside the facts: each fact's last write, and the change ids applied."""
    return {
        "fact_times": rows(db, "SELECT field, changed_at, removed FROM field_times WHERE person_id = ?"
                               " ORDER BY field", (person_id,)),
        "changes_applied": rows(db, "SELECT change_id, applied_at FROM sync_changes WHERE person_id = ?"
                                    " ORDER BY applied_at, change_id", (person_id,)),
    }
