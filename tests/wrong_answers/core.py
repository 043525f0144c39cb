"""Core-track wrong answers, as a non-programmer who half understood writes them: `python -m tests.wrong_answers.core`.

Rows as in `build.py` (exercise, slug, edits, step, says, why), written with its `build`. These are the kinds that
passed before the checks judged meaning: a sentence that restates the question, a long vague one, the wrong reason
holding a listed word; a payment in another currency; two people, or a team's mailbox, as "one person"; data the
event never carries; and a slip of units the feedback did not name.
"""

from __future__ import annotations

from tests.wrong_answers.build import build

PAY = 'lab.payments.pay(customer["id"], 2000, metadata={"plan": "pro"})'
REASON_1 = (
    'reason_1 = "A webhook arrives the moment the customer pays, while even hourly polling makes half of them wait'
    ' half an hour."'
)
REASON_2 = 'reason_2 = "The tool cannot receive webhooks, and a report once a day only needs one poll each morning."'
REASON_3 = (
    'reason_3 = "A webhook that never arrived cannot tell you it is missing, so you ask the payment system and'
    ' compare."'
)
WHY_TOO_OLD = "WHY_TOO_OLD = (\n"
WHY_REMOVED = 'WHY_REMOVED = ("They were refunded'
RETRY_WHY = 'RETRY_WHY = ("A cancellation happens once'
WHY_SMALL = "WHY_SMALL = (\n"
DOCUMENTATION = "DOCUMENTATION = (\n"


# (exercise, slug, edits, step, says, why)
TABLE: list[tuple[str, str, list[tuple[str, str]], str, str, str]] = [
    # -- ex00 ------------------------------------------------------------------------------------------------
    (
        "ex00_first_payment",
        "pays-in-euros",
        [(PAY, 'lab.payments.pay(customer["id"], 2000, currency="eur", metadata={"plan": "pro"})')],
        "she pays in dollars (usd)",
        "her payment is in EUR",
        "Adds a currency the story never mentions: Ada pays twenty euros, not twenty dollars.",
    ),
    (
        "ex00_first_payment",
        "looks-before-the-webhook",
        [("    lab.settle()\n", "")],
        "waits for the webhook before looking up her account (step 2)",
        "never calls lab.settle()",
        "Skips step 2, so whether the account is there yet depends on how fast the webhook was.",
    ),
    (
        "ex00_first_payment",
        "forgets-to-return",
        [
            (
                '    return lab.provisioning.account_for(customer["id"])',
                '    lab.provisioning.account_for(customer["id"])',
            )
        ],
        "returns her account from provisioning",
        "put return in front of lab.provisioning.account_for",
        "Looks the account up but never hands it back: the function returns None.",
    ),
    # -- ex01_formula ------------------------------------------------------------------------------------------
    (
        "ex01_formula",
        "alerts-lin-and-ops",
        [('"alert": "lin@example.com"', '"alert": "lin@example.com, ops@example.com"')],
        "lin@example.com is alerted if it fails",
        "name her alone",
        "Adds a second person to the alert, so each can think the other will act.",
    ),
    (
        "ex01_formula",
        "who-by-receipt-email",
        [
            (
                '"data.object.customer", "data.object.amount_refunded"',
                '"data.object.receipt_email", "data.object.amount_refunded"',
            )
        ],
        "the data says who it is and how much was refunded",
        "receipt_email may be missing",
        "Names the customer by the receipt email, which a refund may not carry.",
    ),
    # -- ex02_poll_or_push ---------------------------------------------------------------------------------------
    (
        "ex02_poll_or_push",
        "median-read-as-hours-and-minutes",
        [("median_delay_3h_minutes = 72", "median_delay_3h_minutes = 80")],
        "you read how long half the payments waited with polling every 3 hours, in minutes",
        "not 1 h 20 min",
        "Reads 1.2 h as 1 hour 20 minutes.",
    ),
    (
        "ex02_poll_or_push",
        "reason-restates-the-question",
        [(REASON_1, 'reason_1 = "Maya promises every new customer access within a minute of paying."')],
        "case 1: the reason says why",
        "only repeats the question",
        "Copies the case's own words back: they hold 'minute', which once counted as a reason.",
    ),
    (
        "ex02_poll_or_push",
        "reason-long-but-vague",
        [
            (
                REASON_3,
                'reason_3 = "Polling is the better and more dependable choice for this kind of important nightly job."',
            )
        ],
        "case 3: the reason says why",
        "does not say how you find a payment whose webhook never came",
        "Says polling is better without saying what it does that a missing webhook cannot.",
    ),
    (
        "ex02_poll_or_push",
        "reason-is-the-cost",
        [
            (
                REASON_1,
                'reason_1 = "Webhooks are cheaper because they make only one request per payment, not one per poll."',
            )
        ],
        "case 1: the reason says why",
        "cost is not what decides case 1",
        "Gives a true reason that does not decide the case: the promise is about time.",
    ),
    (
        "ex02_poll_or_push",
        "polling-called-faster",
        [
            (
                REASON_2,
                'reason_2 = "Polling is faster than webhooks, so her report gets the payments sooner each morning."',
            )
        ],
        "case 2: the reason says why",
        "polling is not the fast one",
        "Believes polling is the quick way.",
    ),
    # -- ex03_trust ------------------------------------------------------------------------------------------------
    (
        "ex03_trust",
        "why_restates_the_rule",
        [
            (
                WHY_TOO_OLD,
                'WHY_TOO_OLD = "It was signed more than five minutes before it arrived, and the rule says five minutes."\n'
                "_ = (\n",
            )
        ],
        "WHY_TOO_OLD says why an old but well-signed webhook is refused",
        "what someone who copied it could do",
        "States the five-minute rule without the danger it guards against.",
    ),
    (
        "ex03_trust",
        "why_the_secret_changed",
        [
            (
                WHY_TOO_OLD,
                'WHY_TOO_OLD = "The secret may have changed since last week, so we cannot trust that signature again."\n'
                "_ = (\n",
            )
        ],
        "WHY_TOO_OLD says why an old but well-signed webhook is refused",
        "the secret is the right one",
        "Blames the secret (and says 'again', a word that once passed); the fingerprints match.",
    ),
    (
        "ex03_trust",
        "why_the_news_is_stale",
        [
            (
                WHY_TOO_OLD,
                'WHY_TOO_OLD = "Grace may have been refunded since last week, so this old payment news is out of date."\n'
                "_ = (\n",
            )
        ],
        "WHY_TOO_OLD says why an old but well-signed webhook is refused",
        "a genuine payment stays genuine",
        "Thinks old news may be untrue; the danger is a copy sent again.",
    ),
    (
        "ex03_trust",
        "why_the_sender_retries",
        [
            (
                WHY_TOO_OLD,
                'WHY_TOO_OLD = "The payment system will send it again anyway, so we can safely refuse this old one."\n'
                "_ = (\n",
            )
        ],
        "WHY_TOO_OLD says why an old but well-signed webhook is refused",
        "does not send a delivered webhook again",
        "Thinks the sender retries a delivered webhook.",
    ),
    # -- ex04_log --------------------------------------------------------------------------------------------------
    (
        "ex04_log",
        "two_customers",
        [('NEVER_ACTIVATED = "Grace Hopper"', 'NEVER_ACTIVATED = "Grace Hopper and Hedy Lamarr"')],
        "names the customer who paid and never got an account",
        "names 2 customers",
        "Names both customers with no account, though only one of them paid.",
    ),
    (
        "ex04_log",
        "blames_provisioning",
        [('STOPPED_TRYING = "our queue"', 'STOPPED_TRYING = "provisioning"')],
        "says which step stopped trying (our queue)",
        "provisioning was down and tried nothing",
        "Blames the system that was down rather than the step that tried and gave up.",
    ),
    (
        "ex04_log",
        "no_time",
        [
            (
                '["time", "step", "customer", "event id", "what happened", "error"]',
                '["step", "customer", "event id", "what happened", "error"]',
            )
        ],
        "a log line holds the time, step, customer, event id, what happened and the error",
        "you left out 'time'",
        "Leaves out the time, so the steps cannot be put in order.",
    ),
    # -- ex05_alert_rule -----------------------------------------------------------------------------------------
    (
        "ex05_alert_rule",
        "team-mailbox",
        [('"who": "dana.ops@example.com"', '"who": "support@example.com"')],
        "names one person by email address",
        "is a team's mailbox",
        "Names a team's mailbox as the person.",
    ),
    (
        "ex05_alert_rule",
        "two-people-semicolon",
        [('"who": "dana.ops@example.com"', '"who": "dana.ops@example.com;lee.ops@example.com"')],
        "names one person by email address",
        "names 2 addresses",
        "Names two people, joined with a semicolon instead of a comma.",
    ),
    (
        "ex05_alert_rule",
        "remind-every-five-minutes",
        [('"remind every": "2 h"', '"remind every": "5 min"')],
        "says how often to remind (such as '2 h', or 'never')",
        "the watch looks only every 15 min",
        "Asks for reminders more often than the watch looks.",
    ),
    (
        "ex05_alert_rule",
        "remind-without-a-unit",
        [('"remind every": "2 h"', '"remind every": "120"')],
        "says how often to remind (such as '2 h', or 'never')",
        "say the unit too",
        "Writes a number without saying minutes or hours.",
    ),
    (
        "ex05_alert_rule",
        "all-clear-in-quotes",
        [('"all clear": True', '"all clear": "True"')],
        "says whether to send an all-clear (True or False)",
        "without quotes",
        "Writes True in quotes, as text.",
    ),
    # -- ex05_report -------------------------------------------------------------------------------------------
    (
        "ex05_report",
        "why-restates-the-question",
        [
            (
                WHY_REMOVED,
                'WHY_REMOVED = "Those customers still had access because their access was never removed."\n_ = ("They were refunded',
            )
        ],
        "WHY_REMOVED says in a sentence why they still had access",
        "only repeats the question",
        "Answers why with the question turned around.",
    ),
    (
        "ex05_report",
        "why-blames-the-outage",
        [
            (
                WHY_REMOVED,
                'WHY_REMOVED = "They were refunded while provisioning was down, so the refund webhooks were lost."\n'
                '_ = ("They were refunded',
            )
        ],
        "WHY_REMOVED says in a sentence why they still had access",
        "the refunds' webhooks did arrive",
        "Mixes up the two gaps: the outage lost payments, not refunds (and 'refund' once passed on its own).",
    ),
    (
        "ex05_report",
        "why-refund-without-the-handler",
        [
            (
                WHY_REMOVED,
                'WHY_REMOVED = "They asked for a refund from the payment system some days after buying their plan."\n'
                '_ = ("They were refunded',
            )
        ],
        "WHY_REMOVED says in a sentence why they still had access",
        "does not say what provisioning did with the refund",
        "Names the refund but not why a refund left the account open.",
    ),
    (
        "ex05_report",
        "why-they-never-paid",
        [
            (
                WHY_REMOVED,
                'WHY_REMOVED = "Their cards were declined so they never paid, yet provisioning kept them in."\n'
                '_ = ("They were refunded',
            )
        ],
        "WHY_REMOVED says in a sentence why they still had access",
        "these customers did pay",
        "Confuses a refund with a declined card.",
    ),
    # -- ex06_map ---------------------------------------------------------------------------------------------
    (
        "ex06_map",
        "cancelled-in-the-crm",
        [
            (
                '"customer.subscription.deleted in the payment system"',
                '"the customer cancels their subscription in the CRM"',
            )
        ],
        "starts on a cancelled subscription in the payment system",
        "not the CRM",
        "Places the cancellation where the task goes.",
    ),
    (
        "ex06_map",
        "data-not-carried",
        [('"the customer who cancelled (data.object.customer)"', '"the customer\'s name and phone number"')],
        "needs the customer (who cancelled)",
        "not their name",
        "Asks for data the cancellation never carries to the task: it carries the customer's id.",
    ),
    (
        "ex06_map",
        "data-from-the-crm",
        [('"the cancellation webhook from the payment system"', '"from the CRM"')],
        "takes the data from the cancellation event (the payment system's webhook)",
        "the CRM is where the task goes",
        "Names where the task goes as where the data comes from.",
    ),
    (
        "ex06_map",
        "missing-data-emails-the-customer",
        [('"no customer id: stop, create no task, and alert the person"', '"send the customer an email to ask"')],
        "says what happens when the customer is missing (stop and tell someone)",
        "nobody knows whom to email",
        "Emails the customer nobody can name (and 'email' once passed on its own).",
    ),
    (
        "ex06_map",
        "missing-data-task-anyway",
        [
            (
                '"no customer id: stop, create no task, and alert the person"',
                '"create the task anyway and alert the person"',
            )
        ],
        "says what happens when the customer is missing (stop and tell someone)",
        "a task that does not say who cancelled",
        "Makes a call nobody can make.",
    ),
    (
        "ex06_map",
        "failure-answers-400",
        [('"answer 503 so the payment system retries later"', '"answer 400 so the payment system knows it failed"')],
        "a failing step is tried again (the sender retries)",
        "a 4xx answer tells the payment system not to retry",
        "Answers 4xx, which tells the sender to give up.",
    ),
    (
        "ex06_map",
        "team-mailbox",
        [('"Who is told?": "success.lead@example.com"', '"Who is told?": "customer.success@example.com"')],
        "names one person to tell, by email address",
        "is a team's mailbox",
        "Names the customer-success team's mailbox as the one person.",
    ),
    (
        "ex06_map",
        "two-people",
        [
            (
                '"Who is told?": "success.lead@example.com"',
                '"Who is told?": "success.lead@example.com, dana.ops@example.com"',
            )
        ],
        "names one person to tell, by email address",
        "names 2 addresses",
        "Names two people where the map asks for one.",
    ),
    (
        "ex06_map",
        "retry-why-vague",
        [
            (
                RETRY_WHY,
                'RETRY_WHY = "Retries are always a good idea, because things can go wrong sometimes in any system."\n'
                '_ = ("A cancellation happens once',
            )
        ],
        "says why, in a sentence or two",
        "does not say what would be lost without retries",
        "Long enough, and says nothing about this flow (any eight words once passed).",
    ),
    (
        "ex06_map",
        "retry-why-restates-the-question",
        [
            (
                RETRY_WHY,
                'RETRY_WHY = "Because the CRM is down, the payment system cannot deliver the cancellation to it."\n'
                '_ = ("A cancellation happens once',
            )
        ],
        "says why, in a sentence or two",
        "only repeats the question",
        "Restates the situation the question describes.",
    ),
    # -- ex06_start_simple -------------------------------------------------------------------------------------
    (
        "ex06_start_simple",
        "why_restates_the_question",
        [(WHY_SMALL, 'WHY_SMALL = "We start with that small version because it is the small version."\n_ = (\n')],
        "WHY_SMALL says why the small version comes first",
        "only repeats the question",
        "Answers why with the question's own words ('simple' and 'small' once passed).",
    ),
    (
        "ex06_start_simple",
        "why_quicker_to_build",
        [
            (
                WHY_SMALL,
                'WHY_SMALL = "Because it is quicker to build and the customer gets it sooner that way."\n_ = (\n',
            )
        ],
        "WHY_SMALL says why the small version comes first",
        "building it quicker is not the reason",
        "Names speed of building, not what a small version makes easier when it breaks.",
    ),
    (
        "ex06_start_simple",
        "why_long_but_vague",
        [
            (
                WHY_SMALL,
                'WHY_SMALL = "Simple is always better than complicated, and the lesson told us so, so we do it."\n_ = (\n',
            )
        ],
        "WHY_SMALL says why the small version comes first",
        "does not say what a small first version makes easier",
        "Long, and says only that simple is better.",
    ),
    (
        "ex06_start_simple",
        "documentation_without_why",
        [
            (
                DOCUMENTATION,
                'DOCUMENTATION = "When a customer pays for a plan, this opens their account in provisioning."\n_ = (\n',
            )
        ],
        "DOCUMENTATION says what the automation does and why it exists",
        "does not say why it exists",
        "Says when and what, not why it exists.",
    ),
    (
        "ex06_start_simple",
        "documentation_of_the_whole_wish",
        [
            (
                DOCUMENTATION,
                'DOCUMENTATION = "When a customer pays, we open their account and send a welcome email, so they can'
                ' start at once."\n_ = (\n',
            )
        ],
        "DOCUMENTATION says what the automation does and why it exists",
        "which the first version does not do",
        "Documents the whole wish, not the first version it describes.",
    ),
    (
        "ex06_start_simple",
        "documentation_keywords_only",
        [(DOCUMENTATION, 'DOCUMENTATION = "Payments and accounts automation, owned by ops, version one."\n_ = (\n')],
        "DOCUMENTATION says what the automation does and why it exists",
        "does not say why it exists",
        "A title made of the words the check once looked for.",
    ),
]


def main() -> None:
    for row in TABLE:
        build(*row)
    print(f"wrote {len(TABLE)} core wrong-answer notebooks")


if __name__ == "__main__":
    main()
