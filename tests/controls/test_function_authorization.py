"""Function-level authorization: admin, internal and debug functions, and writes under read scopes."""

from __future__ import annotations

from collections.abc import Callable

from riskscan.controls import evaluate_controls
from riskscan.model import (
    AuthKind,
    AuthPosture,
    ControlResult,
    ControlStatus,
    Endpoint,
    EvidenceStrength,
    Finding,
    Inventory,
    Severity,
    SightingSource,
)

EndpointFactory = Callable[..., Endpoint]
OPEN = AuthPosture(effective=AuthKind.NONE, allows_anonymous=True)
KEY = AuthPosture(effective=AuthKind.API_KEY, enforced_by="gateway:admin")


def judge(endpoints: list[Endpoint], **inputs: bool) -> tuple[ControlResult, list[Finding]]:
    flags = {"has_specs": True, "has_gateway": True, "has_traffic": True, **inputs}
    evaluation = evaluate_controls(Inventory(endpoints=tuple(endpoints), **flags))
    result = next(c for c in evaluation.controls if c.id == "function_authorization")
    return result, [f for f in evaluation.findings if f.control == "function_authorization"]


def test_present_admin_functions_behind_oidc_or_an_allow_list_pass_with_evidence(endpoint: EndpointFactory) -> None:
    result, findings = judge([
        endpoint("GET", "/admin/users"),  # OIDC at the gateway
        endpoint("POST", "/internal/reindex", auth=KEY, plugins=("ip-restriction", "key-auth")),
        endpoint("GET", "/v2/claims/{claimId}"),
    ])
    assert findings == []
    assert (result.status, result.score) == (ControlStatus.PASS, 100)
    assert result.summary.startswith("2 reachable endpoints have an admin, internal, debug or management path: 2 ")
    assert result.evidence and result.evidence_strength is EvidenceStrength.ENFORCED


def test_absent_an_anonymous_internal_export_is_critical(endpoint: EndpointFactory) -> None:
    result, findings = judge([endpoint("GET", "/internal/policy-export/batches/{id}", auth=OPEN),
                              endpoint("GET", "/v2/claims")])
    assert [(f.severity, f.endpoints, f.owasp) for f in findings] == [
        (Severity.CRITICAL, ("GET /internal/policy-export/batches/{id}",), "API5:2023")]
    assert findings[0].evidence and findings[0].remediation
    assert result.status is ControlStatus.FAIL


def test_partial_a_key_on_an_admin_path_without_a_network_restriction_is_high(endpoint: EndpointFactory) -> None:
    guarded = endpoint("GET", "/admin/health", auth=KEY, plugins=("ip-restriction",))
    exposed = endpoint("DELETE", "/actuator/cache", auth=KEY, plugins=("key-auth",))
    result, findings = judge([guarded, exposed])
    assert [(f.severity, f.endpoints) for f in findings] == [(Severity.HIGH, ("DELETE /actuator/cache",))]
    assert "static API keys" in findings[0].detail
    assert result.status is ControlStatus.PARTIAL or result.status is ControlStatus.FAIL
    assert "1 require strong authentication or a network restriction, 1 do not" in result.summary


def test_not_observable_from_access_logs_alone(endpoint: EndpointFactory) -> None:
    seen = endpoint("GET", "/admin/users", sources=(SightingSource.TRAFFIC,), route_ids=())
    result, findings = judge([seen], has_specs=False, has_gateway=False)
    assert (result.status, result.score, findings) == (ControlStatus.UNKNOWN, None, [])
    assert "not show authentication" in result.summary


def test_no_privileged_path_is_an_explicit_pass_saying_what_was_looked_for(endpoint: EndpointFactory) -> None:
    result, findings = judge([endpoint("GET", "/v2/claims/{claimId}")])
    assert findings == [] and result.status is ControlStatus.PASS
    assert result.summary.startswith("0 reachable endpoints have an admin, internal, debug or management path")
    assert any("recognised by words of their paths" in text for text in result.limitations)
    assert result.evidence  # the routes that show the paths


def test_specs_alone_without_a_privileged_path_pass_nothing(endpoint: EndpointFactory) -> None:
    """Administrative functions are seldom documented: a spec listing none shows nothing about the ones
    reachable, so the control is unknown, not a pass, and says what a gateway config or traffic would add."""
    documented = endpoint("GET", "/v2/claims/{claimId}", sources=(SightingSource.SPEC,), route_ids=())
    result, findings = judge([documented], has_gateway=False, has_traffic=False)
    assert (result.status, result.score, findings) == (ControlStatus.UNKNOWN, None, [])
    assert "administrative, internal and debug functions are seldom documented" in result.summary
    assert "What the inputs did show: 0 reachable endpoints have an admin" in result.summary
    admin = endpoint("DELETE", "/admin/claims/{claimId}", sources=(SightingSource.SPEC,), route_ids=())
    result, _ = judge([documented, admin], has_gateway=False, has_traffic=False)
    assert result.status is ControlStatus.PASS  # a documented admin function behind OIDC is judged, as declared


def test_a_word_inside_an_id_or_another_word_is_not_privileged(endpoint: EndpointFactory) -> None:
    _, findings = judge([endpoint("GET", "/v2/{adminId}/claims", auth=OPEN),
                         endpoint("GET", "/v2/administrative-areas", auth=OPEN)])
    assert findings == []


def test_a_write_allowed_under_read_only_scopes_is_high(endpoint: EndpointFactory) -> None:
    def scoped(method: str, *scopes: str) -> Endpoint:
        return endpoint(method, "/v2/claims/{claimId}", auth=AuthPosture(
            effective=AuthKind.OAUTH2, enforced_by="spec (declared, not verified)", scopes=scopes))

    result, findings = judge([scoped("PATCH", "claims:read", "read:policies"), scoped("GET", "claims:read"),
                              scoped("POST", "claims:read", "claims:write")])
    assert [(f.severity, f.endpoints) for f in findings] == [(Severity.HIGH, ("PATCH /v2/claims/{claimId}",))]
    assert "claims:read, read:policies" in findings[0].detail
    assert "1 of 2 write endpoints with declared scopes" in result.summary
