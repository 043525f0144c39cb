"""The lesson's example automations, ready to install.

Each function returns a fresh spec (an installed automation keeps its run log).
"""

from __future__ import annotations

from simulators.course.automations.spec import Automation, Step

OPS = "ops@example.com"


def welcome_new_leads(alert: str | None = OPS) -> Automation:
    """A form submission becomes a CRM contact and gets a welcome email."""
    return Automation(
        "Welcome new leads",
        when="form.submitted",
        source="crm",
        then=[
            Step(
                "create_contact", "crm", using={"email": "data.email", "name": "data.name", "company": "data.company"}
            ),
            Step(
                "send_email",
                "mailer",
                using={
                    "to": "data.email",
                    "subject": "Welcome, {data.name|there}!",
                    "body": "Hi {data.name|there},\n\nThanks for getting in touch. Someone from our team will reply within one working day.",
                    "tags": ["welcome"],
                },
            ),
        ],
        alert=alert,
        description="Every lead from the website's contact form lands in the CRM and hears from us at once.",
        why="A lead who waits a day for an answer often buys elsewhere; nobody has to copy the form by hand.",
        owner="Dana (operations), dana.ops@example.com",
    )


def confirm_paid_invoices(alert: str | None = "billing@example.com") -> Automation:
    """A paid invoice gets a confirmation email."""
    return Automation(
        "Confirm paid invoices",
        when="invoice.paid",
        source="payments",
        then=Step(
            "send_email",
            "mailer",
            using={
                "to": "data.object.customer_email",
                "subject": "Payment received for invoice {data.object.id}",
                "body": "Thank you! We received your payment of {data.object.amount_paid} cents ({data.object.currency}).",
                "tags": ["receipt"],
            },
        ),
        alert=alert,
        description="Customers get a confirmation as soon as a subscription payment goes through.",
        why="A customer who pays and hears nothing writes to support to ask whether the payment went through.",
        owner="Marco (billing), marco.billing@example.com",
    )


def retain_cancelled_customers(alert: str | None = "success@example.com") -> Automation:
    """A cancelled subscription becomes a retention outreach task in the CRM."""
    return Automation(
        "Reach out after a cancellation",
        when="customer.subscription.deleted",
        source="payments",
        then=Step(
            "create_task",
            "crm",
            using={
                "title": "Retention call: {data.object.customer} cancelled",
                "notes": "Subscription {data.object.id} was cancelled. Call within two days and ask what would bring them back.",
            },
        ),
        alert=alert,
        description="Someone from customer success calls every customer who cancels, while it still matters.",
        why="A customer called within two days of cancelling sometimes comes back; a week later they have moved on.",
        owner="Noor (customer success), noor.success@example.com",
    )


def lesson_examples() -> list[Automation]:
    """The three automations the lesson walks through."""
    return [welcome_new_leads(), confirm_paid_invoices(), retain_cancelled_customers()]
