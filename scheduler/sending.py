"""Provider sends at Twilio's pace: up to SEND_CONCURRENCY at once, each on its own thread and connection.

A pass hands `Sender.submit` one job per reminder to send; a job takes the database connection of
the thread that runs it (a sqlite3 connection is never shared between threads) and returns the
report's line. `submit` returns once the last job has a lane, so the pass claims and decides its
next chunk while the last calls of this one are under way; `wait` waits for them all.

`Pace` decides how many calls may be in flight: additive increase, multiplicative decrease (AIMD),
the way TCP shares a link: Twilio's "too many requests" (429 / 20429) halves it and pauses every
lane for a moment; each call that goes through raises it again, by one per window of calls.
The twilio client does not expose the Retry-After header of a 429 (TwilioRestException keeps the
status, code and message only), so the pause is a fixed short backoff; the 429's row itself is
retried later like any transient error (Twilio's advice: a 429 was not processed, so it is safe).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlite_utils import Database

from webapp.store import connect

log = logging.getLogger(__name__)

T = TypeVar("T")
# What Twilio answers when an account sends faster than it accepts: HTTP 429, its error 20429.
THROTTLED = frozenset({429, 20429})
BACKOFF_SECONDS = 1.0
# A chunk is sent within half its lease even if every call times out (see `provider_chunk`); and one
# lane never claims more than this, so several passes share a big backlog.
MAX_CHUNK_PER_LANE = 50


def provider_chunk(lease_seconds: float, timeout: float, lanes: int) -> int:
    """How many reminders a pass claims at once when each costs a provider call of up to `timeout`.

    Serially, a chunk of `lease / (2 * timeout)` is sent within half its lease even if every call
    times out, so no other pass can take rows this one is still working through. With `lanes` calls
    at once, `lanes` times as many take the same time. If 429s slow the pace below `lanes` mid-chunk,
    the chunk takes longer: the pass then hands back what it has not started once half the lease has
    gone (`DispatchPass._send_in_time`); a call started just before still ends within one timeout,
    well inside the lease.
    """
    per_lane = max(1, min(MAX_CHUNK_PER_LANE, int(lease_seconds / (2 * timeout))))
    return per_lane * lanes


class Pace:
    """How many provider calls may be in flight: at most `most`, halved on 429, climbing back slowly."""

    def __init__(self, most: int, backoff: float = BACKOFF_SECONDS) -> None:
        self.most, self.backoff = most, backoff
        self.limit, self.in_flight, self.epoch, self.resume_at = float(most), 0, 0, 0.0
        self._changed = threading.Condition()

    def acquire(self) -> int:
        """Wait for a free slot (and the end of a pause); the pace's epoch, for `release`."""
        with self._changed:
            while (wait := self.resume_at - time.monotonic()) > 0 or self.in_flight >= int(self.limit):
                self._changed.wait(wait if wait > 0 else None)
            self.in_flight += 1
            return self.epoch

    def release(self, epoch: int, throttled: bool | None) -> None:
        """A slot is free again; `throttled`: the call answered 429 (None: no call was made)."""
        with self._changed:
            self.in_flight -= 1
            # Calls already in flight when the limit fell met the old limit: one halving per burst.
            if throttled and epoch == self.epoch:
                self.limit, self.epoch = max(1.0, self.limit / 2), self.epoch + 1
                self.resume_at = time.monotonic() + self.backoff
                log.warning("Twilio answered 429 (too many requests): %d at once from now on, pausing %.1f s",
                            int(self.limit), self.backoff)
            elif throttled is False:
                self.limit = min(float(self.most), self.limit + 1 / self.limit)
            self._changed.notify_all()


class Sender:
    """Runs a pass's send jobs in order, up to `lanes` at once; with one lane, inline on `db`.

    Use as a context manager (the lanes' threads and connections, started at the first job, live as
    long as the pass). A job that raises (the pass's jobs raise only the database's errors) stops the
    sending: no job is started after it, those in flight finish, and the error is raised (by `submit`
    or `wait`), so the rest stay leased.
    """

    def __init__(self, path: str, lanes: int, db: Database) -> None:
        self.path, self.lanes, self.db = path, lanes, db
        self.pace = Pace(lanes)
        self._jobs: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._failure: BaseException | None = None
        self._called = threading.local()

    def __enter__(self) -> Sender:
        return self

    def _start(self) -> None:
        # At the first send, not with the pass: most passes (one a minute) have nothing to send.
        self._threads = [threading.Thread(target=self._lane, name=f"send-{n}", daemon=True)
                         for n in range(self.lanes)]
        for thread in self._threads:
            thread.start()

    def __exit__(self, *exc) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def called(self, throttled: bool) -> None:
        """From a job: its provider call was made; `throttled`: it answered 429."""
        self._called.outcome = throttled

    def submit(self, jobs: list[Callable[[Database], T]]) -> list[T | None]:
        """Start the jobs in order, as the pace allows; their results, in order, filled as they end."""
        results: list = [None] * len(jobs)
        if jobs and self.lanes > 1 and not self._threads:
            self._start()
        for index, job in enumerate(jobs):
            epoch = self.pace.acquire()
            if self._failure is not None:  # stop now: claim no more rows for the pass to hold
                self.pace.release(epoch, None)
                self.wait()
            if self.lanes == 1:
                self._run_one(self.db, job, epoch, results, index)
            else:
                self._jobs.put((job, epoch, results, index))
        return results

    def wait(self) -> None:
        """Until every job submitted has ended; then raises the first job's error, if one raised."""
        self._jobs.join()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _run_one(self, db: Database | None, job: Callable, epoch: int, results: list, index: int) -> None:
        self._called.outcome = None
        try:
            if db is not None and self._failure is None:
                results[index] = job(db)
        except BaseException as error:
            self._failure = self._failure or error
        finally:
            self.pace.release(epoch, self._called.outcome)

    def _lane(self) -> None:
        db = None
        try:
            db = connect(self.path)
        except BaseException as error:  # the jobs it takes are not run: the pass stops with this
            self._failure = self._failure or error
        try:
            while (item := self._jobs.get()) is not None:
                try:
                    self._run_one(db, *item)
                finally:
                    self._jobs.task_done()
        finally:
            if db is not None:
                db.close()
