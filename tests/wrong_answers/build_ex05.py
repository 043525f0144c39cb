"""More wrong answers for exercise 05's developer checks: `python -m tests.wrong_answers.build_ex05`.

The same format as build.py (each row is exercise, slug, edits on the solution's learner cells, the
step that must fail first, a part of its message, why), kept apart so its rows can grow without
touching the other exercises' table. Kinds a review found passing (an alert that ignores which
endpoint failed; a reconciliation that accepts any account, revokes despite another payment, or reports
repairs that failed) and others met in practice.
"""

from __future__ import annotations

from tests.wrong_answers.build import CHAOS_DEDUPE, HERE, ROOT, WHOLE_CELL, build

ACTIVE = 'active = {account["customer"] for account in lab.provisioning.accounts(status="active")}'
REPAIR = """        if customer not in active and post(lab, "activate", {
                "customer": customer, "plan": payment["metadata"].get("plan", "basic"), "event": payment["id"]}):
            repaired.append(customer)"""
ACTIVATE_FIRST = '''RETRY_POLICY = "stripe"


def receive(request, lab, secret):
    """Activate first (customers hate waiting), then check who sent it."""
    event = request.json
    if event["type"] != "payment_intent.succeeded":
        return 200
    payment = event["data"]["object"]
    try:
        done = requests.get(lab.provisioning.url + "/activations", timeout=2, params={"customer": payment["customer"]})
        if not done.ok:
            return 503
        if not any(a["event"] in (event["id"], payment["id"]) for a in done.json()["data"]):
            answer = requests.post(lab.provisioning.url + "/accounts/activate", timeout=2, json={
                "customer": payment["customer"], "plan": payment["metadata"].get("plan", "basic"), "event": event["id"]})
            if not answer.ok:
                return 503
    except requests.RequestException:
        return 503
    try:
        verify_stripe(request.body, request.headers.get("Stripe-Signature", ""), secret)
    except SignatureError:
        return 400
    return 200
'''

TABLE = [
    # -- ex05_alert ---------------------------------------------------------------------------------------
    (
        "ex05_alert",
        "ignores-the-endpoint",
        [("lab.payments.outbox.attempts(endpoint_id=endpoint_id)", "lab.payments.outbox.attempts()")],
        "looks only at deliveries to its own endpoint (endpoint_id)",
        "only another endpoint's deliveries failed",
        "Reads every endpoint's attempts, so another team's outage pages this person.",
    ),
    (
        "ex05_alert",
        "status-codes-only",
        [('attempt["outcome"] == "failed"', '(attempt["status"] or 200) >= 500')],
        "emails dana.ops@example.com when deliveries fail (before the sender gives up)",
        "have no HTTP status",
        "Counts only 5xx answers, so an endpoint that cannot be reached at all never raises an alert.",
    ),
    # -- ex05_reconcile -----------------------------------------------------------------------------------
    (
        "ex05_reconcile",
        "accepts-any-account",
        [(ACTIVE, 'active = {account["customer"] for account in lab.provisioning.accounts()}')],
        "activates a customer who paid again after their account was closed",
        "an account that exists may be closed",
        "Treats any account as access, so a customer whose account was closed and who paid again stays locked out.",
    ),
    (
        "ex05_reconcile",
        "asks-if-an-account-exists",
        [
            (
                "        if customer not in active and post(",
                "        if lab.provisioning.account_for(customer) is None and post(",
            )
        ],
        "activates a customer who paid again after their account was closed",
        "only accounts(status='active') count",
        "Asks whether the customer has an account at all, not whether it is active.",
    ),
    (
        "ex05_reconcile",
        "revokes-despite-another-payment",
        [("        if customer in active and customer not in standing:", "        if customer in active:")],
        "leaves access to a refunded customer whose other payment stands",
        "still pays for another",
        "Takes access from anyone with a refund, although another of their payments stands.",
    ),
    (
        "ex05_reconcile",
        "reports-failed-repairs",
        [
            (
                REPAIR,
                """        if customer not in active:
            post(lab, "activate", {
                "customer": customer, "plan": payment["metadata"].get("plan", "basic"), "event": payment["id"]})
            repaired.append(customer)""",
            )
        ],
        "reports only the repairs that worked",
        "yet it reported",
        "Lists every customer it tried to repair, also when provisioning could not be reached.",
    ),
    # -- ex05_chaos ---------------------------------------------------------------------------------------
    (
        "ex05_chaos",
        "retry-delays-in-minutes",
        [('RETRY_POLICY = "stripe"', "RETRY_POLICY = [1, 5, 30, 120]  # minutes")],
        "every paying customer has access within 12 h of the outage that caught them",
        "its delays are seconds",
        "Writes the retry delays in minutes; the sender reads seconds, so it gives up within three minutes.",
    ),
    (
        "ex05_chaos",
        "activates-before-verifying",
        [(WHOLE_CELL + 'RETRY_POLICY = "stripe"', ACTIVATE_FIRST)],
        "nobody is activated without paying",
        "the forged webhook activated its customer",
        "Does the work first and checks the signature after, so a forger's webhook activates an account.",
    ),
    (
        "ex05_chaos",
        "activates-on-a-declined-card",
        [
            (
                '    if event["type"] != "payment_intent.succeeded":',
                '    if not event["type"].startswith("payment_intent."):',
            )
        ],
        "nobody is activated without paying",
        "their card was declined",
        "Activates on every payment event, a declined card's payment_failed included.",
    ),
    (
        "ex05_chaos",
        "dedupes-on-the-event-only",
        [(CHAOS_DEDUPE, 'any(a["event"] == event["id"] for a in done.json()["data"])')],
        "nobody is activated twice for one payment",
        "activated more than once",
        "Looks only for this event's activation, so a late retry activates again after the nightly repair.",
    ),
]


def main() -> None:
    for row in TABLE:
        build(*row)
    print(f"wrote {len(TABLE)} wrong-answer notebooks under {HERE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
