"""Exercise 03: check Stripe's `v1` webhook signature by hand.

The learner writes `verify_signature(payload, header, secret)` returning True
for a genuine webhook and False for anything else. The check serves it as a
live endpoint the payment system delivers real, signed events to, then fires a
battery of crafted requests at it: tampered, re-serialised, wrong secret, too
old, from the future, missing or malformed headers, another scheme, and
several `v1` signatures during a secret rotation. Each case is named, with
its own hint. Timestamps are the real wall clock, as on the real internet.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex03_signatures/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| 1. the header has a timestamp `t` and at least one `v1` | rejects malformed headers without raising; rejects a missing header … | crashes-without-a-header |
| 2. one `v1` equals the HMAC of `t.payload` keyed with the whole secret | accepts real deliveries …; accepts a genuine webhook; rejects a body changed …; re-serialised; another secret; another timestamp | secret-without-prefix |
| … compared with `hmac.compare_digest` | compares signatures in constant time | compares-with-equals |
| 3. `t` within `TOLERANCE` of now, in either direction | accepts one signed 4 min 50 s ago; rejects … ten minutes later; rejects one signed 5 min 10 s ago; rejects … ten minutes in the future | no-tolerance, ten-minute-tolerance, old-side-only |
| several `v1` values: accept if any one matches | accepts two v1 signatures when the second is right | first-v1-only |
| (the same) — every `v1`, not the last one a dict keeps | accepts two v1 signatures when the first is right and the last is not | header-as-a-dict |
| values under other names (`v0=`) are not signatures | rejects a header with only a v0 signature | any-v-scheme |
| (a header is key=value pairs, in any order) | accepts a header whose parts come in another order | t-must-come-first |
| never raise | rejects a missing header …; rejects malformed headers … without raising | crashes-without-a-header |
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from simulators.course.checking import Checklist, exercise, fail
from simulators.learner import call

HINTS = (
    "Split the header on commas into `key=value` pairs: one `t`, one or more `v1`.",
    'Compute hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest(), compare it with'
    " each v1 using hmac.compare_digest, and accept only if one matches and t is within 300 seconds of now.",
)

Verify = Callable[[bytes, Any, str], Any]


@dataclass(frozen=True)
class Case:
    """One request the verifier must judge."""

    name: str
    payload: bytes
    #: (what the header is, in words; the header) pairs: never print a header, its timestamp is the wall clock.
    headers: tuple[tuple[str, Any], ...]
    genuine: bool
    hints: tuple[str, ...]


def _sign(payload: bytes, secret: str, t: int) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()


def battery(payload: bytes, secret: str, now: int) -> list[Case]:
    """Every case the verifier must get right, built around one genuine payload."""
    other = "whsec_" + hashlib.sha256(b"hooklab ex03 another secret").hexdigest()[:32]
    good = _sign(payload, secret, now)
    event = json.loads(payload)
    tampered = json.loads(payload)
    tampered["data"]["object"]["amount"] = 1
    reserialised = next(
        text.encode()
        for text in (json.dumps(event, indent=2), json.dumps(event), json.dumps(event, indent=1))
        if text.encode() != payload
    )
    return [
        Case(
            "accepts a genuine webhook",
            payload,
            _one(f"t={now},v1={good}"),
            True,
            ("Sign `t.payload` with the whole secret string (including whsec_) as the key.", HINTS[1]),
        ),
        Case(
            "accepts one signed 4 min 50 s ago (just inside the tolerance)",
            payload,
            _one(f"t={now - 290},v1={_sign(payload, secret, now - 290)}"),
            True,
            (
                "Allow up to 300 seconds between t and now.",
                "Clocks and networks lag: a tolerance of five minutes accepts a"
                " genuine webhook that took a while, and still refuses an old one replayed later.",
            ),
        ),
        Case(
            "rejects a body changed after signing",
            json.dumps(tampered).encode(),
            _one(f"t={now},v1={good}"),
            False,
            (
                "Compute the signature over the payload you were given, then compare.",
                "An attacker can change the body but"
                " cannot sign it again without the secret: the signatures no longer match.",
            ),
        ),
        Case(
            "rejects the same JSON re-serialised (other spacing)",
            reserialised,
            _one(f"t={now},v1={good}"),
            False,
            (
                "Hash the exact bytes you received; never json.loads and json.dumps them first.",
                "The signature covers the"
                " raw bytes. In a handler, verify `request.body`, not `json.dumps(request.json)`.",
            ),
        ),
        Case(
            "rejects a webhook signed with another secret",
            payload,
            _one(f"t={now},v1={_sign(payload, other, now)}"),
            False,
            (
                "Use the `secret` argument as the HMAC key.",
                "Only someone holding your endpoint's secret can make a signature that matches.",
            ),
        ),
        Case(
            "rejects a genuine webhook replayed ten minutes later",
            payload,
            _one(f"t={now - 600},v1={_sign(payload, secret, now - 600)}"),
            False,
            (
                "Compare t with time.time(): more than 300 seconds old is too old.",
                "A valid signature proves who sent it,"
                " not when you received it: without a tolerance, a captured webhook can be replayed forever.",
            ),
        ),
        Case(
            "rejects one signed 5 min 10 s ago (just past the tolerance)",
            payload,
            _one(f"t={now - 310},v1={_sign(payload, secret, now - 310)}"),
            False,
            (
                "The tolerance is 300 seconds: more than that is too old, however little more.",
                "Stripe's libraries refuse anything older than five minutes; a longer window gives a replayed"
                " webhook longer to work.",
            ),
        ),
        Case(
            "rejects a timestamp ten minutes in the future",
            payload,
            _one(f"t={now + 600},v1={_sign(payload, secret, now + 600)}"),
            False,
            (
                "Use abs(time.time() - t) > 300, not only the old side.",
                "A timestamp far in the future means a clock"
                " someone set on purpose, or a signature made to be replayed later.",
            ),
        ),
        Case(
            "rejects a signature made for another timestamp",
            payload,
            _one(f"t={now},v1={_sign(payload, secret, now - 1)}"),
            False,
            (
                'Sign f"{t}." followed by the payload, with t from the header.',
                "The timestamp is part of what is signed, so nobody can move it without breaking the signature.",
            ),
        ),
        Case(
            "rejects a missing header (empty or None) without raising",
            payload,
            (("an empty header", ""), ("no header (None)", None)),
            False,
            (
                "Return False when the header is None or empty.",
                "A request without a signature is simply not genuine: answer it with a 400, not a crash.",
            ),
        ),
        Case(
            "rejects malformed headers without raising",
            payload,
            (
                ("'garbage'", "garbage"),
                ("t=abc", f"t=abc,v1={good}"),
                ("no t=", f"v1={good}"),
                ("no v1=", f"t={now}"),
                ("an empty v1=", f"t={now},v1="),
                ("a cut-short v1=", f"t={now},v1={good[:20]}"),
            ),
            False,
            (
                "Return False when there is no number after t= or no v1= value.",
                "Anything the sender could put in a header"
                " will arrive some day: parse carefully and reject what does not fit.",
            ),
        ),
        Case(
            "rejects a header with only a v0 signature (another scheme)",
            payload,
            _one(f"t={now},v0={good}"),
            False,
            ("Only v1= values are signatures you check.", "Other schemes in the header are not yours to trust."),
        ),
        Case(
            "accepts a header whose parts come in another order (v1 before t)",
            payload,
            _one(f"v1={good},t={now}"),
            True,
            (
                "Find t= and v1= by their names, not by their place in the header.",
                "The header is a list of key=value pairs: nothing promises which comes first.",
            ),
        ),
        Case(
            "accepts two v1 signatures when the second is right (secret rotation)",
            payload,
            _one(f"t={now},v1={_sign(payload, other, now)},v1={good}"),
            True,
            (
                "Check every v1 value, not only the first.",
                "While a secret is being rotated the sender signs with the old"
                " and the new one: accept if any v1 matches.",
            ),
        ),
        Case(
            "accepts two v1 signatures when the first is right and the last is not (secret rotation)",
            payload,
            _one(f"t={now},v1={good},v1={_sign(payload, other, now)}"),
            True,
            (
                "Keep every v1 value in a list and accept if any one matches: a dict keeps only the last v1, and"
                " here the last one was signed with the other secret.",
                "During a rotation the header carries one v1 per secret, in no promised order: the one made with"
                " your secret may come first or last.",
            ),
        ),
    ]


def _one(header: str) -> tuple[tuple[str, str], ...]:
    return (("this header", header),)


@contextmanager
def _counting_compares(ns: dict[str, Any]) -> Iterator[list[int]]:
    """Count calls to hmac.compare_digest, however the learner's code reached it."""
    calls = [0]
    original = hmac.compare_digest

    def compare_digest(a: Any, b: Any) -> bool:
        calls[0] += 1
        return original(a, b)

    # `from hmac import compare_digest` binds the function itself in the learner's namespace.
    imported = [name for name, value in ns.items() if value is original]
    hmac.compare_digest = secrets.compare_digest = compare_digest  # type: ignore[assignment]
    for name in imported:
        ns[name] = compare_digest
    try:
        yield calls
    finally:
        hmac.compare_digest = secrets.compare_digest = original  # type: ignore[assignment]
        for name in imported:
            ns[name] = original


def _judge(verify: Verify, case: Case, secret: str) -> str | None:
    """None if the verifier judged every request of the case right, else what it did instead."""
    for label, header in case.headers:
        about = "" if label == "this header" else f" for {label}"
        # Learner code: name what it raised, and judge the other cases.
        judged = call(verify, case.payload, header, secret, where="verify")
        if isinstance(judged.exception, NotImplementedError):
            raise judged.exception  # the stub: the runner names it
        if judged.exception is not None:
            return f"raised {type(judged.exception).__name__}{about}"
        verdict = judged.value
        if not isinstance(verdict, bool):
            return f"returned {_short(verdict)}{about}; return True or False"
        if verdict != case.genuine:
            return f"returned {verdict}{about}"
    return None


@exercise(
    "ex03_signatures",
    notebook="03_signatures",
    title="Verify a Stripe webhook signature by hand",
    needs=["verify_signature"],
    hints=HINTS,
    systems=["payments"],
    seed=7,
    timeout=60,
)
def check(ns: dict[str, Any], lab: Any) -> Any:
    verify: Verify = ns["verify_signature"]
    pay = lab.payments
    c = Checklist()

    verdicts: list[Any] = []
    endpoint_secret: list[str] = []

    def receive(request: Any) -> Any:
        verdicts.append(verify(request.body, request.headers.get("Stripe-Signature"), endpoint_secret[0]))
        return 200 if verdicts[-1] is True else 400

    endpoint = lab.host(receive, name="ex03-verifier")
    created = pay.add_endpoint(endpoint.url, ["payment_intent.succeeded"], retry_policy="none")
    endpoint_secret.append(created["secret"])
    secret = created["secret"]

    lab.traffic.purchase(n=1)
    payload = pay.event_payload(pay.events("payment_intent.succeeded")[-1]["id"])
    now = int(time.time())
    with _counting_compares(ns) as compares:
        first = _judge(verify, battery(payload, secret, now)[0], secret)
    lab.traffic.purchase(n=2)
    lab.settle()
    if endpoint.failures and endpoint.failures[0].error.startswith("NotImplementedError"):
        fail(
            "`verify_signature` is still the stub: it raises NotImplementedError. Write your version, run its cell,"
            " then check again",
            *HINTS,
        )
    c.expect(
        len(verdicts) == 3 and all(v is True for v in verdicts),
        "accepts real deliveries from the payment system",
        f"of {len(verdicts)} real deliveries, {sum(v is True for v in verdicts)} were accepted"
        + (f"; your function raised {endpoint.failures[0].error}" if endpoint.failures else ""),
        hints=("The payment system signs `t.body` with the endpoint's whole whsec_ secret.", HINTS[1]),
    )

    for number in range(len(battery(payload, secret, 0))):
        # Each case is signed the moment it is judged, so however slowly the machine (or the learner's code) runs,
        # "4 min 50 s ago" is 4 min 50 s ago when the verifier reads the clock: ten seconds from the edge, always.
        case = battery(payload, secret, int(time.time()))[number]
        problem = first if case.name == "accepts a genuine webhook" else _judge(verify, case, secret)
        c.expect(problem is None, case.name, problem or "", hints=case.hints)
    c.expect(
        compares[0] > 0,
        "compares signatures in constant time (hmac.compare_digest)",
        "the signatures were compared some other way, such as ==",
        hints=(
            "Compare with hmac.compare_digest(expected, given).",
            "`==` stops at the first different character,"
            " so how long it takes leaks how much of a guess was right; compare_digest always takes the same time.",
        ),
    )
    return c.result()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "…"
