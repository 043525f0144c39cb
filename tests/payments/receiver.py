"""A verifying webhook receiver for the payment system's tests."""

from __future__ import annotations

import json
from typing import Any

import stripe

from simulators import Lab
from simulators.learner import WebhookRequest


class Receiver:
    """A learner endpoint that verifies every delivery with the SDK and keeps the events it accepts."""

    def __init__(self, lab: Lab, name: str = "receiver", answer: Any = None) -> None:
        self.lab = lab
        self.events: list[Any] = []
        self.bodies: list[bytes] = []
        self.failures: list[str] = []
        self.answer = answer
        self.secret = ""
        self.endpoint = lab.host(self.handle, name=name)
        self.url = self.endpoint.url + "/hook"

    def handle(self, request: WebhookRequest) -> Any:
        try:
            event = stripe.Webhook.construct_event(request.body, request.headers.get("Stripe-Signature"), self.secret)
        except stripe.SignatureVerificationError as exc:
            self.failures.append(str(exc))
            return 400
        answer = self.answer(event) if callable(self.answer) else self.answer
        status = answer[1] if isinstance(answer, tuple) else answer if isinstance(answer, int) else 200
        if 200 <= status < 300:  # keep what was accepted, as a real handler would
            self.events.append(event)
            self.bodies.append(request.body)
        return answer

    def register(self, enabled_events: tuple[str, ...] = ("*",), retry_policy: Any = None) -> dict[str, Any]:
        endpoint = self.lab.payments.add_endpoint(self.url, enabled_events=enabled_events, retry_policy=retry_policy)
        self.secret = endpoint["secret"]
        self.id = endpoint["id"]
        return endpoint

    @property
    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.bodies]
