"""What a dispatch pass did: one line per reminder handled, and counts by outcome."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from webapp.store import states

# What a pass does with a reminder: leave it in one of the states the table marks as outcomes, or one of
# these, which are no state: retry (scheduled again after a transient error), postponed (quiet hours, one a
# day), lost (cancelled, muted or taken over while this pass held it).
NOT_STATES = ("retry", "postponed", "lost")
OUTCOMES = states.OUTCOMES + NOT_STATES


@dataclass(frozen=True)
class Line:
    """What the pass did (or, dry, would do) with one reminder."""

    reminder_id: int
    phone: str  # masked
    kind: str
    subject: str
    outcome: str  # one of OUTCOMES
    detail: str = ""

    def __post_init__(self) -> None:
        # The summary counts only OUTCOMES: a line with another outcome would vanish from it.
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}: expected one of {', '.join(OUTCOMES)}")


@dataclass
class PassReport:
    """The outcome of one pass: counts by outcome, and one line per reminder handled."""

    now: datetime
    dry_run: bool = False
    expired: int = 0
    quiet_until: datetime | None = None  # set when the pass fell inside quiet hours
    quiet_postponed: int = 0
    lines: list[Line] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many reminders ended the pass with `outcome`."""
        return sum(1 for line in self.lines if line.outcome == outcome)

    def summary(self) -> str:
        """One line for logs and the CLI."""
        # Expired first: most of them never reach a line (the pass expires them in one statement).
        counts = ", ".join(f"{name} {self.count(name)}" for name in OUTCOMES if name != "expired")
        expired = self.expired + self.count("expired")
        quiet = (f", quiet hours: {self.quiet_postponed} held until {self.quiet_until:%Y-%m-%dT%H:%MZ}"
                 if self.quiet_until else "")
        return (f"{'dry run' if self.dry_run else 'pass'} at {self.now:%Y-%m-%dT%H:%M:%SZ}: "
                f"expired {expired}, {counts}{quiet}")
