"""Reminder texts: one short GSM-7 SMS per kind, in the person's language, saying what to do next."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import force_locale, gettext

from scheduler import rules
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES


def N_(text: str) -> str:  # noqa: N802 (gettext's conventional name: marks a msgid for extraction)
    """Mark a string for translation without translating it here."""
    return text


# kind -> (text, keyword to reply). Texts avoid ç ê â î ô û and curly quotes in every language:
# one such character turns the SMS into UCS-2, where a segment holds 70 characters, not 160.
TEXTS: dict[str, tuple[str, str]] = {
    rules.CARD_DUE: (
        N_("Carte Vitale: your card should come these days. Got it? Reply %(reply)s."
           " Not yet? Wait a little, we will text you again in %(followup)s days."),
        N_("CARD"),
    ),
    rules.CARD_FOLLOWUP: (
        N_("Carte Vitale: still no card? Call your caisse on 3646 (Assurance Maladie),"
           " Monday to Friday. Got it? Reply %(reply)s."),
        N_("CARD"),
    ),
    rules.CLAIM_DUE: (
        N_("Feuille de soins %(number)s posted %(days)s days ago: check your bank account."
           " Paid? Reply %(reply)s."),
        N_("PAID %(number)s"),
    ),
    rules.CLAIM_FOLLOWUP: (
        N_("Feuille de soins %(number)s still not paid? Call your caisse on 3646,"
           " Monday to Friday. Paid? Reply %(reply)s."),
        N_("PAID %(number)s"),
    ),
}


def language_of(lang: str | None) -> str:
    """A language we have texts in: the person's, else the default."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def render(kind: str, subject: str, lang: str | None, config: Mapping, *, days: int | None = None,
           followup: int | None = None) -> str:
    """The reminder's text in the person's language (needs an app context, for the catalogues).

    `days`: how long ago the claim was posted; `followup`: days until the card follow-up. Both
    are counted at send time by the pass; the settings' delays stand in when they are not given.
    """
    text, keyword = TEXTS[kind]
    with force_locale(language_of(lang)):
        word = gettext(keyword, number=subject)
        number = config.get("SMS_REPLY_NUMBER")
        reply = gettext("%(keyword)s to %(number)s", keyword=word, number=number) if number else word
        return gettext(text, reply=reply, number=subject,
                       days=config["CLAIM_DELAY_DAYS"] if days is None else days,
                       followup=config["CARD_FOLLOWUP_DAYS"] if followup is None else followup)
