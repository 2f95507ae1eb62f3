"""The availability control judges Kubernetes backends by the workloads behind their Services: one
replica is a single node cited at the workload, several replicas (or an autoscaler's minimum of two)
pass with that evidence, and what the manifests cannot count is never claimed."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment, ControlResult
from riskscan.pipeline import ScanOptions, scan

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "kubernetes" / "workloads"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(FOLDER,)))


def availability(assessment: Assessment) -> ControlResult:
    return next(c for c in assessment.controls if c.id == "availability")


def test_single_replicas_are_single_nodes_cited_at_their_workload(assessment: Assessment) -> None:
    found = {f.code: f for f in assessment.findings if f.control == "availability"}
    assert list(found) == ["AVAIL_SINGLE_NODE"]  # probes count as health checks, timeouts are set
    single = found["AVAIL_SINGLE_NODE"]
    assert single.endpoints == ("* /v1/audit", "* /v1/audit/*", "* /v1/claims", "* /v1/claims/*")
    cited = {(item.path, item.line, item.pointer) for item in single.evidence}
    assert ("workloads.yaml", 5, "/spec/replicas") in cited  # claims: replicas 1
    assert ("workloads.yaml", 95, "/spec") in cited  # audit: no spec.replicas, so 1
    assert ("ingress.yaml", 20, "/spec/rules/0/http/paths/0/backend") in cited


def test_several_replicas_pass_with_the_workload_as_evidence(assessment: Assessment) -> None:
    result = availability(assessment)
    cited = {(item.path, item.line, item.pointer) for item in result.evidence}
    assert ("workloads.yaml", 19, "/spec/replicas") in cited  # quotes: 3 replicas
    assert ("workloads.yaml", 63, "/spec/minReplicas") in cited  # payouts: autoscaler minimum 2
    named = {key for f in assessment.findings if f.control == "availability" for key in f.endpoints}
    for path in ("quotes", "payouts", "telemetry", "documents", "legacy", "reports"):
        assert f"* /v1/{path}" not in named  # counted redundant, or no count claimed


def test_manifests_of_workloads_alone_are_no_gateway(tmp_path: Path) -> None:
    """Services and Deployments route nothing: without the Ingress there is no gateway to judge."""
    for name in ("services.yaml", "workloads.yaml"):
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    alone = scan(ScanOptions(paths=(tmp_path,)))
    assert not alone.inventory.has_gateway and alone.inventory.endpoints == ()
    assert availability(alone).status.value == "unknown"
    assert alone.inventory.secrets_checked == ("services.yaml", "workloads.yaml")
