"""Benchmark: traffic ingestion (parse, redact, reduce, aggregate) per format, against GoAccess.

Generates a seeded combined-format log whose ids are as varied as a real API's (`realistic_log.py`:
most requests carry an account, policy or claim id or a UUID, hundreds of thousands of distinct paths
per million lines, with documented, shadow and scanner traffic, an enumeration burst and a stuffing
burst), writes it plain, gzip and zstd, and reads each with riskscan's reader in a fresh process per
run (peak RSS from `wait4`). When GoAccess is installed (Debian package `goaccess`) it reads the same
log between riskscan's runs (the gzip one through `zcat`), so that a busy machine slows both alike, and
the ratio of the medians is printed: the figure to compare, since this shared machine's speed drifts.

    python benchmarks/bench_ingest.py --lines 1000000 --runs 3
    python benchmarks/bench_ingest.py --lines 10000000 --runs 1 --formats plain   # memory at scale
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_log import write_realistic_log
from timing import goaccess_command, measure

__all__ = ["main"]

FORMATS = ("plain", "gzip", "zstd")


def write_variants(folder: Path, lines: int, seed: int, formats: tuple[str, ...]) -> dict[str, Path]:
    """The realistic log in each requested format."""
    plain = write_realistic_log(folder / "access.log", lines, seed)
    variants = {"plain": plain}
    if "gzip" in formats:
        variants["gzip"] = folder / "access.log.gz"
        with plain.open("rb") as source, gzip.open(variants["gzip"], "wb", compresslevel=6) as target:
            shutil.copyfileobj(source, target, 1 << 20)
    if "zstd" in formats:
        import zstandard

        variants["zstd"] = folder / "access.log.zst"
        with plain.open("rb") as source, variants["zstd"].open("wb") as target:
            zstandard.ZstdCompressor(level=3).copy_stream(source, target)
    return {name: path for name, path in variants.items() if name in formats}


def _child(path: Path) -> None:
    """In a child process: read the log once, print the lines parsed."""
    from riskscan.sources import ReadContext, make_client_hasher
    from riskscan.sources.traffic.access_log import AccessLogReader

    sample = AccessLogReader().read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"bench")))
    print(sample.parsed_lines)


def main(argv: list[str] | None = None) -> int:
    """Generate the logs, time the reads and GoAccess, print one line per format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="log lines to generate")
    parser.add_argument("--runs", type=int, default=3, help="reads per format (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default=",".join(FORMATS), help="plain,gzip,zstd")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    has_goaccess = shutil.which("goaccess") is not None
    with tempfile.TemporaryDirectory() as folder:
        variants = write_variants(Path(folder), args.lines, args.seed, tuple(args.formats.split(",")))
        for name, path in variants.items():
            ours, theirs, peak = [], [], 0
            for _ in range(args.runs):
                wall, rss, _ = measure([sys.executable, __file__, "--child", str(path)])
                ours.append(wall)
                peak = max(peak, rss)
                if has_goaccess and name != "zstd":
                    theirs.append(measure(goaccess_command(path, Path(folder) / "goaccess.json"))[0])
            _print(name, path, args.lines, ours, peak, theirs)
    return 0


def _print(name: str, path: Path, lines: int, ours: list[float], peak: int, theirs: list[float]) -> None:
    wall = statistics.median(ours)
    size = path.stat().st_size / 1e6
    line = f"{name:6s} {lines:>11,} lines {size:8.1f} MB  {wall:6.2f} s {lines / wall:>10,.0f} lines/s  peak {peak:5d} MB"
    if theirs:
        reference = statistics.median(theirs)
        line += f"  GoAccess {reference:6.2f} s: riskscan takes {wall / reference:.2f}x its time ({reference / wall:.1f}x faster)"
    print(line)


if __name__ == "__main__":
    raise SystemExit(main())
