"""Timing a gateway reader on a generated config: shared by the per-gateway benchmarks.

Writes the config to a temporary folder, reads it `runs` times with a fresh reader each time and
prints one line: size, routes, median wall and CPU time, routes per second.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from riskscan.model import GatewayConfig
from riskscan.sources import ReadContext


def time_gateway_reader(read: Callable[[Path, ReadContext], GatewayConfig], file_name: str, text: str,
                        runs: int) -> None:
    """Print the median time `read` takes over `text` written as `file_name`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / file_name
        path.write_text(text, encoding="utf-8")
        walls: list[float] = []
        cpus: list[float] = []
        routes = 0
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            routes = len(read(path, ReadContext(root=Path(folder))).routes)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - started_cpu)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        size = path.stat().st_size / 1e6
        print(
            f"{size:5.2f} MB, {routes} routes: median {wall:5.2f} s ({routes / wall:7.0f} routes/s),"
            f" cpu {cpu:5.2f} s ({routes / cpu:7.0f} routes/s)"
        )
