"""The core of an inbound SMS: applied once per MessageSid, defended against floods and loops."""
from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from sqlite_utils import Database

from scheduler.rules import Delays
from sms import commands, keywords, languages, phones, privacy, replies
from sms.segments import measure
from webapp import journey, metrics
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES
from webapp.store import immediate, iso, retention, utcnow
from webapp.store import messages as message_store
from webapp.store.messages import STOP_KEY  # every STOP text is one text for loop protection

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 1600  # Twilio's own limit for one message; anything longer is cut, not refused
# STOP and DELETE are confirmed beyond the per-number budgets (people rely on the confirmation), so each is
# capped on its own: a flood of STOP or DELETE variants cannot pump replies.
CONFIRMATIONS_PER_HOUR = 1
DAY = timedelta(days=1)
# Commands answered even when we cannot tell a first text's language: their confirmation matters, or there is none.
ANSWERED_UNSURE = frozenset({keywords.STOP, keywords.START, keywords.DELETE, keywords.THANKS})


def loop_key(body: str, command: str) -> str:
    """A text as loop protection compares it: its letters only, case and accents folded; every STOP one key.

    Digits, punctuation and spaces go, so an auto-responder's counter ("HELP 1", "help 2!!") makes no new
    text. Letters of every script stay (keywords.normalise keeps only A-Z: two Arabic texts would be one).
    """
    if command == keywords.STOP:
        return STOP_KEY
    return "".join(ch for ch in unicodedata.normalize("NFKD", body) if ch.isalpha()).casefold()


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
DAILY_BUDGET = "daily reply budget spent"
CEILING = "hourly reply ceiling for all numbers reached"
COUNTRY = "a number from a country not in SMS_REPLY_COUNTRIES"
LOOP = "the same text again (loop protection)"
STOP_CONFIRMED = "STOP already confirmed in the last hour"
DELETE_CONFIRMED = "DELETE already confirmed in the last hour"
CARRIER = "Twilio answered"
NOTHING_TO_SAY = "thanks, ok or an emoji: no paid reply"
# Each reason's name in the metrics (cvc_sms_silences_total{reason=...}).
SILENCE_LABELS = {SEEN_SILENT: "seen_before", NOT_A_PERSON: "not_a_person", OPTED_OUT: "opted_out",
                  BUDGET: "hourly_budget", DAILY_BUDGET: "daily_budget", CEILING: "hourly_ceiling_all",
                  COUNTRY: "country", LOOP: "loop", STOP_CONFIRMED: "stop_confirmed",
                  DELETE_CONFIRMED: "delete_confirmed", CARRIER: "carrier_answered", NOTHING_TO_SAY: "nothing_to_say"}


@dataclass(frozen=True)
class Outcome:
    """The reply to send, or None and why not."""

    reply: str | None
    silent_because: str | None = None


def handle(db: Database, config: Mapping, message: Inbound, now: datetime | None = None) -> str | None:
    """Apply an inbound SMS and return the reply to send, or None when we must stay silent."""
    outcome = respond(db, config, message, now)
    if outcome.reply is None:
        metrics.silenced(SILENCE_LABELS.get(outcome.silent_because, "other"))
    else:
        metrics.replied(measure(outcome.reply).segments)
    return outcome.reply


def respond(db: Database, config: Mapping, message: Inbound, now: datetime | None = None) -> Outcome:
    """Apply an inbound SMS: the reply to send, or why there is none.

    One write transaction (for DELETE, the journey's erasure): a MessageSid seen before returns the reply
    it got then, and two deliveries of the same SID racing each other are applied once. Waiting for it is
    bounded by the busy timeout (store.Busy, a 503), never by a lock of our own.
    """
    clock = journey.Clock(now or utcnow(), Delays.from_config(config))
    written = message.body[:MAX_BODY_CHARS]
    body = privacy.redact(written)  # never store a social security number
    redacted = body != written
    # Pure work before the transaction: other writers wait only for what needs the database.
    phone = phones.normalise(message.sender) if phones.is_person_number(message.sender) else None
    parsed = keywords.parse(body)
    metrics.inbound_sms(parsed.command)
    key = loop_key(body, parsed.command)
    script_says = languages.guess(body)
    texted_in = parsed.lang or (script_says if script_says in LANGUAGES else None)
    if phone is not None and erases(parsed):  # nothing of a DELETE is stored, its SID neither: none was seen
        return _erase(db, config, phone, key, texted_in, clock, message.sid)
    with immediate(db):
        seen = message_store.by_twilio_sid(db, message.sid)
        if seen is not None:
            return _seen(db, message, seen)
        if phone is None:
            return _not_a_person(db, message, body, clock)
        person = journey.person_texting(db, phone, texted_in, clock)
        inbound_id = message_store.add_message(db, direction="inbound", phone=phone, body=body, status="received",
                                               now=clock.now, person_id=person["id"], twilio_sid=message.sid,
                                               loop_key=key)
        log.info("inbound %s from %s: %s", message.sid, phones.mask(phone), parsed.command)
        if person["opted_out_at"] and parsed.command not in commands.WHILE_OPTED_OUT:
            return Outcome(None, OPTED_OUT)
        if asks_language(parsed, script_says, person):
            reply = replies.lang_menu()
        else:
            reply = commands.run(parsed.command, commands.Context(db, person, parsed.args, clock, config))
        if redacted:
            reply = _warned(reply, journey.known_person(db, phone) or person)
        if reply is None:
            return Outcome(None, NOTHING_TO_SAY)
        silent = CARRIER if message.carrier_answered else silence(
            db, config, phone, key, clock.now, erased=_replies_before_erasure(db, config, person, clock.now))
        if silent:
            return Outcome(None, silent)
        message_store.add_message(db, direction="outbound", phone=phone, body=reply, status="sent",
                                  now=clock.now, person_id=person["id"], reply_to=inbound_id)
        log.info("reply to %s (inbound %s)", phones.mask(phone), message.sid)
        return Outcome(reply)


def _warned(reply: str | None, person: Mapping) -> str:
    """The reply with the warning not to text a social security number before it, in the person's language.

    The warning first, since it is what the person must not miss. When both do not fit what a STATUS may cost
    in the person's language (a full STATUS), the warning alone: the person asks again without the number,
    rather than pay one more segment or lose the warning. Thanks with a number in it (no reply of its own) get
    the warning too.
    """
    with force_locale(person["lang"]):
        warning = replies.render("nir_warning")
    both = f"{warning} {reply}" if reply else warning
    return both if measure(both).segments <= replies.max_segments("status", person["lang"]) else warning


def asks_language(parsed: keywords.Parsed, script_says: str | None, person: Mapping) -> bool:
    """Whether to answer with the LANG menu: the text is in a script we read but its letters do not say which
    of its languages, no keyword said it, and we know no language of this person yet. The command is not run
    (a SENT or CLAIM would be recorded unconfirmed); STOP, START and DELETE are."""
    return (script_says == languages.UNSURE and parsed.lang is None and person["lang_source"] is None
            and parsed.command not in ANSWERED_UNSURE)


def erases(parsed: keywords.Parsed) -> bool:
    """DELETE alone erases; with other words it gets a hint."""
    return parsed.command == keywords.DELETE and not parsed.args


def _seen(db: Database, message: Inbound, seen: Mapping) -> Outcome:
    """A MessageSid applied before (Twilio retries): the same answer, nothing applied again."""
    reply = message_store.reply_to(db, seen["id"])
    log.info("inbound %s seen before: same answer", message.sid)
    return Outcome(reply["body"]) if reply else Outcome(None, SEEN_SILENT)


def _not_a_person(db: Database, message: Inbound, body: str, clock: journey.Clock) -> Outcome:
    """Short codes, alphanumeric senders: logged, never answered (automatic replies would loop or cost)."""
    message_store.add_message(db, direction="inbound", phone=message.sender or "?", body=body,
                              status="received", now=clock.now, twilio_sid=message.sid)
    log.info("inbound %s from a non-personal sender %s: no reply", message.sid, phones.mask(message.sender))
    return Outcome(None, NOT_A_PERSON)


def _erase(db: Database, config: Mapping, phone: str, key: str, lang: str | None, clock: journey.Clock,
           sid: str) -> Outcome:
    """DELETE: the journey erases the number, storing nothing of this message or its reply but a keyed hash of
    its SID; the limits say whether the reply goes out (confirmed once an hour, even past the budgets)."""
    def silenced(person: Mapping | None, unlogged: tuple[int, int, int]) -> str | None:
        if person is not None and person["opted_out_at"]:
            return OPTED_OUT
        sender = privacy.sender_key(config["SECRET_KEY"], phone)
        if message_store.delete_answered(db, sender, privacy.sender_key(config["SECRET_KEY"], sid),
                                         clock.now - retention.REPLY_WINDOW):
            log.info("DELETE %s seen before: same answer", sid)
            return None  # Twilio's retry: the reply it did not get
        return silence(db, config, phone, key, clock.now, erased=unlogged, confirms=keywords.DELETE)

    erasure = journey.erase(db, phone, clock, config["SECRET_KEY"], silenced, sid=sid)
    if erasure.silent_because:
        return Outcome(None, erasure.silent_because)
    with force_locale(erasure.person["lang"] if erasure.person else lang or DEFAULT_LANGUAGE):
        return Outcome(replies.render("delete"))


def _replies_before_erasure(db: Database, config: Mapping, person: Mapping, now: datetime) -> tuple[int, int, int]:
    """Replies this number got in the last hour before a DELETE erased its log (they still count):
    all, to DELETE, to STOP.

    Only someone first seen within the hour can have been erased since: others cost no lookup.
    """
    if person["created_at"] < iso(now - retention.REPLY_WINDOW):
        return (0, 0, 0)
    return journey.erased_replies(db, person["phone"], config["SECRET_KEY"], now - retention.REPLY_WINDOW)


def silence(db: Database, config: Mapping, phone: str, key: str, now: datetime,
            erased: tuple[int, int, int] = (0, 0, 0), confirms: str | None = None) -> str | None:
    """Why we must not answer, or None: the number is from a country the operator does not answer, all
    numbers together had the hour's ceiling of replies, this number's hourly or daily budget is spent, or
    the same text keeps coming (a loop).

    `key`: the text's loop key; `erased`: replies
    this number got in the hour before a DELETE erased its log (all, to DELETE, to STOP). `confirms`:
    STOP or DELETE (a STOP text is known by its key), confirmed outside the number's budgets and loop
    protection, since people rely on it, but at most once an hour each; the country and the global
    ceiling hold them too (SMS pumping through STOP from many numbers).
    """
    if not phones.is_from(phone, tuple(config["SMS_REPLY_COUNTRIES"])):
        log.info("no reply to %s: not in SMS_REPLY_COUNTRIES", phones.mask(phone))
        return COUNTRY
    hour = now - retention.REPLY_WINDOW
    ceiling = config["SMS_MAX_REPLIES_PER_HOUR_ALL"]
    if message_store.all_replies_since(db, hour) >= ceiling:
        log.warning("no reply to %s: %s replies to all numbers in the last hour (SMS_MAX_REPLIES_PER_HOUR_ALL)",
                    phones.mask(phone), ceiling)
        return CEILING
    erased_replies, erased_deletes, erased_stops = erased
    if key == STOP_KEY or confirms == keywords.STOP:
        confirmed = message_store.replies_to_key_since(db, phone, STOP_KEY, hour) + erased_stops
        if confirmed >= CONFIRMATIONS_PER_HOUR:
            log.info("STOP from %s applied without a reply: confirmed within the hour", phones.mask(phone))
            return STOP_CONFIRMED
        return None
    if confirms == keywords.DELETE:  # its replies are in no log: each was noted under the number's key
        if erased_deletes >= CONFIRMATIONS_PER_HOUR:
            log.info("DELETE from %s applied without a reply: confirmed within the hour", phones.mask(phone))
            return DELETE_CONFIRMED
        return None
    replies_hour, replies_day, repeats = message_store.traffic_since(db, phone, key, hour, now - DAY)
    for spent, budget, window, reason in (
            (replies_hour + erased_replies, config["SMS_MAX_REPLIES_PER_HOUR"], "hour", BUDGET),
            # An erasure keeps only the hour's reply times: the day counts what the log still shows.
            (replies_day + erased_replies, config["SMS_MAX_REPLIES_PER_DAY"], "24 hours", DAILY_BUDGET)):
        if spent >= budget:
            log.warning("no reply to %s: %s replies in the last %s", phones.mask(phone), budget, window)
            return reason
    if repeats > config["SMS_MAX_REPEATS_PER_HOUR"]:
        log.warning("no reply to %s: the same text again (loop protection)", phones.mask(phone))
        return LOOP
    return None
