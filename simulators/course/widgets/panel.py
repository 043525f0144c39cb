"""The lab's control panel: clock, fault switches, traffic, time, deliveries, alerts.

Every update sets widget values in place (an HTML widget's `.value`), never
captured output, so a notebook that shows the panel keeps the same saved
output under strict nbval, and tests drive it headlessly with `.click()`.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from simulators import learner
from simulators.course.widgets.deliveries import alerts_list, attempts, attempts_table, delivery_counts, lab_time
from simulators.course.widgets.switches import FaultSwitches

LOG_ROWS = 15
ALERT_ROWS = 5
#: What a click on a stopped lab's panel says (a lesson's last cell stops its lab, and Run All runs it).
STOPPED = "The lab is stopped — run the first cell to start it, then this cell again for a new control panel."


class ControlPanel(widgets.VBox):  # ipywidgets has no type hints
    """One lab at a glance, with its switches."""

    def __init__(self, lab: Any, *, log_rows: int = LOG_ROWS, alert_rows: int = ALERT_ROWS) -> None:
        self.lab = lab
        self.log_rows = log_rows
        self.alert_rows = alert_rows
        self.clock_view = widgets.HTML(description="lab clock")
        self.last_action = widgets.HTML(description="last action")
        self.switches: dict[str, FaultSwitches] = {}
        self.switch_box = widgets.VBox()
        self.purchase_one = widgets.Button(description="1 purchase", tooltip="a customer buys a plan (payments)")
        self.purchase_ten = widgets.Button(description="10 purchases", tooltip="ten customers buy plans (payments)")
        self.advance_hour = widgets.Button(
            description="+1 hour", tooltip="move the lab clock on, running what falls due"
        )
        self.advance_day = widgets.Button(description="+1 day", tooltip="move the lab clock on, running what falls due")
        self.refresh_button = widgets.Button(description="refresh", tooltip="read the lab again")
        has_payments = "payments" in lab.systems
        for button in (self.purchase_one, self.purchase_ten):
            button.disabled = not has_payments
        self.purchase_one.on_click(lambda _: self._act(lambda: lab.traffic.purchase(n=1), "1 purchase made"))
        self.purchase_ten.on_click(lambda _: self._act(lambda: lab.traffic.purchase(n=10), "10 purchases made"))
        self.advance_hour.on_click(lambda _: self._act(lambda: lab.advance(hours=1), "advanced the clock 1 hour"))
        self.advance_day.on_click(lambda _: self._act(lambda: lab.advance(days=1), "advanced the clock 1 day"))
        self.refresh_button.on_click(lambda _: self.refresh())
        self.summary = widgets.HTML()
        self.delivery_log = widgets.HTML()
        self.alert_list = widgets.HTML()
        buttons = widgets.HBox(
            [self.purchase_one, self.purchase_ten, self.advance_hour, self.advance_day, self.refresh_button]
        )
        super().__init__(
            [
                widgets.HTML("<h3 style='margin:4px 0'>hooklab control panel</h3>"),
                self.clock_view,
                self.switch_box,
                buttons,
                self.last_action,
                widgets.HTML("<b>Webhook deliveries</b> (newest first)"),
                self.summary,
                self.delivery_log,
                widgets.HTML("<b>Alerts</b>"),
                self.alert_list,
            ]
        )
        # Alerts arrive from the clock's worker thread: only the cheap alert list is redrawn there.
        self._unsubscribe = lab.on_alert(lambda alert: self._show_alerts())
        self.refresh()

    # -- reading the lab --------------------------------------------------

    def refresh(self) -> None:
        """Read the lab again and update every value in place."""
        if self.lab.stopped:
            self._show_stopped()
            return
        now = self.lab.clock.now()
        day = self.lab.clock.elapsed().days + 1
        self.clock_view.value = (
            f"<b>{now:%a %Y-%m-%d %H:%M}</b> (day {day}{', real time' if self.lab.realtime else ''})"
        )
        self._sync_switches()
        counts = delivery_counts(self.lab)
        total = sum(counts.values())
        self.summary.value = (
            f"{total} deliveries: {counts.get('succeeded', 0)} succeeded, "
            f"{counts.get('failed', 0)} failed, {counts.get('pending', 0)} pending"
        )
        self.delivery_log.value = attempts_table(attempts(self.lab, limit=self.log_rows))
        self._show_alerts()

    def _running(self) -> bool:
        """True while the lab runs; once it has stopped, say so and switch every control off."""
        if self.lab.stopped:
            self._show_stopped()
        return not self.lab.stopped

    def _show_stopped(self) -> None:
        # Every control would only reach closed ports: grey them all, and say what to do instead.
        for control in (self.purchase_one, self.purchase_ten, self.advance_hour, self.advance_day, self.refresh_button):
            control.disabled = True
        for switches in self.switches.values():
            switches.disable()
        self.clock_view.value = "<span style='color:#666'>this lab has stopped</span>"
        self.last_action.value = f"<span style='color:#b3261e'>{html.escape(STOPPED)}</span>"

    def _show_alerts(self) -> None:
        self.alert_list.value = alerts_list(self.lab.alerts[-self.alert_rows :])

    def _sync_switches(self) -> None:
        services = {**self.lab.systems, **self.lab.endpoints}
        if list(services) != list(self.switches):
            slow = self.lab.delivery_timeout + 0.5  # just past what a sender waits
            self.switches = {
                name: self.switches.get(name)
                or FaultSwitches(name, service, slow_seconds=slow, report=self._say, running=self._running)
                for name, service in services.items()
            }
            self.switch_box.children = tuple(self.switches.values())
        for switches in self.switches.values():
            switches.sync()

    # -- acting -----------------------------------------------------------

    def _act(self, action: Any, done: str) -> None:
        # A button runs lab actions a learner set up (their endpoints, their handlers): it must never leave
        # a traceback in the notebook, so it goes through the one boundary and says what failed.
        if not self._running():
            return
        outcome = learner.call(action, where="control panel", now=self.lab.clock.now)
        if outcome.failure is not None:
            self._say(f"that did not work: {outcome.failure.error}", error=True)
        else:
            self._say(done)
        self.refresh()

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#b3261e" if error else "#333"
        stamp = lab_time(self.lab.clock.time(), "%m-%d %H:%M")
        self.last_action.value = f"<span style='color:{colour}'>[{stamp}] {html.escape(text)}</span>"

    def close(self) -> None:
        unsubscribe, self._unsubscribe = getattr(self, "_unsubscribe", None), None
        if unsubscribe is not None:
            unsubscribe()
        super().close()

    def __repr__(self) -> str:
        # What a notebook opened before it runs shows in the panel's place (JupyterLab draws no saved widget):
        # what to do, not a Python name. Stable for nbval: never ports or counts that depend on timing.
        return "▶ Run this cell to show the lab's control panel."
