"""The control panel, driven headlessly against a live lab: its switches really switch."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as widgets
import pytest
import requests

from simulators import Lab
from simulators.course.widgets import ControlPanel, control_panel


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=7, systems=["crm", "provisioning"]) as running:
        yield running


def find(panel: widgets.Widget, description: str) -> widgets.Widget:
    """The control a learner (or the browser test) finds by its label."""
    stack = [panel]
    while stack:
        widget = stack.pop()
        if getattr(widget, "description", None) == description:
            return widget
        stack.extend(getattr(widget, "children", ()))
    raise LookupError(description)


def test_provisioning_down_really_refuses_connections(lab: Lab) -> None:
    panel = control_panel(lab)
    down = find(panel, "provisioning down")
    down.value = True
    with pytest.raises(requests.ConnectionError):
        requests.get(lab.provisioning.url + "/accounts", timeout=2)
    assert lab.provisioning.faults.is_down
    assert "provisioning is down" in panel.last_action.value
    down.value = False
    assert requests.get(lab.provisioning.url + "/accounts", timeout=2).status_code == 200


def test_error_rate_slider_makes_the_system_answer_errors(lab: Lab) -> None:
    panel = control_panel(lab)
    find(panel, "provisioning error status").value = 429
    find(panel, "provisioning error rate").value = 1.0
    response = requests.get(lab.provisioning.url + "/accounts", timeout=2)
    assert response.status_code == 429 and response.json()["error"]["code"] == "injected_fault"
    find(panel, "provisioning error rate").value = 0.0
    assert "errors" not in lab.provisioning.faults.active()
    assert requests.get(lab.provisioning.url + "/accounts", timeout=2).status_code == 200


def test_an_error_rate_the_menu_does_not_offer_is_shown_as_it_is(lab: Lab) -> None:
    lab.provisioning.faults.errors(rate=0.3, status=502)  # set in code, not from the panel
    panel = control_panel(lab)
    rate = find(panel, "provisioning error rate")
    assert rate.value == 0.3 and ("30%", 0.3) in rate.options
    assert find(panel, "provisioning error status").value == 502
    assert lab.provisioning.faults.active()["errors"]["rate"] == 0.3, "showing it changes nothing"


def test_slow_and_fail_after_work_switch_the_faults(lab: Lab) -> None:
    panel = control_panel(lab)
    find(panel, "crm slow").value = True
    find(panel, "crm fail after work").value = True
    active = lab.crm.faults.active()
    assert active["slow"]["seconds"] > lab.delivery_timeout
    assert "fail_after_work" in active
    find(panel, "crm slow").value = False
    find(panel, "crm fail after work").value = False
    assert lab.crm.faults.active() == {}


def test_advance_buttons_move_the_lab_clock(lab: Lab) -> None:
    panel = control_panel(lab)
    assert "Mon 2026-03-02 09:00" in panel.clock_view.value
    find(panel, "+1 hour").click()
    assert lab.clock.now().hour == 10
    find(panel, "+1 day").click()
    assert "Tue 2026-03-03 10:00" in panel.clock_view.value and "(day 2)" in panel.clock_view.value


def test_the_delivery_log_shows_failures_then_the_retry_that_succeeds(lab: Lab) -> None:
    panel = control_panel(lab)
    handler = lab.host(lambda request: 200, name="handler")
    lab.crm.add_endpoint(handler.url, retry_policy="standard")
    panel.refresh()
    find(panel, "handler error rate").value = 1.0
    lab.crm.submit_form(name="Ann", email="ann@example.com")
    find(panel, "+1 hour").click()
    assert "✘ failed" in panel.delivery_log.value and "HTTP 503" in panel.delivery_log.value
    assert "form.submitted" in panel.delivery_log.value and ">handler<" in panel.delivery_log.value
    assert "1 deliveries: 0 succeeded, 0 failed, 1 pending" == panel.summary.value
    find(panel, "handler error rate").value = 0.0
    find(panel, "+1 day").click()
    assert "✔ succeeded" in panel.delivery_log.value
    assert panel.summary.value == "1 deliveries: 1 succeeded, 0 failed, 0 pending"


def test_a_new_endpoint_gets_its_own_switches_that_work(lab: Lab) -> None:
    panel = control_panel(lab)
    endpoint = lab.host(lambda request: 200, name="handler")
    with pytest.raises(LookupError):
        find(panel, "handler down")
    panel.refresh_button.click()
    find(panel, "handler down").value = True
    with pytest.raises(requests.ConnectionError):
        requests.post(endpoint.url, json={}, timeout=2)


def test_scheduled_outages_show_on_the_switches(lab: Lab) -> None:
    panel = control_panel(lab)
    lab.provisioning.faults.window("down", start=lab.clock.time() + 1800, hours=2)
    find(panel, "+1 hour").click()
    assert find(panel, "provisioning down").value is True
    assert "down" in panel.switches["provisioning"].heading.value
    find(panel, "+1 day").click()
    assert find(panel, "provisioning down").value is False


def test_alerts_appear_as_they_are_raised(lab: Lab) -> None:
    panel = control_panel(lab)
    assert "No alerts." in panel.alert_list.value
    lab.raise_alert("crm", "delivery_failed", "gave up on evt_1 <after 1 attempt>")
    assert "gave up on evt_1 &lt;after 1 attempt&gt;" in panel.alert_list.value


def test_a_failing_button_is_reported_in_the_panel_not_raised(lab: Lab) -> None:
    panel = control_panel(lab)
    assert panel.purchase_one.disabled  # no payment system in this lab
    panel.purchase_one.click()
    assert "that did not work" in panel.last_action.value


def test_a_bad_switch_setting_is_explained(lab: Lab) -> None:
    panel = control_panel(lab)
    switches = panel.switches["crm"]
    switches.error_status.value = 500
    switches._apply(lambda: lab.crm.faults.errors(rate=2.0), "never")
    assert "a rate is between 0 and 1" in panel.last_action.value


def test_the_text_repr_is_stable_across_runs() -> None:
    texts = []
    for _ in range(2):
        with Lab(seed=3, systems=["provisioning"]) as lab:
            lab.host(lambda request: 200, name="handler")
            panel = control_panel(lab)
            texts.append(panel._repr_mimebundle_()["text/plain"])
            assert str(lab.provisioning.port) not in texts[-1]
    assert texts[0] == texts[1] == "▶ Run this cell to show the lab's control panel."


def test_a_stopped_lab_is_shown_as_stopped() -> None:
    lab = Lab(seed=1, systems=["provisioning"])
    panel = ControlPanel(lab)
    lab.stop()
    panel.refresh()
    assert "stopped" in panel.clock_view.value
    panel.close()


@pytest.mark.parametrize("control", ["1 purchase", "+1 hour", "refresh", "provisioning down", "provisioning slow"])
def test_a_click_after_the_last_cell_stopped_the_lab_says_how_to_start_it(control: str) -> None:
    # Run All runs a lesson's last cell, lab.stop(), while its panel is still on the page.
    lab = Lab(seed=1, systems=["provisioning", "payments"])
    panel = control_panel(lab)
    lab.stop()
    widget = find(panel, control)
    if isinstance(widget, widgets.Button):
        widget.click()
    else:
        widget.value = True
    assert "The lab is stopped — run the first cell to start it" in panel.last_action.value
    assert "Error" not in panel.last_action.value and "refused" not in panel.last_action.value
    assert not lab.provisioning.faults.active(), "a stopped lab's switches switch nothing"
    assert find(panel, "provisioning down").value is False, "the switch shows the system as it is"
    every = [panel.purchase_one, panel.advance_day, panel.refresh_button, *panel.switches["payments"].controls]
    assert all(control.disabled for control in every)
    heading = panel.switches["provisioning"].heading.value
    assert "stopped with the lab" in heading and "healthy" not in heading and "href" not in heading, "no dead link"
    panel.close()


def test_purchase_buttons_make_payments_when_the_lab_has_them() -> None:
    with Lab(seed=7) as lab:
        panel = control_panel(lab)
        assert not panel.purchase_one.disabled
        panel.purchase_one.click()
        lab.settle()
        panel.refresh()
        assert "that did not work" not in panel.last_action.value
        assert "payment_intent.succeeded" in panel.delivery_log.value or "invoice.paid" in panel.delivery_log.value


def test_course_widgets_and_pictures_pass_strict_nbval(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A notebook showing the panel, a timeline, a verdict and a reflection keeps its saved output."""
    import subprocess
    import sys

    import nbclient
    import nbformat

    monkeypatch.setenv("HOOKLAB_WORKSHEET", str(tmp_path / "worksheet.json"))
    cells = [
        "from simulators import Lab\nfrom simulators.course.widgets import control_panel\nfrom simulators.course.plots import timeline\n"
        "from simulators.course.checking import CheckResult, Step\nfrom simulators.course.worksheets import reflection\n"
        "lab = Lab(seed=7, systems=['crm', 'provisioning'])\nhandler = lab.host(lambda request: 200, name='handler')\n"
        "lab.crm.add_endpoint(handler.url, retry_policy='standard')\nhandler.faults.window('down', start=lab.clock.time() + 60, hours=2)",
        "panel = control_panel(lab)\npanel",
        "lab.crm.submit_form(name='Ann', email='ann@example.com')\nfind = panel.switches['handler'].error_rate\nfind.value = 0.5\n"
        "panel.advance_day.click()\nprint(panel.summary.value)",
        "timeline(lab)",
        "CheckResult(False, 'T', '1 of 2 checks pass', ('nudge', 'concept'), {}, (Step('a', True), Step('b', False, 'saw c')), 'ex01')",
        "box = reflection('q01_failures')\nbox",
        "box.answer.value = 'typed during the run'\nlab.stop()",
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    path = tmp_path / "widgets.ipynb"
    nbformat.write(notebook, path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--nbval",
            "--nbval-current-env",
            "-p",
            "no:python",
            "-p",
            "no:cacheprovider",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-3000:]
