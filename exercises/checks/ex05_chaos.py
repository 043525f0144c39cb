"""Exercise 05, part 3: the chaos check.

The learner's whole integration (receiver, retry policy, alert rule and nightly
reconciliation) runs under 20 seeded random schedules of outages on
provisioning and on the learner's own endpoint, with customers paying,
declining, asking for refunds, and duplicate deliveries. It passes only if, in
every schedule, every paying customer ends up activated, nobody is activated
twice or without paying, and every outage raised an alert to the named person.
The verdict names the first seed that lost something and what was lost.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.lab import Lab

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

SEEDS = tuple(range(1, 21))
SYSTEMS = ["mailer", "provisioning", "payments"]
#: How soon after an outage begins the named person must have heard of it.
ALERT_WITHIN = timedelta(hours=1)

HINTS = (
    "Make receive() answer 503 whenever provisioning did not confirm the activation, and skip customers who "
    "already have an active account; pick RETRY_POLICY = 'stripe'.",
    "No single fix is enough: retries recover what an outage dropped, only if the receiver admits failure; "
    "the alert tells a person; the reconciliation repairs whatever is still missing; and checking before "
    "activating keeps duplicates and late retries from activating anyone twice.",
)


def plan_outages(rng: random.Random, start: float) -> list[dict[str, Any]]:
    """One to three outages in the first day, each on provisioning or the receiver, down or answering 503."""
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
    return outages


def run_schedule(ns: dict[str, Any], seed: int, person: str) -> list[str]:
    """Run the integration under one seeded schedule; return what went wrong (empty: nothing)."""
    rng = random.Random(f"chaos:{seed}")
    with Lab(seed=seed, systems=SYSTEMS) as lab:
        pay = lab.payments
        pay.update_endpoint(pay.provisioning_endpoint["id"], disabled=True)  # the learner's receiver replaces it
        receive = ns["receive"]
        endpoint = lab.host(lambda request: receive(request, lab), name="receiver")
        policy = ns.get("RETRY_POLICY", "none")
        try:
            added = pay.add_endpoint(endpoint.url, EVENTS, retry_policy=policy)
        except Exception as exc:  # a bad policy name from the learner
            return [f"RETRY_POLICY = {policy!r} was refused: {exc}"]
        pay.knobs(duplicates=0.1)
        failures: list[str] = []
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
        lab.traffic.schedule(per_day=10, days=1, decline_rate=0.1, cancel_rate=0.1)
        for outage in outages:  # someone always pays in the middle of an outage
            moment = outage["start"] + rng.uniform(0.1, 0.6) * (outage["end"] - outage["start"])
            lab.clock.call_at(moment, lambda: lab.traffic.purchase(1), name="chaos: a purchase during the outage")
        lab.clock.run_until(next_hour(lab, RECONCILE_HOUR) + timedelta(days=1, hours=1))
        return _verdict(lab, outages, person, failures, endpoint)


def _verdict(lab: Lab, outages: list[dict[str, Any]], person: str, failures: list[str], endpoint: Any) -> list[str]:
    problems = list(dict.fromkeys(failures))[:2]
    if endpoint.failures:
        problems.append(f"receive raised {endpoint.failures[0].error}")
    paid = paid_customers(lab)
    accounts = {a["customer"]: a for a in lab.provisioning.accounts()}
    emails = {c["id"]: c["email"] for c in lab.payments.customers()}
    lost = [c for c in paid if accounts.get(c, {}).get("status") != "active"]
    if lost:
        problems.append(
            f"{len(lost)} paid customer(s) never got access: {', '.join(emails.get(c, c) for c in lost[:3])}"
        )
    counts: dict[str, int] = {}
    for activation in lab.provisioning.activations():
        counts[activation["customer"]] = counts.get(activation["customer"], 0) + 1
    twice = [c for c, n in counts.items() if n > 1]
    if twice:
        problems.append(
            f"{len(twice)} customer(s) activated more than once: {', '.join(emails.get(c, c) for c in twice[:3])}"
        )
    unpaid = [c for c in counts if c not in ever_paid(lab)]
    if unpaid:
        problems.append(
            f"{len(unpaid)} customer(s) activated without paying: {', '.join(emails.get(c, c) for c in unpaid[:3])}"
        )
    down = [o for o in outages if o["where"] == "provisioning" and o["kind"] == "down"]
    sneaked = [a for a in lab.provisioning.activations() if any(o["start"] <= a["at"] < o["end"] for o in down)]
    if sneaked:
        problems.append(
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
        if not heard:
            what = "was down" if outage["kind"] == "down" else "answered 503"
            problems.append(
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
def check(ns):
    person = on_call(ns)
    if person is None:
        fail(f"ON_CALL must be the email address of the person to alert, not {ns.get('ON_CALL')!r}", *HINTS)
    c = Checklist()
    for seed in SEEDS:
        problems = run_schedule(dict(ns), seed, person)
        stub = next((p for p in problems if "NotImplementedError" in p), None)
        if stub is not None:
            name = stub.split()[0]
            fail(
                f"`{name}` is still the stub: it raises NotImplementedError. Finish parts 1 and 2 above first, "
                "run their cells, then this check again",
                *HINTS,
            )
        if problems:
            c.expect(
                False,
                f"survives {len(SEEDS)} random outage schedules",
                f"seed {seed} (of {len(SEEDS)}): " + "; ".join(problems),
                hints=HINTS,
            )
            return c.result()
    c.expect(True, f"survives {len(SEEDS)} random outage schedules: every paying customer activated, once")
    c.expect(True, "nobody activated without paying")
    c.expect(True, "every outage raised an alert to the named person")
    return c.result()
