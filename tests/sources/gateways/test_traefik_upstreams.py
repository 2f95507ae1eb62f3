"""Traefik routers' services resolved across the files of a file provider directory into upstreams:
load balancers, weighted, failover and mirroring services, servers transports; services of other
providers or of no file given are not shown, with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import GatewayConfig, Upstream
from riskscan.sources import ReadContext
from riskscan.sources.gateways.traefik import TraefikReader

FOLDER = Path(__file__).resolve().parents[2] / "fixtures" / "traefik" / "upstreams"


def read(path: Path, root: Path = FOLDER) -> GatewayConfig:
    return TraefikReader().read(path, ReadContext(root=root, allowed_roots=(root,)))


@pytest.fixture(scope="module")
def config() -> GatewayConfig:
    return read(FOLDER / "routers.yaml")


def upstreams(config: GatewayConfig) -> dict[str, Upstream | None]:
    return {route.route_id: route.upstream_detail for route in config.routes}


def shape(upstream: Upstream | None) -> tuple[object, ...] | None:
    if upstream is None:
        return None
    return (upstream.hosts, upstream.nodes, upstream.scheme, upstream.has_health_checks,
            upstream.has_timeouts)


def test_a_weighted_service_adds_up_its_children_from_a_sibling_toml_file(config: GatewayConfig) -> None:
    claims = upstreams(config)["claims"]
    hosts = ("claims-1.shop.internal", "claims-2.shop.internal", "claims-3.shop.internal")
    # `bounded@file` names the same servers transport as `bounded`.
    assert shape(claims) == (hosts, 3, "https", True, True)
    assert claims is not None
    assert (claims.evidence.path, claims.evidence.line, claims.evidence.pointer) == (
        "services.yaml", 4, "/http/services/claims-split")


def test_a_single_third_party_server_without_timeouts(config: GatewayConfig) -> None:
    payments = upstreams(config)["payments"]
    assert shape(payments) == (("api.paylane-partner.example",), 1, "https", False, False)
    assert payments is not None and (payments.evidence.path, payments.evidence.line) == ("services.toml", 31)


def test_failover_counts_both_and_needs_checks_on_both(config: GatewayConfig) -> None:
    reports = upstreams(config)["reports"]
    assert shape(reports) == (("reports-1.shop.internal", "reports-2.shop.internal"), 2, "http", False, False)


def test_mirrors_are_listed_as_hosts_but_the_main_service_serves(config: GatewayConfig) -> None:
    search = upstreams(config)["search"]
    assert shape(search) == (("10.0.4.11", "10.0.4.12", "ingest.datavista.example"), 2, "https", True, True)


def test_other_providers_and_undefined_services_are_not_shown(config: GatewayConfig) -> None:
    routes = upstreams(config)
    assert (routes["orders"], routes["archive"], routes["dashboard"]) == (None, None, None)
    assert config.warnings == (
        "service orders@docker is labelled in no Compose file of the folders given, so its upstream is not"
        " shown",
        "service archive is not defined in this file or the other files of its folder, so its upstream is"
        " not shown",
    )  # api@internal is Traefik's own dashboard: nothing to warn about


def test_credentials_in_server_urls_reach_no_output(config: GatewayConfig) -> None:
    assert "PLANTED-MIRROR-PASSWORD" not in config.model_dump_json()
    assert "collector" not in config.model_dump_json()


def test_siblings_outside_the_folders_given_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "routers.yaml").write_bytes((FOLDER / "routers.yaml").read_bytes())
    alone = read(tmp_path / "routers.yaml", root=tmp_path)
    assert all(route.upstream_detail is None for route in alone.routes)
    assert sum("is not defined in this file" in warning for warning in alone.warnings) == 6


@pytest.mark.parametrize(("services", "warning"), [
    ("s: {weighted: {services: [{name: loop}]}}\n    loop: {weighted: {services: [{name: loop}]}}",
     "service s (through loop) nests services more than 4"),
    ("s: {loadBalancer: {servers: oops}}", "service s is a loadBalancer without server urls"),
    ("s: {loadBalancer: {servers: [{url: 7}]}}", "service s is a loadBalancer without server urls"),
    ("s: {mirroring: {mirrors: [{name: m}]}}", "service s names a child service without a name"),
    ("s: {loadBalancer: {serversTransport: gone, servers: [{url: 'http://a'}]}}",
     "service s names a serversTransport that no file read defines"),
    ("s: {sticky: true}", "service s has no loadBalancer, weighted, failover or mirroring section"),
])
def test_broken_services_cost_only_their_upstream(tmp_path: Path, services: str, warning: str) -> None:
    (tmp_path / "dynamic.yaml").write_text(
        "http:\n  routers:\n    r: {rule: 'PathPrefix(`/a`)', service: s}\n  services:\n    "
        + services + "\n",
        encoding="utf-8")
    config = read(tmp_path / "dynamic.yaml", root=tmp_path)
    assert [route.upstream_detail for route in config.routes] == [None]
    assert any(item.startswith(warning) for item in config.warnings), config.warnings


DOCKER = Path(__file__).resolve().parents[2] / "fixtures" / "traefik" / "docker-services"


@pytest.fixture(scope="module")
def docker() -> GatewayConfig:
    return read(DOCKER / "dynamic" / "routers.yaml", root=DOCKER)


def test_docker_label_services_are_one_node_per_replica_of_the_compose_service(docker: GatewayConfig) -> None:
    routes = upstreams(docker)
    # Labels under deploy.labels, with the file provider's serversTransport (`bounded@file`).
    assert shape(routes["orders"]) == (("orders-api",), 3, "https", True, True)
    assert shape(routes["billing"]) == (("billing-api",), 1, "http", False, False)
    orders = routes["orders"]
    assert orders is not None and (orders.evidence.path, orders.evidence.line) == (
        "compose/docker-compose.yml", 8)


def test_a_docker_server_url_names_its_host_only(docker: GatewayConfig) -> None:
    assert shape(upstreams(docker)["geo"]) == (("maps.geodata-vendor.example",), 1, "https", False, False)
    assert "PLANTED-LABEL-PASSWORD" not in docker.model_dump_json()


def test_services_of_providers_not_read_are_named_in_a_warning(docker: GatewayConfig) -> None:
    assert upstreams(docker)["catalog"] is None
    assert docker.warnings == ("service catalog@consulcatalog is defined by the consulcatalog provider, whose"
                               " services are not read, so its upstream is not shown",)


def test_without_the_compose_file_docker_services_are_not_shown() -> None:
    alone = read(DOCKER / "dynamic" / "routers.yaml", root=DOCKER / "dynamic")
    assert all(route.upstream_detail is None for route in alone.routes)
    assert "service orders@docker is labelled in no Compose file of the folders given, so its upstream is" \
        " not shown" in alone.warnings


CRD = Path(__file__).resolve().parents[2] / "fixtures" / "traefik" / "crd-services"


@pytest.fixture(scope="module")
def crd() -> GatewayConfig:
    return read(CRD / "dynamic" / "routers.yaml", root=CRD)


def test_a_traefik_service_resource_over_kubernetes_services(crd: GatewayConfig) -> None:
    orders = upstreams(crd)["orders"]
    # In-cluster Services: their pods are discovered, so no fixed node count; ServersTransport timeouts.
    assert shape(orders) == (("orders-v1.shop.svc", "orders-v2.shop.svc"), 0, "http", False, True)
    assert orders is not None
    assert (orders.evidence.path, orders.evidence.line) == ("k8s/traefik-services.yaml", 4)


def test_a_traefik_service_mirroring_external_names(crd: GatewayConfig) -> None:
    # Port 443 means https; the mirror (a TraefikService over an ExternalName) receives copies.
    maps = upstreams(crd)["maps"]
    hosts = ("maps.geodata-vendor.example", "ingest.datavista.example")
    assert shape(maps) == (hosts, 1, "https", True, False)


def test_traefik_services_not_in_the_manifests_given(crd: GatewayConfig) -> None:
    assert (upstreams(crd)["gone"], upstreams(crd)["half"]) == (None, None)
    assert crd.warnings == (
        "service shop-gone@kubernetescrd is a TraefikService or Kubernetes Service in no manifest given, so"
        " its upstream is not shown",
        "service shop-half@kubernetescrd (through shop-half/shop-not-deployed-8080@kubernetescrd) is a"
        " TraefikService or Kubernetes Service in no manifest given, so its upstream is not shown",
    )


def test_a_router_naming_a_child_made_for_a_traefik_service(tmp_path: Path) -> None:
    (tmp_path / "k8s.yaml").write_bytes((CRD / "k8s" / "traefik-services.yaml").read_bytes()
                                        + b"---\n" + (CRD / "k8s" / "services.yaml").read_bytes())
    (tmp_path / "routers.yaml").write_text(
        "http:\n  routers:\n    r: {rule: 'PathPrefix(`/a`)',"
        " service: 'shop-orders-split/shop-orders-v1-8080@kubernetescrd'}\n", encoding="utf-8")
    config = read(tmp_path / "routers.yaml", root=tmp_path)
    assert [route.upstream_detail for route in config.routes] == [None]
    assert len(config.warnings) == 1 and config.warnings[0].endswith("so its upstream is not shown")
