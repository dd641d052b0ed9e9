"""Storage of what sync needs beside the facts: changes applied once, when each fact was last written, ticks, route."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from webapp.store import iso, one, rows


def change_seen(db: Database, person_id: int, change_id: str) -> bool:
    """True when this change id was applied for the person before."""
    return one(db, "SELECT 1 AS x FROM sync_changes WHERE person_id = ? AND change_id = ?",
               (person_id, change_id)) is not None


def note_change(db: Database, person_id: int, change_id: str, now: datetime) -> None:
    """Remember a change id as applied."""
    db.execute("INSERT OR IGNORE INTO sync_changes (person_id, change_id, applied_at) VALUES (?, ?, ?)",
               (person_id, change_id, iso(now)))


def field_time(db: Database, person_id: int, field: str) -> dict | None:
    """When a fact was last written (`changed_at`, `removed`), if ever."""
    return one(db, "SELECT changed_at, removed FROM field_times WHERE person_id = ? AND field = ?",
               (person_id, field))


def set_field_time(db: Database, person_id: int, field: str, changed_at: datetime, removed: bool = False) -> None:
    """Note that a fact was written (or removed) at `changed_at`."""
    db.execute("INSERT INTO field_times (person_id, field, changed_at, removed) VALUES (?, ?, ?, ?)"
               " ON CONFLICT (person_id, field) DO UPDATE SET changed_at = excluded.changed_at,"
               " removed = excluded.removed", (person_id, field, iso(changed_at), int(removed)))


def ticks(db: Database, person_id: int) -> dict[str, bool]:
    """The person's checklist ticks, by step id."""
    return {row["step"]: bool(row["done"]) for row in
            rows(db, "SELECT step, done FROM ticks WHERE person_id = ?", (person_id,))}


def set_tick(db: Database, person_id: int, step: str, done: bool) -> None:
    """Tick or untick one step."""
    db.execute("INSERT INTO ticks (person_id, step, done) VALUES (?, ?, ?)"
               " ON CONFLICT (person_id, step) DO UPDATE SET done = excluded.done", (person_id, step, int(done)))


def set_route(db: Database, person_id: int, route: str | None, now: datetime) -> None:
    """How the person chose to apply (None: not chosen)."""
    db.execute("UPDATE people SET route = ?, updated_at = ? WHERE id = ?", (route, iso(now), person_id))


def purge_changes(db: Database, before: datetime) -> int:
    """Forget change ids applied before `before` (a device resends only what it has not seen acknowledged)."""
    return db.execute("DELETE FROM sync_changes WHERE applied_at < ?", (iso(before),)).rowcount


def device_linked(db: Database, device_id: int) -> bool:
    """True while the device is linked (read inside the sync's transaction: DELETE may have come since)."""
    return one(db, "SELECT 1 AS x FROM devices WHERE id = ?", (device_id,)) is not None
