"""One dispatch pass: expire, claim due reminders with a lease, decide, send through the gateway, record.

What to do with each claimed row is decided in `scheduler.decide` (pure: no database); this module
reads the facts it needs, claims, sends and records. Provider sends go up to SEND_CONCURRENCY at once,
each on a thread with its own connection, slowing down when Twilio answers 429 (`scheduler.sending`).

Guarantees, and what carries them:
- two passes (threads or processes) never take the same row: `reminders.claim_due` selects and
  leases in one BEGIN IMMEDIATE transaction, and every later write checks this pass still holds
  the lease (leases follow real time, and a chunk is sized to finish well within its lease);
- a pass that dies loses nothing: its rows stay `sending` until the lease ends, then any pass
  takes them again; a message the backend had accepted (it has a provider id in the log) is
  adopted instead of sent again. With Twilio, the messages that can go out twice are those in
  flight when the pass died: accepted by Twilio but their answers not yet written. A pass has at
  most SEND_CONCURRENCY calls in flight, so that is at most SEND_CONCURRENCY messages per dead pass
  (one when it is 1). Outbox sends are exactly-once: the message and the reminder's `sent` are
  written in the same transaction;
- what is decided for a person is decided before any send, in the pass's own thread, so sending
  several at once changes none of it (one reminder a person a day: a chunk is decided while the
  last one's calls may be under way, and `claim_due` takes no row of a person with another one
  `sending`); each send checks, right before its call, that its row is still held (a CARD, PAID
  or STOP since stops it) and that the quiet hours have not begun;
- one row no pass can make sense of (a date that does not parse, a kind with no text) stops only
  itself: any error deciding (`decide.decide`) or handling it (`DispatchPass._guarded`), other than
  the database's own, marks it `failed` with the error, and the rest of the chunk and every later
  pass go on.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import os
import secrets
import socket
import sqlite3
import time as wallclock
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlite_utils import Database

from scheduler import rules, texts
from scheduler.decide import Day, Decision, Facts, decide, error_text, retry_at
from scheduler.quiet import QuietHours
from scheduler.report import Line, PassReport
from scheduler.sending import THROTTLED, Sender, provider_chunk
from sms import gateway
from sms.delivery import OPTED_OUT_CODE
from sms.phones import mask
from webapp import journey
from webapp.store import immediate, iso, opened, people, reminders, savepoint, utcnow

log = logging.getLogger(__name__)

# Outbox sends are written many to a transaction; a real provider is called for each message.
OUTBOX_CHUNK = 500
# How each decision that sends nothing is recorded: action -> (the store's mark, the decision's
# value it takes, what the report says, why).
MARKS: dict[str, tuple[Callable[..., bool], str | None, str, str]] = {
    "adopt": (reminders.mark_sent, "message_id", "sent", "recovered"),
    "expire": (reminders.mark_expired, None, "expired", "older than the look-back window"),
    "mute": (reminders.mark_muted, None, "muted", ""),
    "supersede": (reminders.mark_superseded, None, "superseded", "its follow-up is due too"),
    "postpone": (reminders.mark_postponed, "at", "postponed", "one a day"),
}
# What a dry run reports for each decision that would change a reminder.
DRY_RUN_OUTCOMES = {"send": "sent", "fail": "failed", **{action: mark[2] for action, mark in MARKS.items()}}


class DispatchPass:
    """One pass at a fixed instant `now`; built by `run_pass`."""

    def __init__(self, db: Database, config: Mapping, now: datetime, owner: str | None = None) -> None:
        self.db, self.config, self.now = db, config, now
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.delays = rules.Delays.from_config(config)
        self.quiet = QuietHours.from_config(config)
        self.lease = timedelta(seconds=config["SEND_LEASE_SECONDS"])
        self.batched = config["SMS_BACKEND"] == "outbox"
        self.lanes = 1 if self.batched else config["SEND_CONCURRENCY"]
        self.chunk = OUTBOX_CHUNK if self.batched else provider_chunk(
            self.lease.total_seconds(), float(config.get("TWILIO_TIMEOUT_SECONDS") or 10), self.lanes)
        self.day = Day.at(now, self.delays, config["REMINDER_LOOKBACK_HOURS"])
        self._texts: dict[tuple, str] = {}
        self._started = wallclock.monotonic()

    def clock(self) -> datetime:
        """`now` moved on by the time this pass has taken: leases must cover real time, not the pass's
        start, or a long pass would hold rows another pass already considers abandoned."""
        return self.now + timedelta(seconds=wallclock.monotonic() - self._started)

    # -- the pass --------------------------------------------------------------------------------
    def run(self, dry_run: bool = False) -> PassReport:
        """Expire, then claim and handle chunks until nothing is due."""
        report = PassReport(self.now, dry_run)
        if dry_run:
            return self._dry_run(report)
        with immediate(self.db):
            report.expired = reminders.expire_stale(self.db, self.day.cutoff, self.now)
        with Sender(self.config["DATABASE"], self.lanes, self.db) as self.sender:
            self._chunks(report)
        _log(report)
        return report

    def _chunks(self, report: PassReport) -> None:
        handled: list[list[Line | None]] = []  # each chunk's lines, then its sends' (filled as they end)
        while True:
            claimed_at, at = wallclock.monotonic(), self.clock()
            # Checked before every chunk on the real clock: a long pass (a Twilio backlog) that runs
            # into the quiet hours holds the rest until they end.
            if self.quiet.contains(at):
                report.quiet_until = self.quiet.end_after(at)
                with immediate(self.db):
                    report.quiet_postponed += reminders.postpone_due(self.db, report.quiet_until, at)
                break
            rows = reminders.claim_due(self.db, at, self.owner, at + self.lease, self.chunk)
            if not rows:
                break
            handled += self._handle(rows, claimed_at)
        self.sender.wait()  # the last chunk's sends (each earlier one's ended while the next was decided)
        report.lines += [line for lines in handled for line in lines if line]

    def _dry_run(self, report: PassReport) -> PassReport:
        rows, oldest = [], iso(self.day.cutoff)
        for row in reminders.due(self.db, self.now):
            if row["state"] == "scheduled" and row["next_attempt_at"] < oldest:
                report.expired += 1
            else:
                rows.append(row)
        if self.quiet.contains(self.now):
            report.quiet_until = self.quiet.end_after(self.now)
            report.quiet_postponed = len(rows)
            return report
        for start in range(0, len(rows), OUTBOX_CHUNK):
            chunk = rows[start:start + OUTBOX_CHUNK]
            persons = self._people(chunk)
            for row, decision in self._decide(chunk, persons):
                if decision.action in DRY_RUN_OUTCOMES:
                    detail = decision.body or decision.error or (
                        f"until {decision.at:%Y-%m-%dT%H:%MZ}" if decision.at else "")
                    report.lines.append(self._line(row, persons, DRY_RUN_OUTCOMES[decision.action], detail))
        return report

    # -- one claimed chunk -----------------------------------------------------------------------
    def _people(self, rows: list[dict]) -> dict[int, dict]:
        return {person["id"]: person
                for person in people.people_by_ids(self.db, sorted({row["person_id"] for row in rows}))}

    def _decide(self, rows: list[dict], persons: dict[int, dict]) -> list[tuple[dict, Decision]]:
        reminded = reminders.people_reminded_since(self.db, list(persons), self.day.start)
        accepted = reminders.accepted_messages(self.db, [row["id"] for row in rows if row["state"] == "sending"])
        firsts = [row for row in rows if row["kind"] in rules.FOLLOWUP_OF]
        follow = reminders.followups(self.db, sorted({row["person_id"] for row in firsts}))
        # The lookups above only fetch text; each row's values are read in its own decision, so
        # one that does not parse fails that row alone.
        decisions = []
        for row in rows:
            pid, kind, subject = row["person_id"], row["kind"], row["subject"]
            facts = Facts(persons.get(pid), accepted.get(row["id"]),
                          follow.get((pid, rules.FOLLOWUP_OF.get(kind), subject)), pid in reminded)
            decision = decide(row, facts, self.day, self._text)
            if decision.reminds:  # the person's one reminder today: their next row waits
                reminded.add(pid)
            decisions.append((row, decision))
        return decisions

    def _text(self, kind: str, subject: str, lang: str | None, *, planned_on: date) -> str:
        # Rendered once per distinct text in a pass: a chunk of 500 holds a handful.
        key = (kind, subject, texts.language_of(lang), planned_on)
        if key not in self._texts:
            self._texts[key] = texts.render(kind, subject, lang, self.config, planned_on=planned_on)
        return self._texts[key]

    def _handle(self, rows: list[dict], claimed_at: float) -> list[list[Line | None]]:
        persons = self._people(rows)
        decisions = self._decide(rows, persons)
        lines: list[Line] = []
        # Everything but provider sends is written in one short transaction. Outbox sends go in it
        # too (`gateway.send(in_transaction=True)`): the outbox's delivery *is* the logged message, so
        # logging it and marking the reminder sent in the same transaction makes them exactly-once (no
        # window for a crash between the two) and 500 cost one commit instead of three each
        # (bench/reminders.py: several times the rate of the per-message path).
        in_chunk = [(row, decision) for row, decision in decisions if decision.action != "send" or self.batched]
        try:
            with immediate(self.db):
                lines += [self._apply(row, decision, persons) for row, decision in in_chunk]
        except sqlite3.OperationalError:
            raise
        except Exception:  # one row broke the chunk's transaction, all rolled back: again, one savepoint a row
            log.warning("a reminder failed inside a chunk of %d: applying them one by one", len(in_chunk))
            with immediate(self.db):
                lines += [self._guarded(self.db, row, persons,
                                        functools.partial(self._apply, row, decision, persons))
                          for row, decision in in_chunk]
        # Provider sends, up to SEND_CONCURRENCY at once: each job gets its thread's connection.
        sends = [functools.partial(self._send_guarded, row, decision, persons, claimed_at)
                 for row, decision in decisions if decision.action == "send" and not self.batched]
        return [lines, self.sender.submit(sends)]

    def _send_guarded(self, row: dict, decision: Decision, persons: dict[int, dict], claimed_at: float,
                      db: Database) -> Line | None:
        return self._guarded(db, row, persons,
                             functools.partial(self._send_in_time, db, row, decision, persons, claimed_at))

    def _guarded(self, db: Database, row: dict, persons: dict[int, dict],
                 handle: Callable[[], Line | None]) -> Line | None:
        """Handle one row; an error that is the row's (not the database's) marks it `failed`, alone.

        Inside a transaction the row's writes are in a savepoint of their own, so a row that fails
        half-way (its message logged, say) leaves nothing behind.
        """
        try:
            if db.conn.in_transaction:
                with savepoint(db):
                    return handle()
            return handle()
        except sqlite3.OperationalError:
            raise  # locked, read-only, I/O: the rows stay leased and the next pass takes them back
        except Exception as error:
            log.exception("reminder %s: failed while handling it", row["id"])
            return self._fail(db, row, persons, error_text(error))

    def _fail(self, db: Database, row: dict, persons: dict[int, dict], error: str) -> Line:
        with immediate(db):
            done = reminders.mark_failed(db, row["id"], self.owner, error, self.now, attempted=False)
        return self._line(row, persons, "failed" if done else "lost", error)

    def _send_in_time(self, db: Database, row: dict, decision: Decision, persons: dict[int, dict],
                      claimed_at: float) -> Line | None:
        at = self.clock()
        if self.quiet.contains(at):  # the quiet hours began during this chunk
            with immediate(db):
                done = reminders.mark_postponed(db, row["id"], self.owner, self.quiet.end_after(at), at)
            return self._line(row, persons, "postponed" if done else "lost", "quiet hours")
        if wallclock.monotonic() - claimed_at > self.lease.total_seconds() / 2:
            with immediate(db):  # running late (slowed by 429s or timeouts): hand the rest back
                reminders.mark_postponed(db, row["id"], self.owner, self.now, self.now)
            return None
        return self._send(db, row, decision, persons[row["person_id"]])

    def _apply(self, row: dict, decision: Decision, persons: dict[int, dict]) -> Line:
        rid, action = row["id"], decision.action
        if action == "fail":
            return self._fail(self.db, row, persons, decision.error)
        if action == "gone":
            return self._line(row, persons, "lost", "person erased")
        if action in MARKS:
            mark, value, outcome, detail = MARKS[action]
            done = mark(self.db, rid, self.owner, *((getattr(decision, value),) if value else ()), self.now)
            if done and action == "supersede":  # the follow-up goes now rather than in up to a day
                reminders.bring_forward(self.db, row["person_id"], rules.FOLLOWUP_OF[row["kind"]],
                                        row["subject"], self.now)
            return self._line(row, persons, outcome if done else "lost", detail)
        # Outbox send, inside the chunk's transaction (the write lock is held): a row cancelled or
        # muted since the claim (CARD, PAID, STOP) is no longer ours, and gets no message.
        if not reminders.still_held(self.db, rid, self.owner):
            return self._line(row, persons, "lost", "cancelled, muted or lease lost")
        person = persons[row["person_id"]]
        result = gateway.send(self.db, self.config, person["phone"], decision.body, person_id=person["id"],
                              reminder_id=rid, now=self.now, in_transaction=True)
        if not result.ok or not reminders.mark_sent(self.db, rid, self.owner, result.message_id, self.now):
            # rolls the message back with the row's savepoint
            raise RuntimeError(f"reminder {rid}: {result.error or 'changed under the write lock'}")
        return self._line(row, persons, "sent", f"message {result.message_id}")

    def _send(self, db: Database, row: dict, decision: Decision, person: dict) -> Line:
        persons = {person["id"]: person}
        # Right before the provider call: a CARD, PAID or STOP since the claim cancelled or muted
        # the row (and cleared the lease). One arriving during the call itself cannot stop it.
        with immediate(db):
            held = reminders.still_held(db, row["id"], self.owner)
        if not held:
            return self._line(row, persons, "lost", "cancelled, muted or lease lost")
        try:
            result = gateway.send(db, self.config, person["phone"], decision.body,
                                  person_id=person["id"], reminder_id=row["id"], now=self.now)
        except sqlite3.IntegrityError:  # the person was erased between claim and send
            return self._line(row, persons, "lost", "person erased")
        except Exception as error:  # a backend bug must not kill the pass, nor retry one row forever
            log.exception("reminder %s: unexpected error from the gateway", row["id"])
            result = gateway.SendResult(0, "failed", error=error_text(error), transient=True)
        self.sender.called(throttled=result.error_code in THROTTLED)
        with immediate(db):
            if result.ok:
                done = reminders.mark_sent(db, row["id"], self.owner, result.message_id, self.now)
                if not done and reminders.mark_sent_after_park(db, row["id"], result.message_id, self.now):
                    return self._line(row, persons, "sent", f"message {result.message_id}; cancelled during the call")
                return self._line(row, persons, "sent" if done else "lost", f"message {result.message_id}")
            error = f"{result.error_code or ''} {result.error}".strip()
            if at := retry_at(row["attempts"], result.transient, self.config, self.now):
                done = reminders.mark_retry(db, row["id"], self.owner, at, error, self.now)
                return self._line(row, persons, "retry" if done else "lost", f"{error}; again at {at:%H:%M:%SZ}")
            done = reminders.mark_failed(db, row["id"], self.owner, error, self.now)
            if result.error_code == OPTED_OUT_CODE:  # the number sent STOP to Twilio: honour it everywhere
                journey.carrier_opted_out(db, person["phone"], journey.Clock(self.now, self.delays))
            return self._line(row, persons, "failed" if done else "lost", error)

    @staticmethod
    def _line(row: dict, persons: dict[int, dict], outcome: str, detail: str = "") -> Line:
        person = persons.get(row["person_id"])
        return Line(row["id"], mask(person["phone"]) if person else "-", row["kind"], row["subject"],
                    outcome, detail)


def _log(report: PassReport) -> None:
    # Every minute: say something only when the pass did something.
    busy = report.lines or report.expired or report.quiet_postponed
    log.log(logging.INFO if busy else logging.DEBUG, "%s", report.summary())


def run_pass(app: Flask, now: datetime | None = None, dry_run: bool = False, *,
             db: Database | None = None, owner: str | None = None) -> PassReport:
    """Run one dispatch pass at `now` (default: the clock) on the app's database."""
    now = (now or utcnow()).astimezone(UTC)
    with app.app_context():
        with contextlib.nullcontext(db) if db is not None else opened(app.config["DATABASE"]) as database:
            return DispatchPass(database, app.config, now, owner).run(dry_run)
