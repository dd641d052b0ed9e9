"""Reminder texts: one short SMS per kind, in the person's language, saying what to do next (one GSM-7 segment
in French and English, two UCS-2 segments in the other languages: sms.replies.SEGMENT_LIMITS).

Each reminder renders the advice of the state it is sent in (webapp.advice): the card reminder goes on
the expected day (`due`: it should come these days, call the caisse if not here by `call_from`), its
follow-up on `call_from` (`late`: call the caisse on 3646), the claim reminders once the refund is late
(`overdue`: check the bank account, then call). The dates come from the day the reminder was planned
for, so a reminder sent late still gives the same dates as STATUS and the pages.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from flask_babel import force_locale, gettext

from scheduler import rules
from sms import replies
from webapp import advice
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES


def N_(text: str) -> str:  # noqa: N802 (gettext's conventional name: marks a msgid for extraction)
    """Mark a string for translation without translating it here."""
    return text


# kind -> (the state it is sent in, text, keyword to reply). French and English texts avoid ç ê â î ô û and
# curly quotes: one such character turns the SMS into UCS-2, where a segment holds 70 characters, not 160.
TEXTS: dict[str, tuple[str, str, str]] = {
    rules.CARD_DUE: (
        advice.DUE,
        N_("Carte Vitale: your card should come these days. Still none on %(call_from)s? Call your caisse."
           " Got it? Reply %(reply)s."),
        N_("CARD"),
    ),
    rules.CARD_FOLLOWUP: (
        advice.LATE,
        N_("Carte Vitale: expected %(expected)s and still no card? Call your caisse on 3646, Monday to"
           " Friday. Got it? Reply %(reply)s."),
        N_("CARD"),
    ),
    rules.CLAIM_DUE: (
        advice.OVERDUE,
        N_("Feuille de soins %(number)s: refund due by %(due)s. Check your bank account; not paid? Call"
           " your caisse on 3646. Paid? Reply %(reply)s."),
        N_("PAID %(number)s"),
    ),
    rules.CLAIM_FOLLOWUP: (
        advice.OVERDUE,
        N_("Feuille de soins %(number)s, due by %(due)s, still not paid? Call your caisse on 3646,"
           " Monday to Friday. Paid? Reply %(reply)s."),
        N_("PAID %(number)s"),
    ),
}


def language_of(lang: str | None) -> str:
    """A language we have texts in: the person's, else the default."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def max_segments(lang: str | None) -> int:
    """The segments a reminder may cost in the person's language: a fixed text's limit for its encoding."""
    return replies.max_segments("fixed", language_of(lang))


def situation_of(kind: str, subject: str, planned_on: date, config: Mapping) -> advice.Card | advice.Claim:
    """The card or claim a reminder is about, in the state it is sent in, from the day it was planned for."""
    state = TEXTS[kind][0]
    card_followup, claim_followup = (timedelta(days=config[name]) for name in
                                     ("CARD_FOLLOWUP_DAYS", "CLAIM_FOLLOWUP_DAYS"))
    # The day each kind is planned for (scheduler.rules): expected_on, call_from, due_on, due_on + follow-up.
    anchor = planned_on - {rules.CARD_FOLLOWUP: card_followup, rules.CLAIM_FOLLOWUP: claim_followup}.get(
        kind, timedelta(0))
    if kind in (rules.CARD_DUE, rules.CARD_FOLLOWUP):
        return advice.Card(state, expected_on=anchor, call_from=anchor + card_followup)
    return advice.Claim(int(subject), state, posted_on=anchor - timedelta(days=config["CLAIM_DELAY_DAYS"]),
                        due_on=anchor, age_days=0)


def render(kind: str, subject: str, lang: str | None, config: Mapping, *, planned_on: date) -> str:
    """The reminder's text in the person's language (needs an app context, for the catalogues).

    `planned_on`: the local day the reminder was planned for (its `due_at`), which gives its dates.
    """
    _state, text, keyword = TEXTS[kind]
    about = situation_of(kind, subject, planned_on, config)
    dates = {"expected": getattr(about, "expected_on", None), "call_from": getattr(about, "call_from", None),
             "due": getattr(about, "due_on", None)}
    with force_locale(language_of(lang)):
        word = gettext(keyword, number=subject)
        number = config.get("SMS_REPLY_NUMBER")
        reply = gettext("%(keyword)s to %(number)s", keyword=word, number=number) if number else word
        return gettext(text, reply=reply, number=subject,
                       **{name: value.strftime("%d/%m/%Y") for name, value in dates.items() if value})
