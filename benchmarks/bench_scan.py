"""End-to-end benchmark: a scan of the demo estate's specs and gateway with an N-line access log.

Generates a seeded combined-format log over the demo specs' own operations (ids filled in, scanner
noise, query strings), then times what `riskscan scan` does with it: discovery, ingestion (parsing,
redaction, aggregation), matching and inventory, and the controls. Report rendering is measured by
`bench_report.py`. Prints the median over the runs and the end-to-end throughput in log lines/s,
the figure the README quotes (GoAccess, in C, parses about 90,000 combined lines/s on this machine).

    python benchmarks/bench_scan.py --lines 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_log import write_synthetic_log

from riskscan.controls import evaluate_controls
from riskscan.discovery import discover_files, read_inputs
from riskscan.inventory import build_inventory
from riskscan.sources import ReadContext
from riskscan.sources.specs.openapi import OpenApiReader

DEMO = Path(__file__).resolve().parents[1] / "examples" / "northwind-mutual"


def demo_templates(estate: Path) -> list[str]:
    """Every operation of the demo specs as "METHOD /path/{param}"."""
    reader = OpenApiReader()
    context = ReadContext(root=estate)
    templates: list[str] = []
    for spec_file in sorted((estate / "specs").glob("*.*")):
        spec = reader.read(spec_file, context)
        templates += [f"{operation.method} {operation.path}" for operation in spec.operations]
    return templates


def prepare_estate(workdir: Path, lines: int, compress: bool) -> Path:
    """A copy of the demo's specs and gateway, with a fresh synthetic log of `lines` lines."""
    estate = workdir / "estate"
    shutil.copytree(DEMO / "specs", estate / "specs")
    shutil.copytree(DEMO / "gateway", estate / "gateway")
    (estate / "logs").mkdir()
    name = "access.log.gz" if compress else "access.log"
    write_synthetic_log(estate / "logs" / name, lines, seed=7, templates=demo_templates(DEMO))
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


def main() -> None:
    """Parse options, run the benchmark, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="log lines to generate")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (the median is printed)")
    parser.add_argument("--gzip", action="store_true", help="compress the generated log")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        estate = prepare_estate(Path(tmp), args.lines, args.gzip)
        size_mb = sum(f.stat().st_size for f in (estate / "logs").iterdir()) / 1e6
        runs = [time_scan(estate) for _ in range(args.runs)]
    read_s = statistics.median(run[0] for run in runs)
    inventory_s = statistics.median(run[1] for run in runs)
    controls_s = statistics.median(run[2] for run in runs)
    total_s = statistics.median(sum(run[:3]) for run in runs)
    kind = "gzip" if args.gzip else "plain"
    print(f"end-to-end scan, {args.lines:,} log lines ({size_mb:.1f} MB {kind}), median of {args.runs} runs")
    print(f"  reading inputs (parse, redact, aggregate): {read_s:8.3f} s  {args.lines / read_s:12,.0f} lines/s")
    print(f"  inventory (match, fold, lifecycle):        {inventory_s:8.3f} s")
    print(f"  controls:                                  {controls_s:8.3f} s")
    print(f"  total:                                     {total_s:8.3f} s  {args.lines / total_s:12,.0f} lines/s")
    print(f"  endpoints in the inventory: {runs[0][3]}")


if __name__ == "__main__":
    main()
