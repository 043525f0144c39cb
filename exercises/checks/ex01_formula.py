"""Exercise 01 (core track): fill in the lesson's formula for a story told in plain words.

The learner fills `formula`, a dict with the formula's six slots, for Lin's rule:
when a customer gets their money back, create a to-do in the CRM to call them,
saying who and how much, and tell lin@example.com if that fails. No code
beyond quoted words: each slot is chosen from the lists the notebook prints.
The check reads each slot, then builds the automation the slots describe and
runs it in a live lab: a refund creates one task naming the customer and the
amount, and with the CRM down Lin is alerted.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex01_formula/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| Whenever a customer gets their money back | the trigger is a refund (charge.refunded) | cancellation-trigger |
| (where that happens) | the source is the payment system | source-is-the-crm |
| put a to-do | the action creates a task (a to-do for a person) | an-email-not-a-task |
| in the CRM | the destination is the CRM | destination-mailer |
| The to-do should say who the customer is and how much we refunded | the data says who it is and how much was refunded | who-only, amount-not-refunded, who-by-receipt-email |
| If making the to-do fails, tell me: lin@example.com | lin@example.com is alerted if it fails | alerts-billing, alerts-lin-and-ops |
| (run for real) a refund makes one task naming the customer and amount | your rule, run for real: Hedy's refund made one task … | none reaches it: the slots are judged first |
| (run for real) with the CRM down, Lin hears | with the CRM down, lin@example.com is told | none reaches it: the slots are judged first |
"""

from __future__ import annotations

from typing import Any

from simulators.course.automations import TRIGGERS, Automation, Step
from simulators.course.checking import Checklist, exercise, fail
from simulators.course.checking.reasoning import addresses

SLOTS = ("trigger", "source", "action", "destination", "data", "alert")
TRIGGER = "charge.refunded"
SOURCE = "payments"
ACTION = "create_task"
DESTINATION = "crm"
WHO = "data.object.customer"
HOW_MUCH = "data.object.amount_refunded"
ALERT = "lin@example.com"

HINTS = (
    "Read Lin's story one slot at a time, and copy each answer from the lists printed above the cell.",
    "The trigger is what happens, the source is where it happens; the action is what is done, the destination"
    " is where it is done; the data is what the action needs to know; the alert is who hears of a failure.",
)


@exercise(
    "ex01_formula",
    notebook="01_formula",
    title="Fill in the formula",
    needs=["formula"],
    hints=HINTS,
    systems=["payments", "crm", "mailer"],
    timeout=60,
)
def check(ns: dict[str, Any], lab: Any) -> Any:
    formula = ns["formula"]
    if not isinstance(formula, dict):
        fail(f"`formula` should be the dict of six slots, not a {type(formula).__name__}", *HINTS)
    missing = [slot for slot in SLOTS if slot not in formula]
    if missing:
        fail(f"`formula` has no {', '.join(repr(s) for s in missing)}: keep all six slots of the template", *HINTS)
    if all(formula[slot] is Ellipsis or formula[slot] == [Ellipsis] for slot in SLOTS):
        fail(
            "`formula` is still the template: replace each ... with your answer, run the cell, then this check", *HINTS
        )
    trigger, source = _text(formula["trigger"]), _text(formula["source"])
    action, destination = _text(formula["action"]), _text(formula["destination"])
    if "." in action and not destination:
        destination = action.split(".", 1)[0]  # "crm.create_task" names the destination too
    action = action.split(".", 1)[-1]
    data = [formula["data"]] if isinstance(formula["data"], str) else list(formula["data"] or [])
    data = [_text(path) for path in data if path is not Ellipsis]
    alert = _text(formula["alert"])

    c = Checklist()
    c.expect(
        trigger == TRIGGER,
        "the trigger is a refund (charge.refunded)",
        f"the trigger is {trigger or 'empty'}" + _known_event(trigger),
        hints=(
            '"Gets their money back" is a refund: find the trigger whose meaning says refunded.',
            "A trigger is the event that starts the rule; it is named exactly as in the TRIGGERS list.",
        ),
    )
    c.expect(
        source == SOURCE,
        "the source is the payment system",
        f"the source is {source or 'empty'}"
        + (": that is where the action happens (the destination)" if source == DESTINATION else ""),
        hints=("Refunds happen in the payment system: its name in the lists is payments.", HINTS[1]),
    )
    c.expect(
        action == ACTION,
        "the action creates a task (a to-do for a person)",
        f"the action is {action or 'empty'}",
        hints=("A to-do in the CRM is a task: the action is create_task.", HINTS[1]),
    )
    c.expect(
        destination == DESTINATION,
        "the destination is the CRM",
        f"the destination is {destination or 'empty'}",
        hints=("The task lives in the CRM, so the CRM is where the action is done: crm.", HINTS[1]),
    )
    carried = TRIGGERS[(SOURCE, TRIGGER)].fields
    strangers = [path for path in data if path not in carried]
    c.expect(
        WHO in data and HOW_MUCH in data and not strangers,
        "the data says who it is and how much was refunded",
        f"a refund does not carry {', '.join(strangers)}"
        if strangers
        else f"data.object.receipt_email may be missing from a refund: say who it is with {WHO}, which every"
        " refund carries"
        if WHO not in data and "data.object.receipt_email" in data
        else f"the data is {', '.join(data) or 'empty'}: it needs the customer and the amount refunded",
        hints=(
            f"Pick two fields from the refund's list: the customer ({WHO}) and the amount ({HOW_MUCH}).",
            "Each trigger carries its own fields: a refund has amount_refunded, not amount.",
        ),
    )
    c.expect(
        alert == ALERT,
        f"{ALERT} is alerted if it fails",
        _alert_instead(formula["alert"]),
        hints=(
            f"Lin wants to hear about failures: her address is {ALERT}.",
            "The alert names one person's email address, so a failure never goes unnoticed.",
        ),
    )
    if not c.ok:
        return c.result()
    _run_live(c, lab, data)
    return c.result()


def _run_live(c: Checklist, lab: Any, data: list[str]) -> None:
    rule = Automation(
        "Call after a refund",
        when=TRIGGER,
        source=SOURCE,
        then=Step(ACTION, DESTINATION, using={"title": "Call {" + WHO + "}: refunded {" + HOW_MUCH + "} cents"}),
        alert=ALERT,
    ).install(lab)
    try:
        hedy = lab.payments.create_customer("hedy@example.com", name="Hedy Lamarr")
        lab.payments.refund(lab.payments.pay(hedy["id"], 4900)["id"])
        lab.settle()
        tasks = [t for t in lab.crm.tasks() if hedy["id"] in t["title"]]
        c.expect(
            len(tasks) == 1 and "4900" in tasks[0]["title"],
            "your rule, run for real: Hedy's refund made one task naming her and the amount",
            f"Hedy's refund made {len(tasks)} tasks",
            hints=HINTS,
        )
        lab.crm.faults.down()
        alan = lab.payments.create_customer("alan@example.com", name="Alan Turing")
        lab.payments.refund(lab.payments.pay(alan["id"], 1900)["id"])
        lab.settle()
        lab.crm.faults.up()
        told = lab.mailer.alerts(to=ALERT)
        c.expect(bool(told), f"with the CRM down, {ALERT} is told", f"{ALERT} heard nothing", hints=HINTS)
    finally:
        rule.uninstall()
    c.details["data"] = data


def _alert_instead(value: Any) -> str:
    """Who the alert goes to instead of Lin, and what to change, in the learner's terms."""
    if isinstance(value, (list, tuple, set)):
        return f"the alert is a list, {value!r}: write one address in quotes, {ALERT!r}"
    found = addresses(value) if isinstance(value, str) else []
    if len(found) > 1:
        return f"the alert goes to {len(found)} addresses: Lin asked to be told herself, so name her alone, {ALERT!r}"
    return f"the alert goes to {_text(value) or 'nobody'}"


def _text(value: Any) -> str:
    """A slot as written, in the lists' own case: "Payments" and "payments " name the same system."""
    return value.strip().lower() if isinstance(value, str) else ""


def _known_event(trigger: str) -> str:
    events = {event for _, event in TRIGGERS}
    if trigger and trigger not in events:
        return ", which is not in the list of triggers: copy a name from it"
    return ""
