"""Benchmark: the signed inbound SMS webhook under gunicorn, next to references, on an empty and on a big database.

Both run under the same gunicorn settings (subprocesses on loopback ports; the webhook on a temporary
database with the outbox). By default these are the README's production command, `gunicorn --workers 4`:
sync workers, which close the connection after each response, so every request (to either server)
opens a new one, as a reverse proxy in front of gunicorn does by default. `--worker-class gthread`
measures threaded workers with keep-alive instead. The same client (one connection per client thread,
reopened when the server closes it; requests signed in advance) sends the same bounded number of
requests to each, in rounds that alternate between them so a busy moment on the machine hits both alike.
Sender numbers vary (3 or 4 texts each) so that the reply budget and
loop protection never cut the webhook's work short. Prints requests/s, p50 and p99 latency.

Two reference servers show where the cost lies: the same app and signed webhook with the SMS core
replaced (1) by nothing (no database: signature, form, app) and (2) by the least any durable, idempotent
reply needs (one write transaction through the service's own storage functions: MessageSid check, person
lookup or insert, the hourly count, the inbound row and the reply row; a fixed reply, no command). They
are measurements only; the service never runs them. The bare route is no floor for a durable design.

Targets (printed PASS or MISS; figures only, no assertion): the webhook keeps >= 85% of the least durable
write's throughput, with p99 <= 50 ms at 32 client connections; and on a database holding 1,000,000 people
and 10,000,000 messages (bench/big_database.py: built once, cached under instance/bench/; the senders are
people already in it) it keeps >= 80% of its throughput on the empty database.
Run: `.venv/bin/python bench/webhook.py [--requests 3000] [--concurrency 32] [--workers 4]
[--worker-class sync|gthread] [--threads 4] [--people 1000000] [--messages 10000000] [--no-big]`.
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from twilio.request_validator import RequestValidator  # noqa: E402

from bench import big_database, serving  # noqa: E402
from webapp.store import opened  # noqa: E402

TOKEN = "bench-auth-token"
BODIES = ["HELP", "AIDE", "STATUS", "ETAT", "RIB", "CLAIM", "SENT ONLINE", "CARD", "PAID", "hello", "LANG EN"]
DURABLE_SHARE_TARGET = 0.85  # of the least durable write's throughput
P99_TARGET_MS = 50
BIG_SHARE_TARGET = 0.80  # of the same webhook's throughput on an empty database
# The reply the bare route always gives: one segment, as long as the webhook's longest fixed one-segment replies.
BARE_REPLY = ("CARD = my carte Vitale came: card reminders stop. Not here by the date we gave you? Call your"
              " caisse on 3646.")


def bare_app():
    """The baseline: a bare Flask route answering the same TwiML, no signature, no database."""
    from flask import Flask, Response
    from twilio.twiml.messaging_response import MessagingResponse

    app = Flask("bare")
    twiml = MessagingResponse()
    twiml.message(BARE_REPLY)
    body = str(twiml)

    @app.post("/sms/inbound")
    def inbound():
        return Response(body, mimetype="application/xml")

    return app


def reference_app(core: str):
    """The real app and signed webhook, the SMS core replaced: "none" (no database) or "durable" (the
    least write any idempotent reply needs, through the same storage functions as the real core).
    A measuring device for the figures, never the service."""
    import sms.inbound
    from webapp.store import immediate, people, retention, utcnow
    from webapp.store import messages as message_store
    from wsgi import app

    def durable(db, config, message, now=None) -> str:
        now = utcnow()
        with immediate(db):
            if message_store.by_twilio_sid(db, message.sid) is None:
                person = people.person_by_phone(db, message.sender) or people.ensure_person(
                    db, message.sender, "fr", now)
                message_store.traffic_since(db, message.sender, message.body, now - retention.REPLY_WINDOW,
                                            now - sms.inbound.DAY)
                inbound_id = message_store.add_message(db, direction="inbound", phone=message.sender,
                                                       body=message.body, status="received", now=now,
                                                       person_id=person["id"], twilio_sid=message.sid)
                message_store.add_message(db, direction="outbound", phone=message.sender, body=BARE_REPLY,
                                          status="sent", now=now, person_id=person["id"], reply_to=inbound_id)
        return BARE_REPLY

    sms.inbound.handle = durable if core == "durable" else (lambda db, config, message, now=None: BARE_REPLY)
    return app


# This run's MessageSids: never one already stored in a cached big database (its own are SM0000…).
RUN = "f" + secrets.token_hex(4)[1:]


def signed_requests(base_url: str, start: int, count: int, senders: range) -> list[serving.Request]:
    """Requests start…start+count, signed in advance so the client spends nothing on HMAC while measuring."""
    validator = RequestValidator(TOKEN)
    url = base_url + "/sms/inbound"
    prepared = []
    for i in range(start, start + count):
        params = {"MessageSid": f"SM{RUN}{i:024x}", "AccountSid": "AC" + "0" * 32,
                  "From": big_database.phone(senders[i % len(senders)]), "To": "+33700000000",
                  "Body": BODIES[i % len(BODIES)], "NumMedia": "0"}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, params)}
        prepared.append(("/sms/inbound", urlencode(params).encode(), headers))
    return prepared


class Target(serving.Measured):
    """One app under gunicorn (the benchmark's worker settings) and the senders its requests come from."""

    def __init__(self, name: str, app: str, env: dict, args, senders: range) -> None:
        options = ["--workers", str(args.workers), "--worker-class", args.worker_class, "--log-level", "warning"]
        if args.worker_class == "gthread":
            options += ["--threads", str(args.threads), "--keep-alive", "30"]
        super().__init__(name, options, app, env)
        self.senders = senders


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument("--people", type=int, default=1_000_000, help="in the big database")
    parser.add_argument("--messages", type=int, default=10_000_000, help="in the big database's log")
    parser.add_argument("--big", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the webhook on the big database (the scaling figure)")
    args = parser.parse_args()
    # Every sender texts a handful of times at most: the hourly budget (10 replies) and loop
    # protection never kick in, so the webhook does its full work (command + reply) on every request.
    count = max(1, (args.requests + args.warmup) // 3)
    # On the big database the senders are people already there, with their history in the log, picked
    # at random each run so that a reused file's earlier runs do not count in their hour.
    offset = secrets.randbelow(max(1, args.people - count)) + 1
    fresh, known = range(1, count + 1), range(offset, offset + count)
    with tempfile.TemporaryDirectory() as tmp:
        # The global reply ceiling (300 an hour by default) would silence all but the first 300 texts: every
        # text here is answered, as in a real hour below the ceiling.
        env = dict(os.environ, DATABASE=str(Path(tmp) / "bench.sqlite3"), SECRET_KEY="bench",
                   SMS_BACKEND="outbox", TWILIO_AUTH_TOKEN=TOKEN, ENVIRONMENT="production",
                   SMS_MAX_REPLIES_PER_HOUR_ALL=str(10**9))
        env.pop("TWILIO_ACCOUNT_SID", None)
        big = big_database.build(args.people, args.messages, env) if args.big else None
        big_database.migrate(Path(env["DATABASE"]), env)
        if args.worker_class == "sync":
            served = (f"gunicorn sync, {args.workers} workers (the README's production command; a new"
                      f" connection per request)")
        else:
            served = f"gunicorn gthread, {args.workers} workers x {args.threads} threads, keep-alive"
        print(f"{served}; {args.requests} requests"
              f" (+{args.warmup} warm-up) from {args.concurrency} client connections; {count} sender"
              f" numbers (3 or 4 texts each, different texts: the reply budget and loop protection never apply);"
              f" rounds of 500 alternate between the servers")
        targets = [Target("signed /sms/inbound", "wsgi:app", env, args, fresh),
                   Target("bare Flask route (TwiML)", "bench.webhook:bare_app()", env, args, fresh)]
        # Separate files: the reference rows must not count in the webhook's stored figures.
        for name, core in (("  core: none (no database)", "none"), ("  core: least durable write", "durable")):
            database = Path(tmp) / f"reference-{core}.sqlite3"
            big_database.migrate(database, env)
            targets.append(Target(name, f"bench.webhook:reference_app({core!r})", dict(env, DATABASE=str(database)),
                                  args, fresh))
        if big:
            targets.append(Target("signed /sms/inbound, big database", "wsgi:app", dict(env, DATABASE=str(big)),
                                  args, known))
        try:
            # Rounds alternate between the servers, so a busy moment on the machine hits both alike.
            rounds = max(1, args.requests // 500)
            for target in targets:
                target.load(signed_requests(target.base, 0, args.warmup, target.senders), args.concurrency, False)
            size = args.requests // rounds
            for number in range(rounds):
                for target in targets:
                    chunk = signed_requests(target.base, args.warmup + number * size, size, target.senders)
                    target.load(chunk, args.concurrency)
        finally:
            for target in targets:
                target.stop()
        (webhook, _, p99), (bare, *_), (nothing, *_), (durable, *_), *on_big = (target.report() for target in targets)
        with opened(env["DATABASE"]) as db:
            counts = dict(db.execute("SELECT direction, COUNT(*) FROM messages GROUP BY direction").fetchall())
        print(f"webhook stored {counts.get('inbound', 0)} inbound SMS and {counts.get('outbound', 0)} replies")
    print(f"for reference, of the bare route: the webhook {webhook / bare:.0%}, with the core replaced by nothing"
          f" {nothing / bare:.0%}, by the least durable write {durable / bare:.0%}")
    print(f"webhook / least durable write: {webhook / durable:.0%} (target >= {DURABLE_SHARE_TARGET:.0%}:"
          f" {verdict(webhook / durable >= DURABLE_SHARE_TARGET)}); p99 {p99:.1f} ms at {args.concurrency}"
          f" clients (target <= {P99_TARGET_MS} ms at 32: {verdict(p99 <= P99_TARGET_MS)})")
    if on_big:
        share = on_big[0][0] / webhook
        print(f"webhook with {args.people:,} people and {args.messages:,} messages / on an empty database:"
              f" {share:.0%} (target >= {BIG_SHARE_TARGET:.0%}: {verdict(share >= BIG_SHARE_TARGET)})")


if __name__ == "__main__":
    main()
