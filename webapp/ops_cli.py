"""`flask operators add|list|disable`: who may sign in to the /ops console."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp import operators
from webapp.store import utcnow
from webapp.store.migrations import open_current


@click.group("operators")
def operators_command() -> None:
    """Operators of the /ops console: add one, list them, disable one."""


@operators_command.command("add")
@click.argument("name")
@click.option("--reset", is_flag=True, help="Set a new password for an existing operator (and enable them again).")
@with_appcontext
def add(name: str, reset: bool) -> None:
    """Add an operator NAME; the password is asked twice, not echoed (at least 12 characters)."""
    first = click.prompt("Password", hide_input=True)
    second = click.prompt("Repeat the password", hide_input=True)
    if first != second:
        raise click.ClickException("The two passwords differ: nothing was changed.")
    with open_current(current_app.config["DATABASE"]) as db:
        try:
            done = operators.add(db, name, first, utcnow(), reset=reset)
        except operators.OperatorError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Operator {name} {'has a new password' if done == 'reset' else 'added'}: sign in at /ops/sign-in.")


@operators_command.command("list")
@with_appcontext
def list_operators() -> None:
    """Every operator: name, when added, and whether disabled."""
    with open_current(current_app.config["DATABASE"]) as db:
        found = operators.all_operators(db)
    for row in found:
        state = f"disabled {row['disabled_at']}" if row["disabled_at"] else "enabled"
        click.echo(f"{row['name']}\tadded {row['created_at']}\t{state}")
    if not found:
        click.echo("No operators. Add one: flask --app wsgi operators add NAME")


@operators_command.command("disable")
@click.argument("name")
@with_appcontext
def disable(name: str) -> None:
    """Stop NAME from signing in (a session already open ends at its next request)."""
    with open_current(current_app.config["DATABASE"]) as db:
        try:
            operators.disable(db, name, utcnow())
        except operators.OperatorError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Operator {name} disabled.")
