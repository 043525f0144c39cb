"""The payment system's Python API: what a notebook calls on `lab.payments`, over real HTTP.

Every call goes through `PaymentsClient` to the system's own `/v1` API, so it
shows in the request log and meets the same faults as any other client.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from ..http import loopback_session
from ..webhooks import RetryPolicy
from .billing.prices import PLANS
from .client import PaymentsClient, PaymentsError

#: Where `checkout()` sends the customer afterwards when no shop page is given: a thank-you page of the system's own.
DONE_PAGE = "/checkout/done?session_id={CHECKOUT_SESSION_ID}"


class PaymentsApi(ABC):
    """Customers, payments, subscriptions and endpoints, made the way an SDK would make them."""

    @property
    @abstractmethod
    def client(self) -> PaymentsClient:
        """The client these calls go through."""

    @abstractmethod
    def set_retry_policy(
        self, endpoint_id: str, policy: str | RetryPolicy | list[float] | tuple[float, ...] | None
    ) -> dict[str, Any]:
        """Give one endpoint its own retry policy (a `RetryPolicy` object cannot travel as a form)."""

    def create_customer(
        self,
        email: str,
        name: str | None = None,
        metadata: dict[str, str] | None = None,
        payment_method: str | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"email": email, "name": name, "metadata": metadata}
        if payment_method:
            params["invoice_settings"] = {"default_payment_method": payment_method}
        return self.client.post("/v1/customers", **params)

    def pay(
        self,
        customer_id: str | None,
        amount: int,
        currency: str = "usd",
        payment_method: str = "pm_card_visa",
        metadata: dict[str, str] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Charge a customer now; a decline returns the failed PaymentIntent rather than raising."""
        return self._confirmed_intent(
            customer=customer_id,
            amount=amount,
            currency=currency,
            payment_method=payment_method,
            confirm=True,
            metadata=metadata,
            description=description,
        )

    def authorize(
        self,
        customer_id: str | None,
        amount: int,
        currency: str = "usd",
        payment_method: str = "pm_card_visa",
        metadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Hold an amount on a card without taking it yet (status requires_capture); a decline returns the intent."""
        return self._confirmed_intent(
            customer=customer_id,
            amount=amount,
            currency=currency,
            payment_method=payment_method,
            confirm=True,
            metadata=metadata,
            capture_method="manual",
        )

    def capture(self, payment_intent_id: str, amount: int | None = None) -> dict[str, Any]:
        """Take all of an authorized payment, or `amount` of it (the rest is released)."""
        return self.client.post(f"/v1/payment_intents/{payment_intent_id}/capture", amount_to_capture=amount)

    def _confirmed_intent(self, **params: Any) -> dict[str, Any]:
        try:
            return self.client.post("/v1/payment_intents", **params)
        except PaymentsError as exc:
            if exc.status == 402 and "payment_intent" in exc.error:
                return exc.error["payment_intent"]  # type: ignore[no-any-return]
            raise

    def subscribe(
        self,
        customer_id: str,
        price: str,
        payment_method: str | None = "pm_card_visa",
        metadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Subscribe a customer to a price (or a plan name: "basic", "pro"); the first invoice is paid at once."""
        price_id = PLANS.get(price, price)
        return self.client.post(
            "/v1/subscriptions",
            customer=customer_id,
            items=[{"price": price_id}],
            default_payment_method=payment_method,
            metadata=metadata,
        )

    def checkout(
        self,
        price: str,
        quantity: int = 1,
        *,
        customer_email: str | None = None,
        customer: str | None = None,
        client_reference_id: str | None = None,
        metadata: dict[str, str] | None = None,
        success_url: str | None = None,
        cancel_url: str | None = None,
    ) -> dict[str, Any]:
        """Open a Checkout Session for one price (or plan name); its `url` is the page a customer pays on.

        A recurring price makes a subscription-mode session, a one-off price a payment-mode one.
        """
        price_id = PLANS.get(price, price)
        recurring = self.client.get(f"/v1/prices/{price_id}").get("recurring")
        return self.client.post(
            "/v1/checkout/sessions",
            mode="subscription" if recurring else "payment",
            line_items=[{"price": price_id, "quantity": quantity}],
            customer_email=customer_email,
            customer=customer,
            client_reference_id=client_reference_id,
            metadata=metadata,
            success_url=success_url or self.client.url + DONE_PAGE,
            cancel_url=cancel_url,
        )

    def complete_checkout(
        self,
        session_id: str,
        email: str = "customer@example.com",
        card: str = "4242 4242 4242 4242",
        name: str | None = None,
    ) -> dict[str, Any]:
        """Fill in and send the hosted checkout page as a customer would; returns the session afterwards.

        A declined card (4000 0000 0000 0002) leaves the session `open`, as the page would.
        """
        with loopback_session() as browser:
            browser.post(
                f"{self.client.url}/checkout/{session_id}",
                data={"email": email, "name": name or "", "method": "card", "card_number": card},
                allow_redirects=False,
                timeout=self.client.timeout,
            )
        return self.client.get(f"/v1/checkout/sessions/{session_id}")

    def cancel_subscription(self, subscription_id: str) -> dict[str, Any]:
        return self.client.delete(f"/v1/subscriptions/{subscription_id}")

    def refund(self, payment_intent_id: str, amount: int | None = None) -> dict[str, Any]:
        return self.client.post("/v1/refunds", payment_intent=payment_intent_id, amount=amount)

    def add_endpoint(
        self,
        url: str,
        enabled_events: Iterable[str] = ("*",),
        retry_policy: str | RetryPolicy | list[float] | tuple[float, ...] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Register a webhook endpoint; the answer holds its `whsec_` secret (shown only here)."""
        params: dict[str, Any] = {"url": url, "enabled_events": list(enabled_events), "description": description}
        if isinstance(retry_policy, (str, list, tuple)):
            params["retry_policy"] = list(retry_policy) if not isinstance(retry_policy, str) else retry_policy
        endpoint = self.client.post("/v1/webhook_endpoints", **params)
        if isinstance(retry_policy, RetryPolicy):
            secret = endpoint["secret"]
            endpoint = {**self.set_retry_policy(endpoint["id"], retry_policy), "secret": secret}
        return endpoint

    def update_endpoint(self, endpoint_id: str, **params: Any) -> dict[str, Any]:
        return self.client.post(f"/v1/webhook_endpoints/{endpoint_id}", **params)

    def delete_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        return self.client.delete(f"/v1/webhook_endpoints/{endpoint_id}")
