"""Quiet hours: a local-time window (may cross midnight) in which no reminder is sent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from webapp.settings import clock_time


@dataclass(frozen=True)
class QuietHours:
    """`start`–`end` in local wall-clock time; an equal start and end means no quiet hours."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo | str) -> QuietHours:
        """Read `HH:MM-HH:MM` (e.g. `20:00-09:00`, which crosses midnight)."""
        start, _, end = text.partition("-")
        return cls(clock_time(start), clock_time(end), ZoneInfo(tz) if isinstance(tz, str) else tz)

    @classmethod
    def from_config(cls, config) -> QuietHours:
        """The window from the QUIET_HOURS and TIMEZONE settings."""
        return cls.parse(config["QUIET_HOURS"], config["TIMEZONE"])

    def contains(self, instant: datetime) -> bool:
        """True when `instant` falls inside the window, read on the local clock of that instant."""
        if self.start == self.end:
            return False
        local = instant.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, instant: datetime) -> datetime:
        """The UTC instant the window containing `instant` ends (`instant` itself when outside)."""
        if not self.contains(instant):
            return instant
        local = instant.astimezone(self.tz)
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)  # evening part of a window crossing midnight: ends tomorrow
        # Wall-clock arithmetic through zoneinfo: the end is `end` o'clock whatever the offset that
        # night (a 20:00-09:00 window lasts 12 real hours on the March night, 14 in October).
        return datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)
