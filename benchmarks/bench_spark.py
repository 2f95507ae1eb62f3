"""Benchmark: the Spark engine (`--engine spark`) against the embedded one on the realistic log.

Generates the seeded realistic combined-format log (`realistic_log.py`: most requests carry an
account, policy or claim id or a UUID), reads it with the embedded engine and with Spark in local mode
on the same cores, and prints each one's median time and lines/s, Spark's session start-up apart, and
whether the two `TrafficSample`s agree (object keys compared by count: the engines hash differently).
Spark is for logs beyond one machine; on one machine it is expected to be slower than the embedded
engine, and the figure to read is its throughput per core.

    python benchmarks/bench_spark.py --lines 1000000 --runs 3 --master 'local[2]'
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_log import write_realistic_log  # noqa: E402

from riskscan.model import TrafficSample  # noqa: E402
from riskscan.sources import ReadContext, make_client_hasher  # noqa: E402
from riskscan.sources.traffic.access_log import AccessLogReader  # noqa: E402


def comparable(sample: TrafficSample) -> Any:
    """The sample as plain data, each client's object keys replaced by their count."""
    data = sample.model_dump()
    for path in data["paths"]:
        for client in path["clients"]:
            client["object_keys"] = len(client["object_keys"]) // 8
    return data


def main(argv: list[str] | None = None) -> int:
    """Generate the log, time both engines, print their figures and the agreement check."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args(argv)
    from riskscan.sources.traffic.spark.scan import SparkAccessLogReader
    from riskscan.sources.traffic.spark.session import spark_session

    with tempfile.TemporaryDirectory() as folder:
        log = write_realistic_log(Path(folder) / "access.log", args.lines, args.seed)
        context = ReadContext(root=Path(folder), client_id=make_client_hasher(b"bench"))
        started = time.perf_counter()
        spark = spark_session(args.master)
        print(f"spark session start-up ({args.master}): {time.perf_counter() - started:.1f} s")
        readers = {"embedded": AccessLogReader(), "spark": SparkAccessLogReader(spark)}
        times: dict[str, list[float]] = {name: [] for name in readers}
        samples: dict[str, TrafficSample] = {}
        for _ in range(args.runs):  # interleaved, so that a busy machine slows both alike
            for name, reader in readers.items():
                started = time.perf_counter()
                samples[name] = reader.read(log, context)
                times[name].append(time.perf_counter() - started)
        for name, seconds in times.items():
            median = statistics.median(seconds)
            print(f"{name:>8}: {median:6.1f} s median of {args.runs}, {args.lines / median:,.0f} lines/s")
        agree = comparable(samples["embedded"]) == comparable(samples["spark"])
        print(f"aggregates agree: {agree} ({len(samples['spark'].paths)} endpoints, "
              f"{samples['spark'].distinct_clients} clients)")
        return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
