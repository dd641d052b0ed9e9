"""Database faults under the webhook: a connection that failed is not kept, so a worker recovers by itself."""
from __future__ import annotations

import contextlib
import sqlite3

import pytest
from sqlite_utils import Database

import sms.inbound
import webapp.store
from tests.twilio_signing import inbound_params, signed_post

PHONE = "+33612345678"
TOKEN = "faults-token"


@pytest.fixture
def app_config(app_config):
    # A 500 as gunicorn would answer it, rather than the exception raised into the test.
    return dict(app_config, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL="https://sms.example.org",
                PROPAGATE_EXCEPTIONS=False)


def read_only(path: str) -> Database:
    """The connection SQLite opens on a file the process may not write (it falls back to read-only).

    The tests run as root, whom file modes do not stop: the same state is asked for explicitly.
    """
    return Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))


def test_a_worker_recovers_once_the_database_is_writable_again(app, client, db, monkeypatch):
    real_connect, faults = webapp.store.connect, [read_only]
    monkeypatch.setattr(webapp.store, "connect", lambda path: (faults.pop() if faults else real_connect)(path))
    failed = signed_post(client, app, "/sms/inbound", inbound_params(PHONE, "HELP"))
    assert failed.status_code == 500
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    # The fault is gone (permissions restored): the same worker thread answers and stores again.
    params = inbound_params(PHONE, "HELP")
    answered = signed_post(client, app, "/sms/inbound", params)
    assert answered.status_code == 200, answered.data
    assert db.execute("SELECT twilio_sid FROM messages WHERE direction = 'inbound'").fetchall() == [
        (params["MessageSid"],)]


def test_a_request_that_failed_mid_write_leaves_nothing_to_the_next(app, client, db, monkeypatch):
    real_handle = sms.inbound.handle

    def fail_halfway(database, config, message, now=None):
        database.conn.execute("BEGIN IMMEDIATE")
        database.conn.execute("INSERT INTO people (phone, created_at, updated_at) VALUES ('+33699999999', '', '')")
        raise RuntimeError("a bug halfway through a write")

    monkeypatch.setattr(sms.inbound, "handle", fail_halfway)
    assert signed_post(client, app, "/sms/inbound", inbound_params(PHONE, "HELP")).status_code == 500
    monkeypatch.setattr(sms.inbound, "handle", real_handle)
    assert signed_post(client, app, "/sms/inbound", inbound_params(PHONE, "HELP")).status_code == 200
    assert [phone for (phone,) in db.execute("SELECT phone FROM people").fetchall()] == [PHONE]


class Interrupted(Exception):
    """A command that failed halfway."""


def finish(db: Database) -> None:
    db.execute("SELECT 1")


def fail(db: Database) -> None:
    raise Interrupted


@pytest.mark.parametrize("command", [finish, fail])
def test_opened_closes_its_connection_however_the_command_ends(app, command):
    with pytest.raises(Interrupted) if command is fail else contextlib.nullcontext():
        with webapp.store.opened(app.config["DATABASE"]) as db:
            command(db)
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")
