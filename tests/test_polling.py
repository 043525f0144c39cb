"""Polling versus webhooks, measured: every strategy sees every event once, and counts what it cost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators import Lab
from simulators.course.polling import Race


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, systems=["payments"]) as lab:
        yield lab


def test_pollers_and_webhooks_each_see_every_event_once_in_order(lab: Lab) -> None:
    race = Race(lab)
    fast, slow = race.poller(300), race.poller(3600)
    race.webhooks()
    lab.traffic.purchase(n=30)  # a burst of 120 events, more than a page, before anyone looks
    lab.traffic.schedule(per_day=24, days=0.5)
    lab.advance(hours=12)
    everything = [event["id"] for event in lab.payments.events()]
    assert len(everything) > 150
    assert fast.seen == everything
    assert slow.seen == everything
    assert sorted(race.hook_seen) == sorted(everything)


def test_delays_stay_under_the_interval_and_webhooks_arrive_at_once(lab: Lab) -> None:
    race = Race(lab)
    poller = race.poller(900)
    hook = race.webhooks()
    lab.traffic.schedule(per_day=48, days=0.25)
    lab.advance(hours=6)
    assert poller.result.noticed == hook.noticed == len(lab.payments.events())
    assert all(0 <= delay < 900 for delay in poller.result.delays)
    assert max(poller.result.delays) > 300  # someone waited well over a few minutes
    assert hook.delays and max(hook.delays) == 0
    assert 0 < poller.result.percentile(0.5) <= poller.result.percentile(0.9) <= max(poller.result.delays)


def test_a_quiet_hour_costs_one_empty_request_per_poll(lab: Lab) -> None:
    race = Race(lab)
    poller = race.poller(300)
    lab.advance(hours=1)
    assert (poller.result.requests, poller.result.empty, poller.result.noticed) == (12, 12, 0)
    assert "12 requests,   12 empty" in str(poller.result)


def test_a_poller_that_starts_before_any_event_still_sees_the_first_burst(lab: Lab) -> None:
    poller = Race(lab).poller(60)
    assert poller.cursor is None
    lab.traffic.purchase(n=40)  # 160 events: two pages walked back from the newest
    lab.advance(minutes=1)
    assert poller.seen == [event["id"] for event in lab.payments.events()]
    assert poller.result.requests == 2


def test_polling_every_second_meets_the_rate_limit_and_backing_off_stops_it(lab: Lab) -> None:
    race = Race(lab)
    hammer = race.poller(1, backoff=False)
    lab.advance(minutes=5)
    assert hammer.result.rate_limited > 40
    assert hammer.result.requests == 300
    hammer.stop()
    lab.payments.rate_limit()  # a fresh bucket for the polite poller
    polite = race.poller(1, backoff=True)
    lab.advance(minutes=10)
    assert polite.result.rate_limited == 1
    assert polite.every == 2
