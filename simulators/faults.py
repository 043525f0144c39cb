"""Faults a learner can inject into any system or learner endpoint.

Four kinds, each the failure a real integration meets:

- down: the port refuses connections (the server is really stopped);
- errors: answer 5xx or 429 at a chosen rate, without doing the work;
- slow: answer later than the sender is willing to wait;
- fail_after_work: do the work, then answer 500 (the sender retries, and a
  handler without dedupe does the work twice).

Switch one now (`faults.errors(rate=0.5)`) or schedule a window on the lab
clock (`faults.window("down", start=..., hours=6)`). Settings are checked
when given, windows when scheduled (`simulators.faultspec`), so nothing set
here can break a request later. `FaultLayer` is the WSGI middleware that
applies them per request.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import faultspec
from .clock import Clock, When, span, to_timestamp
from .errors import json_error
from .faultspec import KINDS, FaultSettingError, FaultSpec
from .inprocess.routes import INPROCESS_KEY

__all__ = ["KINDS", "FaultLayer", "FaultSettingError", "FaultWindow", "Faults"]

#: The latest moment a window may name: datetime's own end (9999-12-31).
LATEST = datetime(9999, 12, 31, tzinfo=timezone.utc).timestamp()


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
        self._active: dict[str, FaultSpec] = {}
        self._open: dict[str, FaultWindow] = {}
        #: Every fault that has been on, for timelines and alerts checks.
        self.windows: list[FaultWindow] = []
        #: Windows scheduled with `window()`, whether or not they have begun.
        self.scheduled: list[FaultWindow] = []

    # -- switching now ----------------------------------------------------

    def down(self) -> None:
        """Stop listening: connections to this system are refused."""
        self._switch_on("down", faultspec.DownFault())

    def up(self) -> None:
        """Listen again (clears `down`)."""
        self.clear("down")

    def errors(self, rate: float = 1.0, status: int = 503, retry_after: int | str | None = None) -> None:
        """Answer `status` (4xx or 5xx) to this share of requests, without doing the work."""
        self.apply(faultspec.ErrorsFault(rate, status, retry_after))

    def slow(self, seconds: float = 2.0, rate: float = 1.0) -> None:
        """Wait `seconds` (real seconds) before answering this share of requests."""
        self.apply(faultspec.SlowFault(seconds, rate))

    def fail_after_work(self, rate: float = 1.0, status: int = 500) -> None:
        """Do the work, then answer `status` (a 5xx) anyway for this share of requests."""
        self.apply(faultspec.FailAfterWork(rate, status))

    def set(self, kind: str, **params: Any) -> None:
        """Switch a fault on by name and settings: raises `FaultSettingError` (a ValueError) naming a bad field."""
        self.apply(faultspec.parse(kind, params))

    def apply(self, spec: FaultSpec) -> None:
        """Switch on a fault already checked (`faultspec.parse`)."""
        self._switch_on(_kind_name(spec), spec)

    def clear(self, kind: str | None = None) -> None:
        """Switch one fault off, or all of them."""
        kinds = KINDS if kind is None else (faultspec.kind_of(kind),)
        for one in kinds:
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
        # Checked now, not when the window opens: a bad setting must be refused to whoever set it.
        spec = faultspec.parse(kind, {**(params or {}), **more_params})
        lengths = {"seconds": seconds, "minutes": minutes, "hours": hours, "days": days}
        for unit, length in lengths.items():
            if isinstance(length, bool) or not isinstance(length, (int, float)) or not math.isfinite(length):
                raise FaultSettingError(unit, f"{unit} must be a finite number, not {length!r}")
        begin = _moment(start, "start")
        if end is not None:
            finish = _moment(end, "end")
        else:
            length_field = next((unit for unit, length in lengths.items() if length), "seconds")
            finish = begin + span(seconds, minutes, hours, days)
            if not math.isfinite(finish) or finish > LATEST:
                raise FaultSettingError(length_field, f"{length_field} makes the window end after the year 9999")
        if finish <= begin:
            raise FaultSettingError("end", "a fault window must end after it starts")
        planned = FaultWindow(kind, begin, finish, spec.as_params())
        self.scheduled.append(planned)
        self._clock.call_at(begin, lambda: self.apply(spec), name=f"{self.name}: {kind} on")
        self._clock.call_at(finish, lambda: self.clear(kind), name=f"{self.name}: {kind} off")
        return planned

    # -- reading ----------------------------------------------------------

    def active(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {kind: spec.as_params() for kind, spec in self._active.items()}

    @property
    def is_down(self) -> bool:
        return "down" in self._active

    def status(self) -> dict[str, Any]:
        return {"system": self.name, "active": self.active(), "windows": [w.as_dict() for w in self.windows]}

    def roll(self, kind: str) -> FaultSpec | None:
        """The fault if it strikes this request, else None."""
        with self._lock:
            spec = self._active.get(kind)
            if spec is None:
                return None
            # Draw for every request while a fault is on, so the seeded sequence
            # depends only on the requests, not on which rate was set.
            hit = self._rng.random() < getattr(spec, "rate", 1.0)
            return spec if hit else None

    # -- internals --------------------------------------------------------

    def _switch_on(self, kind: str, spec: FaultSpec) -> None:
        with self._lock:
            self._active[kind] = spec
            now = self._clock.time()
            if kind in self._open:
                self._open[kind].end = now
            opened = FaultWindow(kind, now, None, spec.as_params())
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
        if isinstance(slow, faultspec.SlowFault):
            delays = environ.get(INPROCESS_KEY)
            if delays is not None:
                delays.slow_seconds = slow.seconds  # no waiting in one thread: the caller's timeout is judged after
            else:
                time.sleep(slow.seconds)
        error = self.faults.roll("errors")
        if isinstance(error, faultspec.ErrorsFault):
            environ["hooklab.fault"] = "errors"
            headers = {"Request-Id": self.new_request_id()}
            if error.retry_after is not None:
                headers["Retry-After"] = str(error.retry_after)
            answer = _injected(error.status, f"{self.faults.name} is failing on purpose (injected fault)", headers)
            return answer(environ, start_response)  # type: ignore[no-any-return]
        broken = self.faults.roll("fail_after_work")
        if not isinstance(broken, faultspec.FailAfterWork):
            return self.app(environ, start_response)  # type: ignore[no-any-return]
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
        answer = _injected(broken.status, f"{self.faults.name} did the work, then failed (injected fault)", headers)
        return answer(environ, start_response)  # type: ignore[no-any-return]


def _injected(status: int, message: str, headers: dict[str, str]) -> Any:
    kind = "invalid_request_error" if status == 429 else "api_error"
    return json_error(status, message, type=kind, code="injected_fault", headers=headers)


def _kind_name(spec: FaultSpec) -> str:
    return {
        faultspec.DownFault: "down",
        faultspec.ErrorsFault: "errors",
        faultspec.SlowFault: "slow",
        faultspec.FailAfterWork: "fail_after_work",
    }[type(spec)]


def _moment(when: When, field: str) -> float:
    if isinstance(when, bool):
        raise FaultSettingError(field, f"{field} must be a date-time or a unix time, not {when!r}")
    try:
        moment = to_timestamp(when)
    except (TypeError, ValueError, OverflowError):
        raise FaultSettingError(field, f"{field} must be a date-time or a unix time, not {when!r}") from None
    if not math.isfinite(moment) or not 0 <= moment <= LATEST:
        raise FaultSettingError(field, f"{field} must fall between 1970 and the year 9999, not {when!r}")
    return moment


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()
