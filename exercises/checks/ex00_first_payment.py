"""Exercise 00, a first win: a customer pays, and provisioning gives them an account.

The learner writes `first_payment(lab)`: Ada pays 2000 cents for the pro plan
through the payment system; the payment's webhook reaches provisioning, which
activates her account; the function returns that account.
"""

from __future__ import annotations

from typing import Any

from simulators.course.checking import Checklist, exercise, fail

EMAIL = "ada@example.com"
AMOUNT = 2000
PLAN = "pro"

HINTS = (
    'Three lines do it: lab.payments.pay(customer["id"], 2000, metadata={"plan": "pro"}), then lab.settle(),'
    ' then return lab.provisioning.account_for(customer["id"]).',
    "Paying is the trigger; the payment system tells provisioning with a webhook, and activating the account is"
    " the action. You only cause the trigger: the account has to come from the webhook, not from you.",
)


@exercise(
    "ex00_first_payment",
    notebook="00_first_payment",
    title="A first payment",
    needs=["first_payment"],
    hints=HINTS,
    timeout=30,
)
def check(ns: dict[str, Any], lab: Any) -> Any:
    returned = ns["first_payment"](lab)
    lab.settle()  # a webhook still on its way is the learner's to wait for, but the lab's view should be final
    customers = [customer for customer in lab.payments.customers() if customer.get("email") == EMAIL]
    if not customers:
        fail(f"no customer with the email {EMAIL} exists in the payment system: keep the line that creates Ada", *HINTS)
    ids = {customer["id"] for customer in customers}
    paid = [pi for pi in lab.payments.payments("succeeded") if pi.get("customer") in ids]
    c = Checklist()
    c.expect(
        bool(paid),
        "Ada pays through the payment system",
        "the payment system has no successful payment from Ada",
        hints=(
            'Use lab.payments.pay(customer["id"], 2000, ...) with the card that works (the default, pm_card_visa).',
            HINTS[1],
        ),
    )
    if paid:  # the amount is worth a verdict only once there is a payment to read it from
        c.expect(
            any(pi.get("amount") == AMOUNT for pi in paid),
            f"she pays {AMOUNT} cents",
            f"her payments were {sorted(pi.get('amount') for pi in paid)} cents",
            hints=(
                "Amounts are in cents: twenty dollars is 2000.",
                "Payment systems count money in the smallest unit.",
            ),
        )
    c.require(
        isinstance(returned, dict) and returned.get("object") == "account",
        "returns her account from provisioning",
        f"first_payment returned {_short(returned)}",
        hints=(
            'Wait for the webhook with lab.settle(), then return lab.provisioning.account_for(customer["id"]).',
            "The webhook reaches provisioning a moment after the payment: read the account once it has arrived.",
        ),
    )
    account = lab.provisioning.account_for(returned["customer"]) or returned
    c.expect(
        returned["customer"] in ids,
        "the account is Ada's",
        f"the account belongs to {returned['customer']}, not to Ada",
    )
    c.expect(account.get("status") == "active", "her account is active", f"its status is {account.get('status')!r}")
    activations = lab.provisioning.activations(returned["customer"])
    c.expect(
        bool(paid) and any(a.get("event") for a in activations),
        "the account was opened by the payment's webhook",
        "the account was activated directly, not by a payment event",
        hints=HINTS[1:] + HINTS[:1],
    )
    c.expect(
        account.get("plan") == PLAN,
        f"she gets the {PLAN} plan",
        f"her plan is {account.get('plan')!r}",
        hints=(
            'Tell the payment what it is for: metadata={"plan": "pro"}.',
            "Provisioning reads the plan from the payment's metadata, the data the trigger carries.",
        ),
    )
    return c.result()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
