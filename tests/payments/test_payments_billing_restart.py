"""What the billing resources left on the clock comes back after a restart on the same state folder."""

from __future__ import annotations

from pathlib import Path

from simulators import Lab
from simulators.http import loopback_session


def test_expiry_auto_advance_and_bank_settlement_survive_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    with Lab(seed=9, state_dir=folder, systems=["payments"]) as lab:
        pay = lab.payments
        customer = pay.create_customer("ada@example.com", payment_method="pm_card_visa")
        waiting = pay.checkout("basic", customer_email="ada@example.com")
        price = pay.client.post("/v1/prices", currency="usd", unit_amount=900, product_data={"name": "Ticket"})
        banked = pay.checkout(price["id"])
        pay.client.post("/v1/invoiceitems", customer=customer["id"], amount=1500, currency="usd")
        draft = pay.client.post("/v1/invoices", customer=customer["id"])
        with loopback_session() as browser:  # the hosted page, as a customer fills it in
            browser.post(
                f"{pay.url}/checkout/{banked['id']}",
                data={"email": "bo@example.com", "method": "bank", "account_number": "000123456789"},
                allow_redirects=False,
            )
    with Lab(seed=9, state_dir=folder, systems=["payments"]) as again:
        api = again.payments.client
        assert api.get(f"/v1/invoices/{draft['id']}")["status"] == "draft"
        again.advance(days=5)
        assert api.get(f"/v1/checkout/sessions/{waiting['id']}")["status"] == "expired"
        assert api.get(f"/v1/checkout/sessions/{banked['id']}")["payment_status"] == "paid"
        assert api.get(f"/v1/invoices/{draft['id']}")["status"] == "paid"
