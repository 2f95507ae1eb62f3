"""Inventories of a fictional insurer, built directly from model types, for the controls tests.

Harbor Assurance exposes claims, policies and customer documents to partners behind APISIX. The estate
below has what an underwriter worries about: an unauthenticated shadow export, a zombie v1 policy
endpoint still called with a static API key, a customer-documents endpoint one client walks through
hundreds of ids, and a clean, OIDC-protected, rate-limited claims API to compare with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from riskscan.model import (
    Assessment,
    AuthKind,
    AuthPosture,
    Endpoint,
    Evidence,
    Inventory,
    Lifecycle,
    Parameter,
    ParameterLocation,
    RateLimitPosture,
    SightingSource,
    TrafficStats,
    Upstream,
)
from riskscan.pipeline import ScanOptions, scan

GATEWAY = "gateway/apisix.yaml"
SPEC = "specs/claims-api.yaml"
LOG = "logs/access.log"
WEEK = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 15, 23, tzinfo=UTC))

EndpointFactory = Callable[..., Endpoint]


def route_evidence(route_id: str, line: int) -> Evidence:
    return Evidence(path=GATEWAY, line=line, pointer=f"/routes/{route_id}", excerpt=f"id: {route_id}")


def oidc(route_id: str, line: int) -> AuthPosture:
    return AuthPosture(
        effective=AuthKind.OIDC,
        declared=(AuthKind.OIDC,),
        enforced_by=f"gateway:{route_id}",
        evidence=(Evidence(path=GATEWAY, line=line + 4, pointer=f"/routes/{route_id}/plugins/openid-connect"),),
    )


def gateway_auth(kind: AuthKind, route_id: str, line: int, plugin: str) -> AuthPosture:
    return AuthPosture(
        effective=kind,
        enforced_by=f"gateway:{route_id}",
        evidence=(Evidence(path=GATEWAY, line=line + 4, pointer=f"/routes/{route_id}/plugins/{plugin}"),),
    )


def no_auth(*evidence: Evidence) -> AuthPosture:
    return AuthPosture(effective=AuthKind.NONE, allows_anonymous=True, evidence=evidence)


def limited(route_id: str, line: int) -> RateLimitPosture:
    return RateLimitPosture(
        enforced=True,
        by=("limit-count by http_x_partner_id (600/60s)",),
        evidence=(Evidence(path=GATEWAY, line=line + 9, pointer=f"/routes/{route_id}/plugins/limit-count"),),
    )


UNLIMITED = RateLimitPosture(enforced=False)

CLAIMS_UPSTREAM = Upstream(
    hosts=("claims-1.svc.harbor.internal", "claims-2.svc.harbor.internal"), nodes=2, scheme="https",
    has_health_checks=True, has_timeouts=True,
    evidence=Evidence(path=GATEWAY, line=3, pointer="/upstreams/0", excerpt="upstream claims"),
)


def traffic(requests: int, clients: int, max_paths_per_client: int, first_line: int) -> TrafficStats:
    return TrafficStats(
        requests=requests,
        clients=clients,
        status_classes={"2xx": requests - 3, "4xx": 3},
        first_seen=WEEK[0],
        last_seen=WEEK[1],
        distinct_paths=max(max_paths_per_client, 1),
        max_paths_per_client=max_paths_per_client,
        evidence=(Evidence(path=LOG, count=requests, sample_lines=(first_line, first_line + 7)),),
    )


def make_endpoint(method: str, path: str, **fields: Any) -> Endpoint:
    """An endpoint with sensible defaults: documented (with schemas carrying no sensitive data), routed,
    logged, rate limited, OIDC-protected."""
    route_id = fields.pop("route_id", "claims-prod")
    line = fields.pop("line", 20)
    defaults: dict[str, Any] = {
        "sources": (SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC),
        "lifecycle": Lifecycle.DOCUMENTED,
        "lifecycle_reason": "in a spec and routed",
        "route_ids": (route_id,),
        "auth": oidc(route_id, line),
        "rate_limit": limited(route_id, line),
        "loggers": ("http-logger",),
        "monitors": ("prometheus", "request-id"),
        "is_logged": True,
        "evidence": (route_evidence(route_id, line),),
        "has_schemas": True,  # the spec shows its fields; none of them sensitive
        "request_fields": 1,  # and bounds its request field
        "upstreams": (CLAIMS_UPSTREAM,),
        "cors": (),
    }
    defaults.update(fields)
    return Endpoint(method=method, path=path, **defaults)


def insurer_endpoints() -> tuple[Endpoint, ...]:
    claim_id = Parameter(name="claimId", location=ParameterLocation.PATH, required=True)
    return (
        make_endpoint(
            "GET", "/v2/claims/{claimId}", operation_id="getClaim", parameters=(claim_id,),
            traffic=traffic(420, 12, 9, 1),
            evidence=(route_evidence("claims-prod", 14), Evidence(path=SPEC, line=27, pointer="/paths/~1v2~1claims~1{claimId}/get")),
        ),
        make_endpoint("POST", "/v2/claims", operation_id="createClaim", traffic=traffic(80, 5, 1, 3)),
        make_endpoint(
            "GET", "/v2/policies/{policyId}", route_id="policies-prod", line=40,
            traffic=traffic(900, 4, 75, 11),  # a broker syncing its book: authenticated id walking
        ),
        make_endpoint(
            "GET", "/internal/export", route_id="internal-export", line=60,
            sources=(SightingSource.GATEWAY, SightingSource.TRAFFIC),
            lifecycle=Lifecycle.SHADOW, lifecycle_reason="routed and called, in no spec",
            auth=no_auth(route_evidence("internal-export", 60)), rate_limit=UNLIMITED,
            loggers=(), monitors=("prometheus",), is_logged=False, evidence=(route_evidence("internal-export", 60),),
            traffic=traffic(35, 2, 1, 21),
        ),
        make_endpoint(
            "GET", "/v1/policies/{policyId}", route_id="policies-v1", line=80,
            lifecycle=Lifecycle.ZOMBIE, lifecycle_reason="superseded by GET /v2/policies/{policyId}",
            deprecated=True, superseded_by="GET /v2/policies/{policyId}",
            auth=gateway_auth(AuthKind.API_KEY, "policies-v1", 80, "key-auth"), rate_limit=UNLIMITED,
            loggers=(), monitors=(), is_logged=False, traffic=traffic(120, 3, 14, 31),
        ),
        make_endpoint(
            "GET", "/v2/customers/{id}/documents", route_id="documents", line=100,
            auth=gateway_auth(AuthKind.BEARER, "documents", 100, "jwt-auth"),
            traffic=traffic(2400, 40, 180, 41),
        ),
        make_endpoint(
            "GET", "/v1/legacy/claims/{claimId}", route_id="claims-legacy", line=120,
            auth=AuthPosture(
                effective=AuthKind.OAUTH2, declared=(AuthKind.OAUTH2,), enforced_by="spec (declared, not verified)",
                evidence=(route_evidence("claims-legacy", 120), Evidence(path=SPEC, line=48)),
            ),
            rate_limit=limited("claims-legacy", 120), traffic=traffic(12, 2, 3, 51),
        ),
        make_endpoint(
            "GET", "/v1/partners/{partnerId}/statements", route_id="partners", line=140,
            sources=(SightingSource.GATEWAY, SightingSource.TRAFFIC),
            lifecycle=Lifecycle.SHADOW, lifecycle_reason="routed and called, in no spec",
            auth=gateway_auth(AuthKind.OIDC, "partners", 140, "openid-connect"), traffic=traffic(60, 6, 4, 61),
        ),
        make_endpoint(
            "GET", "/health", route_id="health", line=160, auth=no_auth(route_evidence("health", 160)),
            rate_limit=UNLIMITED, traffic=traffic(5000, 2, 1, 71),
        ),
        make_endpoint(
            "DELETE", "/v2/quotes/{quoteId}", sources=(SightingSource.SPEC,), route_ids=(),
            lifecycle=Lifecycle.ORPHAN, lifecycle_reason="documented, neither routed nor called",
            auth=AuthPosture(
                effective=AuthKind.OIDC, declared=(AuthKind.OIDC,), enforced_by="spec (declared, not verified)",
                evidence=(Evidence(path=SPEC, line=90),),
            ),
            rate_limit=RateLimitPosture(enforced=None), loggers=(), is_logged=None,
            evidence=(Evidence(path=SPEC, line=88, pointer="/paths/~1v2~1quotes~1{quoteId}/delete"),),
        ),
    )


@pytest.fixture
def endpoint() -> EndpointFactory:
    """Build one endpoint with good defaults; override any field by keyword."""
    return make_endpoint


@pytest.fixture
def make_traffic() -> Callable[[int, int, int, int], TrafficStats]:
    """Build traffic stats: requests, clients, most objects one client called, first log line."""
    return traffic


@pytest.fixture
def insurer() -> Inventory:
    """The Harbor Assurance estate, with specs, gateway config and a week of access log."""
    return Inventory(endpoints=insurer_endpoints(), has_specs=True, has_gateway=True, has_traffic=True,
                     secrets_checked=(GATEWAY,))


def scan_and_log(paths: Sequence[Path]) -> tuple[Assessment, str]:
    """Scan `paths`, and everything riskscan logged while doing so (every level), one record a line:
    what the secrets tests search for planted values."""
    records: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    root = logging.getLogger("riskscan")
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        assessment = scan(ScanOptions(paths=tuple(paths)))
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    return assessment, "\n".join(records)
