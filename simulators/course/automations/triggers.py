"""The catalogue of trigger events: which source sends them, and what data they carry.

`validate()` checks an automation's data paths against these fields, so a
mapping that reads something the trigger never sends is caught before it runs.
Paths are dotted, from the top of the event: `data.email` in a CRM event,
`data.object.customer_email` in a payment (Stripe-shaped) event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: How each source system is named in sentences.
SYSTEM_NAMES = {
    "crm": "the CRM",
    "mailer": "the mailer",
    "payments": "the payment system",
    "provisioning": "the provisioning system",
}

#: How each source signs its webhooks, for the documentation.
SIGNATURES = {
    "crm": "the Standard Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature: v1,…)",
    "payments": "Stripe's scheme (Stripe-Signature: t=…,v1=…)",
}


@dataclass(frozen=True)
class Trigger:
    """An event a source system sends, in plain words, with the fields it carries."""

    source: str
    event: str
    meaning: str
    fields: dict[str, str]
    #: Fields under these prefixes are open-ended (metadata the sender chose).
    open_prefixes: tuple[str, ...] = ()
    #: Python that makes it happen in a lab, for "how to test".
    cause: str = ""
    notes: tuple[str, ...] = field(default=())

    def carries(self, path: str) -> bool:
        if path in self.fields:
            return True
        if any(path.startswith(prefix) for prefix in self.open_prefixes):
            return True
        # a parent of a listed field (e.g. `data` or `data.object`) is carried too
        return any(known.startswith(path + ".") for known in self.fields)


_CRM_COMMON = {
    "id": "the event id (the same on every retry: dedupe on it)",
    "type": "the event type",
    "timestamp": "when it happened (ISO 8601)",
}
_STRIPE_COMMON = {
    "id": "the event id (evt_…; the same on every retry: dedupe on it)",
    "type": "the event type",
    "created": "when it happened (unix seconds)",
    "livemode": "always false in the lab",
}

_FORM = {
    "data.id": "the submission id (sub_…)",
    "data.name": "the name typed in the form (may be missing)",
    "data.email": "the email typed in the form (may be missing)",
    "data.company": "the company typed in the form (may be missing)",
    "data.message": "the message typed in the form (may be missing)",
    "data.created": "when it was submitted (unix seconds)",
}
_CONTACT = {
    "data.id": "the contact id (con_…)",
    "data.email": "the contact's email",
    "data.name": "the contact's name (may be missing)",
    "data.company": "the contact's company (may be missing)",
    "data.notes": "notes on the contact (may be missing)",
    "data.created": "when the contact was added (unix seconds)",
}
_TASK = {
    "data.id": "the task id (task_…)",
    "data.title": "what to do",
    "data.contact": "the contact it is about (may be missing)",
    "data.notes": "notes (may be missing)",
    "data.due": "when it is due (may be missing)",
    "data.status": "open or done",
}
_INVOICE = {
    "data.object.id": "the invoice id (in_…)",
    "data.object.customer": "the customer id (cus_…)",
    "data.object.customer_email": "the customer's email",
    "data.object.customer_name": "the customer's name (may be missing)",
    "data.object.amount_paid": "the amount paid, in cents",
    "data.object.amount_due": "the amount due, in cents",
    "data.object.currency": "three-letter currency code, such as usd",
    "data.object.subscription": "the subscription it bills (sub_…)",
    "data.object.status": "paid",
    "data.object.number": "the invoice number (may be missing)",
    "data.object.hosted_invoice_url": "a link to the invoice (may be missing)",
}
_PAYMENT_INTENT = {
    "data.object.id": "the payment id (pi_…)",
    "data.object.customer": "the customer id (cus_…)",
    "data.object.amount": "the amount, in cents",
    "data.object.amount_received": "the amount received, in cents",
    "data.object.currency": "three-letter currency code",
    "data.object.status": "the payment's status",
    "data.object.receipt_email": "where the receipt goes (may be missing)",
    "data.object.description": "a description (may be missing)",
}
_SUBSCRIPTION = {
    "data.object.id": "the subscription id (sub_…)",
    "data.object.customer": "the customer id (cus_…)",
    "data.object.status": "the subscription's status",
    "data.object.canceled_at": "when it was cancelled (unix seconds; deleted events only)",
    "data.object.current_period_end": "when the paid period ends (unix seconds)",
    "data.object.items": "the prices subscribed to",
}
_CHECKOUT = {
    "data.object.id": "the Checkout Session id (cs_test_…)",
    "data.object.customer": "the customer id (cus_…; missing for a one-off payment by a guest)",
    "data.object.customer_details.email": "the email the customer typed on the checkout page",
    "data.object.customer_details.name": "the name the customer typed (may be missing)",
    "data.object.customer_email": "the email the session was opened with (may be missing)",
    "data.object.client_reference_id": "your own reference for the buyer, given when the session was opened (may be missing)",
    "data.object.amount_total": "the total, in cents",
    "data.object.currency": "three-letter currency code, such as usd",
    "data.object.mode": "payment (one-off) or subscription",
    "data.object.payment_status": "paid, or unpaid while a bank debit settles",
    "data.object.status": "complete",
    "data.object.subscription": "the subscription it started (sub_…; subscription mode only)",
    "data.object.payment_intent": "the payment (pi_…; payment mode only)",
}
_CUSTOMER_CAUSE = 'customer = lab.payments.create_customer("ada@example.com", name="Ada Lovelace")\n'

TRIGGERS: dict[tuple[str, str], Trigger] = {
    (t.source, t.event): t
    for t in (
        Trigger(
            "crm",
            "form.submitted",
            "someone submits the web form",
            {**_CRM_COMMON, **_FORM},
            cause='lab.crm.submit_form(name="Ada Lovelace", email="ada@example.com", company="Analytical Engines")',
        ),
        Trigger(
            "crm",
            "contact.created",
            "a contact is added to the CRM",
            {**_CRM_COMMON, **_CONTACT},
            cause='lab.crm.create_contact("ada@example.com", name="Ada Lovelace")',
        ),
        Trigger(
            "crm",
            "task.created",
            "a task is added to the CRM",
            {**_CRM_COMMON, **_TASK},
            cause='lab.crm.create_task("Call Ada back")',
        ),
        Trigger(
            "crm",
            "task.completed",
            "a task is marked done",
            {**_CRM_COMMON, **_TASK},
            cause='lab.crm.complete_task(lab.crm.create_task("Call Ada back")["id"])',
        ),
        Trigger(
            "payments",
            "invoice.paid",
            "an invoice is paid (a subscription payment went through)",
            {**_STRIPE_COMMON, **_INVOICE},
            open_prefixes=("data.object.metadata.", "data.object.lines."),
            cause=_CUSTOMER_CAUSE + 'lab.payments.subscribe(customer["id"], "price_basic_monthly")',
        ),
        Trigger(
            "payments",
            "payment_intent.succeeded",
            "a payment succeeds",
            {**_STRIPE_COMMON, **_PAYMENT_INTENT},
            open_prefixes=("data.object.metadata.",),
            cause=_CUSTOMER_CAUSE + 'lab.payments.pay(customer["id"], 2000, metadata={"plan": "pro"})',
        ),
        Trigger(
            "payments",
            "payment_intent.payment_failed",
            "a payment is declined",
            {**_STRIPE_COMMON, **_PAYMENT_INTENT, "data.object.last_payment_error.message": "why it was declined"},
            open_prefixes=("data.object.metadata.", "data.object.last_payment_error."),
            cause=_CUSTOMER_CAUSE + 'lab.payments.pay(customer["id"], 2000, payment_method="pm_card_chargeDeclined")',
        ),
        Trigger(
            "payments",
            "customer.subscription.created",
            "a customer subscribes",
            {**_STRIPE_COMMON, **_SUBSCRIPTION},
            open_prefixes=("data.object.metadata.", "data.object.items."),
            cause=_CUSTOMER_CAUSE + 'lab.payments.subscribe(customer["id"], "price_basic_monthly")',
        ),
        Trigger(
            "payments",
            "customer.subscription.deleted",
            "a subscription is cancelled",
            {**_STRIPE_COMMON, **_SUBSCRIPTION},
            open_prefixes=("data.object.metadata.", "data.object.items."),
            cause=_CUSTOMER_CAUSE + 'subscription = lab.payments.subscribe(customer["id"], "price_basic_monthly")\n'
            'lab.payments.cancel_subscription(subscription["id"])',
        ),
        Trigger(
            "payments",
            "charge.refunded",
            "a payment is refunded",
            {
                **_STRIPE_COMMON,
                "data.object.id": "the charge id (ch_…)",
                "data.object.customer": "the customer id",
                "data.object.amount_refunded": "the amount refunded, in cents",
                "data.object.payment_intent": "the payment refunded (pi_…)",
                "data.object.receipt_email": "may be missing",
            },
            open_prefixes=("data.object.metadata.",),
            cause=_CUSTOMER_CAUSE + 'lab.payments.refund(lab.payments.pay(customer["id"], 2000)["id"])',
        ),
        Trigger(
            "payments",
            "checkout.session.completed",
            "a customer completes checkout (pays on the checkout page)",
            {**_STRIPE_COMMON, **_CHECKOUT},
            open_prefixes=("data.object.metadata.", "data.object.customer_details."),
            cause='session = lab.payments.checkout("basic", customer_email="ada@example.com")\n'
            'lab.payments.complete_checkout(session["id"], email="ada@example.com", name="Ada Lovelace")',
        ),
        Trigger(
            "payments",
            "customer.created",
            "a customer is created",
            {
                **_STRIPE_COMMON,
                "data.object.id": "the customer id (cus_…)",
                "data.object.email": "the customer's email",
                "data.object.name": "the customer's name (may be missing)",
            },
            open_prefixes=("data.object.metadata.",),
            cause=_CUSTOMER_CAUSE.rstrip(),
        ),
    )
}


def sources() -> list[str]:
    return sorted({source for source, _ in TRIGGERS})


def events_of(source: str) -> list[str]:
    return [event for known, event in TRIGGERS if known == source]


def system_name(name: str) -> str:
    return SYSTEM_NAMES.get(name, f"the {name} system")
