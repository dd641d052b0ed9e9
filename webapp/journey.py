"""What each event of the journey means: it is written, and reminders are planned, cancelled or muted.

The only writer of people, applications, claims, reminder plans and opt-outs for the channels that
report events: the SMS core and its commands (sms.inbound, sms.commands), Twilio's status callbacks
(sms.callbacks) and the dispatch pass (scheduler.dispatch, which records its own sends and calls here for
what a refused send means); webapp.device_edits writes a linked device's changes with the same two steps
(`noted`, `replan`). The web pages keep their dates in the session.
Each function is one short write transaction (inside a caller's, it rides on it).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from scheduler import rules
from sms import privacy
from sms.delivery import OPTED_OUT_CODE
from sms.phones import mask
from webapp.i18n import DEFAULT_LANGUAGE
from webapp.store import immediate, links, people, reminders, retention, synced
from webapp.store import messages as message_store

log = logging.getLogger(__name__)

# How far along each status of an outbound message is. Callbacks arrive out of order: a lower rank never
# replaces a higher one.
STATUS_RANK: dict[str, int] = {
    "sending": 0, "retrying": 0, "queued": 1, "sent": 2, "delivered": 3, "undelivered": 3, "failed": 3,
}


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


def noted(db: Database, person_id: int, fact: str, at: datetime, removed: bool = False) -> None:
    """Note when a fact was last written, inside the write's transaction."""
    # Whatever the channel: a device's edit made before it (by its own clock) does not undo it (webapp.sync
    # merges by these times).
    synced.set_field_time(db, person_id, fact, at, removed)


def _claim_fact(claim: Mapping) -> str:
    return f"claim:{people.claim_key(dict(claim))}"


def replan(db: Database, person_id: int, clock: Clock) -> None:
    """Make the person's reminders match their facts (after writes made with replan=False)."""
    with immediate(db):
        _replan(db, person_id, clock)


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


def set_language(db: Database, person_id: int, lang: str, clock: Clock, at: datetime | None = None) -> None:
    """Replies and reminders from now on are in `lang` (a choice no keyword overrides); `at`: when it was
    chosen, if not now (a device's change)."""
    with immediate(db):
        people.choose_language(db, person_id, lang, clock.now)
        noted(db, person_id, "lang", at or clock.now)


def person_texting(db: Database, phone: str, keyword_lang: str | None, clock: Clock) -> dict:
    """The person behind a number that texts us: created on first contact in the keyword's language (the
    default if it has none); later, the first keyword with a language sets it, unless one is known."""
    with immediate(db):
        person = people.person_by_phone(db, phone)
        if person is None:
            return people.ensure_person(db, phone, keyword_lang or DEFAULT_LANGUAGE, clock.now,
                                        "keyword" if keyword_lang else None)
        if keyword_lang and person["lang_source"] is None and people.set_keyword_language(
                db, person["id"], keyword_lang, clock.now):
            return people.person_by_id(db, person["id"])
        return person


def record_application(db: Database, person_id: int, method: str, sent_on: date,
                       clock: Clock) -> date:
    """The person applied online or by post on `sent_on`; return the expected card date."""
    with immediate(db):
        people.save_application(db, person_id, method, sent_on, clock.now)
        noted(db, person_id, "application", clock.now)
        noted(db, person_id, "card", clock.now, removed=True)  # a new application awaits its card
        _replan(db, person_id, clock)
    return rules.expected_card_date(method, sent_on, clock.delays)


def card_arrived(db: Database, person_id: int, clock: Clock) -> bool:
    """The card came: card reminders stop. False when no application was recorded."""
    with immediate(db):
        found = people.set_card_received(db, person_id, clock.today, clock.now)
        if found:
            noted(db, person_id, "card", clock.now)
        _replan(db, person_id, clock)
    return found


def record_claim(db: Database, person_id: int, posted_on: date, clock: Clock) -> int:
    """A feuille de soins was posted on `posted_on`; return its number."""
    with immediate(db):
        number = people.add_claim(db, person_id, posted_on, clock.now)
        noted(db, person_id, f"claim:sms-{number}", clock.now)
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
        noted(db, person_id, _claim_fact(people.claim_by_number(db, person_id, number)), clock.now)
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


def carrier_opted_out(db: Database, phone: str, clock: Clock) -> bool:
    """The number sent STOP to the carrier (Twilio's 21610): as our STOP, without a reply. True if it
    was news; told again, the first opt-out's time stays."""
    with immediate(db):
        person = people.person_by_phone(db, phone)
        if person is None:
            return False
        if not person["opted_out_at"]:
            people.set_opted_out(db, person["id"], clock.now, clock.now)
        reminders.mute_all(db, person["id"], clock.now)  # also a row a pass claimed meanwhile
    if not person["opted_out_at"]:
        log.info("%s opted out at Twilio (%s): no more messages", mask(phone), OPTED_OUT_CODE)
    return not person["opted_out_at"]


def message_status(db: Database, message: Mapping, status: str | None, error_code: int | None,
                   clock: Clock) -> bool:
    """The carrier reported on our outbound `message`: its status (None: one we do not know) never moves
    backwards, its reminder learns the delivery, and 21610 opts the number out. True if the status moved."""
    with immediate(db):
        if error_code == OPTED_OUT_CODE:
            carrier_opted_out(db, message["phone"], clock)
        if status is None or STATUS_RANK[status] <= STATUS_RANK.get(message["status"], -1):
            return False  # unknown, repeated or late
        message_store.set_status(db, message["id"], status, clock.now, error_code=error_code)
        if message["reminder_id"]:
            reminders.record_delivery(db, message["reminder_id"], status, clock.now)
    return True


# Replies an erased number got that no log shows any more: (all, to DELETE, to STOP confirmations).
Unlogged = tuple[int, int, int]


@dataclass(frozen=True)
class Erasure:
    """What DELETE found, and why its reply must not go out (None: it goes)."""

    person: dict | None  # who was erased, as they were; None when we held nothing
    silent_because: str | None = None


def erased_replies(db: Database, phone: str, secret: str, since: datetime) -> Unlogged:
    """Replies this number got since `since` before a DELETE erased its log (they still count for limits)."""
    return message_store.erased_replies_since(db, privacy.sender_key(secret, phone), since)


def erase(db: Database, phone: str, clock: Clock, secret: str,
          silenced: Callable[[dict | None, Unlogged], str | None] = lambda _person, _unlogged: None,
          sid: str | None = None) -> Erasure:
    """DELETE: erase the number and everything held about it; only this hour's reply times stay, under a
    keyed hash of the number (`secret`), so a DELETE sent again and again gets no more replies than any text.

    `silenced(person, unlogged)` says why the reply to this DELETE must not go out (None: it goes); it is
    asked in the same transaction before anything is erased, as the reply limits read the log erased here.
    `sid`: the DELETE's MessageSid, kept as a keyed hash with its reply so that Twilio's retry is recognised.
    When this is the outermost transaction, the WAL is scrubbed of the erased rows' old pages once committed
    (inside a caller's transaction, the next checkpoint does it: the daily clean-up at the latest).
    """
    sender, since = privacy.sender_key(secret, phone), clock.now - retention.REPLY_WINDOW
    outermost = not db.conn.in_transaction
    with immediate(db):
        retention.purge_erased_replies(db, since)
        person = people.person_by_phone(db, phone)
        silent = silenced(person, message_store.erased_replies_since(db, sender, since))
        message_store.keep_reply_times(db, sender, phone, since)
        if person is not None:  # each linked device is told on its next sync that its link is gone
            links.revoke_person_devices(db, person["id"], clock.now)
        people.delete_number(db, phone)
        if silent is None:  # counted without the number: there is no log left to count it
            message_store.note_delete_reply(db, sender, clock.now, privacy.sender_key(secret, sid) if sid else None)
    if person is not None:
        log.info("erased everything held about %s", mask(phone))
    database_file = next(row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main")
    if outermost and database_file:  # an in-memory database has no file, and no WAL
        retention.scrub_wal(db, database_file)
    return Erasure(person, silent)


def unlink_device(db: Database, device_id: int, clock: Clock) -> None:
    """Unlink one device: its token stops working and says so; the person and their reminders stay."""
    with immediate(db):
        links.revoke_device(db, device_id, clock.now)


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
