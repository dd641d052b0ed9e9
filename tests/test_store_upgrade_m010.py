"""Upgrading from the release before issue 13 (schema m010): `flask --app wsgi migrate` keeps every row.

The fixture is that release's own work (tests/fixtures/make_release_m010.py, run against commit 6975d31): the
people, days and reminder states of the older fixture, plus a linked device with ticks, a route and a keyed
feuille de soins, an unlinked device and a code waiting to be typed.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_store_upgrade import contents, load_release, pending_go_out_once, projected, read
from webapp.app import create_app
from webapp.store import connect
from webapp.store.migrations import migrations

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "release_m010.sql"
TABLES = tuple(re.findall(r'^CREATE TABLE "?(\w+)"?', FIXTURE.read_text(encoding="utf-8"), re.MULTILINE))
NEW_TABLES = ("operators", "operator_audit", "signin_failures", "heartbeats")


@pytest.fixture
def previous(app_config) -> str:
    """The database file of a deployment still on the release before issue 13."""
    return load_release(app_config["DATABASE"], FIXTURE)


@pytest.fixture
def upgrade(app_config, previous):
    """Run `flask --app wsgi migrate` on it, as an operator would; return the app."""
    app = create_app(app_config)
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "Applied 1 migration(s): m011_operations" in result.output
    return app


def test_the_fixture_holds_what_the_release_added(previous):
    counts = {table: rows.total() for table, (_columns, rows) in contents(previous).items()}
    for table in ("devices", "revoked_tokens", "ticks", "field_times", "optin_codes", "optin_texts", "reminders"):
        assert counts[table] >= 1, table
    assert FIXTURE.stat().st_size < 100_000


@pytest.mark.parametrize("table", TABLES)
def test_migrate_keeps_every_row_of_every_table_unaltered(previous, table):
    before_columns, before_rows = contents(previous)[table]
    app = create_app({"DATABASE": previous, "SECRET_KEY": "test", "TESTING": True})
    assert app.test_cli_runner().invoke(args=["migrate"]).exit_code == 0
    after_columns, after_rows = contents(previous)[table]
    assert set(before_columns) <= set(after_columns)
    kept = projected(after_rows, after_columns, before_columns)
    if table == "_sqlite_migrations":
        assert kept & before_rows == before_rows
    else:
        assert kept == before_rows


def test_after_the_upgrade_the_schema_is_current_and_the_new_tables_are_empty(previous, upgrade):
    db = connect(previous)
    try:
        assert list(migrations.pending(db)) == []
    finally:
        db.close()
    for table in NEW_TABLES:
        assert read(previous, f"SELECT COUNT(*) AS n FROM {table}") == [{"n": 0}]
    assert read(previous, "PRAGMA foreign_key_check") == []
    assert read(previous, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


def test_pending_reminders_still_go_out_once_after_the_upgrade(previous, upgrade):
    pending_go_out_once(upgrade, previous)
