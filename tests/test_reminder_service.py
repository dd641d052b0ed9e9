"""The scheduler process: APScheduler wiring, `python -m scheduler`, and no scheduler in the web app."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from scheduler.service import build_scheduler, cleanup
from tests.conftest import DEFAULT_DELAYS
from webapp import journey
from webapp.app import create_app
from webapp.store import iso, utcnow
from webapp.store import messages as message_store

ROOT = Path(__file__).resolve().parent.parent
NO_QUIET = "00:00-00:00"  # an empty window: these tests run on the real clock, at any hour


def plan_due_now(db, count: int) -> None:
    """`count` people whose card reminder is due now (applied by post 25 days ago)."""
    clock = journey.Clock(utcnow(), DEFAULT_DELAYS)
    for n in range(count):
        pid = journey.person_for(db, f"+3362{n:07d}", "fr", clock)["id"]
        journey.record_application(db, pid, "post", clock.today - timedelta(days=25), clock)


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def sent_count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM reminders WHERE state = 'sent'").fetchone()[0]


def lines_matching(path: Path, pattern: re.Pattern) -> list[re.Match]:
    """What a running process has logged so far (to `path`) that matches `pattern`."""
    return [match for line in path.read_text().splitlines() if (match := pattern.search(line))]


def env_for(app_config: dict) -> dict:
    return dict(os.environ, DATABASE=app_config["DATABASE"], SECRET_KEY="test", SMS_BACKEND="outbox",
                QUIET_HOURS=NO_QUIET, TWILIO_ACCOUNT_SID="", ENVIRONMENT="production")


def test_building_the_app_starts_no_thread_and_no_scheduler(app_config):
    before = set(threading.enumerate())
    create_app(app_config)
    assert set(threading.enumerate()) == before


def test_jobs_pass_every_minute_one_at_a_time_and_clean_up_daily(app):
    scheduler = build_scheduler(app, background=True)
    dispatch, daily = scheduler.get_job("dispatch"), scheduler.get_job("cleanup")
    assert dispatch.trigger.interval == timedelta(minutes=1)
    assert (dispatch.coalesce, dispatch.max_instances) == (True, 1)
    assert str(daily.trigger).startswith("cron[") and "hour='3'" in str(daily.trigger)


def test_the_in_process_scheduler_of_make_run_sends_what_is_due(app, db):
    app.config["QUIET_HOURS"] = NO_QUIET
    plan_due_now(db, 3)
    scheduler = build_scheduler(app, background=True)
    scheduler.start()
    try:
        assert wait_for(lambda: sent_count(db) == 3, 10)
    finally:
        scheduler.shutdown(wait=True)


def test_cleanup_deletes_old_cancelled_reminders_and_blanks_old_texts_only(app, db):
    clock = journey.Clock(utcnow() - timedelta(days=200), DEFAULT_DELAYS)
    pid = journey.person_for(db, "+33612345678", "fr", clock)["id"]
    journey.record_application(db, pid, "online", clock.today, clock)
    journey.record_application(db, pid, "online", clock.today + timedelta(days=1), clock)  # 2 cancelled
    db.execute("INSERT INTO messages (direction, person_id, phone, body, encoding, segments, status,"
               " created_at, updated_at) VALUES ('inbound', ?, '+33612345678', 'ENVOI', 'GSM-7', 1,"
               " 'received', ?, ?)", (pid, iso(clock.now), iso(clock.now)))
    db.execute("INSERT INTO messages (direction, person_id, phone, body, encoding, segments, status,"
               " created_at, updated_at) VALUES ('inbound', ?, '+33612345678', 'ETAT', 'GSM-7', 1,"
               " 'received', ?, ?)", (pid, iso(utcnow()), iso(utcnow())))
    for replied_at in (utcnow() - timedelta(minutes=61), utcnow() - timedelta(minutes=59)):
        message_store.note_delete_reply(db, "key-of-an-erased-number", replied_at)
    db.conn.commit()
    assert cleanup(app) == {"cancelled_reminders": 2, "message_bodies": 1, "erased_reply_times": 1}
    assert Counter(r["state"] for r in db.query("SELECT state FROM reminders")) == {"scheduled": 2}
    assert [r["body"] for r in db.query("SELECT body FROM messages ORDER BY id")] == ["", "ETAT"]
    assert db.execute("SELECT COUNT(*) FROM erased_replies").fetchone()[0] == 1  # the last hour's stays


def test_cleanup_empties_the_wal_so_no_old_page_of_an_erased_text_stays(app, db):
    db.execute("INSERT INTO messages (direction, phone, body, encoding, segments, status, created_at,"
               " updated_at) VALUES ('inbound', '+33698765432', 'ETAT', 'GSM-7', 1, 'received', ?, ?)",
               (iso(utcnow()), iso(utcnow())))
    db.execute("DELETE FROM messages WHERE phone = '+33698765432'")  # as a worker killed before its checkpoint
    db.conn.commit()
    wal = Path(app.config["DATABASE"] + "-wal")
    assert b"98765432" in wal.read_bytes()
    cleanup(app)
    assert wal.stat().st_size == 0


# `python -m scheduler`, its passes' summaries logged even when they had nothing to do (DEBUG), so that
# a test sees each pass end.
SCHEDULER_LOGGING_EVERY_PASS = ("import logging, runpy; logging.getLogger('scheduler').setLevel(logging.DEBUG);"
                                " runpy.run_module('scheduler', run_name='__main__', alter_sys=True)")
PASS_ENDED = re.compile(r"\bpass at \S+: .*\bsent (\d+)")


@pytest.mark.slow
def test_two_scheduler_processes_by_mistake_send_each_reminder_once_and_stop_on_sigterm(app_config, db, tmp_path):
    plan_due_now(db, 200)
    logs = [tmp_path / f"scheduler-{n}.log" for n in range(2)]
    procs = []
    for log in logs:
        with log.open("w") as sink:  # the child writes to its own copy of the file descriptor
            procs.append(subprocess.Popen([sys.executable, "-c", SCHEDULER_LOGGING_EVERY_PASS], cwd=ROOT,
                                          env=env_for(app_config), stdout=sink, stderr=subprocess.STDOUT))
    try:
        # Both processes ran their start-up pass to its end (the next is a minute away): whatever either
        # would send twice is in the log now.
        assert wait_for(lambda: sent_count(db) == 200 and all(lines_matching(log, PASS_ENDED) for log in logs), 60)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
    outputs = [log.read_text() for log in logs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert all("stopping after the current pass" in output for output in outputs)
    per_reminder = Counter(r["reminder_id"] for r in db.query("SELECT reminder_id FROM messages"))
    assert len(per_reminder) == 200 and set(per_reminder.values()) == {1}
    # and by the passes' own account: 200 sent between them
    assert sum(int(match[1]) for log in logs for match in lines_matching(log, PASS_ENDED)) == 200, outputs


# gunicorn hooks saying, once a worker has loaded the app and after each request, which threads it runs:
# a scheduler (APScheduler's thread, its executor's) would be one of them.
WORKER_THREADS_HOOKS = """
import threading


def _threads(worker, event):
    worker.log.info("worker %s %s, threads: %s", worker.pid, event, sorted(t.name for t in threading.enumerate()))


def post_worker_init(worker):
    _threads(worker, "loaded the app")


def post_request(worker, req, environ, resp):
    _threads(worker, "answered")
"""
WORKER_THREADS = re.compile(r"worker (\d+) (loaded the app|answered), threads: (.*)$")


@pytest.mark.slow
def test_gunicorn_with_four_workers_runs_no_scheduler(app_config, db, tmp_path):
    plan_due_now(db, 1)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = Path(sys.executable).parent / "gunicorn"
    hooks, output = tmp_path / "hooks.py", tmp_path / "gunicorn.log"
    hooks.write_text(WORKER_THREADS_HOOKS)
    with output.open("w") as sink:
        proc = subprocess.Popen([str(gunicorn), "-c", str(hooks), "-w", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                cwd=ROOT, env=env_for(app_config), stdout=sink, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/", timeout=1).status_code < 600
            except requests.RequestException:  # refused, or accepted while the workers still boot
                return False

        assert wait_for(answers, 30)

        def reports() -> dict[str, list[tuple[str, str]]]:
            found = {}
            for match in lines_matching(output, WORKER_THREADS):
                found.setdefault(match[2], []).append((match[1], match[3]))
            return found

        # Every worker has loaded the app and one has answered a request: a scheduler started by loading
        # the app or by serving would be running now, and it is not.
        assert wait_for(lambda: len({pid for pid, _ in reports().get("loaded the app", [])}) == 4
                        and reports().get("answered"), 30), output.read_text()
        assert {threads for entries in reports().values() for _, threads in entries} == {"['MainThread']"}
        assert sent_count(db) == 0
        assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.parametrize(("name", "value"), [("QUIET_HOURS", "8pm-9am"), ("REMINDER_TIME", "ten")])
def test_a_malformed_time_setting_stops_the_scheduler_at_start(app, name, value):
    app.config[name] = value
    with pytest.raises(ValueError):
        build_scheduler(app, background=True)
