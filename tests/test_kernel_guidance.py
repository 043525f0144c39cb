"""A cell run before the cells it needs gets course guidance, in a real kernel configured as a course install is.

The kernel reads the very config file pyproject.toml installs into etc/ipython (here through a private
IPYTHONDIR), and Jupyter's JPY_SESSION_NAME names the notebook, as JupyterLab does.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

from hooklab_kernel import advice_for

ROOT = Path(__file__).resolve().parents[1]
WELCOME = ROOT / "notebooks" / "00_welcome.ipynb"


def _cells(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text())["cells"]


def _code_cell_using(path: Path, text: str) -> str:
    return next("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code" and text in "".join(c["source"]))


def _kernel(home: Path, *, configured: bool) -> Iterator[Any]:
    profile = home / "profile_default"
    profile.mkdir()
    if configured:
        shutil.copy(ROOT / "etc" / "ipython" / "ipython_kernel_config.json", profile)
    else:  # the profile outranks an installed etc/ipython config: as a kernel configured some other way
        (profile / "ipython_kernel_config.json").write_text(json.dumps({"InteractiveShellApp": {"extensions": []}}))
    env = {
        **os.environ,
        "IPYTHONDIR": str(home),
        "JPY_SESSION_NAME": str(WELCOME),
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(WELCOME.parent))
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _kernel(tmp_path_factory.mktemp("ipython"), configured=True)


def _run(client: Any, code: str) -> list[dict[str, Any]]:
    """The outputs a notebook would show for `code`, in order."""
    outputs: list[dict[str, Any]] = []
    client.execute_interactive(code, timeout=60, output_hook=lambda msg: outputs.append(msg))
    return [msg for msg in outputs if msg["msg_type"] in ("display_data", "error", "stream")]


def test_a_cell_run_before_start_the_lab_says_which_cell_to_run_first(kernel: Any) -> None:
    # A restarted kernel (nothing run), then the learner runs "A customer pays".
    outputs = _run(kernel, _code_cell_using(WELCOME, "ada = lab.payments"))
    kinds = [msg["msg_type"] for msg in outputs]
    assert kinds == ["display_data", "error"], kinds
    advice = outputs[0]["content"]["data"]["text/markdown"]
    assert "This cell needs `lab`, which an earlier cell makes: run that cell first." in advice
    assert "the 2nd code cell, under the heading “Start the lab”" in advice  # after Jupyter without fear's hello
    assert "Run ▸ Run All Above Selected Cell" in advice
    error = outputs[1]["content"]
    assert error["ename"] == "NameError", "the real error still shows, below the guidance"


def test_other_errors_keep_their_plain_traceback(kernel: Any) -> None:
    outputs = _run(kernel, "1 / 0")
    assert [msg["msg_type"] for msg in outputs] == ["error"]
    assert outputs[0]["content"]["ename"] == "ZeroDivisionError"


def test_a_name_the_notebook_never_makes_gets_a_spelling_hint(kernel: Any) -> None:
    _run(kernel, "lab = 'a lab'")
    outputs = _run(kernel, "labb")
    advice = outputs[0]["content"]["data"]["text/markdown"]
    assert "Python does not know the name `labb`. Did you mean `lab`?" in advice


def test_lines_outside_the_function_that_uses_its_parameter_are_told_to_indent() -> None:
    running = "def first_payment(lab):\n    customer = lab.payments.create_customer('ada@example.com')\nlab.settle()\n"
    text, _ = advice_for("lab", [], running)
    assert "exists only inside the function" in text and "indented by 4 spaces" in text


def test_the_cell_that_imports_a_name_is_found_too() -> None:
    cells = [
        {"cell_type": "markdown", "source": "## <a id='setup'></a>Setup\n"},
        {"cell_type": "code", "source": "%matplotlib inline\nfrom simulators.course import timeline\n"},
        {"cell_type": "code", "source": "timeline(lab)"},
    ]
    text, _ = advice_for("timeline", cells, "timeline(lab)")
    assert "the 1st code cell, under the heading “Setup”" in text


def test_in_a_kernel_the_failing_cell_itself_is_read_for_the_indentation_slip(kernel: Any) -> None:
    # ex00's commonest slip: the steps pasted without their 4 spaces, below the `def` line.
    outputs = _run(kernel, "def first_payment(shop):\n    customer = 1\nshop.settle()\n")
    advice = outputs[0]["content"]["data"]["text/plain"]
    assert "`shop` exists only inside the function this cell defines" in advice


def test_a_kernel_without_the_config_gets_the_guidance_once_a_cell_imports_the_course(tmp_path: Path) -> None:
    for client in _kernel(tmp_path, configured=False):
        assert [m["msg_type"] for m in _run(client, "undefined_name")] == ["error"], "no config: a plain traceback"
        _run(client, "import simulators.course")
        outputs = _run(client, "undefined_name")
        assert [m["msg_type"] for m in outputs] == ["display_data", "error"]
        assert "Python does not know the name `undefined_name`" in outputs[0]["content"]["data"]["text/plain"]
