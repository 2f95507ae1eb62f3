"""Ingress and Gateway API backends resolved against the Services of the scan into upstreams: hosts,
nodes, scheme, timeouts and retries; what cannot be resolved is not shown, with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import GatewayConfig, Upstream
from riskscan.sources import ReadContext
from riskscan.sources.gateways.kubernetes import KubernetesReader

FOLDER = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes" / "upstreams"


def read(name: str, allowed: tuple[Path, ...] = (FOLDER,)) -> GatewayConfig:
    return KubernetesReader().read(FOLDER / name, ReadContext(root=FOLDER, allowed_roots=allowed))


def detail(config: GatewayConfig) -> dict[str, Upstream | None]:
    return {route.route_id: route.upstream_detail for route in config.routes}


@pytest.fixture(scope="module")
def http_routes() -> GatewayConfig:
    return read("routes.yaml")


@pytest.fixture(scope="module")
def ingresses() -> GatewayConfig:
    return read("ingress.yaml")


def shape(upstream: Upstream | None) -> tuple[object, ...] | None:
    if upstream is None:
        return None
    return (upstream.hosts, upstream.nodes, upstream.scheme, upstream.has_timeouts, upstream.has_retries)


def test_in_cluster_services_behind_tls_policies_with_timeouts_and_retries(
    http_routes: GatewayConfig,
) -> None:
    orders = detail(http_routes)["shop/shop rule 0 match 0"]
    # Weight 0 (orders-canary, defined nowhere) sends no traffic: left out, not a missing Service.
    assert shape(orders) == (("orders-blue.shop.svc", "orders-green.shop.svc"), 0, "https", True, True)
    assert orders is not None and orders.has_health_checks is False
    assert orders.evidence.path == "routes.yaml" and orders.evidence.pointer == "/spec/rules/0/backendRefs"
    assert "services.yaml:33" in (orders.evidence.note or "")
    assert "health checks are not part of Gateway API core" in (orders.evidence.note or "")


def test_external_name_is_the_host_and_one_node(http_routes: GatewayConfig) -> None:
    routes = detail(http_routes)
    # `timeouts.request: 0s` disables the timeout; the trailing dot of the DNS name is dropped.
    payments = routes["shop/shop rule 1 match 0"]
    assert shape(payments) == (("api.paylane-partner.example",), 1, None, False, False)
    assert shape(routes["shop/shop rule 2 match 0"]) == (("ledger01.corp.internal",), 1, None, True, False)


def test_unresolved_backends_are_not_shown_with_one_line_warnings(http_routes: GatewayConfig) -> None:
    routes = detail(http_routes)
    assert routes["shop/shop rule 3 match 0"] is None and routes["shop/shop rule 4 match 0"] is None
    assert ("backend Service(s) shop/returns defined by no manifest given: the upstreams of their routes"
            " are not shown") in http_routes.warnings
    assert ("HTTPRoute shop/shop rules/4: backend of kind Bucket is not a Service, so its upstream is not"
            " shown") in http_routes.warnings
    assert all("\n" not in warning for warning in http_routes.warnings)


def test_services_are_looked_up_only_inside_the_folders_given(tmp_path: Path) -> None:
    config = read("routes.yaml", allowed=(tmp_path,))
    assert all(route.upstream_detail is None for route in config.routes)
    # One line for the file, naming the Services (orders-canary has weight 0: never looked up).
    assert ("backend Service(s) shop/orders-blue, shop/orders-green, shop/payments, shop/ledger, shop/returns"
            " defined by no manifest given: the upstreams of their routes are not shown") in config.warnings


def test_ingress_nginx_annotations_set_scheme_timeouts_and_retries(ingresses: GatewayConfig) -> None:
    routes = detail(ingresses)
    assert shape(routes["shop/shop-api rule 0 path 0"]) == (("quotes.shop.svc",), 0, "https", True, True)
    # service-upstream: nginx knows one cluster IP, so proxy-next-upstream-tries retries nothing.
    payments = routes["shop/shop-payments defaultBackend"]
    assert shape(payments) == (("api.paylane-partner.example",), 1, "https", False, False)
    assert payments is not None and payments.evidence.pointer == "/spec/defaultBackend"
    assert "upstream-vhost" in (payments.evidence.note or "")


def test_ingress_backends_that_are_no_known_service(ingresses: GatewayConfig) -> None:
    routes = detail(ingresses)
    assert routes["shop/shop-api rule 0 path 1"] is None  # not deployed in the files given
    assert routes["shop/shop-api rule 0 path 2"] is None  # a resource backend is not a host
    assert routes["shop/shop-legacy rule 0 path 0"] is None  # traefik's annotations are not read
    assert ("backend Service(s) shop/not-deployed defined by no manifest given: the upstreams of their"
            " routes are not shown") in ingresses.warnings
    assert "Ingress shop/shop-payments: proxy-connect-timeout is not a number, so ingress-nginx ignores it" \
        in ingresses.warnings


def test_nothing_of_the_services_file_leaks(http_routes: GatewayConfig, ingresses: GatewayConfig) -> None:
    dumped = http_routes.model_dump_json() + ingresses.model_dump_json()
    for planted in ("PLANTED-NOT-A-TIMEOUT", "UExBTlRFRC1VUFNUUkVBTS1LRVk", "orders-client-cert"):
        assert planted not in dumped


def test_a_route_and_its_services_in_one_file(tmp_path: Path) -> None:
    (tmp_path / "all.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: web}\n"
        "spec: {type: ExternalName, externalName: API.Vendor.example}\n---\n"
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: web\n"
        "  annotations: {nginx.ingress.kubernetes.io/proxy-send-timeout: '15'}\n"
        "spec:\n  defaultBackend: {service: {name: api, port: {number: 443}}}\n",
        encoding="utf-8")
    config = KubernetesReader().read(tmp_path / "all.yaml", ReadContext(root=tmp_path))
    assert [shape(route.upstream_detail) for route in config.routes] == [
        (("api.vendor.example",), 1, None, True, False)]


def test_hostile_service_shapes_cost_only_themselves(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: [1, 2], namespace: web}\nspec: oops\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: odd, namespace: web}\n"
        "spec: {type: ExternalName, externalName: {nested: true}}\n---\n"
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: web,"
        " annotations: {nginx.ingress.kubernetes.io/proxy-read-timeout: '1e400'}}\n"
        "spec:\n  rules:\n    - http:\n        paths:\n"
        "          - {path: /a, pathType: Prefix, backend: {service: {name: odd, port: {number: 1}}}}\n"
        "          - {path: /b, pathType: Prefix, backend: {service: {name: 7, port: {number: 1}}}}\n",
        encoding="utf-8")
    config = KubernetesReader().read(tmp_path / "bad.yaml", ReadContext(root=tmp_path))
    routes = detail(config)
    # An ExternalName without a usable name is treated as in-cluster; timeouts 1e400 is not plausible.
    assert shape(routes["web/web rule 0 path 0"]) == (("odd.web.svc",), 0, None, False, False)
    assert routes["web/web rule 0 path 1"] is None
    assert any("proxy-read-timeout is not a plausible whole number" in warning for warning in config.warnings)
