"""Envoy files read for cluster upstreams and CORS policies: the gateway controls judge them."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import ControlResult, Finding
from riskscan.pipeline import ScanOptions, scan
from riskscan.sources import ReadContext
from riskscan.sources.gateways.envoy import EnvoyReader

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "envoy-exposure" / "envoy-exposure.yaml"
ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "envoy" / "api-gateway.yaml"


def routes_by_name() -> dict[str, object]:
    config = EnvoyReader().read(FILE, ReadContext(root=FILE.parent))
    return {route.name: route for route in config.routes}


def test_clusters_give_nodes_tls_and_health_checking() -> None:
    routes = routes_by_name()
    claims = routes["claims"].upstream_detail  # type: ignore[attr-defined]
    rates = routes["rates"].upstream_detail  # type: ignore[attr-defined]
    assert (claims.hosts, claims.nodes, claims.scheme, claims.has_health_checks) == (
        ("claims-1.svc.harbor.internal", "claims-2.svc.harbor.internal"), 2, "https", True)
    assert (rates.hosts, rates.nodes, rates.scheme, rates.has_health_checks) == (
        ("rates.partner-cloud.example",), 1, None, True)  # outlier detection is passive checking


def test_route_cors_overrides_the_virtual_host_policy() -> None:
    routes = routes_by_name()
    claims = routes["claims"].cors  # type: ignore[attr-defined]
    documents = routes["documents"].cors  # type: ignore[attr-defined]
    assert [(p.allows_any_origin, p.allows_credentials) for p in claims] == [(True, True)]
    assert [(p.allows_any_origin, p.allows_credentials) for p in documents] == [(False, False)]
    pointer = claims[0].evidence.pointer
    assert pointer.endswith("/virtual_hosts/0/typed_per_filter_config/envoy.filters.http.cors")


def test_without_the_cors_filter_no_policy_is_in_force() -> None:
    config = EnvoyReader().read(ESTATE, ReadContext(root=ESTATE.parent))
    assert all(route.cors == () for route in config.routes)


def control(control_id: str) -> tuple[ControlResult, list[Finding]]:
    assessment = scan(ScanOptions(paths=(FILE,)))
    result = next(c for c in assessment.controls if c.id == control_id)
    return result, [f for f in assessment.findings if f.control == control_id]


def test_the_gateway_controls_judge_envoy() -> None:
    _, cors = control("misconfiguration")
    assert [(f.severity.value, f.endpoints) for f in cors] == [("high", ("* /v2/claims*", "* /v2/rates*"))]
    _, third = control("third_party")
    assert [(f.severity.value, f.endpoints) for f in third] == [("medium", ("* /v2/rates*",))]
    _, transport = control("transport_security")
    assert [(f.title.split(":")[0], f.endpoints) for f in transport] == [
        ("Plain HTTP between the gateway and the backends of 1 endpoint", ("* /v2/rates*",)),
        # its TLS listener names no minimum version: Envoy's default, legacy before 1.22
        ("TLS versions left to the gateway's default at 1 place", ())]
