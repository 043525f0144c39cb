"""A pytest plugin for the notebook run: kernels that cannot lose their ports, and say why if they die.

`make test` loads it with `-p tests.nbval_kernel`. By default jupyter_client picks a kernel's five
TCP ports by opening and closing them, and the kernel binds them about a second later. Two notebooks
run at once, and a hooklab notebook starts servers on port 0 many times, so now and then one of them
takes a port in that gap: the new kernel exits with "Address already in use" (or the client talks to
the wrong server and waits a minute), and every cell of that notebook errors. Here each kernel talks
to pytest over Unix sockets in a private folder instead, which no server can take.

A kernel that still dies on the way up is started again; one that dies every time is reported with
what it printed (nbval sends a kernel's stderr to /dev/null).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jupyter_client import KernelManager

from tests.isolated_home import isolate_from_the_machines_learner

ATTEMPTS = 3
KERNEL_STDERR_SHOWN = 2000  # characters: the end of the kernel's last words is what explains it


class KernelWouldNotStart(RuntimeError):
    pass


def start_with_retries(start: Callable[..., Any], attempts: int = ATTEMPTS, **kwargs: Any) -> Any:
    """Call `start` (nbval's start_new_kernel) until a kernel comes up, at most `attempts` times.

    The kernel's stderr goes to a file instead of nowhere, so a last failure can say why. Once the
    kernel is up the file is closed here; the kernel process keeps its own handle on it.
    """
    replaced = kwargs.pop("stderr", None)
    if replaced is not None:
        replaced.close()  # nbval opened /dev/null for this; the file below takes its place
    failures: list[str] = []
    for _ in range(attempts):
        stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        try:
            return start(stderr=stderr, **kwargs)
        except RuntimeError as error:
            stderr.seek(0)
            failures.append(f"{error}\n{stderr.read()[-KERNEL_STDERR_SHOWN:]}")
        finally:
            stderr.close()
    raise KernelWouldNotStart(
        f"the notebook's kernel died while starting, {attempts} times in a row. "
        f"What it printed the last time:\n{failures[-1]}"
    )


def unix_socket_kernel_manager(folder: Path) -> type[KernelManager]:
    """A KernelManager whose kernels listen on Unix sockets in `folder`, one name prefix per kernel.

    The prefix is absolute because the kernel runs in the notebook's folder and pytest does not.
    """
    numbers = itertools.count(1)

    class UnixSocketKernelManager(KernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(transport="ipc", ip=str(folder / f"kernel{next(numbers)}"), **kwargs)

    return UnixSocketKernelManager


def pytest_configure(config: pytest.Config) -> None:
    import nbval.kernel

    # The notebooks' checks run the course's own scenes, never the machine's learner (tests/conftest.py
    # does the same for the test suite; the notebook run does not load it).
    isolate_from_the_machines_learner(os.environ)

    if os.name == "posix":  # ZeroMQ's Unix sockets; elsewhere the kernels keep TCP and the retries
        # Short and under /tmp: a Unix socket's path must fit in about 100 bytes.
        folder = Path(tempfile.mkdtemp(prefix="nbk-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        nbval.kernel.KernelManager = unix_socket_kernel_manager(folder)

    original = nbval.kernel.start_new_kernel

    def start_new_kernel(**kwargs: Any) -> Any:
        return start_with_retries(original, **kwargs)

    nbval.kernel.start_new_kernel = start_new_kernel
