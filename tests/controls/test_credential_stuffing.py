"""Credential stuffing: throttling of login and token endpoints, and failed-authentication bursts."""

from __future__ import annotations

from collections.abc import Callable

from riskscan.controls import evaluate_controls
from riskscan.model import (
    ControlResult,
    Endpoint,
    Evidence,
    EvidenceStrength,
    Finding,
    Inventory,
    RateLimitPosture,
    Severity,
    SightingSource,
    TrafficStats,
)

EndpointFactory = Callable[..., Endpoint]


def judged(endpoints: list[Endpoint], **inputs: bool) -> tuple[ControlResult, list[Finding]]:
    flags = {"has_specs": True, "has_gateway": True, "has_traffic": True, **inputs}
    evaluation = evaluate_controls(Inventory(endpoints=tuple(endpoints), **flags))
    result = next(c for c in evaluation.controls if c.id == "credential_stuffing")
    return result, [f for f in evaluation.findings if f.control == "credential_stuffing"]


def failures(requests: int, clients: int, refused: int, worst: int) -> TrafficStats:
    return TrafficStats(requests=requests, clients=clients, status_classes={"2xx": requests - refused,
                        "4xx": refused}, unauthorized=refused, max_failed_auth_per_client=worst,
                        evidence=(Evidence(path="logs/access.log", count=requests, sample_lines=(4, 9)),))


def test_present_a_throttled_token_endpoint_with_ordinary_failures_passes(endpoint: EndpointFactory) -> None:
    result, findings = judged([endpoint("POST", "/oauth2/token", traffic=failures(5000, 300, 90, 4))])
    assert findings == [] and result.status.value == "pass"
    assert result.summary.startswith("1 reachable authentication endpoints: 1 throttled")
    assert result.evidence_strength is EvidenceStrength.OBSERVED


def test_absent_one_client_failing_hundreds_of_times_is_high(endpoint: EndpointFactory) -> None:
    _, findings = judged([endpoint("POST", "/v1/auth/login", traffic=failures(2000, 50, 700, 640))])
    assert [(f.severity, f.endpoints) for f in findings] == [(Severity.HIGH, ("POST /v1/auth/login",))]
    assert "640 failures from one client, at most 0 in one minute; 700 of 2000 requests refused" in findings[0].detail
    assert any(item.path == "logs/access.log" for item in findings[0].evidence)


def test_partial_failures_spread_over_many_clients_and_an_unthrottled_reset(endpoint: EndpointFactory) -> None:
    reset = endpoint("POST", "/v1/password-reset", rate_limit=RateLimitPosture(enforced=False))
    spread = endpoint("POST", "/v1/login", traffic=failures(3000, 2500, 2100, 2))
    result, findings = judged([reset, spread, endpoint("GET", "/v2/claims")])
    assert sorted((f.severity.value, f.endpoints) for f in findings) == [
        ("high", ("POST /v1/login",)), ("medium", ("POST /v1/password-reset",))]
    assert any("over the window and per clock minute" in text for text in result.limitations)


def test_not_observable_from_specs_alone(endpoint: EndpointFactory) -> None:
    login = endpoint("POST", "/v1/login", sources=(SightingSource.SPEC,), route_ids=(),
                     rate_limit=RateLimitPosture(enforced=None))
    result, findings = judged([login], has_gateway=False, has_traffic=False)
    assert (result.status.value, result.score, findings) == ("unknown", None, [])
    assert "Specs alone show neither throttling nor failed authentications" in result.summary


def test_no_authentication_endpoint_is_an_explicit_pass_naming_what_was_looked_for(endpoint: EndpointFactory) -> None:
    result, findings = judged([endpoint("GET", "/v2/claims/{claimId}")])
    assert findings == [] and result.status.value == "pass" and result.evidence
    assert result.summary.startswith("0 reachable authentication endpoints")
    assert any("recognised by words of their paths" in text for text in result.limitations)


def test_a_burst_within_one_minute_is_found_even_when_the_total_is_small(endpoint: EndpointFactory) -> None:
    burst = failures(300, 80, 15, 15).model_copy(update={"peak_failed_auth_per_minute": 15})
    _, findings = judged([endpoint("POST", "/v1/otp/verify", traffic=burst)])
    assert [f.severity for f in findings] == [Severity.HIGH]
    assert "at most 15 in one minute" in findings[0].detail


def test_traffic_alone_judges_failures_and_says_throttling_is_not_shown(endpoint: EndpointFactory) -> None:
    """Access logs alone show no burst on the login endpoint; the pass says what they cannot show (no
    limitation said so before, though a gateway config is what shows throttling)."""
    login = endpoint("POST", "/v1/auth/login", traffic=failures(800, 40, 20, 3), route_ids=(),
                     sources=(SightingSource.TRAFFIC,), rate_limit=RateLimitPosture(enforced=None))
    result, findings = judged([login], has_specs=False, has_gateway=False)
    assert (findings, result.status.value) == ([], "pass")
    assert result.evidence_strength is EvidenceStrength.OBSERVED
    assert any("whether the authentication endpoints are throttled cannot be seen" in text
               for text in result.limitations)
    assert result.coverage is not None and [f.value for f in result.coverage.missing_inputs] == ["gateways"]
