"""An operator who forgot `migrate`, or set a value that cannot work, gets a clear instruction, not a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from webapp.app import create_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bare_app(tmp_path):
    """An app whose database file exists but was never migrated."""
    return create_app({"DATABASE": str(tmp_path / "new.sqlite3"), "SECRET_KEY": "k", "SMS_BACKEND": "outbox"})


@pytest.mark.parametrize("args", [
    ["reminders", "run"], ["reminders", "run", "--dry-run"], ["reminders", "list"], ["messages"],
    ["messages", "--json"],
])
def test_operator_commands_say_to_migrate(bare_app, args):
    result = bare_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert "flask --app wsgi migrate" in result.output
    assert "Traceback" not in result.output


def test_operator_commands_work_once_migrated(bare_app):
    runner = bare_app.test_cli_runner()
    assert "Applied" in runner.invoke(args=["migrate"]).output
    result = runner.invoke(args=["messages"])
    assert result.exit_code == 0 and "No messages." in result.output


def start_scheduler(tmp_path, **settings) -> subprocess.CompletedProcess:
    """`python -m scheduler` on a fresh (unmigrated) database file, with these settings."""
    env = dict(os.environ, DATABASE=str(tmp_path / "new.sqlite3"), SECRET_KEY="k", SMS_BACKEND="outbox",
               **settings)
    return subprocess.run([sys.executable, "-m", "scheduler"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_the_scheduler_process_refuses_to_start_on_an_unmigrated_database(tmp_path):
    done = start_scheduler(tmp_path)
    assert done.returncode == 2
    assert "flask --app wsgi migrate" in done.stderr


def test_the_scheduler_process_names_a_bad_setting_and_stops(tmp_path):
    done = start_scheduler(tmp_path, QUIET_HOURS="20:00-24:00")
    assert done.returncode == 2
    assert "QUIET_HOURS='20:00-24:00' cannot be used" in done.stderr
