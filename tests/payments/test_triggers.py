"""`hooklab trigger`: every fixture the system serves causes exactly its events, in order, delivered and verified.

A fixture whose routes the system does not serve yet must refuse cleanly (and
`--list` must say so); once its routes are served, the same test runs it. The
fixtures whose sequence the sandbox does not match yet are marked strictly,
each with what differs, so the lead unmarks them as the cards work lands.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulators import Lab
from simulators.cli import main
from simulators.cli.fixtures import FIXTURES
from simulators.cli.trigger import missing_routes
from simulators.payments.connection import connect
from simulators.payments.registry import event_types
from tests.payments.receiver import Receiver

#: Fixtures the sandbox runs but whose events differ from Stripe's today: why.
_REFUND_ORDER = "the sandbox sends refund.created before charge.refunded"
_ATTACH = "a customer created with payment_method=pm_card_visa (a shortcut) is not sent payment_method.attached"
_CUSTOMER_COUPON = "customers refuse coupon= (Stripe accepts it at 2020-08-27)"
DIVERGES = {
    "charge.refunded": _REFUND_ORDER,
    "refund.created": _REFUND_ORDER,
    "charge.refund.updated": _REFUND_ORDER,
    "refund.updated": _REFUND_ORDER,
    "customer.subscription.created": _ATTACH,
    "customer.subscription.updated": _ATTACH,
    "customer.subscription.deleted": _ATTACH,
    "invoice.upcoming": _ATTACH,
    "customer.discount.created": _CUSTOMER_COUPON,
    "customer.discount.updated": _CUSTOMER_COUPON,
    "customer.discount.deleted": _CUSTOMER_COUPON,
}


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab(seed=31, systems=["payments"]) as running:
        # Seventy triggers in a few seconds are seventy developers' commands, not one client's burst.
        running.payments.rate_limit(None)
        yield running


@pytest.fixture(scope="module")
def receiver(lab: Lab) -> Receiver:
    made = Receiver(lab)
    made.register()
    return made


def _flags(lab: Lab) -> list[str]:
    return ["--api-base", lab.payments.url, "--api-key", lab.payments.api_key]


def _cases() -> list[object]:
    return [
        pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=DIVERGES[name])] if name in DIVERGES else [])
        for name in sorted(FIXTURES)
    ]


@pytest.mark.parametrize("name", _cases())
def test_trigger_causes_exactly_its_events_in_order(
    lab: Lab, receiver: Receiver, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = FIXTURES[name]
    api = connect(lab.payments.url, lab.payments.api_key)
    missing = missing_routes(api, fixture)
    api.close()
    events_before, received_before = len(lab.payments.events()), len(receiver.events)
    code = main(["trigger", name, *_flags(lab)])
    lab.settle()
    out, err = capsys.readouterr()
    if missing:
        assert code == 1 and "not available yet" in err and missing[0] in err
        assert len(lab.payments.events()) == events_before, "a fixture that cannot run makes nothing"
        return
    assert code == 0, err
    made = [event["type"] for event in lab.payments.events()[events_before:]]
    assert tuple(made) == fixture.events
    delivered = receiver.events[received_before:]  # each verified with stripe.Webhook.construct_event
    assert receiver.failures == []
    assert [event.type for event in delivered] == list(fixture.events)
    latest = [event.id for event in delivered if event.type == name][-1]
    assert f"Trigger succeeded: {name} ({latest})" in out


def test_every_event_type_the_sandbox_sends_has_a_fixture() -> None:
    """The catalogue's event types and every declared resource's (`RESOURCE.events`) each have a row."""
    types = event_types()
    assert "billing_portal.session.created" in types  # declared by its resource module alone
    assert len(FIXTURES) >= 60
    assert len(types) == len(set(types)), "an event type is listed twice"
    assert sorted(set(types) - set(FIXTURES)) == []
    for fixture in FIXTURES.values():
        assert fixture.event in fixture.events, f"{fixture.event}'s steps never cause it"
        names = [step.name for step in fixture.steps]
        assert len(names) == len(set(names)), f"{fixture.event}: step names must be unique for ${{name:field}}"


def test_list_shows_which_fixtures_wait_for_a_route(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trigger", "--list", *_flags(lab)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines[:-1]}
    assert set(rows) == set(FIXTURES)
    assert rows["customer.created"].endswith("available")
    assert rows["coupon.created"].endswith("available")
    assert rows["plan.created"].endswith("available")
    ready = sum(line.endswith("  available") for line in rows.values())
    assert lines[-1] == f"{ready} of {len(FIXTURES)} fixtures available"


def test_an_unknown_event_or_none_is_a_usage_error(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trigger", "nothing.happened", *_flags(lab)]) == 2
    assert "customer.created" in capsys.readouterr().err
    assert main(["trigger", *_flags(lab)]) == 2
