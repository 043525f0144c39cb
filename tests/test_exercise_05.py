"""Exercise 05 both ways: its checks pass on the solution, and fail on the stub and on known wrong answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulators.course.checking import check
from simulators.course.checking.notebook import Cell, notebook_namespace, read_cells, run_cells

ROOT = Path(__file__).resolve().parent.parent
NAME = "05_case_study_silent_failure.ipynb"
SOLUTION = ROOT / "solutions" / NAME
EXERCISE = ROOT / "exercises" / NAME


def solved(exercise_id: str, *replacements: str) -> dict[str, Any]:
    """The solution's namespace, with extra learner code run after it (a wrong answer)."""
    ns = notebook_namespace(SOLUTION, exercise_id)
    for number, source in enumerate(replacements, start=100):
        run_cells([Cell(number, source, ("exercise",))], ns)
    return ns


def names_problem(result: Any, problem: str) -> bool:
    """The verdict's message or one of its failed steps names the problem."""
    return problem in result.message or any(problem in step.name and not step.ok for step in result.steps)


# -- the solution passes ------------------------------------------------------------


@pytest.mark.parametrize(
    "exercise_id", ["ex05_alert_rule", "ex05_report", "ex05_alert", "ex05_reconcile", "ex05_chaos"]
)
def test_the_solution_passes(exercise_id: str) -> None:
    result = check(exercise_id, solved(exercise_id))
    assert result.ok, str(result)


# -- the untouched stubs fail -----------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "stub"),
    [
        ("ex05_alert", "alert_on_failures"),
        ("ex05_reconcile", "reconcile"),
        ("ex05_chaos", "alert_on_failures"),
    ],
)
def test_the_untouched_stub_fails_and_is_called_a_stub(exercise_id: str, stub: str) -> None:
    result = check(exercise_id, notebook_namespace(EXERCISE, exercise_id))
    assert not result.ok
    assert result.message.startswith(f"`{stub}` is still the stub"), result.message


# -- known wrong answers ---------------------------------------------------------------

ALERT_ON_GIVE_UP = """
def alert_on_failures(lab, endpoint_id, since):
    gave_up = lab.payments.outbox.deliveries(endpoint_id=endpoint_id, status="failed")
    if gave_up:
        lab.mailer.send(ON_CALL, f"{len(gave_up)} deliveries failed", "see the log", kind="alert")
    return len(gave_up)
"""

ALERT_PER_FAILURE = """
def alert_on_failures(lab, endpoint_id, since):
    failed = [a for a in lab.payments.outbox.attempts(endpoint_id=endpoint_id) if a["outcome"] == "failed" and a["at"] > since]
    for attempt in failed:
        lab.mailer.send(ON_CALL, f"delivery of {attempt['event_id']} failed", attempt["error"], kind="alert")
    return len(failed)
"""

ALERT_ALWAYS = """
def alert_on_failures(lab, endpoint_id, since):
    failed = [a for a in lab.payments.outbox.attempts(endpoint_id=endpoint_id) if a["outcome"] == "failed" and a["at"] > since]
    lab.mailer.send(ON_CALL, f"{len(failed)} deliveries failed", "daily digest", kind="alert")
    return len(failed)
"""

ALERT_IGNORES_SINCE = """
def alert_on_failures(lab, endpoint_id, since):
    failed = [a for a in lab.payments.outbox.attempts(endpoint_id=endpoint_id) if a["outcome"] == "failed"]
    if failed:
        lab.mailer.send(ON_CALL, f"{len(failed)} deliveries failed", "see the log", kind="alert")
    return len(failed)
"""

ALERT_AS_EMAIL = ALERT_IGNORES_SINCE.replace(
    'if a["outcome"] == "failed"]', 'if a["outcome"] == "failed" and a["at"] > since]'
).replace('kind="alert"', 'kind="email"')


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        (ALERT_ON_GIVE_UP, "emails dana.ops@example.com when deliveries fail (before the sender gives up)"),
        (ALERT_PER_FAILURE, "sends one email per look, not one per failure"),
        (ALERT_ALWAYS, "stays quiet when every delivery succeeded"),
        (ALERT_IGNORES_SINCE, "does not repeat failures from before `since`"),
        (ALERT_AS_EMAIL, 'marks it as an alert (kind="alert")'),
        ('ON_CALL = "the ops team"', "ON_CALL must be the email address"),
    ],
    ids=["waits-for-give-up", "one-per-failure", "always", "ignores-since", "plain-email", "no-person"],
)
def test_wrong_alert_rules_fail_naming_the_problem(wrong: str, problem: str) -> None:
    result = check("ex05_alert", solved("ex05_alert", wrong))
    assert not result.ok
    assert names_problem(result, problem), str(result)
    assert result.hints


RECONCILE_EVERY_PAYMENT = """
def reconcile(lab):
    repaired = []
    for payment in lab.payments.payments(status="succeeded", refunded=False):
        lab.provisioning.activate(payment["customer"], plan=payment["metadata"]["plan"])
        repaired.append(payment["customer"])
    return repaired
"""


def _solution_reconcile_source() -> str:
    return next(cell.source for cell in read_cells(SOLUTION) if "def reconcile" in cell.source)


RESEND_FAILED = """
def reconcile(lab):
    resent = lab.payments.recover_failed(since=0)
    lab.settle()
    return resent
"""


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('status="succeeded", refunded=False', "status=None"), "does not activate a declined card"),
        (('status="succeeded", refunded=False', 'status="succeeded"'), "does not activate a refunded payment"),
        (None, "activates a customer who paid twice exactly once"),
        ("resend", "does not activate a refunded payment"),
    ],
    ids=["any-status", "keeps-refunds", "every-payment", "resends-failed-webhooks"],
)
def test_wrong_reconciliations_fail_naming_the_problem(change: Any, problem: str) -> None:
    if change is None:
        wrong = RECONCILE_EVERY_PAYMENT
    elif change == "resend":
        wrong = RESEND_FAILED
    else:
        wrong = _solution_reconcile_source().replace(*change)
    result = check("ex05_reconcile", solved("ex05_reconcile", wrong))
    assert not result.ok
    assert names_problem(result, problem), str(result)


NAIVE_RECEIVER = """
RETRY_POLICY = "none"

def receive(request, lab, secret):
    event = request.json
    if event["type"] == "payment_intent.succeeded":
        payment = event["data"]["object"]
        requests.post(lab.provisioning.url + "/accounts/activate", timeout=5, json={
            "customer": payment["customer"], "plan": payment["metadata"].get("plan", "basic"), "event": event["id"]})
    return 200
"""

NO_DEDUPE_RECEIVER = """
def receive(request, lab, secret):
    event = request.json
    if event["type"] != "payment_intent.succeeded":
        return 200
    payment = event["data"]["object"]
    try:
        done = requests.post(lab.provisioning.url + "/accounts/activate", timeout=5, json={
            "customer": payment["customer"], "plan": payment["metadata"].get("plan", "basic"), "event": event["id"]})
    except requests.RequestException:
        return 503
    return 200 if done.ok else 503
"""

PYTHON_API_RECEIVER = """
def receive(request, lab, secret):
    event = request.json
    if event["type"] == "payment_intent.succeeded":
        payment = event["data"]["object"]
        if lab.provisioning.account_for(payment["customer"]) is None:
            lab.provisioning.activate(payment["customer"], plan=payment["metadata"].get("plan", "basic"))
    return 200
"""


def _solution_receive_source() -> str:
    return next(cell.source for cell in read_cells(SOLUTION) if "def receive" in cell.source)


UNVERIFIED = ('verify_stripe(request.body, request.headers.get("Stripe-Signature", ""), secret)', "pass  # trusts all")
PER_CUSTOMER = (
    'if any(a["event"] in (event["id"], payment["id"]) for a in done.json()["data"]):',
    'if done.json()["data"]:',
)


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        (NAIVE_RECEIVER, "got no alert"),
        (NO_DEDUPE_RECEIVER, "activated more than once"),
        (PYTHON_API_RECEIVER, "got no alert"),
        (ALERT_ON_GIVE_UP, "got no alert"),
        (UNVERIFIED, "a forged webhook"),
        (PER_CUSTOMER, "activated only once"),
        ('RETRY_POLICY = "none"', "after the outage for access"),
        ("def receive(request, lab):\n    return 200\n", "receive raised TypeError"),
    ],
    ids=[
        "naive-receiver",
        "no-dedupe",
        "python-api",
        "alert-on-give-up",
        "unverified",
        "per-customer",
        "no-retries",
        "old-signature",
    ],
)
def test_wrong_integrations_fail_the_chaos_check_naming_the_seed(wrong: Any, problem: str) -> None:
    if isinstance(wrong, tuple):
        source = _solution_receive_source()
        assert wrong[0] in source
        wrong = source.replace(*wrong)
    result = check("ex05_chaos", solved("ex05_chaos", wrong))
    assert not result.ok
    # Every clause is its own step, judged on the first schedule that went wrong: the problem is among them.
    assert "seed " in result.message and problem in str(result), str(result)
    assert result.hints


# -- the core path: an alert rule as a spec, a report read back ------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "problem"),
    [("ex05_alert_rule", "all four answers are still empty"), ("ex05_report", "are still empty")],
)
def test_the_untouched_core_exercises_fail_saying_what_to_fill_in(exercise_id: str, problem: str) -> None:
    result = check(exercise_id, notebook_namespace(EXERCISE, exercise_id))
    assert not result.ok
    assert names_problem(result, problem), str(result)
    assert result.hints


def _rule(**answers: Any) -> str:
    rule = {"who": "dana.ops@example.com", "when": "first failure", "remind every": "2 h", "all clear": True}
    rule.update(answers)
    return f"ALERT_RULE = {rule!r}"


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        (_rule(who="the ops team"), "names one person by email address"),
        (_rule(who="dana@example.com, sam@example.com"), "names one person by email address"),
        (_rule(when="sender gives up"), "someone hears within 15 min"),
        (_rule(**{"remind every": "15 min"}), "sends at most 6 emails"),
        (_rule(**{"remind every": "sometimes"}), "says how often to remind"),
        (_rule(**{"all clear": False}), "says when it is over"),
    ],
    ids=["a-team", "two-people", "waits-for-give-up", "every-look", "vague", "no-all-clear"],
)
def test_wrong_alert_specs_fail_naming_the_problem(wrong: str, problem: str) -> None:
    result = check("ex05_alert_rule", solved("ex05_alert_rule", wrong))
    assert not result.ok
    assert names_problem(result, problem), str(result)
    assert result.hints


LOST = '["Zoe Silva", "Luis Adeyemi", "Ibrahim Varga", "Uma Bauer", "Noah Tanaka"]'
REFUNDED = '["Sam Haddad", "Omar Rossi", "Sofia Xu", "Lena Jensen"]'


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        (f"GIVEN_ACCESS = {REFUNDED}\nACCESS_REMOVED = {LOST}", "GIVEN_ACCESS names the 5"),
        ('ACCESS_REMOVED = ["Lena Jensen"]', "ACCESS_REMOVED names the 4"),
        ("ACCESS_REMOVED = []", "ACCESS_REMOVED names the 4"),
        ('GIVEN_ACCESS = ["Zoe Silva", "Ada Lovelace"]', "every name is a customer"),
        ('WHY_REMOVED = "a bug"', "WHY_REMOVED says in a sentence"),
    ],
    ids=["swapped", "only-the-outage-night", "one-way", "invented-name", "no-why"],
)
def test_wrong_readings_of_the_report_fail_naming_the_problem(wrong: str, problem: str) -> None:
    result = check("ex05_report", solved("ex05_report", wrong))
    assert not result.ok
    assert names_problem(result, problem), str(result)


def test_the_report_may_be_answered_with_email_addresses_in_any_case() -> None:
    answer = 'ACCESS_REMOVED = ["SAM.HADDAD.34@example.com", "omar rossi", "Sofia Xu", "lena.jensen.96@example.com"]'
    result = check("ex05_report", solved("ex05_report", answer))
    assert result.ok, str(result)


REVOKES_NOBODY = """
def reconcile(lab):
    active = {a["customer"] for a in lab.provisioning.accounts(status="active")}
    repaired = []
    for payment in lab.payments.payments(status="succeeded", refunded=False):
        if payment["customer"] not in active and payment["customer"] not in repaired:
            post(lab, "activate", {"customer": payment["customer"], "plan": payment["metadata"]["plan"],
                                   "event": payment["id"]})
            repaired.append(payment["customer"])
    return repaired
"""


def test_a_one_way_reconciliation_fails_naming_the_refund_it_missed() -> None:
    result = check("ex05_reconcile", solved("ex05_reconcile", REVOKES_NOBODY))
    assert not result.ok
    assert names_problem(result, "takes access away from a refunded customer"), str(result)
