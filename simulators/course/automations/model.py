"""What the runner and the documentation read of an automation: its steps, and the formula's parts.

`Automation` (in `spec`) is the spec a lesson writes; it installs itself with
the runner and documents itself with `docs`. Those two read it through
`Recipe`, so neither imports the spec that imports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from simulators.course.automations import actions as action_catalogue
from simulators.course.automations import mapping, triggers

__all__ = ["Recipe", "Step"]


@dataclass(frozen=True)
class Step:
    """One action in a destination system, with where each input comes from."""

    action: str
    destination: str | None = None
    using: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.destination is None and "." in self.action:
            destination, _, name = self.action.partition(".")  # Step("crm.create_contact") reads naturally too
            object.__setattr__(self, "destination", destination)
            object.__setattr__(self, "action", name)
        object.__setattr__(self, "using", dict(self.using))

    @property
    def key(self) -> str:
        return f"{self.destination}.{self.action}"

    @property
    def definition(self) -> action_catalogue.Action | None:
        return action_catalogue.ACTIONS.get(self.key)

    def paths(self) -> list[str]:
        return [path for value in self.using.values() for path in mapping.paths_in(value)]

    def phrase(self) -> str:
        """ "create a contact in the CRM"."""
        definition = self.definition
        label = definition.label if definition else self.action.replace("_", " ")
        return f"{label} in {triggers.system_name(str(self.destination))}"


class Recipe(Protocol):
    """An automation as the runner and the docs see it (`spec.Automation` is one)."""

    name: str
    when: str
    source: str
    alert: str | None
    description: str
    why: str
    owner: str

    @property
    def steps(self) -> list[Step]: ...

    @property
    def trigger(self) -> triggers.Trigger | None: ...

    def data_paths(self) -> list[str]: ...

    def describe(self) -> str: ...

    def validate(self) -> list[str]: ...
