"""Automations: the lesson's formula made executable.

"When [trigger event] happens in [source system], then [action] in
[destination system], using [this data], and alert [this person] if it fails."
"""

from simulators.course.automations.actions import ACTIONS, Action, ActionFailed, register_action
from simulators.course.automations.docs import render_catalogue
from simulators.course.automations.mapping import MissingData
from simulators.course.automations.spec import Automation, Step
from simulators.course.automations.triggers import TRIGGERS, Trigger

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
