"""Each process's last sign of life, by name ('scheduler': the end of its last dispatch pass)."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from webapp.store import immediate, iso, one, parse_iso


def beat(db: Database, name: str, at: datetime, detail: str = "") -> None:
    """Write `name`'s last sign of life (in its own short write, or the caller's transaction)."""
    with immediate(db):
        db.execute("INSERT INTO heartbeats (name, at, detail) VALUES (?, ?, ?)"
                   " ON CONFLICT (name) DO UPDATE SET at = excluded.at, detail = excluded.detail",
                   (name, iso(at), detail))


def last(db: Database, name: str) -> tuple[datetime, str] | None:
    """When `name` last gave a sign of life and what it said, or None if it never did."""
    row = one(db, "SELECT at, detail FROM heartbeats WHERE name = ?", (name,))
    return None if row is None else (parse_iso(row["at"]), row["detail"])
