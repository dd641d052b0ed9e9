"""APScheduler 3 wiring: the dispatch pass every SCHEDULER_PASS_SECONDS and a daily clean-up, never in `create_app`."""
from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from scheduler import rules
from scheduler.dispatch import run_pass
from scheduler.quiet import QuietHours
from scheduler.report import PassReport
from webapp import metrics
from webapp.store import heartbeats, immediate, opened, retention, utcnow

log = logging.getLogger(__name__)

CLEANUP_AT = {"hour": 3, "minute": 30}  # local time, a quiet moment


def dispatch_job(app: Flask, now: datetime | None = None) -> None:
    """One pass at `now` (default: the clock), measured; its end is the `scheduler` heartbeat /healthz reads.

    Errors are logged and write no heartbeat (a scheduler whose passes all fail is not alive); the next
    pass tries again.
    """
    started = time.monotonic()
    try:
        with opened(app.config["DATABASE"]) as db:  # one connection for the pass and its heartbeat
            report = run_pass(app, now, db=db)
            heartbeats.beat(db, "scheduler", utcnow(), report.summary())
    except Exception:  # a failed pass loses nothing (leases); keep the scheduler alive
        metrics.pass_ended(time.monotonic() - started, None)
        log.exception("dispatch pass failed")
        return
    metrics.pass_ended(time.monotonic() - started, outcomes(report))


def outcomes(report: PassReport) -> Counter:
    """How many reminders ended the pass with each outcome; the quiet hours' are `postponed`."""
    counts = Counter(line.outcome for line in report.lines)
    counts["expired"] += report.expired
    counts["postponed"] += report.quiet_postponed
    return counts


def cleanup(app: Flask, now: datetime | None = None) -> dict[str, int]:
    """Delete long-cancelled reminders, blank old message bodies, forget erased numbers' reply times."""
    now = now or utcnow()
    config = app.config
    with opened(config["DATABASE"]) as db:
        with immediate(db):
            purged = retention.purge_cancelled_reminders(
                db, now - timedelta(days=config["CANCELLED_REMINDER_RETENTION_DAYS"]))
            # Only the reply budget's hour needs them; the webhook also clears them on each DELETE.
            forgotten = retention.purge_erased_replies(db, now - retention.REPLY_WINDOW)
            blanked = 0
            if config["MESSAGE_BODY_RETENTION_DAYS"] > 0:
                blanked = retention.blank_old_bodies(
                    db, now - timedelta(days=config["MESSAGE_BODY_RETENTION_DAYS"]))
        # Erased or blanked rows' old pages may still sit in the WAL (a worker killed before its
        # post-DELETE checkpoint finished): once a day, copy it into the file and empty it. Without waiting:
        # beside Litestream's open read a waiting TRUNCATE would hold every writer for the busy timeout.
        retention.scrub_wal(db, config["DATABASE"])
    log.info("clean-up: %d cancelled reminder(s) deleted, %d message text(s) blanked, %d erased number(s)'"
             " reply time(s) deleted", purged, blanked, forgotten)
    return {"cancelled_reminders": purged, "message_bodies": blanked, "erased_reply_times": forgotten}


def cleanup_job(app: Flask) -> None:
    """The daily clean-up, errors logged."""
    try:
        cleanup(app)
    except Exception:
        log.exception("clean-up failed")


def build_scheduler(app: Flask, background: bool) -> BaseScheduler:
    """A scheduler (not started) with the pass every SCHEDULER_PASS_SECONDS and the daily clean-up.

    `background=True` runs in a thread beside the dev server (`make run`); `False` blocks, for
    `python -m scheduler`. One pass at a time per scheduler (`max_instances=1`), missed runs
    collapse into one (`coalesce`); a second scheduler elsewhere is harmless: rows are leased.
    """
    rules.Delays.from_config(app.config)  # a malformed setting stops the start, not every pass
    QuietHours.from_config(app.config)
    cls = BackgroundScheduler if background else BlockingScheduler
    scheduler = cls(timezone=app.config["TIMEZONE"])
    every = app.config["SCHEDULER_PASS_SECONDS"]
    scheduler.add_job(dispatch_job, "interval", seconds=every, args=[app], id="dispatch",
                      next_run_time=datetime.now(UTC), replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=every)
    scheduler.add_job(cleanup_job, "cron", args=[app], id="cleanup", replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=3600, **CLEANUP_AT)
    return scheduler
