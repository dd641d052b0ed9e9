"""`flask reminders run|list`: one dispatch pass, or the queue."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from scheduler.dispatch import run_pass
from sms.phones import mask
from webapp.store import reminders, states
from webapp.store.migrations import open_current


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)  # typed by an operator: any ISO form, not only the database's
    if moment.tzinfo is None:  # a bare local time is read in the service's time zone
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return moment.astimezone(UTC)


@click.group("reminders")
def reminders_command() -> None:
    """Reminder SMS: run a dispatch pass or list the queue."""


@reminders_command.command("run")
@click.option("--now", "now_text", metavar="ISO", help="Run the pass as if it were this instant "
              "(e.g. 2026-03-15T10:00+01:00; without an offset: local time). Default: now.")
@click.option("--dry-run", is_flag=True, help="List what would be sent; change nothing.")
@with_appcontext
def run_command(now_text: str | None, dry_run: bool) -> None:
    """Run one dispatch pass: send the reminders that are due."""
    try:
        now = _instant(now_text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--now") from error
    with open_current(current_app.config["DATABASE"]) as db:
        report = run_pass(current_app._get_current_object(), now, dry_run=dry_run, db=db)
    for line in report.lines:
        click.echo(f"{line.reminder_id:>8}  {line.phone:<14} {line.kind:<15} {line.subject:<5} "
                   f"{line.outcome:<9} {line.detail}")
    click.echo(report.summary())


@reminders_command.command("list")
@click.option("--state", type=click.Choice(states.NAMES),
              help="Only reminders in this state: " + "; ".join(f"{s.name}: {s.help}" for s in states.STATES) + ".")
@click.option("--limit", default=200, show_default=True, help="At most this many rows.")
@with_appcontext
def list_command(state: str | None, limit: int) -> None:
    """Show the reminder queue, soonest first."""
    with open_current(current_app.config["DATABASE"]) as db:
        rows = reminders.queue(db, state, limit)
    click.echo(f"{'id':>8}  {'phone':<14} {'lang':<4} {'kind':<15} {'subj':<5} {'state':<10} "
               f"{'next attempt (UTC)':<21} {'tries':>5}  {'delivery':<11} last error")
    for row in rows:
        click.echo(f"{row['id']:>8}  {mask(row['phone']):<14} {row['lang']:<4} {row['kind']:<15} "
                   f"{row['subject']:<5} {row['state']:<10} {row['next_attempt_at']:<21} "
                   f"{row['attempts']:>5}  {row['delivery'] or '':<11} {row['last_error'] or ''}")
    click.echo(f"{len(rows)} reminder(s)")
