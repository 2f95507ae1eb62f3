"""Shared by the gateway estate tests: each module scans its own estate (its `assessment` fixture)."""

from __future__ import annotations

import pytest

from riskscan.model import Assessment, Endpoint


@pytest.fixture(scope="module")
def endpoints(assessment: Assessment) -> dict[str, Endpoint]:
    """The module's scanned endpoints by key (`GET /v2/claims/{claimId}`)."""
    return {endpoint.key: endpoint for endpoint in assessment.inventory.endpoints}
