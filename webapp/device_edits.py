"""What a linked device's changes write: its application, the card, keyed feuilles de soins, ticks and route.

webapp.sync calls these after merging; `at` is when the device made the change, `replan=False` when the caller
replans once after many. Each is one short write transaction that notes the fact's time (`journey.noted`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from webapp import journey
from webapp.journey import Clock
from webapp.store import immediate, people, synced


def edit_application(db: Database, person_id: int, method: str, sent_on: date, clock: Clock, at: datetime,
                     replan: bool = True) -> None:
    """The person says how and when they applied (the card's arrival, a fact of its own, stays)."""
    with immediate(db):
        people.edit_application(db, person_id, method, sent_on, clock.now)
        journey.noted(db, person_id, "application", at)
        if replan:
            journey.replan(db, person_id, clock)


def withdraw_application(db: Database, person_id: int, clock: Clock, at: datetime, replan: bool = True) -> None:
    """The person removed their application: its card reminders stop."""
    with immediate(db):
        people.delete_application(db, person_id)
        journey.noted(db, person_id, "application", at, removed=True)
        if replan:
            journey.replan(db, person_id, clock)


def set_card(db: Database, person_id: int, received_on: date | None, clock: Clock, at: datetime,
             replan: bool = True) -> bool:
    """The card came on `received_on` (None: it has not come after all, its reminders come back).
    False, and nothing noted, when no application is on record."""
    with immediate(db):
        found = people.set_card_received(db, person_id, received_on, clock.now)
        if found:
            journey.noted(db, person_id, "card", at, removed=received_on is None)
            if replan:
                journey.replan(db, person_id, clock)
    return found


def save_claim(db: Database, person_id: int, key: str, posted_on: date, paid_on: date | None, clock: Clock,
               at: datetime, replan: bool = True) -> int:
    """A feuille de soins a device keeps under `key` ("sms-<n>": one recorded by SMS) was posted on
    `posted_on` and paid back on `paid_on` (None: not yet); return its number."""
    with immediate(db):
        claim = people.claim_by_key(db, person_id, key)
        if claim is None:
            number = people.add_keyed_claim(db, person_id, key, posted_on, paid_on, clock.now)
        else:
            number = claim["number"]
            people.edit_claim(db, claim["id"], posted_on, paid_on)
        journey.noted(db, person_id, f"claim:{key}", at)
        if replan:
            journey.replan(db, person_id, clock)
    return number


def remove_claim(db: Database, person_id: int, key: str, clock: Clock, at: datetime, replan: bool = True) -> None:
    """The person removed a feuille de soins: its reminders are cancelled."""
    with immediate(db):
        claim = people.claim_by_key(db, person_id, key)
        if claim is not None:
            people.delete_claim(db, claim["id"])
        journey.noted(db, person_id, f"claim:{key}", at, removed=True)
        if replan:
            journey.replan(db, person_id, clock)


def set_tick(db: Database, person_id: int, step: str, done: bool, at: datetime) -> None:
    """A checklist step was ticked or unticked on a device."""
    with immediate(db):
        synced.set_tick(db, person_id, step, done)
        journey.noted(db, person_id, f"tick:{step}", at)


def set_route(db: Database, person_id: int, route: str | None, clock: Clock, at: datetime) -> None:
    """The person chose how to apply (None: no choice any more)."""
    with immediate(db):
        synced.set_route(db, person_id, route, clock.now)
        journey.noted(db, person_id, "route", at, removed=route is None)
