"""Build the wrong-answer notebooks from the table below: `python -m tests.wrong_answers.build`.

Each row is (exercise, slug, edits, step, says, why). A notebook is a copy of
the exercise notebook whose learner cells hold the solution's, with `edits`
applied: (old, new) text replacements, each made in the one learner cell that
holds `old`. So a wrong answer differs from a right one only by its mistake.
`step` is the check step that must fail first and `says` a part of its message
telling the learner what to change; `tests/test_wrong_answers.py` grades them.
Other tables may write notebooks in the same format by hand or by script.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NOTEBOOKS = {
    "ex00_first_payment": "00_first_payment",
    "ex01_first_automation": "01_first_automation",
    "ex01_formula": "01_formula",
    "ex02_poll_or_push": "02_poll_or_push",
    "ex02_poller": "02_poller",
    "ex03_signatures": "03_signatures",
    "ex03_trust": "03_trust",
    "ex04_log": "04_read_the_log",
    "ex04_backoff": "04_reliable_webhook_handling",
    "ex04_retrying_client": "04_reliable_webhook_handling",
    "ex04_reliable_handler": "04_reliable_webhook_handling",
    "ex05_alert": "05_case_study_silent_failure",
    "ex05_reconcile": "05_case_study_silent_failure",
    "ex05_chaos": "05_case_study_silent_failure",
    "ex05_alert_rule": "05_case_study_silent_failure",
    "ex05_report": "05_case_study_silent_failure",
    "ex06_design": "06_designing_automations",
    "ex06_map": "06_designing_automations",
    "ex06_runbook": "06_runbook",
    "ex06_start_simple": "06_start_simple",
}

#: An edit whose old text starts with this replaces the whole learner cell holding the rest.
WHOLE_CELL = "cell:"
TIMESTAMP_POLLER = '''def poll_new_events(base_url, api_key, cursor):
    """Return (every event created after `cursor`, oldest first; the new cursor)."""
    since = {"created[gt]": cursor} if cursor is not None else {}
    page = list_events(base_url, api_key, **since)
    events = page["data"]
    while page["has_more"]:
        page = list_events(base_url, api_key, starting_after=events[-1]["id"], **since)
        events = events + page["data"]
    events.reverse()  # oldest first
    if events:
        cursor = events[-1]["created"]  # the newest event's time: everything after it is new
    return events, cursor
'''
PAY = 'lab.payments.pay(customer["id"], 2000, metadata={"plan": "pro"})'
ACCOUNT = 'return lab.provisioning.account_for(customer["id"])'
CUSTOMERS_ACTIVATIONS = 'any(activation["event"] == event["id"] for activation in done.json()["data"])'
CHAOS_DEDUPE = 'any(a["event"] in (event["id"], payment["id"]) for a in done.json()["data"])'
BACKOFF_WAIT = "backoff_wait = wait_exponential_jitter(initial=1, max=60)"
RETRY_ON = "retry_if_exception_type((requests.Timeout, requests.ConnectionError))"
ALERT_SEND = """lab.mailer.send(ON_CALL, f"{len(failed)} webhook deliveries failed",
                        f"Last error: {failed[-1]['error']}\\nEvents affected: {', '.join(events)}", kind="alert")"""

RUNBOOK_SEES = "Their payment goes through, but they cannot log in: no account was opened"
RUNBOOK_ALERT = '        "An email to Dana within 15 minutes of the first failed delivery (the alert)",\n'
RUNBOOK_NIGHTLY = '        "The nightly check at 02:00 that compares payments with accounts (the reconciliation)",\n'
RUNBOOK_WHY = """        "A customer who pays for a plan gets their account at once, even at night or on a weekend; without it"
        " someone would open each account by hand and the customer would wait.\""""
RUNBOOK_WHY_STEP = "says why it exists: who pays, what they get, and that nobody waits for a person"

# (exercise, slug, edits, step, says, why)
TABLE: list[tuple[str, str, list[tuple[str, str]], str, str, str]] = [
    # -- ex00 ------------------------------------------------------------------------------------------
    (
        "ex00_first_payment",
        "pays-twice",
        [(PAY, 'lab.payments.pay(customer["id"], 500)\n    ' + PAY)],
        "she pays 2000 cents, once",
        "charged more than once",
        "Charges a test payment before the real one, so Ada pays twice.",
    ),
    (
        "ex00_first_payment",
        "activates-by-hand-too",
        [(ACCOUNT, 'lab.provisioning.activate(customer["id"], plan="pro", event_id="evt_by_hand")\n    ' + ACCOUNT)],
        "the account was opened once, by the payment's webhook",
        "activated directly",
        "Opens the account by hand as well as paying, so the action no longer comes from the trigger.",
    ),
    (
        "ex00_first_payment",
        "forgets-the-plan",
        [(', metadata={"plan": "pro"}', "")],
        "she gets the pro plan",
        "her plan is 'basic'",
        "Pays without saying what for, so provisioning opens a basic account.",
    ),
    (
        "ex00_first_payment",
        "a-tenth-of-the-price",
        [("2000", "200")],
        "she pays 2000 cents, once",
        "her payments were [200] cents",
        "Drops a zero: two dollars instead of twenty.",
    ),
    (
        "ex00_first_payment",
        "returns-the-payment",
        [(PAY, "payment = " + PAY), (ACCOUNT, "return payment")],
        "returns her account from provisioning",
        "first_payment returned",
        "Returns the payment it made instead of the account the payment opened.",
    ),
    (
        "ex00_first_payment",
        "pays-for-someone-else",
        [
            (
                PAY,
                'grace = lab.payments.create_customer("grace@example.com")\n    '
                'lab.payments.pay(grace["id"], 2000, metadata={"plan": "pro"})',
            )
        ],
        "Ada pays through the payment system",
        "no successful payment from Ada",
        "Makes a second customer pay instead of Ada.",
    ),
    (
        "ex00_first_payment",
        "pays-in-dollars",
        [("2000", "20")],
        "",
        "your code raised PaymentsError",
        "Writes twenty dollars as 20, which the payment system refuses (its minimum is 50 cents): a crash, not a verdict.",
    ),
    # -- ex01_first_automation ---------------------------------------------------------------------------
    (
        "ex01_first_automation",
        "hard-coded-amount",
        [
            ('"Your receipt: {data.object.amount} cents"', '"Your receipt for 2000 cents"'),
            ("your payment of {data.object.amount} cents ({data.object.currency})", "your payment"),
        ],
        "every receipt says its own payment's amount",
        "an amount typed into the text",
        "Types the example's amount into the subject instead of the event's field.",
    ),
    (
        "ex01_first_automation",
        "invoice-trigger",
        [('when="payment_intent.succeeded"', 'when="invoice.paid"')],
        "the trigger is payment_intent.succeeded",
        "the trigger is 'invoice.paid'",
        "Picks the subscription invoice's event, which a one-off payment never sends.",
    ),
    (
        "ex01_first_automation",
        "no-alert",
        [('    alert="ops@example.com",\n', "")],
        "ops@example.com is alerted if it fails",
        "alert is None",
        "Leaves out who hears about a failure.",
    ),
    (
        "ex01_first_automation",
        "alert-typo",
        [('alert="ops@example.com"', 'alert="ops@example.org"')],
        "ops@example.com is alerted if it fails",
        "alert is 'ops@example.org'",
        "Alerts an address nobody reads.",
    ),
    (
        "ex01_first_automation",
        "source-is-the-mailer",
        [('source="payments"', 'source="mailer"')],
        "the source system is the payment system",
        "source is 'mailer'",
        "Names where the action happens as the source of the trigger.",
    ),
    (
        "ex01_first_automation",
        "no-amount",
        [
            ('"Your receipt: {data.object.amount} cents"', '"Your receipt"'),
            ("your payment of {data.object.amount} cents ({data.object.currency})", "your payment"),
        ],
        "the receipt says how much was paid",
        "does not mention the amount",
        "Sends a receipt that never says how much.",
    ),
    (
        "ex01_first_automation",
        "invoice-email-field",
        [('"data.object.receipt_email"', '"data.object.customer_email"')],
        "validate() finds no problems",
        "customer_email",
        "Copies the invoice's address field, which a payment does not carry.",
    ),
    (
        "ex01_first_automation",
        "cents-as-dollars",
        [
            ('"Your receipt: {data.object.amount} cents"', '"Your receipt: ${data.object.amount}.00"'),
            (
                "your payment of {data.object.amount} cents ({data.object.currency})",
                "your payment of ${data.object.amount}.00",
            ),
        ],
        "the receipt gives the amount in cents, as the event carries it, not as dollars",
        "the customer sees $2,000 where they paid $20.00",
        "Prints the amount in cents as if it were dollars: $2000.00 for a twenty-dollar payment.",
    ),
    (
        "ex01_first_automation",
        "amount-in-usd",
        [
            (
                '"Your receipt: {data.object.amount} cents"',
                '"Your receipt: {data.object.amount} {data.object.currency}"',
            ),
            ("your payment of {data.object.amount} cents ({data.object.currency})", "your payment"),
        ],
        "the receipt gives the amount in cents, as the event carries it, not as dollars",
        "reads '2000 usd'",
        "Puts the currency code beside the amount, so 2000 cents read as 2000 dollars.",
    ),
    (
        "ex01_first_automation",
        "bare-number",
        [
            ('"Your receipt: {data.object.amount} cents"', '"Your receipt: {data.object.amount}"'),
            ("your payment of {data.object.amount} cents ({data.object.currency})", "your payment"),
        ],
        "the receipt gives the amount in cents, as the event carries it, not as dollars",
        "the bare number 2000 with no unit",
        "Shows the amount without a unit, so the customer cannot tell cents from dollars.",
    ),
    (
        "ex01_first_automation",
        "to-the-customer-id",
        [('"data.object.receipt_email"', '"data.object.customer"')],
        "a paying customer gets one receipt email",
        "got 0 emails after paying",
        "Sends the receipt to the customer's id (cus_...), which is not an address.",
    ),
    # -- ex01_formula -------------------------------------------------------------------------------------
    (
        "ex01_formula",
        "cancellation-trigger",
        [('"charge.refunded"', '"customer.subscription.deleted"')],
        "the trigger is a refund (charge.refunded)",
        "the trigger is customer.subscription.deleted",
        "Reads 'gets their money back' as a cancellation.",
    ),
    (
        "ex01_formula",
        "source-is-the-crm",
        [('"source": "payments"', '"source": "crm"')],
        "the source is the payment system",
        "that is where the action happens",
        "Swaps where it happens with where the to-do goes.",
    ),
    (
        "ex01_formula",
        "an-email-not-a-task",
        [('"create_task"', '"send_email"')],
        "the action creates a task (a to-do for a person)",
        "the action is send_email",
        "Emails the customer instead of putting a to-do in the CRM.",
    ),
    (
        "ex01_formula",
        "destination-mailer",
        [('"destination": "crm"', '"destination": "mailer"')],
        "the destination is the CRM",
        "the destination is mailer",
        "Names the mailer as where the to-do lives.",
    ),
    (
        "ex01_formula",
        "amount-not-refunded",
        [('"data.object.amount_refunded"', '"data.object.amount"')],
        "the data says who it is and how much was refunded",
        "a refund does not carry data.object.amount",
        "Uses the payment's amount field, which a refund does not carry.",
    ),
    (
        "ex01_formula",
        "who-only",
        [(', "data.object.amount_refunded"]', "]")],
        "the data says who it is and how much was refunded",
        "it needs the customer and the amount refunded",
        "Leaves out how much was refunded.",
    ),
    (
        "ex01_formula",
        "alerts-billing",
        [('"lin@example.com"', '"billing@example.com"')],
        "lin@example.com is alerted if it fails",
        "the alert goes to billing@example.com",
        "Alerts a team mailbox instead of Lin, who asked.",
    ),
    # -- ex02_poll_or_push ---------------------------------------------------------------------------------
    (
        "ex02_poll_or_push",
        "median-in-hours",
        [("median_delay_3h_minutes = 72", "median_delay_3h_minutes = 1.2")],
        "you read how long half the payments waited with polling every 3 hours, in minutes",
        "that is in hours",
        "Copies the table's hours without turning them into minutes.",
    ),
    (
        "ex02_poll_or_push",
        "wrong-row",
        [("requests_hourly = 24", "requests_hourly = 8")],
        "you read how many requests hourly polling made",
        "(8 is the poll 3 h line)",
        "Reads the poll 3 h line.",
    ),
    (
        "ex02_poll_or_push",
        "webhooks-counted-per-event",
        [("webhook_requests = 24", "webhook_requests = 96")],
        "you read how many requests the webhooks made",
        "the table's webhooks line says 24",
        "Remembers notebook 02's all-events race instead of reading this table.",
    ),
    (
        "ex02_poll_or_push",
        "polls-for-fast-access",
        [('case_1 = "webhooks"', 'case_1 = "polling"')],
        "case 1 (access within a minute): webhooks",
        "you chose 'polling'",
        "Polls where the customer was promised access within a minute.",
    ),
    (
        "ex02_poll_or_push",
        "reason-too-short",
        [
            (
                "A webhook arrives the moment the customer pays, while even hourly polling makes half of them wait half an hour.",
                "Webhooks are better.",
            )
        ],
        "case 1: the reason says why",
        "reason_1 has 3 words",
        "Gives a verdict instead of a reason.",
    ),
    (
        "ex02_poll_or_push",
        "trusts-webhooks-to-report-misses",
        [('case_3 = "polling"', 'case_3 = "webhooks"')],
        "case 3 (a nightly check that no payment was missed): polling",
        "you chose 'webhooks'",
        "Expects webhooks to report the webhooks that never arrived.",
    ),
    (
        "ex02_poll_or_push",
        "vague-reason",
        [
            (
                "The tool cannot receive webhooks, and a report once a day only needs one poll each morning.",
                "I just think polling is the right choice here for this.",
            )
        ],
        "case 2: the reason says why",
        "reason_2 does not say what leaves polling as the way",
        "Gives a reason that names no need.",
    ),
    # -- ex02_poller ------------------------------------------------------------------------------------
    (
        "ex02_poller",
        "newest-first",
        [("        events.reverse()  # oldest first\n", "")],
        "with no cursor, returns all 120 events so far, oldest first",
        "not oldest first",
        "Hands the first poll's events on in the API's order, newest first.",
    ),
    (
        "ex02_poller",
        "first-page-only",
        [
            (
                '        while page["has_more"]:\n            page = list_events(base_url, api_key, starting_after=events[-1]["id"])\n'
                '            events = events + page["data"]\n',
                "",
            )
        ],
        "with no cursor, returns all 120 events so far, oldest first",
        "it stopped after 1 page while",
        "Reads one page of history and ignores has_more.",
    ),
    (
        "ex02_poller",
        "one-page-per-poll",
        [('            if not page["has_more"]:\n                break', "            break")],
        "a burst of 240 events in one second (three pages) arrives whole",
        "missed",
        "Follows the cursor but asks for only one page, so a burst loses its tail.",
    ),
    (
        "ex02_poller",
        "keeps-the-old-cursor",
        [('    if events:\n        cursor = events[-1]["id"]\n', "")],
        "when nothing happened, returns no events",
        "returned",
        "Never moves the cursor on past the first poll.",
    ),
    (
        "ex02_poller",
        "starting-after-the-cursor",
        [
            (
                "list_events(base_url, api_key, ending_before=cursor)",
                "list_events(base_url, api_key, starting_after=cursor)",
            )
        ],
        "when nothing happened, returns no events",
        "returned",
        "Asks for the events before the cursor (older ones) instead of after it.",
    ),
    (
        "ex02_poller",
        "timestamp-cursor",
        [(WHOLE_CELL + "def poll_new_events", TIMESTAMP_POLLER)],
        "a burst of 240 events in one second (three pages) arrives whole",
        "missed",
        "Uses the newest event's time as the cursor, so events in that same second are skipped.",
    ),
    (
        "ex02_poller",
        "ten-pages-at-most",
        [
            (
                '        while page["has_more"]:\n            page = list_events(base_url, api_key, starting_after=events[-1]["id"])\n'
                '            events = events + page["data"]\n',
                '        for _ in range(9):  # ten pages is plenty\n            if not page["has_more"]:\n                break\n'
                '            page = list_events(base_url, api_key, starting_after=events[-1]["id"])\n'
                '            events = events + page["data"]\n',
            )
        ],
        "a first poll of a long history (1106 events, 12 pages) reads it all, oldest first",
        "it stopped after 10 pages while `has_more` was still true",
        "Caps the first poll at ten pages, so a long history loses its oldest events.",
    ),
    (
        "ex02_poller",
        "cursor-is-the-oldest",
        [('    if events:\n        cursor = events[-1]["id"]\n', '    if events:\n        cursor = events[0]["id"]\n')],
        "when nothing happened, returns no events",
        "returned",
        "Keeps the oldest event of the poll as the cursor, so the next poll hands the rest back again.",
    ),
    # -- ex03_signatures -----------------------------------------------------------------------------------
    (
        "ex03_signatures",
        "compares-with-equals",
        [("any(hmac.compare_digest(expected, signature) for signature in signatures)", "expected in signatures")],
        "compares signatures in constant time (hmac.compare_digest)",
        "compared some other way",
        "Compares with ==, which leaks timing.",
    ),
    (
        "ex03_signatures",
        "first-v1-only",
        [
            (
                "any(hmac.compare_digest(expected, signature) for signature in signatures)",
                "hmac.compare_digest(expected, signatures[0])",
            )
        ],
        "accepts two v1 signatures when the second is right (secret rotation)",
        "returned False",
        "Checks only the first v1, so a secret rotation locks genuine webhooks out.",
    ),
    (
        "ex03_signatures",
        "no-tolerance",
        [("    return abs(time.time() - int(timestamp)) <= TOLERANCE", "    return True")],
        "rejects a genuine webhook replayed ten minutes later",
        "returned True",
        "Never looks at the timestamp, so a captured webhook replays forever.",
    ),
    (
        "ex03_signatures",
        "old-side-only",
        [("abs(time.time() - int(timestamp)) <= TOLERANCE", "time.time() - int(timestamp) <= TOLERANCE")],
        "rejects a timestamp ten minutes in the future",
        "returned True",
        "Refuses old timestamps but not future ones.",
    ),
    (
        "ex03_signatures",
        "ten-minute-tolerance",
        [("abs(time.time() - int(timestamp)) <= TOLERANCE", "abs(time.time() - int(timestamp)) <= 600")],
        "rejects one signed 5 min 10 s ago (just past the tolerance)",
        "returned True",
        "Allows ten minutes instead of five.",
    ),
    (
        "ex03_signatures",
        "t-must-come-first",
        [
            (
                '    for part in header.split(","):',
                '    if not header.startswith("t="):\n        return False\n    for part in header.split(","):',
            )
        ],
        "accepts a header whose parts come in another order (v1 before t)",
        "returned False",
        "Expects t= at the start of the header.",
    ),
    (
        "ex03_signatures",
        "crashes-without-a-header",
        [("    if not header:\n        return False\n", "")],
        "rejects a missing header (empty or None) without raising",
        "raised AttributeError",
        "Splits the header before checking there is one.",
    ),
    (
        "ex03_signatures",
        "header-as-a-dict",
        [
            (
                WHOLE_CELL + "def verify_signature",
                '''def verify_signature(payload, header, secret):
    """True if `header` (Stripe-Signature) proves `payload` came from the holder of `secret`, recently."""
    if not header:
        return False
    parts = dict(part.partition("=")[::2] for part in header.split(","))
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not timestamp.isdigit() or not signature:
        return False
    signed = timestamp.encode() + b"." + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return False
    return abs(time.time() - int(timestamp)) <= TOLERANCE
''',
            )
        ],
        "accepts two v1 signatures when the first is right and the last is not (secret rotation)",
        "returned False",
        "Reads the header into a dict, so of several v1 values only the last survives a secret rotation.",
    ),
    (
        "ex03_signatures",
        "secret-without-prefix",
        [("hmac.new(secret.encode(),", 'hmac.new(secret.removeprefix("whsec_").encode(),')],
        "accepts real deliveries from the payment system",
        "were accepted",
        "Strips whsec_ from the secret before using it as the key, which the sender never does.",
    ),
    (
        "ex03_signatures",
        "any-v-scheme",
        [('        elif key == "v1":', '        elif key.startswith("v"):')],
        "rejects a header with only a v0 signature (another scheme)",
        "returned True",
        "Takes every v-something value for a signature, so a v0 (another scheme) is trusted.",
    ),
    # -- ex04_backoff -----------------------------------------------------------------------------------
    (
        "ex04_backoff",
        "grows-linearly",
        [("FIRST_WAIT * 2 ** (attempt - 1)", "FIRST_WAIT * attempt")],
        "doubles the wait after each failure",
        "grew",
        "Adds FIRST_WAIT each time instead of doubling.",
    ),
    (
        "ex04_backoff",
        "no-cap",
        [("min(LONGEST_WAIT, FIRST_WAIT * 2 ** (attempt - 1))", "FIRST_WAIT * 2 ** (attempt - 1)")],
        "stops growing at LONGEST_WAIT (3600 s)",
        "after the 20th failure",
        "Never caps the wait.",
    ),
    (
        "ex04_backoff",
        "caps-after-jitter",
        [
            (
                "    wait = min(LONGEST_WAIT, FIRST_WAIT * 2 ** (attempt - 1))\n    return wait * rng.uniform(0.5, 1.5)",
                "    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** (attempt - 1) * rng.uniform(0.5, 1.5))",
            )
        ],
        "keeps spreading retries out after the cap",
        "every wait was between",
        "Caps after the jitter, so every capped client comes back at the same second.",
    ),
    (
        "ex04_backoff",
        "global-random",
        [("rng.uniform(0.5, 1.5)", "random.uniform(0.5, 1.5)")],
        "draws its jitter from the rng it is given",
        "different waits",
        "Uses the global random source, not rng.",
    ),
    (
        "ex04_backoff",
        "no-jitter",
        [("    return wait * rng.uniform(0.5, 1.5)", "    return wait")],
        "spreads retries out at random (jitter)",
        "after the 3rd failure it waited between",
        "Leaves out the jitter.",
    ),
    (
        "ex04_backoff",
        "off-by-one",
        [("2 ** (attempt - 1)", "2 ** attempt")],
        "waits about FIRST_WAIT (10 s) after the first failure",
        "the typical first wait was",
        "Doubles once too often: the first wait is already twice FIRST_WAIT.",
    ),
    (
        "ex04_backoff",
        "additive-jitter",
        [("wait * rng.uniform(0.5, 1.5)", "wait + rng.uniform(-30, 30)")],
        "never waits a negative time",
        "it returned -",
        "Adds jitter in seconds, which can go below zero.",
    ),
    (
        "ex04_backoff",
        "full-jitter",
        [("rng.uniform(0.5, 1.5)", "rng.uniform(0, 1)")],
        "stretches or shrinks each wait between ×0.5 and ×1.5",
        "from ×0.00 to ×1.00",
        "Uses 'full jitter' (anywhere from nothing to the wait) instead of the range asked.",
    ),
    (
        "ex04_backoff",
        "narrow-jitter",
        [("rng.uniform(0.5, 1.5)", "rng.uniform(0.9, 1.1)")],
        "stretches or shrinks each wait between ×0.5 and ×1.5",
        "from ×0.90 to ×1.10",
        "Jitters by ten percent either way, too little to spread clients that failed together.",
    ),
    (
        "ex04_backoff",
        "jitter-half-to-double",
        [("rng.uniform(0.5, 1.5)", "rng.uniform(0.5, 2)")],
        "stretches or shrinks each wait between ×0.5 and ×1.5",
        "to ×2.00",
        "Stretches up to twice the wait, past what the task allows.",
    ),
    # -- ex04_retrying_client ------------------------------------------------------------------------------
    (
        "ex04_retrying_client",
        "fixed-thirty-seconds",
        [
            ("        wait=wait,\n", "        wait=wait_fixed(30),\n"),
            ("def post_with_retries(", "from tenacity import wait_fixed\n\n\ndef post_with_retries("),
        ],
        "waits at least as long as a 429's Retry-After asks",
        "after Retry-After: 90",
        "Waits a fixed 30 seconds and never reads Retry-After.",
    ),
    (
        "ex04_retrying_client",
        "fixed-wait-with-retry-after",
        [
            (BACKOFF_WAIT, "backoff_wait = wait_fixed(2)"),
            ("def post_with_retries(", "from tenacity import wait_fixed\n\n\ndef post_with_retries("),
        ],
        "waits longer after each failure (backoff), not the same time",
        "between its tries it waited",
        "Honours Retry-After but waits the same two seconds after every other failure.",
    ),
    (
        "ex04_retrying_client",
        "timeouts-only",
        [(RETRY_ON, "retry_if_exception_type(requests.Timeout)")],
        "retries a refused connection (the server is restarting)",
        "it raised ConnectionError",
        "Retries timeouts but not refused connections.",
    ),
    (
        "ex04_retrying_client",
        "no-timeout",
        [("json=payload, timeout=5, allow_redirects=False", "json=payload, allow_redirects=False")],
        "gives the request a timeout",
        "without timeout=",
        "Sends a request that may wait forever.",
    ),
    (
        "ex04_retrying_client",
        "retries-every-error",
        [("response.status_code >= 500 or response.status_code == 429", "response.status_code >= 400")],
        "does not retry a 400, 401 or 404, and raises",
        "for a 400",
        "Retries answers that will never change.",
    ),
    (
        "ex04_retrying_client",
        "follows-redirects",
        [(", allow_redirects=False)", ")")],
        "treats a redirect as a failure: raises, never follows it",
        "followed the redirect",
        "Lets requests follow a redirect to another address.",
    ),
    (
        "ex04_retrying_client",
        "never-gives-up",
        [("stop_after_attempt(5)", "stop_after_attempt(100)")],
        "gives up after a few tries, and raises",
        "after 100 call(s)",
        "Keeps retrying a server that is down.",
    ),
    (
        "ex04_retrying_client",
        "calls-time-sleep",
        [("        sleep=sleep,\n", "")],
        "waits with the `sleep` it is given, never `time.sleep`",
        "it called time.sleep(",
        "Leaves tenacity on its own real sleep, so a test waits for real instead of recording the waits.",
    ),
    (
        "ex04_retrying_client",
        "never-raises",
        [
            (
                '    if not 200 <= response.status_code < 300:\n        raise requests.HTTPError(f"{url} answered {response.status_code}", response=response)\n',
                "",
            )
        ],
        "treats a redirect as a failure: raises, never follows it",
        "it returned 302",
        "Returns whatever came back last, so the caller cannot tell a failure from a success.",
    ),
    (
        "ex04_retrying_client",
        "stops-after-one-try",
        [("stop=stop_after_attempt(5),", "stop=stop_after_attempt(1),")],
        "retries 500 and 502, waiting before each try, and returns the success",
        "it raised HTTPError after 1 call(s)",
        "Counts the first try as the only attempt (stop_after_attempt(1)), so nothing is ever retried.",
    ),
    (
        "ex04_retrying_client",
        "form-encoded",
        [("requests.post, url, json=payload,", "requests.post, url, data=payload,")],
        "POSTs the payload as JSON (a JSON body, Content-Type: application/json)",
        "it sent a web form",
        "Posts the payload as a web form (data=) instead of JSON.",
    ),
    (
        "ex04_retrying_client",
        "json-text-without-a-type",
        [
            ("requests.post, url, json=payload,", "requests.post, url, data=json.dumps(payload),"),
            ("    backoff_wait =", "    import json\n\n    backoff_wait ="),
        ],
        "POSTs the payload as JSON (a JSON body, Content-Type: application/json)",
        "sent JSON text with Content-Type 'missing'",
        "Writes the JSON text itself with data=, so no header says it is JSON.",
    ),
    # -- ex04_reliable_handler -------------------------------------------------------------------------------
    (
        "ex04_reliable_handler",
        "forgets-the-plan",
        [
            (
                'json={"customer": customer, "plan": plan, "event": event["id"]}',
                'json={"customer": customer, "event": event["id"]}',
            )
        ],
        "gives each customer the plan they paid for",
        "and got 'basic'",
        "Leaves the plan out of the activation, so everyone silently gets basic.",
    ),
    (
        "ex04_reliable_handler",
        "dedupes-per-customer",
        [(CUSTOMERS_ACTIVATIONS, 'done.json()["data"]')],
        "activates a customer again when they buy a second time",
        "taken for a duplicate",
        "Skips any customer with an activation, which blocks a second purchase.",
    ),
    (
        "ex04_reliable_handler",
        "swallows-errors",
        [
            (
                "    answer.raise_for_status()",
                "    try:\n        answer.raise_for_status()\n    except requests.HTTPError:\n        return",
            ),
            (
                "    done = requests.get(",
                "    try:\n        requests.get(provisioning_url, timeout=1)\n    except requests.RequestException:\n"
                "        return  # provisioning is down: nothing to do\n    done = requests.get(",
            ),
        ],
        "activates each customer once provisioning is back",
        "activations per customer: [0, 0]",
        "Returns quietly when provisioning is down, so the queue thinks the work is done.",
    ),
    (
        "ex04_reliable_handler",
        "queues-declined-cards",
        [
            (
                '    if event.get("type") == "payment_intent.succeeded":\n        queue.put(event, key=event["id"])',
                '    queue.put(event, key=event["id"])',
            )
        ],
        "activates only customers whose payment succeeded",
        "although the card was declined",
        "Queues every event type, so declined cards get accounts.",
    ),
    (
        "ex04_reliable_handler",
        "no-check-before-activating",
        [
            (
                '    if any(activation["event"] == event["id"] for activation in done.json()["data"]):\n'
                "        return  # provisioning did it already (and perhaps crashed before saying so)\n",
                "",
            )
        ],
        "activates no one twice (duplicates, crashes after the work)",
        "times for one payment",
        "Trusts the door's `seen` set alone, so a crash after the work activates twice.",
    ),
    (
        "ex04_reliable_handler",
        "ignores-error-answers",
        [("    answer.raise_for_status()", "    return answer")],
        "loses no paid customer under 10 seeded storms",
        "finished without an error",
        "Never raises on a 5xx, so the queue marks failed work done.",
    ),
    (
        "ex04_reliable_handler",
        "ignores-seen",
        [
            (
                '    if event["id"] in seen:\n        return 200  # a duplicate delivery: already queued\n    seen.add(event["id"])\n',
                "",
            )
        ],
        "remembers each event id it has seen (`seen`)",
        "`seen` holds 0 of the",
        "Leaves `seen` alone and counts on the queue's key to drop duplicates.",
    ),
    (
        "ex04_reliable_handler",
        "refuses-ignored-events",
        [
            (
                '    if event.get("type") == "payment_intent.succeeded":\n        queue.put(event, key=event["id"])\n    return 200',
                '    if event.get("type") != "payment_intent.succeeded":\n        return 400  # not an event we handle\n'
                '    queue.put(event, key=event["id"])\n    return 200',
            )
        ],
        "acknowledges (2xx) an event it does not act on: a declined card's payment_intent.payment_failed",
        "your receiver answered [400] to payment_intent.payment_failed",
        "Answers 400 to events it does not handle, so the sender keeps resending them.",
    ),
    (
        "ex04_reliable_handler",
        "conflict-for-duplicates",
        [
            (
                "        return 200  # a duplicate delivery: already queued",
                "        return 409  # a duplicate delivery: already queued",
            )
        ],
        "acknowledges (2xx) a duplicate delivery of an event it already has",
        "your receiver answered [409, 409] to events it had seen before",
        "Answers 409 Conflict to a duplicate, which the sender takes for a failure and resends.",
    ),
    (
        "ex04_reliable_handler",
        "no-timeout",
        [(", timeout=5)", ")")],
        "gives every call to provisioning a timeout (timeout=5)",
        "`activate` sent GET /activations and POST /accounts/activate with no timeout=",
        "Calls provisioning without a timeout, so one hung answer stops the queue.",
    ),
    (
        "ex04_reliable_handler",
        "lookup-without-timeout",
        [('params={"customer": customer}, timeout=5)', 'params={"customer": customer})')],
        "gives every call to provisioning a timeout (timeout=5)",
        "`activate` sent GET /activations with no timeout=",
        "Gives the activation a timeout but not the look-up before it.",
    ),
    # -- ex05_alert -----------------------------------------------------------------------------------
    (
        "ex05_alert",
        "always-sends",
        [
            ("    if failed:\n        events", "    if True:\n        events"),
            ("{failed[-1]['error']}", "{failed[-1]['error'] if failed else 'none'}"),
        ],
        "stays quiet when every delivery succeeded",
        "although no delivery failed",
        "Sends a report even when all is well.",
    ),
    (
        "ex05_alert",
        "one-email-per-failure",
        [
            (
                ALERT_SEND,
                'for attempt in failed:\n            lab.mailer.send(ON_CALL, "A webhook delivery failed", '
                'attempt["event_id"], kind="alert")',
            )
        ],
        "sends one email per look, not one per failure",
        "emails for",
        "Emails once per failed attempt.",
    ),
    (
        "ex05_alert",
        "ordinary-email",
        [(', kind="alert")', ")")],
        'marks it as an alert (kind="alert")',
        "kind='email'",
        "Sends the alert as an ordinary email.",
    ),
    (
        "ex05_alert",
        "says-nothing-useful",
        [
            (
                ALERT_SEND,
                'lab.mailer.send(ON_CALL, "Webhook deliveries failed", "Deliveries failed in the last 15 minutes,'
                ' check the dashboard.", kind="alert")',
            )
        ],
        "says what failed: how many, and which events",
        "names neither",
        "Says something failed but not what, so the person must go digging.",
    ),
    (
        "ex05_alert",
        "ignores-since",
        [(' and attempt["at"] > since', "")],
        "says what failed: how many, and which events",
        "does not say how many attempts failed",
        "Reports every failure ever, at every look.",
    ),
    (
        "ex05_alert",
        "counts-events",
        [("    return len(failed)", '    return len({a["event_id"] for a in failed})')],
        "returns the number of failed attempts it found",
        "the log shows",
        "Counts events instead of failed attempts.",
    ),
    (
        "ex05_alert",
        "alerts-a-list",
        [("lab.mailer.send(ON_CALL,", 'lab.mailer.send("ops-all@example.com",')],
        "emails dana.ops@example.com when deliveries fail (before the sender gives up)",
        "no email reached",
        "Sends to a team list instead of the named person.",
    ),
    # -- ex05_reconcile ---------------------------------------------------------------------------------
    (
        "ex05_reconcile",
        "everyone-basic",
        [
            (
                '"customer": customer, "plan": payment["metadata"].get("plan", "basic")',
                '"customer": customer, "plan": "basic"',
            )
        ],
        "gives them the plan they paid for (metadata['plan'])",
        "instead of 'pro'",
        "Repairs with the default plan instead of the one paid for.",
    ),
    (
        "ex05_reconcile",
        "one-repair-per-payment",
        [
            (
                "    for customer, payment in standing.items():\n        if customer not in active",
                '    for payment in lab.payments.payments(status="succeeded", refunded=False):\n'
                '        customer = payment["customer"]\n        if customer not in active',
            )
        ],
        "activates a customer who paid twice exactly once",
        "activated 2 times",
        "Walks payments instead of customers, so a customer who paid twice is activated twice.",
    ),
    (
        "ex05_reconcile",
        "activates-everyone",
        [("if customer not in active and post(", "if post(")],
        "leaves a customer who already has access alone",
        "was activated 2 times",
        "Activates every paying customer, including those who already have access.",
    ),
    (
        "ex05_reconcile",
        "counts-refunded-money",
        [
            (
                '    for payment in lab.payments.payments(status="succeeded", refunded=False):\n        standing',
                '    for payment in lab.payments.payments(status="succeeded"):\n        standing',
            )
        ],
        "does not activate a refunded payment",
        "the customer with a refunded payment got an account",
        "Counts refunded payments as money that stayed paid.",
    ),
    (
        "ex05_reconcile",
        "one-way-only",
        [('            post(lab, "deactivate", {"customer": customer, "event": payment["id"]})', "            pass")],
        "takes access away from a refunded customer who still had it",
        "looks one way only",
        "Repairs missing accounts but never takes access away.",
    ),
    (
        "ex05_reconcile",
        "returns-nothing",
        [("    return repaired", "    return None")],
        "returns the ids of the customers it activated",
        "it returned None",
        "Repairs silently, with no report.",
    ),
    (
        "ex05_reconcile",
        "crashes-when-provisioning-is-down",
        [
            (
                '    try:\n        return requests.post(f"{lab.provisioning.url}/accounts/{action}", json=body, timeout=5).ok\n'
                "    except requests.RequestException:\n        return False",
                '    return requests.post(f"{lab.provisioning.url}/accounts/{action}", json=body, timeout=5).ok',
            )
        ],
        "skips a customer when provisioning cannot be reached (tomorrow's run tries again)",
        "reconcile raised ConnectionError",
        "Lets one unreachable request end the whole night's run.",
    ),
    (
        "ex05_alert",
        "count-only",
        [("\\nEvents affected: {', '.join(events)}", "")],
        "says what failed: how many, and which events",
        "of the",
        "Says how many failed but not which events, so the person cannot look them up.",
    ),
    # -- ex05_chaos -------------------------------------------------------------------------------------
    (
        "ex05_chaos",
        "no-retries",
        [('RETRY_POLICY = "stripe"', 'RETRY_POLICY = "none"')],
        "every paying customer has access within 12 h of the outage that caught them",
        "the sender tried their webhook once (RETRY_POLICY = 'none')",
        "Leaves retries off, so only the nightly repair gets customers in.",
    ),
    (
        "ex05_chaos",
        "trusts-every-webhook",
        [
            (
                '    try:\n        verify_stripe(request.body, request.headers.get("Stripe-Signature", ""), secret)\n'
                "    except SignatureError:\n        return 400  # not from the payment system: refuse it, and do nothing\n",
                "",
            )
        ],
        "a forged webhook (signed with the wrong secret) is refused with a 4xx",
        "verify the Stripe-Signature",
        "Never verifies the signature, so anyone can post a payment.",
    ),
    (
        "ex05_chaos",
        "dedupes-per-customer",
        [(CHAOS_DEDUPE, 'done.json()["data"]')],
        "a customer who pays again is activated again",
        "activated only once",
        "Skips any customer who has an activation, so a second purchase is lost.",
    ),
    (
        "ex05_chaos",
        "answers-200-on-failure",
        [
            ("    return 200 if answer.ok else 503", "    return 200"),
            (
                "    except requests.RequestException:\n        return 503\n    return 200",
                "    except requests.RequestException:\n        return 200\n    return 200",
            ),
        ],
        "every paying customer has access within 12 h of the outage that caught them",
        "although they were not activated, so the sender stopped retrying",
        "Answers 200 when the work failed, so the sender never retries.",
    ),
    (
        "ex05_chaos",
        "unknown-policy",
        [('RETRY_POLICY = "stripe"', 'RETRY_POLICY = "daily"')],
        "RETRY_POLICY is a schedule the sender knows",
        "was refused",
        "Names a retry schedule the sender does not have.",
    ),
    (
        "ex05_chaos",
        "no-duplicate-check",
        [
            (
                "        if " + CHAOS_DEDUPE + ":\n"
                "            return 200  # this payment was handled already: a duplicate, a late retry, or the reconciliation\n",
                "",
            )
        ],
        "nobody is activated twice for one payment",
        "activated more than once",
        "Activates on every delivery, duplicates and late retries included.",
    ),
    (
        "ex05_chaos",
        "alerts-only-when-the-sender-gives-up",
        [('attempt["outcome"] == "failed"', 'attempt["outcome"] == "dead"')],
        "every outage raised an alert to the named person",
        "got no alert",
        "Waits for the sender to give up before telling anyone, which takes days.",
    ),
    # -- ex05_alert_rule ---------------------------------------------------------------------------------
    (
        "ex05_alert_rule",
        "a-team-not-a-person",
        [('"who": "dana.ops@example.com"', '"who": "the ops team"')],
        "names one person by email address",
        "is not an email address: write one person's address",
        "Names a team, which is nobody in particular.",
    ),
    (
        "ex05_alert_rule",
        "two-people",
        [('"who": "dana.ops@example.com"', '"who": "dana.ops@example.com, lee@example.com"')],
        "names one person by email address",
        "names 2 addresses: name one person",
        "Names two people, so each can think the other will act.",
    ),
    (
        "ex05_alert_rule",
        "waits-for-the-sender",
        [('"when": "first failure"', '"when": "sender gives up"')],
        "someone hears within 15 min of the first failed delivery",
        "nobody heard",
        "Waits for the sender to give up, which with retries takes days.",
    ),
    (
        "ex05_alert_rule",
        "reminds-every-look",
        [('"remind every": "2 h"', '"remind every": "15 min"')],
        "sends at most 6 emails about one six-hour outage",
        "alert fatigue",
        "Reminds at every look: alert fatigue.",
    ),
    (
        "ex05_alert_rule",
        "no-all-clear",
        [('"all clear": True', '"all clear": False')],
        "says when it is over (an all-clear)",
        "quiet inbox",
        "Never says the outage is over.",
    ),
    (
        "ex05_alert_rule",
        "remind-often",
        [('"remind every": "2 h"', '"remind every": "often"')],
        "says how often to remind (such as '2 h', or 'never')",
        "write a time",
        "Writes a word the rule cannot time.",
    ),
    (
        "ex05_alert_rule",
        "asap",
        [('"when": "first failure"', '"when": "asap"')],
        "says when the first email goes ('first failure' or 'sender gives up')",
        "'when' is 'asap'",
        "Writes its own word instead of one of the two choices.",
    ),
    # -- ex05_report --------------------------------------------------------------------------------------
    (
        "ex05_report",
        "first-report-only",
        [('"Zoe Silva", "Luis Adeyemi", "Ibrahim Varga", "Uma Bauer", "Noah Tanaka"', '"Zoe Silva", "Luis Adeyemi"')],
        "GIVEN_ACCESS names the 5 customers who paid and had no account",
        "there is one report a night",
        "Reads only the first night's report.",
    ),
    (
        "ex05_report",
        "lists-swapped",
        [
            (
                'GIVEN_ACCESS = ["Zoe Silva", "Luis Adeyemi", "Ibrahim Varga", "Uma Bauer", "Noah Tanaka"]\n'
                'ACCESS_REMOVED = ["Sam Haddad", "Omar Rossi", "Sofia Xu", "Lena Jensen"]',
                'GIVEN_ACCESS = ["Sam Haddad", "Omar Rossi", "Sofia Xu", "Lena Jensen"]\n'
                'ACCESS_REMOVED = ["Zoe Silva", "Luis Adeyemi", "Ibrahim Varga", "Uma Bauer", "Noah Tanaka"]',
            )
        ],
        "GIVEN_ACCESS names the 5 customers who paid and had no account",
        "the reports do not put in this list",
        "Puts each name in the other list.",
    ),
    (
        "ex05_report",
        "misspelt-name",
        [('"Zoe Silva"', '"Zoe Silvia"')],
        "every name is a customer in the reports",
        "no customer is called 'zoe silvia'",
        "Copies a name with a typo.",
    ),
    (
        "ex05_report",
        "why-in-one-word",
        [('WHY_REMOVED = ("They were refunded', 'WHY_REMOVED = "bug"\n_ = ("They were refunded')],
        "WHY_REMOVED says in a sentence why they still had access",
        "WHY_REMOVED has 1 word",
        "Answers why in one word.",
    ),
    (
        "ex05_report",
        "one-missing",
        [(', "Lena Jensen"]', "]")],
        "ACCESS_REMOVED names the 4 refunded customers who still had access",
        "you named 3 of them",
        "Misses a name in the later reports.",
    ),
    (
        "ex05_report",
        "why-without-the-refund",
        [
            (
                'WHY_REMOVED = ("They were refunded',
                'WHY_REMOVED = "Provisioning kept their accounts open for some reason."\n_ = ("They were refunded',
            )
        ],
        "WHY_REMOVED says in a sentence why they still had access",
        "does not say what these customers did after paying",
        "Explains without naming what these customers did: they were refunded.",
    ),
    # -- ex06_design -------------------------------------------------------------------------------------
    (
        "ex06_design",
        "description-x",
        [
            (
                'description="Every lead from the website\'s contact form lands in the CRM and hears from us at once."',
                'description="x"',
            )
        ],
        "NEW_LEAD explains why it exists (description=...)",
        "too short",
        "Leaves a placeholder for the documentation.",
    ),
    (
        "ex06_design",
        "no-welcome-email",
        [
            (
                '        Step("send_email", "mailer", using={"to": "data.email", "subject": "Welcome, {data.name|there}!",\n'
                '                                            "body": "Thanks for getting in touch. We will reply within one working day.",\n'
                '                                            "tags": ["welcome"]}),\n',
                "",
            )
        ],
        "the lead gets one welcome email",
        "received 0 emails",
        "Creates the contact and never welcomes the lead.",
    ),
    (
        "ex06_design",
        "task-names-nobody",
        [
            ('"title": "Retention call: {data.object.customer} cancelled"', '"title": "Retention call"'),
            ('"notes": "Subscription {data.object.id} was cancelled.', '"notes": "A subscription was cancelled.'),
        ],
        "the task says which customer cancelled",
        "do not name the customer",
        "Writes a task that says nothing of whom to call.",
    ),
    (
        "ex06_design",
        "wrong-cancellation-trigger",
        [('when="customer.subscription.deleted"', 'when="invoice.payment_failed"')],
        "CANCELLATION is ready (validate() finds no problems)",
        "the payment system sends no 'invoice.payment_failed' event",
        "Starts the retention call on a failed invoice, an event the payment system does not send.",
    ),
    (
        "ex06_design",
        "subscription-created-trigger",
        [('when="customer.subscription.deleted"', 'when="customer.subscription.created"')],
        "CANCELLATION starts on customer.subscription.deleted in the payment system",
        "this flow starts on 'customer.subscription.deleted'",
        "Starts the retention call when a subscription begins, so every new customer gets a cancellation call.",
    ),
    (
        "ex06_design",
        "welcome-to-the-company",
        [('using={"to": "data.email", "subject"', 'using={"to": "data.company", "subject"')],
        "the lead gets one welcome email",
        "ada@example.com received 0 emails",
        "Addresses the welcome email to the lead's company name instead of their email.",
    ),
    (
        "ex06_design",
        "nobody-alerted",
        [('    alert="marketing.ops@example.com",\n', "")],
        "NEW_LEAD is ready (validate() finds no problems)",
        "no one is alerted",
        "Names nobody to hear about a failure.",
    ),
    (
        "ex06_design",
        "welcomes-twice",
        [
            (
                '        Step("create_contact", "crm", using={"email": "data.email", "name": "data.name", "company": "data.company"}),\n',
                '        Step("create_contact", "crm", using={"email": "data.email", "name": "data.name", "company": "data.company"}),\n'
                '        Step("send_email", "mailer", using={"to": "data.email", "subject": "Hello!", "body": "Thanks for writing."}),\n',
            )
        ],
        "the lead gets one welcome email",
        "received 2 emails",
        "Sends a second welcome from a step added for testing.",
    ),
    (
        "ex06_design",
        "emails-instead-of-a-task",
        [
            (
                'then=[Step("create_task", "crm", using={\n        "title": "Retention call: {data.object.customer} cancelled",\n'
                '        "notes": "Subscription {data.object.id} was cancelled. Call within two days and ask what would bring them back.",\n    })],',
                'then=[Step("send_email", "mailer", using={"to": "success.lead@example.com",\n'
                '        "subject": "Call {data.object.customer}", "body": "They cancelled."})],',
            )
        ],
        "a cancellation creates one retention task in the CRM",
        "found 0 tasks",
        "Emails a person instead of putting the call in the CRM.",
    ),
    # -- ex06_map ---------------------------------------------------------------------------------------
    (
        "ex06_map",
        "no-retries",
        [('RETRY_POLICY = "stripe"', 'RETRY_POLICY = "none"')],
        "chooses a retry policy that tries again ('stripe' or 'standard')",
        "nobody calls that customer",
        "Chooses no retries for an event that happens once.",
    ),
    (
        "ex06_map",
        "the-team",
        [('"Who is told?": "success.lead@example.com"', '"Who is told?": "the success team"')],
        "names one person to tell, by email address",
        "is not an email address: write one person's address",
        "Names a team instead of one person.",
    ),
    (
        "ex06_map",
        "wrong-event",
        [('"customer.subscription.deleted in the payment system"', '"invoice.paid in the payment system"')],
        "starts on a cancelled subscription in the payment system",
        "the flow starts on",
        "Starts on a paid invoice.",
    ),
    (
        "ex06_map",
        "failure-just-logged",
        [('"answer 503 so the payment system retries later"', '"write it to the log"')],
        "a failing step is tried again (the sender retries)",
        "does not say that the cancellation is tried again",
        "Logs a failed step and never tries again.",
    ),
    (
        "ex06_map",
        "data-without-the-customer",
        [('"the customer who cancelled (data.object.customer)"', '"their name and email address"')],
        "needs the customer (who cancelled)",
        "not their name",
        "Asks for data the cancellation does not carry, and not for who cancelled.",
    ),
    (
        "ex06_map",
        "why-in-three-words",
        [
            (
                'RETRY_WHY = ("A cancellation happens once',
                'RETRY_WHY = "just in case"\n_ = ("A cancellation happens once',
            )
        ],
        "says why, in a sentence or two",
        "RETRY_WHY has 3 words",
        "Gives no reason for the retries.",
    ),
    (
        "ex06_map",
        "the-mailer-acts",
        [('"the CRM creates a task for customer success"', '"the mailer sends customer success an email"')],
        "the CRM creates the retention task",
        "which system creates the task",
        "Names the mailer as the system that acts.",
    ),
    # -- ex06_runbook ------------------------------------------------------------------------------------
    (
        "ex06_runbook",
        "team-mailbox",
        [('"owner": "Dana (operations), dana.ops@example.com"', '"owner": "The operations team, ops@example.com"')],
        "names one owner: a person, not a team or a system",
        "a team mailbox is read by everyone",
        "Names the operations team's shared mailbox as the owner, so nobody in particular answers for it.",
    ),
    (
        "ex06_runbook",
        "card-declined",
        [(RUNBOOK_SEES, "Their card is declined at checkout")],
        "says what the customer sees: paid, and no account",
        "the payment succeeded",
        "Thinks the failure shows at checkout, when the customer paid and then could not get in.",
    ),
    (
        "ex06_runbook",
        "alert-only",
        [(RUNBOOK_NIGHTLY, "")],
        "knows of a missed activation from the nightly check",
        "only the nightly comparison of payments with accounts finds",
        "Trusts the alert alone: a payment whose news never arrived would go unnoticed.",
    ),
    (
        "ex06_runbook",
        "nightly-only",
        [(RUNBOOK_ALERT, "")],
        "knows of a failed delivery from the alert to Dana",
        "without the alert",
        "Relies on the nightly check alone, so a failure at 09:00 is found the next night.",
    ),
    (
        "ex06_runbook",
        "complaint-is-the-alarm",
        [(RUNBOOK_NIGHTLY, RUNBOOK_NIGHTLY + '        "A customer writes to support",\n')],
        "trusts nothing that cannot see the failure",
        "a complaint is how the case study found out",
        "Counts a customer's complaint as a way of knowing it works.",
    ),
    (
        "ex06_runbook",
        "why-without-the-wait",
        [(RUNBOOK_WHY, '        "So that customers who pay for a plan get their account."')],
        RUNBOOK_WHY_STEP,
        "does not say that nobody has to wait for a person",
        "Says what it does but not what it spares anyone: no waiting, no one opening accounts by hand.",
    ),
    (
        "ex06_runbook",
        "why-repeats-the-question",
        [(RUNBOOK_WHY, '        "Without it, it would go wrong."')],
        RUNBOOK_WHY_STEP,
        "repeats the question",
        "Answers the question with the question's own words.",
    ),
    (
        "ex06_runbook",
        "undated-change",
        [('"2026-11-30: added', '"Recently: added')],
        "dates the last change and says what changed",
        "has no date",
        "Writes what changed but not when: 'recently' means nothing six months later.",
    ),
]


def learner_cells(document: dict) -> list[dict]:
    """The cells a learner edits, in order (tags `exercise` or `exercise:<id>`)."""
    return [
        cell
        for cell in document["cells"]
        if cell["cell_type"] == "code"
        and any(tag == "exercise" or tag.startswith("exercise:") for tag in cell.get("metadata", {}).get("tags", []))
    ]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def build(exercise: str, slug: str, edits: list[tuple[str, str]], step: str, says: str, why: str) -> Path:
    """Write one wrong-answer notebook and return its path."""
    name = NOTEBOOKS[exercise]
    document = json.loads((ROOT / "exercises" / f"{name}.ipynb").read_text(encoding="utf-8"))
    solution = json.loads((ROOT / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8"))
    mine, right = learner_cells(document), learner_cells(solution)
    assert len(mine) == len(right), f"{name}: the exercise and solution notebooks differ in learner cells"
    texts = [source(cell) for cell in right]
    for old, new in edits:
        whole = old.startswith(WHOLE_CELL)
        old = old.removeprefix(WHOLE_CELL)
        holders = [i for i, text in enumerate(texts) if old in text]
        assert len(holders) == 1, f"{exercise}/{slug}: {old!r} is in {len(holders)} learner cells, not one"
        texts[holders[0]] = new if whole else texts[holders[0]].replace(old, new)
    assert texts != [source(cell) for cell in right], f"{exercise}/{slug} changes nothing"
    for cell, text in zip(mine, texts, strict=True):
        cell["source"] = text.splitlines(keepends=True)
    for cell in document["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    document["metadata"]["hooklab_wrong_answer"] = {"exercise": exercise, "step": step, "says": says, "why": why}
    path = HERE / exercise / f"{slug}.ipynb"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main() -> None:
    for row in TABLE:
        build(*row)
    print(f"wrote {len(TABLE)} wrong-answer notebooks under {HERE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
