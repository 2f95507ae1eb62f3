"""Lifecycle classification: documented, shadow, zombie, orphan, and the reason given."""

from __future__ import annotations

from typing import Any

import pytest

from riskscan.inventory import build_inventory
from riskscan.inventory.lifecycle import find_superseding, version_of
from riskscan.model import Endpoint, Inventory, Lifecycle


def by_key(inventory: Inventory) -> dict[str, Endpoint]:
    return {endpoint.key: endpoint for endpoint in inventory.endpoints}


def test_harbor_estate_has_every_lifecycle(estate: Any) -> None:
    endpoints = by_key(build_inventory(estate.specs, [estate.gateway], [estate.traffic]))
    assert endpoints["GET /v2/claims/{claimId}"].lifecycle is Lifecycle.DOCUMENTED
    assert endpoints["GET /internal/export/{date}"].lifecycle is Lifecycle.SHADOW
    assert endpoints["GET /v1/claims/{id}/status"].lifecycle is Lifecycle.ZOMBIE
    assert endpoints["DELETE /v1/policies/{policyId}"].lifecycle is Lifecycle.ORPHAN


def test_a_superseded_version_still_called_is_a_zombie(estate: Any) -> None:
    endpoint = by_key(build_inventory(estate.specs, [estate.gateway], [estate.traffic]))[
        "GET /v1/claims/{id}"
    ]
    assert endpoint.lifecycle is Lifecycle.ZOMBIE
    assert endpoint.superseded_by == "GET /v2/claims/{claimId}"
    assert endpoint.lifecycle_reason == (
        "superseded by GET /v2/claims/{claimId}, still routed by apisix route legacy-claims and called 1,204 times"
    )


def test_a_deprecated_operation_names_its_spec(estate: Any) -> None:
    endpoint = by_key(build_inventory(estate.specs, [estate.gateway], [estate.traffic]))[
        "GET /v1/claims/{id}/status"
    ]
    assert endpoint.deprecated
    assert endpoint.lifecycle_reason == (
        "deprecated in specs/claims-api.yaml, still routed by apisix route legacy-claims and called 5 times"
    )


def test_deprecated_but_switched_off_is_an_orphan_not_a_zombie(make: Any) -> None:
    spec = make.spec(
        "specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v1/claims/{id}", deprecated=True)
    )
    route = make.route("legacy-claims", "/v1/claims/*", enabled=False)
    endpoint = build_inventory([spec], [make.gateway(route)], []).endpoints[0]
    assert endpoint.lifecycle is Lifecycle.ORPHAN
    assert endpoint.route_ids == ()
    assert "route legacy-claims disabled" in endpoint.lifecycle_reason


def test_only_404_traffic_does_not_keep_an_endpoint_alive(make: Any) -> None:
    spec = make.spec(
        "specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v1/claims/{id}", deprecated=True)
    )
    traffic = make.log(make.hit("GET", "/v1/claims/CLM-1", requests=4, status={"4xx": 4}, not_found=4))
    endpoint = build_inventory([spec], [], [traffic]).endpoints[0]
    assert endpoint.lifecycle is Lifecycle.ORPHAN
    assert "only ever answered 404 (4 requests)" in endpoint.lifecycle_reason


@pytest.mark.parametrize(
    ("gateway", "traffic", "expected"),
    [
        (False, False, Lifecycle.DOCUMENTED),  # nothing to judge against
        (True, False, Lifecycle.ORPHAN),  # not routed
        (False, True, Lifecycle.ORPHAN),  # not called; routing unknown
        (True, True, Lifecycle.ORPHAN),
    ],
)
def test_orphan_needs_gateway_or_traffic_input(
    make: Any, gateway: bool, traffic: bool, expected: Lifecycle
) -> None:
    spec = make.spec("specs/quotes.yaml", "Quotes", "1", make.op("GET", "/v1/quotes/{quoteId}"))
    gateways = [make.gateway(make.route("claims", "/v2/claims/*"))] if gateway else []
    logs = [make.log(make.hit("GET", "/v2/claims/1"))] if traffic else []
    endpoint = next(
        item for item in build_inventory([spec], gateways, logs).endpoints if item.path.startswith("/v1")
    )
    assert endpoint.lifecycle is expected


def test_an_undocumented_old_version_still_answering_is_a_zombie(make: Any) -> None:
    spec = make.spec("specs/policies.yaml", "Policies", "2", make.op("GET", "/v2/policies/{policyId}"))
    traffic = make.log(make.hit("GET", "/v1/policies/pol-000123", requests=9))
    endpoint = by_key(build_inventory([spec], [], [traffic]))["GET /v1/policies/{id}"]
    assert endpoint.lifecycle is Lifecycle.ZOMBIE
    assert endpoint.superseded_by == "GET /v2/policies/{policyId}"
    assert endpoint.lifecycle_reason.startswith("in no spec and superseded by GET /v2/policies/{policyId}")


def test_versions_compare_by_shape_not_parameter_names() -> None:
    assert version_of("/api/v1/claims/{claimId}") == (1, "/api/v#/claims/{}")
    assert version_of("/claims-v3/{id}") == (3, "/claims-v#/{}")
    assert version_of("/dev2/covid19/stats") is None
    assert version_of("/api-v3/claims") == (3, "/api-v#/claims")
    assert version_of("/claims/search") is None
    keys = [
        ("GET", "/v1/claims/{id}", None),
        ("GET", "/v2/claims/{claimId}", "h"),
        ("GET", "/v3/claims/{c}", None),
    ]
    keys.append(("POST", "/v1/claims/{id}", None))
    assert find_superseding(keys) == {
        ("GET", "/v1/claims/{id}", None): "GET /v3/claims/{c}",
        ("GET", "/v2/claims/{claimId}", "h"): "GET /v3/claims/{c}",
    }


def test_a_hostile_run_of_digits_is_not_a_version(make: Any) -> None:
    """`v` and 5,000 digits in a logged path must not stop the scan (Python refuses such an int)."""
    hostile = "/v" + "1" * 5000 + ".1/claims"
    assert version_of(hostile) is None
    inventory = build_inventory([], [], [make.log(make.hit("GET", hostile), make.hit("GET", "/v2/claims"))])
    assert {endpoint.superseded_by for endpoint in inventory.endpoints} == {None}
