"""Storage of people, their card application and their feuilles de soins."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlite_utils import Database

from webapp.store import iso, marks, one, rows


def person_by_phone(db: Database, phone: str) -> dict | None:
    """The person with this E.164 number, if we know them."""
    return one(db, "SELECT * FROM people WHERE phone = ?", (phone,))


def person_by_id(db: Database, person_id: int) -> dict | None:
    """The person with this id."""
    return one(db, "SELECT * FROM people WHERE id = ?", (person_id,))


def people_by_ids(db: Database, ids: list[int]) -> list[dict]:
    """The people with these ids (those that still exist)."""
    return rows(db, f"SELECT * FROM people WHERE id IN ({marks(ids)})", tuple(ids))


def ensure_person(db: Database, phone: str, lang: str, now: datetime, lang_source: str | None = None) -> dict:
    """The person with this number, created with `lang` (and where it came from) if new."""
    created = one(
        db, "INSERT INTO people (phone, lang, lang_source, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (phone) DO NOTHING RETURNING *",
        (phone, lang, lang_source, iso(now), iso(now)),
    )
    return created or person_by_phone(db, phone)


def choose_language(db: Database, person_id: int, lang: str, now: datetime) -> None:
    """The language replies and reminders are written in, picked on purpose: no keyword changes it."""
    db.execute("UPDATE people SET lang = ?, lang_source = 'chosen', updated_at = ? WHERE id = ?",
               (lang, iso(now), person_id))


def set_keyword_language(db: Database, person_id: int, lang: str, now: datetime) -> bool:
    """Take the language of the first keyword used, unless one is known already; True if set."""
    cursor = db.execute(
        "UPDATE people SET lang = ?, lang_source = 'keyword', updated_at = ?"
        " WHERE id = ? AND lang_source IS NULL", (lang, iso(now), person_id))
    return cursor.rowcount > 0


def set_opted_out(db: Database, person_id: int, at: datetime | None, now: datetime) -> None:
    """Record an opt-out (at) or clear it (None)."""
    db.execute(
        "UPDATE people SET opted_out_at = ?, updated_at = ? WHERE id = ?",
        (iso(at) if at else None, iso(now), person_id),
    )


def delete_number(db: Database, phone: str) -> None:
    """Erase the number's messages and its person with, through the foreign keys, everything linked to them."""
    db.execute("DELETE FROM messages WHERE phone = ?", (phone,))
    db.execute("DELETE FROM people WHERE phone = ?", (phone,))


def application(db: Database, person_id: int) -> dict | None:
    """The person's current card application."""
    return one(db, "SELECT * FROM applications WHERE person_id = ?", (person_id,))


def save_application(db: Database, person_id: int, method: str, sent_on: date, now: datetime) -> None:
    """Record (or replace) how and when the person applied; a new application awaits its card."""
    db.execute(
        "INSERT INTO applications (person_id, method, sent_on, card_received_on, updated_at)"
        " VALUES (?, ?, ?, NULL, ?) ON CONFLICT (person_id) DO UPDATE SET method = excluded.method,"
        " sent_on = excluded.sent_on, card_received_on = NULL, updated_at = excluded.updated_at",
        (person_id, method, sent_on.isoformat(), iso(now)),
    )


def edit_application(db: Database, person_id: int, method: str, sent_on: date, now: datetime) -> None:
    """Record how and when the person applied, keeping whether the card came (an edit, not a new application)."""
    db.execute(
        "INSERT INTO applications (person_id, method, sent_on, card_received_on, updated_at)"
        " VALUES (?, ?, ?, NULL, ?) ON CONFLICT (person_id) DO UPDATE SET method = excluded.method,"
        " sent_on = excluded.sent_on, updated_at = excluded.updated_at",
        (person_id, method, sent_on.isoformat(), iso(now)),
    )


def delete_application(db: Database, person_id: int) -> bool:
    """Forget the person's application (and with it the card's arrival); False when there was none."""
    return db.execute("DELETE FROM applications WHERE person_id = ?", (person_id,)).rowcount > 0


def set_card_received(db: Database, person_id: int, on: date | None, now: datetime) -> bool:
    """Mark the card as arrived (None: not arrived after all); False when there is no application on record."""
    cursor = db.execute(
        "UPDATE applications SET card_received_on = ?, updated_at = ? WHERE person_id = ?",
        (on.isoformat() if on else None, iso(now), person_id),
    )
    return cursor.rowcount > 0


def claims(db: Database, person_id: int, open_only: bool = False) -> list[dict]:
    """The person's feuilles de soins, oldest first."""
    where = " AND paid_on IS NULL" if open_only else ""
    return rows(db, f"SELECT * FROM claims WHERE person_id = ?{where} ORDER BY posted_on, number",
                (person_id,))


def add_claim(db: Database, person_id: int, posted_on: date, now: datetime) -> int:
    """Record a posted feuille de soins; return its number for this person."""
    row = one(db, "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM claims WHERE person_id = ?",
               (person_id,))
    db.execute(
        "INSERT INTO claims (person_id, number, posted_on, created_at) VALUES (?, ?, ?, ?)",
        (person_id, row["n"], posted_on.isoformat(), iso(now)),
    )
    return row["n"]


def set_claim_paid(db: Database, person_id: int, number: int, on: date) -> bool:
    """Mark claim `number` as reimbursed; False if there is no such open claim."""
    cursor = db.execute(
        "UPDATE claims SET paid_on = ? WHERE person_id = ? AND number = ? AND paid_on IS NULL",
        (on.isoformat(), person_id, number),
    )
    return cursor.rowcount > 0


# A claim recorded by SMS has no key (NULL): devices know it as "sms-<its number>".
SMS_KEY = re.compile(r"sms-([0-9]{1,9})")


def claim_key(claim: dict) -> str:
    """The key devices know a claim by: the one a device gave it, else "sms-<number>"."""
    return claim["key"] or f"sms-{claim['number']}"


def claim_by_key(db: Database, person_id: int, key: str) -> dict | None:
    """The claim devices know by `key` (see claim_key), if there is one."""
    found = one(db, "SELECT * FROM claims WHERE person_id = ? AND key = ?", (person_id, key))
    sms = SMS_KEY.fullmatch(key)
    if found is None and sms:
        found = one(db, "SELECT * FROM claims WHERE person_id = ? AND number = ? AND key IS NULL",
                    (person_id, int(sms.group(1))))
    return found


def claim_by_number(db: Database, person_id: int, number: int) -> dict | None:
    """Claim `number` of the person, if there is one."""
    return one(db, "SELECT * FROM claims WHERE person_id = ? AND number = ?", (person_id, number))


def add_keyed_claim(db: Database, person_id: int, key: str, posted_on: date, paid_on: date | None,
                    now: datetime) -> int:
    """Record a feuille de soins a device keeps under `key`; return its number for this person."""
    number = add_claim(db, person_id, posted_on, now)
    db.execute("UPDATE claims SET key = ?, paid_on = ? WHERE person_id = ? AND number = ?",
               (key, paid_on.isoformat() if paid_on else None, person_id, number))
    return number


def edit_claim(db: Database, claim_id: int, posted_on: date, paid_on: date | None) -> None:
    """Change when a claim was posted and when (if ever) it was paid back."""
    db.execute("UPDATE claims SET posted_on = ?, paid_on = ? WHERE id = ?",
               (posted_on.isoformat(), paid_on.isoformat() if paid_on else None, claim_id))


def delete_claim(db: Database, claim_id: int) -> None:
    """Forget a claim."""
    db.execute("DELETE FROM claims WHERE id = ?", (claim_id,))
