"""nginx configs read for upstreams (pass targets), CORS headers and credentials written in headers:
the gateway controls judge them; the planted key reaches no output."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import Assessment, ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources import ReadContext
from riskscan.sources.gateways.nginx import NginxReader

CONF = Path(__file__).resolve().parents[1] / "fixtures" / "nginx-exposure" / "nginx-exposure.conf"


@pytest.fixture(scope="module")
def exposed() -> Assessment:
    return scan(ScanOptions(paths=(CONF,)))


def control(assessment: Assessment, control_id: str) -> tuple[ControlResult, list[Finding]]:
    result = next(c for c in assessment.controls if c.id == control_id)
    return result, [f for f in assessment.findings if f.control == control_id]


def test_pass_targets_become_upstreams_with_nodes_scheme_and_timeouts() -> None:
    config = NginxReader().read(CONF, ReadContext(root=CONF.parent))
    by_uri = {route.uris[0]: route.upstream_detail for route in config.routes}
    claims, partners = by_uri["/v1/claims/*"], by_uri["/v1/partners/*"]
    assert claims is not None and partners is not None
    assert (claims.hosts, claims.nodes, claims.scheme, claims.has_health_checks, claims.has_timeouts) == (
        ("10.20.0.11", "10.20.0.12"), 2, "https", True, True)
    assert (partners.hosts, partners.nodes, partners.scheme, partners.has_timeouts) == (
        ("partner-api.partner-cloud.example",), 1, "http", False)
    assert by_uri["/v1/dynamic/*"] is None  # a backend chosen at run time shows no node


def test_cors_headers_in_force_make_the_policy() -> None:
    config = NginxReader().read(CONF, ReadContext(root=CONF.parent))
    by_uri = {route.uris[0]: route.cors for route in config.routes}
    reflected = by_uri["/v1/claims/*"]
    assert reflected is not None and [(p.allows_any_origin, p.allows_credentials) for p in reflected] == [
        (True, True)]
    named = by_uri["/v1/documents/*"]
    assert named is not None
    assert [(p.allows_any_origin, p.allows_credentials) for p in named] == [(False, False)]
    assert by_uri["/v1/partners/*"] == ()


def test_a_literal_credential_header_is_a_secret_a_variable_and_a_password_file_are_not() -> None:
    config = NginxReader().read(CONF, ReadContext(root=CONF.parent))
    assert [(item.line, item.excerpt) for item in config.clear_secrets or ()] == [
        (25, "proxy_set_header X-Api-Key")]


def test_the_gateway_controls_judge_nginx(exposed: Assessment) -> None:
    expected = {
        "secrets_hygiene": [("high", ())],
        "third_party": [("medium", ("* /v1/partners/*",))],
        "misconfiguration": [("high", ("* /v1/claims/*",))],
        # a plain upstream, and a TLS server block without ssl_protocols (nginx's default, legacy
        # before 1.23.4)
        "transport_security": [("medium", ("* /v1/partners/*",)), ("low", ())],
    }
    for control_id, findings in expected.items():
        result, found = control(exposed, control_id)
        assert [(f.severity.value, f.endpoints) for f in found] == findings, control_id


def test_the_planted_key_reaches_no_output(exposed: Assessment) -> None:
    for renderer in ("json", "html"):
        assert "PLANTED-NGINX-PARTNER-KEY" not in RENDERERS[renderer].render(exposed).decode("utf-8")
