"""Reminders through the real twilio client to the fake Twilio server, with 500s, 429s, timeouts, a closed port."""
from __future__ import annotations

import socket
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler import rules
from scheduler.dispatch import run_pass
from sms import gateway
from tests.conftest import DEFAULT_DELAYS
from tests.reminder_setup import DUE, card_due, plan_card_reminders
from webapp import journey
from webapp.store import iso, parse_iso, people, reminders

PHONES = [f"+336000000{n:02d}" for n in range(12)]
BAD, UNSUBSCRIBED, DOWN = "+33611111111", "+33622222222", "+33633333333"


@pytest.fixture
def backend() -> str:
    """The SMS backend of the test's app (a test may parametrize it)."""
    return "twilio"


@pytest.fixture
def app_config(app_config, fake_twilio, backend):
    config = dict(app_config, **fake_twilio.config(TWILIO_TIMEOUT_SECONDS=0.5, SEND_MAX_ATTEMPTS=4,
                                                   SEND_RETRY_BASE_SECONDS=60))
    return config if backend == "twilio" else dict(config, SMS_BACKEND=backend)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def drive(app, db, start: datetime, passes: int = 40, hook=None) -> datetime:
    """A pass a minute on a controlled clock until no card reminder is left to send."""
    now = start
    for number in range(passes):
        if hook:
            hook(number)
        run_pass(app, now)
        left = db.execute("SELECT COUNT(*) FROM reminders WHERE kind = 'card_due'"
                          " AND state IN ('scheduled', 'sending')").fetchone()[0]
        if not left:
            return now
        now += timedelta(minutes=1)
    raise AssertionError("reminders still pending after the retries")


@pytest.mark.slow
def test_outages_end_sent_or_failed_and_nothing_is_sent_twice(app, db, fake_twilio):
    ids = plan_card_reminders(db, PHONES + [BAD, UNSUBSCRIBED, DOWN])
    # The unsubscribed person also has a claim reminder for later: 21610 must mute it too.
    journey.record_claim(db, ids[UNSUBSCRIBED], date(2026, 3, 10), journey.Clock(DUE, DEFAULT_DELAYS))
    fake_twilio.fail_next(500, 429, "timeout", 503, 429, "timeout", 500)
    fake_twilio.fail_for(BAD, 21211)
    fake_twilio.fail_for(UNSUBSCRIBED, 21610)
    fake_twilio.fail_for(DOWN, 500)
    good_base = app.config["TWILIO_API_BASE"]

    def hook(number: int) -> None:  # the second pass, which retries the first failures, finds the port closed
        app.config["TWILIO_API_BASE"] = closed_port_url() if number == 1 else good_base

    drive(app, db, DUE, hook=hook)

    sent_to = Counter(message["To"] for message in fake_twilio.messages)
    assert sent_to == Counter(PHONES)  # every good number exactly once, the others never
    for phone in PHONES:
        row = card_due(db, ids[phone])
        assert row["state"] == "sent"
        sid = db.execute("SELECT twilio_sid FROM messages WHERE id = ?", (row["message_id"],)).fetchone()[0]
        assert fake_twilio.message(sid)["To"] == phone
    # Seven requests failed, and their first retries met the closed port: at least three tries each.
    tries = sorted(card_due(db, ids[phone])["attempts"] for phone in PHONES)
    assert tries == [1] * 5 + [3] * 7

    bad = card_due(db, ids[BAD])
    assert (bad["state"], bad["attempts"]) == ("failed", 1) and "21211" in bad["last_error"]
    down = card_due(db, ids[DOWN])
    assert (down["state"], down["attempts"]) == ("failed", 4)

    stopped = card_due(db, ids[UNSUBSCRIBED])
    assert (stopped["state"], stopped["attempts"]) == ("failed", 1) and "21610" in stopped["last_error"]
    assert people.person_by_id(db, ids[UNSUBSCRIBED])["opted_out_at"]
    claims = [r["state"] for r in reminders.for_person(db, ids[UNSUBSCRIBED]) if r["kind"].startswith("claim")]
    assert claims == ["muted", "muted"]


@pytest.mark.slow
def test_retries_back_off_exponentially_then_stop(app, db, fake_twilio):
    ids = plan_card_reminders(db, [DOWN])
    fake_twilio.fail_for(DOWN, 503)
    times = []
    now = DUE
    for _ in range(20):
        before = fake_twilio.requests
        run_pass(app, now)
        if fake_twilio.requests > before:
            times.append(now)
        now += timedelta(seconds=30)
    assert [int((b - a).total_seconds()) for a, b in zip(times, times[1:], strict=False)] == [60, 120, 240]
    assert card_due(db, ids[DOWN])["state"] == "failed"
    assert fake_twilio.messages == []


@pytest.mark.slow
def test_a_transient_failure_then_success_sends_once(app, db, fake_twilio):
    ids = plan_card_reminders(db, PHONES[:1])
    fake_twilio.fail_next("timeout")
    assert run_pass(app, DUE).count("retry") == 1
    assert run_pass(app, DUE + timedelta(seconds=59)).count("sent") == 0
    assert run_pass(app, DUE + timedelta(seconds=60)).count("sent") == 1
    assert run_pass(app, DUE + timedelta(seconds=600)).count("sent") == 0
    assert [m["To"] for m in fake_twilio.messages] == PHONES[:1]
    assert card_due(db, ids[PHONES[0]])["attempts"] == 2


# -- instants: always written zero-padded, read back strictly -------------------------------------
@pytest.mark.parametrize(("moment", "text"), [
    (datetime(100, 1, 31, 10, 0, tzinfo=UTC), "0100-01-31T10:00:00Z"),  # what CLAIM 1/1/0100 used to plan
    (datetime(1, 1, 1, 0, 0, 5, tzinfo=UTC), "0001-01-01T00:00:05Z"),
    (datetime(2026, 3, 2, 12, 0, 0, 999_999, tzinfo=UTC), "2026-03-02T12:00:00Z"),
    (datetime(2026, 3, 2, 13, 0, tzinfo=ZoneInfo("Europe/Paris")), "2026-03-02T12:00:00Z"),
    (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "9999-12-31T23:59:59Z"),
])
def test_instants_are_written_zero_padded_and_read_back(moment, text):
    assert iso(moment) == text
    assert parse_iso(text) == moment.replace(microsecond=0)
    assert parse_iso(text).tzinfo == UTC


@pytest.mark.parametrize("text", [
    "100-01-31T10:00:00Z", "2026-03-02T12:00:00+00:00", "2026-03-02 12:00:00Z", "2026-03-02T12:00Z",
    "2026-3-2T12:00:00Z", "2026-03-02T12:00:00.5Z", "2026-03-02T12:00:00", "2026-03-02", "", " 2026-03-02T12:00:00Z",
    "2026-03-02T12:00:00Z\n", "2026-02-30T12:00:00Z", "2026-03-02T24:00:00Z", "２０２６-03-02T12:00:00Z",
    "20260302T120000Z",
])
def test_anything_iso_did_not_write_is_refused(text):
    with pytest.raises(ValueError):
        parse_iso(text)


# -- a corrupt row among good ones: it fails alone, everything else goes on -----------------------
# What a row can hold that no pass can make sense of (the first is what `CLAIM 1/1/0100` used to
# plan); each is planted on the claim of one person whose first claim reminder is due at DUE.
CORRUPTIONS = {
    "follow-up due in year 100, unpadded": "UPDATE reminders SET due_at = '100-02-15T09:00:00Z'"
                                           " WHERE person_id = :pid AND kind = 'claim_followup'",
    "claim reminder planned on no date": "UPDATE reminders SET due_at = '100-1-1T09:00:00Z'"
                                         " WHERE person_id = :pid AND kind = 'claim_due'",
    "reminder of a kind with no text": "UPDATE reminders SET kind = 'claim_nonsense'"
                                       " WHERE person_id = :pid AND kind = 'claim_due'",
}
CLAIMANT, VICTIM, LATECOMER = "+33644444444", "+33655555555", "+33666666666"


def plan_claim_reminder(db, phone: str) -> int:
    """A person whose first claim reminder falls due at DUE; their id."""
    clock = journey.Clock(DUE - timedelta(days=20), DEFAULT_DELAYS)
    pid = journey.person_for(db, phone, "fr", clock)["id"]
    journey.record_claim(db, pid, (DUE - timedelta(days=DEFAULT_DELAYS.claim)).date(), clock)
    return pid


def outbound_to(db, backend: str, fake_twilio) -> Counter:
    if backend == "twilio":
        return Counter(message["To"] for message in fake_twilio.messages)
    return Counter(row[0] for row in db.execute("SELECT phone FROM messages WHERE direction = 'outbound'"))


@pytest.mark.parametrize("backend", ["twilio", "outbox"])
@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_corrupt_row_fails_alone_and_every_other_reminder_is_sent(app, db, fake_twilio, backend, corruption):
    good = PHONES[:4]
    ids = plan_card_reminders(db, good)
    claimant = plan_claim_reminder(db, CLAIMANT)
    victim = plan_claim_reminder(db, VICTIM)
    db.execute(CORRUPTIONS[corruption], {"pid": victim})
    db.conn.commit()

    assert run_pass(app, DUE, dry_run=True).count("failed") == 1
    report = run_pass(app, DUE)  # raised, leaving the whole chunk `sending`, before

    assert outbound_to(db, backend, fake_twilio) == Counter(good + [CLAIMANT])
    assert all(card_due(db, ids[phone])["state"] == "sent" for phone in good)
    assert [r["state"] for r in reminders.for_person(db, claimant) if r["kind"] == rules.CLAIM_DUE] == ["sent"]
    broken = [r for r in reminders.for_person(db, victim) if r["state"] not in ("scheduled",)]
    assert [r["state"] for r in broken] == ["failed"] and broken[0]["last_error"]
    assert report.count("failed") == 1
    assert db.execute("SELECT COUNT(*) FROM reminders WHERE state = 'sending'").fetchone()[0] == 0

    # Later passes go on: a reminder due since is sent, and the broken row is never taken again.
    latecomer = plan_card_reminders(db, [LATECOMER])[LATECOMER]
    later = run_pass(app, DUE + timedelta(minutes=1))
    assert (later.count("sent"), later.count("failed")) == (1, 0)
    assert card_due(db, latecomer)["state"] == "sent"
    assert outbound_to(db, backend, fake_twilio)[VICTIM] == 0
    assert db.execute("SELECT COUNT(*) FROM reminders WHERE state = 'sending'").fetchone()[0] == 0


@pytest.mark.parametrize("backend", ["outbox"])
def test_an_error_sending_one_outbox_message_fails_it_alone_and_logs_nothing_for_it(app, db, monkeypatch, backend):
    good = PHONES[:4]
    ids = plan_card_reminders(db, good + [VICTIM])
    deliver = gateway.outbox_deliver

    def broken_for_the_victim(config, phone, body):
        if phone == VICTIM:
            raise RuntimeError("outbox bug")
        return deliver(config, phone, body)

    monkeypatch.setitem(gateway.BACKENDS, "outbox", broken_for_the_victim)
    report = run_pass(app, DUE)

    assert outbound_to(db, backend, None) == Counter(good)
    assert all(card_due(db, ids[phone])["state"] == "sent" for phone in good)
    victim = card_due(db, ids[VICTIM])
    assert (victim["state"], victim["message_id"]) == ("failed", None) and "outbox bug" in victim["last_error"]
    assert report.count("failed") == 1
