"""The notebook run's kernels talk over Unix sockets, start again when they die on the way up, and say why."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.nbval_kernel import KernelWouldNotStart, start_with_retries, unix_socket_kernel_manager


class FlakyKernelStarts:
    """Stands in for nbval's start_new_kernel: the first `deaths` starts die the way a port clash does."""

    def __init__(self, deaths: int) -> None:
        self.deaths = deaths
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> str:
        self.calls.append(kwargs)
        if len(self.calls) <= self.deaths:
            kwargs["stderr"].write(f"zmq.error.ZMQError: Address already in use (start {len(self.calls)})\n")
            kwargs["stderr"].flush()
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "kernel"


def test_a_kernel_that_dies_once_is_started_again() -> None:
    starts = FlakyKernelStarts(deaths=1)
    assert start_with_retries(starts, kernel_name="python3", cwd="notebooks") == "kernel"
    assert len(starts.calls) == 2
    assert all(call["kernel_name"] == "python3" and call["cwd"] == "notebooks" for call in starts.calls)


def test_a_kernel_that_starts_first_time_is_started_once() -> None:
    starts = FlakyKernelStarts(deaths=0)
    start_with_retries(starts, kernel_name="python3")
    assert len(starts.calls) == 1


def test_a_kernel_that_never_starts_fails_with_what_it_printed() -> None:
    starts = FlakyKernelStarts(deaths=10)
    with pytest.raises(KernelWouldNotStart) as failure:
        start_with_retries(starts, attempts=3, kernel_name="python3")
    assert len(starts.calls) == 3
    message = str(failure.value)
    assert "3 times in a row" in message
    assert "Address already in use (start 3)" in message


def test_the_kernel_stderr_goes_to_a_file_instead_of_nowhere() -> None:
    starts = FlakyKernelStarts(deaths=1)
    with open("/dev/null", "w") as devnull:
        with pytest.raises(KernelWouldNotStart, match="Address already in use"):
            start_with_retries(starts, attempts=1, stderr=devnull)
    assert starts.calls[0]["stderr"] is not devnull
    assert devnull.closed  # nbval opened it; nothing else would close it


@pytest.mark.skipif(os.name != "posix", reason="ZeroMQ's Unix sockets exist on POSIX systems only")
def test_a_kernel_started_the_notebook_way_answers_over_unix_sockets(tmp_path: Path) -> None:
    # Unix sockets are what keep a kernel's connection safe from servers binding port 0 meanwhile.
    from nbval.kernel import NbvalKernelspecManager

    manager = unix_socket_kernel_manager(tmp_path)(kernel_name="python3", kernel_spec_manager=NbvalKernelspecManager())
    manager.start_kernel(cwd=str(Path(__file__).parent))  # not the folder pytest runs in, as with nbval
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive("6 * 7", timeout=30, store_history=False)
        assert reply["content"]["status"] == "ok"
        assert manager.transport == "ipc"
        assert any(path.is_socket() for path in tmp_path.iterdir())
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
