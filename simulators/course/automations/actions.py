"""The catalogue of actions an automation can take, each one HTTP call to a destination system.

Add your own with `register_action(Action(...))`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: call(method, path, json) -> (status, body); the runner makes it, aimed at the destination's URL
Call = Callable[[str, str, dict[str, Any]], tuple[int, Any]]


class ActionFailed(Exception):
    """The destination refused the action, or could not be reached."""

    def __init__(self, message: str, *, transient: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status


@dataclass(frozen=True)
class Action:
    """Something to do in a destination system, and the inputs it takes."""

    destination: str
    name: str
    #: A verb phrase for sentences: "create a contact".
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    method: str
    path: str
    #: Python that shows the action's effect in a lab, for "how to test".
    check: str = ""
    #: An answer that means "already done" rather than failure (status, error code).
    already_done: tuple[int, str] | None = None

    @property
    def key(self) -> str:
        return f"{self.destination}.{self.name}"

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.required + self.optional

    def perform(self, call: Call, values: dict[str, Any]) -> dict[str, Any]:
        """Call the destination; return its answer, or raise ActionFailed."""
        status, body = call(self.method, self.path, values)
        if 200 <= status < 300:
            return body if isinstance(body, dict) else {"answer": body}
        error = body.get("error", {}) if isinstance(body, dict) else {}
        if self.already_done is not None and (status, error.get("code")) == self.already_done:
            # Doing it again found it done: that is success for an idempotent step.
            return {"id": error.get("contact") or error.get("id"), "already_existed": True}
        message = error.get("message") or f"answered HTTP {status}"
        transient = status >= 500 or status == 429
        raise ActionFailed(f"{self.destination} answered {status}: {message}", transient=transient, status=status)


ACTIONS: dict[str, Action] = {}


def register_action(action: Action) -> Action:
    """Make an action available to automations (replacing one with the same key)."""
    ACTIONS[action.key] = action
    return action


for _action in (
    Action(
        "crm",
        "create_contact",
        "create a contact",
        ("email",),
        ("name", "company", "notes"),
        "POST",
        "/contacts",
        check='lab.crm.contacts(email="ada@example.com")',
        already_done=(409, "contact_exists"),
    ),
    Action(
        "crm",
        "create_task",
        "create a task",
        ("title",),
        ("contact", "notes", "due"),
        "POST",
        "/tasks",
        check='lab.crm.tasks(status="open")',
    ),
    Action(
        "mailer",
        "send_email",
        "send an email",
        ("to", "subject"),
        ("body", "tags"),
        "POST",
        "/messages",
        check='lab.mailer.inbox(kind="email")',
    ),
    Action(
        "provisioning",
        "activate",
        "activate an account",
        ("customer",),
        ("plan", "email"),
        "POST",
        "/accounts/activate",
        check='lab.provisioning.accounts(status="active")',
    ),
    Action(
        "provisioning",
        "deactivate",
        "deactivate an account",
        ("customer",),
        (),
        "POST",
        "/accounts/deactivate",
        check='lab.provisioning.accounts(status="inactive")',
    ),
):
    register_action(_action)


def destinations() -> list[str]:
    return sorted({action.destination for action in ACTIONS.values()})


def actions_of(destination: str) -> list[str]:
    return [action.name for action in ACTIONS.values() if action.destination == destination]
