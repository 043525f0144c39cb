"""`tax_id_data` on customer create, shown as Stripe's 2020-08-27 version shows it: only when expanded."""

from __future__ import annotations

import json

import pytest
import stripe

from tests.payments.stripe_schema import problems


def test_tax_ids_are_kept_and_shown_when_expanded(client: stripe.StripeClient) -> None:
    created = client.v1.customers.create(
        {
            "email": "ada@example.com",
            "tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}, {"type": "us_ein", "value": "12-3456789"}],
        }
    )
    assert "tax_ids" not in created, "not shown unless asked for, since 2020-08-27"
    shown = client.v1.customers.retrieve(created.id, {"expand": ["tax_ids"]})
    assert [(t.type, t.value, t.country, t.customer) for t in shown.tax_ids.data] == [
        ("eu_vat", "DE123456789", "DE", created.id),
        ("us_ein", "12-3456789", "US", created.id),
    ]
    assert isinstance(shown.tax_ids.data[0], stripe.TaxId)
    assert shown.last_response is not None and problems(json.loads(shown.last_response.body)) == []
    listed = client.v1.customers.list({"expand": ["data.tax_ids"]})
    assert listed.last_response is not None and problems(json.loads(listed.last_response.body)) == []
    assert [len(c.tax_ids.data) for c in listed.data] == [2]


@pytest.mark.parametrize(
    ("tax_id", "param"),
    [
        ({"type": "xx_vat", "value": "1"}, "tax_id_data[0][type]"),
        ({"type": "eu_vat"}, "tax_id_data[0][value]"),
        ({"type": "eu_vat", "value": "DE1", "country": "DE"}, "tax_id_data[0][country]"),
    ],
)
def test_a_bad_tax_id_is_a_400_naming_it_and_writes_nothing(
    client: stripe.StripeClient, tax_id: dict[str, str], param: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create({"email": "bo@example.com", "tax_id_data": [tax_id]})  # type: ignore[typeddict-item]
    assert caught.value.http_status == 400 and caught.value.param == param
    assert client.v1.customers.list().data == []
