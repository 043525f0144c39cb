"""An installed automation: a receiver hosted in the lab, subscribed to its source's webhooks.

For each delivery it verifies the signature, skips events it has already
handled (the event id stays the same across retries), runs the steps in
order over HTTP, and on any failure mails an alert to the alert person.

A failure that waiting can cure (a destination down, slow, or answering
5xx/429) is answered 503, so the source retries on its schedule; steps that
succeeded are not repeated. A failure that retrying cannot cure (data the
event does not carry, a destination refusing the input) is answered 200:
the delivery was received, the alert says what to fix.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from simulators.course.automations.actions import ActionFailed
from simulators.course.automations.mapping import MissingData, resolve
from simulators.course.automations.model import Recipe, Step
from simulators.course.automations.triggers import system_name
from simulators.errors import ApiError
from simulators.http import lab_request
from simulators.learner import WebhookRequest
from simulators.webhooks.signing import SignatureError, verify_stripe

if TYPE_CHECKING:
    from simulators.lab import Lab


class Installation:
    """One automation, live in one lab."""

    def __init__(self, automation: Recipe, lab: Lab) -> None:
        self.automation = automation
        self.lab = lab
        self._lock = threading.Lock()
        self._runs: list[dict[str, Any]] = []
        self._done: dict[str, dict[int, dict[str, Any]]] = {}  # event id -> step index -> result
        self._handled: set[str] = set()
        self._alerted: set[str] = set()
        for name in {automation.source, *(str(step.destination) for step in automation.steps)}:
            getattr(lab, name)  # a clear AttributeError now if the lab runs without that system
        slug = re.sub(r"[^a-z0-9]+", "-", automation.name.lower()).strip("-") or "automation"
        self.endpoint = lab.host(self.receive, name=f"automation-{slug}")
        self.subscription = self._subscribe()
        self.secret: str = self.subscription["secret"]

    def _subscribe(self) -> dict[str, Any]:
        source, event = self.automation.source, self.automation.when
        if source == "crm":
            return self.lab.crm.add_endpoint(self.endpoint.url, events=[event])
        if source == "payments":
            return dict(self.lab.payments.add_endpoint(self.endpoint.url, enabled_events=[event]))
        raise ValueError(f"automations cannot subscribe to {source!r} yet")

    def close(self) -> None:
        if self.lab.stopped:
            return
        source = getattr(self.lab, self.automation.source)
        try:
            source.delete_endpoint(self.subscription["id"])
        except _source_errors(self.automation.source):
            pass  # already gone, or the source is down: the receiver below stops answering anyway
        self.endpoint.replace(lambda request: (({"error": "this automation was uninstalled"}), 410))

    def log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(run, steps=[dict(step) for step in run["steps"]]) for run in self._runs]

    # -- one delivery -----------------------------------------------------

    def receive(self, request: WebhookRequest) -> Any:
        with self._lock:  # one delivery at a time: a duplicate waits and then finds the event handled
            return self._receive(request)

    def _receive(self, request: WebhookRequest) -> Any:
        run: dict[str, Any] = {
            "run": len(self._runs) + 1,
            "at": self.lab.clock.now().isoformat(),
            "event": None,
            "type": None,
            "attempt": None,
            "outcome": None,
            "steps": [],
            "error": None,
            "alerted": None,
            "will_retry": False,
        }
        self._runs.append(run)
        try:
            event = self._verified_event(request)
        except (SignatureError, WebhookVerificationError, ValueError) as exc:
            run.update(outcome="rejected", error=f"signature check failed: {exc}")
            self._alert(run, "a delivery failed the signature check and was refused")
            return {"error": run["error"]}, 400
        event_id = str(event.get("id"))
        run.update(event=event_id, type=event.get("type"))
        if event.get("type") != self.automation.when:
            run.update(outcome="ignored", error=f"not a {self.automation.when} event")
            return {"ignored": event.get("type")}
        if event_id in self._handled:
            run.update(outcome="duplicate")  # the source sent it again: doing the work twice is the bug to avoid
            return {"duplicate": event_id}
        run["attempt"] = sum(1 for r in self._runs if r["event"] == event_id)
        done = self._done.setdefault(event_id, {})
        for index, step in enumerate(self.automation.steps):
            entry: dict[str, Any] = {
                "step": index + 1,
                "action": step.key,
                "status": "not run",
                "result": None,
                "error": None,
            }
            run["steps"].append(entry)
            if index in done:
                entry.update(status="already done", result=done[index].get("id"))
                continue
            if run["outcome"] == "failed":
                continue
            try:
                result = self._perform(step, event)
            except MissingData as exc:
                entry.update(status="failed", error=str(exc))
                run.update(outcome="failed", error=f"step {index + 1} ({step.key}): missing data: {exc}")
            except ActionFailed as exc:
                entry.update(status="failed", error=str(exc))
                run.update(outcome="failed", error=f"step {index + 1} ({step.key}): {exc}", will_retry=exc.transient)
            else:
                done[index] = result
                entry.update(status="done", result=result.get("id"))
        if run["outcome"] == "failed":
            self._alert(run, f"{self.automation.name!r} failed on {event_id}")
            return ({"error": run["error"]}, 503) if run["will_retry"] else {"failed": run["error"]}
        run["outcome"] = "succeeded"
        self._handled.add(event_id)
        self._done.pop(event_id, None)
        return {"handled": event_id}

    def _verified_event(self, request: WebhookRequest) -> dict[str, Any]:
        if self.automation.source == "crm":
            event = Webhook(self.secret).verify(request.body, dict(request.headers))
        else:
            verify_stripe(request.body, request.headers.get("Stripe-Signature", ""), self.secret)
            event = request.json
        if not isinstance(event, dict):
            raise ValueError("the body is not a JSON object")
        return event

    def _perform(self, step: Step, event: dict[str, Any]) -> dict[str, Any]:
        definition = step.definition
        assert definition is not None  # install() refused unknown actions
        values: dict[str, Any] = {}
        for name, source in step.using.items():
            try:
                values[name] = resolve(event, source)
            except MissingData:
                if name in definition.required:
                    raise
                # an optional input the event lacks is left out, not a failure
        system = getattr(self.lab, str(step.destination))
        # Leave the source time to hear our answer: a destination slower than
        # this counts as failing, and the source retries later.
        timeout = self.lab.delivery_timeout / 2

        def call(method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
            try:
                response = lab_request(method, system.url + path, json=body, timeout=timeout)
            except requests.Timeout:
                raise ActionFailed(
                    f"{system_name(system.name)} did not answer within {timeout:g} s", transient=True
                ) from None
            except requests.ConnectionError:
                raise ActionFailed(
                    f"{system_name(system.name)} is unreachable (connection refused)", transient=True
                ) from None
            try:
                return response.status_code, response.json()
            except ValueError:
                return response.status_code, response.text[:200]

        return definition.perform(call, values)

    # -- alerting ---------------------------------------------------------

    def _alert(self, run: dict[str, Any], headline: str) -> None:
        key = run["event"] or f"run-{run['run']}"
        if key in self._alerted:
            return  # one alert per failing event, not one per retry
        self._alerted.add(key)
        automation = self.automation
        subject = f"[automation] {automation.name} failed: {run['error']}"[:300]
        body = "\n".join(
            [
                headline + ".",
                "",
                f"Automation: {automation.describe()}",
                f"Event: {run['event'] or '(unknown)'} ({run['type'] or 'unverified'})",
                f"When: {run['at']}",
                f"Error: {run['error']}",
                "Steps: "
                + (", ".join(f"{s['step']}. {s['action']} {s['status']}" for s in run["steps"]) or "none run"),
                "The source will retry this delivery; steps already done will not be repeated."
                if run["will_retry"]
                else "Retrying will not help: fix the data or the mapping, then resend the event.",
            ]
        )
        if not automation.alert:
            run["alerted"] = None  # the silent failure: nobody hears of it
            return
        try:
            self.lab.mailer.send(automation.alert, subject, body, kind="alert", tags=["automation", automation.name])
            run["alerted"] = automation.alert
        except (ApiError, requests.RequestException, AttributeError) as exc:
            # the alert channel failed too: raise it in the lab rather than lose it
            self.lab.raise_alert(
                "automation",
                "alert_undeliverable",
                f"{subject} (mailing {automation.alert} failed: {exc})",
                automation=automation.name,
                event=run["event"],
            )
            run["alerted"] = "lab.alerts (the mailer could not be reached)"


def _source_errors(source: str) -> tuple[type[Exception], ...]:
    """What a source system's Python API raises when a call fails."""
    found: list[type[Exception]] = [ApiError, requests.RequestException]
    if source == "payments":
        from simulators.payments.client import PaymentsError  # only when payments is used

        found.append(PaymentsError)
    return tuple(found)
