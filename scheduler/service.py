"""APScheduler 3 wiring: the dispatch pass every minute and a daily clean-up, never in `create_app`."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from scheduler import rules
from scheduler.dispatch import run_pass
from scheduler.quiet import QuietHours
from webapp.store import immediate, opened, retention, utcnow

log = logging.getLogger(__name__)

PASS_EVERY_SECONDS = 60
CLEANUP_AT = {"hour": 3, "minute": 30}  # local time, a quiet moment


def dispatch_job(app: Flask) -> None:
    """One pass at the current time; errors are logged, the next minute tries again."""
    try:
        run_pass(app)
    except Exception:  # a failed pass loses nothing (leases); keep the scheduler alive
        log.exception("dispatch pass failed")


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
        # post-DELETE checkpoint finished): once a day, copy it into the file and empty it.
        retention.checkpoint_truncate(db)
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
    """A scheduler (not started) with the pass every minute and the daily clean-up.

    `background=True` runs in a thread beside the dev server (`make run`); `False` blocks, for
    `python -m scheduler`. One pass at a time per scheduler (`max_instances=1`), missed runs
    collapse into one (`coalesce`); a second scheduler elsewhere is harmless: rows are leased.
    """
    rules.Delays.from_config(app.config)  # a malformed setting stops the start, not every pass
    QuietHours.from_config(app.config)
    cls = BackgroundScheduler if background else BlockingScheduler
    scheduler = cls(timezone=app.config["TIMEZONE"])
    scheduler.add_job(dispatch_job, "interval", seconds=PASS_EVERY_SECONDS, args=[app], id="dispatch",
                      next_run_time=datetime.now(UTC), replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=PASS_EVERY_SECONDS)
    scheduler.add_job(cleanup_job, "cron", args=[app], id="cleanup", replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=3600, **CLEANUP_AT)
    return scheduler
