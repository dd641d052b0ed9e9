"""Operators of the /ops console: argon2id passwords, the sign-in and its rate limit, and every audited action."""
from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from scheduler import rules
from sms import privacy
from sms.phones import mask
from webapp import journey, link
from webapp.store import messages as message_store
from webapp.store import operators as store
from webapp.store import parse_iso, people, reminders

# argon2-cffi's defaults are RFC 9106's second recommended argon2id profile (64 MiB, 3 passes).
HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")
SIGNIN_WINDOW = timedelta(minutes=15)
UNKNOWN = "(unknown name)"  # who a refused sign-in of a name no operator has is audited under: never the text typed
# What erasing from the console tells journey.erase: no SMS reply goes out (the operator tells the person).
ERASED_BY_OPERATOR = "asked an operator: no SMS reply"


class Action:
    """The audit log's actions, as stored (the console shows each in the operator's language)."""

    SIGNED_IN = "signed-in"
    SIGNED_OUT = "signed-out"
    REFUSED = "sign-in-refused"
    LOOKED_UP = "looked-up"
    REVEALED = "revealed"
    RETRIED = "retried"
    ERASED = "erased"


class OperatorError(ValueError):
    """An operator cannot be added or changed as asked; the message says why."""


class SignInRefused(Exception):
    """The sign-in did not succeed."""


class WrongCredentials(SignInRefused):
    """Unknown name, wrong password or disabled operator: one answer for all three."""


class RateLimited(SignInRefused):
    """Too many failures for this name or from this client lately: refused, even with the right password."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"refused until {until.isoformat()}")
        self.until = until


def check_password(password: str) -> None:
    """OperatorError when a new password is too short to keep."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OperatorError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")


def hash_password(password: str) -> str:
    """The argon2id hash kept of a password (with its own random salt)."""
    check_password(password)
    return HASHER.hash(password)


@functools.cache
def dummy_hash() -> str:
    """A hash no password matches, checked for unknown names so that they take as long as a wrong password."""
    return HASHER.hash(secrets.token_urlsafe(32))


def _verified(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add(db: Database, name: str, password: str, now: datetime, reset: bool = False) -> str:
    """Add an operator (or, with `reset`, give an existing one a new password); "added" or "reset"."""
    if not NAME.fullmatch(name):
        raise OperatorError("A name is 1 to 64 letters, digits or . _ @ - (no spaces).")
    hashed = hash_password(password)
    if reset:
        if not store.set_password(db, name, hashed):
            raise OperatorError(f"There is no operator {name!r}.")
        return "reset"
    if not store.add_operator(db, name, hashed, now):
        raise OperatorError(f"The operator {name!r} exists already (use --reset to set a new password).")
    return "added"


def disable(db: Database, name: str, now: datetime) -> None:
    """Stop an operator from signing in (their audit lines stay)."""
    if not store.disable(db, name, now):
        raise OperatorError(f"There is no enabled operator {name!r}.")


def all_operators(db: Database) -> list[dict]:
    """Every operator: name, created, disabled."""
    return store.all_operators(db)


def audit(db: Database, operator: str, action: str, now: datetime, detail: str = "") -> None:
    """Write one action to the audit log."""
    store.add_audit(db, operator, action, detail, now)


def _keys(secret: str, name: str, client_address: str | None) -> dict[str, str]:
    # Keyed hashes only: the table never holds a name as typed (a password typed in the name field) nor an address.
    return {"name_key": privacy.sender_key(secret, f"ops-name:{name.casefold()}"),
            "client_key": privacy.sender_key(secret, f"ops-client:{link.client_of(client_address)}")}


def _refused_until(db: Database, keys: Mapping[str, str], limit: int, now: datetime) -> datetime | None:
    """When sign-in opens again, if more than `limit` failures of this name or this client are in the window."""
    ends = []
    for column, key in keys.items():
        times = store.failure_times(db, column, key, now - SIGNIN_WINDOW)
        if len(times) > limit:  # open again once the oldest failures beyond the limit have left the window
            ends.append(parse_iso(times[len(times) - limit - 1]) + SIGNIN_WINDOW)
    return max(ends) if ends else None


def sign_in(db: Database, config: Mapping, name: str, password: str, client_address: str | None,
            now: datetime) -> str:
    """Check a sign-in; the operator's name, else WrongCredentials or RateLimited (both audited or counted).

    Not one transaction: a password check takes tens of milliseconds, too long to hold the write lock, so
    sign-ins racing each other may pass the limit by the few in flight."""
    keys = _keys(config["SECRET_KEY"], name, client_address)
    operator = store.operator_by_name(db, name)
    until = _refused_until(db, keys, int(config["OPS_SIGNIN_MAX_FAILURES"]), now)
    if until is not None:
        audit(db, name if operator else UNKNOWN, Action.REFUSED, now, "rate limited")
        raise RateLimited(until)
    right = _verified(operator["password_hash"] if operator else dummy_hash(), password)
    if not right or operator is None or operator["disabled_at"]:
        store.note_failure(db, keys["name_key"], keys["client_key"], now, now - SIGNIN_WINDOW)
        raise WrongCredentials(name)
    audit(db, name, Action.SIGNED_IN, now)
    return name


# -- what an operator does -------------------------------------------------------------------------------------
def retry(db: Database, operator: str, reminder_id: int, now: datetime) -> bool:
    """Send a failed reminder again at the next pass (audited); False when it is not failed any more."""
    if not reminders.retry_failed(db, reminder_id, now):
        return False
    audit(db, operator, Action.RETRIED, now, f"reminder {reminder_id} ({mask(store.reminder_phone(db, reminder_id))})")
    return True


@dataclass(frozen=True)
class History:
    """What is held about one number, for a support call."""

    phone: str
    person: dict | None
    messages: list[dict]
    reminders: list[dict]

    @property
    def empty(self) -> bool:
        """Nothing is held about this number."""
        return self.person is None and not self.messages


def history(db: Database, operator: str, phone: str, now: datetime, revealed: bool = False) -> History:
    """The number's messages in and out and its reminders, oldest first; the look-up (or the reveal) audited."""
    audit(db, operator, Action.REVEALED if revealed else Action.LOOKED_UP, now, mask(phone))
    person = people.person_by_phone(db, phone)
    return History(phone, person, list(reversed(message_store.log(db, phone))),
                   reminders.for_person(db, person["id"]) if person else [])


def erase(db: Database, config: Mapping, operator: str, phone: str, now: datetime) -> bool:
    """Erase everything held about the number, on the person's request, as their DELETE would (audited with
    the number masked); whether anything was held."""
    clock = journey.Clock(now, rules.Delays.from_config(config))
    erased = journey.erase(db, phone, clock, config["SECRET_KEY"], lambda _person, _unlogged: ERASED_BY_OPERATOR)
    audit(db, operator, Action.ERASED, now, mask(phone))
    return erased.person is not None
