"""`POST /admin/clock/advance` says what happened, and a retried advance never moves the clock twice (review R4)."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from simulators import Lab
from simulators.clock import Clock


@pytest.fixture
def busy_lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    # settle() waits 60 s before it gives up; half a second shows the same answer without the wait.
    monkeypatch.setattr(Clock, "settle", functools.partialmethod(Clock.settle, timeout=0.5))
    with Lab(seed=7, systems=["provisioning"], realtime=True) as lab:
        lab.clock.call_later(1800, lambda: time.sleep(2), name="a slow nightly job")
        yield lab


def _advance(lab: Lab, body: dict[str, object], key: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {lab.admin_token}"}
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(lab.control.url + "/admin/clock/advance", json=body, headers=headers, timeout=10)


def test_an_advance_still_settling_answers_202_with_the_new_time_not_500(busy_lab: Lab) -> None:
    before = busy_lab.clock.time()
    answer = _advance(busy_lab, {"hours": 1})
    assert answer.status_code == 202, answer.text
    said = answer.json()
    assert said["settled"] is False and "a slow nightly job" in said["message"]
    assert said["timestamp"] >= before + 3600 - 1
    assert "Do not send this advance again" in said["message"]


def test_a_retried_advance_with_its_key_moves_the_clock_once(busy_lab: Lab) -> None:
    before = busy_lab.clock.time()
    first = _advance(busy_lab, {"hours": 1}, key="advance-1")
    again = _advance(busy_lab, {"hours": 1}, key="advance-1")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert busy_lab.clock.time() - before < 2 * 3600 - 60, "the retry did not move the clock a second hour"


def test_an_advance_until_a_time_is_the_same_sent_twice(provisioning_lab: Lab) -> None:
    target = provisioning_lab.clock.timestamp() + 86400
    first = _advance(provisioning_lab, {"until": target})
    again = _advance(provisioning_lab, {"until": target})
    assert first.status_code == again.status_code == 200
    assert first.json()["timestamp"] == again.json()["timestamp"] == target


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"until": "tomorrow"}, "until must be a unix time"),
        ({"until": 0, "hours": 1}, "not both"),
        ({"weeks": 1}, "not weeks"),
        ({"days": 400}, "at most a year"),
    ],
)
def test_a_wrong_advance_is_a_400_that_says_why(provisioning_lab: Lab, body: dict[str, object], words: str) -> None:
    before = provisioning_lab.clock.time()
    answer = _advance(provisioning_lab, body)
    assert answer.status_code == 400 and words in answer.text, answer.text
    assert provisioning_lab.clock.time() == before


def test_a_retry_sent_while_the_first_advance_still_runs_is_refused_not_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The usual retry: the client gave up waiting, the first advance is still working.
    monkeypatch.setattr(Clock, "settle", functools.partialmethod(Clock.settle, timeout=10))
    with Lab(seed=7, systems=["provisioning"], realtime=True) as lab:
        lab.clock.call_later(1800, lambda: time.sleep(2), name="a slow nightly job")
        before = lab.clock.time()
        first: list[requests.Response] = []
        running = threading.Thread(target=lambda: first.append(_advance(lab, {"hours": 1}, key="advance-2")))
        running.start()
        time.sleep(0.5)
        retry = _advance(lab, {"hours": 1}, key="advance-2")
        running.join()
        assert retry.status_code == 409 and "still running" in retry.text
        assert first[0].status_code == 200
        assert lab.clock.time() - before < 2 * 3600 - 60, "the retry did not move the clock a second hour"
        assert _advance(lab, {"hours": 1}, key="advance-2").json() == first[0].json()  # done: replayed
