"""Quiet hours on the local clock (DST nights), and reminder texts: fr and en, one GSM-7 segment each, each
the advice of the state it is sent in (webapp.advice), with the dates of the day it was planned for."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from scheduler import texts
from scheduler.quiet import QuietHours
from sms import keywords
from sms.segments import GSM7, measure

PARIS = ZoneInfo("Europe/Paris")
NIGHT = QuietHours.parse("20:00-09:00", PARIS)
CATALOGUE = texts.__file__.replace("texts.py", "translations/fr/LC_MESSAGES/messages.po")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("instant", "inside"), [
    (utc(2026, 3, 4, 18, 59), False), (utc(2026, 3, 4, 19, 0), True),    # 20:00 CET
    (utc(2026, 3, 5, 7, 59), True), (utc(2026, 3, 5, 8, 0), False),      # 09:00 CET
    (utc(2026, 3, 29, 6, 59), True), (utc(2026, 3, 29, 7, 0), False),    # 09:00 CEST, the first morning
    (utc(2026, 10, 24, 17, 59), False), (utc(2026, 10, 24, 18, 0), True),  # 20:00 CEST
    (utc(2026, 10, 25, 7, 59), True), (utc(2026, 10, 25, 8, 0), False),  # 09:00 CET, the first morning
])
def test_quiet_hours_follow_the_local_clock(instant, inside):
    assert NIGHT.contains(instant) is inside


@pytest.mark.parametrize(("instant", "end", "hours"), [
    (utc(2026, 3, 4, 19, 0), utc(2026, 3, 5, 8, 0), 13),
    (utc(2026, 3, 28, 19, 0), utc(2026, 3, 29, 7, 0), 12),    # the March night is an hour shorter
    (utc(2026, 10, 24, 18, 0), utc(2026, 10, 25, 8, 0), 14),  # the October night an hour longer
    (utc(2026, 3, 5, 5, 0), utc(2026, 3, 5, 8, 0), 3),        # after midnight: ends the same day
])
def test_the_window_ends_at_nine_local_whatever_the_offset(instant, end, hours):
    assert NIGHT.end_after(instant) == end
    assert end - instant == timedelta(hours=hours)


def test_a_daytime_window_and_an_empty_one():
    lunch = QuietHours.parse("12:00-14:00", "Europe/Paris")
    assert lunch.contains(utc(2026, 6, 1, 10, 30)) and not lunch.contains(utc(2026, 6, 1, 12, 0))
    assert lunch.end_after(utc(2026, 6, 1, 10, 30)) == utc(2026, 6, 1, 12, 0)
    assert lunch.end_after(utc(2026, 6, 1, 9, 0)) == utc(2026, 6, 1, 9, 0)  # outside: now
    never = QuietHours.parse("00:00-00:00", "Europe/Paris")
    assert not any(never.contains(utc(2026, 6, 1, hour)) for hour in range(24))


def test_every_text_is_translated_into_french():
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle)
    msgids = {msgid for _state, *pair in texts.TEXTS.values() for msgid in pair} | {"%(keyword)s to %(number)s"}
    assert all(catalogue.get(msgid) is not None and catalogue.get(msgid).string for msgid in msgids)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(texts.TEXTS))
@pytest.mark.parametrize("reply_number", [None, "+331234567890123"])  # the longest E.164 number
def test_each_text_fits_one_gsm7_segment_with_the_longest_values(app, lang, kind, reply_number):
    config = dict(app.config, SMS_REPLY_NUMBER=reply_number)
    with app.app_context():
        body = texts.render(kind, "999", lang, config, planned_on=date(2026, 12, 28))
    encoded = measure(body)
    assert (encoded.encoding, encoded.segments) == (GSM7, 1), (encoded, body)
    keyword = {"fr": ("CARTE", "PAYE 999"), "en": ("CARD", "PAID 999")}[lang][kind.startswith("claim")]
    assert keyword in body
    if reply_number:
        assert reply_number in body
    # the caisse's number only where the advice is to call it: not while the card is merely due
    assert ("3646" in body) is (kind != "card_due")


def test_texts_are_in_the_persons_language_and_fall_back_to_french(app):
    with app.app_context():
        french = texts.render("card_due", "card", "fr", app.config, planned_on=date(2026, 12, 8))
        english = texts.render("card_due", "card", "en", app.config, planned_on=date(2026, 12, 8))
        unknown = texts.render("card_due", "card", "xx", app.config, planned_on=date(2026, 12, 8))
    assert french.startswith("Carte Vitale : votre carte") and "Répondez CARTE" in french
    assert english.startswith("Carte Vitale: your card") and unknown == french


# (kind, the day it was planned for, lang, the text): the dates are those of the advice (default delays:
# card follow-up 7 days, claim 30, claim follow-up 15), whatever day the reminder goes.
PINNED = [
    ("card_due", date(2026, 12, 8), "en", "Carte Vitale: your card should come these days. Still none on 15/12/2026?"
                                          " Call your caisse. Got it? Reply CARD."),
    ("card_due", date(2026, 12, 8), "fr", "Carte Vitale : votre carte devrait arriver ces jours-ci. Toujours rien le"
                                          " 15/12/2026 ? Appelez votre caisse. Vous l'avez ? Répondez CARTE."),
    ("card_followup", date(2026, 12, 15), "en", "Carte Vitale: expected 08/12/2026 and still no card? Call your"
                                                " caisse on 3646, Monday to Friday. Got it? Reply CARD."),
    ("card_followup", date(2026, 12, 15), "fr", "Carte Vitale : prévue le 08/12/2026 et toujours rien ? Appelez"
                                                " votre caisse au 3646, du lundi au vendredi. Vous l'avez ?"
                                                " Répondez CARTE."),
    ("claim_due", date(2026, 11, 26), "en", "Feuille de soins 2: refund due by 26/11/2026. Check your bank account;"
                                            " not paid? Call your caisse on 3646. Paid? Reply PAID 2."),
    ("claim_due", date(2026, 11, 26), "fr", "Feuille de soins 2 attendue le 26/11/2026 : voyez votre compte. Pas"
                                            " payée ? Appelez votre caisse au 3646. Payée ? Répondez PAYE 2."),
    ("claim_followup", date(2026, 12, 11), "en", "Feuille de soins 2, due by 26/11/2026, still not paid? Call your"
                                                 " caisse on 3646, Monday to Friday. Paid? Reply PAID 2."),
    ("claim_followup", date(2026, 12, 11), "fr", "Feuille de soins 2 attendue le 26/11/2026 toujours pas payée ?"
                                                 " Appelez votre caisse au 3646 en semaine. Payée ? Répondez PAYE 2."),
]


@pytest.mark.parametrize(("kind", "planned_on", "lang", "text"), PINNED)
def test_each_reminder_says_the_pinned_words(app, kind, planned_on, lang, text):
    subject = "card" if kind.startswith("card") else "2"
    with app.app_context():
        assert texts.render(kind, subject, lang, app.config, planned_on=planned_on) == text


@pytest.mark.parametrize(("kind", "state"), [("card_due", "due"), ("card_followup", "late"),
                                             ("claim_due", "overdue"), ("claim_followup", "overdue")])
def test_each_reminder_is_sent_in_the_state_its_advice_is_for(app, kind, state):
    subject = "card" if kind.startswith("card") else "2"
    assert texts.situation_of(kind, subject, date(2026, 12, 8), app.config).state == state


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(texts.TEXTS))
def test_the_keyword_a_reminder_asks_for_is_understood_by_the_sms_channel(app, lang, kind):
    with app.app_context(), force_locale(lang):
        word = gettext(texts.TEXTS[kind][2], number="2")
        body = texts.render(kind, "2", lang, app.config, planned_on=date(2026, 12, 8))
    assert f"{word}." in body  # "Reply CARD." / "Répondez PAYE 2."
    parsed = keywords.parse(word)
    assert parsed.command == ("paid" if kind.startswith("claim") else "card")
    assert parsed.lang == lang and parsed.args == (("2",) if kind.startswith("claim") else ())
