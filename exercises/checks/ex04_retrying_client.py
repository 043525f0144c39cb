"""Exercise 04b: a client that retries with tenacity, checked without a network.

The learner writes `post_with_retries(url, payload, sleep=time.sleep)`: POST
JSON, retry server errors, 429s (waiting at least their Retry-After) and
timeouts with exponential backoff, give up after a few tries by raising, never
follow a redirect nor retry a 4xx, and give every request a timeout. The check
scripts each answer with `responses`, as a team's unit tests would: here, and
only here, the fake server is the lesson.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex04_retrying_client/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| POSTs `payload` as JSON and returns the Response when the answer is a 2xx | returns the answer when the first try works | returns response.json() |
| (the same) — as JSON | POSTs the payload as JSON (a JSON body, Content-Type: application/json) | form-encoded, json-text-without-a-type |
| retries a 5xx | retries 500 and 502, waiting before each try, and returns the success | retry only on exceptions, stops-after-one-try |
| … a timeout | retries a request that timed out | retries HTTP answers only |
| … and a refused connection | retries a refused connection | timeouts-only |
| waiting longer each time (`wait_exponential_jitter`) | waits longer after each failure (backoff), not the same time | fixed-wait-with-retry-after |
| after a `429` waits at least its `Retry-After` | waits at least as long as a 429's Retry-After asks | fixed-thirty-seconds |
| never retries a 4xx other than 429 … and raises | does not retry a 400, 401 or 404, and raises | retries-every-error |
| never follows a redirect … and raises | treats a redirect as a failure: raises, never follows it | follows-redirects, never-raises |
| gives up after a few tries by raising | gives up after a few tries, and raises | never-gives-up |
| gives every request a `timeout=` | gives the request a timeout | no-timeout |
| waits by calling `sleep(seconds)`, the function it is given | waits with the `sleep` it is given, never `time.sleep` | calls-time-sleep |
"""

from __future__ import annotations

import json
import time
from unittest.mock import patch

import requests
import responses

from simulators.course.checking import Checklist, exercise
from simulators.learner import call

URL = "https://provisioning.example.test/accounts/activate"
ELSEWHERE = "https://login.example.test/sign-in"
PAYLOAD = {"customer": "cus_test", "plan": "basic", "event": "evt_test"}
#: A 429's Retry-After in the check: longer than any first backoff, so only reading the header meets it.
RETRY_AFTER = 90
HINTS = (
    "Take the task's bullets one at a time: each is one argument of tenacity's Retrying(...) or of requests.post(...).",
    "Retry only what can get better by waiting (5xx, 429, timeouts, refused connections); a 4xx or a redirect"
    " will answer the same next time, so raise at once. Every HTTP call needs a timeout.",
)


class _Outcome:
    """What one scripted run saw: the learner's answer or error, the calls, the waits."""

    def __init__(self) -> None:
        self.response: requests.Response | None = None
        self.error: BaseException | None = None
        self.calls: list[responses.Call] = []
        self.waits: list[float] = []
        #: Waits the learner's code asked of `time.sleep` itself: recorded, never slept, so the check stays fast.
        self.real_sleeps: list[float] = []

    @property
    def status(self) -> int | None:
        return self.response.status_code if isinstance(self.response, requests.Response) else None

    def said(self) -> str:
        if self.error is not None:
            return f"it raised {type(self.error).__name__} after {len(self.calls)} call(s)"
        return f"it returned {self.status if self.status is not None else repr(self.response)[:60]} after {len(self.calls)} call(s)"


def _run(fn, script: list[dict], *, extra: list[dict] = ()) -> _Outcome:  # type: ignore[no-untyped-def,assignment]
    outcome = _Outcome()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for answer in script:
            mock.add(responses.POST, URL, **answer)
        for answer in extra:
            mock.add(**answer)
        # Learner code: raising is one of the answers this check looks for.
        # tenacity's default sleep looks `time.sleep` up when it waits, so this catches it too.
        with patch.object(time, "sleep", outcome.real_sleeps.append):
            called = call(lambda: fn(URL, dict(PAYLOAD), sleep=outcome.waits.append), where="post_with_retries")
        if isinstance(called.exception, NotImplementedError):
            raise called.exception  # the stub: the runner names it
        if isinstance(called.exception, Exception):
            outcome.error = called.exception
        elif called.exception is not None:
            raise called.exception  # exit(): the runner names it
        else:
            outcome.response = called.value
        outcome.calls = list(mock.calls)
    return outcome


def _json(body: bytes | str | None) -> object:
    try:
        return json.loads(body or b"")
    except ValueError:
        return None


def _how_sent(body: bytes | str | None, kind: str) -> str:
    """What the first POST carried, in the learner's terms."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body or "")
    if kind.startswith("application/x-www-form-urlencoded"):
        return f"it sent a web form ({text[:60]}), as data=payload does, not JSON"
    if _json(body) == PAYLOAD:
        return f"it sent JSON text with Content-Type {kind or 'missing'!r}, so the server does not read it as JSON"
    return f"it sent {text[:60]!r} with Content-Type {kind or 'missing'!r}, not the payload as JSON"


@exercise(
    "ex04_retrying_client",
    notebook="04_reliable_webhook_handling",
    title="Retries with tenacity, tested without a network",
    needs=["post_with_retries"],
    hints=HINTS,
    timeout=60,
)
def check(ns):  # type: ignore[no-untyped-def]
    fn = ns["post_with_retries"]
    c = Checklist()

    ok = _run(fn, [dict(json={"status": "active"}, status=200)])
    c.require(
        ok.error is None and ok.status == 200 and len(ok.calls) == 1,
        "returns the answer when the first try works",
        ok.said(),
        hints=("Return the requests.Response once it is a 2xx.", HINTS[1]),
    )
    sent = ok.calls[0].request
    body, kind = sent.body, sent.headers.get("Content-Type", "")
    c.expect(
        _json(body) == PAYLOAD and kind.split(";")[0].strip() == "application/json",
        "POSTs the payload as JSON (a JSON body, Content-Type: application/json)",
        _how_sent(body, kind),
        hints=(
            "Pass the dict as requests.post(url, json=payload, ...): requests writes it as JSON and says so in the"
            " Content-Type header.",
            "data=payload sends a web form (customer=cus_test&plan=basic); the receiving API reads JSON and would"
            " find no customer at all.",
        ),
    )
    c.expect(
        all(call.request.req_kwargs.get("timeout") for call in ok.calls),
        "gives the request a timeout",
        "requests.post(...) was called without timeout=",
        hints=("Pass timeout=5 to requests.post.", HINTS[1]),
    )

    flaky = _run(fn, [dict(status=500), dict(status=502), dict(json={"status": "active"}, status=200)])
    c.expect(
        not flaky.real_sleeps,
        "waits with the `sleep` it is given, never `time.sleep`",
        f"it called time.sleep({', '.join(str(round(w, 2)) for w in flaky.real_sleeps[:3])}) itself: a test would really"
        " wait that long",
        hints=(
            "Pass the function's own `sleep` argument on: Retrying(..., sleep=sleep).",
            "A test hands your function a `sleep` that only writes the waits down, so it can check them in no time.",
        ),
    )
    c.expect(
        flaky.status == 200 and len(flaky.calls) == 3 and len(flaky.waits) == 2 and all(w > 0 for w in flaky.waits),
        "retries 500 and 502, waiting before each try, and returns the success",
        f"{flaky.said()}, waiting {[round(w, 2) for w in flaky.waits]}",
        hints=(
            "Retrying(...) needs all three: retry= that accepts a 5xx (retry_if_result(lambda r: r.status_code >= 500"
            " or r.status_code == 429)), stop= that allows several tries (stop_after_attempt(5): the first try counts"
            " as one), and a wait=.",
            HINTS[1],
        ),
    )

    # Longer than any first backoff, so only a wait that reads the header can meet it.
    busy = _run(
        fn, [dict(status=429, headers={"Retry-After": str(RETRY_AFTER)}), dict(json={"status": "active"}, status=200)]
    )
    c.expect(
        busy.status == 200 and len(busy.waits) == 1 and busy.waits[0] >= RETRY_AFTER,
        "waits at least as long as a 429's Retry-After asks",
        f"{busy.said()}, waiting {[round(w, 2) for w in busy.waits]} s after Retry-After: {RETRY_AFTER}",
        hints=(
            "Write a wait function that reads retry_state.outcome.result().headers['Retry-After'].",
            "A 429 says: slow down. Its Retry-After is the number of seconds the server wants you to wait.",
        ),
    )

    slow = _run(
        fn, [dict(body=requests.exceptions.ReadTimeout("read timed out")), dict(json={"status": "active"}, status=200)]
    )
    c.expect(
        slow.status == 200 and len(slow.calls) == 2,
        "retries a request that timed out",
        slow.said(),
        hints=("Add retry_if_exception_type((requests.Timeout, requests.ConnectionError)).", HINTS[1]),
    )
    refused = _run(
        fn,
        [
            dict(body=requests.exceptions.ConnectionError("connection refused")),
            dict(json={"status": "active"}, status=200),
        ],
    )
    c.expect(
        refused.status == 200 and len(refused.calls) == 2,
        "retries a refused connection (the server is restarting)",
        refused.said(),
        hints=("Retry requests.ConnectionError as well as requests.Timeout.", HINTS[1]),
    )

    moved = _run(
        fn,
        [dict(status=302, headers={"Location": ELSEWHERE})],
        extra=[
            dict(method=responses.POST, url=ELSEWHERE, status=200),
            dict(method=responses.GET, url=ELSEWHERE, status=200),
        ],
    )
    followed = any(call.request.url.startswith(ELSEWHERE) for call in moved.calls)
    c.expect(
        moved.error is not None and not followed,
        "treats a redirect as a failure: raises, never follows it",
        "it followed the redirect to another address" if followed else moved.said(),
        hints=(
            "Pass allow_redirects=False, and raise when the status is not 2xx (raise_for_status() lets 3xx through).",
            "A webhook or API call that is redirected did not reach its destination: the URL is wrong.",
        ),
    )

    retried = ""
    for status in (400, 401, 404):
        wrong = _run(fn, [dict(status=status, json={"error": {"message": "refused"}})] * 5)
        if not (wrong.error is not None and len(wrong.calls) == 1):
            retried = f"for a {status}, {wrong.said()}"
            break
    c.expect(
        not retried,
        "does not retry a 400, 401 or 404, and raises",
        retried,
        hints=("Retry only 5xx and 429 answers; raise for the rest.", HINTS[1]),
    )

    down = _run(fn, [dict(status=503)] * 50)
    c.expect(
        down.error is not None and 2 <= len(down.calls) <= 10,
        "gives up after a few tries, and raises",
        down.said(),
        hints=("stop=stop_after_attempt(5), and reraise or raise once tenacity gives up.", HINTS[1]),
    )
    waits = down.waits
    c.expect(
        len(waits) >= 2 and waits[-1] >= 1.5 * waits[0],
        "waits longer after each failure (backoff), not the same time",
        f"between its tries it waited {[round(w, 2) for w in waits]} s",
        hints=(
            "Use wait_exponential_jitter(initial=1, max=60), not wait_fixed: the wait must grow.",
            "A fixed wait brings every client back at the same pace however long the outage lasts; doubling"
            " waits give a struggling server room to recover.",
        ),
    )
    return c.result()
