"""Traefik dynamic files read for service upstreams and CORS headers middlewares: the gateway controls
judge them."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import Assessment, ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.sources import ReadContext
from riskscan.sources.gateways.traefik import TraefikReader

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "traefik-exposure" / "dynamic.yaml"


def control(assessment: Assessment, control_id: str) -> tuple[ControlResult, list[Finding]]:
    result = next(c for c in assessment.controls if c.id == control_id)
    return result, [f for f in assessment.findings if f.control == control_id]


def test_load_balancer_servers_health_checks_and_timeouts() -> None:
    config = TraefikReader().read(FILE, ReadContext(root=FILE.parent, allowed_roots=(FILE.parent,)))
    by_id = {route.route_id: route for route in config.routes}
    claims, portal = by_id["claims"].upstream_detail, by_id["portal"].upstream_detail
    assert claims is not None and portal is not None
    assert (claims.hosts, claims.nodes, claims.scheme, claims.has_health_checks, claims.has_timeouts) == (
        ("claims-1.svc.harbor.internal", "claims-2.svc.harbor.internal"), 2, "https", True, True)
    assert (portal.hosts, portal.scheme, portal.has_health_checks, portal.has_timeouts) == (
        ("portal.partner-cloud.example",), "http", False, False)
    assert by_id["claims"].cors == ()
    assert [(p.allows_any_origin, p.allows_credentials) for p in by_id["portal"].cors or ()] == [(True, True)]


def test_the_gateway_controls_judge_traefik() -> None:
    assessment = scan(ScanOptions(paths=(FILE,)))
    expected = {"misconfiguration": [("high", ("* /v2/portal*",))],
                "third_party": [("medium", ("* /v2/portal*",))]}
    for control_id, findings in expected.items():
        _, found = control(assessment, control_id)
        assert [(f.severity.value, f.endpoints) for f in found] == findings, control_id
    _, transport = control(assessment, "transport_security")
    # plain upstream; routers use tls under the default option, which sets no minVersion
    assert [(f.code, f.endpoints) for f in transport] == [("TLS_PLAIN_UPSTREAM", ("* /v2/portal*",)),
                                                         ("TLS_DEFAULT_VERSION_DEPENDENT", ())]
