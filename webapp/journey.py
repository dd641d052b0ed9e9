"""What each event of the journey means: it is written, and reminders are planned or cancelled.

Web pages, SMS commands and the sync API call these functions and never touch tables, so the
channels cannot disagree. Each function is one short write transaction.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from scheduler import rules
from webapp.store import immediate, people, reminders


@dataclass(frozen=True)
class Clock:
    """The instant an event happens and the local calendar it is read in."""

    now: datetime
    delays: rules.Delays

    @property
    def today(self) -> date:
        """The local date at `now`."""
        return self.now.astimezone(self.delays.tz).date()


@dataclass
class Status:
    """What we know about a person, for STATUS and the pages."""

    person: dict
    application: dict | None
    expected_card: date | None
    open_claims: list[dict] = field(default_factory=list)


def _replan(db: Database, person_id: int, clock: Clock) -> None:
    person = people.person_by_id(db, person_id)
    plans = rules.plans_for(people.application(db, person_id), people.claims(db, person_id),
                            clock.delays)
    reminders.replan(db, person_id, plans, clock.now, muted=bool(person["opted_out_at"]))


def person_for(db: Database, phone: str, lang: str, clock: Clock, lang_source: str | None = None) -> dict:
    """The person behind an E.164 number, created on first contact (lang_source: as in people)."""
    with immediate(db):
        return people.ensure_person(db, phone, lang, clock.now, lang_source)


def known_person(db: Database, phone: str) -> dict | None:
    """The person behind an E.164 number, if we hold one (nothing is created)."""
    return people.person_by_phone(db, phone)


def set_language(db: Database, person_id: int, lang: str, clock: Clock) -> None:
    """Replies and reminders from now on are in `lang` (a choice no keyword overrides)."""
    with immediate(db):
        people.choose_language(db, person_id, lang, clock.now)


def note_keyword_language(db: Database, person_id: int, lang: str, clock: Clock) -> bool:
    """The first keyword with a language sets it, unless one was chosen; True if it changed."""
    with immediate(db):
        return people.set_keyword_language(db, person_id, lang, clock.now)


def record_application(db: Database, person_id: int, method: str, sent_on: date,
                       clock: Clock) -> date:
    """The person applied online or by post on `sent_on`; return the expected card date."""
    with immediate(db):
        people.save_application(db, person_id, method, sent_on, clock.now)
        _replan(db, person_id, clock)
    return rules.expected_card_date(method, sent_on, clock.delays)


def card_arrived(db: Database, person_id: int, clock: Clock) -> bool:
    """The card came: card reminders stop. False when no application was recorded."""
    with immediate(db):
        found = people.set_card_received(db, person_id, clock.today, clock.now)
        _replan(db, person_id, clock)
    return found


def record_claim(db: Database, person_id: int, posted_on: date, clock: Clock) -> int:
    """A feuille de soins was posted on `posted_on`; return its number."""
    with immediate(db):
        number = people.add_claim(db, person_id, posted_on, clock.now)
        _replan(db, person_id, clock)
    return number


def claim_paid(db: Database, person_id: int, number: int | None, clock: Clock) -> int | None:
    """Claim `number` (or the oldest open one) was reimbursed; return its number, or None."""
    with immediate(db):
        if number is None:
            open_claims = people.claims(db, person_id, open_only=True)
            number = open_claims[0]["number"] if open_claims else None
        if number is None or not people.set_claim_paid(db, person_id, number, clock.today):
            return None
        _replan(db, person_id, clock)
    return number


def opt_out(db: Database, person_id: int, clock: Clock) -> None:
    """STOP: no message of any kind any more, until START."""
    with immediate(db):
        people.set_opted_out(db, person_id, clock.now, clock.now)
        reminders.mute_all(db, person_id, clock.now)


def opt_in(db: Database, person_id: int, clock: Clock) -> None:
    """START: messages resume; reminders the facts still call for come back."""
    with immediate(db):
        people.set_opted_out(db, person_id, None, clock.now)
        _replan(db, person_id, clock)


def erase(db: Database, person_id: int) -> None:
    """DELETE: erase the person and everything we hold about them."""
    with immediate(db):
        people.delete_person(db, person_id)


def status(db: Database, person_id: int, delays: rules.Delays) -> Status:
    """What we know about the person: application, expected card date, open claims."""
    application = people.application(db, person_id)
    expected = None
    if application and not application["card_received_on"]:
        expected = rules.expected_card_date(
            application["method"], date.fromisoformat(application["sent_on"]), delays)
    return Status(people.person_by_id(db, person_id), application, expected,
                  people.claims(db, person_id, open_only=True))


def claim_age_days(claim: Mapping, today: date) -> int:
    """Days since a feuille de soins was posted."""
    return (today - date.fromisoformat(claim["posted_on"])).days


def is_overdue(claim: Mapping, today: date, delays: rules.Delays) -> bool:
    """True once an unpaid claim is past its reimbursement delay."""
    return not claim["paid_on"] and today >= date.fromisoformat(claim["posted_on"]) + timedelta(
        days=delays.claim)
