"""The SMS channel gives each shared situation's advice (tests/advice_cases.py): STATUS, and the reminder the
dispatch pass sends that day, word for word in en and fr, with the same dates and the same contact.

Each case is lived as a person would: the facts texted on the day (an application recorded late sends
its reminder at once, as in the issue: STATUS 4 days after the due day, then the reminder seconds later),
the card and the payments marked on their own days, STATUS at 09:00 and a dispatch pass at 10:00.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.dispatch import run_pass
from scheduler.rules import Delays
from sms import commands
from sms import keywords as kw
from sms.segments import GSM7, measure
from tests.advice_cases import CASES, Case
from webapp import advice, journey
from webapp.store import people

PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(UTC)


def lived(app, db, case: Case, lang: str) -> tuple[str, str | None]:
    """STATUS at 09:00 on the case's day, and the reminder the 10:00 pass sends (None: none goes)."""
    delays = Delays.from_config(app.config)
    clock = journey.Clock(paris(case.today, 9), delays)
    pid = journey.person_for(db, "+33612345678", lang, clock)["id"]
    application = case.application
    if application:
        journey.record_application(db, pid, application["method"], date.fromisoformat(application["sent_on"]), clock)
    for claim in case.claims:
        journey.record_claim(db, pid, date.fromisoformat(claim["posted_on"]), clock)
    if application and application["card_received_on"]:
        journey.card_arrived(db, pid, journey.Clock(paris(date.fromisoformat(application["card_received_on"]), 9),
                                                    delays))
    for claim in case.claims:
        if claim["paid_on"]:
            journey.claim_paid(db, pid, claim["number"], journey.Clock(paris(date.fromisoformat(claim["paid_on"]), 9),
                                                                       delays))
    with app.app_context():
        person = people.person_by_id(db, pid)
        status = commands.run(kw.STATUS, commands.Context(db, person, (), clock, app.config))
    run_pass(app, paris(case.today, 10))
    sent = [row["body"] for row in db.query(
        "SELECT body FROM messages WHERE direction = 'outbound' AND person_id = ? ORDER BY id", [pid])]
    assert len(sent) <= 1  # one reminder a day at most
    return status, (sent[0] if sent else None)


# case name -> lang -> (STATUS, the reminder sent that day or None)
EXPECTED: dict[str, dict[str, tuple[str, str | None]]] = {
    "nothing yet": {
        "en": (
            "No application recorded. Once you have applied, send SENT ONLINE or SENT POST. No feuille de soins"
            " waiting.",
            None,
        ),
        "fr": (
            "Aucune demande enregistrée. Une fois la demande faite, envoyez ENVOI INTERNET ou ENVOI COURRIER."
            " Aucune feuille de soins en attente.",
            None,
        ),
    },
    "card on its way": {
        "en": (
            "Applied online on 24/11/2026. Card on its way: expected 08/12/2026, in 7 days. No feuille de soins"
            " waiting. Send CARD when it comes.",
            None,
        ),
        "fr": (
            "Demande faite sur internet le 24/11/2026. Carte en route : prévue le 08/12/2026, dans 7 jours. Aucune"
            " feuille de soins en attente. Envoyez CARTE quand elle arrive.",
            None,
        ),
    },
    "card due today": {
        "en": (
            "Applied online on 24/11/2026. Card expected 08/12/2026, it should come these days. Still none on"
            " 15/12/2026? Call your caisse. No feuille de soins waiting. Send CARD when it comes.",
            "Carte Vitale: your card should come these days. Still none on 15/12/2026? Call your caisse. Got it?"
            " Reply CARD.",
        ),
        "fr": (
            "Demande faite sur internet le 24/11/2026. Carte prévue le 08/12/2026, elle devrait arriver ces"
            " jours-ci. Toujours rien le 15/12/2026 ? Appelez votre caisse. Aucune feuille de soins en attente."
            " Envoyez CARTE quand elle arrive.",
            "Carte Vitale : votre carte devrait arriver ces jours-ci. Toujours rien le 15/12/2026 ? Appelez votre"
            " caisse. Vous l'avez ? Répondez CARTE.",
        ),
    },
    "card due 4 days ago": {
        "en": (
            "Applied online on 24/11/2026. Card expected 08/12/2026, it should come these days. Still none on"
            " 15/12/2026? Call your caisse. No feuille de soins waiting. Send CARD when it comes.",
            "Carte Vitale: your card should come these days. Still none on 15/12/2026? Call your caisse. Got it?"
            " Reply CARD.",
        ),
        "fr": (
            "Demande faite sur internet le 24/11/2026. Carte prévue le 08/12/2026, elle devrait arriver ces"
            " jours-ci. Toujours rien le 15/12/2026 ? Appelez votre caisse. Aucune feuille de soins en attente."
            " Envoyez CARTE quand elle arrive.",
            "Carte Vitale : votre carte devrait arriver ces jours-ci. Toujours rien le 15/12/2026 ? Appelez votre"
            " caisse. Vous l'avez ? Répondez CARTE.",
        ),
    },
    "card late": {
        "en": (
            "Applied by post on 10/11/2026. Card expected 01/12/2026 and not here yet: call your caisse on 3646. No"
            " feuille de soins waiting.",
            "Carte Vitale: expected 01/12/2026 and still no card? Call your caisse on 3646, Monday to Friday. Got"
            " it? Reply CARD.",
        ),
        "fr": (
            "Demande envoyée par courrier le 10/11/2026. Carte prévue le 01/12/2026 et pas encore arrivée : appelez"
            " votre caisse au 3646. Aucune feuille de soins en attente.",
            "Carte Vitale : prévue le 01/12/2026 et toujours rien ? Appelez votre caisse au 3646, du lundi au"
            " vendredi. Vous l'avez ? Répondez CARTE.",
        ),
    },
    "card arrived": {
        "en": (
            "Card arrived on 30/11/2026. No feuille de soins waiting.",
            None,
        ),
        "fr": (
            "Carte arrivée le 30/11/2026. Aucune feuille de soins en attente.",
            None,
        ),
    },
    "feuille waiting": {
        "en": (
            "Card arrived on 20/10/2026. Feuille 1 posted 20/11/2026: paid back by 20/12/2026. Once paid, send PAID"
            " 1.",
            None,
        ),
        "fr": (
            "Carte arrivée le 20/10/2026. Feuille 1 postée le 20/11/2026 : remboursement d'ici le 20/12/2026. Une"
            " fois payée, envoyez PAYE 1.",
            None,
        ),
    },
    "feuille overdue": {
        "en": (
            "Card arrived on 20/10/2026. Feuille 1 posted 27/10/2026: late since 26/11/2026, check your bank"
            " account. Not paid? Call your caisse on 3646.",
            "Feuille de soins 1: refund due by 26/11/2026. Check your bank account; not paid? Call your caisse on"
            " 3646. Paid? Reply PAID 1.",
        ),
        "fr": (
            "Carte arrivée le 20/10/2026. Feuille 1 postée le 27/10/2026 : en retard depuis le 26/11/2026, regardez"
            " votre compte en banque. Pas payée ? Appelez votre caisse au 3646.",
            "Feuille de soins 1 attendue le 26/11/2026 : voyez votre compte. Pas payée ? Appelez votre caisse au"
            " 3646. Payée ? Répondez PAYE 1.",
        ),
    },
    "feuille paid": {
        "en": (
            "Card arrived on 20/10/2026. No feuille de soins waiting.",
            None,
        ),
        "fr": (
            "Carte arrivée le 20/10/2026. Aucune feuille de soins en attente.",
            None,
        ),
    },
    "card late and feuille overdue": {
        "en": (
            "Applied by post on 10/11/2026. Card expected 01/12/2026 and not here yet: call your caisse on 3646."
            " Feuille 1 posted 01/11/2026: late since 01/12/2026, check your bank account.",
            "Carte Vitale: expected 01/12/2026 and still no card? Call your caisse on 3646, Monday to Friday. Got"
            " it? Reply CARD.",
        ),
        "fr": (
            "Demande envoyée par courrier le 10/11/2026. Carte prévue le 01/12/2026 et pas encore arrivée : appelez"
            " votre caisse au 3646. Feuille 1 postée le 01/11/2026 : en retard depuis le 01/12/2026, regardez votre"
            " compte en banque.",
            "Carte Vitale : prévue le 01/12/2026 et toujours rien ? Appelez votre caisse au 3646, du lundi au"
            " vendredi. Vous l'avez ? Répondez CARTE.",
        ),
    },
}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_status_and_the_reminder_say_the_pinned_words(app, db, case, lang):
    status, reminder = lived(app, db, case, lang)
    assert (status, reminder) == EXPECTED[case.name][lang]


def dates_in(text: str) -> set[str]:
    return set(re.findall(r"\d{2}/\d{2}/\d{4}", text))


# The dates that say what to do: when to call about the card, by when a refund is due.
def key_dates(situation: advice.Situation) -> set[str]:
    card = situation.card
    found = {advice.DUE: {card.call_from}, advice.LATE: {card.expected_on}}.get(card.state, set())
    found |= {claim.due_on for claim in situation.open_claims}
    return {day.strftime("%d/%m/%Y") for day in found if day}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_status_and_the_reminder_give_the_same_dates_and_the_same_contact(app, db, case, lang):
    status, reminder = lived(app, db, case, lang)
    situation = advice.situation(case.application, case.claims, case.today, Delays.from_config(app.config))
    calls = situation.contact == "caisse"
    assert (advice.CAISSE_PHONE in status) is calls
    assert key_dates(situation) <= dates_in(status)
    assert measure(status).encoding == GSM7 and measure(status).segments <= 2
    if reminder is not None:
        assert (advice.CAISSE_PHONE in reminder) is calls
        assert dates_in(reminder) and dates_in(reminder) <= key_dates(situation)
        assert measure(reminder).encoding == GSM7 and measure(reminder).segments == 1


def test_the_cases_where_a_reminder_goes_are_those_the_rules_call_for():
    sends = {name for name, langs in EXPECTED.items() if langs["en"][1] is not None}
    assert sends == {"card due today", "card due 4 days ago", "card late", "feuille overdue",
                     "card late and feuille overdue"}
