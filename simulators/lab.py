"""The Lab: every simulated system, started on free loopback ports, on one clock.

    with Lab(seed=7) as lab:
        lab.payments.url, lab.provisioning.url, lab.crm.url, lab.mailer.url
        lab.clock.advance(days=1)

Each system runs in its own background thread with its own SQLite file in
the lab's state folder (a temporary one by default, removed on stop). Two labs
share nothing: not a port, not a file, not a random sequence.
"""

from __future__ import annotations

import importlib
import json
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .clock import DEFAULT_START, Clock, JobFailure
from .endpoints import Endpoint
from .server import BackgroundServer, ServerError
from .service import Service
from .store import Store

#: The systems a lab runs, in start order: a system may wire itself to those before it.
SYSTEMS: dict[str, str] = {
    "mailer": "simulators.mailer:MailerSystem",
    "crm": "simulators.crm:CrmSystem",
    "provisioning": "simulators.provisioning:ProvisioningSystem",
    "payments": "simulators.payments:PaymentsSystem",
}


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


class Lab:
    """All of hooklab's simulated systems, running together."""

    def __init__(
        self,
        seed: int | None = None,
        state_dir: str | Path | None = None,
        *,
        realtime: bool = False,
        speed: float = 1.0,
        start: datetime = DEFAULT_START,
        systems: Iterable[str] | None = None,
        delivery_timeout: float | None = None,
        retry_policy: str | Any = "stripe",
        control_port: int = 0,
    ) -> None:
        self.seed = seed if seed is not None else secrets.randbits(32)
        self._temporary = state_dir is None
        self.state_dir = Path(tempfile.mkdtemp(prefix="hooklab-")) if state_dir is None else Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.realtime = realtime
        # Real senders wait 10-30 s; in virtual time a short wait keeps a
        # "slow" fault from stalling three simulated weeks.
        self.delivery_timeout = delivery_timeout if delivery_timeout is not None else (10.0 if realtime else 1.0)
        self.retry_policy = retry_policy
        # jupyter-server-proxy picks the port `hooklab serve` must listen on; 0 means any free one.
        self._control_port = control_port
        self.alerts: list[Alert] = []
        self._alert_listeners: list[Callable[[Alert], None]] = []
        self._lock = threading.Lock()
        self._stopped = False
        self.clock = Clock(start, realtime=realtime, speed=speed, on_failure=self._job_failed)
        self._meta = Store(self.state_dir / "lab.sqlite3")
        # Random, not seeded: on a shared JupyterHub node every learner runs the
        # same seeds, and the token is what keeps one from steering another's lab.
        self.admin_token = "hl_admin_" + secrets.token_urlsafe(24)
        self.systems: dict[str, Service] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self._traffic: Any = None
        try:
            self._start_systems(list(systems) if systems is not None else list(SYSTEMS))
        except BaseException:
            self.stop()
            raise

    # -- starting and stopping --------------------------------------------

    def _start_systems(self, names: list[str]) -> None:
        unknown = [name for name in names if name not in SYSTEMS]
        if unknown:
            raise ValueError(f"unknown system {unknown[0]!r}; the lab has {', '.join(SYSTEMS)}")
        ports = self._saved_ports()
        for name in SYSTEMS:  # start order, whatever order the caller listed them in
            if name not in names:
                continue
            module_name, _, class_name = SYSTEMS[name].partition(":")
            system_class = getattr(importlib.import_module(module_name), class_name)
            system = system_class(self)
            self.systems[name] = system
            _start_on(system, ports.get(name, 0))
        from .admin import create_admin_app  # the admin app reads lab attributes; import late

        self.control = BackgroundServer(
            create_admin_app(self), self._control_port or ports.get("control", 0), name="control"
        )
        try:
            self.control.start()
        except ServerError:
            if self._control_port:
                raise  # a port someone asked for by number: falling back would strand them
            self.control = BackgroundServer(create_admin_app(self), 0, name="control").start()
        for system in self.systems.values():
            system.connect()
        self._save_ports()

    def _saved_ports(self) -> dict[str, int]:
        # A named state folder reuses its ports when it can, so URLs a learner
        # wrote down survive a kernel restart.
        if self._temporary:
            return {}
        row = self._meta.one("SELECT body FROM documents WHERE kind = 'ports' AND id = 'ports'")
        return json.loads(row["body"])["ports"] if row else {}

    def _save_ports(self) -> None:
        if self._temporary:
            return
        ports = {name: system.port for name, system in self.systems.items()}
        ports["control"] = self.control.port
        body = json.dumps({"id": "ports", "ports": ports})
        self._meta.execute(
            "INSERT INTO documents (kind, id, created, body) VALUES ('ports', 'ports', 0, ?)"
            " ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            (body,),
        )

    def stop(self) -> None:
        """Stop every system and the clock; remove a temporary state folder. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self.clock.stop()
        services: list[Any] = [*self.endpoints.values(), *reversed(list(self.systems.values()))]
        control = getattr(self, "control", None)
        if control is not None:
            services.append(control)
        # Each server takes up to one poll interval to notice it should stop:
        # stopping them side by side makes that one interval, not one per server.
        with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
            list(pool.map(lambda service: service.stop(), services))
        self._meta.close()
        if self._temporary:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    @property
    def stopped(self) -> bool:
        return self._stopped

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the systems ------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        # lab.payments, lab.provisioning, … without a property per system
        systems = self.__dict__.get("systems", {})
        if name in systems:
            return systems[name]
        if name in SYSTEMS:
            raise AttributeError(f"this lab was started without {name!r}; pass systems=[..., {name!r}] to Lab()")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def traffic(self) -> Any:
        """Seeded customers who sign up, pay and cancel (see simulators.traffic)."""
        if self._traffic is None:
            from .traffic import Traffic

            self._traffic = Traffic(self)
        return self._traffic

    @property
    def url(self) -> str:
        """The lab's control server: the overview page and the admin API."""
        return self.control.url

    def links(self) -> dict[str, str]:
        """Name → the link a browser should open: the overview, each system, each endpoint (proxied on a hub)."""
        from .links import lab_links

        return lab_links(self)

    def system(self, name: str) -> Service:
        """A system or a learner endpoint, by name."""
        if name in self.systems:
            return self.systems[name]
        if name in self.endpoints:
            return self.endpoints[name]
        raise KeyError(f"no system or endpoint named {name!r}; there are {', '.join([*self.systems, *self.endpoints])}")

    def host(self, fn: Callable[..., Any], name: str | None = None) -> Endpoint:
        """Serve a Python function at its own URL; hosting the same name again swaps the function."""
        label: str = name or getattr(fn, "__name__", None) or "endpoint"
        if not label.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"an endpoint name uses letters, digits, - and _ only, not {label!r}")
        existing = self.endpoints.get(label)
        if existing is not None:
            existing.replace(fn)
            return existing
        endpoint = Endpoint(self, label, fn)
        endpoint.start()
        self.endpoints[label] = endpoint
        return endpoint

    # -- time -------------------------------------------------------------

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until everything due now (first deliveries, say) has run."""
        self.clock.settle(timeout)

    def settle_for_caller(self) -> None:
        """After a Python API call that set work off, wait for it — on the main thread, on the virtual clock.

        A notebook cell that pays twice must print the same ids every run, so the
        webhooks the first call set off finish before the second call starts. A
        handler or clock job never waits here: it would wait for itself.
        """
        if not self.realtime and not self._stopped and threading.current_thread() is threading.main_thread():
            self.clock.settle()

    def advance(self, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0) -> datetime:
        return self.clock.advance(seconds=seconds, minutes=minutes, hours=hours, days=days)

    # -- alerts -----------------------------------------------------------

    def raise_alert(self, source: str, kind: str, message: str, **details: Any) -> Alert:
        alert = Alert(self.clock.now(), source, kind, message, details)
        self.alerts.append(alert)
        for listener in list(self._alert_listeners):
            listener(alert)
        return alert

    def on_alert(self, listener: Callable[[Alert], None]) -> Callable[[], None]:
        """Call `listener(alert)` for every alert from now on; returns a function that unsubscribes."""
        self._alert_listeners.append(listener)
        return lambda: self._alert_listeners.remove(listener)

    def _job_failed(self, failure: JobFailure) -> None:
        self.raise_alert(
            "lab", "job_failed", f"scheduled job {failure.name!r} raised {failure.error}", traceback=failure.traceback
        )

    # -- describing -------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """URLs, keys and secrets of every system, as `hooklab serve --json` prints them."""
        info: dict[str, Any] = {name: system.describe() for name, system in self.systems.items()}
        info["control"] = {"url": self.url, "admin_token": self.admin_token}
        info["seed"] = self.seed
        info["clock"] = {"now": self.clock.now().isoformat(), "realtime": self.realtime, "speed": self.clock.speed}
        info["state_dir"] = str(self.state_dir)
        return info

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else f"{len(self.systems)} systems, clock {self.clock.now():%Y-%m-%d %H:%M}"
        return f"<Lab seed={self.seed} {state}>"


def _start_on(system: Service, port: int) -> None:
    if port:
        try:
            system.server.port = port
            system.start()
            return
        except ServerError:
            system.server.port = 0  # taken by someone else since: any free port will do
    system.start()
