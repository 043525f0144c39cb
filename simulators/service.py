"""What every simulated system shares: a store, ids, faults, a request log, a server.

A system builds its core (on the store and ids `open_storage` gives it) and its
Flask app from that core, then hands both to `Service`, which hosts the app.
The WSGI stack, outermost first: the Host check (a request another site's
page sent through a rebound name is not this system's traffic, so it is not
logged) → the lab's key (a path without it is another learner's guess, not
logged either) → request log → faults → the app (whose errors are JSON and
whose responses carry a request id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from flask import Blueprint, Flask
from werkzeug.routing import Rule

from . import errors
from .context import SystemContext
from .faults import FaultLayer, Faults
from .hosts import LoopbackHostsOnly
from .ids import IdFactory
from .keyguard import KeyRequired
from .labkey import base_path
from .requestlog import RequestLog, RequestLogLayer
from .server import BackgroundServer
from .store import Store


class Storage(NamedTuple):
    """A system's store and the ids it makes there."""

    store: Store
    ids: IdFactory


def open_storage(ctx: SystemContext) -> Storage:
    """Open the store of the system `ctx` names, and its seeded ids (a core is built on these)."""
    store = ctx.store()
    return Storage(store, IdFactory(store, seed=ctx.seed, namespace=ctx.name))


class Service:
    """One simulated system (or learner endpoint): its store, ids, faults, request log and server."""

    #: Shown in the lab's tables and the control panel.
    title = "system"

    def __init__(self, ctx: SystemContext, app: Flask, *, storage: Storage | None = None, port: int = 0) -> None:
        self.ctx = ctx
        self.name = ctx.name
        self.clock = ctx.clock
        self.store, self.ids = storage or open_storage(ctx)
        self.faults = Faults(ctx.name, ctx.clock, ctx.random("faults"), set_down=self._set_down)
        self.requests = RequestLog(self.store, ctx.clock)
        self.app = app
        errors.install(self.app, new_request_id=self.new_request_id)
        stack: Any = FaultLayer(self.app, self.faults, new_request_id=self.new_request_id)
        logged = RequestLogLayer(stack, self.requests)
        self.server = BackgroundServer(
            LoopbackHostsOnly(KeyRequired(logged, ctx.key)), port, name=ctx.name, base_path=base_path(ctx.key)
        )

    def new_request_id(self) -> str:
        return self.ids.new("req")

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def base_path(self) -> str:
        """The path every URL of this system starts with (`/hl_KEY`)."""
        return self.server.base_path

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        """Stop serving and close the store; idempotent."""
        self.server.stop()
        self.store.close()

    def _set_down(self, down: bool) -> None:
        if down:
            self.server.stop()
        else:
            self.server.start()

    def describe(self) -> dict[str, Any]:
        """What `hooklab serve` and the control panel show about this system."""
        return {"url": self.url, "faults": self.faults.active()}

    def __repr__(self) -> str:
        state = "down" if self.faults.is_down else "up"
        return f"<{type(self).__name__} {self.name} {self.url} {state}>"


class _LazyBuilderRule(Rule):
    """A URL rule that compiles its URL builder when first used, not at start-up.

    Werkzeug compiles two Python functions per rule as it is added; with a
    hundred routes that was most of a lab's start time, and the systems
    almost never build URLs.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: Callable[..., tuple[str, str]] | None = None

        def build(rule: Rule, **values: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            return compiled(**values)

        return build


class _HooklabFlask(Flask):
    url_rule_class = _LazyBuilderRule


def flask_app(import_name: str) -> Flask:
    """A Flask app configured the way every hooklab system wants it."""
    app = _HooklabFlask(import_name)
    app.config["MAX_CONTENT_LENGTH"] = errors.MAX_BODY_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep Stripe's field order: id and object first
    return app


def hosting_app(import_name: str, name: str, core: object, blueprints: Iterable[Blueprint]) -> Flask:
    """A hooklab app whose Blueprint views find `core` at `current_app.extensions[name]`."""
    app = flask_app(import_name)
    app.extensions[name] = core
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app
