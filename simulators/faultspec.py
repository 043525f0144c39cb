"""Fault settings as typed values, checked once, when they are given.

A setting that passed here cannot break a later request: the status is one the
lab can send, a rate is a probability, a delay is a finite number of seconds,
and `Retry-After` is an integer or an HTTP date (never text copied into a
header). `parse(kind, settings)` reads the JSON the admin API receives; a bad
field raises `FaultSettingError` naming it, before anything changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

KINDS = ("down", "errors", "slow", "fail_after_work")

#: Longer than any sender waits: a longer "slow" would only hold request threads.
MAX_SLOW_SECONDS = 600.0
#: A day is far past any Retry-After a sender honours.
MAX_RETRY_AFTER = 86_400


class FaultSettingError(ValueError):
    """A fault setting that cannot be used; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DownFault:
    """The port refuses connections."""

    def as_params(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class ErrorsFault:
    """Answer `status` to this share of requests without doing the work."""

    rate: float = 1.0
    status: int = 503
    #: Seconds (an int) or an HTTP date, already in the form the header carries.
    retry_after: int | str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", rate_of(self.rate))
        object.__setattr__(self, "status", status_of(self.status, "status", 400, 599, "an error status is 4xx or 5xx"))
        if self.retry_after is not None:
            object.__setattr__(self, "retry_after", retry_after_of(self.retry_after))

    def as_params(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class SlowFault:
    """Wait `seconds` (real seconds) before answering this share of requests."""

    seconds: float = 2.0
    rate: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", seconds_of(self.seconds))
        object.__setattr__(self, "rate", rate_of(self.rate))

    def as_params(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FailAfterWork:
    """Do the work, then answer `status` anyway.

    5xx only: the lesson is that a sender retries work that was done; a 4xx
    tells it the request itself was wrong, which after doing the work is a lie
    no real server tells, and no sender retries it.
    """

    rate: float = 1.0
    status: int = 500

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", rate_of(self.rate))
        message = "a failure after the work is a 5xx (a 4xx would say the request was wrong)"
        object.__setattr__(self, "status", status_of(self.status, "status", 500, 599, message))

    def as_params(self) -> dict[str, Any]:
        return asdict(self)


FaultSpec = DownFault | ErrorsFault | SlowFault | FailAfterWork
_CLASSES: dict[str, type[FaultSpec]] = {
    "down": DownFault,
    "errors": ErrorsFault,
    "slow": SlowFault,
    "fail_after_work": FailAfterWork,
}


def kind_of(value: Any) -> str:
    if not isinstance(value, str) or value not in KINDS:
        raise FaultSettingError("kind", f"unknown fault {value!r}: kind must be one of {', '.join(KINDS)}")
    return value


def parse(kind: str, settings: Mapping[str, Any]) -> FaultSpec:
    """The typed fault `kind` with these settings; unknown or bad fields raise `FaultSettingError`."""
    cls = _CLASSES[kind_of(kind)]
    allowed = [f.name for f in fields(cls)]
    for name in settings:
        if name not in allowed:
            takes = f"takes {', '.join(allowed)}" if allowed else "takes no settings"
            raise FaultSettingError(str(name), f"the {kind} fault {takes}; {name!r} is not one of them")
    return cls(**settings)


def rate_of(value: Any) -> float:
    number = _number(value, "rate")
    if not 0.0 <= number <= 1.0:
        raise FaultSettingError("rate", f"a rate is between 0 and 1, not {value!r}")
    return number


def seconds_of(value: Any) -> float:
    number = _number(value, "seconds")
    if not 0.0 < number <= MAX_SLOW_SECONDS:
        raise FaultSettingError(
            "seconds", f"seconds is a positive delay of at most {MAX_SLOW_SECONDS:g} seconds, not {value!r}"
        )
    return number


def status_of(value: Any, field: str, low: int, high: int, why: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 503.0 from a JSON encoder that writes every number as a float
        else:
            raise FaultSettingError(field, f"{field} is a whole HTTP status code from {low} to {high}, not {value!r}")
    status: int = value
    if not low <= status <= high:
        raise FaultSettingError(field, f"{why}: {field} must be {low}-{high}, not {status}")
    return status


def retry_after_of(value: Any) -> int | str:
    """Whole seconds from 0 to a day, or an HTTP date (returned in the header's own form)."""
    if isinstance(value, bool):
        raise FaultSettingError("retry_after", f"retry_after is whole seconds or an HTTP date, not {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        if not 0 <= value <= MAX_RETRY_AFTER:
            raise FaultSettingError("retry_after", f"retry_after is 0 to {MAX_RETRY_AFTER} seconds, not {value}")
        return value
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        return retry_after_of(int(value.strip()))
    if isinstance(value, str) and value.isascii() and value.isprintable():
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return format_datetime(moment, usegmt=True)
    raise FaultSettingError(
        "retry_after", f"retry_after is whole seconds or an HTTP date (Wed, 21 Oct 2026 07:28:00 GMT), not {value!r}"
    )


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FaultSettingError(field, f"{field} must be a number, not {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf  # an integer too large for a float is as useless as infinity
    if not math.isfinite(number):
        raise FaultSettingError(field, f"{field} must be a finite number, not {value!r}")
    return number
