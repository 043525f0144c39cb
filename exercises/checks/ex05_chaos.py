"""Exercise 05, part 3: the chaos check.

The learner's whole integration (receiver, retry policy, alert rule and nightly
reconciliation) runs under 20 seeded random schedules of outages on
provisioning and on the learner's own endpoint, with customers paying,
declining, asking for refunds, a returning customer who pays a second time,
duplicate deliveries, and one forged webhook (a signature made with the wrong
secret). It passes only if, in every schedule, every paying customer ends up
activated, each payment activates once (so a second purchase activates again:
dedupe on the event, not the customer), nobody is activated without paying,
the forged delivery is refused with a 4xx, every paying customer has access
within 12 hours of the outage that caught them (retries, not only the nightly
repair), and every outage raised an alert to
the named person. The verdict names the first seed that lost something and
what was lost.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex05_chaos/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| your `RETRY_POLICY` | RETRY_POLICY is a schedule the sender knows | unknown-policy |
| (your code runs every time) | your receiver, alert rule and reconciliation run without raising | receive(request, lab) with the old signature |
| the forged webhook is refused (a 4xx) and activates nobody | a forged webhook … is refused with a 4xx | trusts-every-webhook |
| every customer who paid … has an active account | every paying customer gets access | a receiver that never activates and no reconciliation |
| … within twelve hours of the outage that caught their payment | every paying customer has access within 12 h of the outage that caught them | no-retries, answers-200-on-failure, retry-delays-in-minutes |
| nobody twice for one payment | nobody is activated twice for one payment | no-duplicate-check, dedupes-on-the-event-only |
| and the second purchase again | a customer who pays again is activated again | dedupes-per-customer |
| (only those who paid) | nobody is activated without paying | activates-on-a-declined-card, activates-before-verifying |
| (through provisioning's HTTP API) | nothing reaches provisioning while it is down | calls lab.provisioning.activate directly |
| every outage reached `ON_CALL` as an alert | every outage raised an alert to the named person | alerts-only-when-the-sender-gives-up |
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from simulators.course.checking import Checklist, exercise, fail
from simulators.http import lab_request
from simulators.lab import Lab
from simulators.payments import PaymentsError
from simulators.webhooks.signing import sign_stripe

from .ex05_common import (
    EVENTS,
    RECONCILE_HOUR,
    WATCH_EVERY,
    alert_job,
    clock_text,
    ever_paid,
    next_hour,
    on_call,
    paid_customers,
    reconcile_job,
)
from .ex05_promise import Scene, keeps_promise

SEEDS = tuple(range(1, 21))
SYSTEMS = ["mailer", "provisioning", "payments"]
#: How soon after an outage begins the named person must have heard of it.
ALERT_WITHIN = timedelta(hours=1)
#: How long after the outage that caught their payment a paying customer may wait for access. The nightly
#: reconciliation is the safety net, not the plan: retries should get there first.
ACCESS_WITHIN = timedelta(hours=12)

HINTS = (
    "Walk one webhook through your receive() on paper: who could have sent it, has this payment been handled"
    " already, and what does your answer tell the sender when provisioning did not confirm the work?",
    "No single fix is enough: the signature keeps forgers out; retries recover what an outage dropped, only if the "
    "receiver admits failure; the alert tells a person; the reconciliation repairs whatever is still missing; and "
    "checking for this payment's activation (not the customer's) keeps duplicates and late retries from activating "
    "twice without blocking a customer's second purchase.",
)
#: What to try when a customer waited too long, by what kept them waiting (see _why_slow).
SLOW_HINTS = {
    "none": ("Set RETRY_POLICY = 'stripe': the sender then tries again for about three days.", HINTS[1]),
    "short": (
        "RETRY_POLICY's delays are seconds: [60, 300, 1800] waits 1, 5 and 30 minutes. Or name 'stripe'.",
        HINTS[1],
    ),
    "answered": (
        "Return 503 whenever provisioning did not answer 2xx (or could not be reached), so the sender tries again.",
        HINTS[1],
    ),
}
STEP_HINTS = {
    "forged": (
        "Verify first: verify_stripe(request.body, request.headers.get('Stripe-Signature', ''), secret), and answer"
        " 400 when it raises SignatureError.",
        HINTS[1],
    ),
    "lost": (
        "Answer 503 whenever provisioning did not confirm the activation, and let reconcile() repair the rest.",
        HINTS[1],
    ),
    "slow": (
        "The sender's retries get customers in within hours; the 02:00 reconciliation is only the safety net.",
        HINTS[1],
    ),
    "twice": (
        "Before activating, look for an activation of this event or payment, and answer 200 if there is one.",
        HINTS[1],
    ),
    "returning": (
        "Look for an activation of this event or payment, not of this customer: a second purchase is new money.",
        HINTS[1],
    ),
    "alerted": (
        "alert_on_failures must email ON_CALL at the first failed delivery it finds since its last look.",
        HINTS[1],
    ),
}
#: How long customers keep paying from the start of a schedule (the traffic's one day).
PAYING_FOR = 86400.0
#: How many schedules plan_outages may draw before it says the drawing itself is broken (a few do today).
MAX_DRAWS = 100
#: Where the returning customer pays a second time, and the forged webhook arrives (before any outage).
RENEWAL_AFTER, FORGERY_AFTER = 20 * 60, 40 * 60


def plan_outages(rng: random.Random, start: float) -> list[dict[str, Any]]:
    """One to three outages in the first day, each on provisioning or the receiver, down or answering 503.

    Drawn again until a right answer can keep the twelve-hour promise in them (see ex05_promise): two
    outages close together could otherwise catch one payment's retries twice and push it past 12 h.
    """
    first_night = datetime.fromtimestamp(start, tz=timezone.utc).replace(hour=RECONCILE_HOUR, minute=0, second=0)
    night = first_night.timestamp() + (86400 if first_night.timestamp() <= start else 0)
    for _ in range(MAX_DRAWS):
        outages = _draw_outages(rng, start)
        scene = Scene(
            outages=tuple((o["start"], o["end"]) for o in outages),
            provisioning=tuple((o["start"], o["end"]) for o in outages if o["where"] == "provisioning"),
            payments=(start, max(start + PAYING_FOR, *(o["end"] for o in outages))),
            repairs=(night, night + 86400),
        )
        if keeps_promise(scene, ACCESS_WITHIN.total_seconds()):
            return outages
    raise RuntimeError(f"no outage schedule in {MAX_DRAWS} draws keeps the promise: the drawing is broken")


def _draw_outages(rng: random.Random, start: float) -> list[dict[str, Any]]:
    outages = []
    for _ in range(rng.randint(1, 3)):
        begin = start + rng.uniform(1, 20) * 3600
        outages.append(
            {
                "where": rng.choice(["provisioning", "receiver"]),
                "kind": rng.choice(["down", "errors"]),
                "start": float(int(begin)),
                "end": float(int(begin + rng.uniform(0.5, 6) * 3600)),
            }
        )
    return _merged(outages)


def _merged(outages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Overlapping outages of one service as one: the first to end would switch the service back on."""
    kept: list[dict[str, Any]] = []
    for outage in sorted(outages, key=lambda o: o["start"]):
        same = next((k for k in kept if k["where"] == outage["where"] and outage["start"] <= k["end"]), None)
        if same is None:
            kept.append(dict(outage))
        else:
            same["end"] = max(same["end"], outage["end"])
    return kept


#: The check's steps, in the order a learner fixes them: (key, what must hold in every schedule).
STEPS = (
    ("policy", "RETRY_POLICY is a schedule the sender knows"),
    ("runs", "your receiver, alert rule and reconciliation run without raising"),
    ("forged", "a forged webhook (signed with the wrong secret) is refused with a 4xx"),
    ("lost", "every paying customer gets access"),
    (
        "slow",
        f"every paying customer has access within {int(ACCESS_WITHIN.total_seconds() // 3600)} h of the outage"
        " that caught them",
    ),
    ("twice", "nobody is activated twice for one payment"),
    ("returning", "a customer who pays again is activated again"),
    ("unpaid", "nobody is activated without paying"),
    ("sneaked", "nothing reaches provisioning while it is down (only its HTTP API)"),
    ("alerted", "every outage raised an alert to the named person"),
)


def run_schedule(ns: dict[str, Any], seed: int, person: str) -> dict[str, str]:
    """Run the integration under one seeded schedule; return what went wrong, by step (empty: nothing)."""
    rng = random.Random(f"chaos:{seed}")
    with Lab(seed=seed, systems=SYSTEMS) as lab:
        pay = lab.payments
        pay.update_endpoint(pay.provisioning_endpoint["id"], disabled=True)  # the learner's receiver replaces it
        receive = ns["receive"]
        secret: dict[str, str] = {}
        endpoint = lab.host(lambda request: receive(request, lab, secret["value"]), name="receiver")
        policy = ns.get("RETRY_POLICY", "none")
        try:
            added = pay.add_endpoint(endpoint.url, EVENTS, retry_policy=policy)
        except (PaymentsError, ValueError) as exc:  # a bad policy name from the learner
            return {"policy": f"RETRY_POLICY = {policy!r} was refused: {exc}"}
        secret["value"] = added["secret"]
        pay.knobs(duplicates=0.1)
        failures: list[str] = []
        forged: list[str] = []
        start = lab.clock.time()
        outages = plan_outages(rng, start)
        services = {"provisioning": lab.provisioning, "receiver": endpoint}
        for outage in outages:
            params = {"status": 503} if outage["kind"] == "errors" else {}
            services[outage["where"]].faults.window(outage["kind"], start=outage["start"], end=outage["end"], **params)
        lab.clock.every(
            WATCH_EVERY, alert_job(lab, ns["alert_on_failures"], added["id"], failures), name="learner: alert"
        )
        lab.clock.every(
            86400,
            reconcile_job(lab, ns["reconcile"], failures),
            first=next_hour(lab, RECONCILE_HOUR),
            name="learner: reconcile",
        )
        lab.traffic.schedule(per_day=10, days=PAYING_FOR / 86400, decline_rate=0.1, cancel_rate=0.1)
        returning = pay.create_customer(f"returning.{seed}@example.com", name="Rita Returning")["id"]
        pay.pay(returning, 1900, metadata={"plan": "basic"})
        lab.clock.call_at(
            start + RENEWAL_AFTER,
            lambda: pay.pay(returning, 4900, metadata={"plan": "pro"}),
            name="chaos: a customer buys again",
        )
        forger = pay.create_customer(f"mallory.{seed}@example.com", name="Mallory")["id"]
        lab.clock.call_at(
            start + FORGERY_AFTER, lambda: _forge(endpoint.url, forger, forged), name="chaos: a forged webhook"
        )
        for outage in outages:  # someone always pays in the middle of an outage
            moment = outage["start"] + rng.uniform(0.1, 0.6) * (outage["end"] - outage["start"])
            lab.clock.call_at(moment, lambda: lab.traffic.purchase(1), name="chaos: a purchase during the outage")
        lab.clock.run_until(next_hour(lab, RECONCILE_HOUR) + timedelta(days=1, hours=1))
        return _verdict(lab, outages, person, failures + forged, endpoint, returning, added["id"], forger)


def _why_slow(lab: Lab, endpoint_id: str, customer: str) -> tuple[str, str]:
    """What kept `customer` waiting, in the learner's terms: (cause, what to change)."""
    endpoint = next(e for e in lab.payments.endpoints() if e["id"] == endpoint_id)
    delays = (endpoint.get("retry_policy") or {}).get("delays") or []
    if not delays:
        return "none", (
            "the sender tried their webhook once (RETRY_POLICY = 'none'), so only the nightly reconciliation let them"
            " in; choose a policy that retries for hours, 'stripe' or 'standard'"
        )
    if sum(delays) < 6 * 3600:
        return "short", (
            f"RETRY_POLICY stops retrying {_duration(sum(delays))} after the first attempt (its delays are seconds),"
            " long before an outage of hours is over"
        )
    events = [
        e["id"]
        for e in lab.payments.events(type="payment_intent.succeeded")
        if e["data"]["object"].get("customer") == customer
    ]
    answered = [
        a
        for event in events
        for a in lab.payments.outbox.attempts(event_id=event, endpoint_id=endpoint_id)
        if a["outcome"] == "succeeded"
    ]
    if answered and not lab.provisioning.activations(customer)[0]["at"] <= answered[0]["at"]:
        return "answered", (
            f"your receiver answered {answered[0]['status']} to their payment's webhook at {clock_text(answered[0]['at'])}"
            " although they were not activated, so the sender stopped retrying: answer 503 when provisioning did not"
            " confirm the activation"
        )
    return "other", "every retry of their payment's webhook failed until the nightly reconciliation"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"


def _forge(url: str, customer: str, failures: list[str]) -> None:
    """Post a payment webhook signed with the wrong secret, as someone who wants a free account would."""
    event = {
        "id": "evt_forged000000",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": "pi_forged000000",
                "object": "payment_intent",
                "customer": customer,
                "amount": 4900,
                "status": "succeeded",
                "metadata": {"plan": "pro"},
            }
        },
    }
    body = json.dumps(event).encode()
    try:
        answer = lab_request(
            "POST",
            url,
            data=body,
            timeout=5,
            headers={"Content-Type": "application/json", "Stripe-Signature": sign_stripe(body, "whsec_not_the_secret")},
        )
    except requests.RequestException:
        return  # the receiver was down on purpose: nothing got in
    if not 400 <= answer.status_code < 500:
        failures.append(
            f"a forged webhook (signed with the wrong secret) was answered {answer.status_code}, not 400: "
            "verify the Stripe-Signature before anything else"
        )


def _verdict(
    lab: Lab,
    outages: list[dict[str, Any]],
    person: str,
    failures: list[str],
    endpoint: Any,
    returning: str,
    endpoint_id: str,
    forger: str,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    raised = [f for f in dict.fromkeys(failures) if "forged webhook" not in f][:2]
    if endpoint.failures:
        raised.append(f"receive raised {endpoint.failures[0].error}")
    if raised:
        problems["runs"] = "; ".join(raised)
    refused = [f for f in failures if "forged webhook" in f]
    if refused:
        problems["forged"] = refused[0]
    paid = paid_customers(lab)
    accounts = {a["customer"]: a for a in lab.provisioning.accounts()}
    emails = {c["id"]: c["email"] for c in lab.payments.customers()}
    lost = [c for c in paid if accounts.get(c, {}).get("status") != "active"]
    if lost:
        problems["lost"] = (
            f"{len(lost)} paid customer(s) never got access: {', '.join(emails.get(c, c) for c in lost[:3])}"
        )
    slow = []
    for customer, payment in paid.items():
        moments = [a["at"] for a in lab.provisioning.activations(customer)]
        caught = [o["end"] for o in outages if o["start"] <= payment["created"] <= o["end"]]
        if moments and min(moments) - max([payment["created"], *caught]) > ACCESS_WITHIN.total_seconds():
            slow.append(customer)
    if slow:
        cause, why = _why_slow(lab, endpoint_id, slow[0])
        problems["slow"] = (
            f"{len(slow)} paid customer(s) waited more than {int(ACCESS_WITHIN.total_seconds() // 3600)} h after the "
            f"outage for access (for example {emails.get(slow[0], slow[0])}): {why}"
        )
        problems["slow_cause"] = cause
    counts: dict[str, int] = {}
    for activation in lab.provisioning.activations():
        counts[activation["customer"]] = counts.get(activation["customer"], 0) + 1
    payments_of: dict[str, int] = {}
    for payment in lab.payments.payments(status="succeeded"):
        payments_of[payment["customer"]] = payments_of.get(payment["customer"], 0) + 1
    twice = [c for c, n in counts.items() if n > max(1, payments_of.get(c, 0))]
    if twice:
        problems["twice"] = (
            f"{len(twice)} customer(s) activated more than once: {', '.join(emails.get(c, c) for c in twice[:3])}"
        )
    if 0 < counts.get(returning, 0) < 2:
        problems["returning"] = (
            "a customer who paid twice (a second purchase) was activated only once: look for an activation of "
            "this event or payment, not of this customer"
        )
    unpaid = [c for c in counts if c not in ever_paid(lab)]
    if unpaid:
        declined = {
            e["data"]["object"].get("customer") for e in lab.payments.events(type="payment_intent.payment_failed")
        }
        problems["unpaid"] = (
            f"{len(unpaid)} customer(s) activated without paying: {', '.join(emails.get(c, c) for c in unpaid[:3])}"
            + (
                "; the forged webhook activated its customer: verify the signature before doing anything"
                if forger in unpaid
                else "; their card was declined: activate only on payment_intent.succeeded"
                if declined & set(unpaid)
                else ""
            )
        )
    down = [o for o in outages if o["where"] == "provisioning" and o["kind"] == "down"]
    sneaked = [a for a in lab.provisioning.activations() if any(o["start"] <= a["at"] < o["end"] for o in down)]
    if sneaked:
        problems["sneaked"] = (
            "accounts were activated while provisioning was down: write to it through its HTTP API "
            "(POST /accounts/activate), as a real integration must"
        )
    alerts = [m for m in lab.mailer.alerts(to=person)]
    for outage in outages:
        heard = any(
            outage["start"]
            <= m["created"]
            <= outage["start"] + ALERT_WITHIN.total_seconds() + (outage["end"] - outage["start"])
            for m in alerts
        )
        if not heard and "alerted" not in problems:
            what = "was down" if outage["kind"] == "down" else "answered 503"
            problems["alerted"] = (
                f"the {outage['where']} {what} from {clock_text(outage['start'])} to {clock_text(outage['end'])}"
                f" and {person} got no alert"
            )
    return problems


@exercise(
    "ex05_chaos",
    notebook="05_case_study_silent_failure",
    title="The chaos check: lose no paying customer",
    needs=["ON_CALL", "RETRY_POLICY", "receive", "alert_on_failures", "reconcile"],
    hints=HINTS,
    systems=[],
    timeout=600,
)
def check(ns, variant):
    person = on_call(ns)
    if person is None:
        fail(f"ON_CALL must be the email address of the person to alert, not {ns.get('ON_CALL')!r}", *HINTS)
    c = Checklist()
    seeds = variant.seeds(SEEDS)
    for number, seed in enumerate(seeds, 1):
        problems = run_schedule(dict(ns), seed, person)
        stub = next((p for p in problems.get("runs", "").split("; ") if "NotImplementedError" in p), None)
        if stub is not None:
            fail(
                f"`{stub.split()[0]}` is still the stub: it raises NotImplementedError. Finish parts 1 and 2 above"
                " first, run their cells, then this check again",
                *HINTS,
            )
        if problems:
            # Every step is judged on the first schedule that went wrong: more would only cost time.
            for key, name in STEPS:
                where = f"schedule {number} of {len(seeds)} (seed {seed}): "
                hints = SLOW_HINTS.get(problems.get("slow_cause", "")) if key == "slow" else None
                c.expect(
                    key not in problems,
                    name,
                    where + problems.get(key, ""),
                    hints=hints or STEP_HINTS.get(key, HINTS),
                )
            return c.result()
    for _, name in STEPS:
        c.expect(True, name)
    c.details["schedules"] = len(seeds)
    return c.result()
