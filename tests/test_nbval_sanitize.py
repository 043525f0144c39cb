"""nbval silently ignores a sanitize file it cannot parse: prove ours parses and works."""

from __future__ import annotations

import re
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

from simulators.course.notebooks import LAB_LINK, LAB_LINK_SAVED

SANITIZE = Path(__file__).parent / "nbval_sanitize.cfg"


def _rules() -> list[tuple[str, str]]:
    # the very function nbval uses to read the file
    return get_sanitize_patterns(SANITIZE.read_text())


def test_every_section_has_a_regex_and_a_replacement() -> None:
    rules = _rules()
    assert len(rules) == 7
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
        " crm at (run this cell for your lab's link) key sk_test_LABKEY"
    )


def test_a_live_lab_link_reads_as_the_words_a_saved_notebook_shows() -> None:
    # `execute` saves links into the lab as words (the lab is gone by then); the first rule turns a live run's
    # links into the same words, before the port and key rules, so the two still compare equal.
    assert _rules()[0] == (LAB_LINK.pattern, LAB_LINK_SAVED)
    live = (
        "overview      http://127.0.0.1:41831/hl_"
        + "Fk9" * 10
        + "xQ/\n<a href='http://127.0.0.1:4000/hl_"
        + "a" * 32
        + "/'>"
    )
    for pattern, replacement in _rules():
        live = re.sub(pattern, replacement, live)
    assert live == f"overview      {LAB_LINK_SAVED}\n<a href='{LAB_LINK_SAVED}'>"
    deeper = "POST http://127.0.0.1:4000/hl_" + "a" * 32 + "/v1/customers"
    assert LAB_LINK.sub(LAB_LINK_SAVED, deeper) == deeper, "a request's own address is part of the lesson: kept"
