"""Credential stuffing: throttling of login and token endpoints, and failed-authentication bursts."""

from __future__ import annotations

from collections.abc import Callable

from riskscan.controls import evaluate_controls
from riskscan.model import (
    AuthKind,
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
from tests.controls.conftest import gateway_auth

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
    assert result.summary.startswith("Reachable authentication endpoints: 1; throttled at the gateway: 1;")
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


def test_no_authentication_endpoint_but_api_keys_only_is_an_explicit_pass(endpoint: EndpointFactory) -> None:
    """Keys are issued, not logged into: with no login or token endpoint in sight and none needed, the
    pass names what was looked for and rests on what shows the paths."""
    keyed = gateway_auth(AuthKind.API_KEY, "claims-prod", 20, "key-auth")
    result, findings = judged([endpoint("GET", "/v2/claims/{claimId}", auth=keyed)])
    assert findings == [] and result.status.value == "pass" and result.evidence
    assert result.summary.startswith("Reachable authentication endpoints: 0;")
    assert any("recognised by words of their paths" in text for text in result.limitations)


def test_tokens_issued_outside_the_inputs_are_said_first_beside_the_pass(endpoint: EndpointFactory) -> None:
    """OIDC endpoints and no token or login endpoint among the inputs: no stuffing target is in the
    estate (a pass), but the identity provider issuing the tokens is where stuffing happens, and it
    is not shown: the first limitation says so."""
    result, findings = judged([endpoint("GET", "/v2/claims/{claimId}"), endpoint("GET", "/v2/policies/{id}")])
    assert (findings, result.status.value) == ([], "pass")
    assert result.limitations[0].startswith("No login, token, password-reset or one-time-code endpoint")
    assert "yet 2 endpoints take tokens or passwords (oidc)" in result.limitations[0]


def test_a_burst_within_one_minute_is_found_even_when_the_total_is_small(endpoint: EndpointFactory) -> None:
    burst = failures(300, 80, 15, 15).model_copy(update={"peak_failed_auth_per_minute": 15})
    _, findings = judged([endpoint("POST", "/v1/otp/verify", traffic=burst)])
    assert [f.severity for f in findings] == [Severity.HIGH]
    assert "at most 15 in one minute" in findings[0].detail


def test_traffic_alone_is_no_pass_it_says_what_the_log_showed_and_what_it_cannot(endpoint: EndpointFactory) -> None:
    """Access logs alone show no burst on the login endpoint, but a quiet log shows no attack, not a
    defence: without a gateway config the control is unknown, its summary keeping what the log showed."""
    login = endpoint("POST", "/v1/auth/login", traffic=failures(800, 40, 20, 3), route_ids=(),
                     sources=(SightingSource.TRAFFIC,), rate_limit=RateLimitPosture(enforced=None))
    result, findings = judged([login], has_specs=False, has_gateway=False)
    assert (findings, result.status.value, result.score) == ([], "unknown", None)
    assert result.summary.startswith("Credential stuffing exposure cannot be judged from these inputs. No gateway")
    assert "What the inputs did show: Reachable authentication endpoints: 1;" in result.summary
    assert "whether the authentication endpoints are throttled cannot be seen" in result.limitations[0]
    assert result.coverage is not None and [f.value for f in result.coverage.missing_inputs] == ["gateways"]


def test_traffic_alone_passes_when_every_login_endpoint_answered_429(endpoint: EndpointFactory) -> None:
    """429 answers on every authentication endpoint show throttling at work, gateway config or not."""
    stats = failures(800, 40, 20, 3).model_copy(update={"throttled": 12})
    login = endpoint("POST", "/v1/auth/login", traffic=stats, route_ids=(), sources=(SightingSource.TRAFFIC,),
                     rate_limit=RateLimitPosture(enforced=None))
    token = endpoint("POST", "/oauth2/token", traffic=stats.model_copy(update={"throttled": 0}), route_ids=(),
                     sources=(SightingSource.TRAFFIC,), rate_limit=RateLimitPosture(enforced=None))
    result, _ = judged([login], has_specs=False, has_gateway=False)
    assert (result.status.value, result.evidence_strength) == ("pass", EvidenceStrength.OBSERVED)
    result, _ = judged([login, token], has_specs=False, has_gateway=False)
    assert result.status.value == "unknown"  # the token endpoint never refused anyone


def test_traffic_alone_with_a_burst_is_never_better_than_partial(endpoint: EndpointFactory) -> None:
    """A medium spread of failures on one of many login endpoints, no gateway: judged, but capped below a pass."""
    quiet = [endpoint("POST", f"/v1/tenants/t{n}/login", traffic=failures(800, 40, 20, 3), route_ids=(),
                      sources=(SightingSource.TRAFFIC,), rate_limit=RateLimitPosture(enforced=None))
             for n in range(30)]
    flooded = endpoint("POST", "/v1/auth/login", traffic=failures(1000, 400, 600, 3), route_ids=(),
                       sources=(SightingSource.TRAFFIC,), rate_limit=RateLimitPosture(enforced=None))
    result, findings = judged([*quiet, flooded], has_specs=False, has_gateway=False)
    assert [f.code for f in findings] == ["STUFF_SPREAD"]
    assert result.status.value == "partial" and result.score is not None and result.score < 90
