"""The situations every channel must give the same advice in: a person's facts and the day they ask.

With the default delays (online 14 days, post 21, card follow-up 7, claim 30). Each channel's tests
(`test_advice_sms.py`, `test_advice_pages.py`, `test_advice_channels.py`) pin what it says in each.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Case:
    """A person's facts (as the store keeps them) and the day they look."""

    name: str
    today: date
    application: dict | None = None
    claims: tuple[dict, ...] = field(default_factory=tuple)


def applied(method: str, sent_on: str, received_on: str | None = None) -> dict:
    """An application as the store keeps it."""
    return {"method": method, "sent_on": sent_on, "card_received_on": received_on}


def feuille(number: int, posted_on: str, paid_on: str | None = None) -> dict:
    """A feuille de soins as the store keeps it."""
    return {"number": number, "posted_on": posted_on, "paid_on": paid_on}


CASES: tuple[Case, ...] = (
    Case("nothing yet", date(2026, 12, 1)),
    Case("card on its way", date(2026, 12, 1), applied("online", "2026-11-24")),  # expected 08/12
    Case("card due today", date(2026, 12, 8), applied("online", "2026-11-24")),
    Case("card due 4 days ago", date(2026, 12, 12), applied("online", "2026-11-24")),  # call from 15/12
    Case("card late", date(2026, 12, 20), applied("post", "2026-11-10")),  # expected 01/12, call from 08/12
    Case("card arrived", date(2026, 12, 20), applied("post", "2026-11-10", "2026-11-30")),
    Case("feuille waiting", date(2026, 12, 1), applied("post", "2026-10-01", "2026-10-20"),
         (feuille(1, "2026-11-20"),)),  # paid back by 20/12
    Case("feuille overdue", date(2026, 12, 1), applied("post", "2026-10-01", "2026-10-20"),
         (feuille(1, "2026-10-27"),)),  # 35 days ago, due 26/11
    Case("feuille paid", date(2026, 12, 1), applied("post", "2026-10-01", "2026-10-20"),
         (feuille(1, "2026-10-27", "2026-11-25"),)),
    Case("card late and feuille overdue", date(2026, 12, 20), applied("post", "2026-11-10"),
         (feuille(1, "2026-11-01"),)),
)
