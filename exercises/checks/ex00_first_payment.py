"""Exercise 00, a first win: a customer pays, and provisioning gives them an account.

The learner writes `first_payment(lab)`: Ada pays 2000 cents for the pro plan
through the payment system; the payment's webhook reaches provisioning, which
activates her account; the function returns that account.

Clause (exercise notebook) → step → a wrong answer only that step catches
(tests/wrong_answers/ex00_first_payment/):

| Clause | Step | Wrong answer |
|---|---|---|
| (given) the line that creates Ada | Ada is a customer of the payment system | deletes that line |
| Ada pays ... through `lab.payments.pay` | Ada pays through the payment system | pays-for-someone-else |
| pays `2000` cents | she pays 2000 cents, once | a-tenth-of-the-price, pays-twice |
| twenty dollars (the payment system's default currency) | she pays in dollars (usd) | pays-in-euros |
| 2. Wait for the webhook to arrive: `lab.settle()` | waits for the webhook before looking up her account (step 2) | looks-before-the-webhook |
| Return her account | returns her account from provisioning | returns-the-payment, forgets-to-return |
| her account | the account is Ada's | returns Grace's account |
| the webhook ... opens her account | her account is active; the account was opened once, by the payment's webhook | activates-by-hand-too |
| for the `pro` plan | she gets the pro plan | forgets-the-plan |
| cents (not dollars) | (the payment system's own 400: an error, not an attempt) | pays-in-dollars |
"""

from __future__ import annotations

from typing import Any

from simulators.course.checking import Checklist, exercise

EMAIL = "ada@example.com"
AMOUNT = 2000
CURRENCY = "usd"
PLAN = "pro"

HINTS = (
    "Follow the three numbered steps above the cell, in order: cause the payment, wait for its webhook, then"
    " look up the account. Each step names the one call it needs.",
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
    c = Checklist()
    c.require(
        bool(customers),
        "Ada is a customer of the payment system",
        f"no customer with the email {EMAIL} exists in the payment system: keep the line that creates Ada",
        hints=HINTS,
    )
    ids = {customer["id"] for customer in customers}
    paid = [pi for pi in lab.payments.payments("succeeded") if pi.get("customer") in ids]
    c.expect(
        bool(paid),
        "Ada pays through the payment system",
        "the payment system has no successful payment from Ada",
        hints=(
            "Step 1 is a call on lab.payments, with the card that works (the default, pm_card_visa).",
            HINTS[1],
        ),
    )
    if paid:  # the amount is worth a verdict only once there is a payment to read it from
        amounts = sorted(pi.get("amount") for pi in paid)
        c.expect(
            amounts == [AMOUNT],
            f"she pays {AMOUNT} cents, once",
            f"her payments were {amounts} cents" + (": she was charged more than once" if len(amounts) > 1 else ""),
            hints=(
                "Amounts are in cents: twenty dollars is 2000. Call pay once: every call charges her again.",
                "Payment systems count money in the smallest unit, and every payment is real money taken.",
            ),
        )
        currencies = sorted({str(pi.get("currency")) for pi in paid})
        c.expect(
            currencies == [CURRENCY],
            "she pays in dollars (usd)",
            f"her payment is in {', '.join(code.upper() for code in currencies)}: the pro plan costs twenty dollars; leave"
            ' out currency= (dollars are the default) or write currency="usd"',
            hints=(
                "Ada pays in US dollars: the payment system's default currency, so pay needs no currency at all.",
                HINTS[1],
            ),
        )
    # Read from the code, not the timing: whether an unwaited lookup finds the account depends on how busy
    # the machine is, and a verdict must not.
    calls = set(getattr(getattr(ns["first_payment"], "__code__", None), "co_names", ()))
    if paid:  # waiting is for the payment's webhook: without a payment there is nothing to wait for
        c.expect(
            bool(calls & {"settle", "advance"}),
            "waits for the webhook before looking up her account (step 2)",
            "first_payment never calls lab.settle(): add it between the payment and the lookup, or the account"
            " may not be there yet when you look (the webhook takes a moment to arrive)",
            hints=("Step 2 is one line, lab.settle(), between paying and looking up the account.", HINTS[1]),
        )
    c.require(
        isinstance(returned, dict) and returned.get("object") == "account",
        "returns her account from provisioning",
        f"first_payment returned {_short(returned)}" + _why_no_account(ns["first_payment"], returned),
        hints=(
            "Steps 2 and 3: wait for the webhook, then return what provisioning has for her (not the payment).",
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
    # The webhook's activation names the event of her own payment; one made by hand names none, or another.
    paid_events = {
        event["id"]
        for event in lab.payments.events("payment_intent.succeeded")
        if event["data"]["object"].get("id") in {pi["id"] for pi in paid}
    }
    by_hand = [a for a in activations if a.get("event") not in paid_events]
    c.expect(
        bool(paid) and len(activations) == 1 and not by_hand,
        "the account was opened once, by the payment's webhook",
        f"provisioning shows {len(activations)} activations, {len(by_hand)} of them not made by her payment's webhook:"
        " the account was also activated directly",
        hints=(
            "Leave lab.provisioning.activate alone: provisioning opens the account itself when the webhook arrives.",
            HINTS[1],
        ),
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


def _why_no_account(function: Any, returned: Any) -> str:
    """What to change when no account came back, read from which calls the learner's function makes."""
    calls = set(getattr(getattr(function, "__code__", None), "co_names", ()))
    if returned is None and "account_for" in calls and not calls & {"settle", "advance"}:
        return ": call lab.settle() before lab.provisioning.account_for, so the webhook has opened the account"
    if returned is None and "account_for" in calls:
        return ": put return in front of lab.provisioning.account_for(...), so the function hands the account back"
    if returned is None:
        return ': step 3, return lab.provisioning.account_for(customer["id"])'
    if isinstance(returned, dict) and returned.get("object") == "payment_intent":
        return ": that is the payment (the trigger); return the account provisioning opened (the action's result)"
    return ""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
