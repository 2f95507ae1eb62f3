"""Benchmark: judging a large document's kind when its deciding key is past the 64 KiB head.

Generates a seeded synthetic spec laid out like Twilio's (a large `components` block before
`openapi`), as JSON and YAML, plus the same JSON without any version key (a large document that is no
spec: the whole file is looked at for nothing). Times `detect_kind` three times per variant and prints
the median time and megabytes per second. Run: `python benchmarks/bench_detect.py --schemas 20000`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from riskscan.sources import detect_kind, read_head

__all__ = ["main", "synthetic_spec", "time_detect"]


def synthetic_spec(schemas: int, seed: int, with_version: bool = True) -> dict[str, Any]:
    """A spec whose `components` (brackets and quotes inside strings, nested lists) come first."""
    rng = random.Random(seed)
    components = {
        f"Schema{index}": {
            "type": "object",
            "properties": {
                f"field{field}": {
                    "type": rng.choice(["string", "integer", "boolean"]),
                    "description": f"see [docs] for {{id}} and \"quotes\" #{rng.randrange(10**6)}",
                    "enum": [rng.randrange(100), [rng.randrange(100), {"nested": True}]],
                }
                for field in range(rng.randrange(5, 15))
            },
        }
        for index in range(schemas)
    }
    spec: dict[str, Any] = {"components": {"schemas": components}, "info": {"title": "Bench", "version": "1"}}
    if with_version:
        spec["openapi"] = "3.0.1"
    spec["paths"] = {"/things": {"get": {"responses": {"200": {"description": "OK"}}}}}
    return spec


def time_detect(path: Path, runs: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds over `runs` detections of `path`, and the kind found.

    CPU time is reported beside wall time because a busy shared machine inflates the latter.
    """
    walls: list[float] = []
    cpus: list[float] = []
    kind = None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        kind = detect_kind(path, read_head(path), max_bytes=1 << 30)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return statistics.median(walls), statistics.median(cpus), str(kind)


def main(argv: list[str] | None = None) -> int:
    """Generate the documents, time the detections and print one line per variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=int, default=20_000, help="component schemas to generate")
    parser.add_argument("--runs", type=int, default=3, help="detections per variant (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    spec = synthetic_spec(args.schemas, args.seed)
    variants = {
        "spec.json": json.dumps(spec, indent=1),
        "spec.yaml": yaml.dump(spec, Dumper=yaml.CSafeDumper, sort_keys=False, width=1000),
        "no-spec.json": json.dumps(synthetic_spec(args.schemas, args.seed, with_version=False), indent=1),
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, text in variants.items():
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            wall, cpu, kind = time_detect(path, args.runs)
            size = path.stat().st_size / 1e6
            print(
                f"{name:13s} {size:7.1f} MB  median {wall:5.2f} s {size / wall:7.1f} MB/s"
                f"  (cpu {cpu:5.2f} s {size / cpu:7.1f} MB/s)  -> {kind}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
