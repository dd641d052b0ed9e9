"""GET /healthz, as a load balancer or an operator's monitor reads it: 200 when all is well, else 503 and why."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from scheduler.service import dispatch_job
from webapp import store
from webapp.app import create_app
from webapp.store import connect, heartbeats, utcnow
from webapp.store.migrations import apply

ROOT = Path(__file__).resolve().parent.parent
RELEASE_M010 = ROOT / "tests" / "fixtures" / "release_m010.sql"  # the schema before the heartbeats table


def health(client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def test_all_well_after_a_pass(app, client):
    dispatch_job(app)  # what the scheduler runs
    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok" and body["reasons"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "migrations": True, "scheduler": True}


def test_no_session_cookie_even_for_a_browser_that_has_one(client):
    client.get("/en/")  # a page may set cookies; /healthz never reads nor sets one
    response = client.get("/healthz")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("ended_ago", "status"), [
    (timedelta(seconds=5), 200),
    (timedelta(seconds=170), 200),
    (timedelta(seconds=200), 503),
    (timedelta(hours=3), 503),
])
def test_the_last_pass_must_be_recent(app, client, db, ended_ago, status):
    assert app.config["HEALTH_PASS_MAX_AGE_SECONDS"] == 180
    heartbeats.beat(db, "scheduler", utcnow() - ended_ago, "pass")
    got, body = health(client)
    assert got == status
    if status == 503:
        assert body["status"] == "failing"
        assert body["reasons"] == [body["reasons"][0]] and body["reasons"][0].startswith("scheduler: last pass ended")
        assert "HEALTH_PASS_MAX_AGE_SECONDS (180 s)" in body["checks"]["scheduler"]["detail"]


def test_a_scheduler_that_never_ran_is_failing(client):
    status, body = health(client)
    assert status == 503
    assert body["reasons"] == ["scheduler: no pass yet: is `python -m scheduler` running?"]
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]


def test_a_failed_pass_is_no_sign_of_life(app, client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("scheduler.service.run_pass", broken)
    dispatch_job(app)
    status, body = health(client)
    assert status == 503 and body["checks"]["scheduler"]["detail"].startswith("no pass yet")


@pytest.fixture
def release_m010_app(tmp_path, app_config):
    """An app on the database of the release before issue 13 (m010), not migrated since."""
    path = tmp_path / "m010.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(RELEASE_M010.read_text())
    conn.close()
    return create_app(dict(app_config, DATABASE=str(path)))


def test_pending_migrations_are_named(release_m010_app):
    status, body = health(release_m010_app.test_client())
    assert status == 503
    migrations = body["checks"]["migrations"]
    assert not migrations["ok"]
    assert "m011_operations" in migrations["detail"] and "flask --app wsgi migrate" in migrations["detail"]
    # Writable all the same (a rolled-back write: there is no heartbeats table to write in yet).
    assert body["checks"]["database"]["ok"]
    assert not body["checks"]["scheduler"]["ok"]
    assert any(reason.startswith("migrations: ") for reason in body["reasons"])


def read_only(path) -> Database:
    """What SQLite gives a process that may not write the file: a read-only connection."""
    return Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))


def test_a_read_only_database_is_failing_and_the_next_connection_recovers(app, client, monkeypatch):
    dispatch_job(app)
    monkeypatch.setattr(store, "connect", read_only)  # the request's connection, as get_db opens it
    status, body = health(client)
    assert status == 503
    database = body["checks"]["database"]
    assert not database["ok"] and "readonly" in database["detail"]
    assert body["reasons"][0].startswith("database: ")
    assert body["checks"]["scheduler"]["ok"]  # reads still work

    monkeypatch.undo()  # the file is writable again: the failed connection was not kept
    status, body = health(client)
    assert status == 200, body


# -- the process test: a real `python -m scheduler`, stopped and started again -------------------------

MAX_AGE = 3


def start_scheduler(app) -> subprocess.Popen:
    env = dict(os.environ, DATABASE=app.config["DATABASE"], SECRET_KEY="test-secret", SMS_BACKEND="outbox",
               SCHEDULER_PASS_SECONDS="1", HEALTH_PASS_MAX_AGE_SECONDS=str(MAX_AGE))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return subprocess.Popen([sys.executable, "-m", "scheduler"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def wait_for(client, status: int, deadline_seconds: float = 60) -> dict:
    """Poll /healthz until it answers `status` (a generous deadline: no timing is asserted)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        got, body = health(client)
        if got == status:
            return body
        assert time.monotonic() < deadline, f"/healthz still {got}: {body}"
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return err


@pytest.mark.slow
def test_healthz_follows_a_real_scheduler_process_stopped_and_started_again(app_config, tmp_path):
    app = create_app(dict(app_config, HEALTH_PASS_MAX_AGE_SECONDS=MAX_AGE))
    database = connect(app.config["DATABASE"])
    apply(database)
    database.close()
    client = app.test_client()
    assert health(client)[0] == 503  # never ran

    scheduler = start_scheduler(app)
    try:
        body = wait_for(client, 200)
        assert body["checks"]["scheduler"]["detail"].startswith("last pass ended")
    finally:
        stop(scheduler)

    body = wait_for(client, 503)
    assert [reason.split(":")[0] for reason in body["reasons"]] == ["scheduler"]
    assert f"HEALTH_PASS_MAX_AGE_SECONDS ({MAX_AGE} s)" in body["checks"]["scheduler"]["detail"]

    scheduler = start_scheduler(app)
    try:
        wait_for(client, 200)
    finally:
        stop(scheduler)
