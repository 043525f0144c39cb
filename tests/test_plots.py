"""Pictures: the timeline and the comparison helpers draw what happened, the same way every run."""

from __future__ import annotations

import io
from collections.abc import Iterator

import matplotlib
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from simulators import Lab
from simulators.course.plots import LabFigure, bar_compare, before_after, cost_vs_delay, timeline
from simulators.course.plots.figure import GREYS, OKABE_ITO


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def outage_story(seed: int = 7) -> Lab:
    """A CRM delivering to a learner endpoint that goes down for three hours, then recovers."""
    lab = Lab(seed=seed, systems=["mailer", "crm", "provisioning"])
    handler = lab.host(lambda request: 200, name="handler")
    lab.crm.add_endpoint(handler.url, retry_policy="standard")
    lab.crm.submit_form(name="Ann", email="ann@example.com")
    lab.settle()
    handler.faults.window("down", start=lab.clock.time() + 3600, hours=3)
    lab.advance(hours=1, minutes=10)
    lab.crm.submit_form(name="Bob", email="bob@example.com")
    lab.advance(hours=10)
    lab.provisioning.activate("cus_1")
    lab.provisioning.faults.window("errors", start=lab.clock.time() + 3600, hours=2, rate=0.5)
    lab.raise_alert("crm", "delivery_failed", "a delivery failed")
    lab.mailer.send("ops@example.com", "deliveries to handler are failing", kind="alert")
    return lab


def legend_texts(fig: Figure) -> list[str]:
    return [text.get_text() for text in fig.axes[0].get_legend().get_texts()]


def points(fig: Figure, label: str) -> int:
    [collection] = [c for c in fig.axes[0].collections if c.get_label() == label]
    return len(collection.get_offsets())


def test_timeline_draws_deliveries_retries_faults_and_alerts() -> None:
    with outage_story() as lab:
        fig = timeline(lab)
        attempts = lab.crm.outbox.attempts()
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert ax.get_xlabel() == "lab time (UTC), Mon 2 March 2026"
        assert ax.get_title() == "What happened, on the lab clock"
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            "crm events",
            "crm → handler",
            "provisioning problems",
            "handler problems",
            "provisioning activations",
            "alerts",
        ]
        assert legend_texts(fig) == [
            "event recorded",
            "delivery succeeded",
            "delivery failed",
            "account activated",
            "alert emailed to a person",
            "problem logged, nobody told",
            "retry (attempt 2 or later)",
            "down",
            "error answers (scheduled)",
        ]
        assert points(fig, "delivery succeeded") == sum(a["outcome"] == "succeeded" for a in attempts) == 2
        assert points(fig, "delivery failed") == sum(a["outcome"] == "failed" for a in attempts) >= 3
        assert points(fig, "retry (attempt 2 or later)") == sum(a["number"] > 1 for a in attempts)
        assert points(fig, "event recorded") == 2
        assert points(fig, "alert emailed to a person") == len(lab.mailer.alerts()) == 1
        assert points(fig, "problem logged, nobody told") == len(lab.alerts) == 1


def test_timeline_is_the_same_picture_on_every_run() -> None:
    pictures = []
    for _ in range(2):
        with outage_story(seed=11) as lab, matplotlib.rc_context({"svg.hashsalt": "hooklab"}):
            buffer = io.BytesIO()
            timeline(lab).savefig(buffer, format="svg", metadata={"Date": None})
            pictures.append(buffer.getvalue())
    assert pictures[0] == pictures[1]


def test_since_and_until_keep_only_that_stretch() -> None:
    with outage_story() as lab:
        start = lab.clock.start.timestamp()
        fig = timeline(lab, since=start + 3600, until=start + 4 * 3600, title="During the outage")
        assert fig.axes[0].get_title() == "During the outage"
        assert "delivery succeeded" not in legend_texts(fig)  # both successes fall outside the window
        assert points(fig, "delivery failed") >= 3


def test_timeline_draws_on_a_given_axes() -> None:
    with outage_story() as lab:
        fig, (left, right) = plt.subplots(1, 2)
        assert timeline(lab, ax=right) is fig
        assert right.get_xlabel().startswith("lab time (UTC)") and left.get_xlabel() == ""


def test_an_empty_lab_says_nothing_happened() -> None:
    with Lab(seed=1, systems=["provisioning"]) as lab:
        fig = timeline(lab)
        assert fig.axes[0].get_legend() is None
        assert [t.get_text() for t in fig.axes[0].texts] == ["nothing has happened yet"]


def test_a_lab_figure_is_shown_once_even_when_returned_with_its_summary_as_text_below(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import IPython.display

    shown: list[dict[str, object]] = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw: shown.append(bundle))
    fig = bar_compare({"polling": 1440, "webhooks_3": 3}, title="Requests per day")
    assert isinstance(fig, LabFigure) and fig.number in plt.get_fignums()
    fig._ipython_display_()
    assert fig.number not in plt.get_fignums()  # pyplot will not show it a second time
    picture, caption = shown
    assert bytes(picture["image/png"]).startswith(b"\x89PNG")
    assert picture["text/plain"] == "[picture: its summary is the line below]"
    assert caption["text/plain"] == "Picture: bar chart of Requests per day: polling 1440, webhooks_3 3."
    assert caption["text/markdown"] == "*Picture: bar chart of Requests per day: polling 1440, webhooks\\_3 3.*"


def test_a_figure_without_a_summary_still_shows_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    from simulators.course.plots.figure import new_figure

    shown: list[dict[str, object]] = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw: shown.append(bundle))
    new_figure(4, 3)[0]._ipython_display_()
    [picture] = shown
    assert picture["text/plain"] == "<LabFigure size 400x300 with 1 Axes>"


def test_bar_compare_labels_each_bar_with_its_value() -> None:
    fig = bar_compare({"polling": 1440, "webhooks": 3}, title="Requests per day", ylabel="requests")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["polling", "webhooks"]
    assert [t.get_text() for t in ax.texts] == ["1440", "3"]
    assert (ax.get_title(), ax.get_ylabel()) == ("Requests per day", "requests")
    with pytest.raises(ValueError, match="at least one value"):
        bar_compare({})


def test_before_after_pairs_each_measure() -> None:
    fig = before_after(
        {"customers without access": 4},
        {"customers without access": 0, "alerts sent": 3},
        labels=("naive handler", "with reconciliation"),
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["naive handler", "with reconciliation"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["customers without access", "alerts sent"]
    assert [t.get_text() for t in ax.texts] == ["4", "–", "0", "3"]


def test_cost_vs_delay_places_each_strategy() -> None:
    class Result:
        label, requests, delay = "poll hourly", 24, 1800

    fig = cost_vs_delay(
        [
            {"label": "poll every minute", "requests": 1440, "delay": 30},
            Result(),
            {"label": "webhooks", "requests": 0, "delay": 1},
        ]
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["poll every minute", "poll hourly", "webhooks"]
    assert ax.get_xlabel() == "requests made (cost)" and ax.get_ylabel() == "average delay until noticed"
    offsets = [tuple(c.get_offsets()[0]) for c in ax.collections]
    assert offsets == [(1440.0, 0.5), (24.0, 30.0), (0.0, 1 / 60)]
    fig.canvas.draw()
    xticks = [t.get_text() for t in ax.get_xticklabels()]
    yticks = [t.get_text() for t in ax.get_yticklabels()]
    assert xticks == ["0", "1", "10", "100", "1,000"], "plain counts, not 10⁰ 10¹ 10²"
    assert yticks[:3] == ["none", "1 min", "10 min"] and "1 h" in yticks
    assert fig.summary.endswith("poll hourly: 24 requests, 30 min on average; webhooks: 0 requests, 1 s on average.")
    with pytest.raises(ValueError, match="needs 'delay'"):
        cost_vs_delay([{"label": "x", "requests": 1}])


def test_a_flow_diagram_shows_each_step_and_where_a_failure_goes() -> None:
    from simulators.course.automations import Automation, Step
    from simulators.course.automations.examples import welcome_new_leads
    from simulators.course.plots import flow_diagram

    def texts(fig: Figure) -> str:
        return "\n".join(text.get_text() for text in fig.axes[0].texts)

    welcome = welcome_new_leads()
    drawn = texts(flow_diagram(welcome))
    assert "form.submitted" in drawn and "THEN (1)" in drawn and "THEN (2)" in drawn
    assert f"alert {welcome.alert}" in drawn and "nobody is told" not in drawn
    silent = Automation(
        "Silent",
        when="form.submitted",
        source="crm",
        then=[Step("create_contact", "crm", using={"email": "data.email"})],
    )
    drawn = texts(flow_diagram(silent))
    assert "nobody is told" in drawn and "THEN (2)" not in drawn
    assert "data.email" in drawn


def test_a_flow_diagram_lists_each_field_once_and_draws_both_failure_paths() -> None:
    from simulators.course.automations.examples import welcome_new_leads
    from simulators.course.plots import flow_diagram

    drawn = [text.get_text() for text in flow_diagram(welcome_new_leads()).axes[0].texts]
    assert not [t for t in drawn if t.count("data.name") > 1], drawn  # "data.name, data.name" was a bug
    assert "IF DATA IS MISSING" in drawn and "IF A STEP FAILS" in drawn


def test_timeline_draws_a_queues_retries_and_dead_letters_and_named_moments() -> None:
    from simulators.course.handling import WorkQueue

    with Lab(seed=3, systems=["provisioning"]) as lab:

        def work(item: object) -> None:
            raise RuntimeError("provisioning is down")

        queue = WorkQueue(lab, work, max_attempts=3, name="patient")
        queue.put({"customer": "cus_1"})
        lab.advance(minutes=30)
        fig = timeline(lab, queues=[queue], moments={"someone looks": lab.clock.now()})
        ax = fig.axes[0]
        assert "patient queue: work" in [t.get_text() for t in ax.get_yticklabels()]
        assert points(fig, "work tried, failed") == 3
        assert points(fig, "gave up: parked on the dead-letter list") == 1
        assert points(fig, "retry (attempt 2 or later)") == 2
        assert "someone looks" in [t.get_text() for t in ax.texts]


def test_backoff_waits_are_drawn_on_a_doubling_axis_in_words() -> None:
    from simulators.course.handling import default_backoff
    from simulators.course.plots import backoff_draws

    ax = backoff_draws(default_backoff).axes[0]
    assert ax.get_yscale() == "log"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "10 s" in ticks and "1 h" in ticks and not any("10^" in t or "$" in t for t in ticks)


def test_the_case_study_bars_write_minutes_as_minutes_and_zero_as_none() -> None:
    from datetime import timedelta
    from types import SimpleNamespace

    from simulators.course.plots import before_after_story

    before = SimpleNamespace(lost=[1] * 5, kept_access=[1] * 4, time_to_notice=timedelta(days=4, hours=23))
    after = SimpleNamespace(lost=[], kept_access=[], time_to_notice=timedelta(minutes=5))
    fig = before_after_story(before, after)
    written = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert {"5", "4", "none", "4 days 23 h", "5 min"} <= set(written)
    assert "0.1" not in written


def test_a_zoomed_timeline_adds_a_close_up_with_a_lane_per_job_and_the_wait_on_the_dead_letter_list() -> None:
    from datetime import timedelta

    from simulators.course.handling import WorkQueue

    with Lab(seed=3, systems=["payments", "provisioning"]) as lab:

        def work(item: object) -> None:
            raise RuntimeError("provisioning is down")

        queue = WorkQueue(lab, work, max_attempts=4, name="patient", about=lambda item: item)
        ada = lab.payments.create_customer("ada@example.com", name="Ada Lovelace")["id"]
        queue.put({"customer": ada})
        queue.put({"customer": "cus_unknown"})
        started = lab.clock.now()
        lab.advance(hours=2)
        queue.replay_dead_letters()
        fig = timeline(lab, since=started, queues=[queue], zoom=(started, started + timedelta(minutes=5)))
        top, close = fig.axes
        whole_lanes = [t.get_text() for t in top.get_yticklabels()]
        close_lanes = [t.get_text() for t in close.get_yticklabels()]
        assert [lane for lane in whole_lanes if "queue" in lane] == ["patient queue: work"]
        assert [lane for lane in close_lanes if "queue" in lane] == [
            "patient queue: Ada Lovelace",
            "patient queue: cus_unknown",
        ]
        assert close.get_title() == f"Close-up: {started:%H:%M} to {started + timedelta(minutes=15):%H:%M}"
        assert "close-up below" in [t.get_text() for t in top.texts]
        assert close.get_legend() is not None and top.get_legend() is None, "one legend, under the close-up"
        waiting = [c for c in top.collections if c.get_label() == "waiting on the dead-letter list"]
        assert len(waiting) == 1, "jobs parked together draw one bar"
        assert "waiting on the dead-letter list" in [t.get_text() for t in close.get_legend().get_texts()]
        with pytest.raises(ValueError, match="pass no ax"):
            timeline(lab, queues=[queue], zoom=(started, started + timedelta(minutes=1)), ax=top)


# --- every picture reads without colour, and says what it shows in one line of text ---

PALETTE = {colour.lower() for colour in OKABE_ITO.values()} | {grey.lower() for grey in GREYS}


def every_picture() -> Iterator[tuple[str, Figure]]:
    """One of each picture the course draws, on realistic data."""
    from datetime import timedelta
    from types import SimpleNamespace

    from simulators.course.automations.examples import welcome_new_leads
    from simulators.course.handling import default_backoff
    from simulators.course.plots import (
        backoff_draws,
        before_after_story,
        flow_diagram,
        retry_crowd,
        systems_map,
    )

    with outage_story() as lab:
        yield "timeline", timeline(lab)
        yield "systems_map", systems_map(lab)
    yield "bar_compare", bar_compare({"polling": 1440, "webhooks": 3})
    yield "before_after", before_after({"lost": 4}, {"lost": 0})
    yield "cost_vs_delay", cost_vs_delay([{"label": "webhooks", "requests": 24, "delay": 1}])
    yield "backoff_draws", backoff_draws(default_backoff)
    yield "retry_crowd", retry_crowd()
    story = SimpleNamespace(lost=[1] * 5, kept_access=[1] * 4, time_to_notice=timedelta(days=4, hours=23))
    fixed = SimpleNamespace(lost=[], kept_access=[], time_to_notice=timedelta(minutes=5))
    yield "before_after_story", before_after_story(story, fixed)
    yield "flow_diagram", flow_diagram(welcome_new_leads())


def test_every_picture_has_a_one_line_summary_that_names_what_it_shows() -> None:
    pictures = dict(every_picture())
    for name, fig in pictures.items():
        assert isinstance(fig, LabFigure), name
        assert fig.summary and "\n" not in fig.summary, f"{name} has no one-line summary"
    assert "handler problems: down 10:00 to 13:00" in pictures["timeline"].summary
    assert "1 alert emailed to a person, 1 problem logged with nobody told" in pictures["timeline"].summary
    assert "Down right now" not in pictures["systems_map"].summary
    assert "the story: 5 paid and never got in, 4 refunded and kept access, 4 days 23 h" in (
        pictures["before_after_story"].summary
    )
    assert "all three fixes: none paid and never got in" in pictures["before_after_story"].summary
    assert "without jitter they land all at the same second" in pictures["retry_crowd"].summary
    assert "either way: alert ops@example.com" in pictures["flow_diagram"].summary


def _colours(fig: Figure) -> set[str]:
    """Every colour a picture's data is drawn in (marks, bars, bands), as #rrggbb."""
    from matplotlib.collections import Collection
    from matplotlib.colors import to_hex
    from matplotlib.patches import Rectangle

    found = set()
    for ax in fig.axes:
        for collection in ax.collections:
            assert isinstance(collection, Collection)
            for rgba in [*collection.get_facecolors(), *collection.get_edgecolors()]:
                if rgba[3] > 0:
                    found.add(to_hex(rgba[:3]))
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_width() != 0 and patch.get_visible():
                found.add(to_hex(patch.get_facecolor()[:3]))
    return found


@pytest.mark.parametrize(
    "name", ["timeline", "bar_compare", "before_after", "cost_vs_delay", "backoff_draws", "retry_crowd"]
)
def test_data_is_drawn_only_in_colours_safe_for_colour_blind_readers(name: str) -> None:
    fig = dict(every_picture())[name]
    outside = {colour for colour in _colours(fig) if colour not in PALETTE | {"#ffffff"}}
    assert not outside, f"{name} draws in {outside}, outside the Okabe–Ito palette and greys"


def _look(handle: object) -> tuple[object, ...]:
    """What a legend entry looks like to someone who cannot see its colour: shape, fill, hatch, line style."""
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Patch

    if isinstance(handle, PathCollection):
        path = handle.get_paths()[0]
        hollow = len(handle.get_facecolors()) == 0 or handle.get_facecolors()[0][3] == 0
        return ("mark", tuple(map(tuple, path.vertices.round(2))), hollow)
    assert isinstance(handle, Patch), handle
    return ("band", handle.get_hatch(), handle.get_linestyle(), round(handle.get_alpha() or 1, 2))


def test_no_two_timeline_meanings_differ_by_colour_alone() -> None:
    from simulators.course.handling import WorkQueue

    with outage_story() as lab:
        lab.crm.faults.window("slow", start=lab.clock.time() + 600, hours=1)
        lab.mailer.faults.window("fail_after_work", start=lab.clock.time() + 600, hours=1)
        queue = WorkQueue(lab, lambda item: (_ for _ in ()).throw(RuntimeError("down")), max_attempts=2, name="q")
        queue.put({"customer": "cus_1"})
        lab.advance(hours=3)
        legend = timeline(lab, queues=[queue]).axes[0].get_legend()
        handles = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles, strict=True))
    # A queue's work done / failed look like a delivery's on purpose: same meaning, and the lane says which.
    same_meaning = [("work done", "delivery succeeded"), ("work tried, failed", "delivery failed")]
    looks: dict[tuple[object, ...], str] = {}
    for label, handle in handles.items():
        look = _look(handle)
        if look in looks:
            assert (label, looks[look]) in same_meaning or (looks[look], label) in same_meaning, (
                f"{label!r} and {looks[look]!r} differ only by colour"
            )
        looks[look] = label
    assert {"down", "slow", "fails after work", "error answers"} <= set(handles)


def test_marks_at_the_same_moment_in_a_lane_are_fanned_out_not_stacked() -> None:
    with Lab(seed=2, systems=["payments", "provisioning"]) as lab:
        lab.traffic.purchase(n=2, plan="pro")  # two payments in the same minute, as in 00's timeline
        lab.settle()
        ax = timeline(lab).axes[0]
        [events] = [c for c in ax.collections if c.get_label() == "event recorded"]
        ys = sorted({round(float(y), 3) for _, y in events.get_offsets()})
        assert len(ys) == len(events.get_offsets()) >= 2, "each event has a place of its own"
        assert max(ys) - min(ys) < 1, "and stays in its own lane"
        counted = [t.get_text() for t in ax.texts]
        assert f"×{len(events.get_offsets())}" in counted, "a crowd at one moment is also counted in words"


def test_the_date_is_written_in_the_axis_label_not_as_a_stray_tick_and_long_lanes_wrap() -> None:
    with Lab(seed=2, systems=["payments"]) as lab:
        receiver = lab.host(lambda request: 200, name="automation-reach-out-after-a-cancellation")
        lab.payments.add_endpoint(receiver.url)
        lab.traffic.purchase(n=1, plan="pro")
        lab.advance(days=2)
        lab.traffic.purchase(n=1, plan="pro")
        lab.settle()
        fig = timeline(lab)
        fig.canvas.draw()
        ax = fig.axes[0]
        assert ax.xaxis.get_major_formatter().get_offset() == ""
        assert ax.get_xlabel() == "lab time (UTC), Mon 2 to Wed 4 March 2026"
        lanes = [t.get_text() for t in ax.get_yticklabels()]
        assert "payments →\nautomation-reach-out-after-…" in lanes
        assert all(len(line) <= 28 for lane in lanes for line in lane.splitlines())
