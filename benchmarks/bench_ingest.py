"""Benchmark: access-log ingestion throughput (parse, redact and aggregate), plain and gzip.

Generates a seeded combined-format log whose ids are as varied as a real API's (`realistic_log.py`:
hundreds of thousands of distinct paths per million lines) into a temporary folder, reads it with
`AccessLogReader` three times per variant and prints the median time and lines per second.
Run: `python benchmarks/bench_ingest.py --lines 1000000`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_log import write_realistic_log

from riskscan.sources import ReadContext, make_client_hasher
from riskscan.sources.traffic.access_log import AccessLogReader

__all__ = ["main", "time_read"]


def time_read(path: Path, runs: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds over `runs` reads of `path`, and the lines it parsed.

    CPU time is reported beside wall time because a busy shared machine inflates the latter.
    """
    reader = AccessLogReader()
    walls: list[float] = []
    cpus: list[float] = []
    parsed = 0
    for _ in range(runs):
        context = ReadContext(root=path.parent, client_id=make_client_hasher(b"bench"))
        started, started_cpu = time.perf_counter(), time.process_time()
        parsed = reader.read(path, context).parsed_lines  # the sample is freed inside the timing
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return statistics.median(walls), statistics.median(cpus), parsed


def main(argv: list[str] | None = None) -> int:
    """Generate the logs, time the reads and print one line per variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="log lines to generate")
    parser.add_argument("--runs", type=int, default=3, help="reads per variant (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        for name in ("access.log", "access.log.gz"):
            path = write_realistic_log(Path(folder) / name, args.lines, args.seed)
            wall, cpu, parsed = time_read(path, args.runs)
            size = path.stat().st_size / 1e6
            print(
                f"{name:14s} {args.lines:>10,} lines {size:7.1f} MB  median {wall:5.2f} s "
                f"{args.lines / wall:>9,.0f} lines/s  (cpu {cpu:5.2f} s {args.lines / cpu:>9,.0f} lines/s, "
                f"{parsed:,} parsed)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
