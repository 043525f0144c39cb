"""Automations: the formula as a spec that describes, documents, checks and runs itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from simulators import Lab
from simulators.course.automations import Automation, Step, render_catalogue
from simulators.course.automations.examples import (
    confirm_paid_invoices,
    lesson_examples,
    retain_cancelled_customers,
    welcome_new_leads,
)

SYSTEMS = ["mailer", "crm", "provisioning"]


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=5, systems=SYSTEMS) as running:
        yield running


def activate_leads(alert: str | None = "ops@example.com") -> Automation:
    return Automation(
        "Activate trial accounts",
        when="form.submitted",
        source="crm",
        then=[Step("provisioning.activate", using={"customer": "data.email", "plan": "trial", "email": "data.email"})],
        alert=alert,
    )


# -- the spec -------------------------------------------------------------


def test_describe_reads_as_the_formula() -> None:
    assert welcome_new_leads().describe() == (
        "When form.submitted happens in the CRM, then create a contact in the CRM, then send an email in the mailer, "
        "using data.email, data.name and data.company, and alert ops@example.com if it fails."
    )
    assert confirm_paid_invoices().describe() == (
        "When invoice.paid happens in the payment system, then send an email in the mailer, using "
        "data.object.customer_email, data.object.id, data.object.amount_paid and data.object.currency, "
        "and alert billing@example.com if it fails."
    )
    assert retain_cancelled_customers().describe() == (
        "When customer.subscription.deleted happens in the payment system, then create a task in the CRM, "
        "using data.object.customer and data.object.id, and alert success@example.com if it fails."
    )
    assert "alert nobody" in welcome_new_leads(alert=None).describe()


def test_a_step_can_name_its_destination_in_the_action() -> None:
    step = Step("crm.create_contact", using={"email": "data.email"})
    assert (step.destination, step.action) == ("crm", "create_contact")
    assert step == Step("create_contact", "crm", using={"email": "data.email"})


def test_the_lesson_examples_are_sound() -> None:
    for automation in lesson_examples():
        assert automation.validate() == [], automation.name


@pytest.mark.parametrize(
    ("automation", "needle"),
    [
        (welcome_new_leads(alert=None), "no one is alerted"),
        (
            Automation(
                "x",
                "form.submitted",
                "crm",
                [Step("send_email", "mailer", using={"to": "data.email", "subject": "Hi"})],
                alert="ops",
            ),
            "alert must be an email address",
        ),
        (
            Automation(
                "x",
                "form.submitted",
                "crm",
                [Step("send_email", "mailer", using={"to": "data.phone", "subject": "Hi"})],
                alert="a@b.c",
            ),
            "input 'to' reads data.phone, which a form.submitted event does not carry",
        ),
        (
            Automation(
                "x",
                "form.submitted",
                "crm",
                [Step("send_email", "mailer", using={"to": "data.email", "subject": "Hi {data.surname}"})],
                alert="a@b.c",
            ),
            "reads data.surname",
        ),
        (
            Automation(
                "x",
                "invoice.paid",
                "payments",
                [Step("send_email", "mailer", using={"to": "data.email", "subject": "Hi"})],
                alert="a@b.c",
            ),
            "reads data.email, which a invoice.paid event does not carry",
        ),
        (
            Automation(
                "x",
                "form.sent",
                "crm",
                [Step("send_email", "mailer", using={"to": "data.email", "subject": "Hi"})],
                alert="a@b.c",
            ),
            "the CRM sends no 'form.sent' event",
        ),
        (
            Automation(
                "x",
                "form.submitted",
                "hubspot",
                [Step("send_email", "mailer", using={"to": "data.email", "subject": "Hi"})],
                alert="a@b.c",
            ),
            "unknown source system 'hubspot'",
        ),
        (
            Automation(
                "x", "form.submitted", "crm", [Step("send_sms", "mailer", using={"to": "data.email"})], alert="a@b.c"
            ),
            "the mailer has no action 'send_sms'; it has send_email",
        ),
        (
            Automation("x", "form.submitted", "crm", [Step("post", "slack", using={})], alert="a@b.c"),
            "unknown destination system 'slack'",
        ),
        (
            Automation(
                "x", "form.submitted", "crm", [Step("send_email", "mailer", using={"to": "data.email"})], alert="a@b.c"
            ),
            "the required input 'subject' is not mapped",
        ),
        (
            Automation(
                "x",
                "form.submitted",
                "crm",
                [Step("create_contact", "crm", using={"email": "data.email", "phone": "1"})],
                alert="a@b.c",
            ),
            "crm.create_contact takes no input 'phone'",
        ),
        (Automation("x", "form.submitted", "crm", [], alert="a@b.c"), "has no steps"),
    ],
)
def test_validate_names_each_problem(automation: Automation, needle: str) -> None:
    problems = automation.validate()
    assert any(needle in problem for problem in problems), problems


def test_metadata_paths_are_open_ended_on_payment_events() -> None:
    automation = Automation(
        "x",
        "payment_intent.succeeded",
        "payments",
        Step("provisioning.activate", using={"customer": "data.object.customer", "plan": "data.object.metadata.plan"}),
        alert="a@b.c",
    )
    assert automation.validate() == []


def test_to_markdown_documents_everything_a_colleague_needs() -> None:
    automation = welcome_new_leads()
    text = automation.to_markdown()
    assert text.startswith("# Welcome new leads\n")
    assert f"> {automation.describe()}" in text
    for heading in (
        "## Trigger",
        "## Steps",
        "## When it fails",
        "## Who is alerted",
        "## How to test it",
        "## Known problems",
    ):
        assert heading in text
    assert "### 1. Create a contact in the CRM (`crm.create_contact`)" in text
    assert "| `email` | `data.email` from the event | yes |" in text
    assert "{data.name\\|there}" in text  # a pipe inside a table cell is escaped
    assert "ops@example.com, by an email through the mailer" in text
    assert 'lab.crm.submit_form(name="Ada Lovelace"' in text and "lab.crm.faults.down()" in text
    assert "None found by `validate()`." in text
    broken = welcome_new_leads(alert=None).to_markdown()
    assert "nobody (no alert person is set" in broken and "- no one is alerted if it fails" in broken


def test_why_and_owner_open_the_page_before_the_mechanics_and_are_optional() -> None:
    automation = Automation(
        "Activate paying customers",
        when="payment_intent.succeeded",
        source="payments",
        then=Step("activate", "provisioning", using={"customer": "data.object.customer"}),
        alert="dana.ops@example.com",
        why="A customer who pays gets in at once, even at night.",
        owner="Dana (operations), dana.ops@example.com",
    )
    text = automation.to_markdown(level=3, folded=True)
    shown = text.split("<details>")[0]  # seen before any section is unfolded
    assert "- **Why it exists:** A customer who pays gets in at once, even at night." in shown
    assert "- **Owner:** Dana (operations), dana.ops@example.com" in shown
    assert shown.index("Why it exists") < shown.index("Owner")
    plain = Automation("Old", when="form.submitted", source="crm", then=[], alert="ops@example.com")
    assert plain.why == plain.owner == "" and "Why it exists" not in plain.to_markdown()
    assert "Owner" not in plain.to_markdown(), "an automation written before why= and owner= still renders"


def test_a_folded_page_shows_its_summary_and_folds_every_section_below_it() -> None:
    automation = welcome_new_leads()
    whole, folded = automation.to_markdown(level=3), automation.to_markdown(level=3, folded=True)
    shown, rest = folded.split("<details><summary>Read the whole page</summary>")
    assert f"> {automation.describe()}" in shown and "#### " not in shown
    assert "the 2 steps" in shown
    assert rest.rstrip().endswith("</details>") and rest.count("<details>") == 0
    assert whole.split("#### Trigger", 1)[1].strip() in rest, "nothing of the page is lost, only folded"


def test_render_catalogue_is_one_document_for_many() -> None:
    automations = [*lesson_examples(), welcome_new_leads(alert=None)]
    text = render_catalogue(automations)
    assert text.startswith("# Automations\n") and "4 automations" in text
    assert text.count("\n## ") == 4 and text.count("\n### Trigger") == 4
    assert (
        "| [Welcome new leads](#welcome-new-leads) | `crm` `form.submitted` | `crm.create_contact`, `mailer.send_email` | ops@example.com |"
        in text
    )
    assert "| **nobody** |" in text


def test_install_refuses_an_automation_that_cannot_run(lab: Lab) -> None:
    broken = Automation("x", "form.submitted", "crm", [Step("send_sms", "mailer", using={})], alert="a@b.c")
    with pytest.raises(ValueError, match="cannot run: .*has no action 'send_sms'"):
        broken.install(lab)
    assert lab.crm.endpoints() == []


def test_install_needs_the_systems_it_uses() -> None:
    with Lab(seed=1, systems=["mailer", "crm"]) as lab, pytest.raises(AttributeError, match="provisioning"):
        activate_leads().install(lab)


# -- running against a live lab ------------------------------------------


def test_a_form_submission_becomes_a_contact_and_a_welcome_email(lab: Lab) -> None:
    automation = welcome_new_leads().install(lab)
    submission = lab.crm.submit_form(name="Ada", email="ada@example.com", company="Engines")
    lab.settle()
    [contact] = lab.crm.contacts()
    assert (contact["email"], contact["name"], contact["company"]) == ("ada@example.com", "Ada", "Engines")
    [email] = lab.mailer.inbox(to="ada@example.com")
    assert email["subject"] == "Welcome, Ada!" and email["body"].startswith("Hi Ada,") and email["tags"] == ["welcome"]
    [run] = automation.runs()
    assert run["outcome"] == "succeeded" and run["type"] == "form.submitted" and run["error"] is None
    assert run["event"] == lab.crm.events(type="form.submitted")[0]["id"]
    assert [(s["action"], s["status"], s["result"]) for s in run["steps"]] == [
        ("crm.create_contact", "done", contact["id"]),
        ("mailer.send_email", "done", email["id"]),
    ]
    assert lab.mailer.alerts() == [] and submission["id"] == lab.crm.events()[0]["data"]["id"]


def test_a_missing_name_uses_the_template_default(lab: Lab) -> None:
    automation = welcome_new_leads().install(lab)
    lab.crm.submit_form(email="anon@example.com")
    lab.settle()
    assert automation.runs()[0]["outcome"] == "succeeded"
    assert lab.mailer.inbox(to="anon@example.com")[0]["subject"] == "Welcome, there!"
    assert lab.crm.contacts()[0]["name"] is None


def test_missing_data_alerts_the_person_and_is_not_retried(lab: Lab) -> None:
    automation = welcome_new_leads().install(lab)
    lab.crm.submit_form(name="No Email")
    lab.settle()
    lab.advance(hours=1)
    [run] = automation.runs()
    assert run["outcome"] == "failed" and run["will_retry"] is False
    assert run["error"] == "step 1 (crm.create_contact): missing data: the event has no data.email (it is null)"
    assert [s["status"] for s in run["steps"]] == ["failed", "not run"]
    [alert] = lab.mailer.alerts(to="ops@example.com")
    assert (
        "missing data" in alert["subject"]
        and run["event"] in alert["body"]
        and "Retrying will not help" in alert["body"]
    )
    assert run["alerted"] == "ops@example.com"
    assert lab.crm.contacts() == [] and lab.mailer.inbox(kind="email") == []
    assert [d["status"] for d in lab.crm.outbox.deliveries()] == ["succeeded"]  # acknowledged: retrying cannot help


def test_without_an_alert_person_a_failure_is_silent(lab: Lab) -> None:
    automation = welcome_new_leads(alert=None).install(lab)
    lab.crm.submit_form(name="No Email")
    lab.settle()
    assert automation.runs()[0]["outcome"] == "failed" and automation.runs()[0]["alerted"] is None
    assert lab.mailer.inbox() == [] and lab.alerts == []


def test_a_destination_outage_alerts_once_and_the_retry_finishes_the_job(lab: Lab) -> None:
    automation = activate_leads().install(lab)
    lab.provisioning.faults.down()
    lab.crm.submit_form(email="ada@example.com")
    lab.settle()
    first = automation.runs()[0]
    assert first["outcome"] == "failed" and first["will_retry"] is True
    assert "the provisioning system is unreachable" in first["error"]
    lab.advance(minutes=10)  # the CRM retries after ~5 s and ~5 min: still down
    assert [r["outcome"] for r in automation.runs()] == ["failed", "failed", "failed"]
    [alert] = lab.mailer.alerts(to="ops@example.com")
    assert "unreachable" in alert["subject"] and "The source will retry" in alert["body"]
    lab.provisioning.faults.up()
    lab.advance(minutes=40)
    runs = automation.runs()
    assert [r["outcome"] for r in runs] == ["failed", "failed", "failed", "succeeded"]
    assert runs[-1]["attempt"] == 4 and {r["event"] for r in runs} == {first["event"]}
    [account] = lab.provisioning.accounts()
    assert (account["customer"], account["plan"], account["activations"]) == ("ada@example.com", "trial", 1)
    assert len(lab.mailer.alerts()) == 1
    assert lab.crm.outbox.deliveries()[0]["status"] == "succeeded"


def test_a_destination_answering_errors_counts_as_a_failure(lab: Lab) -> None:
    automation = activate_leads().install(lab)
    lab.provisioning.faults.errors(rate=1.0, status=503)
    lab.crm.submit_form(email="ada@example.com")
    lab.settle()
    [run] = automation.runs()
    assert run["outcome"] == "failed" and "provisioning answered 503" in run["error"] and run["will_retry"] is True
    assert lab.provisioning.accounts() == [] and len(lab.mailer.alerts()) == 1


def test_a_retry_does_not_repeat_the_steps_already_done(lab: Lab) -> None:
    automation = welcome_new_leads().install(lab)
    lab.mailer.faults.errors(rate=1.0, status=503)
    lab.crm.submit_form(name="Ada", email="ada@example.com")
    lab.settle()
    failed = automation.runs()[0]
    assert [s["status"] for s in failed["steps"]] == ["done", "failed"]
    # the alert could not go through the failing mailer, so it was raised in the lab instead
    assert failed["alerted"].startswith("lab.alerts") and [a.kind for a in lab.alerts] == ["alert_undeliverable"]
    lab.mailer.faults.clear()
    lab.advance(seconds=10)
    retried = automation.runs()[-1]
    assert retried["outcome"] == "succeeded"
    assert [s["status"] for s in retried["steps"]] == ["already done", "done"]
    assert len(lab.crm.contacts()) == 1 and len(lab.mailer.inbox(to="ada@example.com")) == 1


def test_a_duplicate_delivery_does_the_work_once(lab: Lab) -> None:
    automation = welcome_new_leads().install(lab)
    lab.crm.outbox.knobs(duplicates=1.0)
    lab.crm.submit_form(name="Ada", email="ada@example.com")
    lab.settle()
    lab.advance(minutes=5)
    assert [r["outcome"] for r in automation.runs()] == ["succeeded", "duplicate"]
    assert len(lab.crm.contacts()) == 1 and len(lab.mailer.inbox(to="ada@example.com")) == 1


def test_a_forged_delivery_is_refused_and_reported(lab: Lab) -> None:
    automation = welcome_new_leads().install(lab)
    forged = requests.post(
        automation.url,
        json={"id": "evt_fake", "type": "form.submitted", "data": {"email": "eve@example.com"}},
        headers={"webhook-id": "evt_fake", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"},
        timeout=5,
    )
    assert forged.status_code == 400
    [run] = automation.runs()
    assert run["outcome"] == "rejected" and "signature" in run["error"]
    assert lab.crm.contacts() == [] and lab.mailer.inbox(kind="email") == []
    assert "signature check" in lab.mailer.alerts(to="ops@example.com")[0]["body"]


def test_uninstall_removes_the_subscription(lab: Lab) -> None:
    automation = welcome_new_leads().install(lab)
    with pytest.raises(RuntimeError, match="already installed"):
        automation.install(lab)
    automation.uninstall()
    assert lab.crm.endpoints() == [] and not automation.installed
    lab.crm.submit_form(name="Ada", email="ada@example.com")
    lab.settle()
    assert lab.crm.contacts() == [] and automation.runs() == []


def test_runs_repeat_exactly_with_the_same_seed() -> None:
    logs = []
    for _ in range(2):
        with Lab(seed=9, systems=SYSTEMS) as lab:
            automation = welcome_new_leads().install(lab)
            lab.crm.submit_form(name="Ada", email="ada@example.com")
            lab.crm.submit_form(name="No Email")
            lab.settle()
            logs.append((automation.runs(), lab.mailer.inbox()))
    assert logs[0] == logs[1]
