"""People with a card reminder falling due at DUE: the set-up the dispatch, delivery and fault tests share."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from scheduler import rules
from tests.conftest import DEFAULT_DELAYS
from webapp import journey
from webapp.store import reminders

DUE = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # 10:00 in Paris, outside quiet hours
APPLIED_ON = date(2026, 3, 2)  # online, with the default delays: the card reminder falls due at DUE


def plan_card_reminders(db, phones: Iterable[str]) -> dict[str, int]:
    """Each number (French) applied online on APPLIED_ON, so has a card reminder due at DUE; phone -> person id."""
    clock = journey.Clock(DUE - timedelta(days=20), DEFAULT_DELAYS)
    ids = {}
    for phone in phones:
        pid = journey.person_for(db, phone, "fr", clock)["id"]
        journey.record_application(db, pid, "online", APPLIED_ON, clock)
        ids[phone] = pid
    return ids


def card_due(db, pid: int) -> dict:
    """The person's card reminder."""
    return next(r for r in reminders.for_person(db, pid) if r["kind"] == rules.CARD_DUE)
