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
| What event starts it? | starts on a cancelled subscription in the payment system | wrong-event |
| What data is required? | needs the customer (who cancelled) | data-without-the-customer |
| Where does the data come from? | takes the data from the cancellation event | "from the CRM" |
| Which system does each step? | the CRM creates the retention task | the-mailer-acts |
| What if data is missing? | says what happens when the customer is missing | "nothing" |
| What if a step fails? | a failing step is tried again | failure-just-logged |
| Who is told? | names one person to tell, by email address | the-team |
| `RETRY_POLICY` is none, stripe or standard | chooses a retry policy that tries again | no-retries |
| `RETRY_WHY` says why in a sentence or two | says why, in a sentence or two | why-in-three-words |
"""

from __future__ import annotations

from simulators.course.automations import TRIGGERS
from simulators.course.checking import Checklist, exercise, fail
from simulators.mailer.messages import looks_like_address

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


def _has(text: str, *words: str) -> bool:
    return any(word in text for word in words)


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
    # "Who is told?" may be one email address; every other answer takes a few words.
    empty = [q for q in QUESTIONS if len(text[q].split()) < (1 if q == QUESTIONS[-1] else 2)]
    if len(empty) == len(QUESTIONS):
        fail("the map is still empty: answer each of the seven questions in a few words", *HINTS)
    c = Checklist()
    c.expect(not empty, "answers every question in a few words", f"{empty[0]!r} has no answer yet" if empty else "")
    trigger = TRIGGERS[TRIGGER]
    event = text[QUESTIONS[0]]
    c.expect(
        trigger.event in event or ("cancel" in event and _has(event, "subscription", "payment")),
        "starts on a cancelled subscription in the payment system",
        f"the event is {answers[QUESTIONS[0]]!r}; the flow starts on {trigger.event!r} in the payment system",
        hints=HINTS,
    )
    data = text[QUESTIONS[1]]
    c.expect(
        "customer" in data,
        "needs the customer (who cancelled)",
        "customer success cannot call someone unless the data says who cancelled (data.object.customer)",
        hints=HINTS,
    )
    where = text[QUESTIONS[2]]
    c.expect(
        _has(where, "webhook", "event", "payment", "data.object"),
        "takes the data from the cancellation event (the payment system's webhook)",
        f"{answers[QUESTIONS[2]]!r} does not say where the data comes from",
        hints=HINTS,
    )
    systems = text[QUESTIONS[3]]
    c.expect(
        "crm" in systems and "task" in systems,
        "the CRM creates the retention task",
        f"{answers[QUESTIONS[3]]!r}: which system creates the task for customer success?",
        hints=HINTS,
    )
    gone = text[QUESTIONS[4]]
    c.expect(
        _has(gone, "alert", "tell", "email", "notify", "stop", "no task", "skip"),
        "says what happens when the customer is missing (stop and tell someone)",
        f"{answers[QUESTIONS[4]]!r} does not say what to do",
        hints=HINTS,
    )
    failed = text[QUESTIONS[5]]
    c.expect(
        _has(failed, "retry", "retries", "again", "503"),
        "a failing step is tried again (the sender retries)",
        f"{answers[QUESTIONS[5]]!r}: what happens to the cancellation when the CRM is down?",
        hints=HINTS,
    )
    told = str(answers[QUESTIONS[6]] or "")
    c.expect(
        any(looks_like_address(word.strip(".,;()")) for word in told.split()),
        "names one person to tell, by email address",
        f"{told!r}: name one person, such as 'success.lead@example.com'",
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
    c.expect(
        isinstance(why, str) and len(why.split()) >= 8,
        "says why, in a sentence or two",
        f"RETRY_WHY is {why!r}: say what would be lost without retries, and how long the CRM may be down",
        hints=HINTS,
    )
    return c.result()
