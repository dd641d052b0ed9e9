"""What is due when: the reminder plan that follows from a person's application and claims."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from webapp.settings import clock_time
from webapp.store.kinds import CARD_DUE, CARD_FOLLOWUP, CARD_SUBJECT, CLAIM_DUE, CLAIM_FOLLOWUP, FOLLOWUP_OF, Plan

__all__ = ["CARD_DUE", "CARD_FOLLOWUP", "CARD_SUBJECT", "CLAIM_DUE", "CLAIM_FOLLOWUP", "FOLLOWUP_OF", "Plan"]


@dataclass(frozen=True)
class Delays:
    """The configurable delays of the reminder rules, read from the settings (which alone hold the defaults)."""

    card_online: int
    card_post: int
    card_followup: int
    claim: int
    claim_followup: int
    at: time
    tz: ZoneInfo

    @classmethod
    def from_config(cls, config: Mapping) -> Delays:
        """Read the delays from the app's settings."""
        return cls(
            card_online=config["CARD_DELAY_ONLINE_DAYS"],
            card_post=config["CARD_DELAY_POST_DAYS"],
            card_followup=config["CARD_FOLLOWUP_DAYS"],
            claim=config["CLAIM_DELAY_DAYS"],
            claim_followup=config["CLAIM_FOLLOWUP_DAYS"],
            at=clock_time(config["REMINDER_TIME"]),
            tz=ZoneInfo(config["TIMEZONE"]),
        )


def due_instant(day: date, delays: Delays) -> datetime:
    """The reminder time of day on a local date, as a UTC instant (clock changes included)."""
    return datetime.combine(day, delays.at, tzinfo=delays.tz).astimezone(UTC)


def expected_card_date(method: str, sent_on: date, delays: Delays) -> date:
    """The day the card should arrive after an online or postal application."""
    return sent_on + timedelta(days=delays.card_online if method == "online" else delays.card_post)


def claim_due_date(posted_on: date, delays: Delays) -> date:
    """The day a posted feuille de soins is overdue."""
    return posted_on + timedelta(days=delays.claim)


def card_plans(method: str, sent_on: date, received_on: date | None, delays: Delays) -> list[Plan]:
    """Card due, then one follow-up; none once the card has arrived."""
    if received_on is not None:
        return []
    due = expected_card_date(method, sent_on, delays)
    return [
        Plan(CARD_DUE, CARD_SUBJECT, due_instant(due, delays)),
        Plan(CARD_FOLLOWUP, CARD_SUBJECT,
             due_instant(due + timedelta(days=delays.card_followup), delays)),
    ]


def claim_plans(number: int, posted_on: date, paid_on: date | None, delays: Delays) -> list[Plan]:
    """Claim overdue, then one follow-up; none once it is paid."""
    if paid_on is not None:
        return []
    due = claim_due_date(posted_on, delays)
    return [
        Plan(CLAIM_DUE, str(number), due_instant(due, delays)),
        Plan(CLAIM_FOLLOWUP, str(number),
             due_instant(due + timedelta(days=delays.claim_followup), delays)),
    ]


def plans_for(application: Mapping | None, claims: list[Mapping], delays: Delays) -> list[Plan]:
    """Every reminder a person's current facts call for."""
    plans: list[Plan] = []
    if application:
        plans += card_plans(
            application["method"],
            date.fromisoformat(application["sent_on"]),
            _date_or_none(application.get("card_received_on")),
            delays,
        )
    for claim in claims:
        plans += claim_plans(
            claim["number"], date.fromisoformat(claim["posted_on"]),
            _date_or_none(claim.get("paid_on")), delays,
        )
    return plans


def _date_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
