"""`python -m scheduler`: the production reminder process (one per deployment), stopped by SIGTERM."""
from __future__ import annotations

import logging
import signal
import sys

import click

from scheduler.service import build_scheduler
from webapp import logs
from webapp.app import create_app
from webapp.settings import SettingError
from webapp.store.migrations import open_current


def main() -> int:
    """Run the dispatch pass every minute until SIGTERM or SIGINT; the pass in progress finishes."""
    logs.setup()  # LOG_FORMAT, numbers masked, no APScheduler line a minute
    try:
        app = create_app()
    except SettingError as error:
        logging.getLogger("scheduler").error("%s", error)
        return 2
    try:
        with open_current(app.config["DATABASE"]):
            pass  # only the check: each pass opens its own connection
    except click.ClickException as error:  # not migrated: the message says what to run
        logging.getLogger("scheduler").error("%s", error.message)
        return 2
    scheduler = build_scheduler(app, background=False)

    def stop(signum, _frame) -> None:
        logging.getLogger("scheduler").info("signal %s: stopping after the current pass", signum)
        scheduler.shutdown(wait=False)  # the main loop returns; the worker thread is joined at exit

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.getLogger("scheduler").info("reminder scheduler started (SMS backend: %s, database %s)",
                                        app.config["SMS_BACKEND"], app.config["DATABASE"])
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
