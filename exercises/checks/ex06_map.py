"""Exercise 06, core path: the seven-question map of the cancellation flow, and a retry policy chosen and justified.

No code to write. `CANCELLATION_MAP` answers the lesson's seven design
questions for "when a customer cancels, customer success calls them";
`RETRY_POLICY` and `RETRY_WHY` choose what the sender does when the CRM is
down. The check reads each answer against what the lab really offers: the
trigger catalogue (which event, which fields it carries), the systems that
exist, a named person, and the retry schedules the payment system knows.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex06_map/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| Answer the seven questions for the cancellation flow | answers every question in a few words | leaves one answer empty |
| What event starts it? | starts on a cancelled subscription in the payment system | wrong-event, cancelled-in-the-crm |
| What data is required? | needs the customer (who cancelled) | data-without-the-customer, data-not-carried |
| Where does the data come from? | takes the data from the cancellation event | data-from-the-crm |
| Which system does each step? | the CRM creates the retention task | the-mailer-acts |
| What if data is missing? | says what happens when the customer is missing | missing-data-emails-the-customer, missing-data-task-anyway |
| What if a step fails? | a failing step is tried again | failure-just-logged, failure-answers-400 |
| Who is told? | names one person to tell, by email address | the-team, team-mailbox, two-people |
| `RETRY_POLICY` is none, stripe or standard | chooses a retry policy that tries again | no-retries |
| `RETRY_WHY` says why in a sentence or two | says why, in a sentence or two | why-in-three-words, retry-why-vague, retry-why-restates-the-question |
"""

from __future__ import annotations

from simulators.course.automations import TRIGGERS
from simulators.course.checking import Checklist, exercise, fail
from simulators.course.checking.reasoning import Idea, Misconception, Reason, one_person_problem, words

QUESTIONS = (
    "What event starts it?",
    "What data is required?",
    "Where does the data come from?",
    "Which system does each step?",
    "What if data is missing?",
    "What if a step fails?",
    "Who is told?",
)
TRIGGER = ("payments", "customer.subscription.deleted")
POLICIES = ("none", "stripe", "standard")
HINTS = (
    'Answer each question in a few words. Look up what the trigger carries: TRIGGERS[("payments", '
    '"customer.subscription.deleted")].fields lists every field, and the lesson\'s map for the new-lead flow is '
    "the model.",
    "A map decides in advance: which event, which data from where, which system acts, what happens when data is "
    "missing or a step fails, and which one person hears about it.",
)


def _has(text: str, *parts: str) -> bool:
    return any(part in text for part in parts)


#: Data a cancellation does not carry (it carries the customer's id): asked for alone, it never reaches the task.
NOT_CARRIED = ("name", "phone", "email", "address", "number", "plan", "reason")
IF_MISSING = Reason(
    "What if data is missing?",
    ideas=(
        Idea(
            "that the flow stops (creates no task, since nobody knows whom to call)",
            (
                "stop*|halt*|abort*|skip*|pause*|hold|wait*|park*|quarantin*|refus*|reject*",
                "no|not|never|nothing|without|don ~ task*|create*|make|made|call*",
                "create*|make ~ nothing",
                "dead letter*|dead-letter*",
            ),
        ),
        Idea(
            "who hears of it (alert the person, so someone fixes it)",
            (
                "alert*",
                "tell*|told|notif*|inform*|warn*|page*|flag*|report*|escalat*",
                "email* ~ lead|person|ops|@",
                "let ~ know",
                "@",
            ),
        ),
    ),
    wrong=(
        Misconception(
            ("anyway", "guess*", "default*", "make up", "made up", "invent*", "blank|empty task*"),
            "a task that does not say who cancelled is a call nobody can make: stop, and tell the person instead",
        ),
        Misconception(
            (
                "email*|call*|ask*|contact*|phone*|send*|message*|text* ~1 the|that ~1 customer*",
                "the|that customer* ~1 email*|call*|phone*|ask*|message*",
            ),
            "with the customer missing, nobody knows whom to email or call: stop, and tell the person instead",
        ),
    ),
    min_words=1,
)
IF_FAILS = Reason(
    "What if a step fails?",
    ideas=(
        Idea(
            "that the cancellation is tried again (answer 503 so the sender retries, or retry from a queue)",
            ("retr*", "again", "503|500|5xx|502|504", "try|tries|tried ~ later", "queue*", "redeliver*|resend*|resen*"),
        ),
    ),
    wrong=(
        Misconception(
            ("400|404|4xx|422|401|403",),
            "a 4xx answer tells the payment system not to retry, so the cancellation is lost: answer 503",
        ),
        Misconception(
            ("crm ~1 retr*|resend*|redeliver*",),
            "the CRM is the one that failed, and it retries nothing: the payment system retries when you answer 503",
        ),
    ),
    min_words=1,
)
RETRY_WHY = Reason(
    "Then choose what the payment system does when it cannot deliver the cancellation (the CRM is down):"
    ' RETRY_POLICY is "none" (try once), "stripe" (retry for about three days) or "standard" (the Standard'
    " Webhooks schedule, also about three days), and RETRY_WHY says why in a sentence or two: what happens to a"
    " cancellation without them, and why trying again helps.",
    ideas=(
        Idea(
            "what would be lost without retries (the cancellation comes once: dropped, nobody calls that customer)",
            (
                "lost|lose*|loses|drop*|gone|vanish*|disappear*|forgotten|miss*",
                "never ~ seen|see|again|call*|know*|hear*|arriv*|reach*|get*|gets",
                "nobody|noone ~ call*|know*|hear*|reach*|contact*",
                "no one ~ call*|know*|hear*|reach*|contact*",
                "no ~ task|call",
                "happen*|sent|send*|come*|comes|arriv*|event*|cancel* ~1 once",
                "only once",
                "one|only|single ~1 chance|shot",
                "forever",
            ),
        ),
        Idea(
            "why retrying works (the CRM comes back: an outage lasts hours, and the retries outlast it)",
            (
                "come*|came|back|up ~ again|online|up|back",
                "back ~ up|online",
                "recover*",
                "temporar*|brief*|short",
                "hour*|minute*",
                "outage*",
                "later|eventually ~2 work*|succeed*|success*|through|deliver*|arriv*|back|up|fine",
                "work*|succeed*|success*|through|deliver*|arriv* ~2 later|eventually",
                "until|till|once ~ back|up|recover*|work*|running|available|return*",
                "outlast*|cover*",
                "longer than",
                "for a while",
                "not|never ~3 for long",
            ),
        ),
    ),
    wrong=(
        Misconception(
            ("duplicat*|twice ~ call*|task*",),
            "retries do not make duplicates that matter here: say what would be lost without them, and why the CRM"
            " will be back in time",
        ),
    ),
    min_words=8,
)


@exercise(
    "ex06_map",
    notebook="06_designing_automations",
    title="Core: map the cancellation flow and choose its retries",
    needs=["CANCELLATION_MAP", "RETRY_POLICY", "RETRY_WHY"],
    hints=HINTS,
    systems=[],
    timeout=30,
)
def check(ns):
    answers = ns["CANCELLATION_MAP"]
    if not isinstance(answers, dict):
        fail(f"CANCELLATION_MAP must stay a dict of seven answers, not {type(answers).__name__}", *HINTS)
    missing = [q for q in QUESTIONS if q not in answers]
    if missing:
        fail(f"CANCELLATION_MAP has no answer for {missing[0]!r}: keep the seven questions as they are", *HINTS)
    text = {q: " ".join(str(answers[q] or "").lower().split()) for q in QUESTIONS}
    empty = [q for q in QUESTIONS if not words(text[q])]
    if len(empty) == len(QUESTIONS):
        fail("the map is still empty: answer each of the seven questions in a few words", *HINTS)
    c = Checklist()
    c.expect(not empty, "answers every question in a few words", f"{empty[0]!r} has no answer yet" if empty else "")
    trigger = TRIGGERS[TRIGGER]
    event = text[QUESTIONS[0]]
    in_the_crm = "crm" in event and not _has(event, "payment", "stripe")
    c.expect(
        (trigger.event in event or ("cancel" in event and _has(event, "subscription", "payment"))) and not in_the_crm,
        "starts on a cancelled subscription in the payment system",
        f"the event is {answers[QUESTIONS[0]]!r}; "
        + (
            "a subscription is cancelled in the payment system, not the CRM (the CRM is where the task goes)"
            if in_the_crm
            else f"the flow starts on {trigger.event!r} in the payment system"
        ),
        hints=HINTS,
    )
    data = text[QUESTIONS[1]]
    asked = [word for word in words(data) if word in NOT_CARRIED]
    names_id = _has(data, "data.object.customer", " id", "id ", "identifier", "cus_")
    c.expect(
        "customer" in data and (names_id or not asked),
        "needs the customer (who cancelled)",
        f"a cancellation carries the customer's id (data.object.customer), not their {asked[0]}: ask for the id,"
        " and customer success looks up the rest in the CRM"
        if asked
        else "customer success cannot call someone unless the data says who cancelled (data.object.customer)",
        hints=HINTS,
    )
    where = text[QUESTIONS[2]]
    c.expect(
        _has(where, "webhook", "event", "payment", "data.object", "stripe", "cancellation"),
        "takes the data from the cancellation event (the payment system's webhook)",
        f"{answers[QUESTIONS[2]]!r}: "
        + (
            "the web form is the new-lead flow's; a cancellation's data arrives in the payment system's webhook"
            if "form" in where
            else "the data comes in the cancellation's webhook from the payment system; the CRM is where the task goes"
            if "crm" in where
            else "say where the data comes from (the cancellation's webhook from the payment system)"
        ),
        hints=HINTS,
    )
    systems = text[QUESTIONS[3]]
    c.expect(
        "crm" in systems and "task" in systems,
        "the CRM creates the retention task",
        f"{answers[QUESTIONS[3]]!r}: which system creates the task for customer success?",
        hints=HINTS,
    )
    for question, reason, step in (
        (QUESTIONS[4], IF_MISSING, "says what happens when the customer is missing (stop and tell someone)"),
        (QUESTIONS[5], IF_FAILS, "a failing step is tried again (the sender retries)"),
    ):
        verdict = reason.judge(answers[question], name=repr(question))
        c.expect(verdict.ok, step, verdict.message, hints=HINTS)
    person = one_person_problem(answers[QUESTIONS[6]], "success.lead@example.com")
    c.expect(
        not person,
        "names one person to tell, by email address",
        person,
        hints=("'The team' is nobody in particular: name the one person who will act.", *HINTS),
    )
    policy, why = ns["RETRY_POLICY"], ns["RETRY_WHY"]
    c.expect(
        policy in POLICIES and policy != "none",
        "chooses a retry policy that tries again ('stripe' or 'standard')",
        f"RETRY_POLICY is {policy!r}: with 'none', a cancellation that arrives while the CRM is down is never seen "
        "again, and nobody calls that customer"
        if policy == "none"
        else f"RETRY_POLICY is {policy!r}, not one of {', '.join(map(repr, POLICIES))}",
        hints=HINTS,
    )
    verdict = RETRY_WHY.judge(why, name="RETRY_WHY")
    c.expect(verdict.ok, "says why, in a sentence or two", verdict.message, hints=HINTS)
    return c.result()
