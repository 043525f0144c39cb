"""A morning of payments and the log that tells it: who paid and never got an account, and where it went wrong.

    morning = activation_morning()
    print(morning)                   # one line per step, every system, in time order
    morning.never_activated()        # the names of paying customers with no account

Five people pay between 09:05 and 11:30. Hedy's card is declined; our
receiver is down for five minutes when Alan pays, so the payment system
retries his webhook; provisioning is down from 10:00 to 11:00 while Grace
pays, and our queue, set to give up after six quick tries, parks her job on
the dead-letter list, where nobody replays it. Every line carries the time,
the step that wrote it, the customer, the event id and what happened, which is
what lets anyone read the story back. Seeded, on the lab clock: the same log on
every run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from simulators.course.handling import WorkQueue
from simulators.lab import Lab

SEED = 4
#: Who pays, how many minutes after 09:00, for which plan, with which card.
PEOPLE = (
    ("Ada Lovelace", "ada@example.com", 5, "pro", "pm_card_visa"),
    ("Hedy Lamarr", "hedy@example.com", 20, "basic", "pm_card_chargeDeclined"),
    ("Alan Turing", "alan@example.com", 31, "basic", "pm_card_visa"),
    ("Grace Hopper", "grace@example.com", 70, "pro", "pm_card_visa"),
    ("Katherine Johnson", "katherine@example.com", 150, "pro", "pm_card_visa"),
)
AMOUNTS = {"basic": 1900, "pro": 4900}
RECEIVER_DOWN = (30, 5)  # from 09:30, for 5 minutes
PROVISIONING_DOWN = (60, 60)  # from 10:00, for an hour
QUEUE_TRIES = 6
#: The step names, as the log's second column writes them.
STEPS = ("payments", "delivery", "our queue", "provisioning")
#: What a line of a log could hold, as the exercise lists it: the first six belong in every line, the last two never.
LOG_FIELDS = {
    "time": "when it happened",
    "step": "which system or step wrote the line",
    "customer": "who it is about",
    "event id": "which event it is about (the same on every retry)",
    "what happened": "the outcome: done, failed, gave up",
    "error": "what went wrong, when something did",
    "card number": "the card the customer paid with",
    "signing secret": "the webhook's signing secret",
}


@dataclass(frozen=True)
class LogLine:
    """One step of one customer's payment."""

    at: float
    step: str
    customer: str
    event: str
    what: str

    def __str__(self) -> str:
        return f"{time.strftime('%H:%M:%S', time.gmtime(self.at))}  {self.step:<12} {self.customer:<18} {self.event:<20} {self.what}"


@dataclass(frozen=True)
class Morning:
    """The log of the morning, and what really happened to each customer."""

    lines: tuple[LogLine, ...]
    paid: tuple[str, ...]
    active: tuple[str, ...]
    #: What a line of a log could hold, for the exercise's list.
    fields = LOG_FIELDS

    def never_activated(self) -> list[str]:
        """Names of customers who paid and have no active account."""
        return [name for name in self.paid if name not in self.active]

    def of(self, name: str) -> list[LogLine]:
        return [line for line in self.lines if line.customer == name]

    def __str__(self) -> str:
        header = f"{'time':<8}  {'step':<12} {'customer':<18} {'event':<20} what happened"
        return "\n".join([header, "-" * len(header), *map(str, self.lines)])


def _activate(event: dict[str, Any], provisioning_url: str) -> None:
    payment = event["data"]["object"]
    answer = requests.post(
        f"{provisioning_url}/accounts/activate",
        json={"customer": payment["customer"], "plan": payment["metadata"].get("plan", "basic"), "event": event["id"]},
        timeout=5,
    )
    answer.raise_for_status()


def activation_morning(seed: int = SEED) -> Morning:
    """Run the morning in a fresh lab and return its log."""
    with Lab(seed=seed, systems=["payments", "provisioning"]) as lab:
        own = lab.payments.provisioning_endpoint
        if own is not None:
            lab.payments.delete_endpoint(own["id"])
        queue = WorkQueue(
            lab,
            lambda event: _activate(event, lab.provisioning.url),
            max_attempts=QUEUE_TRIES,
            name="activations",
            about=lambda event: {"customer": event["data"]["object"]["customer"]},
        )

        def receive(request: Any) -> int:
            event = request.json
            if event["type"] == "payment_intent.succeeded":
                queue.put(event, key=event["id"])
            return 200

        receiver = lab.host(receive, name="receiver")
        lab.payments.add_endpoint(
            receiver.url, enabled_events=["payment_intent.succeeded", "payment_intent.payment_failed"]
        )
        start = lab.clock.now()
        receiver.faults.window("down", start + timedelta(minutes=RECEIVER_DOWN[0]), minutes=RECEIVER_DOWN[1])
        lab.provisioning.faults.window(
            "down", start + timedelta(minutes=PROVISIONING_DOWN[0]), minutes=PROVISIONING_DOWN[1]
        )
        names: dict[str, str] = {}
        for name, email, minutes, plan, card in PEOPLE:
            lab.clock.run_until(start + timedelta(minutes=minutes))
            customer = lab.payments.create_customer(email, name=name)
            names[customer["id"]] = name
            lab.payments.pay(customer["id"], AMOUNTS[plan], payment_method=card, metadata={"plan": plan})
        lab.clock.run_until(start + timedelta(hours=3))
        lines = _lines(lab, queue, names)
        paid = tuple(names[p["customer"]] for p in lab.payments.payments() if p["status"] == "succeeded")
        active = tuple(names[a["customer"]] for a in lab.provisioning.accounts(status="active"))
    # Lines of one moment read in the order the work flows: payment, delivery, queue, account.
    in_order = sorted(lines, key=lambda line: (int(line.at), STEPS.index(line.step)))
    return Morning(tuple(in_order), paid, active)


def _lines(lab: Lab, queue: WorkQueue, names: dict[str, str]) -> list[LogLine]:
    lines = []
    for event in lab.payments.events():
        thing = event["data"]["object"]
        if thing.get("customer") not in names or not event["type"].startswith("payment_intent."):
            continue
        who = names[thing["customer"]]
        if event["type"] == "payment_intent.created":
            continue  # every payment starts so: a line that tells nothing
        what = {
            "payment_intent.succeeded": f"payment succeeded: ${thing['amount'] / 100:.2f}",
            "payment_intent.payment_failed": "payment failed: card declined",
        }.get(event["type"], event["type"])
        lines.append(LogLine(float(event["created"]), "payments", who, event["id"], what))
        for attempt in lab.payments.outbox.attempts(event_id=event["id"]):
            answer = attempt["status"] or attempt["error"]
            lines.append(
                LogLine(
                    float(attempt["at"]),
                    "delivery",
                    who,
                    event["id"],
                    f"webhook try {attempt['number']}: {attempt['outcome']} ({answer})",
                )
            )
    for entry in queue.log:
        who = names.get(entry.fields.get("customer", ""), "?")
        error = f": {entry.error}" if entry.error else ""
        if "gave up" in entry.what:
            what = f"try {entry.attempt} failed{error}; gave up, parked on the dead-letter list"
        elif entry.attempt:
            what = f"try {entry.attempt} {entry.what}{error}"
        else:
            what = entry.what
        lines.append(LogLine(entry.at.timestamp(), "our queue", who, entry.job, what))
    for activation in lab.provisioning.activations():
        lines.append(
            LogLine(
                float(activation["at"]),
                "provisioning",
                names.get(activation["customer"], "?"),
                activation["event"] or "",
                f"account activated, plan {activation['plan']}",
            )
        )
    return lines


def gave_up_at(morning: Morning, name: str) -> datetime | None:
    """When our queue gave up on `name`'s activation, if it did."""
    for line in morning.of(name):
        if line.step == "our queue" and "gave up" in line.what:
            return datetime.fromtimestamp(line.at, tz=timezone.utc)
    return None
