"""Benchmark the report stage: JSON, HTML and PDF for a large synthetic assessment.

Builds a seeded, synthetic insurer estate (by default 2,000 endpoints and 300 findings), renders each
format a few times and prints the median time, the output size and, for the PDF, the page count.

    python benchmarks/bench_report.py [--endpoints 2000] [--findings 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from riskscan.model import (
    Assessment,
    AuthKind,
    AuthPosture,
    ControlResult,
    ControlStatus,
    Endpoint,
    Evidence,
    EvidenceStrength,
    Finding,
    Grade,
    GradeBasis,
    InputFile,
    InputStatus,
    Inventory,
    Lifecycle,
    RateLimitPosture,
    Severity,
    SightingSource,
    SourceKind,
    TrafficStats,
)
from riskscan.report import RENDERERS

__all__ = ["build_assessment", "main"]

_RESOURCES = ("quotes", "policies", "claims", "coverage", "brokers", "documents", "payments", "partners")
_START = datetime(2026, 11, 16, tzinfo=UTC)


def build_assessment(endpoint_count: int, finding_count: int, seed: int = 7) -> Assessment:
    """A synthetic assessment with `endpoint_count` endpoints and `finding_count` findings."""
    rng = random.Random(seed)
    endpoints = tuple(_endpoint(rng, i) for i in range(endpoint_count))
    keys = [e.key for e in endpoints]
    findings = tuple(_finding(rng, i, keys) for i in range(finding_count))
    controls = tuple(
        ControlResult(id=f"CTRL-{i:02d}", name=f"Control {i}", score=rng.randint(0, 100),
                      status=rng.choice(list(ControlStatus)[:3]), summary="Synthetic control result.",
                      weight=0.1, limitations=("Synthetic limitation.",),
                      evidence_strength=EvidenceStrength.ENFORCED,
                      evidence_breakdown={EvidenceStrength.ENFORCED: endpoint_count})
        for i in range(10)
    )
    inputs = tuple(InputFile(path=f"specs/api-{i}.yaml", kind=SourceKind.OPENAPI, status=InputStatus.USED)
                   for i in range(40))
    return Assessment(schema_version="1.1", tool_version="bench", scanned_at=_START + timedelta(days=8),
                      roots=("synthetic-estate",), inputs=inputs,
                      inventory=Inventory(endpoints=endpoints, has_specs=True, has_gateway=True,
                                          has_traffic=True),
                      controls=controls, findings=findings, score=58, grade=Grade.C,
                      basis=GradeBasis(evidence_strength=EvidenceStrength.ENFORCED, statement="synthetic basis",
                                       controls_by_strength={EvidenceStrength.ENFORCED: len(controls)},
                                       method="Synthetic method."))


def _endpoint(rng: random.Random, index: int) -> Endpoint:
    resource = rng.choice(_RESOURCES)
    path = f"/v{rng.randint(1, 3)}/{resource}/{{{resource[:-1]}Id}}/items-{index}"
    requests = rng.randint(0, 250_000)
    return Endpoint(
        method=rng.choice(("GET", "POST", "PUT", "DELETE")), path=path,
        host=f"{resource}.api.example", sources=(SightingSource.SPEC, SightingSource.TRAFFIC),
        lifecycle=rng.choice(list(Lifecycle)), lifecycle_reason="synthetic",
        route_ids=(f"route-{index}",),
        auth=AuthPosture(effective=rng.choice(list(AuthKind)), enforced_by=f"gateway:route-{index}"),
        rate_limit=RateLimitPosture(enforced=rng.choice((True, False, None)),
                                    by=("limit-count by consumer_name (100/60s)",)),
        loggers=("http-logger",), is_logged=rng.choice((True, False, None)),
        traffic=TrafficStats(requests=requests, clients=rng.randint(1, 80), status_classes={"2xx": requests},
                             first_seen=_START, last_seen=_START + timedelta(days=7)),
    )


def _finding(rng: random.Random, index: int, keys: list[str]) -> Finding:
    evidence = tuple(Evidence(path=f"specs/api-{rng.randint(0, 39)}.yaml", line=rng.randint(1, 4000),
                              pointer="/paths/~1v1~1items/get", excerpt="security: []\n" * 3)
                     for _ in range(rng.randint(1, 4)))
    return Finding(id=f"SYN-{index:03d}", control=f"CTRL-{index % 10:02d}", severity=rng.choice(list(Severity)),
                   title=f"Synthetic finding {index}", detail="A synthetic weakness for benchmarking.",
                   endpoints=tuple(rng.sample(keys, k=min(len(keys), rng.randint(1, 40)))),
                   evidence=evidence, owasp="API8:2023", remediation="Fix the synthetic weakness.")


def _median_seconds(name: str, assessment: Assessment, repeat: int) -> tuple[float, int]:
    renderer = RENDERERS[name]
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(renderer.render(assessment))
        times.append(time.perf_counter() - started)
    return statistics.median(times), size


def main() -> None:
    """Render every built-in format and print median times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=2000)
    parser.add_argument("--findings", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    assessment = build_assessment(args.endpoints, args.findings)
    print(f"{args.endpoints:,} endpoints, {args.findings:,} findings, median of {args.repeat} runs")
    for name in ("json", "html", "pdf"):
        seconds, size = _median_seconds(name, assessment, args.repeat)
        print(f"  {name:<5} {seconds:8.3f} s  {size / 1024:10,.0f} KiB")


if __name__ == "__main__":
    main()
