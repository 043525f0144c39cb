"""Every learner's check scene can be passed by a right answer: the scene generators swept over many learner ids.

A learner's scene is drawn from their id (simulators/course/checking/variant.py). These tests draw the
scenes of every variant-dependent check for 300 learner ids in `make test` and 10,000 with --run-slow,
without a lab, and hold each scene to a fast model of the check's promise. tests/test_variant_sweep.py
runs the solutions themselves in labs under real learner ids.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from exercises.checks import ex01_first_automation, ex05_alert, ex05_chaos
from exercises.checks.ex05_promise import RETRYING, Scene, keeps_promise, longest_wait
from simulators.course.checking.variant import Variant
from simulators.webhooks.retry import STANDARD, STRIPE
from tests.robustness.slow import run_slow

HOUR = 3600.0
START = 1772442000.0  # the lab clock's start, Monday 2026-03-02 09:00 UTC
NIGHT = START + 17 * HOUR  # 02:00 the next morning, when the reconciliation first runs
TWELVE_HOURS = ex05_chaos.ACCESS_WITHIN.total_seconds()
#: The learner whose scene failed the reference solution before scenes were drawn by the promise.
FAILED_BEFORE = "learner-81b35e76"


def learners(count: int) -> list[str]:
    """`count` learner ids shaped as hooklab writes them, the same every run."""
    return [f"learner-{hashlib.sha256(f'sweep {n}'.encode()).hexdigest()[:8]}" for n in range(count)]


def swept() -> list[str]:
    return learners(10_000 if run_slow() else 300)


def scene_of(outages: list[dict], start: float = START) -> Scene:
    """The promise's scene for a drawn schedule, rebuilt here from what the check's lab would get."""
    return Scene(
        outages=tuple((o["start"], o["end"]) for o in outages),
        provisioning=tuple((o["start"], o["end"]) for o in outages if o["where"] == "provisioning"),
        payments=(start, max(start + 86400, *(o["end"] for o in outages))),
        repairs=(NIGHT, NIGHT + 86400),
    )


def chaos_schedule(seed: int) -> list[dict]:
    return ex05_chaos.plan_outages(random.Random(f"chaos:{seed}"), START)


# -- the model itself ------------------------------------------------------------------------------------


def test_one_outage_of_six_hours_is_always_recovered_by_retries_within_twelve() -> None:
    scene = Scene(((START + HOUR, START + 7 * HOUR),), (), (START, START + 86400), ())
    for policy in RETRYING:
        assert 2 * HOUR < longest_wait(scene, policy) < TWELVE_HOURS, policy.name


def test_two_outages_that_catch_the_same_retries_break_the_promise_unless_the_night_repairs_it() -> None:
    # A payment caught by the first outage: its retry hours later lands in the second one, the next much later.
    chained = ((START + 2 * HOUR, START + 7 * HOUR), (START + 9.5 * HOUR, START + 15 * HOUR))
    alone = Scene(chained, (), (START, START + 86400), ())
    assert longest_wait(alone, STRIPE) > TWELVE_HOURS and longest_wait(alone, STANDARD) > TWELVE_HOURS
    repaired = Scene(chained, (), (START, START + 86400), (START + 8 * HOUR,))
    assert longest_wait(repaired, STRIPE) < TWELVE_HOURS, "the night's repair lets the customer in first"
    down_at_night = Scene(
        chained, ((START + 13 * HOUR, START + 15 * HOUR),), (START, START + 86400), (START + 14 * HOUR,)
    )
    assert longest_wait(down_at_night, STRIPE) > TWELVE_HOURS, "a repair while provisioning is down repairs nothing"


def test_the_schedule_that_failed_the_solution_in_a_lab_is_one_the_model_refuses() -> None:
    seeds = Variant.of(FAILED_BEFORE).seeds(ex05_chaos.SEEDS)
    failed = seeds[14]  # schedule 15 of 20, seed 414421432: a customer waited past 12 h in the lab
    assert failed == 414421432
    first_draw = ex05_chaos._draw_outages(random.Random(f"chaos:{failed}"), START)
    assert not keeps_promise(scene_of(first_draw), TWELVE_HOURS)
    redrawn = chaos_schedule(failed)
    assert redrawn != first_draw and keeps_promise(scene_of(redrawn), TWELVE_HOURS)


# -- the sweeps ------------------------------------------------------------------------------------------


def test_every_learners_chaos_schedules_keep_the_promise_and_still_vary() -> None:
    # plan_outages keeps only schedules the model accepts; what the redrawing could lose is the variety a
    # learner's receiver must survive: several outages in one day, on both services, of both kinds.
    broken, counts, places = [], set(), set()
    for learner in swept():
        for number, seed in enumerate(Variant.of(learner).seeds(ex05_chaos.SEEDS), 1):
            outages = chaos_schedule(seed)
            counts.add(len(outages))
            places.update((o["where"], o["kind"]) for o in outages)
            if not keeps_promise(scene_of(outages), TWELVE_HOURS):
                broken.append(f"{learner} schedule {number} (seed {seed})")
    assert not broken, f"{len(broken)} schedules a right answer cannot pass, e.g. {broken[:3]}"
    assert counts == {1, 2, 3}, f"outages per schedule seen: {sorted(counts)}"
    assert places == {(w, k) for w in ("provisioning", "receiver") for k in ("down", "errors")}, places


def test_every_learners_receipt_amounts_tell_the_payments_apart() -> None:
    for learner in swept():
        first, no_address, late = ex01_first_automation._amounts(Variant.of(learner))
        assert first != late, learner  # a receipt with the first amount typed in must fail on the late one
        assert all(1000 <= amount < 9900 and amount % 100 == 0 for amount in (first, no_address, late)), learner
        assert str(first) not in str(late) and str(late) not in str(first), learner


def test_every_learners_alert_scene_has_a_failure_count_the_email_can_state() -> None:
    for learner in swept():
        unlucky = Variant.of(learner).rng("ex05_alert").randint(2, 5)
        # The count is read as a count in the solution's own email, never as its "15 minutes".
        assert ex05_alert._names_count(f"{unlucky} webhook deliveries failed", unlucky)
        assert not ex05_alert._names_count("Deliveries failed in the last 15 minutes", unlucky)


@pytest.mark.parametrize("learner", ["", "ada", FAILED_BEFORE])
def test_the_storms_are_each_learners_own_and_the_course_keeps_its_ten(learner: str) -> None:
    from exercises.checks import ex04_reliable_handler

    seeds = Variant.of(learner).seeds(ex04_reliable_handler.SEEDS)
    assert len(set(seeds)) == len(ex04_reliable_handler.SEEDS)
    assert (seeds == ex04_reliable_handler.SEEDS) == (learner == "")
