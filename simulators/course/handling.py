"""Acknowledge fast, process after: a work queue on the lab clock, with retries and a dead-letter list.

    queue = WorkQueue(lab, work=activate, backoff=backoff, about=lambda event: {"customer": ...})
    queue.put(event, key=event["id"])   # returns at once; the work runs after, on the lab clock
    lab.settle()                        # first attempts have run
    lab.advance(hours=6)                # retries have run; what never worked is in queue.dead_letters

A job that raises is tried again after `backoff(attempt, rng)` seconds, up to
`max_attempts` times, then parked in `dead_letters` (never dropped) until
someone replays it. Every step is written to `queue.log` with the fields
`about(item)` gives, so `queue.history(customer="cus_…")` answers "what
happened to this customer's payment?".
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from simulators.learner import call

if TYPE_CHECKING:
    from simulators.endpoints import Endpoint
    from simulators.lab import Lab
    from simulators.learner import WebhookRequest

#: Payment events a receiver in the course listens to.
PAYMENT_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed")
FIRST_WAIT = 10.0
LONGEST_WAIT = 3600.0


def default_backoff(attempt: int, rng: random.Random) -> float:
    """Wait 10 s after the first failure, doubling up to an hour, each wait stretched or shrunk by up to half."""
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** (attempt - 1)) * rng.uniform(0.5, 1.5)


@dataclass(frozen=True)
class LogEntry:
    """One step of one job, on the lab clock."""

    at: datetime
    job: str
    attempt: int
    what: str
    error: str | None = None
    next_at: datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        about = " ".join(f"{key}={value}" for key, value in self.fields.items())
        line = f"[{self.at:%Y-%m-%d %H:%M:%S}] {self.job} {about}".rstrip() + f" · {self.what}"
        if self.attempt:
            line += f" (attempt {self.attempt})"
        if self.error:
            line += f": {self.error}"
        if self.next_at is not None:
            line += f"; next try at {self.next_at:%H:%M:%S}"
        return line


@dataclass
class Job:
    """An item of work and how it is going."""

    id: str
    item: Any
    fields: dict[str, Any]
    status: str = "queued"  # queued → done, or → dead
    attempts: int = 0
    last_error: str | None = None


class WorkQueue:
    """Work accepted now and done after, on the lab clock, retried with backoff, dead-lettered at the end."""

    def __init__(
        self,
        lab: Lab,
        work: Callable[[Any], Any],
        *,
        backoff: Callable[[int, random.Random], float] | None = None,
        max_attempts: int = 8,
        name: str = "work",
        about: Callable[[Any], dict[str, Any]] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts is at least 1, not {max_attempts!r}")
        self.lab = lab
        self.work = work
        self.backoff = backoff or default_backoff
        self.max_attempts = max_attempts
        self.name = name
        self.about = about
        self.rng = random.Random(f"{lab.seed}:{name}:backoff")
        self.jobs: dict[str, Job] = {}
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._count = 0

    # -- putting work in ---------------------------------------------------

    def put(self, item: Any, key: str | None = None) -> str:
        """Accept `item` now and schedule its first attempt; return the job id (`key`, if given)."""
        fields = self._fields(item)
        with self._lock:
            self._count += 1
            job_id = key or f"job_{self._count}"
            if job_id in self.jobs:
                # The same key twice is the caller's duplicate: keep both, told apart.
                job_id = f"{job_id}#{self._count}"
            job = Job(job_id, item, fields)
            self.jobs[job_id] = job
        self._write(job, 0, "queued")
        self.lab.clock.call_soon(lambda: self._attempt(job), name=f"{self.name}: {job_id}")
        return job_id

    def replay_dead_letters(self) -> list[str]:
        """Give every dead-lettered job a fresh set of attempts, starting now."""
        replayed = []
        for job in self.dead_letters:
            job.status, job.attempts = "queued", 0
            self._write(job, 0, "replayed from the dead-letter list")
            self.lab.clock.call_soon(functools.partial(self._attempt, job), name=f"{self.name}: replay {job.id}")
            replayed.append(job.id)
        return replayed

    # -- reading -----------------------------------------------------------

    @property
    def dead_letters(self) -> list[Job]:
        """Jobs that failed every attempt: parked here, never dropped."""
        return [job for job in self.jobs.values() if job.status == "dead"]

    @property
    def done(self) -> list[Job]:
        return [job for job in self.jobs.values() if job.status == "done"]

    @property
    def waiting(self) -> list[Job]:
        """Jobs still to be tried (first attempt or a retry)."""
        return [job for job in self.jobs.values() if job.status == "queued"]

    def history(self, job: str | None = None, **fields: Any) -> list[LogEntry]:
        """Log entries of one job, or of every job whose fields match (`customer="cus_…"`)."""
        return [
            entry
            for entry in self.log
            if (job is None or entry.job == job) and all(entry.fields.get(k) == v for k, v in fields.items())
        ]

    def summary(self) -> dict[str, int]:
        jobs = list(self.jobs.values())
        return {
            "jobs": len(jobs),
            "done": sum(job.status == "done" for job in jobs),
            "waiting": sum(job.status == "queued" for job in jobs),
            "dead": sum(job.status == "dead" for job in jobs),
            "attempts": sum(job.attempts for job in jobs),
        }

    # -- working -----------------------------------------------------------

    def _attempt(self, job: Job) -> None:
        if job.status != "queued":
            return
        job.attempts += 1
        # The work is learner code: any error means "not done yet".
        done = call(self.work, job.item, where=f"{self.name} work", now=self.lab.clock.now)
        if done.exception is not None:
            job.last_error = describe_error(done.exception)
            self._after_failure(job)
            return
        job.status = "done"
        self._write(job, job.attempts, "done")

    def _after_failure(self, job: Job) -> None:
        if job.attempts >= self.max_attempts:
            job.status = "dead"
            self._write(
                job, job.attempts, f"failed; gave up after {job.attempts} attempts → dead-letter list", job.last_error
            )
            return
        # Learner code again: a broken backoff must not lose the job.
        waited = call(lambda: float(self.backoff(job.attempts, self.rng)), where="backoff()", now=self.lab.clock.now)
        if waited.failure is not None or waited.value is None:
            delay = FIRST_WAIT
            job.last_error = f"{job.last_error}; backoff() raised {waited.failure.error if waited.failure else ''}"
        else:
            delay = waited.value
        delay = max(0.0, delay)
        next_at = self.lab.clock.time() + delay
        self._write(job, job.attempts, "failed", job.last_error, datetime.fromtimestamp(next_at, tz=timezone.utc))
        self.lab.clock.call_at(next_at, lambda: self._attempt(job), name=f"{self.name}: retry {job.id}")

    def _write(
        self, job: Job, attempt: int, what: str, error: str | None = None, next_at: datetime | None = None
    ) -> None:
        self.log.append(LogEntry(self.lab.clock.now(), job.id, attempt, what, error, next_at, dict(job.fields)))

    def _fields(self, item: Any) -> dict[str, Any]:
        if self.about is None:
            return {}
        about = self.about
        # A log label must never cost the work itself.
        labelled = call(lambda: dict(about(item)), where="about()", now=self.lab.clock.now)
        return labelled.value if labelled.value is not None else {}


def describe_error(exc: BaseException) -> str:
    """A short, port-free account of what went wrong, fit for a log line."""
    import requests  # only the course's HTTP work needs it

    if isinstance(exc, requests.Timeout):
        return "timed out waiting for an answer"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect (refused or reset)"
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


# -- the receiver the course wires between payments and provisioning ---------


@dataclass
class Pipeline:
    """A learner's receiver, hosted in the lab and subscribed to payments, with the queue behind it."""

    queue: WorkQueue
    endpoint: Endpoint
    seen: set[str]
    webhook_endpoint: dict[str, Any]

    def catch_up(self, timeout: float = 10.0) -> None:
        """Wait for deliveries the sender stopped waiting for (a slow receiver) to finish, then settle the lab."""
        lab = self.queue.lab
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lab.settle()
            sent = [
                a
                for a in lab.payments.outbox.attempts(endpoint_id=self.webhook_endpoint["id"])
                if a["outcome"] != "skipped" and a["error"] != "connection refused"
            ]
            if self.endpoint.requests.count() >= len(sent):
                break
            time.sleep(0.02)  # a request thread is still working: real time, not lab time
        lab.settle()


def customer_of(event: Any) -> dict[str, Any]:
    """Log fields for a payment event: its id and its customer."""
    if not isinstance(event, dict):
        return {}
    obj = (event.get("data") or {}).get("object") or {}
    return {"event": event.get("id"), "customer": obj.get("customer")}


def connect_receiver(
    lab: Lab,
    receive: Callable[[WebhookRequest, WorkQueue, set[str]], Any],
    activate: Callable[[dict[str, Any], str], Any],
    backoff: Callable[[int, random.Random], float] | None = None,
    *,
    events: tuple[str, ...] = PAYMENT_EVENTS,
    max_attempts: int = 8,
    retry_policy: str = "stripe",
    name: str = "receiver",
) -> Pipeline:
    """Put `receive` between payments and provisioning: payments → receive → queue → activate → provisioning.

    Provisioning's own webhook endpoint is removed, so only the learner's code
    activates accounts. `receive(request, queue, seen)` answers the webhook;
    `activate(event, provisioning_url)` does the work later and raises when it
    did not succeed; `backoff(attempt, rng)` says how long to wait before the next try.
    """
    own = lab.payments.provisioning_endpoint
    if own is not None:
        lab.payments.delete_endpoint(own["id"])
    provisioning_url = lab.provisioning.url
    queue = WorkQueue(
        lab,
        lambda event: activate(event, provisioning_url),
        backoff=backoff,
        max_attempts=max_attempts,
        name=name,
        about=customer_of,
    )
    seen: set[str] = set()
    endpoint = lab.host(lambda request: receive(request, queue, seen), name=name)
    webhook_endpoint = lab.payments.add_endpoint(endpoint.url, enabled_events=events, retry_policy=retry_policy)
    return Pipeline(queue, endpoint, seen, webhook_endpoint)
