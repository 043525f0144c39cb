"""IPython startup for the notebook runs "as in Pyodide": each cell runs in-process with sockets and threads forbidden.

tests/lite/test_notebooks_inprocess.py copies this into a private IPYTHONDIR's startup folder. The guard is on
only while a cell runs: the kernel's own machinery (ZeroMQ, its threads) is not the lab's and is left alone.
"""

from zmq.utils.garbage import gc as zmq_garbage

from simulators.inprocess.guard import impose

# pyzmq starts a helper thread the first time it sends a large message (a picture); it is the kernel's.
zmq_garbage.start()
_lifts = []


def _guard_on(*_: object) -> None:
    _lifts.append(impose())


def _guard_off(*_: object) -> None:
    while _lifts:
        _lifts.pop()()


get_ipython().events.register("pre_run_cell", _guard_on)  # type: ignore[name-defined]  # noqa: F821
get_ipython().events.register("post_run_cell", _guard_off)  # type: ignore[name-defined]  # noqa: F821
