"""End-to-end benchmark: a scan of the demo estate's specs and gateway with an N-line access log.

Generates a seeded combined-format log over the demo specs' own operations with ids as varied as a
real API's (`realistic_log.py`: most requests carry an id drawn from a large space, so a million lines
hold hundreds of thousands of distinct paths; shadow, scanner, enumeration and stuffing traffic),
then times what `riskscan scan` does with it: discovery, ingestion (parsing, redaction, reduction,
aggregation), matching and inventory, and the controls. Report rendering is measured by
`bench_report.py`. Each run is a fresh process (its peak RSS is read from `wait4`); when GoAccess is
installed (Debian package `goaccess`) it reads the same log between the runs, and the ratio of the
medians is printed.

    python benchmarks/bench_scan.py --lines 1000000 --runs 3 [--gzip] [--docker-prefix]

`--docker-prefix` writes the log as `docker compose logs nginx` prints it (`nginx-1  | ` before each
line): the cost of removing the prefix. GoAccess reads the same file without the prefix.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_log import write_realistic_log
from timing import goaccess_command, measure

from riskscan.controls import evaluate_controls
from riskscan.discovery import discover_files, read_inputs
from riskscan.inventory import build_inventory
from riskscan.sources import ReadContext
from riskscan.sources.specs.openapi import OpenApiReader

DEMO = Path(__file__).resolve().parents[1] / "examples" / "northwind-mutual"
_COMPOSE_PREFIX = "nginx-1  | "


def demo_templates(estate: Path) -> list[str]:
    """Every operation of the demo specs as "METHOD /path/{param}"."""
    reader = OpenApiReader()
    context = ReadContext(root=estate)
    templates: list[str] = []
    for spec_file in sorted((estate / "specs").glob("*.*")):
        spec = reader.read(spec_file, context)
        templates += [f"{operation.method} {operation.path}" for operation in spec.operations]
    return templates


def prepare_estate(workdir: Path, lines: int, compress: bool, prefix: str = "") -> Path:
    """A copy of the demo's specs and gateway, with a fresh synthetic log of `lines` lines, each after
    `prefix`."""
    estate = workdir / "estate"
    shutil.copytree(DEMO / "specs", estate / "specs")
    shutil.copytree(DEMO / "gateway", estate / "gateway")
    (estate / "logs").mkdir()
    name = "access.log.gz" if compress else "access.log"
    write_realistic_log(estate / "logs" / name, lines, seed=7, templates=demo_templates(DEMO), prefix=prefix)
    return estate


def time_scan(estate: Path) -> tuple[float, float, float, int]:
    """Seconds spent reading inputs, building the inventory and evaluating controls; endpoint count."""
    context = ReadContext(root=estate, allowed_roots=(estate,))
    started = time.perf_counter()
    inputs = read_inputs(discover_files([estate]), context)
    read_done = time.perf_counter()
    inventory = build_inventory(inputs.specs, inputs.gateways, inputs.traffic)
    inventory_done = time.perf_counter()
    evaluate_controls(inventory)
    controls_done = time.perf_counter()
    return (read_done - started, inventory_done - read_done, controls_done - inventory_done,
            len(inventory.endpoints))


def _child(estate: Path) -> None:
    """In a child process: one timed scan, printed as JSON."""
    print(json.dumps(time_scan(estate)))


def main() -> None:
    """Parse options, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000, help="log lines to generate")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (the median is printed)")
    parser.add_argument("--gzip", action="store_true", help="compress the generated log")
    parser.add_argument("--docker-prefix", action="store_true",
                        help="write the log as `docker compose logs` prints it (`nginx-1  | ` first)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    has_goaccess = shutil.which("goaccess") is not None
    with tempfile.TemporaryDirectory() as tmp:
        prefix = _COMPOSE_PREFIX if args.docker_prefix else ""
        estate = prepare_estate(Path(tmp), args.lines, args.gzip, prefix)
        log = next((estate / "logs").iterdir())
        size_mb = log.stat().st_size / 1e6
        if args.docker_prefix:  # GoAccess reads the log as nginx wrote it
            log = prepare_estate(Path(tmp) / "plain", args.lines, args.gzip) / "logs" / log.name
        runs, peaks, goaccess = [], [], []
        for _ in range(args.runs):
            _, peak, out = measure([sys.executable, __file__, "--child", str(estate)])
            runs.append(json.loads(out))
            peaks.append(peak)
            if has_goaccess:
                report = Path(tmp) / "goaccess.json"
                goaccess.append(measure(goaccess_command(log, report))[0])
    _print(args, size_mb, runs, max(peaks), statistics.median(goaccess) if goaccess else None)


def _print(args: argparse.Namespace, size_mb: float, runs: list[list[float]], peak: int,
           goaccess: float | None) -> None:
    read_s = statistics.median(run[0] for run in runs)
    inventory_s = statistics.median(run[1] for run in runs)
    controls_s = statistics.median(run[2] for run in runs)
    total_s = statistics.median(sum(run[:3]) for run in runs)
    kind = ("gzip" if args.gzip else "plain") + (", docker compose prefix" if args.docker_prefix else "")
    print(f"end-to-end scan, {args.lines:,} log lines ({size_mb:.1f} MB {kind}), median of {args.runs} runs")
    rows = (
        ("reading (parse, redact, reduce, aggregate)", read_s, True),
        ("inventory (match, fold, lifecycle)", inventory_s, False),
        ("controls", controls_s, False),
        ("total", total_s, True),
    )
    for label, seconds, has_rate in rows:
        rate = f"  {args.lines / seconds:12,.0f} lines/s" if has_rate else ""
        print(f"  {label + ':':44s} {seconds:8.3f} s{rate}")
    print(f"  peak RSS of a scan process: {peak} MB; endpoints in the inventory: {int(runs[0][3])}")
    if goaccess is not None:
        ratio = total_s / goaccess
        print(f"  GoAccess on the same log, same runs: {goaccess:.3f} s; riskscan: {ratio:.2f}x its time")


if __name__ == "__main__":
    main()
