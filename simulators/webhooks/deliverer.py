"""The deliverer: runs each delivery attempt on the lab clock and settles its outcome.

At a delivery's due time: look its endpoint up afresh, POST the raw JSON,
signed; a 2xx within the timeout is success, anything else (a redirect, a
timeout, a refused connection, a 5xx) is a failure, recorded in the delivery
log and retried by the endpoint's policy. The lab delivers to this machine
only (`LOOPBACK`): senders refuse other URLs when an endpoint is made, and the
deliverer refuses them again here, so no event ever leaves the machine.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from ..clock import Clock
from ..http import WebhookClient
from .deliverylog import DeliveryLog, Outcome
from .lanes import Lanes
from .retry import RetryPolicy
from .signing import Signer

EXCERPT = 500
USER_AGENT = "hooklab-webhooks/1.0"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Target:
    """Where a delivery goes, looked up afresh before every attempt."""

    endpoint_id: str
    url: str
    secret: str = field(repr=False)  # a printed target must not show the signing secret
    policy: RetryPolicy
    enabled: bool = True


def is_loopback(url: str) -> bool:
    """Whether `url` points at this machine (the only place the lab sends traffic)."""
    try:
        return urlsplit(url).hostname in LOOPBACK
    except ValueError:
        return False


class Deliverer:
    """Attempts the deliveries of one delivery log."""

    def __init__(
        self,
        name: str,
        log: DeliveryLog,
        clock: Clock,
        *,
        rng: random.Random,
        sign: Signer,
        lookup: Callable[[str], Target | None],
        timeout: float,
        on_give_up: Callable[[dict[str, Any]], None] | None = None,
        on_endpoint_failing: Callable[[str, str], None] | None = None,
    ) -> None:
        self.name = name
        self.log = log
        self.clock = clock
        self.timeout = timeout
        self._rng = rng
        self._sign = sign
        self._lookup = lookup
        self._on_give_up = on_give_up
        self._on_endpoint_failing = on_endpoint_failing
        #: Share of successful deliveries sent a second time (a teaching knob).
        self.duplicate_rate = 0.0
        # Loopback only, on keep-alive pools: no new TCP connection (and server thread) per attempt,
        # and none of requests' per-request proxy and netrc lookups.
        self._client = WebhookClient(excerpt_chars=EXCERPT, user_agent=USER_AGENT)
        self._alive = False
        # Real time only: a slow receiver must delay its own endpoint, not the clock (see lanes).
        self._lanes = Lanes(clock, name) if clock.realtime else None

    def start(self) -> None:
        """Schedule every pending delivery (all of them, after a restart)."""
        self._alive = True
        for row in self.log.pending():
            self.schedule(row["id"], row["next_attempt_at"])

    def stop(self) -> None:
        self._alive = False
        if self._lanes is not None:
            self._lanes.stop()
        self._client.close()

    def schedule(self, delivery_id: str, due: float) -> None:
        """Attempt a delivery at `due` (lab time); a stopped deliverer leaves it to its restart."""
        if self._alive:
            self.clock.call_at(due, lambda: self.attempt(delivery_id, due), name=f"{self.name}: deliver {delivery_id}")

    def attempt(self, delivery_id: str, due: float) -> None:
        """Attempt a delivery now: on the clock's worker in virtual time, on its endpoint's lane in real time."""
        if not self._alive:
            return  # this system was stopped; its restart reschedules from the store
        if self._lanes is None:
            self._attempt_now(delivery_id, due)
            return
        row = self.log.delivery(delivery_id)
        if row is not None:
            self._lanes.submit(row["endpoint_id"], lambda: self._attempt_now(delivery_id, due))

    def _attempt_now(self, delivery_id: str, due: float) -> None:
        if not self._alive:
            return
        row = self.log.delivery(delivery_id)
        if row is None or row["status"] != "pending" or row["next_attempt_at"] != due:
            return  # done already, or rescheduled since this job was made
        target = self._lookup(row["endpoint_id"])
        if target is None or not target.enabled or not is_loopback(target.url):
            if target is None:
                reason = "the endpoint was deleted"
            elif not target.enabled:
                reason = "the endpoint is disabled"
            else:
                reason = "the lab delivers only to this machine (127.0.0.1 or localhost)"
            with self.log.store.transaction():
                self.log.finish(row, "failed")
                self.log.record(row, target.url if target else "", Outcome("skipped", error=reason), None)
            return
        result = self.post(target, row["event_id"], row["payload"].encode())
        if not self._alive:
            return  # stopped mid-delivery: left pending, so the restart sends it again
        try:
            self.settle(row, target, result)
        except sqlite3.ProgrammingError:
            return  # the store closed under us (a simulated crash): still pending, not lost

    def post(self, target: Target, event_id: str, payload: bytes) -> Outcome:
        """One signed POST of `payload` to the target."""
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        # Wall-clock time, not the lab's: the signature's timestamp is checked by the
        # receiver against its own clock (the stripe SDK and standardwebhooks allow
        # five minutes), and the lab's virtual clock may be weeks ahead.
        headers.update(self._sign(target.secret, event_id, payload, int(time.time())))
        started = time.perf_counter()
        try:
            answer = self._client.post(target.url, payload, headers, self.timeout)
        except requests.Timeout:
            return Outcome("failed", error=f"timed out after {self.timeout:g} s", latency_ms=_ms(started))
        except requests.ConnectionError as exc:
            return Outcome("failed", error=_connection_error(exc), latency_ms=_ms(started))
        except requests.RequestException as exc:
            return Outcome("failed", error=f"{type(exc).__name__}: {exc}", latency_ms=_ms(started))
        latency = _ms(started)
        status, excerpt = answer.status, answer.excerpt
        if 200 <= status < 300:
            return Outcome("succeeded", status, None, latency, excerpt)
        error = f"redirect ({status}) is not success" if 300 <= status < 400 else f"HTTP {status}"
        return Outcome("failed", status, error, latency, excerpt, _retry_after(status, answer.headers))

    def settle(self, row: dict[str, Any], target: Target, result: Outcome) -> None:
        """Write an attempt's outcome; retry, give up, or disable the endpoint as its policy says."""
        number = row["attempts"] + 1
        # One transaction (one commit) for the attempt's three writes: its outcome lands whole or not at all.
        if result.outcome == "succeeded":
            with self.log.store.transaction():
                self.log.mark_health(target.endpoint_id, ok=True)
                self.log.finish(row, "succeeded", attempts=number)
                self.log.record(row, target.url, result, None)
                self._maybe_duplicate(row)
            return
        with self.log.store.transaction():
            failing_for = self.log.mark_health(target.endpoint_id, ok=False)
            delay = None if row["manual"] else target.policy.delay_after(number, self._rng)
            if delay is not None and result.retry_after is not None:
                delay = max(delay, result.retry_after)  # the receiver asked us to slow down
            next_at = self.clock.time() + delay if delay is not None else None
            if next_at is None:
                self.log.finish(row, "failed", attempts=number)
            else:
                self.log.retry_at(row, number, next_at)
            self.log.record(row, target.url, result, next_at)
        if next_at is not None:
            self.schedule(row["id"], next_at)
        if next_at is None and not row["manual"] and self._on_give_up is not None:
            self._on_give_up({**(self.log.delivery(row["id"]) or row), "last_error": result.error})
        gone = result.status == 410
        too_long = target.policy.disable_after is not None and failing_for >= target.policy.disable_after
        if (gone or too_long) and self._on_endpoint_failing is not None:
            why = (
                "it answered 410 Gone"
                if gone
                else f"it has failed for {failing_for / 3600:.0f} hours without a success"
            )
            self._on_endpoint_failing(target.endpoint_id, why)

    def _maybe_duplicate(self, row: dict[str, Any]) -> None:
        if row["duplicate_of"] or not self.duplicate_rate or self._rng.random() >= self.duplicate_rate:
            return
        due = self.clock.time() + self._rng.uniform(1, 120)
        self.schedule(self.log.duplicate(row, due), due)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _retry_after(status: int, headers: Mapping[str, str]) -> float | None:
    if status not in (429, 502, 503, 504):
        return None
    value = headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def _connection_error(exc: requests.ConnectionError) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if "reset" in text.lower() or "aborted" in text.lower():
        return "connection reset"
    return f"connection failed: {text[:200]}"
