"""Benchmark: POST /api/v1/sync (10 changes) next to the signed inbound SMS webhook, under the production command.

Both run under the README's production command, `gunicorn -c python:webapp.gunicorn_conf --workers 4` (sync
workers, which close the connection after each response, as bench/webhook.py measures), each on its own
temporary database with the outbox, in rounds that alternate between them so a busy moment on the machine
hits both alike. The same client (one connection per client thread; requests prepared in advance, webhook
ones signed) sends the same number of requests to each.

A sync is a typical payload: 10 changes (the application, the route, 6 checklist ticks, 2 feuilles de
soins), each with an id never sent before, so every request applies 10 changes and replans the reminders;
each device syncs 3 or 4 times, each time later than the last, so the later write always wins. The devices
are linked before the server starts (one person each; their tokens are kept in memory). The webhook's
requests are bench/webhook.py's: varied texts, 3 or 4 from each sender, so no budget cuts its work short.

Target (printed PASS or FAIL; figures only, no assertion): a sync costs no more than 2 SMS webhooks, i.e. the
webhook's requests/s are at most twice the sync's.
Run: `.venv/bin/python bench/sync.py [--requests 3000] [--concurrency 32] [--workers 4]`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import big_database, serving  # noqa: E402
from bench.webhook import RUN, TOKEN, signed_requests  # noqa: E402
from webapp import content, link  # noqa: E402
from webapp.store import immediate, opened, people  # noqa: E402

CHANGES_PER_SYNC = 10
COST_TARGET = 2.0  # a sync costs at most this many SMS webhooks
TICKS = 6
Request = serving.Request


def link_devices(database: Path, count: int) -> list[str]:
    """`count` people, one linked device each; their tokens."""
    now = datetime.now(UTC)
    with opened(database) as db, immediate(db):
        return [link.link_device(db, people.ensure_person(db, big_database.phone(i), "fr", now)["id"], now)
                for i in range(1, count + 1)]


def instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sync_payload(number: int, at: datetime, today) -> dict:
    """Sync `number`'s 10 changes, every id new, all written at `at` (later for a later sync)."""
    steps = content.step_ids()
    when = instant(at)

    def change(index: int, field: str, value, key: str | None = None) -> dict:
        return {"id": f"{RUN}-{number}-{index}", "at": when, "field": field, "value": value} | (
            {"key": key} if key else {})

    changes = [change(0, "application", {"method": ("online", "post")[number % 2],
                                         "sent_on": (today - timedelta(days=number % 20 + 1)).isoformat()}),
               change(1, "route", {"route": ("online", "post")[number % 2]})]
    changes += [change(2 + i, "tick", {"done": (number + i) % 3 != 0}, steps[(number + i) % len(steps)])
                for i in range(TICKS)]
    changes += [change(8 + i, "claim", {"posted_on": (today - timedelta(days=i + 2)).isoformat(), "paid_on": None},
                       f"c{number}x{i}") for i in range(2)]
    assert len(changes) == CHANGES_PER_SYNC
    return {"changes": changes}


def sync_requests(tokens: list[str], start: int, count: int, started: datetime) -> list[Request]:
    """Syncs start…start+count: device i % len(tokens), each one second later than the one before."""
    today = started.date()
    prepared = []
    for number in range(start, start + count):
        body = json.dumps(sync_payload(number, started + timedelta(seconds=number), today)).encode()
        prepared.append(("/api/v1/sync", body, {"Content-Type": "application/json",
                                                "Authorization": f"Bearer {tokens[number % len(tokens)]}"}))
    return prepared


def webhook_requests(base_url: str, start: int, count: int, senders: range) -> list[Request]:
    """bench/webhook.py's signed texts, as requests."""
    return signed_requests(base_url, start, count, senders)


class Target(serving.Measured):
    """The production command serving one database, and how to make its requests."""

    width = 34

    def __init__(self, name: str, env: dict, workers: int, make) -> None:
        options = ["-c", "python:webapp.gunicorn_conf", "--workers", str(workers), "--log-level", "warning"]
        super().__init__(name, options, "wsgi:app", env, Path(env["DATABASE"]).with_suffix(".log"))
        self.make = make

    def run(self, start: int, count: int, concurrency: int, record: bool = True) -> None:
        """Requests start…start+count, made for this server."""
        self.load(self.make(self.base, start, count), concurrency, record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    count = max(1, (args.requests + args.warmup) // 3)  # devices and senders: 3 or 4 requests each
    senders = range(1, count + 1)
    with tempfile.TemporaryDirectory() as tmp:
        # No ceiling on replies to all numbers: past it the webhook would skip its reply, and do less work.
        env = dict(os.environ, SECRET_KEY="bench", SMS_BACKEND="outbox", TWILIO_AUTH_TOKEN=TOKEN,
                   ENVIRONMENT="production", SMS_MAX_REPLIES_PER_HOUR_ALL=str(10**9))
        env.pop("TWILIO_ACCOUNT_SID", None)
        databases = {name: Path(tmp) / f"{name}.sqlite3" for name in ("sync", "webhook")}
        for database in databases.values():
            big_database.migrate(database, env)
        tokens = link_devices(databases["sync"], count)
        # Every change is written a little in the past: a sync's `at` is never clamped as a clock ahead.
        started = datetime.now(UTC) - timedelta(seconds=args.requests + args.warmup + 60)
        print(f"gunicorn -c python:webapp.gunicorn_conf, {args.workers} sync workers (the README's production"
              f" command; a new connection per request); {args.requests} requests (+{args.warmup} warm-up) to each"
              f" from {args.concurrency} client connections; {count} devices and {count} senders (3 or 4 requests"
              f" each); a sync carries {CHANGES_PER_SYNC} changes, every id new; rounds of 500 alternate")
        targets = [
            Target(f"POST /api/v1/sync ({CHANGES_PER_SYNC} changes)", dict(env, DATABASE=str(databases["sync"])),
                   args.workers, lambda _base, start, n: sync_requests(tokens, start, n, started)),
            Target("signed /sms/inbound", dict(env, DATABASE=str(databases["webhook"])), args.workers,
                   lambda base, start, n: webhook_requests(base, start, n, senders)),
        ]
        try:
            for target in targets:
                target.run(0, args.warmup, args.concurrency, record=False)
            rounds = max(1, args.requests // 500)
            size = args.requests // rounds
            for number in range(rounds):
                for target in targets:
                    target.run(args.warmup + number * size, size, args.concurrency)
        finally:
            for target in targets:
                target.stop()
        (sync_rate, sync_p50, _), (webhook_rate, webhook_p50, _) = (target.report() for target in targets)
        with opened(databases["sync"]) as db:
            applied = db.execute("SELECT COUNT(*) FROM sync_changes").fetchone()[0]
            planned = db.execute("SELECT COUNT(*) FROM reminders").fetchone()[0]
        with opened(databases["webhook"]) as db:
            counts = dict(db.execute("SELECT direction, COUNT(*) FROM messages GROUP BY direction").fetchall())
        print(f"webhook stored {counts.get('inbound', 0)} inbound SMS and {counts.get('outbound', 0)} replies")
        print(f"sync stored {applied} applied changes ({applied / (args.requests + args.warmup):.1f} per sync)"
              f" and {planned} reminder rows")
    cost = webhook_rate / sync_rate
    print(f"a sync costs {cost:.2f} SMS webhooks by throughput ({sync_p50 / webhook_p50:.2f} by p50 latency);"
          f" target <= {COST_TARGET:.0f}: {'PASS' if cost <= COST_TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
