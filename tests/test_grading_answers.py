"""Answers carried out of the learner's process: plain data only, rebuilt from builtin types."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulators.course.automations import Automation, Step
from simulators.course.checking.answers import NotPlainData, decode, encode, export, restore


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -3,
        2.5,
        float("inf"),
        "refuse: not signed",
        Ellipsis,
        [Ellipsis, "x"],
        ("a", 1),
        {"A": "act on it", 3: [1, 2], ("t", 1): None},
        {1, 2, 3},
        frozenset({"x"}),
        Automation("receipt", "payment_intent.succeeded", "payments", [Step("mailer.send_email", using={"to": "x"})]),
    ],
)
def test_plain_answers_arrive_as_they_were_written(value: Any) -> None:
    carried = decode(json.loads(json.dumps(encode(value))))
    assert carried == value and type(carried) is type(value)


class Yes(str):
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


@pytest.mark.parametrize(
    "value, named",
    [
        (lambda: 1, "a function"),
        (Yes("act on it"), "a Yes"),
        ({"A": Yes("x")}, "a Yes"),
        (object(), "a object"),
        (bytearray(b"x"), "a bytearray"),
    ],
)
def test_anything_else_is_refused_by_name(value: Any, named: str) -> None:
    with pytest.raises(NotPlainData, match=named):
        export({"DECISIONS": value}, ("DECISIONS",))


@pytest.mark.parametrize(
    "sent",
    [
        {"__class__": "os.system"},
        {"record": "Lab", "fields": {}},
        {"list": "not a list"},
        {"dict": [[1]]},
        {"dict": [[{"list": []}, 1]]},  # a list cannot be a key
        [1, 2],  # a bare JSON list: only tagged containers are read
        {"float": "1e999999"},
    ],
)
def test_the_checking_side_rebuilds_nothing_but_builtins(sent: Any) -> None:
    with pytest.raises(NotPlainData):
        decode(sent)


def test_only_the_exercises_names_are_restored() -> None:
    sent = {"WHY": "because", "extra": {"list": []}}
    assert restore(sent, ("WHY", "MISSING")) == {"WHY": "because"}
    with pytest.raises(NotPlainData):
        restore(["WHY"], ("WHY",))


def test_nesting_is_bounded() -> None:
    deep: list[Any] = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(NotPlainData, match="nested"):
        encode(deep)
