"""GET /healthz (database writable, schema current, scheduler alive) and GET /metrics (Prometheus), sessionless."""
from __future__ import annotations

import hmac
import ipaddress
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client.core import GaugeMetricFamily
from sqlite_utils import Database

from webapp import metrics
from webapp.store import close_db, get_db, heartbeats, immediate, utcnow
from webapp.store.migrations import migrations

bp = Blueprint("health", __name__)

NO_STORE = {"Cache-Control": "no-store"}
# A reverse proxy on the same machine makes every request come from loopback: one that says it forwarded
# the request is not "straight from loopback", whatever the socket says.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


@dataclass(frozen=True)
class Check:
    """One thing /healthz looks at: whether it is fine, and in words what it found."""

    ok: bool
    detail: str


class _Probe(Exception):
    """Raised inside the probe's transaction to roll it back."""


def database_writable(db: Database, now: datetime) -> Check:
    """A real, committed write in a short BEGIN IMMEDIATE: the `healthz` heartbeat.

    Committed, not rolled back, so that a full disk or an I/O error on the WAL shows (a rolled-back
    write never leaves the page cache). Before m011 there is no heartbeats table: then a rolled-back
    CREATE TABLE (read-only files and a held write lock still show).
    """
    if db["heartbeats"].exists():
        heartbeats.beat(db, "healthz", now)
        return Check(True, "writable")
    try:
        with immediate(db):
            db.execute("CREATE TABLE healthz_probe (x)")
            raise _Probe
    except _Probe:
        return Check(True, "writable (write rolled back: no heartbeats table yet)")


def migrations_current(db: Database) -> Check:
    """Whether every migration is applied (a read)."""
    pending = [migration.name for migration in migrations.pending(db)]
    if pending:
        return Check(False, f"{len(pending)} migration(s) pending: {', '.join(pending)};"
                            " run `flask --app wsgi migrate`")
    return Check(True, "current")


def scheduler_alive(db: Database, now: datetime, max_age: int) -> Check:
    """Whether the scheduler's last dispatch pass ended less than `max_age` seconds ago."""
    last = heartbeats.last(db, "scheduler")
    if last is None:
        return Check(False, "no pass yet: is `python -m scheduler` running?")
    age = round((now - last[0]).total_seconds())
    if age > max_age:
        return Check(False, f"last pass ended {age} s ago, more than HEALTH_PASS_MAX_AGE_SECONDS ({max_age} s):"
                            " is `python -m scheduler` running?")
    return Check(True, f"last pass ended {age} s ago")


CHECKS = {
    "database": lambda db, now, config: database_writable(db, now),
    "migrations": lambda db, now, config: migrations_current(db),
    "scheduler": lambda db, now, config: scheduler_alive(db, now, config["HEALTH_PASS_MAX_AGE_SECONDS"]),
}


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when every check passes, else 503; the JSON says what each check found."""
    db, now, failed = get_db(), utcnow(), None
    checks: dict[str, Check] = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = check(db, now, current_app.config)
        except sqlite3.Error as error:
            checks[name] = Check(False, f"{type(error).__name__}: {error}")
            failed = failed or error
    if failed is not None:  # a connection that met a read-only file or an I/O error is not kept
        close_db(failed)
    ok = all(check.ok for check in checks.values())
    body = {"status": "ok" if ok else "failing",
            "reasons": [f"{name}: {check.detail}" for name, check in checks.items() if not check.ok],
            "checks": {name: {"ok": check.ok, "detail": check.detail} for name, check in checks.items()}}
    response = jsonify(body)
    response.headers.update(NO_STORE)
    return response, 200 if ok else 503


def straight_from_loopback() -> bool:
    """The client is this machine itself, with no proxy in between that says it forwarded the request."""
    if any(header in request.headers for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:  # a Unix socket: a proxy's, most likely
        return False
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def refusal() -> Response | None:
    """None when the scrape may read the metrics: the right bearer token, or straight from loopback."""
    token = current_app.config.get("METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return None
    if straight_from_loopback():
        return None
    if token:
        return Response("a bearer token is required\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"',
                                                               **NO_STORE}, mimetype="text/plain")
    return Response("metrics are read from loopback, or with METRICS_TOKEN set\n", 403, NO_STORE,
                    mimetype="text/plain")


def last_pass_age(db: Database, now: datetime) -> list[GaugeMetricFamily]:
    """The age of the scheduler's last pass, read from the database at scrape time (none before the first)."""
    try:
        last = heartbeats.last(db, "scheduler")
    except sqlite3.Error:
        return []  # /healthz says why
    if last is None:
        return []
    return [GaugeMetricFamily("cvc_scheduler_last_pass_age_seconds",
                              "Seconds since the scheduler's last dispatch pass ended.",
                              value=(now - last[0]).total_seconds())]


class _Families:
    """A collector of metric families computed before the scrape."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        """The families, as prometheus_client asks for them."""
        return self.families


@bp.get("/metrics")
def metrics_view() -> Response:
    """Prometheus' text format: the counters and histograms of every process, and the last pass's age."""
    refused = refusal()
    if refused is not None:
        return refused
    body, content_type = metrics.exposition([_Families(last_pass_age(get_db(), utcnow()))])
    return Response(body, content_type=content_type, headers=NO_STORE)
