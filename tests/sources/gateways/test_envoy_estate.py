"""End to end: an estate behind Envoy (a bootstrap config), a spec and an access log scan into one
inventory with the gateway's auth, limits and logs on each endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from riskscan.model import Assessment, AuthKind, Endpoint, InputStatus, Lifecycle, SightingSource, SourceKind
from riskscan.pipeline import ScanOptions, scan
from riskscan.report.json_report import SCHEMA_PATH, render_json

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "envoy" / "estate"
PLANTED = ["PLANTED-ENVOY-KEY-7f3a", "PLANTED-HTPASSWD-9c1", "PLANTED-HEADER-TOKEN-55"]


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,), clock=lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))



def test_every_input_is_read_as_its_kind(assessment: Assessment) -> None:
    inputs = {item.path: (item.kind, item.status) for item in assessment.inputs}
    assert inputs == {
        "envoy/envoy.yaml": (SourceKind.ENVOY, InputStatus.USED),
        "specs/claims-api.yaml": (SourceKind.OPENAPI, InputStatus.USED),
        "logs/access.log": (SourceKind.ACCESS_LOG, InputStatus.USED),
    }


def test_documented_endpoints_carry_the_gateway_auth_limits_and_logs(endpoints: dict[str, Endpoint]) -> None:
    claims = endpoints["GET /v2/claims/{claimId}"]
    assert claims.lifecycle is Lifecycle.DOCUMENTED
    assert claims.sources == (SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC)
    assert (claims.auth.effective, claims.auth.enforced_by) == (
        AuthKind.BEARER,
        "gateway:public_https harbor_api claims",
    )
    assert claims.rate_limit.by == ("ratelimit by remote_address, header x-partner-id",)
    assert claims.is_logged is True and claims.monitors == ("tracing",)
    quotes = endpoints["GET /v2/quotes/{quoteId}"]
    assert quotes.rate_limit.by == ("local_ratelimit by envoy instance (10/60s)",)
    status = endpoints["GET /v2/status"]  # jwt_authn disabled on the route, documented as open
    assert status.lifecycle is Lifecycle.DOCUMENTED and status.auth.effective is AuthKind.NONE
    assert status.rate_limit.enforced is False  # the filter-wide token bucket is never enabled


def test_routed_but_undocumented_endpoints_are_shadow(endpoints: dict[str, Endpoint]) -> None:
    policies = endpoints["* /v2/policies/{p1}"]  # a plain safe_regex route, called three times
    assert policies.lifecycle is Lifecycle.SHADOW
    assert policies.traffic is not None and policies.traffic.requests == 3
    assert policies.auth.effective is AuthKind.BEARER
    admin = endpoints["POST /admin/reindex"]
    assert (admin.lifecycle, admin.auth.effective) == (Lifecycle.SHADOW, AuthKind.BEARER)  # ext_authz on
    settlements = endpoints["GET /settlements/{id}"]
    assert settlements.auth.effective is AuthKind.MTLS


def test_no_planted_secret_reaches_the_assessment(assessment: Assessment) -> None:
    text = assessment.model_dump_json() + render_json(assessment).decode("utf-8")
    for secret in PLANTED:
        assert secret not in text


def test_the_json_report_of_an_envoy_estate_meets_the_schema(assessment: Assessment) -> None:
    document = json.loads(render_json(assessment))
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert {item["kind"] for item in document["inputs"]} == {"envoy", "openapi", "access_log"}
