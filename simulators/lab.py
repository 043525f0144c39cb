"""The Lab: every simulated system, started on free loopback ports, on one clock.

    with Lab(seed=7) as lab:
        lab.payments.url, lab.provisioning.url, lab.crm.url, lab.mailer.url
        lab.clock.advance(days=1)

Each system runs in its own background thread with its own SQLite file in
the lab's state folder (a temporary one by default, removed on stop). Two labs
share nothing: not a port, not a file, not a random sequence, not a key (every
URL of a lab starts with its own random `/hl_KEY`: see `labkey`).
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from . import dashboards
from .admin import create_admin_app
from .alerts import Alert, AlertSink
from .clock import DEFAULT_START, Clock, JobFailure
from .clock_keeper import ClockKeeper, resumed_start
from .context import SystemContext
from .crm import CrmSystem
from .dashboards import crm as crm_pages
from .dashboards import mailer as mailer_pages
from .dashboards import payments as payments_pages
from .dashboards import provisioning as provisioning_pages
from .dashboards.overview import render_overview
from .endpoints import Endpoint
from .ids import IdFactory
from .inprocess import active as in_process
from .inprocess.clock import InlineClock
from .labkey import base_path, keep_key
from .links import lab_links
from .mailer import MailerSystem
from .payments import PaymentsSystem
from .provisioning import ProvisioningSystem
from .server import BackgroundServer, ServerError
from .service import Service
from .store import Store
from .traffic import Traffic

__all__ = ["SYSTEMS", "Alert", "Lab"]

#: The systems a lab runs, in start order, each with its dashboard pages; each is built from its context alone.
SYSTEMS: dict[str, tuple[Callable[[SystemContext], Service], Any]] = {
    "mailer": (MailerSystem, mailer_pages),
    "crm": (CrmSystem, crm_pages),
    "provisioning": (ProvisioningSystem, provisioning_pages),
    "payments": (PaymentsSystem, payments_pages),
}

S = TypeVar("S", bound=Service)


class Lab:
    """All of hooklab's simulated systems, running together: the one place they are built and wired."""

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
        key: str | None = None,
    ) -> None:
        self.seed = seed if seed is not None else secrets.randbits(32)
        self._temporary = state_dir is None
        self.state_dir = Path(tempfile.mkdtemp(prefix="hooklab-")) if state_dir is None else Path(state_dir)
        # 0700: the state folder holds every system's secrets (an existing folder keeps its mode: it is the learner's).
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.realtime = realtime
        # Real senders wait 10-30 s; in virtual time a short wait keeps a
        # "slow" fault from stalling three simulated weeks.
        self.delivery_timeout = delivery_timeout if delivery_timeout is not None else (10.0 if realtime else 1.0)
        self.retry_policy = retry_policy
        # jupyter-server-proxy picks the port `hooklab serve` must listen on; 0 means any free one.
        self._control_port = control_port
        self._lock = threading.Lock()
        self._stopped = False
        if not self._temporary:
            start = resumed_start(self.state_dir, start)  # a restart never moves the clock back
        # hooklab Lite (Pyodide) has no threads: its clock runs jobs in the calling thread (see `inprocess`).
        clock_type = InlineClock if in_process() else Clock
        self.clock = clock_type(start, realtime=realtime, speed=speed, on_failure=self._job_failed)
        self._alerts = AlertSink(self.clock)
        self._meta = Store(self.state_dir / "lab.sqlite3")
        self._clock_keeper = ClockKeeper(self.clock, self._meta) if not self._temporary else None
        # Random and kept in the state folder (see `labkey`): what keeps other learners on a hub out of this lab.
        self.key = keep_key(self.state_dir, key)
        # Random, not seeded: on a shared JupyterHub node every learner runs the
        # same seeds, and the token is what keeps one from steering another's lab.
        self.admin_token = "hl_admin_" + secrets.token_urlsafe(24)
        self.systems: dict[str, Service] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self._traffic: Traffic | None = None
        try:
            self._start_systems(list(systems) if systems is not None else list(SYSTEMS))
        except BaseException:
            self.stop()
            raise

    # -- building and wiring ------------------------------------------------

    def context(self, name: str) -> SystemContext:
        """What a system named `name` gets from this lab (build a system of your own with it, as tests do)."""
        return SystemContext(
            name=name,
            clock=self.clock,
            state_dir=self.state_dir,
            seed=self.seed,
            alerts=self._alerts,
            delivery_timeout=self.delivery_timeout,
            retry_policy=self.retry_policy,
            settle=self.settle_for_caller,
            key=self.key,
        )

    def _build(self, name: str) -> Service:
        build, pages = SYSTEMS[name]
        system = build(self.context(name))
        dashboards.mount(system, pages, self._nav)
        return system

    def _start_systems(self, names: list[str]) -> None:
        unknown = [name for name in names if name not in SYSTEMS]
        if unknown:
            raise ValueError(f"unknown system {unknown[0]!r}; the lab has {', '.join(SYSTEMS)}")
        ports = self._saved_ports()
        for name in SYSTEMS:  # start order, whatever order the caller listed them in
            if name not in names:
                continue
            system = self._build(name)
            self.systems[name] = system
            _start_on(system, ports.get(name, 0))
        self.control = self._control_server(self._control_port or ports.get("control", 0))
        try:
            self.control.start()
        except ServerError:
            if self._control_port:
                raise  # a port someone asked for by number: falling back would strand them
            self.control = self._control_server(0).start()
        self._wire()
        self._save_ports()

    def _wire(self) -> None:
        """Connect the systems to each other, once every one is listening."""
        payments = self.systems.get("payments")
        provisioning = self.systems.get("provisioning")
        if isinstance(payments, PaymentsSystem) and isinstance(provisioning, ProvisioningSystem):
            payments.connect_provisioning(provisioning.webhook_url, provisioning.EVENTS)

    def _control_server(self, port: int) -> BackgroundServer:
        return BackgroundServer(self._admin_app(), port, name="control", base_path=base_path(self.key))

    def _admin_app(self) -> Any:
        return create_admin_app(
            token=self.admin_token,
            key=self.key,
            clock=self.clock,
            realtime=self.realtime,
            lookup=self.system,
            names=lambda: [*self.systems, *self.endpoints],
            alerts=self._alerts,
            ids=IdFactory(self._meta, seed=self.seed, namespace="control"),
            overview=lambda: render_overview(self),
        )

    def _nav(self) -> list[tuple[str, str]]:
        return dashboards.nav_links(getattr(self, "control", None), list(self.systems.items()))

    def restart(self, name: str) -> Service:
        """Stop one system and start it again on the same state, as after a crash; returns the new one."""
        old = self.system(name)
        if name not in self.systems:
            raise KeyError(f"{name!r} is a learner endpoint; host it again with lab.host()")
        port = old.port
        old.stop()
        system = self._build(name)
        self.systems[name] = system
        _start_on(system, port)
        self._wire()
        return system

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
        keeper = getattr(self, "_clock_keeper", None)
        if keeper is not None:
            keeper.stop()
        self.clock.stop()
        services: list[Any] = [*self.endpoints.values(), *reversed(list(self.systems.values()))]
        control = getattr(self, "control", None)
        if control is not None:
            services.append(control)
        if isinstance(self.clock, InlineClock):
            for service in services:  # nothing to wait for: no server has a thread
                service.stop()
        else:
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

    def _get(self, name: str, kind: type[S]) -> S:
        system = self.systems.get(name)
        if system is None:
            raise AttributeError(f"this lab was started without {name!r}; pass systems=[..., {name!r}] to Lab()")
        assert isinstance(system, kind)  # noqa: S101 - the lab built it from SYSTEMS
        return system

    @property
    def payments(self) -> PaymentsSystem:
        """The Stripe-compatible payment system."""
        return self._get("payments", PaymentsSystem)

    @property
    def provisioning(self) -> ProvisioningSystem:
        """The system that gives paying customers their accounts."""
        return self._get("provisioning", ProvisioningSystem)

    @property
    def crm(self) -> CrmSystem:
        """Contacts, tasks and a web form that sends webhooks."""
        return self._get("crm", CrmSystem)

    @property
    def mailer(self) -> MailerSystem:
        """Every email and alert the automations send."""
        return self._get("mailer", MailerSystem)

    @property
    def traffic(self) -> Traffic:
        """Seeded customers who sign up, pay and cancel (see simulators.traffic)."""
        if self._traffic is None:
            self._traffic = Traffic(self.payments, self.clock, self.seed)
        return self._traffic

    @property
    def url(self) -> str:
        """The lab's control server: the overview page and the admin API."""
        return self.control.url

    def links(self) -> dict[str, str]:
        """Name → the link a browser should open: the overview, each system, each endpoint (proxied on a hub)."""
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
        endpoint = Endpoint(self.context(f"endpoint-{label}"), label, fn)
        dashboards.mount(endpoint, nav=self._nav)
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

    @property
    def alerts(self) -> list[Alert]:
        """Every alert so far, oldest first."""
        return self._alerts.alerts

    def raise_alert(self, source: str, kind: str, message: str, **details: Any) -> Alert:
        return self._alerts.raise_alert(source, kind, message, **details)

    def on_alert(self, listener: Callable[[Alert], None]) -> Callable[[], None]:
        """Call `listener(alert)` for every alert from now on; returns a function that unsubscribes."""
        return self._alerts.subscribe(listener)

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
