"""The console dashboard's counts: SMS, segments, reminders, send errors and opt-outs per local day, through indexes."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from sqlite_utils import Database

from webapp.store import rows
from webapp.store.states import NAMES, sql_list

# A day as the queries take it: (its label, its first instant, the next day's first instant), both as `iso` writes
# them. Local days are cut into UTC by the caller, so a day across a DST change is 23 or 25 hours long.
Day = tuple[str, str, str]


def _days_cte(days: Sequence[Day]) -> tuple[str, tuple]:
    """The days as a `WITH days(day, start, stop)` of constant rows, and its parameters."""
    if not days:
        raise ValueError("no days to count")
    values = ", ".join("(?, ?, ?)" for _ in days)
    return f"WITH days(day, start, stop) AS (VALUES {values}) ", tuple(value for day in days for value in day)


def _per_day(db: Database, days: Sequence[Day], select: str, join: str, group: str = "") -> list[dict]:
    """One counting query over the days: each day's rows found by a range on an indexed instant column."""
    cte, params = _days_cte(days)
    return rows(db, f"{cte}SELECT d.day AS day{select} FROM days d JOIN {join} GROUP BY d.day{group}", params)


def messages_per_day(db: Database, days: Sequence[Day]) -> dict[str, dict[str, int]]:
    """day -> SMS in and out and their segments (messages_created).

    Out counts what the provider accepted (it gave the message an id): a try it refused is not billed, and shows
    under send errors instead. In counts every text received. Erased people's messages are gone with them.
    """
    counted = {day: {"inbound": 0, "outbound": 0, "segments_in": 0, "segments_out": 0} for day, _, _ in days}
    found = _per_day(
        db, days,
        ", COUNT(*) FILTER (WHERE m.direction = 'inbound') AS inbound,"
        " COUNT(*) FILTER (WHERE m.direction = 'outbound' AND m.twilio_sid IS NOT NULL) AS outbound,"
        " COALESCE(SUM(m.segments) FILTER (WHERE m.direction = 'inbound'), 0) AS segments_in,"
        " COALESCE(SUM(m.segments) FILTER (WHERE m.direction = 'outbound' AND m.twilio_sid IS NOT NULL), 0)"
        " AS segments_out",
        "messages m ON m.created_at >= d.start AND m.created_at < d.stop")
    for row in found:
        counted[row.pop("day")] = row
    return counted


def reminders_per_day(db: Database, days: Sequence[Day]) -> dict[str, dict[str, int]]:
    """day -> reminders handed to the provider that day (sent_at) and reminders that ended `failed` that day.

    Sent goes through reminders_sent (sent_at). Failed goes once through reminders_ready (state = 'failed'), by the
    day of its last change, which for a failed reminder is when it failed (by the pass or by the carrier's report).
    """
    counted = {day: {"sent": 0, "failed": 0} for day, _, _ in days}
    for row in _per_day(db, days, ", COUNT(*) AS n", "reminders r ON r.sent_at >= d.start AND r.sent_at < d.stop"):
        counted[row["day"]]["sent"] = row["n"]
    starts = [start for _, start, _ in days]
    for row in rows(db, "SELECT updated_at FROM reminders WHERE state = 'failed' AND updated_at >= ?"
                        " AND updated_at < ?", (days[0][1], days[-1][2])):
        counted[days[bisect_right(starts, row["updated_at"]) - 1][0]]["failed"] += 1
    return counted


def opt_outs_per_day(db: Database, days: Sequence[Day]) -> dict[str, int]:
    """day -> people who opted out that day and still are (START clears opted_out_at; people_opted_out)."""
    counted = dict.fromkeys((day for day, _, _ in days), 0)
    join = "people p ON p.opted_out_at >= d.start AND p.opted_out_at < d.stop"
    for row in _per_day(db, days, ", COUNT(*) AS n", join):
        counted[row["day"]] = row["n"]
    return counted


def reminder_states(db: Database) -> dict[str, int]:
    """state -> how many reminders are in it now, every state listed (a count of reminders_ready's entries)."""
    counted = dict.fromkeys(NAMES, 0)
    for row in rows(db, f"SELECT state, COUNT(*) AS n FROM reminders WHERE state IN ({sql_list(NAMES)})"
                        " GROUP BY state"):
        counted[row["state"]] = row["n"]
    return counted


def send_errors(db: Database, start: str, stop: str) -> list[tuple[int, int]]:
    """(error code, how many outbound messages got it) logged from `start` to before `stop`, most frequent first."""
    return [(row["code"], row["n"]) for row in rows(
        db, "SELECT error_code AS code, COUNT(*) AS n FROM messages WHERE created_at >= ? AND created_at < ?"
            " AND direction = 'outbound' AND error_code IS NOT NULL GROUP BY error_code ORDER BY n DESC, code",
        (start, stop))]
