"""Transport security: plain HTTP to clients (each gateway's listeners, else spec servers), plain HTTP
to backends and legacy TLS versions, each present, absent, partial and not observable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskscan.model import Assessment, ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources.gateways.tls_versions import is_legacy_protocol

TRANSPORT = Path(__file__).resolve().parents[1] / "fixtures" / "transport"


def scanned(tmp_path: Path, *names: str) -> Assessment:
    """Scan a folder holding only the fixtures named (files or folders)."""
    for name in names:
        source = TRANSPORT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    return scan(ScanOptions(paths=(tmp_path,)))


def transport(assessment: Assessment) -> tuple[ControlResult, dict[str, Finding]]:
    result = next(c for c in assessment.controls if c.id == "transport_security")
    findings = {f.title.split(":")[0]: f for f in assessment.findings if f.control == "transport_security"}
    return result, findings


PLAIN_CLIENT = "Served to clients over plain HTTP"
LEGACY = "TLS 1.0 or 1.1 accepted at 1 place"


@pytest.mark.parametrize(
    ("fixture", "plain", "evidence"),
    [
        ("kong-protocols.yaml", ("* /v2/legacy*", "* /v2/quotes*"), "protocols http"),
        ("nginx-listeners.conf", ("* /v1/*",), "plain HTTP listener, no redirect"),
        ("envoy-listeners.yaml", ("* /v1/claims*",), "plain HTTP listener"),
        ("ingress-tls.yaml", ("* /status", "* /status/*"), "host not in spec.tls"),
        ("gateway-api", ("* /v1/pets", "* /v1/pets/*"), "attached to HTTP listener http"),
        ("traefik-static", ("* /v1/pets*",), "plain HTTP entry point"),
    ],
)
def test_each_gateway_shows_plain_http_listeners_as_a_high_finding(
    tmp_path: Path, fixture: str, plain: tuple[str, ...], evidence: str
) -> None:
    result, findings = transport(scanned(tmp_path, fixture))
    finding = findings[PLAIN_CLIENT]
    assert finding.severity.value == "high"
    assert finding.endpoints == plain
    assert evidence in (finding.evidence[0].note or "")
    assert result.evidence_strength.value == "enforced"
    assert result.status.value in ("partial", "fail")


def test_redirects_and_tls_listeners_pass_with_their_evidence(tmp_path: Path) -> None:
    """nginx's scheme redirect, Envoy's require_tls and the Gateway API redirect filter are passes."""
    notes = set()
    for fixture in ("nginx-listeners.conf", "envoy-listeners.yaml", "gateway-api"):
        folder = tmp_path / fixture.replace(".", "-")
        folder.mkdir()
        result, _ = transport(scanned(folder, fixture))
        notes |= {item.note for item in result.evidence}
    assert {"plain HTTP redirected to https", "redirects HTTP to https", "TLS listener"} <= notes


@pytest.mark.parametrize(
    ("fixture", "pointer", "protocols"),
    [
        ("nginx-listeners.conf", None, "TLSv1, TLSv1.1, TLSv1.2"),
        ("envoy-listeners.yaml", "/static_resources/listeners/1/filter_chains/0/transport_socket/"
         "typed_config/common_tls_context/tls_params/tls_minimum_protocol_version", "TLSv1_0"),
        ("apisix-ssl-protocols.yaml", "/ssls/0/ssl_protocols", "TLSv1.1, TLSv1.2"),
        ("traefik-static", "/tls/options/partners/minVersion", "VersionTLS10"),
    ],
)
def test_legacy_tls_versions_are_one_estate_wide_finding(
    tmp_path: Path, fixture: str, pointer: str | None, protocols: str
) -> None:
    result, findings = transport(scanned(tmp_path, fixture))
    finding = findings[LEGACY]
    assert finding.endpoints == () and finding.severity.value == "medium"
    assert [item.pointer for item in finding.evidence] == [pointer]
    assert finding.evidence[0].line is not None
    assert protocols in finding.detail
    expected = "1 of 1 TLS setting" if fixture == "envoy-listeners.yaml" else "1 of 2 TLS settings"
    assert f"{expected} read accept TLS 1.0 or 1.1." in result.summary


def test_modern_tls_settings_pass(tmp_path: Path) -> None:
    result, findings = transport(scanned(tmp_path, "traefik-static"))
    assert any(item.pointer == "/tls/options/modern/minVersion" for item in result.evidence)


def test_plain_spec_servers_are_declared_findings_citing_the_server(tmp_path: Path) -> None:
    result, findings = transport(scanned(tmp_path, "openapi-plain-server.yaml", "swagger-http-scheme.yaml"))
    finding = findings["Documented on plain-HTTP servers"]
    assert finding.severity.value == "medium"
    assert finding.endpoints == ("GET /v1/claims", "GET /v2/policies/{policyId}")  # not the https-only quote
    assert {(item.path, item.pointer) for item in finding.evidence} == {
        ("openapi-plain-server.yaml", "/servers/0"), ("swagger-http-scheme.yaml", "/schemes")}
    assert result.evidence_strength.value == "declared"


def test_a_server_url_credential_reaches_no_output(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, "openapi-plain-server.yaml")
    for renderer in ("json", "html"):
        assert "PLANTED-SERVER-PASS" not in RENDERERS[renderer].render(assessment).decode("utf-8")


def test_relative_servers_show_nothing_so_transport_is_unknown(tmp_path: Path) -> None:
    result, findings = transport(scanned(tmp_path, "openapi-relative-server.yaml"))
    assert result.status.value == "unknown" and findings == {}


def test_a_gateway_on_its_default_listener_still_judges_its_upstreams(tmp_path: Path) -> None:
    """APISIX standalone files do not show listeners: APISIX's default is judged, said plainly (declared,
    its own medium finding, never the high one), and upstreams and TLS are still judged."""
    result, findings = transport(scanned(tmp_path, "apisix-ssl-protocols.yaml"))
    assert result.summary.startswith("1 endpoint with no redirect to HTTPS is left to the gateway's default "
                                     "plain-HTTP listener (declared by its documentation: no runtime config "
                                     "given). 0 of 1 routed endpoints are forwarded to their backends in plain "
                                     "text.")
    assert any("documented default listeners" in text for text in result.limitations)
    assert PLAIN_CLIENT not in findings
    assert findings["Plain HTTP left to the gateway's default listener"].severity.value == "low"


@pytest.mark.parametrize(
    ("name", "legacy"),
    [("TLSv1", True), ("TLSv1.1", True), ("TLSv1_1", True), ("VersionTLS11", True), ("SSLv3", True),
     ("TLSv1.2", False), ("TLSv1_3", False), ("VersionTLS12", False), ("TLS_AUTO", False), ("TLSv12", False)],
)
def test_legacy_protocol_names_in_every_spelling(name: str, legacy: bool) -> None:
    assert is_legacy_protocol(name) is legacy


def test_aws_serves_https_only_and_its_http_integrations_are_upstreams(tmp_path: Path) -> None:
    """API Gateway answers HTTPS only; an http:// integration URI is plain HTTP behind it."""
    shutil.copytree(TRANSPORT.parent / "aws" / "estate", tmp_path / "estate")
    result, findings = transport(scan(ScanOptions(paths=(tmp_path,))))
    assert PLAIN_CLIENT not in findings
    plain = findings["Plain HTTP between the gateway and the backends of 1 endpoint"]
    assert [(item.path, item.note) for item in plain.evidence] == [
        ("estate/api/claims-export.json", "HTTP integration")]
    assert any(item.note == "API Gateway serves HTTPS only" for item in result.evidence)
