"""The journey's events plan and cancel reminder rows, on a real SQLite file."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import DEFAULT_DELAYS
from webapp import journey
from webapp.store import messages as message_store
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
    journey.erase(db, person["phone"], clock(NOW), "secret")
    assert people.person_by_phone(db, "+33612345678") is None
    assert db["reminders"].count == 0 and db["claims"].count == 0


# -- what the channels report: a carrier opt-out, a delivery status, a first text, an erasure ------------------
SECRET = "journey-secret"
PHONE = "+33612345678"


def test_a_carrier_opt_out_mutes_pending_reminders_and_is_idempotent(db, person):
    journey.record_claim(db, person["id"], date(2026, 2, 20), clock(NOW))
    assert journey.carrier_opted_out(db, PHONE, clock(NOW)) is True
    first = people.person_by_id(db, person["id"])["opted_out_at"]
    assert first == "2026-03-02T12:00:00Z"
    assert {s[3] for s in states(db, person["id"])} == {"muted"}
    assert journey.carrier_opted_out(db, PHONE, clock(NOW + timedelta(hours=1))) is False  # told again
    assert people.person_by_id(db, person["id"])["opted_out_at"] == first
    assert {s[3] for s in states(db, person["id"])} == {"muted"}


def test_a_carrier_opt_out_for_a_number_we_do_not_hold_creates_nothing(db):
    assert journey.carrier_opted_out(db, "+33698765432", clock(NOW)) is False
    assert db["people"].count == 0


def reminder_message(db, person_id: int, status: str = "sent") -> dict:
    """A reminder sent as one logged message, as the pass leaves it."""
    journey.record_claim(db, person_id, date(2026, 2, 1), clock(NOW))
    reminder = reminders.for_person(db, person_id)[0]
    message_id = message_store.add_message(db, direction="outbound", phone=PHONE, body="Paid yet?", status=status,
                                           now=NOW, person_id=person_id, reminder_id=reminder["id"])
    db.execute("UPDATE reminders SET state = 'sent', message_id = ? WHERE id = ?", (message_id, reminder["id"]))
    return message_store.message_by_id(db, message_id)


# (statuses reported in order, the message's status, its reminder's state): never backwards, and only what the
# carrier finally said moves the reminder.
DELIVERIES = [
    (["delivered"], "delivered", "delivered"),
    (["delivered", "sent", "queued"], "delivered", "delivered"),
    (["undelivered", "delivered"], "undelivered", "undelivered"),
    (["queued"], "sent", "sent"),
    ([None], "sent", "sent"),
    (["failed"], "failed", "failed"),
]


@pytest.mark.parametrize(("reported", "message_status", "reminder_state"), DELIVERIES)
def test_a_message_status_moves_forward_and_tells_its_reminder(db, person, reported, message_status, reminder_state):
    message = reminder_message(db, person["id"])
    for status in reported:
        journey.message_status(db, message_store.message_by_id(db, message["id"]), status, None, clock(NOW))
    assert message_store.message_by_id(db, message["id"])["status"] == message_status
    assert reminders.for_person(db, person["id"])[0]["state"] == reminder_state


def test_a_21610_status_opts_out_even_when_the_status_is_old_news(db, person):
    message = reminder_message(db, person["id"], status="failed")
    assert journey.message_status(db, message, "failed", 21610, clock(NOW)) is False  # no status moved
    assert people.person_by_id(db, person["id"])["opted_out_at"] is not None


# (the keyword's language, the language the person already has and where it came from, what they have after)
FIRST_CONTACTS = [
    ("fr", None, ("fr", "keyword")),
    ("en", None, ("en", "keyword")),
    (None, None, ("fr", None)),              # no language in the keyword: the default, nothing guessed
    ("en", ("fr", None), ("en", "keyword")),   # a later keyword's language is taken while none is known
    ("en", ("fr", "keyword"), ("fr", "keyword")),  # the first keyword's language stays
    ("fr", ("en", "chosen"), ("en", "chosen")),    # LANG is never overridden
    (None, ("en", "chosen"), ("en", "chosen")),
]


@pytest.mark.parametrize(("keyword_lang", "before", "after"), FIRST_CONTACTS)
def test_a_person_texting_gets_the_keyword_language_unless_one_is_known(db, keyword_lang, before, after):
    if before:
        journey.person_for(db, PHONE, before[0], clock(NOW), lang_source=before[1])
    person = journey.person_texting(db, PHONE, keyword_lang, clock(NOW))
    assert (person["lang"], person["lang_source"]) == after
    assert (people.person_by_phone(db, PHONE)["lang"], people.person_by_phone(db, PHONE)["lang_source"]) == after
    assert db["people"].count == 1


def test_erase_removes_everything_and_keeps_only_keyed_reply_times(db, person):
    journey.record_application(db, person["id"], "online", date(2026, 3, 1), clock(NOW))
    journey.record_claim(db, person["id"], date(2026, 2, 20), clock(NOW))
    for minutes, loop_key in ((10, "help"), (20, message_store.STOP_KEY), (90, "help")):  # the last: over an hour ago
        at = NOW - timedelta(minutes=minutes)
        text = message_store.add_message(db, direction="inbound", phone=PHONE, body="HELP", status="received",
                                         now=at, person_id=person["id"], loop_key=loop_key)
        message_store.add_message(db, direction="outbound", phone=PHONE, body="Hello", status="sent", now=at,
                                  person_id=person["id"], reply_to=text)
    erasure = journey.erase(db, PHONE, clock(NOW), SECRET)
    assert erasure == journey.Erasure(person=erasure.person, silent_because=None)
    assert erasure.person["id"] == person["id"]
    for table in ("people", "applications", "claims", "reminders", "messages"):
        assert db[table].count == 0, table
    kept = db.execute("SELECT * FROM erased_replies ORDER BY replied_at").fetchall()
    assert all(PHONE not in str(row) and PHONE[1:] not in str(row) for row in kept)
    # the two replies of the last hour (one a STOP confirmation) and the reply to this DELETE
    assert journey.erased_replies(db, PHONE, SECRET, NOW - timedelta(hours=1)) == (3, 1, 1)
    assert journey.erased_replies(db, "+33698765432", SECRET, NOW - timedelta(hours=1)) == (0, 0, 0)


def test_erase_asks_before_erasing_and_notes_no_reply_when_silenced(db, person):
    asked = []

    def silenced(held, unlogged):
        asked.append((held["id"], unlogged, db["people"].count))
        return "budget"

    assert journey.erase(db, PHONE, clock(NOW), SECRET, silenced).silent_because == "budget"
    assert asked == [(person["id"], (0, 0, 0), 1)]  # asked while the person was still there
    assert db["people"].count == 0
    assert journey.erased_replies(db, PHONE, SECRET, NOW - timedelta(hours=1)) == (0, 0, 0)


def test_erasing_a_number_we_never_held_only_notes_the_reply(db):
    assert journey.erase(db, PHONE, clock(NOW), SECRET) == journey.Erasure(person=None, silent_because=None)
    assert db["people"].count == 0
    assert journey.erased_replies(db, PHONE, SECRET, NOW - timedelta(hours=1)) == (1, 1, 0)
