"""`flask messages`: the message log, newest first."""
from __future__ import annotations

import click


@click.command("messages")
def messages_command() -> None:
    """Print the message log, newest first."""
