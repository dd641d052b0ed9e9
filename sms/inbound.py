"""The core of an inbound SMS: applied once per MessageSid, defended against floods and loops."""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlite_utils import Database

from scheduler.rules import Delays
from sms import commands, keywords, phones, privacy, replies
from webapp import journey
from webapp.i18n import DEFAULT_LANGUAGE
from webapp.store import immediate, iso, retention, utcnow
from webapp.store import messages as message_store

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 1600  # Twilio's own limit for one message; anything longer is cut, not refused
WINDOW = timedelta(hours=1)
# Writers take turns on a lock rather than in SQLite's busy handler, which sleeps 1, 2, 5, 10… ms
# between tries: a lock hands over at once. A thread lock orders the threads of one process, an
# advisory file lock next to the database the processes (gunicorn workers). SQLite's own locking
# still guards the data; these only make waiting cheap.
_WRITER = threading.Lock()
_lock_files: dict[tuple[int, str], int] = {}


@contextlib.contextmanager
def _turn(database: str) -> Iterator[None]:
    with _WRITER:
        key = (os.getpid(), database)  # a descriptor inherited through fork would not exclude the parent
        fd = _lock_files.get(key)
        if fd is None:
            fd = _lock_files[key] = os.open(database + ".sms-lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Inbound:
    """One SMS as Twilio (or the simulator) hands it over."""

    sender: str
    body: str
    sid: str
    carrier_answered: bool = False  # Twilio's own opt-out handling already replied


# Why the service stayed silent (the simulator shows it).
SEEN_SILENT = "seen before, not answered then"
NOT_A_PERSON = "short code or alphanumeric sender"
OPTED_OUT = "opted out"
BUDGET = "hourly reply budget spent"
LOOP = "the same text again (loop protection)"
CARRIER = "Twilio answered"


@dataclass(frozen=True)
class Outcome:
    """The reply to send, or None and why not."""

    reply: str | None
    silent_because: str | None = None


def handle(db: Database, config: Mapping, message: Inbound, now: datetime | None = None) -> str | None:
    """Apply an inbound SMS and return the reply to send, or None when we must stay silent."""
    return respond(db, config, message, now).reply


def respond(db: Database, config: Mapping, message: Inbound, now: datetime | None = None) -> Outcome:
    """Apply an inbound SMS: the reply to send, or why there is none.

    One write transaction: a MessageSid seen before returns the reply it got then, and two
    deliveries of the same SID racing each other are applied once.
    """
    now = now or utcnow()
    clock = journey.Clock(now, Delays.from_config(config))
    body = privacy.redact(message.body[:MAX_BODY_CHARS])  # never store a social security number
    # Pure work before taking a turn: other writers wait only for what needs the database.
    phone = phones.normalise(message.sender) if phones.is_person_number(message.sender) else None
    parsed = keywords.parse(body)
    with _turn(config["DATABASE"]), immediate(db):
        seen = message_store.by_twilio_sid(db, message.sid)
        if seen is not None:
            reply = message_store.reply_to(db, seen["id"])
            log.info("inbound %s seen before: same answer", message.sid)
            return Outcome(reply["body"]) if reply else Outcome(None, SEEN_SILENT)
        if phone is None:  # short codes, alphanumeric senders: automatic replies would loop or cost
            message_store.add_message(db, direction="inbound", phone=message.sender or "?", body=body,
                                      status="received", now=now, twilio_sid=message.sid)
            log.info("inbound %s from a non-personal sender %s: no reply", message.sid,
                     phones.mask(message.sender))
            return Outcome(None, NOT_A_PERSON)
        if parsed.command == keywords.DELETE and not parsed.args:  # with other words: a hint below
            return _erase(db, config, phone, body, parsed.lang, clock)
        person = journey.known_person(db, phone)
        if person is None:  # first contact: the keyword's language, if it has one, is theirs
            person = journey.person_for(db, phone, parsed.lang or DEFAULT_LANGUAGE, clock,
                                        lang_source="keyword" if parsed.lang else None)
        elif parsed.lang and person["lang_source"] is None and journey.note_keyword_language(
                db, person["id"], parsed.lang, clock):
            person = journey.known_person(db, phone)
        inbound_id = message_store.add_message(db, direction="inbound", phone=phone, body=body,
                                               status="received", now=now, person_id=person["id"],
                                               twilio_sid=message.sid)
        log.info("inbound %s from %s: %s", message.sid, phones.mask(phone), parsed.command)
        if person["opted_out_at"] and parsed.command not in commands.WHILE_OPTED_OUT:
            return Outcome(None, OPTED_OUT)
        reply = commands.run(parsed.command, commands.Context(db, person, parsed.args, clock, config))
        silent = CARRIER if message.carrier_answered else silence(
            db, config, phone, body, now, budgeted=parsed.command != keywords.STOP,
            erased_replies=_replies_before_erasure(db, config, person, now))
        if silent:
            return Outcome(None, silent)
        message_store.add_message(db, direction="outbound", phone=phone, body=reply, status="sent",
                                  now=now, person_id=person["id"], reply_to=inbound_id)
        return Outcome(reply)


def _replies_before_erasure(db: Database, config: Mapping, person: Mapping, now: datetime) -> int:
    """Replies this number got in the last hour before a DELETE erased its log (they still count).

    Only someone first seen within the hour can have been erased since: others cost no lookup.
    """
    if person["created_at"] < iso(now - WINDOW):
        return 0
    key = privacy.sender_key(config["SECRET_KEY"], person["phone"])
    return message_store.erased_replies_since(db, key, now - WINDOW)[0]


def silence(db: Database, config: Mapping, phone: str, body: str, now: datetime,
            pending: int = 0, budgeted: bool = True, erased_replies: int = 0) -> str | None:
    """Why we must not answer: the hourly reply budget is spent, or the same text keeps coming (a loop).

    `erased_replies`: replies this number got in the hour before a DELETE erased its log.
    The STOP confirmation is outside the budget (people rely on it), never outside loop protection.
    """
    replies, repeats = message_store.traffic_since(db, phone, body, now - WINDOW)
    if budgeted and replies + erased_replies >= config["SMS_MAX_REPLIES_PER_HOUR"]:
        log.warning("no reply to %s: %s replies in the last hour", phones.mask(phone),
                    config["SMS_MAX_REPLIES_PER_HOUR"])
        return BUDGET
    if repeats + pending > config["SMS_MAX_REPEATS_PER_HOUR"]:
        log.warning("no reply to %s: the same text again (loop protection)", phones.mask(phone))
        return LOOP
    return None


def _erase(db: Database, config: Mapping, phone: str, body: str, lang: str | None,
           clock: journey.Clock) -> Outcome:
    """DELETE: erase the person, then store nothing, not even this message or its reply.

    Only the times of this hour's replies stay, under a keyed hash of the number, so that a DELETE
    sent again and again (a loop, a flood) is answered at most as often as any other text.
    """
    key, since = privacy.sender_key(config["SECRET_KEY"], phone), clock.now - WINDOW
    retention.purge_erased_replies(db, since)
    erased, to_delete = message_store.erased_replies_since(db, key, since)
    person = journey.known_person(db, phone)
    if person is None:  # nothing held: nothing to erase, and nothing is created to say so
        silent = silence(db, config, phone, body, clock.now, pending=1 + to_delete, erased_replies=erased)
        if silent:
            return Outcome(None, silent)
        message_store.note_delete_reply(db, key, clock.now)
        with force_locale(lang or DEFAULT_LANGUAGE):
            return Outcome(replies.render("delete"))
    silent = OPTED_OUT if person["opted_out_at"] else silence(db, config, phone, body, clock.now, pending=1,
                                                              erased_replies=erased)
    message_store.keep_reply_times(db, key, phone, since)
    reply = commands.run(keywords.DELETE, commands.Context(db, person, (), clock, config))
    log.info("erased everything held about %s", phones.mask(phone))
    if silent:
        return Outcome(None, silent)
    message_store.note_delete_reply(db, key, clock.now)
    return Outcome(reply)
