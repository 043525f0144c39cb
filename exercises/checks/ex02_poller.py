"""Exercise 02: a poller over GET /v1/events that neither misses nor repeats an event.

The learner writes `poll_new_events(base_url, api_key, cursor)` returning
`(events, cursor)`: every event created after `cursor` (all of them when the
cursor is None), oldest first, following every page. The check runs it against
a live payment system under bursts (several pages at once, many events in the
same second) and over two lab hours of seeded sign-ups.

Clause (exercise notebook) → the step enforcing it → a wrong answer that step catches first
(a slug names a notebook in tests/wrong_answers/ex02_poller/; other entries describe the mistake in words):

| Clause | Step | Wrong answer |
|---|---|---|
| every event … when `cursor` is `None`, every event there is, oldest first | with no cursor, returns all N events so far, oldest first | first-page-only, newest-first |
| (the same) — every event, however many pages | a first poll of a long history (N events, P pages) reads it all, oldest first | ten-pages-at-most |
| `cursor`: the next call starts exactly where this one ended | when nothing happened, returns no events | keeps-the-old-cursor, starting-after-the-cursor, cursor-is-the-oldest |
| even when … the new events fill several pages | a burst of N events in one second (three pages) arrives whole | one-page-per-poll |
| even when a burst … pays in the same second (an event's time, or its id?) | events made in the same second as the last poll are not missed | timestamp-cursor (caught first by the burst) |
| never miss an event | twelve polls over two lab hours see each of N events exactly once | a poll that drops its last page over time |
| never hand one back twice | never hands back an event twice | a cursor one event behind |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.course.checking import Checklist, exercise, fail

HINTS = (
    "Try it on a lab of your own: after `lab.traffic.purchase(n=30)`, how many events does one call return, and"
    " in which order?",
    "Keep the id of the newest event you have handed back as the cursor. Ask for `ending_before=<cursor>` with"
    " `limit=100`, and keep asking (with the newest id of the page as the next cursor) while `has_more` is true."
    " Each page comes newest first: reverse it before returning.",
)
PAGES = (
    "Follow `has_more`: one request returns at most `limit` events (100 at most).",
    "A burst can hold more events than one page; ask again, from the newest event you got, until has_more is false.",
)
SAME_SECOND = (
    "Look at `created` on the events of a burst: many share the same second.",
    "A timestamp cursor cannot tell apart events made in the same second: `created[gt]` misses the rest of"
    " that second, `created[gte]` repeats it. An event id is an exact place in the list: use it as the cursor.",
)
ORDER = (
    "Compare the first and last `created` of what you return.",
    "The API lists newest first; a poller hands events on oldest first, so they are handled in the order they happened.",
)


Poll = Callable[[str, str, Any], Any]
#: The largest page GET /v1/events gives.
PAGE = 100
#: Monthly subscribers whose year of renewals makes the long history a first poll must read: over ten pages.
SUBSCRIBERS = 6


def _call(poll: Poll, lab: Any, cursor: Any) -> tuple[list[str], Any]:
    returned = poll(lab.payments.url, lab.payments.api_key, cursor)
    if not isinstance(returned, tuple) or len(returned) != 2:
        fail(
            f"`poll_new_events` returned {type(returned).__name__} {_short(returned)}; return a pair: (events, cursor)",
            "End the function with `return events, cursor`.",
            HINTS[1],
        )
    events, new_cursor = returned
    if not isinstance(events, list):
        fail(
            f"the events `poll_new_events` returned are a {type(events).__name__}, not a list",
            "Collect the events in a list, oldest first.",
            HINTS[1],
        )
    try:
        ids = [event["id"] for event in events]
    except (TypeError, KeyError, IndexError):
        fail(
            f"`poll_new_events` returned {_short(events)}: each item should be an event (a dict with an 'id')",
            "Return the events from each page's `data`, not their ids or the whole page.",
            HINTS[1],
        )
    return ids, new_cursor


def _compare(
    c: Checklist,
    name: str,
    got: list[str],
    expected: list[str],
    hints: tuple[str, ...] = HINTS,
    *,
    created: dict[str, int] | None = None,
    earlier_seconds: set[int] | None = None,
) -> bool:
    """Judge one poll: every expected event, none twice, none extra, oldest first."""
    repeated = len(got) - len(set(got))
    missing = [event for event in expected if event not in set(got)]
    extra = [event for event in set(got) if event not in set(expected)]
    if missing:
        if got and len(set(got)) == len(got) and got == expected[-len(got) :]:
            pages = -(-len(got) // PAGE)
            return c.expect(
                False,
                name,
                f"returned the newest {len(got)} of {len(expected)} events and missed the {len(missing)} oldest: it"
                f" stopped after {pages} page{'s' if pages != 1 else ''} while `has_more` was still true",
                hints=(
                    "Keep asking, from the oldest event you got (starting_after=...), until has_more is false: a"
                    " first poll reads the whole history however many pages it fills, never a fixed number of them.",
                    PAGES[1],
                ),
            )
        if got and got == expected[: len(got)]:
            hints = PAGES  # the first pages came back, the rest did not
        elif earlier_seconds and {created[event] for event in missing} & earlier_seconds:
            hints = SAME_SECOND  # what was missed shares a second with events already handed back
        return c.expect(False, name, f"missed {len(missing)} of {len(expected)} events", hints=hints)
    if extra:
        return c.expect(
            False,
            name,
            f"returned {len(extra)} event(s) that were not new",
            hints=("Start each poll after the newest event the last poll returned.", HINTS[1]),
        )
    if repeated:
        return c.expect(False, name, f"returned {repeated} event(s) twice in one poll", hints=PAGES)
    return c.expect(got == expected, name, "every event came back, but not oldest first", hints=ORDER)


@exercise(
    "ex02_poller",
    notebook="02_poller",
    title="A poller that neither misses nor repeats an event",
    needs=["poll_new_events"],
    hints=HINTS,
    systems=["payments"],
    seed=7,
    timeout=120,  # a long history to read: room to spare on a busy machine
)
def check(ns: dict[str, Any], lab: Any) -> Any:
    poll: Poll = ns["poll_new_events"]
    pay = lab.payments
    c = Checklist()
    handed_back: list[str] = []

    #: Every event so far and the second it was made: read once after each round of traffic (a long list).
    when: dict[str, int] = {}

    def arrived() -> list[str]:
        """The events made since the last look, oldest first."""
        fresh = [event for event in pay.events() if event["id"] not in when]
        when.update((event["id"], event["created"]) for event in fresh)
        return [event["id"] for event in fresh]

    def judge(name: str, got: list[str], expected: list[str], hints: tuple[str, ...] = HINTS) -> bool:
        ok = _compare(
            c,
            name,
            got,
            expected,
            hints,
            created=when,
            earlier_seconds={when[event] for event in handed_back if event in when},
        )
        handed_back.extend(got)
        return ok

    # Reading a long history takes many requests in one lab minute: the read limit (another lesson) is off, so a
    # poller is judged on what it hands back, never on how many pages it asked for on the way.
    pay.rate_limit(None)
    lab.traffic.purchase(n=30)
    first = arrived()
    got, cursor = _call(poll, lab, None)
    if not judge(f"with no cursor, returns all {len(first)} events so far, oldest first", got, first, PAGES):
        return c.result()  # without a first full poll the later rounds would only repeat the same complaint

    got, cursor = _call(poll, lab, cursor)
    c.expect(
        got == [],
        "when nothing happened, returns no events",
        f"returned {len(got)} event(s)",
        hints=("Nothing new happened between these two calls.", HINTS[1]),
    )
    handed_back.extend(got)

    lab.traffic.purchase(n=60)
    burst = arrived()
    got, cursor = _call(poll, lab, cursor)
    judge(f"a burst of {len(burst)} events in one second (three pages) arrives whole", got, burst, PAGES)

    lab.advance(minutes=1)
    lab.traffic.purchase(n=2)
    got, cursor = _call(poll, lab, cursor)
    lab.traffic.purchase(n=1)  # in the same lab second as the poll just made
    got_later, cursor = _call(poll, lab, cursor)
    judge("events made in the same second as the last poll are not missed", got + got_later, arrived(), SAME_SECOND)

    lab.traffic.schedule(per_day=96, days=2 / 24)
    rounds: list[str] = []
    for _ in range(12):
        lab.advance(minutes=10)
        got, cursor = _call(poll, lab, cursor)
        rounds.extend(got)
    later = arrived()
    judge(f"twelve polls over two lab hours see each of {len(later)} events exactly once", rounds, later)
    repeats = len(handed_back) - len(set(handed_back))
    c.expect(
        repeats == 0,
        "never hands back an event twice",
        f"{repeats} event(s) came back again",
        hints=("Start each poll after your cursor: the newest event you handed back.", HINTS[1]),
    )

    # Last, a long history: more than ten full pages, so only a first poll that pages until the end reads it all.
    # (Last, so a poller whose cursor walks the wrong way is judged on the short history above, quickly.) A year of
    # monthly renewals makes it: each renewal is a handful of events the lab writes itself, far cheaper than as
    # many purchases over HTTP, so a busy machine does not push the check towards its time limit.
    for n in range(SUBSCRIBERS):
        customer = pay.create_customer(f"subscriber.{n}@example.com", name=f"Subscriber {n}")
        pay.subscribe(customer["id"], "basic")
    lab.advance(days=366)
    arrived()
    everything = list(when)
    got, _ = _call(poll, lab, None)
    pages = -(-len(everything) // PAGE)
    _compare(
        c,
        f"a first poll of a long history ({len(everything)} events, {pages} pages) reads it all, oldest first",
        got,
        everything,
        PAGES,
    )
    return c.result()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
