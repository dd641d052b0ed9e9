"""The console dashboard's counts: SMS, segments, reminders, send errors and opt-outs per local day, through indexes."""
from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from webapp.store import rows
from webapp.store.states import NAMES, sql_list

# A day as the queries take it: (its label, its first instant, the next day's first instant), both as `iso` writes
# them, in order, each starting where the one before stops. Local days are cut into UTC by the caller, so a day
# across a DST change is 23 or 25 hours long.
Day = tuple[str, str, str]


def _days_cte(days: Sequence[Day]) -> tuple[str, tuple]:
    """The days as a `WITH days(day, start, stop)` of constant rows, and its parameters."""
    if not days:
        raise ValueError("no days to count")
    values = ", ".join("(?, ?, ?)" for _ in days)
    return f"WITH days(day, start, stop) AS (VALUES {values}) ", tuple(value for day in days for value in day)


def _each_day(db: Database, days: Sequence[Day], select: str, join: str, group: str = "") -> list[dict]:
    """A count with the days outside: one index range per day (for the message log, whose rows are many)."""
    cte, params = _days_cte(days)
    return rows(db, f"{cte}SELECT d.day AS day{select} FROM days d JOIN {join} GROUP BY d.day{group}", params)


def _once(db: Database, days: Sequence[Day], table: str, instant: str, where: str = "") -> dict[str, int]:
    """day -> rows of `table` whose `instant` falls in it: the table read once over the whole range (an index
    range, or one scan where there is no index), each row matched to its day among the 31 constant rows."""
    cte, params = _days_cte(days)
    where = f"{where} AND " if where else ""
    found = rows(db, f"{cte}SELECT d.day AS day, COUNT(*) AS n FROM {table} CROSS JOIN days d WHERE {where}"
                     f"{instant} >= ? AND {instant} < ? AND {instant} >= d.start AND {instant} < d.stop"
                     " GROUP BY d.day", (*params, days[0][1], days[-1][2]))
    return {**dict.fromkeys((day for day, _, _ in days), 0), **{row["day"]: row["n"] for row in found}}


def messages_per_day(db: Database, days: Sequence[Day]) -> tuple[dict[str, dict[str, int]], list[tuple[int, int]]]:
    """day -> SMS in and out and their segments; and (error code, outbound messages that got it) over all the days,
    most frequent first. One pass over the days' messages (messages_created): the rows are read once for both.

    Out counts what the provider accepted (it gave the message an id): a try it refused is not billed, and shows
    under send errors instead. In counts every text received. Erased people's messages are gone with them.
    """
    counted = {day: {"inbound": 0, "outbound": 0, "segments_in": 0, "segments_out": 0} for day, _, _ in days}
    errors: dict[int, int] = {}
    found = _each_day(
        db, days, ", m.direction AS direction, m.twilio_sid IS NOT NULL AS accepted, m.error_code AS code,"
                  " COUNT(*) AS n, SUM(m.segments) AS segments",
        "messages m ON m.created_at >= d.start AND m.created_at < d.stop", ", m.direction, accepted, m.error_code")
    for row in found:
        day = counted[row["day"]]
        if row["direction"] == "inbound":
            day["inbound"] += row["n"]
            day["segments_in"] += row["segments"]
            continue
        if row["accepted"]:
            day["outbound"] += row["n"]
            day["segments_out"] += row["segments"]
        if row["code"] is not None:
            errors[row["code"]] = errors.get(row["code"], 0) + row["n"]
    return counted, sorted(errors.items(), key=lambda item: (-item[1], item[0]))


def reminders_per_day(db: Database, days: Sequence[Day]) -> dict[str, dict[str, int]]:
    """day -> reminders handed to the provider that day (sent_at) and reminders that ended `failed` that day.

    Sent goes through reminders_sent (sent_at). Failed goes through reminders_ready (state = 'failed'), by the day
    of its last change, which for a failed reminder is when it failed (by the pass or by the carrier's report).
    """
    sent = _once(db, days, "reminders r", "r.sent_at")
    failed = _once(db, days, "reminders r", "r.updated_at", "r.state = 'failed'")
    return {day: {"sent": sent[day], "failed": failed[day]} for day, _, _ in days}


def opt_outs_per_day(db: Database, days: Sequence[Day]) -> dict[str, int]:
    """day -> people who opted out that day and still are (START clears opted_out_at; people_opted_out)."""
    return _once(db, days, "people p", "p.opted_out_at")


def reminder_states(db: Database) -> dict[str, int]:
    """state -> how many reminders are in it now, every state listed (a count of reminders_ready's entries)."""
    counted = dict.fromkeys(NAMES, 0)
    for row in rows(db, f"SELECT state, COUNT(*) AS n FROM reminders WHERE state IN ({sql_list(NAMES)})"
                        " GROUP BY state"):
        counted[row["state"]] = row["n"]
    return counted
