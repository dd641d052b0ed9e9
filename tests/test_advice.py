"""The situation every channel renders: card and feuille states, their dates, the next action, on the calendar."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.advice_cases import CASES, applied, feuille
from tests.conftest import DEFAULT_DELAYS
from webapp import advice

EXPECTED = {  # case: (card state, claim states, next action, contact)
    "nothing yet": (advice.NOT_APPLIED, (), advice.APPLY, None),
    "card on its way": (advice.ON_ITS_WAY, (), advice.WAIT_FOR_CARD, None),
    "card due today": (advice.DUE, (), advice.WAIT_FOR_CARD, None),
    "card due 4 days ago": (advice.DUE, (), advice.WAIT_FOR_CARD, None),
    "card late": (advice.LATE, (), advice.CALL_ABOUT_CARD, "caisse"),
    "card arrived": (advice.ARRIVED, (), advice.NOTHING, None),
    "feuille waiting": (advice.ARRIVED, (advice.WAITING,), advice.WAIT_FOR_REFUND, None),
    "feuille overdue": (advice.ARRIVED, (advice.OVERDUE,), advice.CHECK_CLAIM, "caisse"),
    "feuille paid": (advice.ARRIVED, (advice.PAID,), advice.NOTHING, None),
    "card late and feuille overdue": (advice.LATE, (advice.OVERDUE,), advice.CALL_ABOUT_CARD, "caisse"),
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_situation_has_its_state_and_next_action(case):
    found = advice.situation(case.application, case.claims, case.today, DEFAULT_DELAYS)
    assert (found.card.state, tuple(c.state for c in found.claims), found.next_action, found.contact) == \
        EXPECTED[case.name]


def test_every_case_is_expected_once():
    assert sorted(EXPECTED) == sorted(case.name for case in CASES)


@pytest.mark.parametrize(("method", "sent_on", "expected", "call_from"), [
    ("online", date(2026, 11, 24), date(2026, 12, 8), date(2026, 12, 15)),
    ("post", date(2026, 11, 10), date(2026, 12, 1), date(2026, 12, 8)),
    ("online", date(2028, 2, 15), date(2028, 2, 29), date(2028, 3, 7)),  # a leap day
    ("post", date(2026, 12, 20), date(2027, 1, 10), date(2027, 1, 17)),  # across the year
])
def test_card_dates_follow_the_calendar(method, sent_on, expected, call_from):
    found = advice.card(method, sent_on, None, sent_on, DEFAULT_DELAYS)
    assert (found.expected_on, found.call_from) == (expected, call_from)
    assert found.days_left == (expected - sent_on).days


@pytest.mark.parametrize(("offset", "state", "days"), [
    (-1, advice.ON_ITS_WAY, 1), (0, advice.DUE, 0), (6, advice.DUE, 6), (7, advice.LATE, 7), (40, advice.LATE, 40),
])
def test_card_state_turns_on_the_expected_day_and_the_follow_up_day(offset, state, days):
    sent_on = date(2026, 11, 24)
    today = date(2026, 12, 8) + timedelta(days=offset)
    found = advice.card("online", sent_on, None, today, DEFAULT_DELAYS)
    assert found.state == state
    assert (found.days_left if state == advice.ON_ITS_WAY else found.days_late) == days


@pytest.mark.parametrize(("age", "state", "late"), [(0, advice.WAITING, 0), (29, advice.WAITING, 0),
                                                     (30, advice.OVERDUE, 0), (35, advice.OVERDUE, 5)])
def test_a_feuille_is_overdue_from_its_reimbursement_delay(age, state, late):
    posted = date(2026, 10, 27)
    found = advice.claim(1, posted, None, posted + timedelta(days=age), DEFAULT_DELAYS)
    assert (found.state, found.age_days, found.days_late, found.due_on) == (state, age, late, date(2026, 11, 26))


def test_a_card_that_arrived_is_arrived_whatever_the_day():
    found = advice.situation(applied("online", "2026-11-24", "2026-11-25"), [feuille(2, "2026-11-01", "2026-11-20")],
                             date(2027, 6, 1), DEFAULT_DELAYS)
    assert found.card.state == advice.ARRIVED and found.open_claims == () and found.next_action == advice.NOTHING
