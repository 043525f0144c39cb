"""Automations: the lesson's formula made executable.

"When [trigger event] happens in [source system], then [action] in
[destination system], using [this data], and alert [this person] if it fails."
"""

from .actions import ACTIONS, Action, ActionFailed, register_action
from .docs import render_catalogue
from .mapping import MissingData
from .spec import Automation, Step
from .triggers import TRIGGERS, Trigger

__all__ = [
    "ACTIONS",
    "TRIGGERS",
    "Action",
    "ActionFailed",
    "Automation",
    "MissingData",
    "Step",
    "Trigger",
    "register_action",
    "render_catalogue",
]
