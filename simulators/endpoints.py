"""Learner endpoints: any Python function served at its own URL in the lab.

Each endpoint is a full `Service`, so it has the same fault controls (it can
be taken down for real), a request log, and its failures on record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from .context import SystemContext
from .learner import HandlerFailure, WebhookRequest, run_handler
from .service import Service, flask_app

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class Endpoint(Service):
    """A learner's function answering HTTP at `endpoint.url`."""

    title = "your endpoint"

    def __init__(self, ctx: SystemContext, label: str, fn: Callable[[WebhookRequest], Any]) -> None:
        self.fn = fn
        self.failures: list[HandlerFailure] = []
        self.label = label
        super().__init__(ctx, self._handler_app())

    def _handler_app(self) -> Flask:
        app = flask_app(__name__)

        @app.route("/", defaults={"path": ""}, methods=METHODS)
        @app.route("/<path:path>", methods=METHODS)
        def handle(path: str) -> Response:
            return run_handler(
                self.fn,
                (WebhookRequest(request),),
                where=f"endpoint {self.label!r}",
                now=self.clock.now,
                failures=self.failures,
            )

        return app

    def replace(self, fn: Callable[[WebhookRequest], Any]) -> None:
        """Serve a new function at the same URL."""
        self.fn = fn

    def received(self) -> list[dict[str, Any]]:
        """Every request this endpoint got, oldest first."""
        return self.requests.entries()
