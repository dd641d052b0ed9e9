"""Reminders sent several at once through the real twilio client to the fake Twilio server (50 ms a request)."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler import dispatch, sending
from scheduler.dispatch import run_pass
from sms import gateway
from tests.conftest import DEFAULT_DELAYS
from tests.reminder_setup import DUE, card_due, plan_card_reminders
from webapp import journey
from webapp.store import iso, reminders

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANES = 4


@pytest.fixture
def app_config(app_config, fake_twilio):
    fake_twilio.latency = 0.05
    return dict(app_config, **fake_twilio.config(TWILIO_TIMEOUT_SECONDS=2.0, SEND_CONCURRENCY=LANES))


def phones(count: int) -> list[str]:
    return [f"+3361{n:07d}" for n in range(count)]


def states(db) -> Counter:
    return Counter(row[0] for row in db.execute("SELECT state FROM reminders WHERE kind = 'card_due'"))


@pytest.mark.parametrize(("lanes", "most_at_once"), [(1, {1}), (LANES, set(range(2, LANES + 1)))])
def test_every_reminder_goes_once_to_its_number_with_its_text_up_to_send_concurrency_at_once(
        app, db, fake_twilio, lanes, most_at_once):
    app.config["SEND_CONCURRENCY"] = lanes
    ids = plan_card_reminders(db, phones(40))
    texts = {line.reminder_id: line.detail for line in run_pass(app, DUE, dry_run=True).lines}
    report = run_pass(app, DUE)

    assert report.count("sent") == 40
    assert Counter(message["To"] for message in fake_twilio.messages) == Counter(phones(40))
    for message in fake_twilio.messages:
        assert message["Body"] == texts[card_due(db, ids[message["To"]])["id"]]
    assert fake_twilio.max_in_flight in most_at_once
    assert states(db) == {"sent": 40}


def test_a_429_retries_its_reminders_later_and_the_pass_slows_down_then_climbs_back(app, db, fake_twilio):
    ids = plan_card_reminders(db, phones(40))
    fake_twilio.fail_after(12, 429, 429)  # the 13th and 14th requests: Twilio's "too many requests"
    report = run_pass(app, DUE)

    history = fake_twilio.history
    throttled = [entry for entry in history if entry["status"] == 429]
    assert len(throttled) == 2 and report.count("retry") == 2 and report.count("sent") == 38
    for entry in throttled:  # retried as any transient error: the first retry a minute later, one attempt spent
        row = card_due(db, ids[entry["To"]])
        assert (row["state"], row["attempts"]) == ("scheduled", 1)
        assert row["next_attempt_at"] == iso(DUE + timedelta(seconds=app.config["SEND_RETRY_BASE_SECONDS"]))
        assert "20429" in row["last_error"]
    sent_to = Counter(message["To"] for message in fake_twilio.messages)
    assert sent_to == Counter(set(phones(40)) - {entry["To"] for entry in throttled})

    before = [entry["in_flight"] for entry in history[:history.index(throttled[0])]]
    after = [entry["in_flight"] for entry in history
             if entry["at"] >= throttled[-1]["answered_at"] + sending.BACKOFF_SECONDS / 2]
    assert max(before) == LANES
    assert max(after[:3]) <= LANES // 2  # halved...
    assert max(after) > LANES // 2  # ...then back up after successes

    later = run_pass(app, DUE + timedelta(minutes=1))  # the retry
    assert later.count("sent") == 2 and states(db) == {"sent": 40}
    assert Counter(message["To"] for message in fake_twilio.messages) == Counter(phones(40))


def worker(app_config: dict, now: datetime, **spec) -> subprocess.Popen:
    spec = dict(spec, app=app_config, backend="slow_twilio", now=now.isoformat())
    return subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "reminder_worker.py"), json.dumps(spec)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_a_pass_killed_with_sends_in_flight_is_finished_by_the_next_with_at_most_those_twice(
        app, app_config, db, fake_twilio):
    numbers = phones(60)
    plan_card_reminders(db, numbers)
    proc = worker(app_config, DUE, delay=0.05)  # answers take 50 ms to write once Twilio has them
    deadline = time.time() + 60
    while len(fake_twilio.messages) < 15 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    time.sleep(0.3)  # the requests the dead process had sent are still answered by the fake
    accepted_before = {message["To"] for message in fake_twilio.messages}
    assert 15 <= len(accepted_before) < 60
    in_flight = {row[0] for row in db.execute("SELECT phone FROM messages WHERE status = 'sending'")}
    assert len(in_flight) <= LANES
    unanswered = in_flight & accepted_before  # Twilio has them, our log does not know

    run_pass(app, DUE + timedelta(seconds=app.config["SEND_LEASE_SECONDS"] + 61))
    assert states(db) == {"sent": 60}
    sent_to = Counter(message["To"] for message in fake_twilio.messages)
    assert set(sent_to) == set(numbers)
    twice = {phone for phone, count in sent_to.items() if count > 1}
    assert twice == unanswered and len(twice) <= LANES and max(sent_to.values()) <= 2


STOPPERS = {  # what a person texts while the pass is sending, and what it leaves of their card reminder
    "card": (lambda db, pid, clock: journey.card_arrived(db, pid, clock), "cancelled"),
    "stop": (lambda db, pid, clock: journey.opt_out(db, pid, clock), "muted"),
}


def test_a_card_or_stop_while_the_pass_sends_stops_the_rows_not_yet_sent(app, db, fake_twilio):
    numbers = phones(60)
    ids = plan_card_reminders(db, numbers)
    late = {number: event for number, event in zip(numbers[-10:], sorted(STOPPERS) * 5, strict=True)}
    reports = []
    thread = threading.Thread(target=lambda: reports.append(run_pass(app, DUE)))
    thread.start()
    deadline = time.time() + 30
    while len(fake_twilio.messages) < 8 and time.time() < deadline:
        time.sleep(0.005)
    for number, event in late.items():  # the pass has decided to send to them: then they text
        STOPPERS[event][0](db, ids[number], journey.Clock(DUE, DEFAULT_DELAYS))
    thread.join(timeout=60)

    assert Counter(message["To"] for message in fake_twilio.messages) == Counter(numbers[:-10])
    assert reports[0].count("sent") == 50 and reports[0].count("lost") == 10
    for number, event in late.items():
        assert card_due(db, ids[number])["state"] == STOPPERS[event][1]
    run_pass(app, DUE + timedelta(days=1))
    assert len(fake_twilio.messages) == 50


def test_a_database_error_in_a_send_thread_stops_the_pass_and_the_next_sends_each_reminder_once(
        app, db, fake_twilio, monkeypatch):
    numbers = phones(20)
    ids = plan_card_reminders(db, numbers)
    broken = card_due(db, ids[numbers[5]])["id"]
    mark_sent = reminders.mark_sent

    def disk_fails_for_one(db, reminder_id, *args):
        if reminder_id == broken:
            raise sqlite3.OperationalError("disk I/O error")
        return mark_sent(db, reminder_id, *args)

    monkeypatch.setattr(reminders, "mark_sent", disk_fails_for_one)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        run_pass(app, DUE)
    left = states(db)
    assert left["sending"] >= 1 and "failed" not in left and left["sent"] < 20
    assert card_due(db, broken)["state"] == "sending"  # held until its lease ends

    monkeypatch.setattr(reminders, "mark_sent", mark_sent)
    run_pass(app, DUE + timedelta(seconds=app.config["SEND_LEASE_SECONDS"] + 1))
    assert states(db) == {"sent": 20}
    # Twilio had accepted the broken row's message and the log knows it: adopted, not sent again.
    assert Counter(message["To"] for message in fake_twilio.messages) == Counter(numbers)


class PairedClock:
    """The pass's monotonic clock: two calls run at a time, and each call takes one second."""

    def __init__(self) -> None:
        self.seconds, self._lock, self.pair = 0.0, threading.Lock(), threading.Barrier(2, timeout=10)

    def monotonic(self) -> float:
        return self.seconds

    def call(self, config, to, body):
        self.pair.wait()  # both calls of a pair are in flight at once
        with self._lock:
            self.seconds += 1.0
        return gateway.outbox_deliver(config, to, body)


def test_quiet_hours_beginning_mid_chunk_stop_sends_not_yet_started_with_several_at_once(app, db, monkeypatch):
    clock = PairedClock()
    monkeypatch.setattr(dispatch, "wallclock", clock)
    monkeypatch.setitem(gateway.BACKENDS, "paired", clock.call)
    app.config.update(SMS_BACKEND="paired", SEND_CONCURRENCY=2)
    evening = datetime(2026, 3, 4, 18, 59, 57, tzinfo=UTC)  # 19:59:57 in Paris
    planned = journey.Clock(evening, DEFAULT_DELAYS)
    for number in phones(6):  # a claim long overdue, recorded at 19:59:57: due at once
        journey.record_claim(db, journey.person_for(db, number, "fr", planned)["id"], date(2026, 1, 20), planned)

    report = run_pass(app, evening)
    # :57 two calls, :59 two more (each checked the clock before 20:00); then the quiet hours.
    assert report.count("sent") == 4 and report.count("postponed") == 2
    held = db.execute("SELECT state, next_attempt_at FROM reminders WHERE kind = 'claim_due'"
                      " AND state != 'sent'").fetchall()
    assert [tuple(row) for row in held] == [("scheduled", "2026-03-05T08:00:00Z")] * 2


def test_one_reminder_a_person_a_day_holds_when_their_second_row_is_decided_while_the_first_is_in_flight(
        app, db, fake_twilio):
    # A call may take half the lease: one reminder a lane per chunk, so a chunk is LANES rows, and the
    # next chunk is claimed and decided while this one's calls are still under way.
    app.config.update(TWILIO_TIMEOUT_SECONDS=app.config["SEND_LEASE_SECONDS"] / 2)
    twice = "+33699999999"
    ids = plan_card_reminders(db, [twice] + phones(LANES))  # their card reminder: first of the first chunk
    clock = journey.Clock(DUE - timedelta(days=20), DEFAULT_DELAYS)
    journey.record_claim(db, ids[twice], (DUE - timedelta(days=DEFAULT_DELAYS.claim)).date(), clock)

    # Their claim reminder is not claimed while the card one is `sending`; once that is sent, it waits
    # for tomorrow (postponed by this pass or the next, depending on which call ends first).
    report = run_pass(app, DUE)
    assert report.count("sent") == LANES + 1
    run_pass(app, DUE + timedelta(minutes=1))
    assert Counter(message["To"] for message in fake_twilio.messages) == Counter([twice] + phones(LANES))
    [claim] = [row for row in reminders.for_person(db, ids[twice]) if row["kind"] == "claim_due"]
    assert (claim["state"], claim["next_attempt_at"]) == ("scheduled", iso(DUE + timedelta(days=1)))
