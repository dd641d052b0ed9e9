"""The texts of SMS replies, in English in code and translated: each fixed one fits one GSM-7 segment.

French texts avoid ç ê â î ô û and curly quotes, which would force UCS-2 (70 characters a segment).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from sms.segments import measure

REPLIES = {
    "help": _l("Send: STATUS, SENT ONLINE/POST, CARD, CLAIM dd/mm, PAID, RIB, LANG FR, STOP, DELETE."
               " Help: Assurance Maladie 3646."),
    "help_comede": _l("Comede: %(phone)s."),
    "unknown": _l("Sorry, we did not understand. Send HELP for the list of keywords."),
    "rib": _l("New bank details (RIB)? Send them to your caisse online on ameli, or by post with a copy"
              " of your ID, your social security number and your name."),
    "sent_how": _l("Say how you applied: SENT ONLINE or SENT POST, with the date if it was not today,"
                   " for example SENT POST 05/03."),
    "bad_date": _l("We could not read that date. Write day/month, for example 05/03. It cannot be in"
                   " the future."),
    "date_year": _l("Please add the year to the date, for example %(example)s."),
    "sent_online": _l("Noted: you applied online on %(sent)s. Your card should come around %(expected)s."
                      " Send CARD when it arrives."),
    "sent_post": _l("Noted: you applied by post on %(sent)s. Your card should come around %(expected)s."
                    " Send CARD when it arrives."),
    "card_how": _l("If your card has arrived, send CARD alone."),
    "card": _l("Good news! Card reminders are off. Check the details on your card: if one is wrong, tell"
               " your caisse."),
    "claim": _l("Noted: feuille de soins %(number)s posted on %(posted)s. The refund can take up to a"
                " month. When it is paid, send PAID %(number)s."),
    "paid": _l("Noted: feuille de soins %(number)s is paid."),
    "paid_none": _l("We have no unpaid feuille de soins with that number. Send STATUS to see yours."),
    "paid_how": _l("Send PAID, or PAID and the number of the feuille de soins, for example PAID 2."),
    "lang_set": _l("We will now write to you in English. For French, send LANG FR."),
    "lang_how": _l("Send LANG FR for French or LANG EN for English."),
    "stop": _l("You will get no more messages from us. Send START to get them again."),
    "start": _l("Messages are back on. Send HELP for the list of keywords."),
    "delete_how": _l("To erase everything we hold about this number, send DELETE alone."),
    "delete": _l("We have deleted everything we held about this number."),
    "nir_warning": _l("Do not send your social security number by SMS: we have deleted it."),
}
# The parts of a STATUS reply, which may take two segments in all.
STATUS_PARTS = {
    "none": _l("No application recorded. Once you have applied, send SENT ONLINE or SENT POST."),
    "online": _l("Applied online on %(sent)s."),
    "post": _l("Applied by post on %(sent)s."),
    "expected": _l("Card expected around %(expected)s."),
    "late": _l("Card expected around %(expected)s and not here yet: call your caisse on 3646."),
    "arrived": _l("Card arrived on %(received)s."),
    "no_claims": _l("No feuille de soins waiting."),
}
# Worst-case values for each placeholder, for the segment tests.
SAMPLES = {"sent": "28/12/2026", "expected": "28/12/2026", "received": "28/12/2026",
           "posted": "28/12/2026", "example": "28/12/2026", "number": "99", "phone": "+33 1 23 45 67 89"}


def day(value: date) -> str:
    """A date as people in France write it."""
    return value.strftime("%d/%m/%Y")


def _fill(table: dict, name: str, params: dict) -> str:
    text = str(table[name])
    return text % params if params else text


def render(name: str, **params: object) -> str:
    """A reply in the current locale (use `flask_babel.force_locale` for the person's)."""
    return _fill(REPLIES, name, params)


def status_part(name: str, **params: object) -> str:
    """One sentence of a STATUS reply in the current locale."""
    return _fill(STATUS_PARTS, name, params)


def claim_line(number: int, posted: date, days: int) -> str:
    """One open feuille de soins in a STATUS reply, with its age."""
    return ngettext("Feuille %(number)s: posted %(posted)s, %(num)d day ago.",
                    "Feuille %(number)s: posted %(posted)s, %(num)d days ago.",
                    days, number=number, posted=day(posted))


def help_text(comede_phone: str | None) -> str:
    """The HELP menu, with Comede's number when the deployer set one and it still fits one segment."""
    text = render("help")
    if comede_phone:
        longer = f"{text} {render('help_comede', phone=comede_phone)}"
        if measure(longer).segments == 1:
            return longer
    return text


def more_claims(count: int) -> str:
    """The end of a STATUS reply too long to list every open claim."""
    return ngettext("And %(num)d more.", "And %(num)d more.", count)


def fit(parts: list[str], tail: list[str], max_segments: int = 2) -> str:
    """Join `parts` and as many `tail` items as fit in `max_segments`, then say how many were left."""
    text = " ".join(parts)
    for index, item in enumerate(tail):
        left = len(tail) - index - 1
        candidate = f"{text} {item}"
        with_more = f"{candidate} {more_claims(left)}" if left else candidate
        if measure(with_more).segments > max_segments:
            return f"{text} {more_claims(len(tail) - index)}"
        text = candidate
    return text
