"""`flask reminders run|list`: one dispatch pass, or the queue."""
from __future__ import annotations

import click


@click.group("reminders")
def reminders_command() -> None:
    """Reminder SMS: run a dispatch pass or list the queue."""
