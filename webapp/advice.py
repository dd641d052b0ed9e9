"""A person's situation from their facts and today: where the card and each feuille de soins stand, what to do next.

Every channel renders this one situation (the pages in long form, SMS replies and STATUS in short form,
reminders), so the web, a STATUS sent a minute ago and a reminder can never give different advice.

The rules, from the guide and the reminder settings:
- card: `not_applied`; `on_its_way` until the expected day (N days left); `due` from that day for the card
  follow-up delay (it should come these days: wait until `call_from`); `late` from `call_from` on (call the
  caisse); `arrived`.
- feuille de soins: `waiting` until its reimbursement delay is over; `overdue` from then (check the bank
  account; not paid: call the caisse); `paid`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler import rules

# The Assurance Maladie's phone line (facts.md: service-public.fr F737, ameli.fr).
CAISSE_PHONE = "3646"

NOT_APPLIED, ON_ITS_WAY, DUE, LATE, ARRIVED = "not_applied", "on_its_way", "due", "late", "arrived"
WAITING, OVERDUE, PAID = "waiting", "overdue", "paid"

# The next thing to do, most urgent first: the first that applies is the person's next action.
CALL_ABOUT_CARD = "call_about_card"  # the card is late: call the caisse
CHECK_CLAIM = "check_claim"  # a refund is late: check the bank account, then call the caisse
APPLY = "apply"  # no application yet: apply online or by post
WAIT_FOR_CARD = "wait_for_card"  # on its way or due: wait, say when it comes
WAIT_FOR_REFUND = "wait_for_refund"  # a feuille is waiting: the refund can take up to a month
NOTHING = "nothing"  # card here, nothing waiting
# Who to contact for each action (None: no one yet).
CONTACT = {CALL_ABOUT_CARD: "caisse", CHECK_CLAIM: "caisse", APPLY: None, WAIT_FOR_CARD: None,
           WAIT_FOR_REFUND: None, NOTHING: None}


@dataclass(frozen=True)
class Card:
    """Where the card stands today."""

    state: str
    method: str | None = None  # online | post
    sent_on: date | None = None
    expected_on: date | None = None  # the day it should come
    call_from: date | None = None  # the day to call the caisse if it has not come
    received_on: date | None = None
    days_left: int = 0  # on its way: days until expected_on
    days_late: int = 0  # due or late: days since expected_on

    @property
    def action(self) -> str:
        """What to do about the card."""
        return {NOT_APPLIED: APPLY, ON_ITS_WAY: WAIT_FOR_CARD, DUE: WAIT_FOR_CARD, LATE: CALL_ABOUT_CARD,
                ARRIVED: NOTHING}[self.state]


@dataclass(frozen=True)
class Claim:
    """Where one posted feuille de soins stands today."""

    number: int  # the person's number for it (SMS) or its id on the device (web)
    state: str
    posted_on: date
    due_on: date  # paid back normally by this day
    age_days: int  # days since it was posted
    paid_on: date | None = None
    days_late: int = 0  # overdue: days since due_on

    @property
    def action(self) -> str:
        """What to do about this feuille de soins."""
        return {WAITING: WAIT_FOR_REFUND, OVERDUE: CHECK_CLAIM, PAID: NOTHING}[self.state]


@dataclass(frozen=True)
class Situation:
    """The card, every feuille de soins, and the one next action."""

    card: Card
    claims: tuple[Claim, ...] = ()

    @property
    def open_claims(self) -> tuple[Claim, ...]:
        """The feuilles de soins not paid yet, oldest first."""
        return tuple(claim for claim in self.claims if claim.state != PAID)

    @property
    def next_action(self) -> str:
        """The most urgent thing to do now."""
        actions = {self.card.action} | {claim.action for claim in self.claims}
        order = (CALL_ABOUT_CARD, CHECK_CLAIM, APPLY, WAIT_FOR_CARD, WAIT_FOR_REFUND)
        return next((action for action in order if action in actions), NOTHING)

    @property
    def contact(self) -> str | None:
        """Who to contact for the next action (None: no one yet)."""
        return CONTACT[self.next_action]


def card(method: str | None, sent_on: date | None, received_on: date | None, today: date,
         delays: rules.Delays) -> Card:
    """Where the card stands: from how and when the person applied, and whether it came."""
    if method is None or sent_on is None:
        return Card(NOT_APPLIED)
    expected = rules.expected_card_date(method, sent_on, delays)
    call_from = expected + timedelta(days=delays.card_followup)
    known = {"method": method, "sent_on": sent_on, "expected_on": expected, "call_from": call_from}
    if received_on is not None:
        return Card(ARRIVED, received_on=received_on, **known)
    if today < expected:
        return Card(ON_ITS_WAY, days_left=(expected - today).days, **known)
    return Card(DUE if today < call_from else LATE, days_late=(today - expected).days, **known)


def claim(number: int, posted_on: date, paid_on: date | None, today: date, delays: rules.Delays) -> Claim:
    """Where one feuille de soins stands: from when it was posted and whether it was paid."""
    due = rules.claim_due_date(posted_on, delays)
    known = {"number": number, "posted_on": posted_on, "due_on": due, "age_days": (today - posted_on).days}
    if paid_on is not None:
        return Claim(state=PAID, paid_on=paid_on, **known)
    if today < due:
        return Claim(state=WAITING, **known)
    return Claim(state=OVERDUE, days_late=(today - due).days, **known)


def situation(application: Mapping | None, claims: Iterable[Mapping], today: date,
              delays: rules.Delays) -> Situation:
    """The situation from stored rows: an application (method, sent_on, card_received_on) and claims
    (number, posted_on, paid_on), dates as ISO text or `date`."""
    application = application or {}
    found_card = card(application.get("method"), _day(application.get("sent_on")),
                      _day(application.get("card_received_on")), today, delays)
    found_claims = tuple(claim(row["number"], _day(row["posted_on"]), _day(row.get("paid_on")), today, delays)
                         for row in claims)
    return Situation(found_card, tuple(sorted(found_claims, key=lambda c: (c.posted_on, c.number))))


def _day(value: date | str | None) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    return date.fromisoformat(value)
