"""nbval silently ignores a sanitize file it cannot parse: prove ours parses and works."""

from __future__ import annotations

import re
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

SANITIZE = Path(__file__).parent / "nbval_sanitize.cfg"


def _rules() -> list[tuple[str, str]]:
    # the very function nbval uses to read the file
    return get_sanitize_patterns(SANITIZE.read_text())


def test_every_section_has_a_regex_and_a_replacement() -> None:
    rules = _rules()
    assert len(rules) == 6
    for pattern, _ in rules:
        re.compile(pattern)


def test_the_rules_hide_what_changes_between_runs_and_keep_the_rest() -> None:
    text = (
        "payments at http://127.0.0.1:43817/v1 state /tmp/hooklab-x1y_2 obj at 0x7f3a2b1c9d00 "
        "Stripe-Signature: t=1772442000,v1=" + "a" * 64 + " took 3.25 ms; 12 customers paid"
        " crm at http://127.0.0.1:4000/hl_" + "Ab9" * 10 + "xy/ key sk_test_" + "Zz0" * 10 + "q1"
    )
    for pattern, replacement in _rules():
        text = re.sub(pattern, replacement, text)
    assert text == (
        "payments at http://127.0.0.1:PORT/v1 state /tmp/hooklab-STATE obj at 0xADDRESS "
        "Stripe-Signature: t=TIMESTAMP,v1=SIGNATURE took N ms; 12 customers paid"
        " crm at http://127.0.0.1:PORT/hl_LABKEY/ key sk_test_LABKEY"
    )
