"""The states a reminder moves through, declared once: the SQL, the pass report and the CLI help read them here.

scheduled → sending → sent → delivered | undelivered | failed; side exits cancelled (the facts made it moot),
muted (opted out), superseded (its follow-up goes instead) and expired (older than the look-back window).
A state added here needs a new migration too: the reminders table's CHECK lists the states by name.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    """One reminder state: whether it is for good, whether a pass takes it, and what it means."""

    name: str
    final: bool  # never changes again by a pass or a re-plan (a carrier's report still refines `sent`)
    sendable: bool  # a pass takes it when due: it may still be sent
    help: str
    outcome: bool = False  # a pass can leave a reminder in it (one of the pass report's counts)


STATES: tuple[State, ...] = (
    State("scheduled", False, True, "waiting for its time (or its next attempt)"),
    State("sending", False, True, "held by a pass under a lease; taken back if that pass died"),
    State("sent", True, False, "handed to the SMS provider, never sent again", outcome=True),
    State("delivered", True, False, "the carrier reported it delivered"),
    State("undelivered", True, False, "the carrier reported it undelivered"),
    State("failed", True, False, "given up after a permanent error or the last attempt", outcome=True),
    State("cancelled", False, False, "the facts made it moot; they may call for it again"),
    State("muted", False, False, "the person opted out; START brings it back", outcome=True),
    State("superseded", True, False, "so late that its follow-up went instead", outcome=True),
    State("expired", True, False, "older than the look-back window: never sent", outcome=True),
)

NAMES = tuple(state.name for state in STATES)
SENDABLE = tuple(state.name for state in STATES if state.sendable)
FINAL = tuple(state.name for state in STATES if state.final)
# Never sent, not for good: the facts (or START) may bring them back.
PARKED = tuple(state.name for state in STATES if not state.final and not state.sendable)
OUTCOMES = tuple(state.name for state in STATES if state.outcome)
# What a carrier's report makes of a `sent` reminder.
DELIVERY = ("delivered", "undelivered", "failed")


def sql_list(names: tuple[str, ...]) -> str:
    """The states as the inside of an SQL `IN (…)`: quoted literals, so the query planner sees constants."""
    unknown = set(names) - set(NAMES)
    if unknown:
        raise ValueError(f"not reminder states: {sorted(unknown)}")
    return ", ".join(f"'{name}'" for name in names)
