"""My dates: the application and the posted feuilles de soins a person keeps in their session, checked and computed."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from scheduler import rules
from sms.keywords import EARLIEST  # one floor for dates typed on the web and by SMS

METHODS = ("online", "post")
MAX_CLAIMS = 20  # the session cookie must stay small
SESSION_KEY = "dates"
_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

ERRORS = {
    "method.missing": _l("Choose how you applied: online or by post"),
    "sent_on.missing": _l("Enter the date you sent your application"),
    "sent_on.invalid": _l("Enter a real date, for example 27/11/2026"),
    "sent_on.future": _l("The date you sent your application must be today or in the past"),
    "posted_on.missing": _l("Enter the date you posted the form"),
    "posted_on.invalid": _l("Enter a real date, for example 27/11/2026"),
    "posted_on.future": _l("The date you posted the form must be today or in the past"),
    "posted_on.full": _l("You can keep 20 forms here. Remove one first."),
}


@dataclass(frozen=True)
class Claim:
    """One feuille de soins posted, with the day it is overdue."""

    id: int
    posted_on: date
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class Application:
    """How and when the person applied, and the day the card should come."""

    method: str
    sent_on: date
    expected_on: date
    late: bool


def today(delays: rules.Delays) -> date:
    """The local date in the service's time zone."""
    return datetime.now(delays.tz).date()


def parse_day(text: str) -> date | None:
    """A date typed as 27/11/2026 (or 27-11-2026, 27.11.2026) or sent as 2026-11-27; None if not a real date
    or before EARLIEST (the form's fields and the dates saved in the session alike)."""
    text = (text or "")[:40]
    if match := _ISO.match(text):
        year, month, day = match.groups()
    elif match := _DMY.match(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if found >= EARLIEST else None


def as_typed(text: str | None) -> str:
    """What a person typed, safe to show back in a field: short, with no control characters."""
    return "".join(ch for ch in (text or "")[:40] if not unicodedata.category(ch).startswith("C"))


def check_day(field: str, text: str, now: date) -> tuple[date | None, str | None]:
    """The date of a form field, or the key of the error to show."""
    if not (text or "").strip():
        return None, f"{field}.missing"
    day = parse_day(text)
    if day is None:
        return None, f"{field}.invalid"
    if day > now:
        return None, f"{field}.future"
    return day, None


def state(session: Mapping) -> dict:
    """The person's saved dates, tolerant of an old or damaged cookie."""
    saved = session.get(SESSION_KEY)
    return saved if isinstance(saved, dict) else {}


def _saved_claims(saved: Mapping) -> list[dict]:
    claims = saved.get("claims")
    return [c for c in claims if isinstance(c, dict)] if isinstance(claims, list) else []


def save_application(session: MutableMapping, method: str, sent_on: date) -> None:
    """Remember how and when the application was sent."""
    saved = dict(state(session), method=method, sent_on=sent_on.isoformat())
    session[SESSION_KEY] = saved


def clear_application(session: MutableMapping) -> None:
    """Forget the application."""
    saved = {k: v for k, v in state(session).items() if k not in ("method", "sent_on")}
    session[SESSION_KEY] = saved


def add_claim(session: MutableMapping, posted_on: date) -> bool:
    """Remember one more posted feuille de soins; False when the list is full."""
    saved = dict(state(session))
    claims = _saved_claims(saved)
    if len(claims) >= MAX_CLAIMS:
        return False
    next_id = max([c["id"] for c in claims if isinstance(c.get("id"), int)], default=0) + 1
    claims.append({"id": next_id, "posted_on": posted_on.isoformat()})
    saved["claims"] = claims
    session[SESSION_KEY] = saved
    return True


def remove_claim(session: MutableMapping, claim_id: str) -> None:
    """Forget one feuille de soins (unknown ids are ignored)."""
    saved = dict(state(session))
    saved["claims"] = [c for c in _saved_claims(saved) if str(c.get("id")) != str(claim_id)]
    session[SESSION_KEY] = saved


def application(session: Mapping, delays: rules.Delays, now: date) -> Application | None:
    """The saved application with its expected card date, if any."""
    saved = state(session)
    method, sent_on = saved.get("method"), parse_day(str(saved.get("sent_on", "")))
    if method not in METHODS or sent_on is None:
        return None
    expected = rules.expected_card_date(method, sent_on, delays)
    return Application(method, sent_on, expected, late=now > expected)


def claims(session: Mapping, delays: rules.Delays, now: date) -> list[Claim]:
    """The saved feuilles de soins, oldest first, each flagged overdue from its due day."""
    found = []
    for saved in _saved_claims(state(session)):
        posted_on = parse_day(str(saved.get("posted_on", "")))
        if posted_on is None or not isinstance(saved.get("id"), int):
            continue
        due = rules.claim_due_date(posted_on, delays)
        found.append(Claim(saved["id"], posted_on, due, overdue=now >= due))
    return sorted(found, key=lambda claim: (claim.posted_on, claim.id))
