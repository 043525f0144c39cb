"""The fault switches of one system or learner endpoint, wired to its `faults`."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from simulators.links import public_url

ERROR_STATUSES = (500, 502, 503, 429)
#: The shares of requests the error switch can fail (a scheduled fault may add its own).
ERROR_RATES = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
_WIDE = {"description_width": "initial"}


def _rate_options(rates: tuple[float, ...]) -> list[tuple[str, float]]:
    return [(f"{rate:.0%}", rate) for rate in sorted(set(rates))]


class FaultSwitches(widgets.HBox):  # ipywidgets has no type hints
    """down · error rate + status · slow · fail after work, for one service."""

    def __init__(
        self,
        label: str,
        service: Any,
        *,
        slow_seconds: float,
        report: Callable[[str], None],
        running: Callable[[], bool] = lambda: True,
    ) -> None:
        self.label = label
        self.service = service
        self.slow_seconds = slow_seconds
        self._report = report
        self._running = running
        self._syncing = False
        self.heading = widgets.HTML()
        self.down = widgets.ToggleButton(description=f"{label} down", tooltip=f"refuse connections to {label}")
        # A drop-down, not a slider: ipywidgets' slider handle has no accessible name (axe: aria-input-field-name),
        # so a screen reader announces it as an unnamed slider; a drop-down is named by its label.
        self.error_rate = widgets.Dropdown(
            options=_rate_options(ERROR_RATES),
            value=0.0,
            description=f"{label} error rate",
            style=_WIDE,
            layout=widgets.Layout(width="max-content", min_width="14em"),
        )
        self.error_status = widgets.Dropdown(
            options=ERROR_STATUSES,
            value=503,
            description=f"{label} error status",
            style=_WIDE,
            layout=widgets.Layout(width="max-content", min_width="16em"),
        )
        self.slow = widgets.ToggleButton(description=f"{label} slow", tooltip=f"answer after {slow_seconds:g} s")
        self.fail_after_work = widgets.ToggleButton(
            description=f"{label} fail after work", tooltip="do the work, then answer 500"
        )
        super().__init__(
            [self.heading, self.down, self.error_rate, self.error_status, self.slow, self.fail_after_work],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        self.down.observe(self._on_down, names="value")
        self.error_rate.observe(self._on_errors, names="value")
        self.error_status.observe(self._on_errors, names="value")
        self.slow.observe(self._on_slow, names="value")
        self.fail_after_work.observe(self._on_fail_after_work, names="value")
        self.sync()

    @property
    def faults(self) -> Any:
        return self.service.faults

    def sync(self) -> None:
        """Show the faults as they are now (a scheduled window may have switched one)."""
        active = self.faults.active()
        self._syncing = True
        try:
            self.down.value = "down" in active
            errors = active.get("errors")
            rate = float(errors["rate"]) if errors else 0.0
            if rate not in ERROR_RATES:  # a fault set in code or scheduled, at a share the menu does not offer
                self.error_rate.options = _rate_options((*ERROR_RATES, rate))
            self.error_rate.value = rate
            if errors and errors.get("status") in ERROR_STATUSES:
                self.error_status.value = errors["status"]
            self.slow.value = "slow" in active
            self.fail_after_work.value = "fail_after_work" in active
        finally:
            self._syncing = False
        state = ", ".join(kind.replace("_", " ") for kind in active) or "healthy"
        link = public_url(self.service)  # through jupyter-server-proxy on a hub, where 127.0.0.1 is not the learner's
        colour = "#b3261e" if active else "#1a7f37"
        self.heading.value = (
            f"<b style='display:inline-block;min-width:9em'>{html.escape(self.label)}</b>"
            f"<a href='{html.escape(link)}' target='_blank'>{html.escape(self.service.url)}</a>"
            f" <span style='color:{colour}'>{html.escape(state)}</span>"
        )

    @property
    def controls(self) -> tuple[widgets.Widget, ...]:
        return (self.down, self.error_rate, self.error_status, self.slow, self.fail_after_work)

    def disable(self) -> None:
        """Grey every switch and drop the link (the lab has stopped: nothing is left to switch or open)."""
        for control in self.controls:
            control.disabled = True
        self.heading.value = (
            f"<b style='display:inline-block;min-width:9em'>{html.escape(self.label)}</b>"
            "<span style='color:#666'>stopped with the lab</span>"
        )

    def _apply(self, action: Callable[[], None], done: str) -> None:
        if self._syncing:
            return
        if not self._running():  # the lab has stopped since the panel was drawn: `running` said so
            self.sync()  # the switch shows the system as it was left
            self.disable()
            return
        try:
            action()
        except ValueError as exc:  # a bad setting is the learner's to fix, shown, not raised
            self._report(f"{self.label}: {exc}")
        else:
            self._report(done)
        self.sync()

    def _on_down(self, change: dict[str, Any]) -> None:
        self._apply(
            self.faults.down if change["new"] else self.faults.up,
            f"{self.label} is {'down: connections are refused' if change['new'] else 'up again'}",
        )

    def _on_errors(self, change: dict[str, Any]) -> None:
        rate, status = self.error_rate.value, self.error_status.value

        def switch() -> None:
            if rate > 0:
                self.faults.errors(rate=rate, status=status)
            else:
                self.faults.clear("errors")

        self._apply(
            switch,
            f"{self.label} answers {status} to {rate:.0%} of requests"
            if rate > 0
            else f"{self.label} stopped failing on purpose",
        )

    def _on_slow(self, change: dict[str, Any]) -> None:
        self._apply(
            lambda: self.faults.slow(seconds=self.slow_seconds) if change["new"] else self.faults.clear("slow"),
            f"{self.label} {'answers after ' + format(self.slow_seconds, 'g') + ' s' if change['new'] else 'answers promptly again'}",
        )

    def _on_fail_after_work(self, change: dict[str, Any]) -> None:
        self._apply(
            lambda: self.faults.fail_after_work() if change["new"] else self.faults.clear("fail_after_work"),
            f"{self.label} {'does the work, then answers 500' if change['new'] else 'answers honestly again'}",
        )
