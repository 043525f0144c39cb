"""Lab start and stop, median of many, against the floor of one bare server."""

from __future__ import annotations

import threading
from typing import Any

from common import median, ms, timed

from simulators import Lab
from simulators.server import BackgroundServer


def _ok_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


def measure(cycles: int = 20) -> dict[str, Any]:
    """Median start and stop of a full lab; a bare BackgroundServer's start and stop as the floor."""
    Lab(seed=0).stop()  # imports and first-use costs are paid once, not in the median
    threads_before = threading.active_count()
    starts, stops, floor_starts, floor_stops = [], [], [], []
    for i in range(cycles):
        server = BackgroundServer(_ok_app, 0, name="floor")
        floor_starts.append(timed(server.start)[0])
        floor_stops.append(timed(server.stop)[0])
        took, lab = timed(lambda seed=i: Lab(seed=seed))
        starts.append(took)
        stops.append(timed(lab.stop)[0])
    return {
        "cycles": cycles,
        "systems": 4,
        "start_ms_median": ms(median(starts)),
        "stop_ms_median": ms(median(stops)),
        "start_ms_max": ms(max(starts)),
        "stop_ms_max": ms(max(stops)),
        "floor_one_server_start_ms_median": ms(median(floor_starts)),
        "floor_one_server_stop_ms_median": ms(median(floor_stops)),
        "threads_leaked": threading.active_count() - threads_before,
    }
