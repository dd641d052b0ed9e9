"""`flask messages`: the message log, newest first."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from sms.phones import normalise
from webapp.store import messages as message_store
from webapp.store.migrations import open_current

FIELDS = ("id", "direction", "phone", "body", "encoding", "segments", "status", "twilio_sid", "error_code",
          "person_id", "reply_to", "reminder_id", "created_at", "updated_at")


@click.command("messages")
@click.option("--phone", help="Only this number (any usual form: 06 12 34 56 78, +33612345678).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many messages.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of lines.")
@with_appcontext
def messages_command(phone: str | None, limit: int | None, as_json: bool) -> None:
    """Print the message log, newest first."""
    if phone:
        normalised = normalise(phone)
        if normalised is None:
            raise click.BadParameter(f"{phone!r} is not a phone number", param_hint="--phone")
        phone = normalised
    with open_current(current_app.config["DATABASE"]) as db:
        rows = [{field: row[field] for field in FIELDS} for row in message_store.log(db, phone, limit)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        arrow = "<-" if row["direction"] == "inbound" else "->"
        error = f" error {row['error_code']}" if row["error_code"] else ""
        click.echo(f"{row['created_at']} {arrow} {row['phone']} [{row['status']}{error}, {row['segments']}"
                   f" seg {row['encoding']}] {' '.join(row['body'].split())}")
    if not rows:
        click.echo("No messages.")
