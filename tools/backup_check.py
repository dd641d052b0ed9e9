"""`make backup-check`: the service and Litestream for real on loopback, SIGKILL, restore, and what the restore holds.

Run: `.venv/bin/python tools/backup_check.py [--keep DIR]`. Prints each step, the figures (recovery point,
how long an erased number stays restorable) and exits 1 if a check fails.
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backup_rig import BIN, Service, flask, holds, rfc3339, sqlite_files, wall  # noqa: E402

from webapp.backup import Timings, litestream_yaml  # noqa: E402
from webapp.store import connect  # noqa: E402
from webapp.store import migrations as schema  # noqa: E402

# Seconds instead of hours, so the retention can be seen to end; the same generator as `flask backup config`.
TIMINGS = Timings(monitor="1s", sync="1s", snapshot="2s", retention="4s", levels=("1s", "2s", "4s"),
                  l0_retention="1s", l0_check="1s")
RECOVERY_BOUND = 2.0  # monitor + sync: a write older than this at the kill must be in the replica
RETENTION, SNAPSHOT = 4.0, 2.0
ERASED = "+33612000000"
PEOPLE = [f"+336120000{n:02d}" for n in range(8)]  # ERASED is the first


@dataclass
class Report:
    """What the check did and found: lines to print, and the checks that failed."""

    failures: list[str] = field(default_factory=list)

    def step(self, text: str) -> None:
        print(f"  {text}", flush=True)

    def check(self, ok: bool, text: str) -> None:
        print(f"  [{'ok' if ok else 'FAILED'}] {text}", flush=True)
        if not ok:
            self.failures.append(text)


def query(database: Path, sql: str, *args) -> list[tuple]:
    """Rows of a read on a file (the service may be running: SQLite's locks keep it consistent)."""
    with sqlite3.connect(database, timeout=10) as conn:
        return conn.execute(sql, args).fetchall()


def litestream_restore(config: Path, database: Path, target: Path, at: datetime | None = None) -> bool:
    """`litestream restore -o target` (to the state at `at`); False when the replica has no state for that instant."""
    command = [str(BIN / "litestream"), "restore", "-config", str(config), "-o", str(target)]
    if at is not None:
        command += ["-timestamp", rfc3339(at)]
    result = subprocess.run(command + [str(database)], capture_output=True, text=True, timeout=60)
    return result.returncode == 0 and target.exists()


def due_instants(database: Path, kind_prefix: str) -> list[datetime]:
    """A minute after each distinct due time of scheduled reminders of this kind (card, claim)."""
    rows = query(database, "SELECT DISTINCT due_at FROM reminders WHERE state = 'scheduled' AND kind LIKE ?"
                 " ORDER BY due_at", f"{kind_prefix}%")
    return [datetime.fromisoformat(row[0].replace("Z", "+00:00")) + timedelta(minutes=1) for row in rows]


def run_passes(env: dict, instants: list[datetime]) -> None:
    """`flask reminders run --now` at each instant."""
    for instant in instants:
        flask(env, "reminders", "run", "--now", instant.isoformat())


def sent_reminders(database: Path) -> Counter:
    """Outbound messages per reminder id."""
    return Counter(row[0] for row in query(database, "SELECT reminder_id FROM messages WHERE direction = 'outbound'"
                                                     " AND reminder_id IS NOT NULL"))


def erasure_and_retention(service: Service, config: Path, work: Path, report: Report) -> None:
    """DELETE one number, restore before it (has it), then keep writing until no restore has it any more."""
    before = wall()
    time.sleep(1.0)
    first = len(service.replies)
    answer = service.text(ERASED, "DELETE").answer
    erased_at = time.time()
    report.step(f"DELETE from {ERASED[:6]}…: answered {answer[:1]}")
    earlier = work / "before-erasure.sqlite3"
    restored = litestream_restore(config, service.database, earlier, before)
    report.check(restored and bool(holds([earlier], ERASED)),
                 "a restore to a moment before the DELETE, within the retention, still holds the number")
    local_gone = replica_gone = None
    traffic = 0
    deadline = erased_at + RETENTION + 3 * SNAPSHOT + 30
    while time.time() < deadline and replica_gone is None:
        for _ in range(2):  # writes keep coming (new people texting): snapshots and compactions go on
            service.text(f"+336130{traffic:05d}", "SENT ONLINE")
            traffic += 1
            time.sleep(0.4)
        if local_gone is None and not holds(sqlite_files(service.database), ERASED):
            local_gone = time.time() - erased_at
        if replica_gone is None:
            probes = [work / f"probe-{traffic}-{name}.sqlite3" for name in ("before", "latest")]
            found = [litestream_restore(config, service.database, probes[0], before),
                     litestream_restore(config, service.database, probes[1])]
            if not found[1]:
                report.check(False, "a restore of the latest state works while the retention runs")
                return
            if not holds([probe for probe, ok in zip(probes, found, strict=True) if ok], ERASED):
                replica_gone = time.time() - erased_at
                report.step(f"after {replica_gone:.1f} s a restore to before the DELETE "
                            f"{'holds the state without the number' if found[0] else 'is refused (retention)'}")
            for probe in probes:
                probe.unlink(missing_ok=True)
    report.check(replica_gone is not None, "after the retention no restore holds the erased number"
                 + (f" ({replica_gone:.1f} s after the DELETE; retention {RETENTION:.0f} s,"
                    f" snapshot every {SNAPSHOT:.0f} s)" if replica_gone is not None else ""))
    waited = time.time() - erased_at
    report.step(f"the service's database and -wal no longer held it {local_gone:.1f} s after the DELETE"
                if local_gone is not None else
                f"the service's -wal still held it {waited:.1f} s after the DELETE: Litestream's read transaction keeps"
                " the service's TRUNCATE checkpoint busy (Litestream's own checkpoint lets the WAL be overwritten)")
    slowest = max(reply.took for reply in service.replies[first:])
    report.step(f"texts answered after the DELETE: {len(service.replies) - first}, the slowest in {slowest:.2f} s")


def run(work: Path, report: Report) -> None:
    """The whole scenario in `work`."""
    database, replica, config, logs = work / "app.sqlite3", work / "replica", work / "litestream.yml", work / "logs"
    logs.mkdir()
    config.write_text(litestream_yaml(str(database), str(replica), TIMINGS))
    service = Service(database, replica, config, logs)
    flask(service.env, "migrate")
    service.start()
    report.step(f"gunicorn (2 workers), python -m scheduler and litestream replicate on {database.name}, replica in"
                f" {replica.name}/ (sync {TIMINGS.sync}, snapshot {TIMINGS.snapshot}, retention {TIMINGS.retention})")
    try:
        for phone in PEOPLE:
            for body in ("SENT ONLINE", "CLAIM"):
                service.text(phone, body)
        report.step(f"{len(service.replies)} signed texts from {len(PEOPLE)} people answered")
        run_passes(service.env, due_instants(database, "card")[:1])
        early = set(sent_reminders(database))
        report.step(f"reminder pass: {len(early)} card reminders sent (outbox)")
        erasure_and_retention(service, config, work, report)
        time.sleep(RECOVERY_BOUND + 1)
        burst_from = len(service.replies)
        for n in range(8):  # the last seconds: texts, a pass, texts; then everything dies at once
            service.text(f"+336140{n:05d}", "SENT ONLINE")
        run_passes(service.env, due_instants(database, "claim")[:1])
        end = time.time() + 1.5
        n = 8
        while time.time() < end:
            service.text(f"+336140{n:05d}", "SENT ONLINE")
            n += 1
    finally:
        killed_at = service.kill()
    report.step(f"SIGKILL to gunicorn, the scheduler and litestream; {len(service.replies) - burst_from} texts"
                " were answered in the last seconds")
    after_kill(service, work, killed_at, early, report)


def after_kill(service: Service, work: Path, killed_at: float, early: set[int], report: Report) -> None:
    """Restore into a new file and check it against what the dead service had answered and sent."""
    original = sent_reminders(service.database)
    restored = work / "restored" / "app.sqlite3"
    restored.parent.mkdir()
    flask(service.env, "backup", "restore", "--to", str(restored))
    report.step(f"flask backup restore --to {restored.relative_to(work)}")
    with connect(restored) as db:
        pending = [m.name for m in schema.migrations.pending(db)]
        inbound = {row[0] for row in db.execute("SELECT twilio_sid FROM messages WHERE direction = 'inbound'")}
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    report.check(integrity == "ok" and not pending, f"schema current (integrity {integrity}, pending {pending})")
    kept = [r for r in service.replies if r.phone != ERASED]
    present = [r for r in kept if r.sid in inbound]
    lost = [r for r in kept if r.sid not in inbound]
    old_lost = [r for r in lost if killed_at - r.answered_at > RECOVERY_BOUND]
    report.check(not old_lost, f"every text answered more than {RECOVERY_BOUND:.0f} s before the kill is restored"
                 f" ({len(present)}/{len(kept)} restored; lost: {len(lost)}, of them older: {len(old_lost)})")
    newest = min(killed_at - r.answered_at for r in present)
    oldest_lost = max((killed_at - r.answered_at for r in lost), default=None)
    report.step(f"recovery point: the newest restored text was answered {newest:.2f} s before the kill"
                + (f"; the oldest lost one {oldest_lost:.2f} s before it" if oldest_lost is not None else
                   "; none was lost"))
    report.check(not holds([restored], ERASED), "the erased number is not in the restored file")
    before_passes = sent_reminders(restored)
    again = Service(restored, service.replica, None, service.logs)
    again.start(scheduler=False)
    try:
        answer = again.text(PEOPLE[1], "STATUS").answer
        report.check(bool(answer), "the app on the restored file answers a text (STATUS)")
        run_passes(again.env, due_instants(restored, "card") + due_instants(restored, "claim"))
    finally:
        again.kill()
    after = sent_reminders(restored)
    twice = [rid for rid, count in after.items() if count > 1]
    early_kept = early & set(original)
    report.check(not twice and all(after[rid] == 1 for rid in early_kept),
                 f"no reminder sent twice in the restored file; the {len(early_kept)} sent well before the kill"
                 " are not sent again")
    resent = [rid for rid in original if rid not in before_passes and after.get(rid)]
    report.step(f"sent by the dead service: {len(original)} reminders; sent again after the restore:"
                f" {len(resent)} (sent within the recovery point, not yet in the replica)")


def main(argv: list[str] | None = None) -> int:
    """Run the check in a temporary directory; 0 if every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="copy the work directory (files, logs) here at the end")
    args = parser.parse_args(argv)
    report = Report()
    print("backup check: Litestream replicating the service's database to a file replica, on loopback", flush=True)
    with tempfile.TemporaryDirectory(prefix="backup-check-") as tmp:
        try:
            run(Path(tmp), report)
        except Exception as error:  # a step that could not run is a failed check, with the logs kept
            report.check(False, f"the check could not finish: {error}")
        if args.keep:
            shutil.copytree(tmp, args.keep, dirs_exist_ok=True)
    print(f"backup check: {'FAILED: ' + '; '.join(report.failures) if report.failures else 'all checks passed'}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
