"""Authentication strength beyond the kind: API keys in query strings, OAuth flows, FAPI signals."""

from __future__ import annotations

from pathlib import Path

from riskscan.controls import evaluate_controls
from riskscan.inventory import build_inventory
from riskscan.model import AuthKind, Finding, Inventory, Severity
from riskscan.sources import ReadContext
from riskscan.sources.specs.openapi import OpenApiReader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "auth-strength"


def inventory() -> Inventory:
    spec = OpenApiReader().read(FIXTURES / "partner-auth.yaml", ReadContext(root=FIXTURES))
    return build_inventory([spec], [], [])


def auth_findings(inv: Inventory) -> dict[str, Finding]:
    return {f.title.split(" on ")[0]: f for f in evaluate_controls(inv).findings if f.control == "auth"}


def test_the_spec_reader_keeps_flows_and_key_locations() -> None:
    by_key = {e.key: e.auth for e in inventory().endpoints}
    assert by_key["GET /v1/quotes/{quoteId}"].locations == ("query:api_key", "header:X-Api-Key")
    assert by_key["GET /v1/claims/{claimId}"].locations == ("header:X-Api-Key",)
    assert by_key["GET /v2/policies"].flows == ("implicit",)
    assert by_key["GET /v2/portal/profile"].flows == ("authorization_code",)
    payments = by_key["POST /v2/payments"]
    assert (payments.effective, payments.is_sender_constrained) == (AuthKind.MTLS, True)
    assert not by_key["GET /v2/portal/profile"].is_sender_constrained


def test_a_key_accepted_in_the_query_string_is_a_finding_a_header_key_is_not() -> None:
    finding = auth_findings(inventory())["API keys accepted in query strings"]
    assert (finding.severity, finding.endpoints) == (Severity.MEDIUM, ("GET /v1/quotes/{quoteId}",))
    assert "query:api_key" in finding.detail and finding.owasp == "API2:2023"


def test_the_implicit_flow_is_weak_and_authorization_code_is_not() -> None:
    finding = auth_findings(inventory())["Deprecated OAuth 2.0 flows declared"]
    assert (finding.severity, finding.endpoints) == (Severity.MEDIUM, ("GET /v2/policies",))
    assert "the implicit flow" in finding.detail


def test_pkce_is_said_to_be_unverifiable_and_certificate_bound_tokens_are_counted() -> None:
    result = next(c for c in evaluate_controls(inventory()).controls if c.id == "auth")
    text = next(t for t in result.limitations if "PKCE" in t)
    assert "1 endpoints require OAuth 2.0 or OIDC together with mutual TLS" in text


def test_an_apisix_key_auth_route_accepts_the_query_parameter_by_default(tmp_path: Path) -> None:
    from riskscan.pipeline import ScanOptions, scan

    (tmp_path / "apisix.yaml").write_text(
        "routes:\n  - id: quotes\n    uri: /v1/quotes/*\n    plugins:\n      key-auth: {header: X-Key}\n#END\n",
        encoding="utf-8",
    )
    findings = [f for f in scan(ScanOptions(paths=(tmp_path,))).findings if "query strings" in f.title]
    assert [f.endpoints for f in findings] == [("* /v1/quotes/*",)]
    assert "query:apikey" in findings[0].detail
