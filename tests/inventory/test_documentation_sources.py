"""Postman collections and GraphQL schemas in an estate: merged endpoints, and auth that is unknown, not none.

`tests/fixtures/docs-estate` has an APISIX gateway, a Postman collection, a GraphQL schema and an access
log: the same endpoint seen in a route, a collection and the log is one endpoint with three sources,
and the GraphQL server behind `/graphql` is documented (not a shadow API) without being called
unauthenticated, because nothing in these inputs can say whether its backend checks credentials.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typing import Any

import pytest

from riskscan.inventory import build_inventory
from riskscan.model import (
    ApiSpec,
    Assessment,
    AuthKind,
    Endpoint,
    Evidence,
    EvidenceStrength,
    GatewayConfig,
    GatewayRoute,
    Lifecycle,
    SightingSource,
    SpecOperation,
    TrafficSample,
)
from riskscan.pipeline import ScanOptions, scan
from riskscan.report.view import build_view

ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "docs-estate"
PLANTED = ["PLANTED-estate-oidc-secret-8812", "PLANTED-estate-bearer-5521", "CLM-1000", "203.0.113.50"]


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,), clock=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))


def endpoint(assessment: Assessment, key: str) -> Endpoint:
    found = [e for e in assessment.inventory.endpoints if e.key == key]
    assert len(found) == 1, [e.key for e in assessment.inventory.endpoints]
    return found[0]


def test_every_input_is_read_by_its_kind(assessment: Assessment) -> None:
    assert {(i.path, i.kind, i.status) for i in assessment.inputs} == {
        ("docs/claims.postman_collection.json", "postman", "used"),
        ("docs/claims-schema.graphql", "graphql", "used"),
        ("gateway/apisix.yaml", "apisix", "used"),
        ("logs/access.log", "access_log", "used"),
    }


def test_a_route_a_collection_request_and_a_log_make_one_endpoint_with_three_sources(
    assessment: Assessment,
) -> None:
    claim = endpoint(assessment, "GET /v2/claims/{claimId}")
    assert set(claim.sources) == {SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC}
    assert claim.lifecycle is Lifecycle.DOCUMENTED
    assert claim.auth.declared == (AuthKind.BEARER,) and claim.auth.enforced_by == "gateway:claims-rest"
    assert claim.traffic is not None and claim.traffic.requests == 2
    assert {e.path for e in claim.evidence} == {
        "docs/claims.postman_collection.json", "gateway/apisix.yaml", "logs/access.log"
    }


def test_graphql_traffic_and_route_join_the_documented_endpoint_listing_its_operations(
    assessment: Assessment,
) -> None:
    graphql = endpoint(assessment, "POST /graphql")
    assert graphql.lifecycle is Lifecycle.DOCUMENTED
    assert set(graphql.sources) == {SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC}
    assert graphql.summary == "GraphQL API: 4 queries, 2 mutations"
    listed = [e.excerpt or e.note for e in graphql.evidence if e.path == "docs/claims-schema.graphql"]
    assert listed == [  # at most five per file, so that routes and logs still reach findings' evidence
        "POST /graphql query claim",
        "POST /graphql query claims",
        "POST /graphql query policy",
        "POST /graphql query policyByNumber",
        "POST /graphql mutation fileClaim",
        "1 more operation of this endpoint in this file",
    ]
    assert [e.path for e in graphql.evidence][-2:] == ["gateway/apisix.yaml", "logs/access.log"]
    assert not any(e.key.startswith("GET /graphql") for e in assessment.inventory.endpoints)


def test_graphql_auth_is_unknown_and_raises_no_unauthenticated_finding(assessment: Assessment) -> None:
    auth = endpoint(assessment, "POST /graphql").auth
    assert (auth.is_known, auth.allows_anonymous, auth.enforced_by) == (False, False, None)
    auth_findings = [f for f in assessment.findings if f.control == "auth"]
    assert not [f for f in auth_findings if "POST /graphql" in f.endpoints]
    control = next(c for c in assessment.controls if c.id == "auth")
    assert any("GraphQL" in limitation for limitation in control.limitations)
    assert sum(control.evidence_breakdown.values()) == 1
    assert assessment.model_dump(mode="json")["inventory"]["endpoints"][0]["auth"]["is_known"] is False
    row = next(row for row in build_view(assessment).endpoints if row.path == "/graphql")
    assert (row.auth, row.enforced_by) == ("not shown", "not shown by these inputs")


def test_nothing_planted_in_the_estate_reaches_the_assessment(assessment: Assessment) -> None:
    dumped = assessment.model_dump_json()
    for secret in PLANTED:
        assert secret not in dumped


def _graphql_only(declares_auth: bool) -> Endpoint:
    operation = SpecOperation(
        method="POST",
        path="/graphql",
        operation_id="mutation.fileClaim",
        declares_auth=declares_auth,
        evidence=Evidence(path="schema.graphql", line=3),
    )
    spec = ApiSpec(
        path="schema.graphql", title="t", version="", spec_format="graphql sdl", operations=(operation,)
    )
    return build_inventory([spec], [], []).endpoints[0]


def test_only_an_input_that_cannot_declare_auth_leaves_it_unknown() -> None:
    unknown, declared_none = _graphql_only(declares_auth=False), _graphql_only(declares_auth=True)
    assert (unknown.auth.is_known, unknown.auth.allows_anonymous) == (False, False)
    assert (declared_none.auth.is_known, declared_none.auth.allows_anonymous) == (True, True)
    assert declared_none.auth.effective is unknown.auth.effective is AuthKind.NONE


def test_a_graphql_only_estate_leaves_the_auth_control_unknown(tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text((ESTATE / "docs" / "claims-schema.graphql").read_text())
    result = scan(ScanOptions(paths=(tmp_path,)))
    control = next(c for c in result.controls if c.id == "auth")
    assert control.status == "unknown" and control.evidence_strength is EvidenceStrength.NOT_OBSERVABLE
    assert not [f for f in result.findings if f.control in ("auth", "object_authorization")]


def _claims_spec(name: str, host: str, *others: str) -> ApiSpec:
    operation = SpecOperation(
        method="GET", path="/v1/claims", host=host, alternate_hosts=others,
        evidence=Evidence(path=name, line=9),
    )
    return ApiSpec(path=name, title=name, version="1", spec_format="openapi 3.1.0", operations=(operation,))


def test_every_server_host_of_a_spec_picks_its_endpoint_for_traffic_and_routes(make: Any) -> None:
    ours = _claims_spec("claims.yaml", "api.example.com", "sandbox.example.com")
    partner = _claims_spec("partner.yaml", "partner.example.com")
    sandbox_call = make.hit("GET", "/v1/claims", host="sandbox.example.com", requests=3)
    log = TrafficSample(
        path="access.log", format="vhost_combined", total_lines=3, parsed_lines=3, rejected_lines=0,
        paths=(sandbox_call,),
    )
    route = GatewayRoute(
        gateway="apisix", route_id="sandbox", uris=("/v1/claims",), hosts=("sandbox.example.com",),
        evidence=Evidence(path="apisix.yaml", line=4),
    )
    gateway = GatewayConfig(path="apisix.yaml", gateway="apisix", routes=(route,))
    inventory = build_inventory([partner, ours], [gateway], [log])
    by_host = {e.host: e for e in inventory.endpoints}
    assert set(by_host) == {"api.example.com", "partner.example.com"}  # hosts narrow, never split
    assert by_host["api.example.com"].traffic is not None and by_host["partner.example.com"].traffic is None
    assert by_host["api.example.com"].route_ids == ("sandbox",)
    assert by_host["partner.example.com"].route_ids == ()
