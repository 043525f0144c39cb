"""The transactional outbox: one sender's delivery log with the deliverer that works through it.

A sending system calls `enqueue()` inside the transaction that records the
event, so an event and its deliveries exist together or not at all; the
deliverer then attempts each one on the lab clock. A restarted system calls
`start()` and picks up every pending delivery, so the simulator never loses
an event. Reads (`deliveries()`, `attempts()`, `health()`) are the log's.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from ..clock import Clock
from ..ids import IdFactory
from ..store import Store
from .deliverer import Deliverer, Target
from .deliverylog import DeliveryLog
from .signing import Signer


class Outbox(DeliveryLog):
    """The delivery log of one sending system, and its deliverer."""

    def __init__(
        self,
        name: str,
        store: Store,
        clock: Clock,
        ids: IdFactory,
        *,
        rng: random.Random,
        knob_rng: random.Random,
        sign: Signer,
        lookup: Callable[[str], Target | None],
        timeout: float,
        on_give_up: Callable[[dict[str, Any]], None] | None = None,
        on_endpoint_failing: Callable[[str, str], None] | None = None,
    ) -> None:
        self.name = name
        self.deliverer = Deliverer(
            name,
            self,
            clock,
            rng=rng,
            sign=sign,
            lookup=lookup,
            timeout=timeout,
            on_give_up=on_give_up,
            on_endpoint_failing=on_endpoint_failing,
        )
        super().__init__(store, clock, ids, knob_rng=knob_rng, due=self.deliverer.schedule)

    def start(self) -> None:
        """Start delivering, beginning with every delivery left pending."""
        self.deliverer.start()

    def stop(self) -> None:
        self.deliverer.stop()

    def knobs(self, *, duplicates: float | None = None, out_of_order: float | None = None) -> dict[str, float]:
        """Send some events twice, or hold some back so later ones overtake them."""
        for value in (duplicates, out_of_order):
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"a rate is between 0 and 1, not {value!r}")
        if duplicates is not None:
            self.deliverer.duplicate_rate = duplicates
        if out_of_order is not None:
            self.out_of_order_rate = out_of_order
        return {"duplicates": self.deliverer.duplicate_rate, "out_of_order": self.out_of_order_rate}


def event_json(event: dict[str, Any]) -> bytes:
    """The exact bytes sent for an event (and signed): pretty, as Stripe sends."""
    return json.dumps(event, indent=2).encode()
