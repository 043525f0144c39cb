"""Exercise 06: design, run and document two automations with the automation spec.

NEW_LEAD: a form submission in the CRM becomes a CRM contact and gets a welcome
email. CANCELLATION: a cancelled subscription in the payment system starts a
retention outreach (a task in the CRM). The check refuses a spec with no one
to alert or one that reads data its trigger does not carry, then runs both in
a live lab: the happy path, a form without an email, and the CRM down when a
cancellation arrives.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex06_design/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| New lead: when someone submits the contact form | NEW_LEAD starts on form.submitted in the CRM | starts on customer.created |
| add them to the CRM as a contact | a new lead becomes a CRM contact; a form without an email creates no contact | contact step reads data.name as the email |
| and send them a welcome email | the lead gets one welcome email | no-welcome-email, welcomes-twice, welcome-to-the-company |
| Cancellation: when a customer cancels their subscription | CANCELLATION is ready (an event the payment system sends); CANCELLATION starts on customer.subscription.deleted …; nothing happens while the customer stays subscribed | wrong-cancellation-trigger, subscription-created-trigger |
| a task in the CRM for customer success to call them | a cancellation creates one retention task; the task says which customer cancelled | emails-instead-of-a-task; task-names-nobody |
| The check refuses a spec that alerts nobody or reads data its trigger does not carry | NEW_LEAD / CANCELLATION is ready (validate() finds no problems) | nobody-alerted |
| a lead without an email | a form without an email alerts … once | alert goes to the lead |
| a cancellation that arrives while the CRM is down | the CRM being down alerts …; once the CRM is back, the retry creates the task (once) | a step that catches its own error |
| `description=...` | NEW_LEAD / CANCELLATION explains why it exists | description-x |
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from simulators.course.automations import Automation
from simulators.course.checking import Checklist, exercise, fail

HINTS = (
    "Start from the formula: Automation(name, when=..., source=..., then=[Step(action, destination, using={...})], "
    'alert="someone@example.com"), and read automation.validate() until it prints nothing.',
    "Map the flow first: the trigger's fields (TRIGGERS[(source, event)].fields) are the only data you can use; "
    "every automation names one person to alert when it fails.",
)


def _spec(c: Checklist, ns: dict[str, Any], name: str, when: str, source: str) -> Automation:
    spec = ns[name]
    if not isinstance(spec, Automation):
        fail(f"{name} must be an Automation(...), not {type(spec).__name__}", *HINTS)
    where = "the CRM" if source == "crm" else "the payment system"
    # Ready first: the stub already names each flow's trigger, so a trigger step judged first would pass on an
    # untouched exercise and give it partial credit for work nobody did.
    problems = spec.validate()
    c.require(not problems, f"{name} is ready (validate() finds no problems)", "; ".join(problems), hints=HINTS)
    c.require(
        (spec.source, spec.when) == (source, when),
        f"{name} starts on {when} in {where}",
        f"{name} starts on {spec.when!r} in {spec.source!r}; this flow starts on {when!r} in {source!r}",
        hints=HINTS,
    )
    return replace(spec)  # a fresh copy: the learner's object stays uninstalled


def _new_lead(c: Checklist, spec: Automation, lab: Any) -> None:
    spec.install(lab)
    lab.crm.submit_form(name="Ada Lovelace", email="ada@example.com", company="Analytical Engines")
    lab.settle()
    contacts = lab.crm.contacts(email="ada@example.com")
    c.expect(
        len(contacts) == 1,
        "a new lead becomes a CRM contact",
        f"found {len(contacts)} contacts for ada@example.com",
        hints=_step_hints(spec, "crm.create_contact", len(contacts), "email"),
    )
    welcome = lab.mailer.inbox(to="ada@example.com", kind="email")
    c.expect(
        len(welcome) == 1,
        "the lead gets one welcome email",
        f"ada@example.com received {len(welcome)} emails",
        hints=_step_hints(spec, "mailer.send_email", len(welcome), "to"),
    )
    before_contacts = len(lab.crm.contacts())
    before_alerts = len(lab.mailer.alerts(to=spec.alert))
    lab.crm.submit_form(name="Anonymous Visitor", company="Somewhere Ltd")
    lab.settle()
    c.expect(
        len(lab.crm.contacts()) == before_contacts,
        "a form without an email creates no contact",
        "a contact was created from a form with no email address",
        hints=("Map the contact's email from data.email: when it is missing, the step stops.", HINTS[1]),
    )
    told = len(lab.mailer.alerts(to=spec.alert)) - before_alerts
    c.expect(
        told == 1,
        f"a form without an email alerts {spec.alert} once",
        f"{spec.alert} received {told} alerts",
        hints=HINTS,
    )
    spec.uninstall()


def _step_hints(spec: Automation, key: str, found: int, field: str) -> tuple[str, ...]:
    """What to change when a step's result is missing or doubled: add the step, fix its input, or keep one."""
    action, destination = key.split(".")[1], key.split(".")[0]
    steps = [step for step in spec.steps if step.key == key]
    if not steps:
        return (f'Add Step("{action}", "{destination}", using={{"{field}": "data.email", ...}}).', HINTS[1])
    if found > 1 or len(steps) > 1:
        return (
            f"NEW_LEAD has {len(steps)} {action} step(s): one lead, one {action.replace('_', ' ')}, so keep one.",
            HINTS[1],
        )
    return (
        f"Your {action} step's {field!r} reads {steps[0].using.get(field)!r}: it must be the lead's address,"
        ' "data.email" (the form\'s email field).',
        HINTS[1],
    )


def _cancellation(c: Checklist, spec: Automation, lab: Any) -> None:
    spec.install(lab)
    pay = lab.payments
    customer = pay.create_customer("grace@example.com", name="Grace Hopper")["id"]
    subscription = pay.subscribe(customer, "basic")
    lab.settle()
    c.expect(
        not lab.crm.tasks(),
        "nothing happens while the customer stays subscribed",
        f"{len(lab.crm.tasks())} task(s) appeared before anyone cancelled",
        hints=("The trigger is customer.subscription.deleted.", HINTS[1]),
    )
    pay.cancel_subscription(subscription["id"])
    lab.settle()
    tasks = lab.crm.tasks()
    c.expect(
        len(tasks) == 1,
        "a cancellation creates one retention task in the CRM",
        f"found {len(tasks)} tasks",
        hints=('Add Step("create_task", "crm", using={"title": ...}).', HINTS[1]),
    )
    text = " ".join(f"{t.get('title', '')} {t.get('notes') or ''}" for t in tasks)
    c.expect(
        customer in text,
        "the task says which customer cancelled",
        "the task's title and notes do not name the customer",
        hints=(
            'Use a template such as "Call {data.object.customer}".',
            "Whoever picks up the task must know whom to call.",
        ),
    )
    # The CRM is down when the next cancellation arrives: alert, then catch up once it is back.
    second = pay.create_customer("katherine@example.com", name="Katherine Johnson")["id"]
    later = pay.subscribe(second, "basic")
    lab.settle()
    before_alerts = len(lab.mailer.alerts(to=spec.alert))
    lab.crm.faults.down()
    pay.cancel_subscription(later["id"])
    lab.settle()
    told = len(lab.mailer.alerts(to=spec.alert)) - before_alerts
    c.expect(told >= 1, f"the CRM being down alerts {spec.alert}", f"{spec.alert} received no alert", hints=HINTS)
    lab.crm.faults.up()
    lab.advance(hours=1)
    caught_up = [t for t in lab.crm.tasks() if second in f"{t.get('title', '')} {t.get('notes') or ''}"]
    c.expect(
        len(caught_up) == 1,
        "once the CRM is back, the retry creates the task (once)",
        f"found {len(caught_up)} tasks for the second customer an hour later",
        hints=HINTS,
    )
    spec.uninstall()


#: Fewest words a description needs to say why an automation exists (one short sentence).
MIN_DESCRIPTION_WORDS = 6


@exercise(
    "ex06_design",
    notebook="06_designing_automations",
    title="Design, run and document two automations",
    needs=["NEW_LEAD", "CANCELLATION"],
    hints=HINTS,
    seed=61,
    timeout=120,
)
def check(ns, lab):
    c = Checklist()
    new_lead = _spec(c, ns, "NEW_LEAD", "form.submitted", "crm")
    cancellation = _spec(c, ns, "CANCELLATION", "customer.subscription.deleted", "payments")
    _new_lead(c, new_lead, lab)
    _cancellation(c, cancellation, lab)
    for name, spec in (("NEW_LEAD", new_lead), ("CANCELLATION", cancellation)):
        words = spec.description.split()
        if not words:
            seen = f"{name} has no description, so its documentation cannot say why it was built"
        else:
            seen = (
                f"{name}'s description {spec.description.strip()[:60]!r} is {len(words)} word"
                f"{'s' if len(words) != 1 else ''}: too short to say why it was built"
            )
        c.expect(
            # A sentence, not a placeholder: "x" or "TODO" documents nothing six months from now.
            len(words) >= MIN_DESCRIPTION_WORDS,
            f"{name} explains why it exists (description=...)",
            seen,
            hints=(
                'Add description="...": one or two sentences on why this automation exists.',
                "Documentation that says what without why leaves the next person guessing.",
            ),
        )
    return c.result()
