"""One voice: for each shared situation, STATUS, the day's reminder and My dates give the same advice.

The same advice is: whether to call the caisse (and its number, 3646, only then), and the same dates that
say what to do (the day to call about the card, the day it was expected when late, by when each open
feuille de soins should be paid back). Each channel's words are pinned in test_advice_sms.py and
test_advice_pages.py; here they are held against each other.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from babel.dates import format_date

from scheduler.rules import Delays
from tests.advice_cases import CASES
from tests.test_advice_pages import enter, shown
from tests.test_advice_sms import lived
from webapp import advice


def key_days(situation: advice.Situation) -> set[date]:
    """The dates that say what to do next."""
    card = situation.card
    days = {advice.DUE: {card.call_from}, advice.LATE: {card.expected_on}}.get(card.state, set())
    return days | {claim.due_on for claim in situation.open_claims}


def sms_days(text: str) -> set[date]:
    """The dates an SMS gives (dd/mm/yyyy)."""
    return {date(int(y), int(m), int(d)) for d, m, y in re.findall(r"(\d{2})/(\d{2})/(\d{4})", text)}


def page_says(page: str, day: date, lang: str) -> bool:
    """True when the page gives this date, as it writes dates (long form; 1er in French)."""
    text = format_date(day, "long", locale=lang)
    return ("1er" + text[1:] if lang == "fr" and day.day == 1 else text) in page


def calls(text: str) -> bool:
    """True when a text tells the person to call the caisse's number."""
    return advice.CAISSE_PHONE in text


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_status_the_reminder_and_my_dates_give_the_same_advice(app, db, pages, monkeypatch, case, lang):
    status, reminder = lived(app, db, case, lang)
    enter(pages, monkeypatch, case, lang)
    page = shown(pages.get(f"/{lang}/dates").tree.find(".//main"))
    situation = advice.situation(case.application, case.claims, case.today, Delays.from_config(app.config))
    wanted = key_days(situation)

    # Whether to call the caisse: the same answer on every channel that speaks that day.
    channels = {"STATUS": status, "my dates": page} | ({"reminder": reminder} if reminder else {})
    assert {name: calls(text) for name, text in channels.items()} == \
        {name: situation.contact == "caisse" for name in channels}
    # The dates to act on: all of them in STATUS and on the page; the reminder names some, and no other.
    assert wanted <= sms_days(status)
    assert all(page_says(page, day, lang) for day in wanted)
    if reminder:
        assert sms_days(reminder) and sms_days(reminder) <= wanted
