"""Exercise 05, part 2: the reconciliation.

`reconcile(lab)` compares the payment system's payments with provisioning's
accounts both ways: it activates every customer who paid and has no active
account, takes access away from every customer whose payment was refunded and
whose account is still active, and returns the ids of the customers it
activated. The check builds a lab where provisioning missed some payments and
holds every case a reconciliation meets: payments that succeeded, failed, were
refunded (before and after their account was opened) or were cancelled, a
customer who paid twice, and a customer who is already fine.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex05_reconcile/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| every customer who paid and has no active account: activate | activates the customer who paid while provisioning was down | walks accounts only |
| … no **active** account (an account that exists may be closed) | activates a customer who paid again after their account was closed | accepts-any-account |
| … with `"plan"` from `metadata["plan"]` | gives them the plan they paid for | everyone-basic |
| (payments that went through and were not refunded) | does not activate a declined card / a refunded payment / a cancelled payment | counts-refunded-money |
| a customer who paid twice | activates a customer who paid twice exactly once | one-repair-per-payment |
| a customer who is already fine | leaves a customer who already has access alone | activates-everyone |
| every customer with an active account whose payment was refunded: deactivate | takes access away from a refunded customer who still had it | one-way-only |
| (and who has no other payment that stands) | leaves access to a refunded customer whose other payment stands | revokes-despite-another-payment |
| Return the list of customer ids you activated | returns the ids of the customers it activated | returns-nothing |
| (a nightly job) run again, nothing left to repair | does nothing when run again | keeps its own 'done' list that forgets |
| If provisioning cannot be reached, skip that customer | skips a customer when provisioning cannot be reached | crashes-when-provisioning-is-down |
| Return the list of customer ids you activated (not those you tried) | reports only the repairs that worked | reports-failed-repairs |
"""

from __future__ import annotations

from simulators.course.checking import Checklist, exercise
from simulators.learner import call

HINTS = (
    "Write down the two lists you are comparing, who paid and who has an active account, then ask of each"
    " customer: which list are they missing from?",
    "A reconciliation compares the source of truth (money that stayed paid) with the result (accounts) and "
    "repairs only the difference, both ways: paid and no account, and an account with no payment that stands.",
)
REVOKE_HINTS = (
    "Walk lab.payments.payments(status='succeeded', refunded=True): a customer among them with an active account "
    "and no other payment that stands gets requests.post(lab.provisioning.url + '/accounts/deactivate', "
    "json={'customer': ..., 'event': payment_id}, timeout=5).",
    HINTS[1],
)


def _customer(lab, name):  # type: ignore[no-untyped-def]
    return lab.payments.create_customer(f"{name}@example.com", name=name.title())["id"]


def _scene(lab):  # type: ignore[no-untyped-def]
    """Customers in every state a reconciliation meets; provisioning missed what happened while it was down."""
    pay = lab.payments
    pay.set_retry_policy(pay.provisioning_endpoint["id"], "none")
    who = {}
    who["fine"] = _customer(lab, "fine")
    pay.pay(who["fine"], 1900, metadata={"plan": "basic"})
    who["kept"] = _customer(lab, "kept")
    kept = pay.pay(who["kept"], 4900, metadata={"plan": "pro"})
    lab.settle()
    pay.refund(kept["id"])  # provisioning's handler ignores refunds: the account stays active
    who["switched"] = _customer(lab, "switched")  # moved from basic to pro, and got the basic one refunded
    basic = pay.pay(who["switched"], 1900, metadata={"plan": "basic"})
    pay.pay(who["switched"], 4900, metadata={"plan": "pro"})
    who["comeback"] = _customer(lab, "comeback")
    pay.refund(pay.pay(who["comeback"], 1900, metadata={"plan": "basic"})["id"])
    lab.settle()
    pay.refund(basic["id"])
    lab.provisioning.deactivate(who["comeback"])  # last night's run closed their account
    lab.settle()
    lab.provisioning.faults.down()
    who["lost"] = _customer(lab, "lost")
    pay.pay(who["lost"], 4900, metadata={"plan": "pro"})
    who["twice"] = _customer(lab, "twice")
    pay.pay(who["twice"], 1900, metadata={"plan": "basic"})
    pay.pay(who["twice"], 1900, metadata={"plan": "basic"})
    pay.pay(who["comeback"], 4900, metadata={"plan": "pro"})  # they come back, and the webhook is lost
    who["declined"] = _customer(lab, "declined")
    pay.pay(who["declined"], 1900, payment_method="pm_card_chargeDeclined", metadata={"plan": "basic"})
    who["refunded"] = _customer(lab, "refunded")
    pay.refund(pay.pay(who["refunded"], 4900, metadata={"plan": "pro"})["id"])
    who["cancelled"] = _customer(lab, "cancelled")
    intent = pay.client.post(
        "/v1/payment_intents", customer=who["cancelled"], amount=1900, currency="usd", metadata={"plan": "basic"}
    )
    pay.client.post(f"/v1/payment_intents/{intent['id']}/cancel")
    lab.settle()
    lab.provisioning.faults.up()
    return who


@exercise(
    "ex05_reconcile",
    notebook="05_case_study_silent_failure",
    title="The nightly reconciliation",
    needs=["reconcile"],
    hints=HINTS,
    systems=["mailer", "provisioning", "payments"],
    seed=52,
    timeout=90,
)
def check(ns, lab):
    who = _scene(lab)
    provisioning = lab.provisioning
    c = Checklist()
    returned = ns["reconcile"](lab)
    lab.settle()

    def active(name: str) -> bool:
        account = provisioning.account_for(who[name])
        return account is not None and account["status"] == "active"

    def activations(name: str) -> int:
        return len(provisioning.activations(who[name]))

    c.expect(
        active("lost"),
        "activates the customer who paid while provisioning was down",
        "the customer whose payment webhook was lost still has no account",
    )
    c.expect(
        active("comeback"),
        "activates a customer who paid again after their account was closed",
        "a customer whose earlier account was closed paid again and still has no access: an account that exists"
        " may be closed; only accounts(status='active') count",
        hints=(
            "Compare with lab.provisioning.accounts(status='active'), not every account: a closed one is not access.",
            HINTS[1],
        ),
    )
    lost = provisioning.account_for(who["lost"])
    c.expect(
        lost is not None and lost["plan"] == "pro",
        "gives them the plan they paid for (metadata['plan'])",
        f"they got plan {lost['plan'] if lost else None!r} instead of 'pro'",
        hints=("The plan is in payment['metadata']['plan'].", "Repair with the same data the webhook would have used."),
    )
    c.expect(
        active("twice") and activations("twice") == 1,
        "activates a customer who paid twice exactly once",
        f"they were activated {activations('twice')} times",
        hints=("Collect the customers to activate in a set or dict first, then activate each one once.", HINTS[1]),
    )
    c.expect(
        activations("fine") == 1,
        "leaves a customer who already has access alone",
        f"a customer whose account was already active was activated {activations('fine')} times",
        hints=("Skip customers who already have an active account.", HINTS[1]),
    )
    for name, what in (
        ("declined", "a declined card"),
        ("refunded", "a refunded payment"),
        ("cancelled", "a cancelled payment"),
    ):
        c.expect(
            provisioning.account_for(who[name]) is None,
            f"does not activate {what}",
            f"the customer with {what} got an account",
            hints=(
                "Use lab.payments.payments(status='succeeded', refunded=False): only money that stayed paid counts.",
                HINTS[1],
            ),
        )
    kept = provisioning.account_for(who["kept"])
    c.expect(
        kept is not None and kept["status"] == "inactive",
        "takes access away from a refunded customer who still had it",
        "a customer who was refunded still has an active account: the reconciliation looks one way only",
        hints=REVOKE_HINTS,
    )
    c.expect(
        active("switched"),
        "leaves access to a refunded customer whose other payment stands",
        "a customer who was refunded one payment but still pays for another lost their access: take it away only"
        " from a customer with no payment that stands",
        hints=(
            "Before deactivating, ask whether this customer has another payment in "
            "payments(status='succeeded', refunded=False).",
            HINTS[1],
        ),
    )
    expected = {who["lost"], who["twice"], who["comeback"]}
    got = set(returned) if isinstance(returned, (list, tuple, set)) else None
    c.expect(
        got == expected,
        "returns the ids of the customers it activated",
        f"it returned {returned!r}"
        if got is None
        else f"it returned {len(got)} customer id(s); it activated {len(expected & got)} of the {len(expected)} it should"
        " name",
        hints=(
            "Return a list of the customer ids you activated.",
            "The report is how a person learns what the night's run repaired.",
        ),
    )
    before = len(provisioning.activations())
    second = ns["reconcile"](lab)
    lab.settle()
    added = len(provisioning.activations()) - before
    c.expect(
        added == 0 and not second,
        "does nothing when run again (nothing is left to repair)",
        f"the second run activated {added} more time(s) and returned {second!r}",
        hints=(
            "Look at who is active now, every run, before activating anyone.",
            "A job that runs every night must be safe to run again.",
        ),
    )
    # Provisioning is unreachable for tonight's run: skip, and let tomorrow's run repair.
    provisioning.faults.down()
    late = _customer(lab, "late")
    lab.payments.pay(late, 1900, metadata={"plan": "basic"})  # its webhook is lost: tonight has work to do
    lab.settle()
    tonight = call(ns["reconcile"], lab, where="reconcile")
    provisioning.faults.up()
    c.expect(
        tonight.failure is None,
        "skips a customer when provisioning cannot be reached (tomorrow's run tries again)",
        f"with provisioning down, reconcile raised {tonight.failure.error.split(':', 1)[0]}"
        if tonight.failure is not None
        else "",
        hints=(
            "Wrap each request in try/except requests.RequestException and leave that customer for tomorrow.",
            "A nightly job that crashes on the first unreachable customer repairs nobody after them.",
        ),
    )
    claimed = tonight.value if tonight.failure is None and isinstance(tonight.value, (list, tuple, set)) else []
    c.expect(
        not claimed,
        "reports only the repairs that worked",
        f"with provisioning down it activated nobody, yet it reported {len(claimed)} customer(s) as activated:"
        " add a customer only when provisioning answered 2xx",
        hints=(
            "Append the customer to the list only when the POST answered 2xx (response.ok).",
            "The report is what a person trusts in the morning: a repair that failed must not be in it.",
        ),
    )
    return c.result()
