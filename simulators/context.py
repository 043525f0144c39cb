"""What one system gets from the lab that runs it — never the lab itself.

The Lab is the one place that builds systems and wires them together; each
system sees only this: its name, the shared clock and alert sink, where its
state lives, its seed, and the few lab-wide settings a sender needs.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .alerts import AlertSink
from .clock import Clock
from .labkey import new_key
from .store import Store


def _nothing_to_settle() -> None:
    pass


@dataclass(frozen=True)
class SystemContext:
    """One system's view of its lab."""

    name: str
    clock: Clock
    state_dir: Path
    seed: int
    alerts: AlertSink
    #: How long a sender waits for an answer (short in virtual time, so "slow" cannot stall weeks).
    delivery_timeout: float = 1.0
    #: The retry policy a sender uses for an endpoint that has none of its own.
    retry_policy: str | Any = "stripe"
    #: After a Python API call that set work off: wait for it (on the main thread, in virtual time).
    settle: Callable[[], None] = _nothing_to_settle
    #: The lab's key: every URL of the system starts with `/hl_KEY` (see `labkey`); a system built alone draws its own.
    key: str = field(default_factory=new_key, repr=False)

    def store(self) -> Store:
        """This system's own SQLite file in the lab's state folder."""
        return Store(self.state_dir / f"{self.name}.sqlite3")

    def random(self, purpose: str) -> random.Random:
        """A random source of this system's own, seeded: the same lab seed draws the same numbers."""
        return random.Random(f"{self.seed}:{self.name}:{purpose}")

    def named(self, name: str) -> SystemContext:
        """The same lab, for another system (a learner endpoint, say)."""
        return replace(self, name=name)
