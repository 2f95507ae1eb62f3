"""Traefik IngressRoute custom resources read as routes by the Kubernetes reader: their Middlewares,
TLSOptions, TraefikServices and Services found among the scan's files, both API groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, RouteAspect, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.kubernetes import KubernetesReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes"
ESTATE = FIXTURES / "traefik-crd"
EDGES = FIXTURES / "traefik-crd-edges"


def _read(root: Path) -> GatewayConfig:
    path = root / "k8s" / "routes.yaml"
    return KubernetesReader().read(path, ReadContext(root=root, allowed_roots=(root,)))


@pytest.fixture(scope="module")
def config() -> GatewayConfig:
    return _read(ESTATE)


@pytest.fixture(scope="module")
def routes(config: GatewayConfig) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in config.routes}


@pytest.fixture(scope="module")
def edges() -> GatewayConfig:
    return _read(EDGES)


def test_a_manifest_mixing_ingress_and_ingressroutes_is_kubernetes_and_gives_both_once(
    config: GatewayConfig,
) -> None:
    path = ESTATE / "k8s" / "routes.yaml"
    assert detect_kind(path, read_head(path)) is SourceKind.KUBERNETES
    ids = [route.route_id for route in config.routes]
    assert ids == ["harbor/docs rule 0 path 0", "harbor/claims-api route 0", "harbor/claims-api route 1",
                   "harbor/claims-api route 2", "harbor/partner-api route 0", "harbor/status-page route 0"]
    assert {route.gateway for route in config.routes} == {"ingress-nginx", "traefik"}


def test_both_api_groups_are_read(routes: dict[str, GatewayRoute]) -> None:
    partner = routes["harbor/partner-api route 0"]  # traefik.containo.us/v1alpha1
    assert (partner.uris, partner.hosts, partner.methods) == (("/v2/quotes*",), ("partners.harbor.example",),
                                                              ("POST",))
    assert routes["harbor/claims-api route 0"].name == "IngressRoute harbor/claims-api (entryPoints websecure)"


def test_middleware_resources_become_auth_limits_and_allow_lists(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["harbor/claims-api route 0"]
    assert (claims.uris, claims.hosts) == (("/v1/claims*",), ("api.harbor.example",))
    assert [(a.kind, a.scheme) for a in claims.auth] == [(AuthKind.BASIC, "basicAuth")]
    limit = claims.rate_limits[0]
    assert (limit.plugin, limit.limit, limit.window_seconds) == ("rateLimit", 100, 60)
    assert (limit.evidence.path, limit.evidence.line) == ("k8s/middlewares.yaml", 15)
    assert claims.not_shown == ()
    reports = routes["harbor/claims-api route 1"]
    assert [p.name for p in reports.plugins] == ["ipAllowList", "accessLog"]  # a network restriction
    assert reports.auth == ()


def test_a_missing_middleware_leaves_auth_and_limits_unknown_with_one_warning(
    config: GatewayConfig, routes: dict[str, GatewayRoute],
) -> None:
    exports = routes["harbor/claims-api route 2"]
    assert exports.uris == ("/v1/exports*", "/v1/export-status")
    assert exports.auth == () and {RouteAspect.AUTH, RouteAspect.RATE_LIMIT} <= set(exports.not_shown)
    assert exports.cors is None
    assert sum("harbor-missing-auth@kubernetescrd" in w for w in config.warnings) == 1


def test_tls_options_give_mtls_and_their_minimum_versions(config: GatewayConfig,
                                                          routes: dict[str, GatewayRoute]) -> None:
    partner = routes["harbor/partner-api route 0"]
    assert [(a.kind, a.scheme) for a in partner.auth] == [
        (AuthKind.MTLS, "TLSOption harbor-partner-mtls (RequireAndVerifyClientCert)")]
    settings = {(s.protocols, s.allows_legacy, s.evidence.path, s.evidence.line) for s in config.tls_settings or ()}
    assert settings == {(("VersionTLS10",), True, "k8s/tls-options.yaml", 7),
                        (("VersionTLS12",), False, "k8s/tls-options.yaml", 15)}


def test_services_and_traefik_services_are_the_upstreams(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["harbor/claims-api route 0"].upstream_detail
    reports = routes["harbor/claims-api route 1"].upstream_detail
    quotes = routes["harbor/partner-api route 0"].upstream_detail
    assert claims is not None and (claims.hosts, claims.nodes, claims.scheme) == (
        ("claims.harbor.svc",), 0, "http")
    assert reports is not None and reports.hosts == ("reports-v1.harbor.svc", "reports-v2.harbor.svc")
    assert quotes is not None and (quotes.hosts, quotes.nodes, quotes.scheme) == (
        ("quotes.rating-partner.example",), 1, "https")
    assert routes["harbor/claims-api route 2"].upstream_detail is None  # Service `exports` is nowhere


def test_client_transport_follows_spec_tls_and_the_static_entry_points(routes: dict[str, GatewayRoute]) -> None:
    served = {route_id: route.client_transport.is_plain for route_id, route in routes.items()
              if route.gateway == "traefik" and route.client_transport is not None}
    assert served == {"harbor/claims-api route 0": False, "harbor/claims-api route 1": False,
                      "harbor/claims-api route 2": False, "harbor/partner-api route 0": False,
                      "harbor/status-page route 0": True}
    assert routes["harbor/status-page route 0"].loggers == ("accessLog",)  # traefik/traefik.yml


def test_tcp_routes_are_named_in_one_warning_and_secrets_only_by_place(config: GatewayConfig) -> None:
    assert "IngressRouteTCP objects (non-HTTP routing) are not assessed" in config.warnings
    assert [(s.path, s.pointer, s.note) for s in config.clear_secrets or ()] == [
        ("k8s/routes.yaml", "/spec/headers/customRequestHeaders/Authorization",
         "authorization header written in clear in a Traefik Middleware")]
    assert "PLANTED" not in config.model_dump_json()


def test_broken_entries_cost_themselves_with_a_warning(edges: GatewayConfig) -> None:
    assert [route.route_id for route in edges.routes] == [
        "ops/mixed route 3", "ops/mixed route 4", "ops/unknown-option route 0", "ops/file-service route 0"]
    expected = ("IngressRoute ops/broken: spec.routes is not a non-empty list: skipped",
                "IngressRoute ops/mixed route 0: negation (!) is not evaluated: left out",
                "IngressRoute ops/mixed route 1: not a Rule with a match: left out",
                "IngressRoute ops/mixed route 2 is not a mapping: skipped",
                "IngressRouteUDP objects (non-HTTP routing) are not assessed")
    assert set(expected) <= set(edges.warnings)


def test_other_providers_middlewares_are_found_where_the_scan_has_them(edges: GatewayConfig) -> None:
    by_id = {route.route_id: route for route in edges.routes}
    file_auth = by_id["ops/mixed route 3"]
    assert [(p.name, p.evidence.path) for p in file_auth.plugins] == [("basicAuth", "dynamic/middlewares.yaml")]
    assert RouteAspect.RATE_LIMIT in file_auth.not_shown  # vpn-only@file is nowhere
    assert any("vpn-only@file" in w for w in edges.warnings)
    label = by_id["ops/mixed route 4"]
    assert [(p.name, p.evidence.path) for p in label.plugins] == [
        ("rateLimit", "compose/docker-compose.yml"), ("forwardAuth", "k8s/routes.yaml")]
    assert any("security/shared-auth is in another namespace" in w for w in edges.warnings)


def test_a_file_provider_service_named_as_a_traefik_service_is_its_upstream(edges: GatewayConfig) -> None:
    pool = next(route for route in edges.routes if route.route_id == "ops/file-service route 0")
    assert pool.upstream_detail is not None
    assert (pool.upstream_detail.hosts, pool.upstream_detail.nodes) == (("10.40.0.11", "10.40.0.12"), 2)


def test_a_manifest_with_only_tcp_routes_is_read_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "tcp.yaml"
    path.write_text("apiVersion: traefik.containo.us/v1alpha1\nkind: IngressRouteTCP\nmetadata: {name: db}\n"
                    "spec: {routes: [{match: 'HostSNI(`*`)', services: [{name: db, port: 5432}]}]}\n",
                    encoding="utf-8")
    assert detect_kind(path, read_head(path)) is SourceKind.KUBERNETES
    config = KubernetesReader().read(path, ReadContext(root=tmp_path))
    assert config.routes == () and config.warnings == (
        "IngressRouteTCP objects (non-HTTP routing) are not assessed",)


def test_tls_without_options_takes_the_default_tlsoption_and_an_unknown_option_is_not_shown(
    edges: GatewayConfig,
) -> None:
    assert [(s.protocols, s.allows_legacy) for s in edges.tls_settings or ()] == [(("VersionTLS11",), True)]
    unknown = next(route for route in edges.routes if route.route_id == "ops/unknown-option route 0")
    assert unknown.auth == () and RouteAspect.AUTH in unknown.not_shown
    assert any("TLS option ops-not-deployed@kubernetescrd is defined in no file given" in w
               for w in edges.warnings)
    assert "PLANTED" not in edges.model_dump_json()


def test_without_the_other_manifests_nothing_is_guessed(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_bytes((ESTATE / "k8s" / "routes.yaml").read_bytes())
    alone = KubernetesReader().read(path, ReadContext(root=tmp_path, allowed_roots=(tmp_path,)))
    claims = next(route for route in alone.routes if route.route_id == "harbor/claims-api route 0")
    assert claims.auth == () and {RouteAspect.AUTH, RouteAspect.RATE_LIMIT} <= set(claims.not_shown)
    assert claims.client_transport is not None and not claims.client_transport.is_plain  # spec.tls
    status = next(route for route in alone.routes if route.route_id == "harbor/status-page route 0")
    assert status.client_transport is None and RouteAspect.LOGGING in status.not_shown  # no traefik.yml


@pytest.mark.parametrize(("args", "is_plain", "loggers"), [
    (["--entryPoints.web.address=:8000/tcp", "--entryPoints.websecure.address=:8443/tcp",
      "--entryPoints.websecure.http.tls=true", "--providers.kubernetescrd", "--accesslog=true"],
     True, ("accessLog",)),
    (["--entrypoints.web.address=:8000", "--entrypoints.web.http.redirections.entrypoint.to=websecure",
      "--providers.kubernetescrd", "--metrics.prometheus"], False, ()),
])
def test_the_traefik_deployments_args_are_its_static_configuration(
    tmp_path: Path, args: list[str], is_plain: bool, loggers: tuple[str, ...],
) -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "traefik"},
                  "spec": {"template": {"spec": {"containers": [
                      {"name": "traefik", "image": "docker.io/traefik:v3.2.1", "args": args}]}}}}
    (tmp_path / "deployment.yaml").write_text(json.dumps(deployment), encoding="utf-8")
    path = tmp_path / "routes.yaml"
    path.write_text("apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {name: web}\n"
                    "spec:\n  entryPoints: [web]\n  routes: [{kind: Rule, match: 'PathPrefix(`/web`)'}]\n",
                    encoding="utf-8")
    route = KubernetesReader().read(path, ReadContext(root=tmp_path)).routes[0]
    assert route.client_transport is not None and route.client_transport.is_plain is is_plain
    assert route.loggers == loggers and route.monitors == (() if loggers else ("metrics",))
    assert route.client_transport.evidence.path == ("routes.yaml" if is_plain else "deployment.yaml")


@pytest.mark.parametrize("spec", [
    "spec: 7",
    "spec: {routes: [{kind: Rule, match: 42, middlewares: x, services: 7}]}",
    "spec: {entryPoints: web, routes: [{kind: Rule, match: 'Path(`/a`)', middlewares: [7, {name: 9}],"
    " services: [{name: [1], port: {a: b}}, 'svc']}], tls: {options: 5}}",
    "spec: {routes: [{kind: Rule, match: '" + "(" * 60 + "Path(`/a`)" + ")" * 60 + "'}]}",
    "spec: {routes: [{kind: Rule, match: 'Path(`/a`)', syntax: v9, priority: 99999999999999999999999}]}",
])
def test_hostile_ingressroutes_cost_their_entries_not_the_file(tmp_path: Path, spec: str) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(f"apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata: {{name: x}}\n{spec}\n",
                    encoding="utf-8")
    config = KubernetesReader().read(path, ReadContext(root=tmp_path))
    assert all(route.uris for route in config.routes)
    assert config.routes or config.warnings
