"""Exercise 02, the poller: the check passes on the solution, fails on the stub and on known wrong answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.course.checking import check
from simulators.course.checking.batch import run_notebook
from simulators.course.checking.notebook import notebook_namespace, read_cells
from tests.exercise_support import course_exercise, failed_steps, setup_namespace_with

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = ROOT / "exercises" / "02_poller.ipynb"
SOLUTION = ROOT / "solutions" / "02_poller.ipynb"

# Paging right, but the cursor is a timestamp: everything else in that second is lost.
CREATED_CURSOR = """
def poll_new_events(base_url, api_key, cursor):
    params = {} if cursor is None else {"created[gt]": cursor}
    page = list_events(base_url, api_key, **params)
    events = page["data"]
    while page["has_more"]:
        page = list_events(base_url, api_key, starting_after=events[-1]["id"], **params)
        events = events + page["data"]
    events.reverse()
    return events, (events[-1]["created"] if events else cursor)
"""

# The right cursor, but only the first page of each poll.
FIRST_PAGE_ONLY = """
def poll_new_events(base_url, api_key, cursor):
    page = list_events(base_url, api_key) if cursor is None else list_events(base_url, api_key, ending_before=cursor)
    events = list(reversed(page["data"]))
    return events, (events[-1]["id"] if events else cursor)
"""

# Every event, once, but handed on newest first.
NEWEST_FIRST = """
def poll_new_events(base_url, api_key, cursor):
    params = {} if cursor is None else {"ending_before": cursor}
    events, page = [], None
    while page is None or page["has_more"]:
        more = {"starting_after": events[-1]["id"]} if cursor is None and events else {}
        page = list_events(base_url, api_key, **(more or params))
        events = events + page["data"] if cursor is None else page["data"] + events
        params = {"ending_before": events[0]["id"]} if cursor is not None else params
    return events, (events[0]["id"] if events else cursor)
"""

# `created[gte]`: never misses a second, so it hands back the last one again.
CREATED_GTE = CREATED_CURSOR.replace("created[gt]", "created[gte]")


@pytest.fixture(scope="module")
def exercise():  # type: ignore[no-untyped-def]
    return course_exercise("ex02_poller")


def _namespace_with(learner_cell: str) -> dict:
    return setup_namespace_with(SOLUTION, learner_cell)


def test_the_check_passes_on_the_solution_notebook(exercise) -> None:  # type: ignore[no-untyped-def]
    [result] = run_notebook(SOLUTION, [exercise])
    assert result.ok, str(result)
    assert result.message == "all 7 checks pass"


def test_the_check_fails_on_the_untouched_stub(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex02_poller", notebook_namespace(EXERCISE, "ex02_poller"))
    assert not result.ok
    assert result.message.startswith("`poll_new_events` is still the stub")
    assert result.score == 0, "an untouched exercise earns no partial credit"


def test_a_timestamp_cursor_misses_events_in_the_same_second(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex02_poller", _namespace_with(CREATED_CURSOR))
    assert not result.ok
    assert failed_steps(result)[0] == "a burst of 240 events in one second (three pages) arrives whole"
    assert "events made in the same second as the last poll are not missed" in failed_steps(result)
    assert "missed 240 of 240 events" in result.message
    assert "timestamp cursor" in result.hints[1]


def test_created_gte_repeats_what_it_already_handed_back(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex02_poller", _namespace_with(CREATED_GTE))
    assert not result.ok
    assert failed_steps(result)[0] == "when nothing happened, returns no events"
    assert "returned 120 event(s)" in result.message
    assert "never hands back an event twice" in failed_steps(result)


def test_reading_only_the_first_page_misses_the_rest_of_a_burst(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex02_poller", _namespace_with(FIRST_PAGE_ONLY))
    assert not result.ok
    assert failed_steps(result) == ["with no cursor, returns all 120 events so far, oldest first"]
    assert "missed the 20 oldest: it stopped after 1 page" in result.message
    assert "has_more" in result.hints[0]


def test_newest_first_is_named_as_the_order_problem(exercise) -> None:  # type: ignore[no-untyped-def]
    result = check("ex02_poller", _namespace_with(NEWEST_FIRST))
    assert not result.ok
    assert failed_steps(result) == ["with no cursor, returns all 120 events so far, oldest first"]
    assert "not oldest first" in result.message
    assert "oldest first" in result.hints[1]


def test_a_poller_that_returns_ids_is_told_what_to_return(exercise) -> None:  # type: ignore[no-untyped-def]
    ids_only = SOLUTION_CELL.replace("return events, cursor", "return [e['id'] for e in events], cursor")
    result = check("ex02_poller", _namespace_with(ids_only))
    assert not result.ok
    assert "each item should be an event" in result.message


SOLUTION_CELL = next(cell.source for cell in read_cells(SOLUTION) if "exercise" in cell.tags)
