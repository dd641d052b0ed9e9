"""Passes in separate processes over one real SQLite file: no reminder twice, none lost after SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scheduler.dispatch import run_pass
from tests.reminder_setup import DUE, plan_card_reminders

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "tests" / "reminder_worker.py"


def plan(db, count: int) -> list[str]:
    """`count` people, each with a card reminder due at DUE; returns their numbers."""
    return list(plan_card_reminders(db, [f"+3361{n:07d}" for n in range(count)]))


def worker(app_config: dict, backend: str, now: datetime, **spec) -> subprocess.Popen:
    spec = dict(spec, app=app_config, backend=backend, now=now.isoformat())
    return subprocess.Popen([sys.executable, str(WORKER), json.dumps(spec)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def messages_per_reminder(db) -> Counter:
    return Counter(row["reminder_id"] for row in db.query(
        "SELECT reminder_id FROM messages WHERE direction = 'outbound'"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["outbox", "slow_outbox"])
def test_two_passes_started_together_in_two_processes_never_send_twice(app_config, db, backend):
    plan(db, 300)
    procs = [worker(app_config, backend, DUE, wait_for_go=True, chunk=20) for _ in range(2)]
    for proc in procs:  # both are up and ready...
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:  # ...then both start the pass at once
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    assert sum(report["sent"] for report in reports) == 300
    if backend == "slow_outbox":  # 1.5 s of sending: both passes really worked side by side
        assert all(report["sent"] > 0 for report in reports), reports
    assert all(report["lost"] == 0 for report in reports)
    per_reminder = messages_per_reminder(db)
    assert len(per_reminder) == 300 and set(per_reminder.values()) == {1}
    states = Counter(row["state"] for row in db.query("SELECT state FROM reminders WHERE kind = 'card_due'"))
    assert states == {"sent": 300}


@pytest.mark.slow
def test_a_pass_killed_mid_way_is_finished_by_the_next_with_at_most_the_in_flight_message_twice(
        app, app_config, db, fake_twilio):
    """The design's one allowed duplicate: the message Twilio accepted but whose answer the dead
    pass had not yet written (its log row still says `sending`). Nothing else, and nothing lost."""
    # One send at a time, as this test counts (several at once: tests/test_reminder_concurrency.py).
    twilio = dict(app_config, **fake_twilio.config(TWILIO_TIMEOUT_SECONDS=2.0, SEND_CONCURRENCY=1))
    phones = plan(db, 60)
    proc = worker(twilio, "slow_twilio", DUE, delay=0.05)
    deadline = time.time() + 60
    while len(fake_twilio.messages) < 15 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    time.sleep(0.3)  # a request the dead process had fully sent is still answered by the fake
    accepted_before = {message["To"] for message in fake_twilio.messages}
    assert 15 <= len(accepted_before) < 60  # killed mid-way
    in_flight = {row["phone"] for row in db.query("SELECT phone FROM messages WHERE status = 'sending'")}
    assert len(in_flight) <= 1  # one message at a time
    unanswered = in_flight & accepted_before  # Twilio has it, our log does not know
    held = db.execute("SELECT COUNT(*) FROM reminders WHERE state = 'sending'").fetchone()[0]
    waiting = db.execute("SELECT COUNT(*) FROM reminders WHERE kind = 'card_due' AND state = 'scheduled'"
                         ).fetchone()[0]
    assert held >= 1

    # Within the dead pass's lease its rows are left alone; the rows it had not claimed are sent.
    app.config.update(twilio, SMS_BACKEND="twilio")
    assert run_pass(app, DUE + timedelta(seconds=60)).count("sent") == waiting
    assert len(fake_twilio.messages) == len(accepted_before) + waiting
    # After the lease, every row it held is finished: adopted if Twilio's answer was written, else sent.
    run_pass(app, DUE + timedelta(seconds=app.config["SEND_LEASE_SECONDS"] + 61))
    states = Counter(row["state"] for row in db.query("SELECT state FROM reminders WHERE kind = 'card_due'"))
    assert states == {"sent": 60}
    sent_to = Counter(message["To"] for message in fake_twilio.messages)
    assert set(sent_to) == set(phones)
    assert {phone for phone, count in sent_to.items() if count > 1} == unanswered
    assert max(sent_to.values()) <= 2
