"""The map of the lab in notebook 00: every system, the flows between them, and outages shown."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402 - the backend is chosen first

from simulators import Lab  # noqa: E402
from simulators.course.plots.figure import LabFigure  # noqa: E402
from simulators.course.plots.systems_map import FLOWS, systems_down, systems_map  # noqa: E402


def _texts(fig) -> list[str]:  # type: ignore[no-untyped-def]
    return [text.get_text() for text in fig.axes[0].texts]


def test_the_map_names_every_system_and_what_flows_between_them() -> None:
    fig = systems_map()
    try:
        texts = _texts(fig)
        assert {"Payments", "Provisioning", "CRM", "Mailer", "Automations"} <= set(texts)
        assert [label for _, _, label, _ in FLOWS] == [t for t in texts if t in {f[2] for f in FLOWS}]
        assert isinstance(fig, LabFigure) and not any("DOWN" in t for t in texts)
    finally:
        plt.close(fig)


def test_a_system_that_is_down_is_marked_and_comes_back() -> None:
    with Lab(seed=1, systems=["mailer", "provisioning"]) as lab:
        lab.provisioning.faults.down()
        fig = systems_map(lab)
        try:
            assert "Provisioning (DOWN)" in _texts(fig)
            assert "Mailer" in _texts(fig)
        finally:
            plt.close(fig)
        lab.provisioning.faults.up()
        assert systems_down(lab) == set()


def test_it_draws_on_a_given_axes() -> None:
    fig, ax = plt.subplots()
    try:
        assert systems_map(ax=ax) is fig
        assert "Mailer" in [t.get_text() for t in ax.texts]
    finally:
        plt.close(fig)
