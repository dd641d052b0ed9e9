"""Upgrading a live database: `flask --app wsgi migrate` on a database the previous release made keeps every row.

The fixture is that release's own work (tests/fixtures/make_previous_release.py, run against commit 52ded5c):
people in two languages, one opted out by STOP and one by a carrier, applications, claims, messages in and out,
an erased number, and reminders in every state, one of them held by a pass that died.
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from webapp.app import create_app
from webapp.store import states

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "previous_release.sql"
TABLES = ("_sqlite_migrations", "people", "applications", "claims", "reminders", "messages", "erased_replies")
PENDING = ("scheduled", "sending")  # as the previous release wrote them: what a pass still sends


def read(path: str, sql: str, params: tuple = ()) -> list[dict]:
    """Rows of a query on the database file, as dicts, on a connection of its own."""
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()


def contents(path: str) -> dict[str, tuple[list[str], Counter]]:
    """table -> (its columns, its rows as a multiset of tuples), for every table of the file."""
    names = [row["name"] for row in read(path, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                               " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    tables = {}
    for name in names:
        columns = [row["name"] for row in read(path, f'PRAGMA table_info("{name}")')]
        tables[name] = (columns, Counter(tuple(row.values()) for row in read(path, f'SELECT * FROM "{name}"')))
    return tables


def projected(rows: Counter, columns: list[str], keep: list[str]) -> Counter:
    """The rows cut down to the columns `keep`, in that order."""
    at = [columns.index(name) for name in keep]
    return Counter({tuple(row[i] for i in at): count for row, count in rows.items()})


def load_release(path: str, fixture: Path) -> str:
    """A database file at `path` as an older release left it (its dump, `fixture`)."""
    connection = sqlite3.connect(path)
    connection.executescript(fixture.read_text(encoding="utf-8"))
    connection.close()
    return path


@pytest.fixture
def previous(app_config) -> str:
    """The database file of a deployment still on the previous release."""
    return load_release(app_config["DATABASE"], FIXTURE)


@pytest.fixture
def upgrade(app_config, previous):
    """Run `flask --app wsgi migrate` on it, as an operator would; return the app."""
    app = create_app(app_config)
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "Applied" in result.output
    return app


def test_the_fixture_is_the_previous_release_with_every_state_and_table(previous):
    assert {name for name in contents(previous)} == set(TABLES)
    assert {row["state"] for row in read(previous, "SELECT state FROM reminders")} == set(states.NAMES)
    assert FIXTURE.stat().st_size < 100_000


@pytest.mark.parametrize("table", TABLES)
def test_migrate_keeps_every_row_of_every_table_unaltered(app_config, previous, table):
    before_columns, before_rows = contents(previous)[table]
    assert create_app(app_config).test_cli_runner().invoke(args=["migrate"]).exit_code == 0
    after_columns, after_rows = contents(previous)[table]
    assert set(before_columns) <= set(after_columns)  # new columns only
    kept = projected(after_rows, after_columns, before_columns)
    if table == "_sqlite_migrations":  # the upgrade adds its own record, and only that
        assert kept & before_rows == before_rows
    else:
        assert kept == before_rows


def test_migrate_keeps_every_index_and_leaves_the_file_consistent(previous, upgrade):
    def schema(kind: str) -> set[str]:
        return {row["name"] for row in read(previous, "SELECT name FROM sqlite_master WHERE type = ?", (kind,))}

    indexes_before = {"reminders_ready", "messages_phone", "messages_created", "messages_reminder",
                      "messages_reply_to", "erased_replies_key"}
    assert indexes_before <= schema("index")
    assert read(previous, "PRAGMA foreign_key_check") == []
    assert read(previous, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]


@pytest.mark.parametrize("state", ["pending", "parked", "Sent", "sent ", "", "delivered?"])
def test_after_the_upgrade_the_database_refuses_a_state_not_in_the_table(previous, upgrade, state):
    connection = sqlite3.connect(previous)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            connection.execute("UPDATE reminders SET state = ? WHERE id = 1", (state,))
    finally:
        connection.close()


@pytest.mark.parametrize("state", states.NAMES)
def test_after_the_upgrade_the_database_takes_every_state_of_the_table(previous, upgrade, state):
    connection = sqlite3.connect(previous)
    try:
        connection.execute("UPDATE reminders SET state = ? WHERE id = 1", (state,))
        connection.rollback()
    finally:
        connection.close()


def pending_go_out_once(app, path: str) -> None:
    """Passes at each pending reminder's time (twice each) send every pending reminder once, and change no other."""
    before = {row["id"]: row for row in read(path, "SELECT * FROM reminders")}
    pending = {id_ for id_, row in before.items() if row["state"] in PENDING}
    assert len(pending) >= 5
    runner = app.test_cli_runner()
    for due in sorted({before[id_]["next_attempt_at"] for id_ in pending}):
        for _ in range(2):  # a second pass at the same instant finds nothing left to send
            result = runner.invoke(args=["reminders", "run", "--now", due.replace("Z", "+00:00")])
            assert result.exit_code == 0, result.output
    after = {row["id"]: row for row in read(path, "SELECT * FROM reminders")}
    sent = Counter(row["reminder_id"] for row in read(
        path, "SELECT reminder_id FROM messages WHERE direction = 'outbound' AND reminder_id IS NOT NULL"))
    assert {id_: after[id_]["state"] for id_ in pending} == {id_: "sent" for id_ in pending}
    assert {id_: sent[id_] for id_ in pending} == {id_: 1 for id_ in pending}
    settled = set(before) - pending  # the rest is history, and stays so
    assert {id_: after[id_]["state"] for id_ in settled} == {id_: before[id_]["state"] for id_ in settled}


def test_pending_reminders_still_go_out_once_after_the_upgrade(previous, upgrade):
    pending_go_out_once(upgrade, previous)


def test_migrate_refuses_a_state_the_check_would_refuse_and_changes_nothing(app_config, previous):
    connection = sqlite3.connect(previous)
    connection.execute("UPDATE reminders SET state = 'pending' WHERE id = 1")  # hand-edited by someone, say
    connection.commit()
    connection.close()
    before = contents(previous)
    result = create_app(app_config).test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 1
    assert "Reminders in states the new CHECK refuses, nothing changed: 'pending' (1)." in result.output
    assert "Traceback" not in result.output
    assert contents(previous) == before
