"""Seeded customers who sign up and pay, now or spread over the lab clock.

    lab.traffic.purchase(n=5)                                  # five sign-ups, now
    lab.traffic.schedule(per_day=20, days=21, decline_rate=0.05, cancel_rate=0.1)
    lab.advance(days=21)                                       # they happen, in order

A sign-up is a new customer paying for a plan once (a PaymentIntent with
`metadata[plan]`), which is what the case study's provisioning activates on.
A cancellation is that customer asking for their money back a little later
(a refund: `charge.refunded`), which a reconciliation has to tell apart from
a customer who paid. Every step goes over real HTTP, and the same seed gives
the same people, plans, declines and moments, run after run.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import requests

from .clock import Clock
from .payments import PaymentsSystem
from .payments.billing.prices import PLANS
from .payments.client import PaymentsError

DAY = 86400.0
#: What each plan costs once, in cents (the monthly prices).
AMOUNTS = {"basic": 1900, "pro": 4900}
#: Three sign-ups in ten choose basic.
PLAN_WEIGHTS = {"basic": 0.7, "pro": 0.3}
_DECLINES = ("pm_card_chargeDeclined", "pm_card_insufficientFunds", "pm_card_chargeDeclinedExpiredCard")

FIRST_NAMES = (
    "Ada",
    "Amara",
    "Ben",
    "Carmen",
    "Chen",
    "Dara",
    "Diego",
    "Elif",
    "Emeka",
    "Farah",
    "Grace",
    "Hana",
    "Ibrahim",
    "Ines",
    "Jonas",
    "Kai",
    "Lena",
    "Luis",
    "Maya",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Sofia",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yara",
    "Yusuf",
    "Zoe",
)
LAST_NAMES = (
    "Adeyemi",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Mensah",
    "Novak",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Wong",
    "Xu",
    "Yilmaz",
    "Zhang",
)
DOMAINS = ("example.com", "example.org", "example.net")


class Traffic:
    """Seeded sign-ups and payments against one lab's payment system."""

    def __init__(self, payments: PaymentsSystem, clock: Clock, seed: int) -> None:
        self.payments = payments
        self.clock = clock
        self.rng = random.Random(f"{seed}:traffic")
        self._people = 0
        #: Scheduled steps that could not reach the payment system (it was down, say).
        self.errors: list[dict[str, Any]] = []
        #: Every sign-up so far: who, which plan, and what happened.
        self.signups: list[dict[str, Any]] = []

    # -- now --------------------------------------------------------------

    def purchase(self, n: int = 1, plan: str | None = None, decline_rate: float = 0.0) -> list[dict[str, Any]]:
        """`n` new customers sign up and pay now; returns their PaymentIntents (declined ones too)."""
        _check_count(n)
        _check_rate(decline_rate, "decline_rate")
        if plan is not None:
            _check_plan(plan)
        intents = []
        for _ in range(n):
            person = self._person()
            chosen = plan or self._plan()
            method = self.rng.choice(_DECLINES) if self.rng.random() < decline_rate else "pm_card_visa"
            intents.append(self._sign_up(person, chosen, method))
        return intents

    # -- over time --------------------------------------------------------

    def schedule(
        self,
        per_day: int = 10,
        days: float = 1,
        decline_rate: float = 0.0,
        cancel_rate: float = 0.0,
        start: datetime | float | None = None,
    ) -> dict[str, Any]:
        """Put sign-ups (and later refunds) on the lab clock at seeded moments; returns a summary.

        `per_day` sign-ups per day for `days` days from `start` (default: now).
        A share `decline_rate` of them pay with a declining card; a share
        `cancel_rate` of the paying ones ask for a refund between an hour and
        three days later.
        """
        if not isinstance(per_day, int) or isinstance(per_day, bool) or per_day < 0:
            raise ValueError(f"per_day is a whole number of sign-ups of 0 or more, not {per_day!r}")
        if not isinstance(days, (int, float)) or isinstance(days, bool) or days <= 0:
            raise ValueError(f"days is a positive number, not {days!r}")
        _check_rate(decline_rate, "decline_rate")
        _check_rate(cancel_rate, "cancel_rate")
        begin = self.clock.time() if start is None else _timestamp(start)
        total = round(per_day * days)
        moments = sorted(float(int(begin + self.rng.uniform(0, days * DAY))) for _ in range(total))
        plans: dict[str, int] = {}
        declines = cancels = 0
        for moment in moments:
            person = self._person()
            chosen = self._plan()
            plans[chosen] = plans.get(chosen, 0) + 1
            method = self.rng.choice(_DECLINES) if self.rng.random() < decline_rate else "pm_card_visa"
            declines += method != "pm_card_visa"
            refund_at = None
            if method == "pm_card_visa" and self.rng.random() < cancel_rate:
                refund_at = float(int(moment + self.rng.uniform(3600, 3 * DAY)))
                cancels += 1
            self.clock.call_at(
                moment, self._signup_job(person, chosen, method, refund_at), name=f"traffic: {person['email']} signs up"
            )
        return {
            "signups": total,
            "per_day": per_day,
            "days": days,
            "first": _iso(moments[0]) if moments else None,
            "last": _iso(moments[-1]) if moments else None,
            "plans": dict(sorted(plans.items())),
            "declines": declines,
            "cancellations": cancels,
        }

    # -- steps ------------------------------------------------------------

    def _signup_job(self, person: dict[str, str], plan: str, method: str, refund_at: float | None) -> Any:
        def sign_up() -> None:
            try:
                intent = self._sign_up(person, plan, method)
            except (PaymentsError, requests.RequestException) as exc:
                self._failed("sign_up", person, exc)
                return
            if refund_at is not None and intent["status"] == "succeeded":
                self.clock.call_at(
                    refund_at,
                    self._refund_job(person, intent["id"]),
                    name=f"traffic: {person['email']} asks for a refund",
                )

        return sign_up

    def _refund_job(self, person: dict[str, str], intent_id: str) -> Any:
        def refund() -> None:
            try:
                self.payments.refund(intent_id)
            except (PaymentsError, requests.RequestException) as exc:
                self._failed("refund", person, exc)

        return refund

    def _sign_up(self, person: dict[str, str], plan: str, method: str) -> dict[str, Any]:
        payments = self.payments
        customer = payments.create_customer(person["email"], name=person["name"], metadata={"plan": plan})
        intent = payments.pay(
            customer["id"],
            AMOUNTS[plan],
            payment_method=method,
            metadata={"plan": plan},
            description=f"{plan.title()} plan ({PLANS[plan]})",
        )
        self.signups.append(
            {
                "at": _iso(self.clock.time()),
                "customer": customer["id"],
                "email": person["email"],
                "plan": plan,
                "payment_intent": intent["id"],
                "status": intent["status"],
            }
        )
        return intent

    def _failed(self, step: str, person: dict[str, str], exc: Exception) -> None:
        self.errors.append({"at": _iso(self.clock.time()), "step": step, "email": person["email"], "error": str(exc)})

    def _person(self) -> dict[str, str]:
        self._people += 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{self._people}@{self.rng.choice(DOMAINS)}".lower()
        return {"name": f"{first} {last}", "email": email}

    def _plan(self) -> str:
        return self.rng.choices(list(PLAN_WEIGHTS), weights=list(PLAN_WEIGHTS.values()))[0]


def _check_count(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 10_000:
        raise ValueError(f"n is a whole number of customers from 0 to 10000, not {n!r}")


def _check_rate(rate: float, name: str) -> None:
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} is a share between 0 and 1, not {rate!r}")


def _check_plan(plan: str) -> None:
    if plan not in AMOUNTS:
        raise ValueError(f"unknown plan {plan!r}; choose one of {', '.join(AMOUNTS)}")


def _timestamp(when: datetime | float) -> float:
    if isinstance(when, datetime):
        return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()
    return float(when)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()
