"""Benchmark: the loss exposure Monte Carlo (five scenarios and the combined curve) and its peak memory.

Builds a hand-made assessment whose every control fails with a critical finding (the highest event
rates the shipped file allows), runs `assess_exposure` with the default trials and the given ones, and
prints the median wall time and the peak traced memory of each run. Seeded: the figures are the same
on every run. Run: `python benchmarks/bench_exposure.py --trials 50000 200000 1000000`.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from datetime import UTC, datetime

from riskscan.controls.catalogue import default_catalogue
from riskscan.model import (
    Assessment,
    ControlResult,
    ControlStatus,
    EvidenceStrength,
    Finding,
    Grade,
    GradeBasis,
    Inventory,
    Severity,
)
from riskscan.underwriting.exposure import DEFAULT_TRIALS, ExposureOptions, assess_exposure, load_scenarios

__all__ = ["main"]


def failing_assessment() -> Assessment:
    """Every catalogue control failing with one critical finding."""
    ids = [control.id for control in default_catalogue().controls]
    controls = tuple(ControlResult(id=i, name=i, score=0, status=ControlStatus.FAIL, summary="s", weight=1,
                                   evidence_strength=EvidenceStrength.ENFORCED) for i in ids)
    findings = tuple(Finding(id=f"X{n:03d}-001", control=i, severity=Severity.CRITICAL, title="t", detail="d")
                     for n, i in enumerate(ids))
    basis = GradeBasis(evidence_strength=EvidenceStrength.ENFORCED, statement="s", controls_by_strength={},
                       method="m")
    inventory = Inventory(endpoints=(), has_specs=True, has_gateway=True, has_traffic=False)
    return Assessment(schema_version="1.4", tool_version="bench", scanned_at=datetime(2026, 1, 1, tzinfo=UTC),
                      roots=("bench",), inputs=(), inventory=inventory, controls=controls, findings=findings,
                      score=0, grade=Grade.F, basis=basis)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, nargs="+", default=[DEFAULT_TRIALS])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    assessment, data = failing_assessment(), load_scenarios()
    assess_exposure(assessment, ExposureOptions(trials=1_000), data)  # imports numpy and warms up
    for trials in args.trials:
        options = ExposureOptions(trials=trials, records=1_000_000, revenue=5e8, limit=1e7)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            exposure = assess_exposure(assessment, options, data)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        assess_exposure(assessment, options, data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{trials:>9,} trials: median {statistics.median(times):.3f} s, peak {peak / 2**20:.1f} MiB, "
              f"combined ALE ${exposure.combined.ale_usd:,.0f}, P99 ${exposure.combined.p99_usd:,.0f}")


if __name__ == "__main__":
    main()
