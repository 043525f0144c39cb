"""The work queue: acknowledged now, done after on the lab clock, retried with backoff, dead-lettered, logged."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import requests

from simulators import Lab
from simulators.course.handling import WorkQueue, default_backoff, describe_error


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, systems=["provisioning"]) as lab:
        yield lab


def flaky(failures: int) -> tuple[list[str], object]:
    """Work that fails `failures` times, then succeeds; records each call."""
    calls: list[str] = []

    def work(item: str) -> None:
        calls.append(item)
        if len(calls) <= failures:
            raise RuntimeError(f"not yet ({len(calls)})")

    return calls, work


def test_put_returns_at_once_and_the_work_runs_when_the_lab_settles(lab: Lab) -> None:
    calls, work = flaky(0)
    queue = WorkQueue(lab, work)
    assert queue.put("a", key="evt_1") == "evt_1"
    lab.settle()
    assert calls == ["a"]
    assert queue.summary() == {"jobs": 1, "done": 1, "waiting": 0, "dead": 0, "attempts": 1}


def test_a_failing_job_is_retried_after_its_backoff_on_the_lab_clock(lab: Lab) -> None:
    calls, work = flaky(2)
    queue = WorkQueue(lab, work, backoff=lambda attempt, rng: 60.0 * attempt)
    queue.put("a")
    lab.settle()
    assert len(calls) == 1 and queue.waiting
    lab.advance(seconds=59)
    assert len(calls) == 1  # not yet due
    lab.advance(seconds=1)
    assert len(calls) == 2
    lab.advance(seconds=120)
    assert len(calls) == 3 and queue.done
    [failed_first, failed_second] = [entry for entry in queue.log if entry.what == "failed"]
    assert (failed_second.next_at - failed_first.next_at).total_seconds() == 120


def test_a_job_that_never_works_is_dead_lettered_not_dropped_and_can_be_replayed(lab: Lab) -> None:
    calls, work = flaky(3)
    queue = WorkQueue(lab, work, backoff=lambda attempt, rng: 1.0, max_attempts=3)
    queue.put("a", key="evt_1")
    lab.advance(minutes=1)
    assert [job.id for job in queue.dead_letters] == ["evt_1"] and len(calls) == 3
    assert queue.dead_letters[0].last_error == "RuntimeError: not yet (3)"
    assert queue.replay_dead_letters() == ["evt_1"]
    lab.settle()
    assert not queue.dead_letters and queue.done and len(calls) == 4


def test_the_same_key_twice_is_two_jobs_so_a_missing_dedupe_shows(lab: Lab) -> None:
    calls, work = flaky(0)
    queue = WorkQueue(lab, work)
    assert queue.put("a", key="evt_1") != queue.put("a", key="evt_1")
    lab.settle()
    assert calls == ["a", "a"]


def test_history_answers_what_happened_to_one_customer(lab: Lab) -> None:
    _, work = flaky(1)
    queue = WorkQueue(lab, work, backoff=lambda attempt, rng: 30.0, about=lambda item: {"customer": item})
    queue.put("cus_A", key="evt_1")
    queue.put("cus_B", key="evt_2")
    lab.advance(minutes=1)
    story = [str(entry) for entry in queue.history(customer="cus_A")]
    assert story == [
        "[2026-03-02 09:00:00] evt_1 customer=cus_A · queued",
        "[2026-03-02 09:00:00] evt_1 customer=cus_A · failed (attempt 1): RuntimeError: not yet (1); next try at 09:00:30",
        "[2026-03-02 09:00:30] evt_1 customer=cus_A · done (attempt 2)",
    ]
    assert [entry.what for entry in queue.history("evt_2")] == ["queued", "done"]


def test_a_backoff_that_raises_does_not_lose_the_job(lab: Lab) -> None:
    calls, work = flaky(1)

    def broken(attempt: int, rng: random.Random) -> float:
        raise ZeroDivisionError("oops")

    queue = WorkQueue(lab, work, backoff=broken)
    queue.put("a")
    lab.advance(minutes=1)
    assert queue.done and len(calls) == 2
    assert "backoff() raised ZeroDivisionError" in queue.log[1].error


def test_retries_land_at_the_same_moments_for_the_same_seed() -> None:
    def moments() -> list[str]:
        with Lab(seed=3, systems=["provisioning"]) as lab:
            _, work = flaky(5)
            queue = WorkQueue(lab, work)
            queue.put("a")
            lab.advance(hours=2)
            return [str(entry) for entry in queue.log]

    assert moments() == moments()


def test_the_default_backoff_doubles_from_ten_seconds_to_an_hour_with_jitter() -> None:
    rng = random.Random(1)
    assert 5 <= default_backoff(1, rng) <= 15
    assert 1800 <= default_backoff(30, rng) <= 5400
    assert len({round(default_backoff(3, rng), 6) for _ in range(20)}) == 20


def test_errors_are_described_without_ports(lab: Lab) -> None:
    lab.provisioning.faults.down()
    with pytest.raises(requests.ConnectionError) as refused:
        requests.get(lab.provisioning.url + "/accounts", timeout=2)
    assert describe_error(refused.value) == "could not connect (refused or reset)"
    assert describe_error(requests.ReadTimeout("slow")) == "timed out waiting for an answer"
    lab.provisioning.faults.up()
    lab.provisioning.faults.errors(status=503)
    answer = requests.get(lab.provisioning.url + "/accounts", timeout=2)
    with pytest.raises(requests.HTTPError) as failed:
        answer.raise_for_status()
    assert describe_error(failed.value) == "HTTP 503"


def test_max_attempts_must_allow_one_try(lab: Lab) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        WorkQueue(lab, lambda item: None, max_attempts=0)
