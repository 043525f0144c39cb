"""An automation, written as the lesson's formula.

When [trigger event] happens in [source system],
then [action] in [destination system], using [this data],
and alert [this person] if it fails.

Automation(
    "Welcome new leads",
    when="form.submitted", source="crm",
    then=[Step("create_contact", "crm", using={"email": "data.email", "name": "data.name"}),
          Step("send_email", "mailer", using={"to": "data.email", "subject": "Welcome!"})],
    alert="ops@example.com",
    why="A lead who hears nothing for a day buys elsewhere.",
    owner="Dana (operations), dana.ops@example.com",
)

`why=` and `owner=` are optional; they open the automation's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulators.course.automations import actions as action_catalogue
from simulators.course.automations import mapping, triggers
from simulators.course.automations.docs import automation_markdown
from simulators.course.automations.model import Step
from simulators.course.automations.runner import Installation
from simulators.mailer.messages import looks_like_address

if TYPE_CHECKING:
    from simulators.lab import Lab

__all__ = ["Automation", "Step"]

#: Problems that make an automation impossible to run (rather than merely fragile).
_BLOCKING = (
    "unknown source",
    "unknown trigger",
    "unknown destination",
    "unknown action",
    "missing input",
    "no steps",
    "no name",
    "unknown input",
)


@dataclass
class Automation:
    """When [when] happens in [source], then [then] in their destinations, using [their data], and alert [alert]."""

    name: str
    when: str
    source: str
    then: list[Step] | Step
    alert: str | None = None
    description: str = ""
    #: Why it exists: what the customer or the team would lose without it (shown first on its page).
    why: str = ""
    #: The one person who answers for it: a name (and an address), not a team mailbox.
    owner: str = ""
    _installation: Installation | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.then, Step):
            self.then = [self.then]
        self.then = list(self.then)

    @property
    def steps(self) -> list[Step]:
        return self.then  # type: ignore[return-value]

    @property
    def trigger(self) -> triggers.Trigger | None:
        return triggers.TRIGGERS.get((self.source, self.when))

    # -- the formula ------------------------------------------------------

    def data_paths(self) -> list[str]:
        """Every event field the steps read, in order of first use."""
        return list(dict.fromkeys(path for step in self.steps for path in step.paths()))

    def describe(self) -> str:
        """The automation as one plain-English sentence, in the formula's form."""
        actions = ", then ".join(step.phrase() for step in self.steps) or "do nothing"
        paths = self.data_paths()
        using = (
            ", ".join(paths[:-1]) + f" and {paths[-1]}" if len(paths) > 1 else (paths[0] if paths else "no event data")
        )
        who = f"alert {self.alert}" if self.alert else "alert nobody (no one is set to be alerted)"
        return (
            f"When {self.when} happens in {triggers.system_name(self.source)}, then {actions}, "
            f"using {using}, and {who} if it fails."
        )

    def __str__(self) -> str:
        return self.describe()

    # -- checking ---------------------------------------------------------

    def validate(self) -> list[str]:
        """Everything wrong or fragile about this automation, in words; empty when it is sound."""
        return [message for _, message in self._problems()]

    def blocking_problems(self) -> list[str]:
        """The problems that stop it from running at all."""
        return [message for kind, message in self._problems() if kind in _BLOCKING]

    def _problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not self.name or not str(self.name).strip():
            problems.append(("no name", "the automation has no name: give it one a colleague will recognise"))
        if self.source not in triggers.sources():
            problems.append(
                (
                    "unknown source",
                    f"unknown source system {self.source!r}; triggers come from {', '.join(triggers.sources())}",
                )
            )
        elif self.trigger is None:
            problems.append(
                (
                    "unknown trigger",
                    f"{triggers.system_name(self.source)} sends no {self.when!r} event; "
                    f"it sends {', '.join(triggers.events_of(self.source))}",
                )
            )
        if not self.alert:
            problems.append(
                (
                    "no alert",
                    "no one is alerted if it fails: set alert= to a person's email, or a failure will go unnoticed",
                )
            )
        elif not looks_like_address(self.alert):
            problems.append(("bad alert", f"alert must be an email address, not {self.alert!r}"))
        if not self.steps:
            problems.append(("no steps", "the automation has no steps: add at least one Step in then="))
        for number, step in enumerate(self.steps, 1):
            problems.extend(self._step_problems(number, step))
        return problems

    def _step_problems(self, number: int, step: Step) -> list[tuple[str, str]]:
        where = f"step {number} ({step.key})"
        if step.destination not in action_catalogue.destinations():
            return [
                (
                    "unknown destination",
                    f"{where}: unknown destination system {step.destination!r}; "
                    f"actions go to {', '.join(action_catalogue.destinations())}",
                )
            ]
        definition = step.definition
        if definition is None:
            return [
                (
                    "unknown action",
                    f"{where}: {triggers.system_name(str(step.destination))} has no action "
                    f"{step.action!r}; it has {', '.join(action_catalogue.actions_of(str(step.destination)))}",
                )
            ]
        problems: list[tuple[str, str]] = []
        for name in definition.required:
            if name not in step.using:
                problems.append(
                    (
                        "missing input",
                        f"{where}: the required input {name!r} is not mapped (add using={{{name!r}: ...}})",
                    )
                )
        for name in step.using:
            if name not in definition.inputs:
                problems.append(
                    (
                        "unknown input",
                        f"{where}: {step.key} takes no input {name!r}; it takes {', '.join(definition.inputs)}",
                    )
                )
        trigger = self.trigger
        if trigger is not None:
            for name, value in step.using.items():
                for path in mapping.paths_in(value):
                    if not trigger.carries(path):
                        problems.append(
                            (
                                "missing data",
                                f"{where}: input {name!r} reads {path}, which a {self.when} event does not carry",
                            )
                        )
        return problems

    # -- running ----------------------------------------------------------

    def install(self, lab: Lab) -> Automation:
        """Subscribe to the source's webhooks in `lab` and act on every delivery; returns self."""
        if self._installation is not None and not self._installation.lab.stopped:
            raise RuntimeError(f"{self.name!r} is already installed; call uninstall() first")
        problems = self.blocking_problems()
        if problems:
            raise ValueError(f"{self.name!r} cannot run: " + "; ".join(problems))
        self._installation = Installation(self, lab)
        return self

    run = install

    def uninstall(self) -> None:
        """Stop receiving: remove the webhook subscription and the receiver."""
        if self._installation is not None:
            self._installation.close()
            self._installation = None

    @property
    def installed(self) -> bool:
        return self._installation is not None

    @property
    def url(self) -> str:
        """Where the source delivers this automation's trigger events."""
        return self._require_installed().endpoint.url

    def runs(self) -> list[dict[str, Any]]:
        """The run log: one entry per delivery received, oldest first."""
        return self._installation.log() if self._installation is not None else []

    def _require_installed(self) -> Installation:
        if self._installation is None:
            raise RuntimeError(f"{self.name!r} is not installed; call install(lab) first")
        return self._installation

    # -- documenting ------------------------------------------------------

    def to_markdown(self, level: int = 1, *, folded: bool = False) -> str:
        """Documentation a colleague could use to fix this automation months from now (`folded`: summary first)."""
        return automation_markdown(self, level=level, folded=folded)
