"""Automations as Markdown: one page each, or one catalogue for a whole set."""

from __future__ import annotations

from collections.abc import Iterable

from simulators.course.automations import mapping, triggers
from simulators.course.automations.model import Recipe, Step
from simulators.course.automations.triggers import system_name

_RETRIES = {
    "crm": "the CRM retries on the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h)",
    "payments": "the payment system retries with its endpoint's retry policy (Stripe-like backoff over about three days by default)",
}


def automation_markdown(automation: Recipe, *, level: int = 1, folded: bool = False) -> str:
    """The page; `folded` shows the summary and folds the sections below it, for reading in a notebook."""
    h = "#" * level
    lines = [f"{h} {automation.name}", "", f"> {automation.describe()}", ""]
    lines += _purpose(automation)
    if automation.description:
        lines += [automation.description.strip(), ""]
    if folded:
        count = len(automation.steps)
        lines += [
            f"Below the fold: the trigger and what it carries, the {count} step{'s' if count != 1 else ''}, what"
            " happens when it fails, who is alerted, how to test it, and known problems.",
            "",
            "<details><summary>Read the whole page</summary>",
            "",
        ]
    lines += _trigger_section(automation, h)
    lines += [f"{h}# Steps", "", "The steps run in order; a step runs only if the ones before it succeeded.", ""]
    for number, step in enumerate(automation.steps, 1):
        lines += _step_section(number, step, h)
    lines += _failure_section(automation, h)
    lines += _testing_section(automation, h)
    problems = automation.validate()
    lines += [f"{h}# Known problems", ""]
    lines += [f"- {problem}" for problem in problems] if problems else ["None found by `validate()`."]
    if folded:
        lines += ["", "</details>"]
    return "\n".join(lines).rstrip() + "\n"


def _purpose(automation: Recipe) -> list[str]:
    """Why it exists and who owns it: what a colleague needs before any of the mechanics."""
    lines = [
        f"- **{label}:** {value.strip()}"
        for label, value in (("Why it exists", automation.why), ("Owner", automation.owner))
        if value.strip()
    ]
    return [*lines, ""] if lines else []


def _trigger_section(automation: Recipe, h: str) -> list[str]:
    trigger = automation.trigger
    lines = [
        f"{h}# Trigger",
        "",
        f"- **Event:** `{automation.when}`" + (f": {trigger.meaning}" if trigger else " (not in the catalogue)"),
        f"- **Source system:** {system_name(automation.source)} (`{automation.source}`)",
    ]
    if automation.source in triggers.SIGNATURES:
        lines.append(
            f"- **Delivered as:** a webhook signed with {triggers.SIGNATURES[automation.source]}; "
            "deliveries whose signature does not check out are refused."
        )
    lines.append("")
    if trigger is not None:
        used = set(automation.data_paths())
        lines += [
            "What the event carries (fields this automation reads are marked):",
            "",
            "| field | meaning | used |",
            "|---|---|---|",
        ]
        lines += [
            f"| `{path}` | {meaning} | {'yes' if path in used else ''} |" for path, meaning in trigger.fields.items()
        ]
        lines.append("")
    return lines


def _step_section(number: int, step: Step, h: str) -> list[str]:
    definition = step.definition
    title = step.phrase()
    lines = [f"{h}## {number}. {title[0].upper()}{title[1:]} (`{step.key}`)", ""]
    if definition is not None:
        lines += [f"Calls `{definition.method} {definition.path}` on {system_name(definition.destination)}.", ""]
    lines += ["| input | comes from | required |", "|---|---|---|"]
    for name, value in step.using.items():
        required = "yes" if definition is not None and name in definition.required else "no"
        lines.append(f"| `{name}` | {_cell(mapping.describe_source(value))} | {required} |")
    lines.append("")
    return lines


def _failure_section(automation: Recipe, h: str) -> list[str]:
    who = automation.alert or "nobody (no alert person is set: failures go unnoticed)"
    retry = _RETRIES.get(automation.source, "the source retries on its own schedule")
    return [
        f"{h}# When it fails",
        "",
        "- **Missing data:** if a required input's field is missing, null or empty in the event, the automation "
        "stops at that step and does not ask for a retry (the data will not appear by itself). Optional inputs "
        "that are missing are left out.",
        "- **Destination down, slow, or answering 5xx/429:** the step fails, the receiver answers 503 and "
        f"{retry}. Steps that already succeeded for that event are not repeated.",
        "- **Destination refuses the input (other 4xx):** the step fails and is not retried; fix the mapping or the data.",
        "- **Duplicates:** the event id is remembered once handled; a second delivery of the same event does nothing.",
        "- **Forged or altered deliveries:** a bad signature is refused with 400 and reported.",
        "- Every delivery is logged: `automation.runs()` lists the event id, each step's status, the outcome and the error.",
        "",
        f"{h}# Who is alerted",
        "",
        f"{who}"
        + (
            ', by an email through the mailer (kind "alert"), once per failing event, with the event id, '
            "the failed step and the error. If the mailer itself cannot be reached, the alert is raised in "
            "the lab instead (`lab.alerts`)."
            if automation.alert
            else "."
        ),
        "",
    ]


def _testing_section(automation: Recipe, h: str) -> list[str]:
    trigger = automation.trigger
    systems = ["mailer", automation.source, *(str(step.destination) for step in automation.steps)]
    ordered = [name for name in ("mailer", "crm", "provisioning", "payments") if name in systems]
    code = [
        "from simulators import Lab",
        "",
        f"with Lab(seed=1, systems={ordered!r}) as lab:",
        "    automation.install(lab)  # `automation` is this spec",
    ]
    if trigger is not None and trigger.cause:
        code += [f"    {line}" for line in trigger.cause.splitlines()]
    code += ["    lab.settle()", '    print(automation.runs()[-1]["outcome"])  # succeeded']
    for step in automation.steps:
        if step.definition is not None and step.definition.check:
            code.append(f"    print({step.definition.check})")
    if automation.alert:
        code.append(f"    print(lab.mailer.alerts(to={automation.alert!r}))  # [] when all went well")
    first = automation.steps[0] if automation.steps else None
    outage = f"`lab.{first.destination}.faults.down()`" if first is not None else "a fault on the destination"
    return [
        f"{h}# How to test it",
        "",
        "```python",
        *code,
        "```",
        "",
        f"Then break it on purpose: trigger the event with a required field left out, and again with {outage} "
        "before it arrives. Each time, the run log shows the failure and the alert person gets an email.",
        "",
    ]


def render_catalogue(automations: Iterable[Recipe], title: str = "Automations") -> str:
    """One Markdown document describing every automation in the list."""
    items = list(automations)
    lines = [
        f"# {title}",
        "",
        f"{len(items)} automation{'s' if len(items) != 1 else ''}, each written as: "
        "*when [trigger event] happens in [source system], then [action] in [destination system], "
        "using [this data], and alert [this person] if it fails.*",
        "",
    ]
    lines += ["| automation | trigger | steps | alerts |", "|---|---|---|---|"]
    for automation in items:
        steps = ", ".join(f"`{step.key}`" for step in automation.steps)
        lines.append(
            f"| [{automation.name}](#{_anchor(automation.name)}) | `{automation.source}` `{automation.when}` "
            f"| {steps} | {automation.alert or '**nobody**'} |"
        )
    lines.append("")
    for automation in items:
        lines += [automation_markdown(automation, level=2).rstrip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    # a template's `|default` would otherwise split the table cell
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "-" else "-" if ch == " " else "" for ch in name.lower())
