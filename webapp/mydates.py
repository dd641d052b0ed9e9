"""My dates: the application and the posted feuilles de soins a person keeps in their session, checked, and the
advice (webapp.advice) they call for."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from scheduler import rules
from sms.keywords import EARLIEST  # one floor for dates typed on the web and by SMS
from webapp import advice
from webapp.store import utcnow  # tests fix the day by replacing this name (mydates.utcnow)

METHODS = ("online", "post")
MAX_CLAIMS = 20  # the session cookie must stay small
SESSION_KEY = "dates"
FIELDS = ("method", "sent_on", "posted_on", "received_on")  # the form fields shown back after an error
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
    "received_on.missing": _l("Enter the date your card arrived"),
    "received_on.invalid": _l("Enter a real date, for example 27/11/2026"),
    "received_on.future": _l("The date your card arrived must be today or in the past"),
}



@dataclass(frozen=True)
class Claim:
    """One feuille de soins posted, with the day it is overdue (a summary of advice.Claim, for the checklist)."""

    id: int
    posted_on: date
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class Application:
    """How and when the person applied, and the day the card should come (a summary of advice.Card)."""

    method: str
    sent_on: date
    expected_on: date
    late: bool


def today(delays: rules.Delays) -> date:
    """The local date in the service's time zone."""
    return utcnow().astimezone(delays.tz).date()


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
    """Forget the application (and the day the card came)."""
    saved = {k: v for k, v in state(session).items() if k not in ("method", "sent_on", "received_on")}
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


def set_card_received(session: MutableMapping, received_on: date | None) -> None:
    """Remember the day the card arrived (None: it has not, after all); only once an application is saved."""
    saved = {k: v for k, v in state(session).items() if k != "received_on"}
    if received_on is not None and "sent_on" in saved:
        saved["received_on"] = received_on.isoformat()
    session[SESSION_KEY] = saved


def set_claim_paid(session: MutableMapping, claim_id: str, paid_on: date | None) -> None:
    """Remember the day one feuille de soins was paid back (None: not paid); unknown ids are ignored."""
    saved = dict(state(session))
    claims = []
    for claim in _saved_claims(saved):
        if str(claim.get("id")) == str(claim_id):
            claim = {k: v for k, v in claim.items() if k != "paid_on"}
            claim.update({"paid_on": paid_on.isoformat()} if paid_on else {})
        claims.append(claim)
    saved["claims"] = claims
    session[SESSION_KEY] = saved


def situation(session: Mapping, delays: rules.Delays, now: date) -> advice.Situation:
    """The advice for the saved dates: the card and each feuille de soins (its id on the device as its number).
    Whatever is damaged or missing in an old cookie counts as not known."""
    saved = state(session)
    method, sent_on = saved.get("method"), _day(saved.get("sent_on"))
    applied = {"method": method, "sent_on": sent_on, "card_received_on": _day(saved.get("received_on"))}
    claims = [{"number": c["id"], "posted_on": posted_on, "paid_on": _day(c.get("paid_on"))}
              for c in _saved_claims(saved)
              if isinstance(c.get("id"), int) and (posted_on := _day(c.get("posted_on"))) is not None]
    return advice.situation(applied if method in METHODS and sent_on else None, claims, now, delays)


def _day(saved: object) -> date | None:
    return parse_day(saved) if isinstance(saved, str) else None


def application(session: Mapping, delays: rules.Delays, now: date) -> Application | None:
    """The saved application with its expected card date, if any (late: the advice says call the caisse)."""
    card = situation(session, delays, now).card
    if card.state == advice.NOT_APPLIED:
        return None
    return Application(card.method, card.sent_on, card.expected_on, late=card.state == advice.LATE)


def claims(session: Mapping, delays: rules.Delays, now: date) -> list[Claim]:
    """The saved feuilles de soins, oldest first, each flagged overdue from its due day."""
    return [Claim(c.number, c.posted_on, c.due_on, overdue=c.state == advice.OVERDUE)
            for c in situation(session, delays, now).claims]
