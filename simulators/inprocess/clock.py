"""The lab clock without its worker thread: jobs run in the calling thread, in the same order.

The full edition's clock hands jobs to one worker thread, in (due time,
scheduling order), moving virtual time from job to job. This one runs the very
same jobs in that very order, but inside the call that makes them due:
`advance`/`run_until` and `settle`, and after each outermost in-process request
(what the worker would have picked up at once). A job's own calls that would
settle (a handler paying, say) run nothing: the job in progress comes first,
as on the worker.
"""

from __future__ import annotations

import heapq
import math
from datetime import datetime
from typing import Any

from ..clock import Clock, When, to_timestamp
from . import routes


class InlineClock(Clock):
    """A virtual `Clock` that runs its jobs in the thread that moves it; no thread of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("realtime"):
            raise ValueError("hooklab Lite runs on the virtual clock only (no thread can keep real time here)")
        super().__init__(*args, **kwargs)

    def _start_worker(self) -> None:
        routes.when_idle(self.run_due)

    def run_until(self, when: When) -> datetime:
        target = to_timestamp(when)
        if not math.isfinite(target):
            raise ValueError(f"the lab clock runs until a finite moment, not {when!r}")
        self._run_jobs_due_by(target)
        self._virtual_now = max(self._virtual_now, target)
        self._run_jobs_due_by(self._virtual_now)
        return self.now()

    def settle(self, timeout: float = 60.0) -> None:
        self.run_due()

    def run_due(self) -> None:
        """Run every job due now (and what they set off for now), unless a job or request is under way."""
        if not routes.serving():
            self._run_jobs_due_by(self._virtual_now)

    def _run_jobs_due_by(self, moment: float) -> None:
        if self._running is not None:
            return  # called from inside a job: it finishes first, as on the worker thread
        while not self._stopping:
            upcoming = self._next_job()
            if upcoming is None or upcoming.due > moment:
                return
            job = heapq.heappop(self._heap)
            self._virtual_now = max(self._virtual_now, job.due)
            self._running = job
            self._run(job)

    def stop(self) -> None:
        self._stopping = True
