"""A learner's answers as plain data, to carry them out of the learner's process and nothing else.

An exercise whose answers are values (text, numbers, lists, dicts, an `Automation`) is checked in a process
that never runs the learner's code: the learner's process sends the values as JSON, and the checking side
rebuilds them from builtin types only. A learner's object never crosses: no method of theirs (`__eq__`,
`__str__`) runs where the verdict is made, and nothing is unpickled. The learner's side of this module can be
rewritten by the learner's own code; that only changes what the learner answers, which they could write anyway.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields, is_dataclass
from typing import Any

#: Exercises whose answers are plain data: checked with the learner's code in another process.
DATA_EXERCISES = frozenset(
    {
        "ex01_first_automation",
        "ex01_formula",
        "ex03_trust",
        "ex04_log",
        "ex05_alert_rule",
        "ex05_report",
        "ex06_design",
        "ex06_map",
        "ex06_runbook",
        "ex06_start_simple",
    }
)
#: Deepest nesting an answer may have.
MAX_DEPTH = 32
#: Course types an answer may be built of, rebuilt on the checking side from their fields.
RECORD_TYPES = ("Automation", "Step")


class NotPlainData(ValueError):
    """An answer holds something that is not plain data (a function, an object of the learner's class)."""


def encode(value: Any, depth: int = 0) -> Any:
    """`value` as JSON-able tagged data; raises NotPlainData naming what cannot be carried."""
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(value)  # exact types: a subclass of str may carry an __eq__ of its own
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if value is Ellipsis:
        return {"ellipsis": True}
    if kind in (list, tuple, set, frozenset):
        items = [encode(item, depth + 1) for item in value]
        return {kind.__name__: sorted(items, key=json.dumps) if kind in (set, frozenset) else items}
    if kind is dict:
        return {"dict": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if is_dataclass(value) and kind.__name__ in RECORD_TYPES and kind.__module__.startswith("simulators.course."):
        values = {f.name: encode(getattr(value, f.name), depth + 1) for f in fields(value) if f.init}
        return {"record": kind.__name__, "fields": values}
    what = "a function" if callable(value) else f"a {kind.__name__}"
    raise NotPlainData(f"{what}, which is not plain data (text, numbers, True/False, lists, dicts)")


def decode(data: Any, depth: int = 0) -> Any:
    """Rebuild what `encode` made, from builtin types only; raises NotPlainData on anything else."""
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested more than {MAX_DEPTH} levels deep")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is not dict or len(data) not in (1, 2):
        raise NotPlainData(f"unexpected {type(data).__name__} in the answers")
    tag = next(iter(data))
    body = data[tag]
    if tag == "ellipsis":
        return Ellipsis
    if tag == "float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag in ("list", "tuple", "set", "frozenset") and type(body) is list:
        items = [decode(item, depth + 1) for item in body]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict" and type(body) is list:
        pairs = [(decode(k, depth + 1), decode(v, depth + 1)) for k, v in (_pair(p) for p in body)]
        try:
            return dict(pairs)
        except TypeError:
            raise NotPlainData("a dict key that cannot be a key") from None
    if tag == "record" and body in RECORD_TYPES and type(data.get("fields")) is dict:
        return _record(body, {str(k): decode(v, depth + 1) for k, v in data["fields"].items()})
    raise NotPlainData(f"unexpected {tag!r} in the answers")


def _pair(item: Any) -> tuple[Any, Any]:
    if type(item) is not list or len(item) != 2:
        raise NotPlainData("a dict entry that is not a key and a value")
    return item[0], item[1]


def _record(name: str, values: dict[str, Any]) -> Any:
    from simulators.course.automations import Automation, Step  # only answers that hold one pay for it

    kind = {"Automation": Automation, "Step": Step}[name]
    try:
        return kind(**values)
    except (TypeError, ValueError) as exc:
        raise NotPlainData(f"a {name} that cannot be rebuilt: {exc}") from None


def export(namespace: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The learner's `names` as tagged data; a name that is not plain data raises NotPlainData naming it."""
    out = {}
    for name in names:
        if name not in namespace:
            continue  # the checking side asks for it by name, as the in-process check does
        try:
            out[name] = encode(namespace[name])
        except NotPlainData as exc:
            raise NotPlainData(f"`{name}` holds {exc}") from None
    return out


def restore(exported: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The learner's answers, rebuilt on the checking side from what `export` sent."""
    if type(exported) is not dict:
        raise NotPlainData("the answers did not arrive as a dict")
    return {name: decode(exported[name]) for name in names if name in exported}
