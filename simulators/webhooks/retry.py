"""Retry policies as data: after the n-th failed attempt, wait this long.

The schedules are the ones real senders publish or document: none (the case
study's setup), Stripe-like exponential backoff over about three days, and the
Standard Webhooks example schedule. Jitter is drawn from the lab's seeded
random source, so retries land at the same moments run after run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again after each failed attempt, and when to give up on an endpoint."""

    name: str
    #: Seconds to wait after the 1st, 2nd, … failed attempt; past the end, give up.
    delays: tuple[float, ...] = ()
    #: Each wait is stretched or shrunk by up to this share, at random.
    jitter: float = 0.0
    #: An endpoint failing without a single success for this long is disabled.
    disable_after: float | None = None
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if any(delay < 0 for delay in self.delays):
            raise ValueError("retry delays cannot be negative")
        if not 0.0 <= self.jitter < 1.0:
            raise ValueError(f"jitter is a share between 0 and 1, not {self.jitter!r}")

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def delay_after(self, failed_attempts: int, rng: random.Random) -> float | None:
        """Seconds until the next attempt, or None when the policy gives up."""
        if failed_attempts < 1 or failed_attempts > len(self.delays):
            return None
        delay = self.delays[failed_attempts - 1]
        if self.jitter:
            delay *= 1 + rng.uniform(-self.jitter, self.jitter)
        return delay

    def schedule(self) -> list[float]:
        """Seconds from the first attempt to each attempt, without jitter."""
        moments, elapsed = [0.0], 0.0
        for delay in self.delays:
            elapsed += delay
            moments.append(elapsed)
        return moments

    @classmethod
    def custom(
        cls,
        delays: list[float] | tuple[float, ...],
        *,
        jitter: float = 0.0,
        name: str = "custom",
        disable_after: float | None = None,
    ) -> RetryPolicy:
        return cls(name, tuple(float(d) for d in delays), jitter, disable_after, "your own schedule")


NONE = RetryPolicy("none", (), description="one attempt, never retried (the case study's setup)")

# Stripe documents "up to three days, exponential backoff" without intervals:
# doubling from one minute, capped at 12 hours, spans about 2.7 days over 14 retries.
STRIPE = RetryPolicy(
    "stripe",
    tuple(min(60.0 * 2**n, 12 * HOUR) for n in range(14)),
    jitter=0.1,
    disable_after=3 * DAY,
    description="exponential backoff from 1 minute, for about three days",
)

STANDARD = RetryPolicy(
    "standard",
    (5.0, 5 * 60.0, 30 * 60.0, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR),
    jitter=0.1,
    disable_after=5 * DAY,
    description="the Standard Webhooks example schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h",
)

POLICIES = {policy.name: policy for policy in (NONE, STRIPE, STANDARD)}


def policy_named(name_or_policy: str | RetryPolicy | list[float] | tuple[float, ...]) -> RetryPolicy:
    """Accept a policy, its name, or a list of delays in seconds."""
    if isinstance(name_or_policy, RetryPolicy):
        return name_or_policy
    if isinstance(name_or_policy, (list, tuple)):
        return RetryPolicy.custom(name_or_policy)
    try:
        return POLICIES[name_or_policy]
    except KeyError:
        raise ValueError(
            f"unknown retry policy {name_or_policy!r}; choose one of {', '.join(POLICIES)} or give a list of delays"
        ) from None
