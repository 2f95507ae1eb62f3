"""Traefik services resolved across a file provider directory reach the upstream controls: third
parties (a mirror's vendor included), single nodes, failover without checks; a weighted split of
health-checked servers with timeouts raises nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment
from riskscan.pipeline import ScanOptions, scan

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "traefik" / "upstreams"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(FOLDER,)))


def found(assessment: Assessment, control_id: str) -> dict[str, tuple[str, ...]]:
    return {f.code: f.endpoints for f in assessment.findings if f.control == control_id}


def test_third_parties_behind_a_server_and_a_mirror(assessment: Assessment) -> None:
    assert found(assessment, "third_party") == {"UPSTREAM_THIRD_PARTY": ("* /v1/payments*", "* /v1/search*")}


def test_single_nodes_missing_timeouts_and_unchecked_failover(assessment: Assessment) -> None:
    assert found(assessment, "availability") == {
        "AVAIL_SINGLE_NODE": ("* /v1/legacy*", "* /v1/payments*"),
        "AVAIL_NO_HEALTH_CHECKS": ("* /v1/reports*",),
        "AVAIL_NO_TIMEOUTS": ("* /v1/legacy*", "* /v1/payments*", "* /v1/reports*"),
    }


def test_a_resolved_redundant_service_raises_nothing(assessment: Assessment) -> None:
    controls = ("availability", "third_party", "transport_security")
    named = {key for f in assessment.findings if f.control in controls for key in f.endpoints}
    assert "* /v1/claims*" not in named
    # Unresolved services are not judged at all: neither flagged nor counted as passing.
    assert not named & {"* /v1/orders*", "* /v1/archive*"}
    availability = next(c for c in assessment.controls if c.id == "availability")
    assert availability.summary.startswith("Of 5 routed endpoints")


def test_docker_label_services_reach_the_controls() -> None:
    folder = FOLDER.parent / "docker-services"
    assessment = scan(ScanOptions(paths=(folder,)))
    assert found(assessment, "third_party") == {"UPSTREAM_THIRD_PARTY": ("* /v1/geo*",)}
    single = found(assessment, "availability")["AVAIL_SINGLE_NODE"]
    assert single == ("* /v1/billing*", "* /v1/geo*")  # orders runs 3 replicas with health checks


def test_traefik_service_resources_reach_the_controls() -> None:
    assessment = scan(ScanOptions(paths=(FOLDER.parent / "crd-services",)))
    assert found(assessment, "third_party") == {"UPSTREAM_THIRD_PARTY": ("* /v1/maps*",)}
    assert found(assessment, "availability") == {"AVAIL_SINGLE_NODE": ("* /v1/maps*",),
                                                 "AVAIL_NO_TIMEOUTS": ("* /v1/maps*",)}
