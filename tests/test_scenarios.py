"""The case study scenario: the story loses paying customers silently, and each fix changes what the data shows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from simulators import Lab
from simulators.course.scenarios import (
    FIXES,
    SYSTEMS,
    WATCH_EVERY,
    AlertRule,
    CaseStudy,
    describe_span,
    run_case_study,
)

SEED = 11


@pytest.fixture(scope="module")
def story() -> CaseStudy:
    return run_case_study(SEED)


def test_the_story_loses_exactly_the_customers_who_paid_during_the_outage(story: CaseStudy) -> None:
    assert story.lost, "the outage must cost someone their access, or there is no story"
    for customer in story.lost:
        assert story.outage_start <= customer["paid_at"] <= story.outage_end
    assert story.paid > 10 * len(story.lost)  # three weeks of customers who were fine
    assert story.failed_deliveries >= len(story.lost)
    assert story.alerts == 0 and story.repaired == []


def test_the_figures_add_up_because_refunded_customers_kept_access(story: CaseStudy) -> None:
    # The company's handler ignores refunds: a second silent failure, access without payment.
    assert story.kept_access, "the story needs a refunded customer who kept access"
    assert story.active == story.paid - len(story.lost) + len(story.kept_access)
    assert all(c["name"] for c in story.kept_access + story.lost), "customers are named, not only ids"


def test_in_the_story_a_customer_notices_after_five_days_not_the_company(story: CaseStudy) -> None:
    assert story.noticed_by == "a customer's complaint"
    assert story.time_to_notice is not None and story.time_to_notice > timedelta(days=4)
    assert story.ended == story.outage_start + timedelta(days=5)


def test_the_same_seed_tells_the_same_story_on_a_lab_you_keep(story: CaseStudy) -> None:
    with Lab(seed=SEED, systems=list(SYSTEMS)) as lab:
        again = run_case_study(lab=lab)
        assert again.figures() == story.figures()
        assert [c["customer"] for c in again.lost] == [c["customer"] for c in story.lost]
        missing = {p["customer"] for p in lab.payments.payments(status="succeeded", refunded=False)} - {
            a["customer"] for a in lab.provisioning.accounts(status="active")
        }
        assert missing == {c["customer"] for c in story.lost}  # the figures are the lab's own data


def test_retries_alone_lose_nobody_and_tell_nobody(story: CaseStudy) -> None:
    result = run_case_study(SEED, ["retries"])
    assert result.lost == []
    assert result.failed_deliveries > story.failed_deliveries  # the retries during the outage failed too
    assert result.time_to_notice is None and result.alerts == 0
    assert timedelta(0) < result.longest_wait < timedelta(hours=12)


def test_reconciliation_alone_repairs_both_gaps_overnight(story: CaseStudy) -> None:
    result = run_case_study(SEED, ["reconciliation"])
    assert result.lost == [] and result.kept_access == []
    assert sorted(result.repaired) == sorted(c["customer"] for c in story.lost)
    assert sorted(result.revoked) == sorted(c["customer"] for c in story.kept_access)
    assert result.active == result.paid
    assert result.reports > 0 and result.alerts == 0
    assert result.noticed_by == "the nightly reconciliation"
    assert result.time_to_notice is not None and result.time_to_notice < timedelta(days=1)


def test_all_fixes_lose_nobody_and_a_named_person_knows_within_the_hour() -> None:
    result = run_case_study(SEED, FIXES)
    assert result.lost == []
    assert result.noticed_by == "an alert email" and result.alerts > 0
    assert result.time_to_notice is not None and result.time_to_notice < timedelta(hours=1)
    assert result.figures()["paid, no access"] == 0
    assert "an alert email told someone" in result.summary()


def test_the_alert_opens_reminds_and_closes_instead_of_paging_every_look() -> None:
    every_look = run_case_study(SEED, ["retries", "alert"], alert_rule=AlertRule(remind_every=WATCH_EVERY))
    grouped = run_case_study(SEED, ["retries", "alert"])
    assert every_look.alerts > 3 * grouped.alerts  # alert fatigue, measured
    assert 2 <= grouped.alerts <= 5  # opened, a reminder or two, resolved
    assert grouped.time_to_notice == every_look.time_to_notice  # grouping costs no time to notice


def test_an_alert_that_waits_for_the_sender_to_give_up_says_nothing_while_retries_go_on() -> None:
    late = run_case_study(SEED, ["retries", "alert"], alert_rule=AlertRule(on="sender gives up"))
    assert late.alerts == 0 and late.time_to_notice is None


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"on": "sometimes"}, "on is one of"), ({"remind_every": timedelta(minutes=1)}, "at least")]
)
def test_bad_alert_rules_say_what_was_wrong(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AlertRule(**kwargs)


def test_a_lab_that_was_used_already_is_refused() -> None:
    with Lab(seed=1, systems=list(SYSTEMS)) as lab:
        lab.traffic.purchase(1)
        with pytest.raises(ValueError, match="fresh lab"):
            run_case_study(lab=lab)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fixes": ["retry"]}, "unknown fix 'retry'"),
        ({"outage_hours": 0}, "outage_hours"),
        ({"outage_hours": 24 * 5}, "outage_hours"),
    ],
)
def test_bad_arguments_say_what_was_wrong(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_case_study(SEED, **kwargs)


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(days=4, hours=23, minutes=10), "4 days 23 h"),
        (timedelta(days=1), "1 day 0 h"),
        (timedelta(hours=3, minutes=12), "3 h 12 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(minutes=5, seconds=59), "5 min"),
        (None, "never"),
    ],
)
def test_durations_read_at_a_glance(span: timedelta | None, text: str) -> None:
    assert describe_span(span) == text
