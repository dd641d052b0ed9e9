"""Continuous backup: the Litestream configuration a deployer gets, the service beside Litestream, and the check."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.twilio_signing import inbound_params, signed_post, twiml_messages

ROOT = Path(__file__).resolve().parent.parent
LITESTREAM = Path(sys.executable).with_name("litestream")
FLASK = Path(sys.executable).with_name("flask")
PHONE = "+33612345678"


def flask(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {"PATH": "/usr/bin:/bin", "DATABASE": str(tmp_path / "app.sqlite3"), "SECRET_KEY": "test", **env}
    return subprocess.run([str(FLASK), "--app", "wsgi", *args], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize(("replica", "expected"), [
    ("s3://backups/carte-vitale?endpoint=https://s3.fr-par.scw.cloud&region=fr-par",
     '      url: "s3://backups/carte-vitale?endpoint=https://s3.fr-par.scw.cloud&region=fr-par"'),
    ("/var/backups/carte-vitale", '      path: "/var/backups/carte-vitale"'),
    ("file:///var/backups/carte-vitale", '      path: "/var/backups/carte-vitale"'),
])
@pytest.mark.parametrize("hours", ["72", "24"])
def test_backup_config_is_litestream_s_for_the_database_replica_and_retention(tmp_path, replica, expected, hours):
    result = flask(tmp_path, "backup", "config", BACKUP_REPLICA_URL=replica, BACKUP_RETENTION_HOURS=hours)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert expected in lines
    assert f"  retention: {hours}h" in lines
    assert f'  - path: "{tmp_path / "app.sqlite3"}"' in lines
    assert "      sync-interval: 1s" in lines
    config = tmp_path / "litestream.yml"
    config.write_text(result.stdout)
    listed = subprocess.run([str(LITESTREAM), "databases", "-config", str(config)], capture_output=True, text=True,
                            timeout=30)
    assert listed.returncode == 0, listed.stderr  # Litestream itself reads it
    assert str(tmp_path / "app.sqlite3") in listed.stdout


def test_backup_config_writes_the_file_it_is_given(tmp_path):
    target = tmp_path / "litestream.yml"
    result = flask(tmp_path, "backup", "config", "-o", str(target), BACKUP_REPLICA_URL=str(tmp_path / "replica"))
    assert result.returncode == 0, result.stderr
    assert f"litestream replicate -config {target}" in result.stdout
    assert f'      path: "{tmp_path / "replica"}"' in target.read_text().splitlines()


@pytest.mark.parametrize("args", [("backup", "config"), ("backup", "restore", "--to", "/tmp/never.sqlite3")])
def test_without_a_replica_url_backup_commands_say_what_to_set(tmp_path, args):
    result = flask(tmp_path, *args)
    assert result.returncode != 0
    assert "BACKUP_REPLICA_URL is not set" in result.stderr


def test_restore_refuses_to_overwrite_a_file(tmp_path):
    existing = tmp_path / "app.sqlite3"
    existing.write_bytes(b"the service's own file")
    result = flask(tmp_path, "backup", "restore", "--to", str(existing), BACKUP_REPLICA_URL=str(tmp_path / "r"))
    assert result.returncode != 0
    assert "restore into a new path" in result.stderr
    assert existing.read_bytes() == b"the service's own file"


@pytest.fixture
def app_config(app_config):
    return dict(app_config, TWILIO_AUTH_TOKEN="backup-token", PUBLIC_BASE_URL="https://sms.example.org")


@pytest.mark.slow
def test_after_a_delete_beside_litestream_writers_never_wait_for_the_wal_scrub(app, client, db, tmp_path):
    """Litestream keeps a read transaction open, so the service's TRUNCATE checkpoint after a DELETE stays busy;
    while it retries, it must not hold the write lock (it did, for the 5 s busy timeout at each try)."""
    for body in ("SENT ONLINE", "CLAIM"):
        assert twiml_messages(signed_post(client, app, "/sms/inbound", inbound_params(PHONE, body)).data)
    config = tmp_path / "litestream.yml"
    config.write_text(f'dbs:\n  - path: "{app.config["DATABASE"]}"\n    replica:\n      type: file\n'
                      f'      path: "{tmp_path / "replica"}"\n      sync-interval: 1s\n')
    litestream = subprocess.Popen([str(LITESTREAM), "replicate", "-config", str(config)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
    refused: list[str] = []
    done = threading.Event()

    def write_all_along() -> None:  # another worker's writes, each allowed to wait 1 s for the lock
        writer = sqlite3.connect(app.config["DATABASE"], timeout=1.0, isolation_level=None)
        while not done.is_set():
            try:
                writer.execute("BEGIN IMMEDIATE")
                writer.execute("INSERT INTO heartbeats (name, at) VALUES ('other-worker', 'x')"
                               " ON CONFLICT (name) DO UPDATE SET at = excluded.at")
                writer.execute("COMMIT")
            except sqlite3.OperationalError as error:
                refused.append(str(error))
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
            time.sleep(0.05)
        writer.close()

    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "replica").exists() and time.monotonic() < deadline:
            time.sleep(0.1)  # Litestream holds its read transaction from its first sync
        writes = threading.Thread(target=write_all_along)
        writes.start()
        assert twiml_messages(signed_post(client, app, "/sms/inbound", inbound_params(PHONE, "DELETE")).data)
        time.sleep(6)  # longer than one busy timeout: the old scrub held the lock through it
        done.set()
        writes.join()
    finally:
        done.set()
        litestream.kill()
        litestream.wait()
    assert refused == []
    assert db.execute("SELECT COUNT(*) FROM messages WHERE phone = ?", (PHONE,)).fetchone()[0] == 0


@pytest.mark.slow
def test_make_backup_check_restores_without_loss_duplicates_or_the_erased_number():
    """The check of `make backup-check`: it exits 0 only if every one of its checks passed; each is listed."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "backup_check.py")], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("[ok]")]
    for claim in ("a restore to a moment before the DELETE, within the retention, still holds the number",
                  "after the retention no restore holds the erased number",
                  "schema current", "every text answered more than 2 s before the kill is restored",
                  "the erased number is not in the restored file", "the app on the restored file answers a text",
                  "no reminder sent twice in the restored file"):
        assert any(line.startswith(f"[ok] {claim}") for line in passed), (claim, result.stdout)
    assert "FAILED" not in result.stdout
    assert "recovery point: the newest restored text was answered" in result.stdout
