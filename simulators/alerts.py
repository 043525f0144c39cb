"""Alerts: something an operator should hear about, and the sink every system raises them into.

The lab owns one sink; systems get it through their context and never see the
lab. Who hears an alert (the mailer, a notebook's list) subscribes to the sink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import Clock


@dataclass(frozen=True)
class Alert:
    """Something an operator should hear about (a failing endpoint, a lost delivery)."""

    at: datetime
    source: str
    kind: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"[{self.at:%Y-%m-%d %H:%M}] {self.source}: {self.message}"


class AlertSink:
    """Every alert of one lab, in order, and the listeners that hear each new one."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.alerts: list[Alert] = []
        self._listeners: list[Callable[[Alert], None]] = []

    def raise_alert(self, source: str, kind: str, message: str, **details: Any) -> Alert:
        alert = Alert(self._clock.now(), source, kind, message, details)
        self.alerts.append(alert)
        for listener in list(self._listeners):
            listener(alert)
        return alert

    def subscribe(self, listener: Callable[[Alert], None]) -> Callable[[], None]:
        """Call `listener(alert)` for every alert from now on; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)
