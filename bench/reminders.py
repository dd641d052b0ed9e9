"""Benchmark: one dispatch pass into the outbox, then through the real twilio client to a fake Twilio.

Outbox: 10 000 due reminders among 10 000 then 1 000 000 people; prints the pass time and reminders/s
for both sizes and their ratio. Targets (issue 4): the pass costs the same whatever the number of
people (ratio <= 1.5) and hands >= 2 000 reminders/s to the outbox.

Twilio (issue 13): 400 due reminders sent through the real `twilio` client to tests/fake_twilio.py
answering each request in 150 ms, SEND_CONCURRENCY=8; target >= 80% of SEND_CONCURRENCY / latency
(42.7/s at 8 and 150 ms); beside it, one at a time (SEND_CONCURRENCY=1, the pass as it was), and for
both the time 10 000 reminders due at 10:00 would take.

Run: `.venv/bin/python bench/reminders.py [--runs outbox,twilio] [--sizes 10000,1000000] [--due 10000]
[--twilio-due 400] [--serial-due 100] [--latency 0.15] [--concurrency 8]`.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.dispatch import run_pass  # noqa: E402
from sms import gateway  # noqa: E402
from tests.fake_twilio import FakeTwilio  # noqa: E402
from webapp.app import create_app  # noqa: E402
from webapp.store import connect, iso  # noqa: E402
from webapp.store.migrations import apply  # noqa: E402

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # 10:00 in Paris: outside quiet hours
BATCH = 50_000


def fill(path: Path, people: int, due: int) -> None:
    """People, each with a card reminder and its follow-up; `due` of them due now, half the rest sent."""
    db = connect(path)
    apply(db)
    now, past, future = iso(NOW), iso(NOW - timedelta(days=40)), iso(NOW + timedelta(days=7))
    conn = db.conn
    conn.execute("BEGIN")
    for start in range(0, people, BATCH):
        ids = range(start + 1, min(people, start + BATCH) + 1)
        conn.executemany(
            "INSERT INTO people (id, phone, lang, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            ((i, f"+336{i:08d}", "en" if i % 3 == 0 else "fr", past, past) for i in ids))
        rows = []
        for i in ids:
            if i <= due:  # due now
                rows.append((2 * i, i, "card_due", "card", now, "scheduled", now, None))
            elif i % 2:  # sent long ago
                rows.append((2 * i, i, "card_due", "card", past, "sent", past, past))
            else:  # due next week
                rows.append((2 * i, i, "card_due", "card", future, "scheduled", future, None))
            rows.append((2 * i + 1, i, "card_followup", "card", future, "scheduled", future, None))
        conn.executemany(
            "INSERT INTO reminders (id, person_id, kind, subject, due_at, state, next_attempt_at, sent_at,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row + (past, past) for row in rows))
        conn.executemany(  # the message log of the reminders already sent
            "INSERT INTO messages (direction, person_id, phone, body, encoding, segments, status,"
            " twilio_sid, reminder_id, created_at, updated_at) VALUES"
            " ('outbound', ?, ?, 'x', 'GSM-7', 1, 'delivered', ?, ?, ?, ?)",
            ((i, f"+336{i:08d}", f"SM{i:032x}", 2 * i, past, past) for i in ids if i > due and i % 2))
    conn.commit()
    db.execute("ANALYZE")
    db.close()


def measure(people: int, due: int, workdir: Path, backend: str = "outbox") -> tuple[float, int]:
    """Fill a fresh database and time one pass; return (seconds, reminders sent)."""
    path = workdir / f"bench-{people}.sqlite3"
    started = time.perf_counter()
    fill(path, people, due)
    print(f"  filled {people:>9,} people in {time.perf_counter() - started:5.1f} s", flush=True)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench", "SMS_BACKEND": "outbox",
                      "TWILIO_ACCOUNT_SID": None, "QUIET_HOURS": "20:00-09:00"})
    app.config["SMS_BACKEND"] = backend  # may be the null backend registered in main(), not a setting value
    app.config["SEND_CONCURRENCY"] = 1  # the per-message path's own cost, one at a time (threads: see twilio)
    started = time.perf_counter()
    report = run_pass(app, NOW)
    seconds = time.perf_counter() - started
    sent = report.count("sent")
    db = connect(path)
    logged = db.execute("SELECT COUNT(*) FROM messages WHERE created_at = ?", (iso(NOW),)).fetchone()[0]
    db.close()
    assert sent == logged == due, (sent, logged, due)
    where = "into the outbox" if backend == "outbox" else "one by one through gateway.send (null backend)"
    print(f"  {people:>9,} people, {due:,} due: pass {seconds:6.2f} s, {sent / seconds:8,.0f} reminders/s "
          f"{where}", flush=True)
    path.unlink()
    return seconds, sent


def outbox(args: argparse.Namespace, workdir: Path) -> None:
    """Both sizes into the outbox and their ratio, and the per-message path for comparison."""
    sizes = [int(size) for size in args.sizes.split(",")]
    times = [measure(size, args.due, workdir)[0] for size in sizes]
    # For comparison: the per-message path a real provider takes (three commits a message).
    gateway.BACKENDS["null"] = lambda config, to, body: gateway.Delivery("SMnull" + to, "queued")
    measure(sizes[0], args.due, workdir, backend="null")
    ratio = times[-1] / times[0]
    rate = args.due / max(times)
    print(f"ratio {sizes[-1]:,} / {sizes[0]:,} people: {ratio:.2f} (target <= 1.5); "
          f"slowest {rate:,.0f} reminders/s into the outbox (target >= 2 000)")

def serve_fake(latency: float) -> None:
    """In a child process: a fake Twilio, its settings on stdout; at a line on stdin, what it saw."""
    with FakeTwilio(latency=latency) as fake:  # a ThreadingHTTPServer: requests are answered in parallel
        print(json.dumps(fake.config()), flush=True)
        sys.stdin.readline()
        print(json.dumps({"messages": len(fake.messages), "max_in_flight": fake.max_in_flight}), flush=True)


def measure_twilio(due: int, lanes: int, latency: float, workdir: Path) -> float:
    """One pass sending `due` reminders through the twilio client to a fake Twilio; reminders/s.

    The fake runs in its own process, as Twilio does: in this one its threads would take the GIL
    from the pass's and the figure would count the fake's work as the pass's.
    """
    path = workdir / f"bench-twilio-{lanes}.sqlite3"
    fill(path, due, due)
    fake = subprocess.Popen([sys.executable, __file__, "--serve-fake", str(latency)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "bench", "QUIET_HOURS": "20:00-09:00",
                      **json.loads(fake.stdout.readline()), "SEND_CONCURRENCY": lanes})
    started = time.perf_counter()
    report = run_pass(app, NOW)
    seconds = time.perf_counter() - started
    seen = json.loads(fake.communicate("done\n", timeout=30)[0])
    assert report.count("sent") == seen["messages"] == due, (report.count("sent"), seen, due)
    most = seen["max_in_flight"]
    path.unlink()
    rate = due / seconds
    print(f"  SEND_CONCURRENCY={lanes}: {due} reminders in {seconds:6.2f} s, {rate:6.1f} reminders/s "
          f"(at most {most} requests at once at the fake); 10 000 due at 10:00 take "
          f"{10_000 / rate / 60:5.1f} min", flush=True)
    return rate


def twilio(args: argparse.Namespace, workdir: Path) -> None:
    """The concurrent pass against its target, beside the serial one."""
    print(f"through the twilio client, {args.latency * 1000:.0f} ms a request:", flush=True)
    rate = measure_twilio(args.twilio_due, args.concurrency, args.latency, workdir)
    serial = measure_twilio(args.serial_due, 1, args.latency, workdir)
    target = 0.8 * args.concurrency / args.latency
    print(f"{rate:.1f} reminders/s at SEND_CONCURRENCY={args.concurrency} (target >= {target:.1f}: "
          f"{'PASS' if rate >= target else 'FAIL'}); one at a time {serial:.1f}/s ({rate / serial:.1f}x)")


def main() -> None:
    """Run the outbox sizes and print the ratio, then the runs through the twilio client."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="outbox,twilio")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--twilio-due", type=int, default=400)
    parser.add_argument("--serial-due", type=int, default=100)  # one at a time is steady from the first
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--serve-fake", type=float, metavar="LATENCY", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake is not None:
        return serve_fake(args.serve_fake)
    runs = args.runs.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        if "outbox" in runs:
            outbox(args, Path(tmp))
        if "twilio" in runs:
            twilio(args, Path(tmp))


if __name__ == "__main__":
    main()
