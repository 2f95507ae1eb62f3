"""Benchmark: reading a gzip log whose log lines follow many empty gzip members.

Writes `--members` empty gzip members (20 bytes each) followed by one member of `--lines` log lines,
then times three full reads with `AccessLogReader` (sniffing included) and prints the median, with a
plain single-member file of the same lines for comparison. The time should grow linearly with
`--members`: before `GzipStream` fed zlib a window at a time, 200,000 members took 7.5 s of copying.
Run: `python benchmarks/bench_gzip_members.py --members 200000`.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from pathlib import Path

from riskscan.sources import ReadContext, make_client_hasher, read_head
from riskscan.sources.traffic.access_log import AccessLogReader

__all__ = ["main"]

_LINE = b'203.0.113.50 - - [09/Nov/2026:08:00:20 +0000] "GET /v1/claims/CLM-1 HTTP/1.1" 200 512 "-" "sdk"\n'


def time_read(path: Path, runs: int = 3) -> float:
    """Median seconds to sniff and read `path`."""
    reader = AccessLogReader()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assert reader.sniff(path, read_head(path))
        reader.read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"bench")))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Parse options, write both files, print the median read times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=1000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        many = Path(folder) / "many-members.log.gz"
        many.write_bytes(gzip.compress(b"", mtime=0) * options.members + gzip.compress(_LINE * options.lines))
        one = Path(folder) / "one-member.log.gz"
        one.write_bytes(gzip.compress(_LINE * options.lines))
        print(f"{options.members} empty members, then {options.lines} lines ({many.stat().st_size} bytes): "
              f"{time_read(many):.2f} s")
        print(f"the same lines in one member: {time_read(one):.3f} s")


if __name__ == "__main__":
    main()
