"""A linked device's changes, merged with what every channel wrote; and the whole state sent back to it.

The merge is field by field (the application, the card, each claim by its key, each tick, the route, the
language): the write with the later time wins, whichever channel made it (the journey notes the time of
every write, SMS ones included, in field_times). A removal wins a tie. Each change is applied once, by its id.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlite_utils import Database

from sms import privacy
from sms.keywords import EARLIEST
from webapp import device_edits, journey
from webapp.store import immediate, iso, links, people, synced

log = logging.getLogger(__name__)

# RFC 3339 as devices write it (new Date().toISOString(): "2026-03-02T12:00:00.000Z"), with an offset or Z.
# The schema's "format": "date-time" is not enforced by jsonschema without a format checker: checked here.
INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")
DATE_FIELDS = ("sent_on", "received_on", "posted_on", "paid_on")


class Invalid(ValueError):
    """A change the schema lets through but the service refuses: a date in the future, a bad instant."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class Change:
    """One checked change: its id, when it was made (at most now), the fact it writes, its value (dates read)."""

    id: str
    at: datetime
    field: str
    key: str | None
    value: dict | None

    @property
    def fact(self) -> str:
        """Its name in field_times: application, card, route, lang, tick:<step>, claim:<key>."""
        return f"{self.field}:{self.key}" if self.field in ("tick", "claim") else self.field


def _instant(text: str, where: str, now: datetime) -> datetime:
    try:
        if not INSTANT.fullmatch(text):
            raise ValueError(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError) as error:  # "2026-13-40T…", or year 1 an hour east of UTC
        raise Invalid("invalid_value", "Give the time as 2026-03-02T12:00:00Z.", where) from error
    if moment > now:
        # A device whose clock runs ahead would otherwise win every merge until real time caught up with it,
        # even against a later real edit (an SMS, another device). Clamped to the server's now, it is the
        # latest write so far and no more; noted in the log, as a clock that far off is worth knowing about.
        log.info("a change's time %s is in the future: taken as now (%s)", iso(moment), iso(now))
        return now
    return moment


def _day(text: str, where: str, today: date) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise Invalid("invalid_value", "Give the date as YYYY-MM-DD.", where) from error
    if day > today:
        raise Invalid("date_in_future", "This date is in the future.", where)
    if day < EARLIEST:  # the floor SMS dates have too
        raise Invalid("invalid_value", f"Give a date from {EARLIEST.isoformat()}.", where)
    return day


def check(changes: list[Mapping], clock: journey.Clock) -> list[Change]:
    """The changes, their instants and dates read and checked (an Invalid for the first bad one)."""
    checked = []
    for index, change in enumerate(changes):
        where = f"changes.{index}"
        for name in ("id", "key"):  # ids are stored as sent: never a social security number among them
            if change.get(name) and privacy.redact(change[name]) != change[name]:
                raise Invalid("invalid_value", "Do not put a social security number in an id.", f"{where}.{name}")
        value = change["value"]
        if isinstance(value, Mapping):
            value = {name: _day(part, f"{where}.value.{name}", clock.today)
                     if name in DATE_FIELDS and part is not None else part for name, part in value.items()}
        checked.append(Change(change["id"], _instant(change["at"], f"{where}.at", clock.now), change["field"],
                              change.get("key"), value))
    return checked


def _wins(change: Change, last: dict | None) -> bool:
    """True when `change` is newer than the fact's last write (a removal wins a tie; so does a later arrival
    between two edits of the same second, the resolution times are kept at)."""
    if last is None:
        return True
    at, last_at = iso(change.at), last["changed_at"]
    return at > last_at or (at == last_at and (change.value is None or not last["removed"]))


def _application(db: Database, person_id: int, change: Change, clock: journey.Clock) -> None:
    if change.value is None:
        device_edits.withdraw_application(db, person_id, clock, change.at, replan=False)
    else:
        device_edits.edit_application(db, person_id, change.value["method"], change.value["sent_on"], clock, change.at,
                                 replan=False)


def _card(db: Database, person_id: int, change: Change, clock: journey.Clock) -> None:
    received_on = change.value["received_on"] if change.value else None
    device_edits.set_card(db, person_id, received_on, clock, change.at, replan=False)


def _claim(db: Database, person_id: int, change: Change, clock: journey.Clock) -> None:
    if change.value is None:
        device_edits.remove_claim(db, person_id, change.key, clock, change.at, replan=False)
    else:
        device_edits.save_claim(db, person_id, change.key, change.value["posted_on"], change.value["paid_on"], clock,
                           change.at, replan=False)


def _tick(db: Database, person_id: int, change: Change, clock: journey.Clock) -> None:
    device_edits.set_tick(db, person_id, change.key, change.value["done"], change.at)


def _route(db: Database, person_id: int, change: Change, clock: journey.Clock) -> None:
    device_edits.set_route(db, person_id, change.value["route"] if change.value else None, clock, change.at)


def _lang(db: Database, person_id: int, change: Change, clock: journey.Clock) -> None:
    journey.set_language(db, person_id, change.value["lang"], clock, at=change.at)


APPLY: dict[str, Callable[[Database, int, Change, journey.Clock], None]] = {
    "application": _application, "card": _card, "claim": _claim, "tick": _tick, "route": _route, "lang": _lang,
}


def apply_changes(db: Database, person_id: int, changes: list[Mapping], clock: journey.Clock) -> list[str]:
    """Merge a device's changes (as the OpenAPI Change schema) into the person's facts, each once; return the
    ids of the changes applied or seen before (the device may forget them). An Invalid, and nothing written,
    when one is refused. One write transaction; the reminders are replanned once, at the end."""
    checked = check(changes, clock)
    # In the order they were made: a card reported after its application finds it, whatever the list's order.
    ordered = sorted(checked, key=lambda change: change.at)
    with immediate(db):
        for change in ordered:
            if synced.change_seen(db, person_id, change.id):
                continue
            if _wins(change, synced.field_time(db, person_id, change.fact)):
                APPLY[change.field](db, person_id, change, clock)
            synced.note_change(db, person_id, change.id, clock.now)
        journey.replan(db, person_id, clock)
    return list(dict.fromkeys(change.id for change in checked))


def state(db: Database, person_id: int) -> dict:
    """The person's whole state, as the OpenAPI State schema: what every channel recorded."""
    person = people.person_by_id(db, person_id)
    application = people.application(db, person_id)
    return {
        "lang": person["lang"],
        "application": application and {"method": application["method"], "sent_on": application["sent_on"],
                                        "received_on": application["card_received_on"]},
        "claims": [{"key": people.claim_key(claim), "number": claim["number"], "posted_on": claim["posted_on"],
                    "paid_on": claim["paid_on"]} for claim in people.claims(db, person_id)],
        "ticks": synced.ticks(db, person_id),
        "route": person["route"],
        "reminders": not person["opted_out_at"],
    }


class Gone(LookupError):
    """The device's person was erased (or the device unlinked) between its token's check and its sync."""


def sync_device(db: Database, device_id: int, person_id: int, changes: list[Mapping],
                clock: journey.Clock) -> tuple[list[str], dict]:
    """A device's sync, in one write transaction: its changes applied, its last sync noted, the state read."""
    with immediate(db):
        if not synced.device_linked(db, device_id):
            raise Gone(device_id)
        applied = apply_changes(db, person_id, changes, clock)
        links.touch_device(db, device_id, clock.now)
        return applied, state(db, person_id)
