"""The lab clock: virtual time, due order, settle, real-time mode."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from simulators.clock import DEFAULT_START, Clock


@pytest.fixture
def clock():
    running = Clock()
    yield running
    running.stop()


def test_virtual_time_stands_still_between_calls(clock: Clock) -> None:
    first = clock.now()
    threading.Event().wait(0.05)
    assert clock.now() == first == DEFAULT_START


def test_advance_runs_jobs_in_due_order_at_their_due_time(clock: Clock) -> None:
    seen = []
    for hours in (5, 1, 3):
        clock.call_later(timedelta(hours=hours), lambda h=hours: seen.append((h, clock.now())))
    clock.advance(hours=4)
    assert [h for h, _ in seen] == [1, 3]
    assert [at for _, at in seen] == [DEFAULT_START + timedelta(hours=1), DEFAULT_START + timedelta(hours=3)]
    assert clock.now() == DEFAULT_START + timedelta(hours=4)
    clock.advance(hours=1)
    assert [h for h, _ in seen] == [1, 3, 5]


def test_jobs_scheduled_by_jobs_run_within_the_same_advance(clock: Clock) -> None:
    seen = []

    def first() -> None:
        seen.append("first")
        clock.call_later(60, lambda: seen.append(("second", clock.now())))

    clock.call_later(60, first)
    clock.advance(minutes=5)
    assert seen == ["first", ("second", DEFAULT_START + timedelta(minutes=2))]


def test_work_due_now_runs_in_the_background_and_settle_waits_for_it(clock: Clock) -> None:
    release = threading.Event()
    done = []
    clock.call_soon(lambda: (release.wait(2), done.append(True)))
    assert done == []  # call_soon does not block the caller
    release.set()
    clock.settle()
    assert done == [True]


def test_every_repeats_on_its_interval(clock: Clock) -> None:
    times = []
    clock.every(timedelta(days=1), lambda: times.append(clock.now()), first=DEFAULT_START + timedelta(hours=17))
    clock.advance(days=3)
    assert times == [DEFAULT_START + timedelta(hours=17, days=n) for n in range(3)]


def test_a_job_that_raises_is_recorded_and_the_clock_goes_on() -> None:
    failures = []
    clock = Clock(on_failure=failures.append)
    try:
        ran = []
        clock.call_later(10, lambda: 1 / 0, name="broken job")
        clock.call_later(20, lambda: ran.append(True))
        clock.advance(minutes=1)
        assert ran == [True]
        assert [f.name for f in failures] == ["broken job"]
        assert "ZeroDivisionError" in failures[0].error and "Traceback" in failures[0].traceback
    finally:
        clock.stop()


def test_cancelled_jobs_do_not_run(clock: Clock) -> None:
    ran = []
    job = clock.call_later(10, lambda: ran.append(True))
    job.cancel()
    clock.advance(minutes=1)
    assert ran == []


def test_the_clock_only_moves_forward(clock: Clock) -> None:
    with pytest.raises(ValueError, match="forward"):
        clock.advance(seconds=-1)
    clock.advance(hours=2)
    clock.run_until(DEFAULT_START)  # in the past: nothing moves
    assert clock.now() == DEFAULT_START + timedelta(hours=2)


def test_real_time_mode_runs_jobs_when_due_and_advance_skips_ahead() -> None:
    clock = Clock(realtime=True, speed=1000.0)
    try:
        ran = threading.Event()
        clock.call_later(50, ran.set)  # 50 lab seconds = 0.05 real seconds at speed 1000
        assert ran.wait(5)
        before = clock.time()
        clock.advance(hours=1)
        assert clock.time() - before >= 3600
    finally:
        clock.stop()


def test_stop_is_idempotent_and_refuses_new_work() -> None:
    clock = Clock()
    clock.stop()
    clock.stop()
    with pytest.raises(RuntimeError, match="stopped"):
        clock.call_soon(lambda: None)


@pytest.mark.parametrize(
    "move",
    [
        lambda clock: clock.advance(seconds=float("nan")),
        lambda clock: clock.advance(days=float("inf")),
        lambda clock: clock.run_until(float("nan")),
    ],
)
def test_the_clock_refuses_a_move_that_is_not_a_finite_time(move) -> None:
    clock = Clock()
    try:
        before = clock.time()
        with pytest.raises(ValueError, match="finite"):
            move(clock)
        assert clock.time() == before
        assert clock.advance(minutes=1) is not None and clock.time() == before + 60
    finally:
        clock.stop()


def test_a_job_that_calls_exit_is_recorded_and_the_clock_runs_on() -> None:
    clock = Clock()
    ran: list[str] = []
    try:
        clock.call_later(1, lambda: exit(3), name="quitter")
        clock.call_later(2, lambda: ran.append("after"), name="after")
        clock.advance(seconds=5)
        assert ran == ["after"]
        assert [f.name for f in clock.failures] == ["quitter"] and "SystemExit" in clock.failures[0].error
    finally:
        clock.stop()
