"""The course: checks, worksheets, pictures, the control panel, scenarios and automations.

Notebooks import what they use from here (and the lab from `simulators`):

    from simulators import Lab
    from simulators.course import check, reflection, timeline

The course builds on the sandbox (`simulators`) and the sandbox never imports
the course. Names load on first use, so `hooklab serve` does not pay for
matplotlib and ipywidgets.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .activation_log import activation_morning
    from .automations import ACTIONS, TRIGGERS, Automation, Step, render_catalogue
    from .automations.examples import confirm_paid_invoices, retain_cancelled_customers, welcome_new_leads
    from .checking import check
    from .forms import answer_form
    from .handling import FIRST_WAIT, LONGEST_WAIT, WorkQueue, connect_receiver, default_backoff
    from .plots import (
        backoff_draws,
        bar_compare,
        before_after,
        before_after_story,
        cost_vs_delay,
        flow_diagram,
        retry_crowd,
        systems_map,
        timeline,
    )
    from .polling import Race
    from .runbook import RUNBOOK_AUTOMATION, RUNBOOK_QUESTIONS, runbook_page
    from .scenarios import CATALOGUE, FIXES, ON_CALL, AlertRule, course_automations, describe_span, run_case_study
    from .trust import suspect_deliveries
    from .widgets import control_panel
    from .worksheets import export_worksheet, reflection

#: Each public name and the module (below this package) that defines it.
_WHERE = {
    "RUNBOOK_AUTOMATION": "runbook",
    "RUNBOOK_QUESTIONS": "runbook",
    "answer_form": "forms",
    "runbook_page": "runbook",
    "ACTIONS": "automations",
    "AlertRule": "scenarios",
    "Automation": "automations",
    "CATALOGUE": "scenarios",
    "FIRST_WAIT": "handling",
    "FIXES": "scenarios",
    "LONGEST_WAIT": "handling",
    "ON_CALL": "scenarios",
    "Race": "polling",
    "Step": "automations",
    "TRIGGERS": "automations",
    "WorkQueue": "handling",
    "activation_morning": "activation_log",
    "backoff_draws": "plots",
    "bar_compare": "plots",
    "before_after": "plots",
    "before_after_story": "plots",
    "check": "checking",
    "confirm_paid_invoices": "automations.examples",
    "connect_receiver": "handling",
    "control_panel": "widgets",
    "cost_vs_delay": "plots",
    "course_automations": "scenarios",
    "default_backoff": "handling",
    "describe_span": "scenarios",
    "export_worksheet": "worksheets",
    "flow_diagram": "plots",
    "reflection": "worksheets",
    "render_catalogue": "automations",
    "retain_cancelled_customers": "automations.examples",
    "retry_crowd": "plots",
    "run_case_study": "scenarios",
    "suspect_deliveries": "trust",
    "systems_map": "plots",
    "timeline": "plots",
    "welcome_new_leads": "automations.examples",
}

__all__ = [
    "ACTIONS",
    "AlertRule",
    "Automation",
    "CATALOGUE",
    "FIRST_WAIT",
    "FIXES",
    "LONGEST_WAIT",
    "ON_CALL",
    "RUNBOOK_AUTOMATION",
    "RUNBOOK_QUESTIONS",
    "Race",
    "Step",
    "TRIGGERS",
    "WorkQueue",
    "activation_morning",
    "answer_form",
    "backoff_draws",
    "bar_compare",
    "before_after",
    "before_after_story",
    "check",
    "confirm_paid_invoices",
    "connect_receiver",
    "control_panel",
    "cost_vs_delay",
    "course_automations",
    "default_backoff",
    "describe_span",
    "export_worksheet",
    "flow_diagram",
    "reflection",
    "render_catalogue",
    "retain_cancelled_customers",
    "retry_crowd",
    "run_case_study",
    "runbook_page",
    "suspect_deliveries",
    "systems_map",
    "timeline",
    "welcome_new_leads",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


def _guide_this_kernel() -> None:
    # Every kernel of a course install loads hooklab_kernel from its IPython config; one started some other
    # way (a bare PYTHONPATH, a colleague's environment) gets the same guidance once a cell imports the course.
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    try:
        import hooklab_kernel  # here: only a kernel's first import of the course needs it
    except ModuleNotFoundError:  # an editable install made before hooklab_kernel existed: the course runs without it
        return
    hooklab_kernel.load_ipython_extension(shell)


_guide_this_kernel()
