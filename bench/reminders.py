"""Benchmark: one dispatch pass into the outbox with 10 000 due reminders, among 10 000 then 1 000 000 people.

Prints the pass time and reminders/s for both sizes and their ratio. Targets (issue 4): the pass
costs the same whatever the number of people (ratio <= 1.5) and hands >= 2 000 reminders/s to the
outbox. Run: `.venv/bin/python bench/reminders.py [--sizes 10000,1000000] [--due 10000]`.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.dispatch import run_pass  # noqa: E402
from sms import gateway  # noqa: E402
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


def main() -> None:
    """Run both sizes and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        times = [measure(size, args.due, Path(tmp))[0] for size in sizes]
        # For comparison: the per-message path a real provider takes (three commits a message).
        gateway.BACKENDS["null"] = lambda config, to, body: gateway.Delivery("SMnull" + to, "queued")
        measure(sizes[0], args.due, Path(tmp), backend="null")
    ratio = times[-1] / times[0]
    rate = args.due / max(times)
    print(f"ratio {sizes[-1]:,} / {sizes[0]:,} people: {ratio:.2f} (target <= 1.5); "
          f"slowest {rate:,.0f} reminders/s into the outbox (target >= 2 000)")


if __name__ == "__main__":
    main()
