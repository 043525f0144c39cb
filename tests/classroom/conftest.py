"""A class on a real JupyterHub: three learners and an instructor as real Unix users.

Needs root (to create the users and run the hub), the configurable-http-proxy
(`make test` installs it with npm into the venv) and Chromium. Without them
these tests skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import unavailable
from tests.classroom.hub import (
    ROOT,
    VENV_BIN,
    Hub,
    copy_course,
    create_user,
    open_the_way,
    proxy_command,
    put_back,
    remove_user,
)

LEARNERS = ["hlada", "hlbo", "hlcy"]
INSTRUCTOR = "hlteach"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.classroom)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    if os.geteuid() != 0:
        unavailable("the classroom tests create Unix users and run JupyterHub: they need root")
    if importlib.util.find_spec("jupyterhub") is None:
        unavailable("jupyterhub is not installed (pip install -e '.[test]')")
    if proxy_command() is None:
        unavailable("configurable-http-proxy is not installed (make test installs it with npm)")
    for name in [*LEARNERS, INSTRUCTOR]:
        try:
            pwd.getpwnam(name)
            remove_user(name)  # left over from a run that was killed
        except KeyError:
            pass
    workdir = tmp_path_factory.mktemp("hub")
    # The venv's python may link to an interpreter under root's home (pyenv): open the way to it as well.
    changed = open_the_way([VENV_BIN, ROOT, Path(os.path.realpath(sys.executable)).parent, Path(sys.base_prefix)])
    made: list[str] = []
    running: Hub | None = None
    try:
        for name in [*LEARNERS, INSTRUCTOR]:
            user = create_user(name)
            made.append(name)
            if name in LEARNERS:
                copy_course(user)
        running = Hub(workdir, LEARNERS, INSTRUCTOR)
        running.wait_until_ready()
        yield running
    finally:
        if running is not None:
            for name in LEARNERS:
                running.api("DELETE", f"/users/{name}/server")
            running.stop()
        for name in made:
            remove_user(name)
        put_back(changed)
