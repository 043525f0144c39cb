"""Exercise 04c: a webhook receiver that acknowledges fast, dedupes, and survives a failing destination.

The learner writes `receive(request, queue, seen)` (answer the webhook, queue
the work) and `activate(event, provisioning_url)` (the work: activate the
paying customer once, even when it is asked twice or provisioning crashed after
doing it). `simulators.course.handling.connect_receiver` wires them between payments
and provisioning with the learner's `backoff`. The check runs the pipeline
under seeded faults — destination errors, slow answers, crashes after the
work, a short outage, answers lost after the receiver's work, duplicate and
out-of-order deliveries — across ten seeds. No verdict depends on the machine's
speed: the sender waits SENDER_TIMEOUT for an answer, and every resend comes
from an injected fault, never from a race with the wall clock.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex04_reliable_handler/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| `receive` … Answer at once (return 200) | answers 2xx at once, even while provisioning is down | does the work inline |
| put the work for a `payment_intent.succeeded` on the queue … | activates only customers whose payment succeeded | queues-declined-cards |
| … acknowledge other events without queueing them | acknowledges (2xx) an event it does not act on | refuses-ignored-events |
| `seen` … use it to skip an event id you have already queued | remembers each event id it has seen (`seen`) | ignores-seen |
| (skip it, still answering 200) | acknowledges (2xx) a duplicate delivery of an event it already has | conflict-for-duplicates |
| `activate` … `{"customer", "plan", "event"}` (the plan is in the payment's metadata) | gives each customer the plan they paid for | forgets-the-plan |
| Raise when provisioning does not answer 2xx, so the queue tries again | activates each customer once provisioning is back; loses no paid customer under 10 seeded storms | swallows-errors, ignores-error-answers |
| Before activating, ask whether an activation for this event already exists | activates no one twice (duplicates, crashes after the work) | no-check-before-activating |
| (for this event, not this customer) | activates a customer again when they buy a second time | dedupes-per-customer |
| Use `timeout=5` | gives every call to provisioning a timeout (timeout=5) | no-timeout, lookup-without-timeout |
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import requests

from simulators.course.checking import Checklist, exercise, fail
from simulators.course.handling import connect_receiver
from simulators.lab import Lab

SEEDS = tuple(range(401, 411))
MAX_ATTEMPTS = 12
STORMS_AT_ONCE = 4
HINTS = (
    "Run the lesson's 'crash after the work' cell with your functions and count provisioning.activations(customer).",
    "Answer the webhook at once and queue the work; before activating, ask provisioning whether this event's"
    " activation already exists (GET /activations?customer=…), because a destination can do the work and still"
    " answer 500; raise whenever provisioning did not answer 2xx, so the queue tries again later.",
)
LOST_HINTS = (
    "Make `activate` raise when provisioning does not answer 2xx (response.raise_for_status()), so the queue retries.",
    HINTS[1],
)
TWICE_HINTS = (
    "Before activating, look for an activation of this customer whose 'event' is this event's id.",
    HINTS[1],
)


def _stub_in(errors: list[str]) -> bool:
    return any(error.startswith("NotImplementedError") for error in errors)


def _clean(text: str) -> str:
    """A learner's error without ports or urllib3's paragraphs: the kind, and what it means."""
    kind = text.split(":", 1)[0]
    if kind in ("ConnectionError", "NewConnectionError", "MaxRetryError"):
        return f"{kind} (provisioning could not be reached)"
    if "Timeout" in kind:
        return f"{kind} (provisioning did not answer in time)"
    text = re.sub(r"https?://127\.0\.0\.1:\d+", "provisioning", text)
    text = re.sub(r"host='127\.0\.0\.1', port=\d+", "provisioning", text)
    return text if len(text) <= 200 else text[:199] + "…"


#: How long the sender waits for the receiver's answer: far longer than any right receiver takes, even on a busy
#: machine. A verdict never hangs on the machine's speed: the sender's resends come from faults it is told to
#: inject (an answer lost after the receiver did its part), not from a race against the wall clock.
SENDER_TIMEOUT = 10.0


def _start(ns, seed: int, activate=None) -> tuple[Lab, object]:  # type: ignore[no-untyped-def]
    lab = Lab(seed=seed, delivery_timeout=SENDER_TIMEOUT)
    try:
        pipeline = connect_receiver(
            lab, ns["receive"], activate or ns["activate"], ns["backoff"], max_attempts=MAX_ATTEMPTS
        )
    except BaseException:
        lab.stop()
        raise
    return lab, pipeline


def _stubs(lab: Lab, pipeline) -> None:  # type: ignore[no-untyped-def]
    if _stub_in([failure.error for failure in pipeline.endpoint.failures]):
        fail(
            "`receive` is still the stub: it raises NotImplementedError. Write your version, run its cell, then this check again",
            *HINTS,
        )
    if _stub_in([job.last_error or "" for job in pipeline.queue.jobs.values()]):
        fail(
            "`activate` is still the stub: it raises NotImplementedError. Write your version, run its cell, then this check again",
            *HINTS,
        )


class _CallsOut:
    """The `timeout=` of each HTTP request `activate` makes through requests, seen where requests sends it."""

    def __init__(self, activate: Any) -> None:
        self._activate = activate
        self._inside = threading.local()
        #: (method and path, the timeout it was given) for each request, in order.
        self.timeouts: list[tuple[str, Any]] = []

    def activate(self, event: Any, provisioning_url: str) -> Any:
        self._inside.yes, self._inside.base = True, provisioning_url
        try:
            return self._activate(event, provisioning_url)
        finally:
            self._inside.yes = False

    @contextmanager
    def watching(self) -> Iterator[None]:
        send = requests.adapters.HTTPAdapter.send

        def recorded(adapter, request, *args, **kwargs):  # type: ignore[no-untyped-def]
            if getattr(self._inside, "yes", False):
                path = request.url.removeprefix(self._inside.base).split("?")[0]
                self.timeouts.append(
                    (f"{request.method} {path}", kwargs.get("timeout", args[1] if len(args) > 1 else None))
                )
            return send(adapter, request, *args, **kwargs)

        requests.adapters.HTTPAdapter.send = recorded  # type: ignore[method-assign]
        try:
            yield
        finally:
            requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]


def _first_tries(lab: Lab, pipeline, event_ids: set[str], after: float | None = None) -> list[int | None]:  # type: ignore[no-untyped-def]
    """The receiver's answers to these events' first tries (or to every try after `after`, lab time)."""
    attempts = lab.payments.outbox.attempts(endpoint_id=pipeline.webhook_endpoint["id"], after=after)
    return [a["status"] for a in attempts if a["event_id"] in event_ids and (after is not None or a["number"] == 1)]


def _receiver_errors(pipeline) -> str | None:  # type: ignore[no-untyped-def]
    failures = pipeline.endpoint.failures
    return _clean(failures[0].error) if failures else None


@exercise(
    "ex04_reliable_handler",
    notebook="04_reliable_webhook_handling",
    title="A receiver that loses nothing and does nothing twice",
    needs=["receive", "activate", "backoff"],
    hints=HINTS,
    timeout=150,
)
def check(ns, variant):  # type: ignore[no-untyped-def]
    ns["backoff"](1, random.Random(0))  # the first exercise's stub stops us here, named
    c = Checklist()

    # 1. Provisioning is down: the receiver must still answer at once, and the work happen when it is back.
    calls = _CallsOut(ns["activate"])
    lab, pipeline = _start(ns, variant.lab_seed(400), activate=calls.activate)
    try:
        with calls.watching():
            _calm(c, lab, pipeline, calls)
    finally:
        lab.stop()

    # 2. Ten seeded storms: errors, slowness, crashes after the work, an outage, duplicates, out-of-order.
    # Only for a receiver that got the calm case right: the storms would repeat its complaint, slowly.
    lost = twice = unpaid = None
    seeds = variant.seeds(SEEDS) if c.ok else ()
    if not c.ok:
        lost = twice = unpaid = "not tried yet: the storms start once the steps above hold"
    # Each storm is a lab of its own; a few run side by side, so one storm's HTTP round trips overlap another's
    # work. Which storms run together never changes a verdict (each is seeded and judged on its own), and the
    # hints still name the first seed, in order, that went wrong.
    pool = ThreadPoolExecutor(max_workers=STORMS_AT_ONCE, thread_name_prefix="ex04-storm")
    try:
        for verdict in [pool.submit(_storm_verdict, ns, seed) for seed in seeds]:
            seed_lost, seed_twice, seed_unpaid = verdict.result()  # a stub's complaint is raised here
            lost, twice, unpaid = lost or seed_lost, twice or seed_twice, unpaid or seed_unpaid
            if lost or twice or unpaid:
                break
    finally:
        # The hint names the first seed that went wrong (or the complaint raised above): storms not yet
        # started would only cost time.
        pool.shutdown(cancel_futures=True)
    c.expect(lost is None, f"loses no paid customer under {len(SEEDS)} seeded storms", lost or "", hints=LOST_HINTS)
    c.expect(
        twice is None, "activates no one twice (duplicates, crashes after the work)", twice or "", hints=TWICE_HINTS
    )
    c.expect(
        unpaid is None,
        "activates only customers whose payment succeeded",
        unpaid or "",
        hints=(
            "Queue only event['type'] == 'payment_intent.succeeded'; acknowledge the others with 200.",
            "A declined card sends payment_intent.payment_failed: acknowledge it, but do not activate.",
        ),
    )
    return c.result()


def _calm(c: Checklist, lab: Lab, pipeline, calls: _CallsOut) -> None:  # type: ignore[no-untyped-def]
    """Provisioning down, then back: the receiver's answers, and the work done once, as asked, with timeouts."""
    endpoint_id = pipeline.webhook_endpoint["id"]
    lab.provisioning.faults.down()
    # One of each plan, so a receiver that drops the plan is seen giving 'basic' to a 'pro' customer.
    intents = lab.traffic.purchase(n=1, plan="pro") + lab.traffic.purchase(n=1, plan="basic")
    lab.traffic.purchase(n=1, decline_rate=1.0)  # an event the receiver acknowledges and leaves alone
    pipeline.catch_up()
    _stubs(lab, pipeline)
    paid = {event["id"] for event in lab.payments.events("payment_intent.succeeded")}
    failed = {event["id"] for event in lab.payments.events("payment_intent.payment_failed")}
    statuses = _first_tries(lab, pipeline, paid)
    broken = _receiver_errors(pipeline)
    c.require(
        bool(statuses) and all(s is not None and 200 <= s < 300 for s in statuses),
        "answers 2xx at once, even while provisioning is down",
        f"your receiver raised {broken}" if broken else f"payments got {statuses} on its first tries",
        hints=(
            "In `receive`, queue.put(event, key=event['id']) and return 200; do the work in `activate`.",
            "The sender waits only a second or so: acknowledge first, do the work after.",
        ),
    )
    delivered = {a["event_id"] for a in lab.payments.outbox.attempts(endpoint_id=endpoint_id)} & paid
    c.expect(
        bool(delivered) and delivered <= pipeline.seen,
        "remembers each event id it has seen (`seen`)",
        f"`seen` holds {len(delivered & pipeline.seen)} of the {len(delivered)} event ids delivered",
        hints=(
            "In `receive`, seen.add(event['id']) once you have queued it, and return 200 early when it is there.",
            "Remembering ids at the door makes a duplicate delivery cost nothing: no second job, no second look.",
        ),
    )
    ignored = _first_tries(lab, pipeline, failed)
    c.expect(
        bool(ignored) and all(s is not None and 200 <= s < 300 for s in ignored),
        "acknowledges (2xx) an event it does not act on: a declined card's payment_intent.payment_failed",
        f"your receiver answered {ignored} to payment_intent.payment_failed: to the sender that is a failed delivery,"
        " so it sends the event again and again for days, and may switch your endpoint off",
        hints=(
            "Return 200 for every genuine event, including the types you leave alone: queue only"
            " payment_intent.succeeded, and acknowledge the rest without queueing them.",
            "A 4xx tells the sender the delivery failed, not that you chose to ignore the event.",
        ),
    )
    lab.provisioning.faults.up()
    lab.advance(hours=12)
    pipeline.catch_up()
    _stubs(lab, pipeline)
    customers = [intent["customer"] for intent in intents]
    counts = [len(lab.provisioning.activations(customer)) for customer in customers]
    job = next(iter(pipeline.queue.jobs.values()), None)
    seen = (
        f"the queue's last error was {_clean(job.last_error)}"
        if job is not None and job.last_error
        else f"activations per customer: {counts}"
    )
    c.require(
        counts == [1] * len(customers),
        "activates each customer once provisioning is back",
        seen,
        hints=("Raise in `activate` when provisioning cannot be reached or does not answer 2xx.", HINTS[1]),
    )
    wrong_plan = [
        (intent["customer"], (intent.get("metadata") or {}).get("plan"), account.get("plan") if account else None)
        for intent in intents
        for account in [lab.provisioning.account_for(intent["customer"])]
        if (account or {}).get("plan") != (intent.get("metadata") or {}).get("plan")
    ]
    c.expect(
        not wrong_plan,
        "gives each customer the plan they paid for",
        "{} paid for {!r} and got {!r}".format(*wrong_plan[0]) if wrong_plan else "",
        hints=(
            "Send the plan too: json={'customer': ..., 'plan': payment['metadata']['plan'], 'event': ...}.",
            "Provisioning cannot guess what was bought: the plan travels in the payment's metadata.",
        ),
    )
    bare = sorted({said for said, timeout in calls.timeouts if timeout is None})
    c.expect(
        bool(calls.timeouts) and not bare,
        "gives every call to provisioning a timeout (timeout=5)",
        f"`activate` sent {' and '.join(bare)} with no timeout=: when provisioning hangs instead of failing, such a"
        " call waits forever, and the queue's work with it",
        hints=(
            "Pass timeout=5 to that call too: every requests.get(...) and requests.post(...) needs its own.",
            "Without a timeout, requests waits for an answer as long as the connection stays open: one hung"
            " provisioning call stops all the work behind it, and no retry ever starts.",
        ),
    )
    # The sender delivers each paid event once more, as it does when an answer got lost on the way back.
    before = lab.clock.time()
    lab.advance(seconds=1)
    for event_id in sorted(paid):
        lab.payments.outbox.resend(event_id, endpoint_id)
    pipeline.catch_up()
    again = _first_tries(lab, pipeline, paid, after=before)
    c.expect(
        bool(again) and all(s is not None and 200 <= s < 300 for s in again),
        "acknowledges (2xx) a duplicate delivery of an event it already has",
        f"your receiver answered {again} to events it had seen before: a duplicate is a delivery that worked the"
        " first time, so to the sender anything but 2xx means send it again",
        hints=(
            "When the event id is in `seen`, return 200 at once: you have the event, and saying so stops the resends.",
            "Skipping a duplicate's work is right; refusing the delivery is not: the sender cannot tell a 409 from a"
            " failure.",
        ),
    )
    returning = customers[0]
    lab.payments.pay(returning, 4900, metadata={"plan": "pro"})
    lab.advance(minutes=30)
    pipeline.catch_up()
    again_count = len(lab.provisioning.activations(returning))
    c.expect(
        again_count == 2,
        "activates a customer again when they buy a second time",
        f"after a second purchase, {returning} has {again_count} activation(s): the second payment was taken for a"
        " duplicate of the first",
        hints=(
            "Look for an activation whose 'event' is this event's id, not any activation of this customer.",
            "A duplicate is the same event delivered twice; a second purchase is a new event, and new money.",
        ),
    )


def _storm_verdict(ns, seed: int) -> tuple[str | None, str | None, str | None]:  # type: ignore[no-untyped-def]
    """One seeded storm: what went wrong first, as (lost, activated twice, activated unpaid)."""
    lost = twice = unpaid = None
    lab, pipeline = _start(ns, seed)
    try:
        _storm(lab, pipeline, seed)
        _stubs(lab, pipeline)
        for signup in lab.traffic.signups:
            count = len(lab.provisioning.activations(signup["customer"]))
            if signup["status"] == "succeeded" and count == 0 and lost is None:
                lost = _lost(seed, signup, pipeline)
            elif signup["status"] == "succeeded" and count > 1 and twice is None:
                twice = (
                    f"seed {seed}: {signup['customer']} ({signup['email']}) was activated {count} times for one payment"
                )
            elif signup["status"] != "succeeded" and count and unpaid is None:
                unpaid = f"seed {seed}: {signup['customer']} ({signup['email']}) was activated although the card was declined"
        broken = _receiver_errors(pipeline)
        if broken and lost is None:
            lost = f"seed {seed}: your receiver raised {broken}"
    finally:
        lab.stop()
    return lost, twice, unpaid


def _storm(lab: Lab, pipeline, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(f"ex04:{seed}")
    lab.payments.knobs(duplicates=0.3, out_of_order=0.3)
    faults = lab.provisioning.faults
    start = lab.clock.time()
    faults.window(
        "errors", start, minutes=30, rate=round(rng.uniform(0.1, 0.35), 2), status=rng.choice([500, 502, 503])
    )
    faults.window("fail_after_work", start, minutes=30, rate=round(rng.uniform(0.15, 0.35), 2))
    # window() reads `seconds` as the window's length, so the slow answers are switched by hand
    faults.slow(seconds=0.05, rate=0.2)  # well inside the 5 s `activate` gives provisioning, however busy the machine
    lab.clock.call_at(start + 1800, lambda: faults.clear("slow"), name="ex04: slow answers end")
    if rng.random() < 0.5:
        faults.window("down", start + rng.uniform(120, 600), minutes=rng.choice([10, 15, 20]))
    # The receiver did its part, then its answer was lost: the sender sends again. A fault, not a slow answer
    # racing the sender's timeout, so the same deliveries come back however busy the machine is.
    pipeline.endpoint.faults.fail_after_work(rate=0.1)
    lab.traffic.purchase(n=4, decline_rate=0.25)
    lab.traffic.schedule(per_day=96, days=1 / 24, decline_rate=0.25)
    lab.advance(hours=12)
    pipeline.catch_up()
    lab.advance(hours=12)
    pipeline.catch_up()


def _lost(seed: int, signup: dict, pipeline) -> str:  # type: ignore[no-untyped-def]
    story = f"seed {seed}: {signup['customer']} ({signup['email']}) paid but has no account"
    jobs = [job for job in pipeline.queue.jobs.values() if job.fields.get("customer") == signup["customer"]]
    if not jobs:
        return story + "; no job was ever queued for their payment"
    job = jobs[-1]
    if job.status == "dead":
        return (
            story
            + f"; its job is in the dead-letter list after {job.attempts} attempts ({_clean(job.last_error or '')})"
        )
    if job.status == "done":
        return story + "; its job finished without an error, so `activate` returned without activating"
    return story + f"; its job is still waiting after {job.attempts} attempts"
