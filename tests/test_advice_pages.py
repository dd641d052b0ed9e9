"""My dates gives webapp.advice's advice, in long form: each shared situation (tests/advice_cases.py) in en and fr.

The case's facts go in as a person would enter them, through the page's forms (no JavaScript), on the days
they happen: the page's clock is fixed through `mydates.utcnow`.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from babel.dates import format_date

from scheduler.rules import Delays
from tests.advice_cases import CASES, Case
from tests.strict_html import text_of
from webapp import advice, mydates

# What My dates says in each case: the card's paragraphs, then each feuille de soins' paragraph.
EXPECTED = {
    "en": {
        "nothing yet": (
            ["Tell us how and when you applied, and we show when your card should come."],
            []),
        "card on its way": (
            ["You applied online on November 24, 2026.",
             "Your card should come around December 8, 2026.",
             "7 days left."],
            []),
        "card due today": (
            ["You applied online on November 24, 2026.",
             "Your card should come around December 8, 2026.",
             "It should come these days. If it has not come by December 15, 2026, call your caisse."],
            []),
        "card due 4 days ago": (
            ["You applied online on November 24, 2026.",
             "Your card should come around December 8, 2026.",
             "It should come these days. If it has not come by December 15, 2026, call your caisse."],
            []),
        "card late": (
            ["You applied by post on November 10, 2026.",
             "Your card should have come around December 1, 2026.",
             "Not here yet? Call your caisse on 3646."],
            []),
        "card arrived": (
            ["You applied by post on November 10, 2026.",
             "Your card arrived on November 30, 2026."],
            []),
        "feuille waiting": (
            ["You applied by post on October 1, 2026.",
             "Your card arrived on October 20, 2026."],
            ["Posted on November 20, 2026. Paid back normally by December 20, 2026."]),
        "feuille overdue": (
            ["You applied by post on October 1, 2026.",
             "Your card arrived on October 20, 2026."],
            ["Posted on October 27, 2026. "
              "Overdue since November 26, 2026. "
              "Check your bank account. "
              "Not paid back? Call your caisse on 3646."]),
        "feuille paid": (
            ["You applied by post on October 1, 2026.",
             "Your card arrived on October 20, 2026."],
            ["Posted on October 27, 2026. Paid back on November 25, 2026."]),
        "card late and feuille overdue": (
            ["You applied by post on November 10, 2026.",
             "Your card should have come around December 1, 2026.",
             "Not here yet? Call your caisse on 3646."],
            ["Posted on November 1, 2026. "
              "Overdue since December 1, 2026. "
              "Check your bank account. "
              "Not paid back? Call your caisse on 3646."]),
    },
    "fr": {
        "nothing yet": (
            ["Dites comment et quand vous avez fait la demande, et nous montrons quand votre carte devrait arriver."],
            []),
        "card on its way": (
            ["Vous avez fait la demande en ligne le 24 novembre 2026.",
             "Votre carte devrait arriver vers le 8 décembre 2026.",
             "Encore 7 jours."],
            []),
        "card due today": (
            ["Vous avez fait la demande en ligne le 24 novembre 2026.",
             "Votre carte devrait arriver vers le 8 décembre 2026.",
             "Elle devrait arriver ces jours-ci. "
              "Si elle n’est pas arrivée le 15 décembre 2026, appelez votre caisse."],
            []),
        "card due 4 days ago": (
            ["Vous avez fait la demande en ligne le 24 novembre 2026.",
             "Votre carte devrait arriver vers le 8 décembre 2026.",
             "Elle devrait arriver ces jours-ci. "
              "Si elle n’est pas arrivée le 15 décembre 2026, appelez votre caisse."],
            []),
        "card late": (
            ["Vous avez fait la demande par courrier le 10 novembre 2026.",
             "Votre carte devait arriver vers le 1er décembre 2026.",
             "Pas encore arrivée ? Appelez votre caisse au 3646."],
            []),
        "card arrived": (
            ["Vous avez fait la demande par courrier le 10 novembre 2026.",
             "Votre carte est arrivée le 30 novembre 2026."],
            []),
        "feuille waiting": (
            ["Vous avez fait la demande par courrier le 1er octobre 2026.",
             "Votre carte est arrivée le 20 octobre 2026."],
            ["Envoyée le 20 novembre 2026. Remboursement normalement avant le 20 décembre 2026."]),
        "feuille overdue": (
            ["Vous avez fait la demande par courrier le 1er octobre 2026.",
             "Votre carte est arrivée le 20 octobre 2026."],
            ["Envoyée le 27 octobre 2026. "
              "En retard depuis le 26 novembre 2026. "
              "Regardez votre compte en banque. "
              "Pas de remboursement ? Appelez votre caisse au 3646."]),
        "feuille paid": (
            ["Vous avez fait la demande par courrier le 1er octobre 2026.",
             "Votre carte est arrivée le 20 octobre 2026."],
            ["Envoyée le 27 octobre 2026. Remboursée le 25 novembre 2026."]),
        "card late and feuille overdue": (
            ["Vous avez fait la demande par courrier le 10 novembre 2026.",
             "Votre carte devait arriver vers le 1er décembre 2026.",
             "Pas encore arrivée ? Appelez votre caisse au 3646."],
            ["Envoyée le 1er novembre 2026. "
              "En retard depuis le 1er décembre 2026. "
              "Regardez votre compte en banque. "
              "Pas de remboursement ? Appelez votre caisse au 3646."]),
    },
}


def set_day(monkeypatch, day: date) -> None:
    """Fix the page's today (noon UTC is the same date in Paris)."""
    monkeypatch.setattr(mydates, "utcnow", lambda: datetime.combine(day, time(12), tzinfo=UTC))


def post(pages, lang: str, **data):
    response = pages.post(f"/{lang}/dates", data={"csrf_token": pages.csrf(f"/{lang}/dates"), **data})
    assert response.status_code == 303, data
    return response


def enter(pages, monkeypatch, case: Case, lang: str) -> None:
    """Enter the case's facts through the forms, each on a day it could be entered."""
    set_day(monkeypatch, case.today)
    if case.application:
        post(pages, lang, action="application", method=case.application["method"],
             sent_on=case.application["sent_on"])
        if case.application["card_received_on"]:
            post(pages, lang, action="card-arrived", received_on=case.application["card_received_on"])
    for claim in case.claims:
        post(pages, lang, action="add-claim", posted_on=claim["posted_on"])
        if claim["paid_on"]:  # "Paid" records today: tap it on the day it was paid
            set_day(monkeypatch, date.fromisoformat(claim["paid_on"]))
            post(pages, lang, action="claim-paid", claim=str(claim["number"]))
            set_day(monkeypatch, case.today)


def said(tree) -> tuple[list[str], list[str]]:
    """The advice on the page: the card's paragraphs and each feuille de soins' paragraph."""
    card = tree.find(".//*[@data-dates-output='card']")
    claims = tree.find(".//ul[@data-dates-output='claims']")
    return [text_of(p) for p in card.iter("p")], [text_of(p) for p in claims.iter("p")]


def shown(element) -> str:
    """The text a person reads: not the strings the script carries (<script> blocks)."""
    if element.tag == "script":
        return ""
    parts = [element.text or ""] + [shown(child) + (child.tail or "") for child in element]
    return " ".join("".join(parts).split())


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_my_dates_says_the_advice(pages, monkeypatch, case, lang):
    enter(pages, monkeypatch, case, lang)
    assert said(pages.get(f"/{lang}/dates").tree) == EXPECTED[lang][case.name]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_caisse_number_shows_exactly_when_the_advice_is_to_call_and_the_dates_are_given(
        app, pages, monkeypatch, case, lang):
    enter(pages, monkeypatch, case, lang)
    tree = pages.get(f"/{lang}/dates").tree
    found = advice.situation(case.application, case.claims, case.today, Delays.from_config(app.config))
    page = shown(tree.find(".//main"))
    calls = [a for a in tree.iter("a") if a.get("href") == "tel:3646"]
    assert ("3646" in page) == (found.contact == "caisse")
    assert bool(calls) == (found.contact == "caisse")
    assert all(text_of(a) == "3646" for a in calls)

    def written(day: date) -> str:
        text = format_date(day, "long", locale=lang)
        return "1er" + text[1:] if lang == "fr" and day.day == 1 else text

    if found.card.state == advice.DUE:
        assert f"{written(found.card.call_from)}, " in page
    if found.card.state in (advice.ON_ITS_WAY, advice.DUE, advice.LATE):
        assert written(found.card.expected_on) in page
    for claim in found.claims:
        assert written(claim.paid_on if claim.state == advice.PAID else claim.due_on) in page
