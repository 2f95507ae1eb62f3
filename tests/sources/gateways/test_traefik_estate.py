"""End to end: an estate behind Traefik (a dynamic configuration), a spec and an access log scan into one
inventory with the routers' auth and limits on each endpoint, and logging left unknown."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from riskscan.model import Assessment, AuthKind, Endpoint, InputStatus, Lifecycle, SightingSource, SourceKind
from riskscan.pipeline import ScanOptions, scan
from riskscan.report.json_report import SCHEMA_PATH, render_json

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "traefik" / "estate"
PLANTED = [
    "PLANTED-KEY-123", "PLANTED-PASSWORD-321", "PLANTED-REDIS-PASS", "PLANTED-NODE-PASS", "PLANTEDHASH",
    "svc-user",
]


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,), clock=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))



def test_the_dynamic_configuration_is_read_as_traefik(assessment: Assessment) -> None:
    inputs = {item.path: (item.kind, item.status) for item in assessment.inputs}
    assert inputs["traefik/dynamic.yaml"] == (SourceKind.TRAEFIK, InputStatus.USED)


def test_documented_endpoints_carry_the_routers_auth_and_limits(endpoints: dict[str, Endpoint]) -> None:
    claims = endpoints["GET /v2/claims/{claimId}"]
    assert claims.lifecycle is Lifecycle.DOCUMENTED
    assert claims.sources == (SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC)
    assert (claims.auth.effective, claims.auth.enforced_by) == (AuthKind.BEARER, "gateway:claims")
    assert claims.rate_limit.by == ("rateLimit by http_x_partner_id (600/60s)",)
    assert claims.route_ids == ("claims",)  # the dashboard's catch-all on another host does not serve it
    assert claims.is_logged is None  # access logs are static configuration: not shown here
    quotes = endpoints["GET /v2/quotes/{quoteId}"]
    assert quotes.auth.effective is AuthKind.BASIC and quotes.auth.declared == (AuthKind.BEARER,)
    assert quotes.rate_limit.enforced is False


def test_routed_but_undocumented_endpoints_are_shadow(endpoints: dict[str, Endpoint]) -> None:
    policies = endpoints["* /v2/policies/{p1}"]
    assert policies.lifecycle is Lifecycle.SHADOW
    assert policies.traffic is not None and policies.traffic.requests == 2
    assert policies.rate_limit.by == ("rateLimit by remote_addr (10/1s)",)
    assert endpoints["* /settlements/*"].auth.effective is AuthKind.MTLS
    health = endpoints["* /v1/health"]
    assert health.lifecycle is Lifecycle.SHADOW and health.is_logged is False  # accessLogs: false


def test_an_older_version_still_routed_and_called_is_a_zombie(endpoints: dict[str, Endpoint]) -> None:
    legacy = endpoints["GET /v1/claims/{id}"]
    assert legacy.lifecycle is Lifecycle.ZOMBIE
    assert legacy.auth.effective is AuthKind.NONE and legacy.auth.is_known


def test_another_providers_middleware_leaves_auth_unknown(endpoints: dict[str, Endpoint]) -> None:
    internal = endpoints["* /internal*"]
    assert internal.auth.is_known is False and internal.rate_limit.enforced is None


def test_left_out_routers_serve_no_endpoint(endpoints: dict[str, Endpoint]) -> None:
    assert not any("/beta" in key or "/reports" in key for key in endpoints)


def test_no_planted_secret_reaches_the_report(assessment: Assessment) -> None:
    text = render_json(assessment).decode("utf-8") + assessment.model_dump_json()
    for secret in PLANTED:
        assert secret not in text


def test_the_json_report_of_a_traefik_estate_meets_the_schema(assessment: Assessment) -> None:
    document = json.loads(render_json(assessment))
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert {item["kind"] for item in document["inputs"]} == {"traefik", "openapi", "access_log"}


def test_a_split_provider_directory_scans_as_one_gateway() -> None:
    folder = ESTATE.parent / "split-directory"
    result = scan(ScanOptions(paths=(folder,), clock=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))
    assert {(item.path, item.kind, item.status) for item in result.inputs} == {
        (name, SourceKind.TRAEFIK, InputStatus.USED)
        for name in ("routers.yaml", "middlewares.yaml", "services.toml")
    }
    [endpoint] = result.inventory.endpoints
    assert (endpoint.key, endpoint.host, endpoint.lifecycle) == (
        "* /v1/payments*", "pay.example", Lifecycle.SHADOW
    )
    assert endpoint.auth.effective is AuthKind.MTLS  # forwardAuth and client certificates, both required
    assert endpoint.rate_limit.by == ("rateLimit by remote_addr (5/1s)",)
