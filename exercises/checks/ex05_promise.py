"""The chaos check's twelve-hour promise, modelled without a lab: can a right answer keep it in this scene?

A right answer (retries switched on, 503 whenever provisioning did not confirm the work) gets a paying
customer in at the first delivery attempt that falls outside every outage: an outage of the receiver
fails the attempt itself, and one of provisioning makes the receiver answer 503. So how long a
customer waits depends only on the sender's retry schedule and the outage windows. Two outages close
together can catch the same payment's retries twice, and its next attempt, hours later by then,
lands past the promise: such a scene would fail a right answer, so the check never draws it.

A right answer's nightly reconciliation also lets in whoever paid and is still waiting, when it runs
while provisioning is up. The model is conservative: each retry delay may be stretched by the
policy's jitter and each attempt lands up to SLACK seconds late; an attempt counts as failed if it
could fall in an outage at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulators.webhooks.retry import POLICIES, RetryPolicy

#: The sender's policies a right answer may choose (the exercise offers "stripe" and "standard").
RETRYING = tuple(policy for policy in POLICIES.values() if policy.delays)
#: How late an attempt may land after its scheduled moment (the delivery job's own latency).
SLACK = 60.0
#: Within this many seconds of a piece's end, the model looks at the moment just before it.
EPSILON = 1.0

Window = tuple[float, float]


def attempt_ranges(policy: RetryPolicy) -> list[tuple[float, float]]:
    """Seconds from a payment to each delivery attempt: the earliest and the latest it may happen."""
    ranges, low, high = [(0.0, SLACK)], 0.0, 0.0
    for delay in policy.delays:
        low += delay * (1 - policy.jitter)
        high += delay * (1 + policy.jitter)
        ranges.append((low, high + SLACK))
    return ranges


def longest_wait(scene: Scene, policy: RetryPolicy) -> float:
    """The longest a customer paying in `scene` waits for access, past the moment the check measures from.

    The check measures from the payment, or from the end of the outage the payment fell in (the latest
    such end). Infinity when nothing lets a payment in.
    """
    ranges = np.array(attempt_ranges(policy))  # (attempt, low/high)
    starts, ends = np.array(scene.outages).T
    # Attempt k of a payment at t can fail when t lies in [start - high_k, end - low_k] of some outage.
    first_blocked = starts[None, :] - ranges[:, 1:2]  # (attempt, outage)
    last_blocked = ends[None, :] - ranges[:, 0:1]
    # The wait is piecewise: within a piece it is flat or grows, so its worst is just before a piece ends.
    edges = np.concatenate(
        [first_blocked.ravel(), last_blocked.ravel(), starts, ends, scene.repairs, [scene.payments[1]]]
    )
    paid = np.concatenate([edges - EPSILON, edges])
    paid = paid[(paid >= scene.payments[0]) & (paid <= scene.payments[1])]
    blocked = (
        (paid[None, None, :] >= first_blocked[:, :, None]) & (paid[None, None, :] <= last_blocked[:, :, None])
    ).any(axis=1)  # (attempt, payment)
    clear = ~blocked
    retried = np.where(clear.any(axis=0), paid + ranges[clear.argmax(axis=0), 1], np.inf)
    caught = (paid[:, None] >= starts[None, :]) & (paid[:, None] <= ends[None, :])
    since = np.maximum(paid, np.where(caught, ends[None, :], -np.inf).max(axis=1))
    return float((np.minimum(retried, _repaired(scene, paid)) - since).max(initial=0.0))


def _repaired(scene: Scene, paid: np.ndarray) -> np.ndarray:
    """When the nightly reconciliation lets in a payment made at `paid` (infinity: no night run while up)."""
    repaired = np.full(paid.shape, np.inf)
    for at in sorted(scene.repairs, reverse=True):  # the earliest run that works wins
        if not any(start <= at <= end for start, end in scene.provisioning):
            repaired = np.where(paid < at, at + SLACK, repaired)
    return repaired


@dataclass(frozen=True)
class Scene:
    """What the promise depends on: every outage, provisioning's alone, when people pay, when repairs run."""

    outages: tuple[Window, ...]
    provisioning: tuple[Window, ...]
    payments: Window
    repairs: tuple[float, ...]


def keeps_promise(scene: Scene, within: float) -> bool:
    """Whether a right answer, with any retrying policy the sender offers, gets every payer in within `within`."""
    return all(longest_wait(scene, policy) <= within for policy in RETRYING)
