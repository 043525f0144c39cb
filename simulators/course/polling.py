"""Polling versus webhooks, measured on the lab clock over the same seeded traffic.

    race = Race(lab)
    race.poller(every=300)            # ask GET /v1/events every five lab minutes
    race.poller(every=3600)
    race.webhooks()                   # be told: a webhook endpoint in the lab
    lab.traffic.schedule(per_day=30, days=1)
    lab.advance(days=1)
    for result in race.results():
        print(result)

Every poller and the webhook receiver watch the same events at once, so their
numbers differ only by strategy. A poller keeps a cursor (the id of the newest
event it has seen), asks for what came after it (`ending_before`, oldest page
first), and follows `has_more`; every page is one request. A 429 answer is
counted; a poller that backs off waits the Retry-After seconds and doubles its
interval, one that does not keeps asking.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulators.http import loopback_session
from simulators.learner import WebhookRequest

if TYPE_CHECKING:
    from simulators.lab import Lab

PAGE = 100


@dataclass
class Result:
    """What one strategy cost and how late it noticed each event."""

    label: str
    #: HTTP requests made: the poller's pages, or one delivery per event for webhooks.
    requests: int = 0
    #: Polls answered with nothing new (a 429 is counted apart).
    empty: int = 0
    #: Answers that were 429 Too Many Requests.
    rate_limited: int = 0
    #: Seconds from each event's creation to the moment this strategy noticed it.
    delays: list[float] = field(default_factory=list)

    @property
    def noticed(self) -> int:
        return len(self.delays)

    @property
    def delay(self) -> float:
        """Mean delay in seconds (0 when nothing was noticed)."""
        return statistics.fmean(self.delays) if self.delays else 0.0

    def percentile(self, share: float) -> float:
        """The delay (seconds) that this share of events was noticed within."""
        if not self.delays:
            return 0.0
        ordered = sorted(self.delays)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index]

    def __str__(self) -> str:
        return (
            f"{self.label:<16} {self.requests:>5} requests, {self.empty:>4} empty, {self.rate_limited:>3} rate-limited; "
            f"delay median {_minutes(self.percentile(0.5))}, worst {_minutes(max(self.delays, default=0.0))}"
        )


class Poller:
    """A cursor over GET /v1/events, run on the lab clock every `every` seconds."""

    def __init__(self, lab: Lab, every: float, *, label: str | None = None, backoff: bool = True) -> None:
        self.lab = lab
        self.every = float(every)
        self.backoff = backoff
        self.result = Result(label or f"poll {_minutes(every)}")
        self.seen: list[str] = []
        existing = lab.payments.events()
        self.cursor: str | None = existing[-1]["id"] if existing else None
        self._resume_at = 0.0
        self._http = loopback_session()
        self._http.headers["Authorization"] = f"Bearer {lab.payments.api_key}"
        self._job = lab.clock.every(self.every, self.poll, name=f"poller: {self.result.label}")

    def poll(self) -> None:
        """Ask for everything after the cursor, page by page, and note when each event was noticed."""
        now = self.lab.clock.time()
        if now < self._resume_at:
            return  # still waiting out a Retry-After
        limited = self.result.rate_limited
        events = self._fetch_new()
        for event in events:
            self.seen.append(event["id"])
            self.result.delays.append(now - event["created"])
        if events:
            self.cursor = events[-1]["id"]
        elif self.result.rate_limited == limited:
            self.result.empty += 1

    def _fetch_new(self) -> list[dict[str, Any]]:
        """Events after the cursor, oldest first; on a 429, those fetched before it."""
        found: list[dict[str, Any]] = []
        # With a cursor, `ending_before` walks towards the newest event; without one
        # (no event existed at the start), `starting_after` walks back through them all.
        forward = self.cursor is not None
        mark = self.cursor
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if mark is not None:
                params["ending_before" if forward else "starting_after"] = mark
            response = self._http.get(f"{self.lab.payments.url}/v1/events", params=params, timeout=10)
            self.result.requests += 1
            if response.status_code == 429:
                self.result.rate_limited += 1
                if self.backoff:
                    self._slow_down(float(response.headers.get("Retry-After", "1")))
                return found if forward else []
            response.raise_for_status()
            page = response.json()
            data = page["data"]  # newest first, either way
            if forward:
                found.extend(reversed(data))
                mark = data[0]["id"] if data else mark
            else:
                found[:0] = reversed(data)
                mark = data[-1]["id"] if data else mark
            if not page["has_more"] or not data:
                return found

    def _slow_down(self, retry_after: float) -> None:
        self._resume_at = self.lab.clock.time() + retry_after
        self._job.cancel()
        self.every *= 2
        self._job = self.lab.clock.every(
            self.every, self.poll, first=self._resume_at, name=f"poller: {self.result.label}"
        )

    def stop(self) -> None:
        self._job.cancel()
        self._http.close()


class Race:
    """Several pollers and a webhook receiver, watching the same payment events."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.pollers: list[Poller] = []
        self.hook: Result | None = None
        self.hook_seen: list[str] = []

    def poller(self, every: float, *, label: str | None = None, backoff: bool = True) -> Poller:
        poller = Poller(self.lab, every, label=label, backoff=backoff)
        self.pollers.append(poller)
        return poller

    def webhooks(self, label: str = "webhooks") -> Result:
        """Register a lab endpoint for every payment event and time each delivery's arrival."""
        result = Result(label)
        clock = self.lab.clock

        def receive(request: WebhookRequest) -> Any:
            event = request.json
            result.requests += 1
            if event["id"] not in self.hook_seen:
                self.hook_seen.append(event["id"])
                result.delays.append(clock.time() - event["created"])
            return 200

        endpoint = self.lab.host(receive, name="race-webhooks")
        self.lab.payments.add_endpoint(endpoint.url, ["*"])
        self.hook = result
        return result

    def results(self) -> list[Result]:
        found = [poller.result for poller in self.pollers]
        return found + ([self.hook] if self.hook is not None else [])

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min".replace(".0 ", " ")
    return f"{seconds / 3600:.1f} h".replace(".0 ", " ")
