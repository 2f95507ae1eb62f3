"""Kong decK files read for secrets in clear, upstream detail and CORS: the gateway controls judge them
as they judge APISIX; planted secrets reach no output."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment, ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources import ReadContext
from riskscan.sources.gateways.kong import KongReader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPOSURE = FIXTURES / "kong-exposure" / "kong-exposure.yaml"
PARTNER = FIXTURES / "kong" / "partner-gateway.yaml"
PLANTED = ("PLANTED-KONG-SESSION-SECRET", "PLANTED-KEY-123", "PLANTED-PASSWORD-321", "PLANTED-JWT-SECRET",
           "PLANTED-OAUTH-SECRET", "PLANTED-HMAC-SECRET", "PLANTED-UPSTREAM-PASS", "PLANTED-OIDC-SECRET")


@pytest.fixture(scope="module")
def exposed() -> Assessment:
    return scan(ScanOptions(paths=(EXPOSURE,)))


def control(assessment: Assessment, control_id: str) -> tuple[ControlResult, list[Finding]]:
    result = next(c for c in assessment.controls if c.id == control_id)
    return result, [f for f in assessment.findings if f.control == control_id]


def test_vault_and_deck_references_are_not_secrets_but_a_literal_is() -> None:
    config = KongReader().read(EXPOSURE, ReadContext(root=EXPOSURE.parent))
    assert [(item.pointer, item.line) for item in config.clear_secrets or ()] == [
        ("/services/1/routes/0/plugins/1/config/secret", 37)]


def test_every_kind_of_consumer_credential_is_found_by_place() -> None:
    config = KongReader().read(PARTNER, ReadContext(root=PARTNER.parent))
    pointers = [item.pointer for item in config.clear_secrets or ()]
    assert pointers == [
        "/services/0/url",  # http://svc-user:...@claims.internal
        "/services/0/plugins/2/config/http_endpoint",  # http-log to https://...?token=...
        "/services/0/routes/0/plugins/0/config/client_secret/0",  # openid-connect lists its secrets
        "/consumers/0/keyauth_credentials/0/key",
        "/consumers/0/basicauth_credentials/0/password",
        "/consumers/0/jwt_secrets/0/secret",  # not jwt_secrets[].key: that is the issuer
        "/consumers/0/oauth2_credentials/0/client_secret",
        "/consumers/0/hmacauth_credentials/0/secret",
        "/certificates/0/key",
    ]


def test_upstream_targets_health_checks_and_timeouts_are_read() -> None:
    config = KongReader().read(EXPOSURE, ReadContext(root=EXPOSURE.parent))
    by_route = {route.route_id: route.upstream_detail for route in config.routes}
    claims, portal = by_route["claims"], by_route["portal"]
    assert claims is not None and portal is not None
    assert (claims.hosts, claims.nodes, claims.scheme, claims.has_health_checks, claims.has_timeouts) == (
        ("claims-1.svc.harbor.internal", "claims-2.svc.harbor.internal"), 2, "https", True, True)
    assert (portal.hosts, portal.nodes, portal.scheme, portal.has_timeouts) == (
        ("portal.partner-cloud.example",), 1, "http", False)


def test_the_gateway_controls_judge_kong_as_they_judge_apisix(exposed: Assessment) -> None:
    expected = {
        "secrets_hygiene": [("high", ())],
        "third_party": [("medium", ("* /v2/portal*",))],
        "misconfiguration": [("high", ("* /v2/portal*",))],  # any origin with credentials
        "transport_security": [("medium", ("* /v2/portal*",))],  # plain upstream; https-only routes
    }
    for control_id, findings in expected.items():
        result, found = control(exposed, control_id)
        assert [(f.severity.value, f.endpoints) for f in found] == findings, control_id
        assert result.evidence_strength.value == "enforced", control_id
    result, found = control(exposed, "availability")
    assert {f.title.split(" behind")[0] for f in found} == {"One backend node and no circuit breaker",
                                                             "No upstream timeouts"}
    assert all(f.endpoints == ("* /v2/portal*",) for f in found)


def test_a_route_without_the_cors_plugin_shows_no_policy_rather_than_nothing(exposed: Assessment) -> None:
    result, _ = control(exposed, "misconfiguration")
    assert result.summary.startswith("1 of 2 endpoints whose CORS the gateway shows allow any origin")


def test_planted_kong_secrets_reach_no_output(exposed: Assessment) -> None:
    partner = scan(ScanOptions(paths=(PARTNER,)))
    for assessment in (exposed, partner):
        for renderer in ("json", "html"):
            text = RENDERERS[renderer].render(assessment).decode("utf-8")
            assert not any(secret in text for secret in PLANTED), renderer
