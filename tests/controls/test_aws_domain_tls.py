"""AWS API Gateway custom domains in a scan: a security policy accepting TLS 1.0 is the estate-wide legacy
finding citing the template line; TLS_1_2 passes with the setting as evidence; a policy that cannot be
judged (an intrinsic, an unknown name) is warned about on the input and never counted as a setting."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import Assessment, ControlResult
from riskscan.pipeline import ScanOptions, scan

DOMAINS = Path(__file__).resolve().parents[1] / "fixtures" / "aws" / "domains"


def transport(assessment: Assessment) -> ControlResult:
    return next(control for control in assessment.controls if control.id == "transport_security")


def test_tls_1_0_domain_is_a_legacy_finding_citing_the_security_policy_line() -> None:
    assessment = scan(ScanOptions(paths=(DOMAINS / "rest-domain-tls10.yaml",)))
    [finding] = [f for f in assessment.findings if f.code == "TLS_LEGACY_VERSIONS"]
    [evidence] = finding.evidence
    assert (evidence.path, evidence.line) == ("rest-domain-tls10.yaml", 48)
    assert evidence.pointer == "/Resources/ClaimsDomain/Properties/SecurityPolicy"
    assert "serves ClaimsApi" in (evidence.note or "")
    assert "TLSv1" in finding.detail
    assert transport(assessment).status.value != "pass"


def test_tls_1_2_domain_passes_with_the_setting_as_evidence() -> None:
    assessment = scan(ScanOptions(paths=(DOMAINS / "rest-domain-tls12.yaml",)))
    assert not [f for f in assessment.findings if f.control == "transport_security"]
    control = transport(assessment)
    assert control.status.value == "pass", control.summary
    assert ("rest-domain-tls12.yaml", 48) in [(e.path, e.line) for e in control.evidence]
    assert "No TLS setting read accepts TLS 1.0 or 1.1 (1 TLS setting)." in control.summary


def test_sam_http_api_domain_and_a_defaulted_rest_domain() -> None:
    """The HTTP API's domain names TLS_1_2: evidence of the pass. The REST API's domain names no policy:
    today's default is TLS_1_2, but a domain created earlier accepts TLS 1.0, which the template cannot
    show: a low finding asking to name the policy, citing the Domain block."""
    assessment = scan(ScanOptions(paths=(DOMAINS / "sam-http-api-domain.yaml",)))
    control = transport(assessment)
    assert (17, "/Resources/QuotesApi/Properties/Domain/SecurityPolicy") in [
        (e.line, e.pointer) for e in control.evidence]
    [dependent] = [f for f in assessment.findings if f.code.startswith("TLS_")]
    assert (dependent.code, dependent.severity.value) == ("TLS_DEFAULT_VERSION_DEPENDENT", "low")
    assert [(e.line, e.pointer) for e in dependent.evidence] == [(36, "/Resources/PartnerApi/Properties/Domain")]
    assert "aws apigateway get-domain-name" in dependent.detail


def test_unjudged_policies_are_input_warnings_not_settings() -> None:
    assessment = scan(ScanOptions(paths=(DOMAINS / "v2-domains-unjudged.yaml",)))
    assert assessment.inventory.tls_settings == ()
    assert not [f for f in assessment.findings if f.code == "TLS_LEGACY_VERSIONS"]
    [record] = assessment.inputs  # the input shows its first warning, and how many more there are
    assert (record.message or "").startswith("domain resource NotifyDomain: its SecurityPolicy is set by an")
    assert (record.message or "").endswith("(+1 more)")  # LegacyDomain's unknown 'TLS_1_3'


def test_a_policy_set_by_an_intrinsic_is_named_by_transport_security() -> None:
    """`SecurityPolicy: !If [...]` is set, to a value the template alone cannot show: transport security
    says so, naming the template, rather than that no config sets TLS versions."""
    assessment = scan(ScanOptions(paths=(DOMAINS / "v2-domains-unjudged.yaml",)))
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert "TLS versions are set by reference in v2-domains-unjudged.yaml: not judged." in transport.summary
    assert any(text.startswith("v2-domains-unjudged.yaml set SecurityPolicy by reference")
               for text in transport.limitations), transport.limitations
