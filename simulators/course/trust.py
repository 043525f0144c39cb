"""Five webhook deliveries at a receiver's door, to judge without code: act on each one, or refuse it and say why.

    pile = suspect_deliveries()
    print(pile)                       # each delivery as a card: what it says, when it was signed, both fingerprints
    pile.verdicts()                   # what the lab's own verifier (`verify_stripe`) says of each

One is genuine, one had its amount changed on the way, one is a genuine
webhook captured last week and sent again, one comes from someone who does
not have the secret, and one is a genuine refund (unwelcome news, but real).
The bodies, times and secret are fixed, so the cards print the same on every
run; the fingerprints are made by the lab's `sign_stripe`, never by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from simulators.webhooks.signing import DEFAULT_TOLERANCE, SignatureError, sign_stripe, verify_stripe

ACT = "act on it"
CHANGED = "refuse: the fingerprint does not match"
TOO_OLD = "refuse: signed too long ago"
UNSIGNED = "refuse: not signed"
#: The four answers a learner chooses from, in the order the notebook lists them.
CHOICES = (ACT, CHANGED, TOO_OLD, UNSIGNED)
#: The receiver's signing secret: the payment system has a copy, nobody else does.
SECRET = "whsec_hooklab_exercise_03_trust"
#: The lab clock's Monday morning, when the deliveries arrive.
MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
FINGERPRINT_CHARS = 12


@dataclass(frozen=True)
class Delivery:
    """One request that reached the receiver: its body, its signature header, and when it arrived."""

    label: str
    body: bytes
    header: str
    arrived: datetime
    says: str

    @property
    def signed_at(self) -> datetime | None:
        stamps = [part[2:] for part in self.header.split(",") if part.startswith("t=")]
        return datetime.fromtimestamp(int(stamps[0]), tz=timezone.utc) if stamps else None

    def fingerprint_in_header(self) -> str | None:
        found = [part[3:] for part in self.header.split(",") if part.startswith("v1=")]
        return found[0][:FINGERPRINT_CHARS] if found else None

    def fingerprint_of_body(self, secret: str = SECRET) -> str | None:
        """The fingerprint our secret makes of this exact body, at the header's time (None without a time)."""
        if self.signed_at is None:
            return None
        made = sign_stripe(self.body, secret, int(self.signed_at.timestamp()))
        return made.split("v1=", 1)[1][:FINGERPRINT_CHARS]

    def verdict(self, secret: str = SECRET) -> str:
        """What the lab's verifier says: one of CHOICES."""
        try:
            verify_stripe(self.body, self.header, secret, now=self.arrived.timestamp())
        except SignatureError as error:
            text = str(error)
            if text.startswith("missing"):
                return UNSIGNED
            if text.startswith("timestamp"):
                return TOO_OLD
            return CHANGED
        return ACT

    def card(self) -> str:
        signed = self.signed_at
        lines = [
            f"Delivery {self.label} · arrived {_when(self.arrived)}",
            f"  says:                      {self.says}",
            f"  signed at (t= in header):  {_when(signed) if signed else '(no signature header)'}",
            f"  fingerprint in the header: {self.fingerprint_in_header() or '(none)'}",
            f"  fingerprint of this body, made with our secret: {self.fingerprint_of_body() or '(nothing to compare)'}",
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class Pile:
    """The deliveries, in the order they arrived."""

    deliveries: tuple[Delivery, ...]

    #: The answers a learner chooses from.
    choices = CHOICES

    @property
    def labels(self) -> list[str]:
        return [delivery.label for delivery in self.deliveries]

    def verdicts(self) -> dict[str, str]:
        return {delivery.label: delivery.verdict() for delivery in self.deliveries}

    def __str__(self) -> str:
        rule = f"A signature is good for {DEFAULT_TOLERANCE // 60} minutes after it was made."
        return "\n\n".join([*(delivery.card() for delivery in self.deliveries), rule])


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %H:%M:%S}"


def _event(number: int, kind: str, created: datetime, thing: dict[str, object]) -> dict[str, object]:
    return {
        "id": f"evt_trust{number:02d}",
        "object": "event",
        "type": kind,
        "created": int(created.timestamp()),
        "livemode": False,
        "data": {"object": thing},
    }


def _payment(number: int, customer: str, amount: int, plan: str) -> dict[str, object]:
    return {
        "id": f"pi_trust{number:02d}",
        "object": "payment_intent",
        "amount": amount,
        "currency": "usd",
        "customer": customer,
        "status": "succeeded",
        "metadata": {"plan": plan},
    }


def _body(event: dict[str, object]) -> bytes:
    return json.dumps(event, indent=2).encode()


def _signed(body: bytes, at: datetime, secret: str = SECRET) -> str:
    return sign_stripe(body, secret, int(at.timestamp()))


def suspect_deliveries() -> Pile:
    """The five deliveries of Monday morning, A to E."""
    minute = timedelta(minutes=1)
    # A: Alan paid $19.00 for basic; on the way someone made it $49.00 and pro, keeping the header.
    sent_a = MORNING + 2 * minute
    genuine_a = _body(_event(1, "payment_intent.succeeded", sent_a, _payment(1, "cus_alan", 1900, "basic")))
    changed_a = _body(_event(1, "payment_intent.succeeded", sent_a, _payment(1, "cus_alan", 4900, "pro")))
    # B: Ada paid $49.00 for pro, signed and sent at once.
    sent_b = MORNING + 5 * minute
    body_b = _body(_event(2, "payment_intent.succeeded", sent_b, _payment(2, "cus_ada", 4900, "pro")))
    # C: someone without the secret says a stranger paid; they cannot sign it.
    sent_c = MORNING + 9 * minute
    body_c = _body(_event(3, "payment_intent.succeeded", sent_c, _payment(3, "cus_free_rider", 4900, "pro")))
    # D: Grace's genuine payment from last Monday, captured then and sent again today.
    last_week = MORNING - timedelta(days=7) + 12 * minute
    body_d = _body(_event(4, "payment_intent.succeeded", last_week, _payment(4, "cus_grace", 4900, "pro")))
    # E: Hedy asked for her money back: a genuine refund.
    sent_e = MORNING + 14 * minute
    refund = {"id": "ch_trust05", "object": "charge", "customer": "cus_hedy", "amount_refunded": 1900, "refunded": True}
    body_e = _body(_event(5, "charge.refunded", sent_e, refund))
    second = timedelta(seconds=1)
    return Pile(
        (
            Delivery(
                "A",
                changed_a,
                _signed(genuine_a, sent_a),
                sent_a + second,
                "payment_intent.succeeded: Alan Turing (cus_alan) paid $49.00 for pro",
            ),
            Delivery(
                "B",
                body_b,
                _signed(body_b, sent_b),
                sent_b + second,
                "payment_intent.succeeded: Ada Lovelace (cus_ada) paid $49.00 for pro",
            ),
            Delivery(
                "C",
                body_c,
                "",
                sent_c + second,
                "payment_intent.succeeded: cus_free_rider paid $49.00 for pro",
            ),
            Delivery(
                "D",
                body_d,
                _signed(body_d, last_week),
                MORNING + 12 * minute,
                "payment_intent.succeeded: Grace Hopper (cus_grace) paid $49.00 for pro",
            ),
            Delivery(
                "E",
                body_e,
                _signed(body_e, sent_e),
                sent_e + second,
                "charge.refunded: Hedy Lamarr (cus_hedy) got $19.00 back",
            ),
        )
    )
