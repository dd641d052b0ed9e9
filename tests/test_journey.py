"""The journey's events plan and cancel reminder rows, on a real SQLite file."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import DEFAULT_DELAYS
from webapp import journey
from webapp.store import people, reminders

PARIS = DEFAULT_DELAYS


def clock(when: datetime) -> journey.Clock:
    return journey.Clock(when, PARIS)


NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def person(db):
    return journey.person_for(db, "+33612345678", "fr", clock(NOW))


def states(db, person_id):
    return [(r["kind"], r["subject"], r["due_at"], r["state"])
            for r in reminders.for_person(db, person_id)]


def test_online_application_plans_card_reminder_and_follow_up(db, person):
    expected = journey.record_application(db, person["id"], "online", date(2026, 3, 1), clock(NOW))
    assert expected == date(2026, 3, 15)
    # 10:00 in Paris is 09:00 UTC in winter, 08:00 UTC after the March clock change (29 March).
    assert states(db, person["id"]) == [
        ("card_due", "card", "2026-03-15T09:00:00Z", "scheduled"),
        ("card_followup", "card", "2026-03-22T09:00:00Z", "scheduled"),
    ]


def test_postal_application_across_clock_change(db, person):
    journey.record_application(db, person["id"], "post", date(2026, 3, 20), clock(NOW))
    assert [s[2] for s in states(db, person["id"])] == [
        "2026-04-10T08:00:00Z", "2026-04-17T08:00:00Z"]


def test_card_arrived_cancels_card_reminders(db, person):
    journey.record_application(db, person["id"], "online", date(2026, 3, 1), clock(NOW))
    assert journey.card_arrived(db, person["id"], clock(NOW + timedelta(days=3)))
    assert {s[3] for s in states(db, person["id"])} == {"cancelled"}


def test_changing_the_date_replans_and_never_duplicates(db, person):
    journey.record_application(db, person["id"], "online", date(2026, 3, 1), clock(NOW))
    journey.record_application(db, person["id"], "online", date(2026, 3, 2), clock(NOW))
    journey.record_application(db, person["id"], "online", date(2026, 3, 2), clock(NOW))
    rows = states(db, person["id"])
    assert [r for r in rows if r[3] == "scheduled"] == [
        ("card_due", "card", "2026-03-16T09:00:00Z", "scheduled"),
        ("card_followup", "card", "2026-03-23T09:00:00Z", "scheduled"),
    ]
    assert len(rows) == 4  # the two first ones stay, cancelled
    # Back to the first date: the cancelled rows come back, none is created twice.
    journey.record_application(db, person["id"], "online", date(2026, 3, 1), clock(NOW))
    rows = states(db, person["id"])
    assert len(rows) == 4
    assert sorted(r[2] for r in rows if r[3] == "scheduled") == [
        "2026-03-15T09:00:00Z", "2026-03-22T09:00:00Z"]


def test_past_due_reminder_is_due_at_once(db, person):
    journey.record_application(db, person["id"], "post", date(2026, 2, 1), clock(NOW))
    row = reminders.for_person(db, person["id"])[0]
    assert row["due_at"] == "2026-02-22T09:00:00Z"
    assert row["next_attempt_at"] == "2026-03-02T12:00:00Z"


def test_claims_paid_oldest_first(db, person):
    c = clock(NOW)
    assert journey.record_claim(db, person["id"], date(2026, 2, 10), c) == 1
    assert journey.record_claim(db, person["id"], date(2026, 2, 20), c) == 2
    assert journey.claim_paid(db, person["id"], None, c) == 1
    assert journey.claim_paid(db, person["id"], 1, c) is None
    kept = [s for s in states(db, person["id"]) if s[3] == "scheduled"]
    assert [(k, s) for k, s, _, _ in kept] == [("claim_due", "2"), ("claim_followup", "2")]


def test_stop_mutes_and_start_brings_back(db, person):
    journey.record_claim(db, person["id"], date(2026, 2, 20), clock(NOW))
    journey.opt_out(db, person["id"], clock(NOW))
    assert {s[3] for s in states(db, person["id"])} == {"muted"}
    journey.record_claim(db, person["id"], date(2026, 2, 25), clock(NOW))
    assert {s[3] for s in states(db, person["id"])} == {"muted"}
    journey.opt_in(db, person["id"], clock(NOW))
    assert {s[3] for s in states(db, person["id"])} == {"scheduled"}


def test_erase_removes_everything(db, person):
    journey.record_claim(db, person["id"], date(2026, 2, 20), clock(NOW))
    journey.erase(db, person["id"])
    assert people.person_by_phone(db, "+33612345678") is None
    assert db["reminders"].count == 0 and db["claims"].count == 0
