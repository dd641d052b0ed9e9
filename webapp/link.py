"""A device linked to the person behind a phone number: its token, which only the device holds, and its lookup;
the opt-in that leads to it (a 6-digit code texted to the number, rate-limited, traded for a token)."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from scheduler import rules
from sms import gateway, phones, privacy
from webapp import journey
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES
from webapp.store import immediate, iso, links

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALID = timedelta(minutes=10)
CODE_TRIES = 5
RATE_WINDOW = timedelta(hours=1)
# What a number must be to get a code: one that takes texts (a landline would only waste a code and a send).
TEXTABLE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})
# One GSM-7 segment in every language (tests/test_link_optin.py measures it).
CODE_TEXT = _l("Your code for carte Vitale reminders: %(code)s. It works for 10 minutes. You did not ask for it?"
               " Ignore this text.")
# The three limits, each a setting: (setting, which count it reads).
LIMITS = (("OPTIN_MAX_CODES_PER_NUMBER", "phone_key"), ("OPTIN_MAX_CODES_PER_CLIENT", "client_key"),
          ("OPTIN_MAX_CODES_PER_HOUR", None))


class OptinError(Exception):
    """Why the opt-in step was refused; each channel words it its own way."""


class InvalidPhone(OptinError):
    """Not a mobile number anywhere phonenumbers knows."""


class RateLimited(OptinError):
    """Too many codes texted in the hour (to this number, from this client, or in all)."""

    def __init__(self, retry_after: int, limit: str) -> None:
        super().__init__(f"{limit} reached")
        self.retry_after, self.limit = retry_after, limit


class WrongCode(OptinError):
    """The code does not match; `tries_left` more may be made."""

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"{tries_left} tries left")
        self.tries_left = tries_left


class CodeExpired(OptinError):
    """No live code for this number: never asked, used, too old or tried too often."""


class SendFailed(OptinError):
    """The code could not be handed to the SMS provider just now (a transient error): try again shortly."""


class Unlinked(LookupError):
    """The token was never valid (`revoked` False) or its link is gone: unlinked, or the person erased."""

    def __init__(self, revoked: bool) -> None:
        super().__init__("token revoked" if revoked else "unknown token")
        self.revoked = revoked


@dataclass(frozen=True)
class Device:
    """A linked device and the person it belongs to."""

    id: int
    person_id: int


def new_token() -> str:
    """A fresh random device token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the server keeps of a token: its SHA-256 (a random 256-bit token needs no slow hash)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_device(db: Database, person_id: int, now: datetime) -> str:
    """Link a new device to the person; return its token (stored only as a hash)."""
    token = new_token()
    links.add_device(db, person_id, token_hash(token), now)
    return token


def device_for(db: Database, token: str) -> Device:
    """The device holding this token; Unlinked when it has none (and whether it once had)."""
    hashed = token_hash(token)
    found = links.device_by_token(db, hashed)
    if found is None:
        raise Unlinked(revoked=links.is_revoked(db, hashed))
    return Device(found["id"], found["person_id"])


def mobile_number(raw: str) -> str:
    """The E.164 form of a mobile number typed in any usual way (French, overseas, foreign); InvalidPhone if none."""
    phone = phones.normalise(raw.strip()[:32]) if raw.strip() else None
    if phone is None or phonenumbers.number_type(phonenumbers.parse(phone)) not in TEXTABLE:
        raise InvalidPhone(raw)
    return phone


def client_of(address: str | None) -> str:
    """The client a request comes from, as its rate limit counts it: the address, or its /64 for IPv6 (one
    subscriber's whole block)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "-"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client it maps
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def code_hash(secret: str, phone: str, code: str) -> str:
    """What is kept of a code: an HMAC keyed by SECRET_KEY (a million codes are too few for a plain hash)."""
    return hmac.new(secret.encode(), f"optin-code:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _retry_after(db: Database, since: datetime, now: datetime, **key: str) -> int:
    first = links.first_code_text_since(db, since, **key)
    return max(1, int(((first or now) + RATE_WINDOW - now).total_seconds()) + 1)


def request_code(db: Database, config: Mapping, phone: str, lang: str, client_address: str | None,
                 now: datetime) -> int:
    """Text a new code to a mobile number (typed as the person wrote it); return the seconds it stays valid.

    InvalidPhone, RateLimited (nothing texted) or SendFailed. A number that sent STOP gets no text, and the
    same answer (the form must not tell who opted out)."""
    phone = mobile_number(phone)
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    secret = config["SECRET_KEY"]
    keys = {"phone_key": privacy.sender_key(secret, f"optin-phone:{phone}"),
            "client_key": privacy.sender_key(secret, f"optin-client:{client_of(client_address)}")}
    since = now - RATE_WINDOW
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    with immediate(db):  # counted and saved together: two requests at once cannot both slip under a limit
        for setting, key in LIMITS:
            by = {key: keys[key]} if key else {}
            if links.code_texts_since(db, since, **by) >= int(config[setting]):
                log.info("opt-in code to %s refused: %s reached", phones.mask(phone), setting)
                raise RateLimited(_retry_after(db, since, now, **by), setting)
        links.note_code_text(db, keys["phone_key"], keys["client_key"], now)
        links.save_code(db, phone, code_hash(secret, phone, code), lang, now + CODE_VALID, now)
        person = journey.known_person(db, phone)
    if person is not None and person["opted_out_at"]:
        log.info("opt-in code to %s not texted: the number sent STOP", phones.mask(phone))
        return int(CODE_VALID.total_seconds())
    with force_locale(lang):
        body = str(CODE_TEXT) % {"code": code}
    sent = gateway.send(db, config, phone, body, person_id=person["id"] if person else None, now=now)
    if not sent.ok and sent.transient:
        raise SendFailed(sent.error)
    return int(CODE_VALID.total_seconds())


def confirm_code(db: Database, config: Mapping, phone: str, code: str, now: datetime) -> str:
    """Trade the texted code for a new device token linked to the person behind the number (created if new,
    in the language the code was asked in). InvalidPhone, WrongCode or CodeExpired (the code is dropped)."""
    phone = mobile_number(phone)
    with immediate(db):  # checked, counted and used in one transaction: a code links one device, once
        saved = links.code_for(db, phone)
        if saved is None or saved["expires_at"] <= iso(now) or saved["tries"] >= CODE_TRIES:
            links.drop_code(db, phone)
            outcome: OptinError | str = CodeExpired(phone)
        elif not hmac.compare_digest(saved["code_hash"], code_hash(config["SECRET_KEY"], phone, code)):
            tries = links.count_try(db, phone)
            if tries >= CODE_TRIES:
                links.drop_code(db, phone)
            outcome = CodeExpired(phone) if tries >= CODE_TRIES else WrongCode(CODE_TRIES - tries)
        else:
            links.drop_code(db, phone)
            clock = journey.Clock(now, rules.Delays.from_config(config))
            person = journey.person_for(db, phone, saved["lang"], clock, "chosen")
            outcome = link_device(db, person["id"], now)
    if isinstance(outcome, OptinError):
        raise outcome
    log.info("a device was linked to %s", phones.mask(phone))
    return outcome
