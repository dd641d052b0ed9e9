"""What to do with one claimed reminder, decided from facts the pass has read: no database, no clock."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler import rules
from webapp.store import iso, parse_iso

log = logging.getLogger(__name__)

# render(kind, subject, lang, planned_on=...) -> the reminder's text (scheduler.texts.render, bound to
# the settings by the pass).
Render = Callable[..., str]


@dataclass(frozen=True)
class Decision:
    """What to do with one claimed reminder; `at` for postponements, `body` for sends, `error` for
    a row that could not be decided."""

    action: str  # send | adopt | mute | supersede | postpone | expire | gone | fail
    at: datetime | None = None
    body: str | None = None
    message_id: int | None = None
    error: str | None = None

    @property
    def reminds(self) -> bool:
        """True when the person counts as reminded today: a later row of theirs waits for tomorrow."""
        return self.action in ("send", "adopt")


@dataclass(frozen=True)
class Facts:
    """What the pass read about one claimed reminder; texts as stored, parsed only when deciding."""

    person: Mapping | None  # None: erased since the claim
    accepted_message: int | None = None  # the backend accepted a message for it (a pass died after)
    followup_due_at: str | None = None  # first reminders: when their follow-up falls due
    reminded_today: bool = False


@dataclass(frozen=True)
class Day:
    """The pass's instant as the rules see it: the local date, the look-back cutoff, tomorrow's reminder time."""

    today: date
    tz: ZoneInfo
    cutoff: datetime
    tomorrow: datetime

    @classmethod
    def at(cls, now: datetime, delays: rules.Delays, lookback_hours: float) -> Day:
        """The day of a pass at `now`."""
        today = now.astimezone(delays.tz).date()
        return cls(today, delays.tz, now - timedelta(hours=lookback_hours),
                   rules.due_instant(today + timedelta(days=1), delays))

    @property
    def start(self) -> datetime:
        """Local midnight today, in UTC: a reminder sent since counts as today's."""
        return datetime.combine(self.today, time(0), tzinfo=self.tz).astimezone(UTC)


def error_text(error: Exception) -> str:
    """An error as a reminder's `last_error` keeps it."""
    return f"{type(error).__name__}: {error}"


def decide(row: Mapping, facts: Facts, day: Day, render: Render) -> Decision:
    """The decision for one claimed reminder; `fail` with the error for a row no pass can make sense of."""
    try:
        return _decide(row, facts, day, render)
    except Exception as error:  # a bad date, a kind with no text: that row alone fails
        log.exception("reminder %s: cannot decide what to do with it", row["id"])
        return Decision("fail", error=error_text(error))


def _decide(row: Mapping, facts: Facts, day: Day, render: Render) -> Decision:
    person = facts.person
    if person is None:
        return Decision("gone")
    if facts.accepted_message is not None:  # never send it again
        return Decision("adopt", message_id=facts.accepted_message)
    if row["state"] == "sending" and row["next_attempt_at"] < iso(day.cutoff):
        return Decision("expire")  # left by a pass that died longer ago than the window
    if person["opted_out_at"]:
        return Decision("mute")
    followup = days_to_followup(facts.followup_due_at, day)
    if followup is not None and followup <= 1:
        return Decision("supersede")  # so late its follow-up is due too: send only that
    if facts.reminded_today:
        return Decision("postpone", at=day.tomorrow)
    # The text gives dates, not counts of days, so it stays true however late it goes: those of the
    # day the reminder was planned for, the same as STATUS and the pages give.
    planned_on = parse_iso(row["due_at"]).astimezone(day.tz).date()
    return Decision("send", body=render(row["kind"], row["subject"], person["lang"], planned_on=planned_on))


def retry_at(attempts: int, transient: bool, config: Mapping, now: datetime) -> datetime | None:
    """When to try a failed send again, each wait twice the last; None: it has failed for good."""
    if not transient or attempts + 1 >= config["SEND_MAX_ATTEMPTS"]:
        return None
    return now + timedelta(seconds=config["SEND_RETRY_BASE_SECONDS"] * 2 ** attempts)


def days_to_followup(due_at: str | None, day: Day) -> int | None:
    """Local days from today to a first reminder's follow-up (None: no follow-up in play)."""
    if due_at is None:
        return None
    return (parse_iso(due_at).astimezone(day.tz).date() - day.today).days
