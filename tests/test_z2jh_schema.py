"""The Zero to JupyterHub config is checked against the chart's own values schema, as Helm checks it.

tests/fixtures/z2jh/ holds the chart's `values.schema.yaml` and `values.yaml` at a pinned commit (its README
says which). Helm coalesces a user's values over the chart's defaults and validates the result (draft-07); many
objects forbid unknown keys, so a misspelt key fails at `helm upgrade` instead of being silently ignored. A
key-by-key test of our own could never know every key the chart accepts: the schema does.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHART = Path(__file__).resolve().parent / "fixtures" / "z2jh"
CONFIG = ROOT / "docs" / "zero-to-jupyterhub" / "config.yaml"


def coalesce(defaults: Any, values: Any) -> Any:
    """Helm's merge of user values over chart defaults: maps key by key, `null` deletes, the rest replaces."""
    if not (isinstance(defaults, dict) and isinstance(values, dict)):
        return copy.deepcopy(values)
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def schema_errors(config: dict[str, Any]) -> list[str]:
    """Every place where the chart's schema refuses `config` merged over the chart's defaults."""
    validator = jsonschema.Draft7Validator(_load(CHART / "values.schema.yaml"))
    merged = coalesce(_load(CHART / "values.yaml"), config)
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(merged)
    ]


def test_the_merge_follows_helm() -> None:
    defaults = {"a": {"b": 1, "c": [1, 2], "d": "x"}, "e": 5}
    assert coalesce(defaults, {"a": {"b": 2, "c": [3], "d": None}, "f": True}) == {
        "a": {"b": 2, "c": [3]},
        "e": 5,
        "f": True,
    }
    assert defaults == {"a": {"b": 1, "c": [1, 2], "d": "x"}, "e": 5}, "the chart's defaults are not changed"


def test_the_chart_defaults_alone_pass_its_own_schema() -> None:
    assert schema_errors({}) == []


def test_the_class_config_passes_the_charts_schema() -> None:
    assert schema_errors(_load(CONFIG)) == []


@pytest.mark.parametrize(
    ("path", "wrong"),
    [
        (("singleuser", "memory"), "limt"),  # a misspelt key the chart would ignore without the schema
        (("cull",), "timout"),
        (("singleuser",), "defaultURL"),
    ],
)
def test_a_misspelt_key_is_refused(path: tuple[str, ...], wrong: str) -> None:
    config = _load(CONFIG)
    node = config
    for key in path:
        node = node[key]
    node[wrong] = node.get(wrong.lower(), "1G")
    errors = schema_errors(config)
    assert any(wrong in error and error.startswith(".".join(path)) for error in errors), errors


def test_a_wrong_type_is_refused() -> None:
    config = _load(CONFIG)
    config["cull"]["timeout"] = "an hour"
    assert any(error.startswith("cull.timeout") for error in schema_errors(config))
