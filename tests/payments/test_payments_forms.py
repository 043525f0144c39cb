"""Bracket-notation decoding: what the SDK and curl send becomes the same nested parameters."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.errors import ApiError
from simulators.payments.http.forms import encode, parse_form
from simulators.payments.http.params import Params


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"email=a%40example.com&name=Ada+L", {"email": "a@example.com", "name": "Ada L"}),
        (b"metadata[plan]=pro&metadata[seats]=3", {"metadata": {"plan": "pro", "seats": "3"}}),
        (b"metadata%5Bplan%5D=pro", {"metadata": {"plan": "pro"}}),
        (
            b"items[0][price]=p1&items[1][price]=p2&items[1][quantity]=2",
            {"items": [{"price": "p1"}, {"price": "p2", "quantity": "2"}]},
        ),
        (b"expand[]=customer&expand[]=latest_charge", {"expand": ["customer", "latest_charge"]}),
        (b"expand[0]=customer", {"expand": ["customer"]}),
        (b"created[gte]=10&created[lt]=20", {"created": {"gte": "10", "lt": "20"}}),
        (b"metadata=", {"metadata": ""}),
        (b"0=zero", {"0": "zero"}),
        (b"", {}),
    ],
)
def test_decoding(raw: bytes, expected: dict[str, Any]) -> None:
    assert parse_form(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"metadata=x&metadata[a]=b", "already given a plain value"),
        (b"metadata[a]=b&metadata=x", "already given nested values"),
        (b"a]=1", "brackets must pair up"),
        (b"=1", "Invalid parameter name"),
        (b"a[b[c]]=1", "brackets must pair up"),
        (b"a[1][2][3][4][5]=1", "nested more than"),
        (b"items[5000][price]=x", "list indexes"),
        (b"k=%FF", "not valid UTF-8"),
        (b"k" * 300 + b"=1", "characters long"),
        (b"&".join(b"k%d=1" % n for n in range(1001)), "Too many parameters"),
    ],
)
def test_malformed_input_is_a_400_that_says_why(raw: bytes, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_form(raw)
    assert caught.value.status == 400 and message in caught.value.message


def test_typed_getters_refuse_the_wrong_shapes() -> None:
    p = Params(
        {"amount": "12x", "confirm": "yes", "metadata": ["a"], "limit": "1" * 30},
        ("amount", "confirm", "metadata", "limit"),
    )
    for getter, name in ((p.integer, "amount"), (p.boolean, "confirm"), (p.metadata, "metadata"), (p.integer, "limit")):
        with pytest.raises(ApiError) as caught:
            getter(name)
        assert caught.value.param == name
    with pytest.raises(ApiError, match="Received unknown parameter: colour"):
        Params({"colour": "red"}, ("email",))


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_leaf = _text
_params = st.dictionaries(
    st.from_regex(r"[a-z_]{1,10}", fullmatch=True),
    st.one_of(
        _leaf,
        st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), _leaf, min_size=1, max_size=3),
        st.lists(_leaf, min_size=1, max_size=3),
    ),
    max_size=5,
)


@settings(
    max_examples=60, deadline=None, derandomize=True, database=None
)  # same examples every run: CI stays reproducible
@given(_params)
def test_encode_then_decode_round_trips(params: dict[str, Any]) -> None:
    assert parse_form(encode(params).encode()) == params
