"""Kubernetes backends resolved against Services reach the upstream controls: an ExternalName to a
third party is found, single nodes and missing timeouts are found, redundant in-cluster Services with
timeouts are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment, Finding
from riskscan.pipeline import ScanOptions, scan

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "kubernetes" / "upstreams"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(FOLDER,)))


def findings(assessment: Assessment, control_id: str) -> dict[str, Finding]:
    return {f.code: f for f in assessment.findings if f.control == control_id}


def test_an_external_name_to_a_third_party_is_found(assessment: Assessment) -> None:
    found = findings(assessment, "third_party")
    assert list(found) == ["UPSTREAM_THIRD_PARTY"]
    third = found["UPSTREAM_THIRD_PARTY"]
    # The HTTPRoute rule and the ingress-nginx default backend both alias api.paylane-partner.example.
    assert third.endpoints == ("* /*", "* /v1/payments", "* /v1/payments/*")
    assert "api.paylane-partner.example" in third.detail
    assert "ledger01.corp.internal" not in third.detail  # an internal name is the organization's own


def test_single_nodes_and_missing_timeouts_are_found(assessment: Assessment) -> None:
    found = findings(assessment, "availability")
    assert sorted(found) == ["AVAIL_NO_TIMEOUTS", "AVAIL_SINGLE_NODE"]
    assert found["AVAIL_SINGLE_NODE"].endpoints == (
        "* /*", "* /v1/ledger", "* /v1/ledger/*", "* /v1/payments", "* /v1/payments/*")
    assert found["AVAIL_NO_TIMEOUTS"].endpoints == ("* /*", "* /v1/payments", "* /v1/payments/*")


def test_in_cluster_services_with_timeouts_raise_nothing(assessment: Assessment) -> None:
    named = {key for finding in assessment.findings if finding.control in ("availability", "third_party")
             for key in finding.endpoints}
    assert not named & {"* /v1/orders", "* /v1/orders/*", "* /quotes", "* /quotes/*"}
    plain = {key for finding in assessment.findings if finding.code == "TLS_PLAIN_UPSTREAM"
             for key in finding.endpoints}
    assert not plain & {"* /v1/orders", "* /quotes"}  # BackendTLSPolicy; backend-protocol HTTPS
