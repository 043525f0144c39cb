"""The lab clock and its scheduler.

Virtual by default: time stands still between calls, and `advance` runs every
scheduled job (deliveries, retries, outage windows, nightly jobs) in due order,
each over real HTTP, so three weeks of business take seconds and print the
same thing on every run. Real-time mode (optionally sped up) is for demos and
`hooklab serve`.

One worker thread runs every job, one at a time, in (due time, scheduling
order): that single order is what makes two labs with the same seed agree.
"""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from . import learner

#: Every lab starts here unless told otherwise: a Monday morning, so "day 21"
#: and "nightly at 02:00" read naturally in the notebooks.
DEFAULT_START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

When = datetime | float | int


@dataclass(order=True)
class Job:
    """A piece of work due at a moment on the lab clock."""

    due: float
    seq: int
    name: str = field(compare=False)
    fn: Callable[[], Any] = field(compare=False, repr=False)
    every: float | None = field(default=None, compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


@dataclass(frozen=True)
class JobFailure:
    """A job raised: recorded, shown, and the lab carries on."""

    name: str
    at: datetime
    error: str
    traceback: str


def to_timestamp(when: When) -> float:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.timestamp()
    return float(when)


def span(seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0) -> float:
    return seconds + 60 * minutes + 3600 * hours + 86400 * days


class Clock:
    """Business time for one lab, and the scheduler that runs on it."""

    def __init__(
        self,
        start: datetime = DEFAULT_START,
        *,
        realtime: bool = False,
        speed: float = 1.0,
        on_failure: Callable[[JobFailure], None] | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed!r}")
        self.realtime = realtime
        self.speed = speed
        self.failures: list[JobFailure] = []
        self._on_failure = on_failure
        self._start = to_timestamp(start)
        self._virtual_now = self._start
        self._offset = 0.0  # real-time mode: seconds skipped ahead with advance()
        self._t0 = time.monotonic()
        self._heap: list[Job] = []
        self._seq = itertools.count()
        # One lock, two conditions: the worker waits for work on `_wake`; callers of settle() and
        # run_until() wait on `_cond` for the work to be done. A new job wakes only the worker, and a
        # finished one wakes the callers only when they may be done, not after every job of a long run.
        lock = threading.RLock()
        self._cond = threading.Condition(lock)
        self._wake = threading.Condition(lock)
        self._running: Job | None = None
        #: While `run_until` runs on the virtual clock: the moment the worker may move time up to by itself.
        self._target: float | None = None
        #: Jobs finished so far: `run_until` waits for progress, not for a whole run, before giving up.
        self._finished = 0
        self._stopping = False
        #: Work handed off the worker thread (real-time deliveries on their endpoint's lane) not yet done:
        #: settle() waits for it as for a job.
        self._outside = 0
        self._start_worker()

    def _start_worker(self) -> None:
        self._worker = threading.Thread(target=self._work, name="hooklab-clock", daemon=True)
        self._worker.start()

    # -- reading the time -------------------------------------------------

    def time(self) -> float:
        """Seconds since the epoch on the lab clock."""
        if self.realtime:
            return self._start + self._offset + (time.monotonic() - self._t0) * self.speed
        return self._virtual_now

    def timestamp(self) -> int:
        return int(self.time())

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def elapsed(self) -> timedelta:
        """How long the lab has been running, in lab time."""
        return timedelta(seconds=self.time() - self._start)

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self._start, tz=timezone.utc)

    # -- scheduling -------------------------------------------------------

    def call_at(self, when: When, fn: Callable[[], Any], *, name: str = "") -> Job:
        return self._push(to_timestamp(when), fn, name or _name_of(fn), every=None)

    def call_later(self, delay: float | timedelta, fn: Callable[[], Any], *, name: str = "") -> Job:
        seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
        return self._push(self.time() + seconds, fn, name or _name_of(fn), every=None)

    def call_soon(self, fn: Callable[[], Any], *, name: str = "") -> Job:
        return self._push(self.time(), fn, name or _name_of(fn), every=None)

    def every(
        self,
        interval: float | timedelta,
        fn: Callable[[], Any],
        *,
        first: When | None = None,
        name: str = "",
    ) -> Job:
        """Run `fn` at `first` (default: one interval from now), then every `interval`."""
        seconds = interval.total_seconds() if isinstance(interval, timedelta) else float(interval)
        if seconds <= 0:
            raise ValueError(f"interval must be positive, not {seconds!r} seconds")
        due = to_timestamp(first) if first is not None else self.time() + seconds
        return self._push(due, fn, name or _name_of(fn), every=seconds)

    def pending(self) -> list[Job]:
        """Jobs still to run, soonest first."""
        with self._cond:
            return sorted(job for job in self._heap if not job.cancelled)

    def _push(self, due: float, fn: Callable[[], Any], name: str, every: float | None) -> Job:
        with self._cond:
            if self._stopping:
                raise RuntimeError("this lab has stopped; start a new Lab()")
            job = Job(due, next(self._seq), name, fn, every)
            heapq.heappush(self._heap, job)
            self._wake.notify_all()
            return job

    # -- moving time ------------------------------------------------------

    def advance(self, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0) -> datetime:
        """Move the clock forward, running everything that falls due on the way."""
        delta = span(seconds, minutes, hours, days)
        if not math.isfinite(delta):
            raise ValueError(f"the lab clock moves by a finite time, not {delta!r} seconds")
        if delta < 0:
            raise ValueError("the lab clock only moves forward")
        return self.run_until(self.time() + delta)

    def run_until(self, when: When) -> datetime:
        """Run every job due up to `when`, in order, then stop the clock there."""
        target = to_timestamp(when)
        if not math.isfinite(target):
            raise ValueError(f"the lab clock runs until a finite moment, not {when!r}")
        if self.realtime:
            with self._cond:
                self._offset += max(0.0, target - self.time())
                self._wake.notify_all()
                self._cond.notify_all()
            self.settle()
            return self.now()
        # The worker moves the clock from job to job itself, in the same (due, seq) order: no
        # hand-over to this thread and back between two jobs (thousands in the case study).
        with self._cond:
            self._target = target
            self._wake.notify_all()
            try:
                self._wait_until_done(target)
            finally:
                self._target = None
            self._virtual_now = max(self._virtual_now, target)
            self._wake.notify_all()
            self._cond.notify_all()
        self.settle()
        return self.now()

    def _wait_until_done(self, target: float, timeout: float = 60.0) -> None:
        """Wait (holding the condition) until no job due by `target` is waiting or running."""
        finished, deadline = self._finished, time.monotonic() + timeout
        while not self._stopping:
            if self._running is None and not self._due_by(target):
                return
            upcoming = self._next_job()
            if self._finished != finished:  # progress: a slow run is not a stuck one
                finished, deadline = self._finished, time.monotonic() + timeout
            left = deadline - time.monotonic()
            if left <= 0:
                stuck = self._running.name if self._running else upcoming.name  # type: ignore[union-attr]
                raise TimeoutError(f"the lab did not settle within {timeout:g} s; still busy with {stuck!r}")
            self._cond.wait(left)

    def settle(self, timeout: float = 60.0) -> None:
        """Return once nothing due now is waiting or running."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._busy():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"the lab did not settle within {timeout:g} s; still busy with {self._busy_with()}"
                    )
                self._cond.wait(min(left, 0.05) if self.realtime else left)

    def _busy_with(self) -> str:
        """What settle() is still waiting for, in words (holding the condition)."""
        if self._running is not None:
            return repr(self._running.name)
        if self._outside:  # deliveries on their endpoints' lanes; the next queued job may not be due at all
            return f"{self._outside} delivery attempt(s) on their endpoints' lanes"
        upcoming = self._next_job()
        return repr(upcoming.name) if upcoming is not None else "nothing it can name"

    def _busy(self) -> bool:
        if self._stopping:
            return False
        if self._running is not None or self._outside:
            return True
        upcoming = self._next_job()
        return upcoming is not None and upcoming.due <= self.time()

    def _due_by(self, moment: float) -> bool:
        """Whether a job is waiting that falls due by `moment`."""
        upcoming = self._next_job()
        return upcoming is not None and upcoming.due <= moment

    def _next_job(self) -> Job | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0] if self._heap else None

    # -- the worker -------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._wait_for_due_job()
                if job is None:
                    return
                self._running = job
            self._run(job)

    def _run(self, job: Job) -> None:
        """Run one job taken off the heap (`_running` names it), then put a repeating one back."""
        try:
            # A job may be learner code (a nightly job, an automation): its failure is recorded, the clock runs on.
            outcome = learner.call(job.fn, where=f"scheduled job {job.name!r}", now=self.now)
            if outcome.failure is not None:
                self._record_failure(job.name, outcome.failure)
        finally:
            with self._cond:
                self._running = None
                self._finished += 1
                if job.every is not None and not job.cancelled and not self._stopping:
                    job.due += job.every
                    job.seq = next(self._seq)
                    heapq.heappush(self._heap, job)
                if self._target is None or not self._due_by(self._target):
                    self._cond.notify_all()

    def _wait_for_due_job(self) -> Job | None:
        while not self._stopping:
            upcoming = self._next_job()
            if upcoming is not None and upcoming.due <= self.time():
                return heapq.heappop(self._heap)
            if upcoming is not None and self._target is not None and upcoming.due <= self._target:
                self._virtual_now = max(self._virtual_now, upcoming.due)  # run_until lets the worker move time
                return heapq.heappop(self._heap)
            if self.realtime and upcoming is not None:
                self._wake.wait(min(0.05, (upcoming.due - self.time()) / self.speed))
            else:
                self._wake.wait(0.5 if self.realtime else None)
        return None

    # -- work done off the worker thread --------------------------------------

    def begin_outside(self) -> None:
        """Count a piece of this lab's work that runs on another thread, so settle() waits for it."""
        with self._cond:
            self._outside += 1

    def end_outside(self, name: str, failure: learner.HandlerFailure | None = None) -> None:
        """That work is done; a failure is recorded as a job's would be."""
        if failure is not None:
            self._record_failure(name, failure)
        with self._cond:
            self._outside -= 1
            if not self._outside:
                self._cond.notify_all()

    def _record_failure(self, name: str, raised: learner.HandlerFailure) -> None:
        failure = JobFailure(name=name, at=raised.at, error=raised.error, traceback=raised.traceback)
        self.failures.append(failure)
        if self._on_failure is not None:
            self._on_failure(failure)

    def stop(self) -> None:
        """Stop the worker; jobs not yet run are dropped (their state is in SQLite)."""
        with self._cond:
            self._stopping = True
            self._wake.notify_all()
            self._cond.notify_all()
        if self._worker.is_alive() and threading.current_thread() is not self._worker:
            self._worker.join(timeout=30)

    @property
    def stopped(self) -> bool:
        return self._stopping


def _name_of(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
