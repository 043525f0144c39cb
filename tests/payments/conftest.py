"""Fixtures for the payment system's tests: a lab, the official SDK pointed at it, a verifying receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from simulators import Lab
from tests.payments.receiver import Receiver


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, systems=["provisioning", "payments"]) as running:
        yield running


@pytest.fixture
def bare_lab() -> Iterator[Lab]:
    """A lab with payments only: no provisioning endpoint receiving events."""
    with Lab(seed=11, systems=["payments"]) as running:
        yield running


@pytest.fixture
def sdk(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The `stripe` module, configured globally the way the docs tell a learner to."""
    monkeypatch.setattr(stripe, "api_key", lab.payments.api_key)
    monkeypatch.setattr(stripe, "api_base", lab.payments.url)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    return stripe


@pytest.fixture
def client(lab: Lab) -> stripe.StripeClient:
    return stripe.StripeClient(lab.payments.api_key, base_addresses={"api": lab.payments.url}, max_network_retries=0)


@pytest.fixture
def receiver(lab: Lab) -> Receiver:
    made = Receiver(lab)
    made.register()
    return made
