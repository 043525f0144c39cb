"""Faults a learner can inject into any system or learner endpoint.

Four kinds, each the failure a real integration meets:

- down: the port refuses connections (the server is really stopped);
- errors: answer 5xx or 429 at a chosen rate, without doing the work;
- slow: answer later than the sender is willing to wait;
- fail_after_work: do the work, then answer 500 (the sender retries, and a
  handler without dedupe does the work twice).

Switch one now (`faults.errors(rate=0.5)`) or schedule a window on the lab
clock (`faults.window("down", start=..., hours=6)`). `FaultLayer` is the WSGI
middleware that applies them per request.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from .clock import Clock, When, span, to_timestamp

KINDS = ("down", "errors", "slow", "fail_after_work")


@dataclass
class FaultWindow:
    """A fault switched on for a stretch of lab time (end None: still on)."""

    kind: str
    start: float
    end: float | None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["start"] = _iso(self.start)
        out["end"] = _iso(self.end) if self.end is not None else None
        return out


class Faults:
    """The fault switches of one service."""

    def __init__(
        self,
        name: str,
        clock: Clock,
        rng: random.Random,
        *,
        set_down: Callable[[bool], None] | None = None,
    ) -> None:
        self.name = name
        self._clock = clock
        self._rng = rng
        self._set_down = set_down
        self._lock = threading.Lock()
        self._active: dict[str, dict[str, Any]] = {}
        self._open: dict[str, FaultWindow] = {}
        #: Every fault that has been on, for timelines and alerts checks.
        self.windows: list[FaultWindow] = []
        #: Windows scheduled with `window()`, whether or not they have begun.
        self.scheduled: list[FaultWindow] = []

    # -- switching now ----------------------------------------------------

    def down(self) -> None:
        """Stop listening: connections to this system are refused."""
        self._switch_on("down", {})

    def up(self) -> None:
        """Listen again (clears `down`)."""
        self.clear("down")

    def errors(self, rate: float = 1.0, status: int = 503, retry_after: int | None = None) -> None:
        """Answer `status` to this share of requests, without doing the work."""
        _check_rate(rate)
        if not 400 <= status <= 599:
            raise ValueError(f"an error status is 4xx or 5xx, not {status}")
        params: dict[str, Any] = {"rate": rate, "status": status}
        if retry_after is not None:
            params["retry_after"] = retry_after
        self._switch_on("errors", params)

    def slow(self, seconds: float = 2.0, rate: float = 1.0) -> None:
        """Wait `seconds` (real seconds) before answering this share of requests."""
        _check_rate(rate)
        if seconds <= 0:
            raise ValueError(f"a delay is positive, not {seconds!r}")
        self._switch_on("slow", {"seconds": seconds, "rate": rate})

    def fail_after_work(self, rate: float = 1.0, status: int = 500) -> None:
        """Do the work, then answer `status` anyway for this share of requests."""
        _check_rate(rate)
        self._switch_on("fail_after_work", {"rate": rate, "status": status})

    def set(self, kind: str, **params: Any) -> None:
        """Switch a fault on by name: the admin API and the control panel use this."""
        switch = {"down": self.down, "errors": self.errors, "slow": self.slow, "fail_after_work": self.fail_after_work}
        if kind not in switch:
            raise ValueError(f"unknown fault {kind!r}; choose one of {', '.join(KINDS)}")
        switch[kind](**params)

    def clear(self, kind: str | None = None) -> None:
        """Switch one fault off, or all of them."""
        kinds = KINDS if kind is None else (kind,)
        for one in kinds:
            if one not in KINDS:
                raise ValueError(f"unknown fault {one!r}; choose one of {', '.join(KINDS)}")
            self._switch_off(one)

    # -- scheduling -------------------------------------------------------

    def window(
        self,
        kind: str,
        start: When,
        end: When | None = None,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
        params: dict[str, Any] | None = None,
        **more_params: Any,
    ) -> FaultWindow:
        """Schedule `kind` on from `start` to `end` (or for the given length) on the lab clock.

        The fault's own settings go in `params` or as keywords; `slow`'s delay must
        go in `params={"seconds": 3}`, since `seconds=` here is the window's length.
        """
        params = {**(params or {}), **more_params}
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose one of {', '.join(KINDS)}")
        begin = to_timestamp(start)
        finish = to_timestamp(end) if end is not None else begin + span(seconds, minutes, hours, days)
        if finish <= begin:
            raise ValueError("a fault window must end after it starts")
        planned = FaultWindow(kind, begin, finish, dict(params))
        self.scheduled.append(planned)
        self._clock.call_at(begin, lambda: self.set(kind, **params), name=f"{self.name}: {kind} on")
        self._clock.call_at(finish, lambda: self.clear(kind), name=f"{self.name}: {kind} off")
        return planned

    # -- reading ----------------------------------------------------------

    def active(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {kind: dict(params) for kind, params in self._active.items()}

    @property
    def is_down(self) -> bool:
        return "down" in self._active

    def status(self) -> dict[str, Any]:
        return {"system": self.name, "active": self.active(), "windows": [w.as_dict() for w in self.windows]}

    def roll(self, kind: str) -> dict[str, Any] | None:
        """The fault's parameters if it strikes this request, else None."""
        with self._lock:
            params = self._active.get(kind)
            if params is None:
                return None
            # Draw for every request while a fault is on, so the seeded sequence
            # depends only on the requests, not on which rate was set.
            hit = self._rng.random() < params.get("rate", 1.0)
            return dict(params) if hit else None

    # -- internals --------------------------------------------------------

    def _switch_on(self, kind: str, params: dict[str, Any]) -> None:
        with self._lock:
            self._active[kind] = params
            now = self._clock.time()
            if kind in self._open:
                self._open[kind].end = now
            opened = FaultWindow(kind, now, None, dict(params))
            self._open[kind] = opened
            self.windows.append(opened)
        if kind == "down" and self._set_down is not None:
            self._set_down(True)

    def _switch_off(self, kind: str) -> None:
        with self._lock:
            was_on = self._active.pop(kind, None) is not None
            opened = self._open.pop(kind, None)
            if opened is not None:
                opened.end = self._clock.time()
        if was_on and kind == "down" and self._set_down is not None:
            self._set_down(False)


class FaultLayer:
    """WSGI middleware that applies a service's faults to each request."""

    def __init__(self, app: Any, faults: Faults, *, new_request_id: Callable[[], str]) -> None:
        self.app = app
        self.faults = faults
        self.new_request_id = new_request_id

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        slow = self.faults.roll("slow")
        if slow is not None:
            time.sleep(slow["seconds"])
        error = self.faults.roll("errors")
        if error is not None:
            environ["hooklab.fault"] = "errors"
            headers = {"Retry-After": str(error["retry_after"])} if "retry_after" in error else {}
            headers["Request-Id"] = self.new_request_id()
            return _json_error(
                start_response, error["status"], f"{self.faults.name} is failing on purpose (injected fault)", headers
            )
        broken = self.faults.roll("fail_after_work")
        if broken is None:
            return self.app(environ, start_response)
        environ["hooklab.fault"] = "fail_after_work"
        # Run the app to the end so its work is done, then throw its answer away.
        result = self.app(environ, lambda *args, **kwargs: lambda data: None)
        try:
            for _ in result:
                pass
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = {"Request-Id": self.new_request_id()}
        return _json_error(
            start_response, broken["status"], f"{self.faults.name} did the work, then failed (injected fault)", headers
        )


def _json_error(start_response: Callable[..., Any], status: int, message: str, extra: dict[str, str]) -> list[bytes]:
    kind = "rate_limit_error" if status == 429 else "api_error"
    body = json.dumps({"error": {"type": kind, "code": "injected_fault", "message": message}}).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    headers.extend(extra.items())
    reason = {
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    start_response(f"{status} {reason.get(status, 'Error')}", headers)
    return [body]


def _check_rate(rate: float) -> None:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"a rate is between 0 and 1, not {rate!r}")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()
