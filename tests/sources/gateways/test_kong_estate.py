"""A small estate behind Kong (decK file, OpenAPI spec, access log) scanned end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment, AuthKind, Endpoint, InputStatus, Lifecycle, SightingSource, SourceKind
from riskscan.pipeline import ScanOptions, scan

ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "kong-estate"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return scan(ScanOptions(paths=(ESTATE,)))



def test_the_kong_file_is_read_as_kong(assessment: Assessment) -> None:
    kinds = {item.path: (item.kind, item.status) for item in assessment.inputs}
    assert kinds["gateway/kong.yaml"] == (SourceKind.KONG, InputStatus.USED)


def test_documented_routed_and_called_endpoints_carry_kong_auth_and_limits(
    endpoints: dict[str, Endpoint],
) -> None:
    claims = endpoints["GET /v2/claims"]
    assert claims.lifecycle is Lifecycle.DOCUMENTED
    assert set(claims.sources) == {SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC}
    assert (claims.auth.effective, claims.auth.enforced_by) == (AuthKind.OIDC, "gateway:claims-read")
    assert claims.rate_limit.enforced is True
    assert claims.rate_limit.by == ("rate-limiting by consumer (ip when none is identified) (100/60s)",)
    assert claims.is_logged is True and claims.loggers == ("http-log",)
    assert claims.route_ids == ("claims-read",)


def test_a_regex_route_serves_the_templated_endpoint(endpoints: dict[str, Endpoint]) -> None:
    claim = endpoints["GET /v2/claims/{claimId}"]
    assert claim.route_ids == ("claim-by-id",)  # the regex route, more specific than the /v2/claims prefix
    assert claim.auth.effective is AuthKind.OIDC
    assert claim.rate_limit.enforced is False  # its route has no limit of its own
    assert claim.traffic is not None and claim.traffic.requests == 3


def test_routed_but_undocumented_is_shadow_and_anonymous_key_auth_is_no_auth(
    endpoints: dict[str, Endpoint],
) -> None:
    quotes = endpoints["GET /v1/quotes/{id}"]
    assert quotes.lifecycle is Lifecycle.SHADOW
    assert quotes.route_ids == ("quotes",)
    assert quotes.auth.effective is AuthKind.NONE and quotes.auth.allows_anonymous
    assert quotes.rate_limit.enforced is False
    assert quotes.traffic is not None and quotes.traffic.requests == 3


def test_basic_auth_and_advanced_limits_on_a_post_route(endpoints: dict[str, Endpoint]) -> None:
    payouts = endpoints["POST /v2/payouts"]
    assert (payouts.auth.effective, payouts.auth.enforced_by) == (AuthKind.BASIC, "gateway:payouts")
    assert payouts.rate_limit.by == (
        "rate-limiting-advanced by consumer (ip when none is identified) (10/60s)",
    )
    assert payouts.is_logged is False


def test_documented_but_unrouted_and_uncalled_is_orphan(endpoints: dict[str, Endpoint]) -> None:
    assert endpoints["GET /v2/reports"].lifecycle is Lifecycle.ORPHAN


def test_no_planted_secret_reaches_the_assessment(assessment: Assessment) -> None:
    dumped = assessment.model_dump_json()
    for secret in ("PLANTED-ESTATE-OIDC-SECRET", "PLANTED-ESTATE-PASSWORD"):
        assert secret not in dumped
