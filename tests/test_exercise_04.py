"""Exercises 04: each check passes on the solution, fails on the stub, and fails on known wrong answers."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from simulators.course.checking import check, load_checks, registry
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import notebook_namespace
from tests.exercise_support import failed_steps

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "04_reliable_webhook_handling.ipynb"
IDS = ("ex04_backoff", "ex04_retrying_client", "ex04_reliable_handler")


@pytest.fixture(scope="module")
def solved() -> dict:
    load_checks()
    return notebook_namespace(ROOT / "solutions" / NOTEBOOK, "ex04_reliable_handler")


def _with(solved: dict, source: str) -> dict:
    """The solution's namespace with some of its functions replaced by `source`."""
    ns = dict(solved)
    exec(textwrap.dedent(source), ns)  # noqa: S102 - a known wrong answer, written below
    return ns


def test_every_check_passes_on_the_solution_notebook() -> None:
    load_checks()
    results = run_notebook(ROOT / "solutions" / NOTEBOOK, [registry.get(i) for i in IDS])
    assert [r.ok for r in results] == [True, True, True], "\n\n".join(map(str, results))


def test_every_check_fails_on_the_untouched_stubs() -> None:
    load_checks()
    results = run_notebook(ROOT / "exercises" / NOTEBOOK, [registry.get(i) for i in IDS])
    assert [r.ok for r in results] == [False, False, False]
    assert [r.score for r in results] == [0, 0, 0], "an untouched exercise earns no partial credit"
    assert [r.message.split(" is still the stub")[0] for r in results] == [
        "`backoff`",
        "`post_with_retries`",
        "`backoff`",
    ]


def test_the_handler_check_names_the_receiver_stub_once_backoff_is_done(solved: dict) -> None:
    ns = _with(
        solved,
        """
        def receive(request, queue, seen):
            raise NotImplementedError

        def activate(event, provisioning_url):
            raise NotImplementedError
    """,
    )
    result = check("ex04_reliable_handler", ns)
    assert not result.ok and result.message.startswith("`receive` is still the stub"), str(result)


def test_the_handler_check_names_the_activate_stub(solved: dict) -> None:
    ns = _with(
        solved,
        """
        def activate(event, provisioning_url):
            raise NotImplementedError
    """,
    )
    result = check("ex04_reliable_handler", ns)
    assert not result.ok and result.message.startswith("`activate` is still the stub"), str(result)


# -- backoff ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        ("return min(LONGEST_WAIT, FIRST_WAIT * 2 ** (attempt - 1))", "spreads retries out at random (jitter)"),
        ("return FIRST_WAIT * 2 ** (attempt - 1) * rng.uniform(0.5, 1.5)", "stops growing at LONGEST_WAIT (3600 s)"),
        (
            "return min(LONGEST_WAIT, FIRST_WAIT * attempt) * rng.uniform(0.5, 1.5)",
            "doubles the wait after each failure",
        ),
        (
            "return min(LONGEST_WAIT, FIRST_WAIT * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)",
            "draws its jitter from the rng it is given",
        ),
    ],
    ids=["no jitter", "no cap", "linear", "global random"],
)
def test_the_backoff_check_fails_on_known_wrong_answers(solved: dict, wrong: str, problem: str) -> None:
    ns = _with(solved, f"def backoff(attempt, rng):\n    {wrong}\n")
    result = check("ex04_backoff", ns)
    assert not result.ok
    assert failed_steps(result)[0] == problem
    assert result.hints, "a failing check says what to try"


# -- the retrying client ------------------------------------------------------------------

CLIENT = """
def post_with_retries(url, payload, sleep=time.sleep):
    def wait(state):
        seconds = wait_exponential_jitter(initial=1, max=60)(state)
        if HONOUR_RETRY_AFTER and not state.outcome.failed:
            asked = state.outcome.result().headers.get("Retry-After", "")
            if asked.isdigit():
                seconds = max(seconds, float(asked))
        return seconds

    retrying = Retrying(
        stop=stop_after_attempt(5), wait=wait, sleep=sleep,
        retry=retry_if_exception_type((requests.Timeout, requests.ConnectionError)) | retry_if_result(RETRY_WHEN),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    response = retrying(requests.post, url, json=payload, **OPTIONS)
    if not 200 <= response.status_code < 300:
        raise requests.HTTPError(f"{url} answered {response.status_code}", response=response)
    return response
"""
GOOD = {
    "HONOUR_RETRY_AFTER": True,
    "RETRY_WHEN": "lambda r: r.status_code >= 500 or r.status_code == 429",
    "OPTIONS": "dict(timeout=5, allow_redirects=False)",
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"RETRY_WHEN": "lambda r: r.status_code >= 400"}, "does not retry a 400, 401 or 404, and raises"),
        ({"HONOUR_RETRY_AFTER": False}, "waits at least as long as a 429's Retry-After asks"),
        ({"OPTIONS": "dict(timeout=5)"}, "treats a redirect as a failure: raises, never follows it"),
        ({"OPTIONS": "dict(allow_redirects=False)"}, "gives the request a timeout"),
    ],
    ids=["retries a 400", "ignores Retry-After", "follows redirects", "no timeout"],
)
def test_the_client_check_fails_on_known_wrong_answers(solved: dict, change: dict, problem: str) -> None:
    settings = {**GOOD, **change}
    source = "\n".join(f"{name} = {value}" for name, value in settings.items()) + "\n" + CLIENT
    ns = _with(solved, source)
    result = check("ex04_retrying_client", ns)
    assert not result.ok
    assert failed_steps(result) == [problem]


def test_the_client_variant_used_above_passes_as_written(solved: dict) -> None:
    source = "\n".join(f"{name} = {value}" for name, value in GOOD.items()) + "\n" + CLIENT
    assert check("ex04_retrying_client", _with(solved, source)).ok


# -- the reliable receiver ------------------------------------------------------------------

POST_ONLY = """
def activate(event, provisioning_url):
    payment = event["data"]["object"]
    plan = (payment.get("metadata") or {}).get("plan", "basic")
    answer = requests.post(f"{provisioning_url}/accounts/activate",
                           json={"customer": payment["customer"], "plan": plan, "event": event["id"]}, timeout=5)
    answer.raise_for_status()
"""
INLINE = """
def receive(request, queue, seen):
    event = request.json
    if event["id"] in seen:
        return 200
    if event["type"] == "payment_intent.succeeded":
        activate(event, provisioning_url_from(request))
    seen.add(event["id"])
    return 200

def provisioning_url_from(request):
    return PROVISIONING[0]
"""
NO_RAISE_ON_ERROR = """
def activate(event, provisioning_url):
    payment = event["data"]["object"]
    done = requests.get(f"{provisioning_url}/activations", params={"customer": payment["customer"]}, timeout=5)
    if done.ok and any(a["event"] == event["id"] for a in done.json()["data"]):
        return
    requests.post(f"{provisioning_url}/accounts/activate",
                  json={"customer": payment["customer"], "plan": payment["metadata"]["plan"], "event": event["id"]},
                  timeout=5)
"""
EVERY_EVENT = """
def receive(request, queue, seen):
    event = request.json
    if event["id"] not in seen:
        seen.add(event["id"])
        queue.put(event, key=event["id"])
    return 200
"""


def test_the_handler_check_fails_when_a_crash_after_the_work_is_repeated(solved: dict) -> None:
    result = check("ex04_reliable_handler", _with(solved, POST_ONLY))
    assert not result.ok
    assert failed_steps(result) == ["activates no one twice (duplicates, crashes after the work)"]
    failing = next(step for step in result.steps if not step.ok)
    assert (
        failing.message.startswith("seed 4")
        and "cus_" in failing.message
        and "times for one payment" in failing.message
    )


def test_the_handler_check_fails_when_the_work_is_done_before_answering(
    solved: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    ns = _with(solved, INLINE)
    # The inline receiver needs provisioning's URL: it reads it from the lab the check starts.
    import simulators.course.handling as handling

    real = handling.connect_receiver

    def spy(lab, *args, **kwargs):  # type: ignore[no-untyped-def]
        ns["PROVISIONING"] = [lab.provisioning.url]
        return real(lab, *args, **kwargs)

    monkeypatch.setattr("exercises.checks.ex04_reliable_handler.connect_receiver", spy)
    result = check("ex04_reliable_handler", ns)
    assert not result.ok
    assert failed_steps(result) == ["answers 2xx at once, even while provisioning is down"]
    assert "your receiver raised" in result.message and "127.0.0.1" not in result.message


def test_the_handler_check_names_the_seed_and_customer_it_lost(solved: dict) -> None:
    result = check("ex04_reliable_handler", _with(solved, NO_RAISE_ON_ERROR))
    assert not result.ok
    assert "loses no paid customer under 10 seeded storms" in failed_steps(result)
    failing = next(step for step in result.steps if step.name.startswith("loses no paid customer"))
    assert (
        failing.message.startswith("seed 4")
        and "cus_" in failing.message
        and "paid but has no account" in failing.message
    )
    assert "returned without activating" in failing.message


def test_the_handler_check_fails_when_a_declined_card_is_activated(solved: dict) -> None:
    result = check("ex04_reliable_handler", _with(solved, EVERY_EVENT))
    assert not result.ok
    assert failed_steps(result) == ["activates only customers whose payment succeeded"]
    assert "declined" in next(step for step in result.steps if not step.ok).message
