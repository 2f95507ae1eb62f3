"""What each gateway reader shows of client transport and TLS versions: `client_transport` on routes and
`tls_settings` on the config, None where the format does not show them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskscan.model import GatewayConfig
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix import ApisixReader
from riskscan.sources.gateways.envoy import EnvoyReader
from riskscan.sources.gateways.kong import KongReader
from riskscan.sources.gateways.nginx import NginxReader
from riskscan.sources.gateways.traefik import TraefikReader
from riskscan.sources.specs.openapi import OpenApiReader

TRANSPORT = Path(__file__).resolve().parents[2] / "fixtures" / "transport"


def read(reader: object, name: str, root: Path = TRANSPORT) -> GatewayConfig:
    context = ReadContext(root=root, allowed_roots=(root,))
    config = reader.read(root / name, context)  # type: ignore[attr-defined]
    assert isinstance(config, GatewayConfig)
    return config


def plain_by_route(config: GatewayConfig) -> dict[str, bool | None]:
    return {route.route_id: None if route.client_transport is None else route.client_transport.is_plain
            for route in config.routes}


def test_kong_serves_each_protocol_a_route_lists_and_http_by_default() -> None:
    config = read(KongReader(), "kong-protocols.yaml")
    assert plain_by_route(config) == {"pets-http-only": True, "pets-https-only": False, "pets-default": True}
    default = next(route for route in config.routes if route.route_id == "pets-default")
    assert default.client_transport and default.client_transport.evidence.note == \
        "protocols http, https (Kong's default)"
    assert config.tls_settings is None  # Kong certificates carry no protocol list


def test_nginx_listens_redirects_and_ssl_protocols() -> None:
    config = read(NginxReader(), "nginx-listeners.conf")
    assert list(plain_by_route(config).values()) == [True, False, False]
    assert config.tls_settings is not None
    assert [(s.protocols, s.allows_legacy, s.evidence.line) for s in config.tls_settings] == [
        (("TLSv1", "TLSv1.1", "TLSv1.2"), True, 19), (("TLSv1.2", "TLSv1.3"), False, 28)]


def test_envoy_chains_without_transport_socket_are_plain_unless_the_host_requires_tls() -> None:
    config = read(EnvoyReader(), "envoy-listeners.yaml")
    assert list(plain_by_route(config).values()) == [True, False, False]
    assert config.tls_settings is not None and [s.protocols for s in config.tls_settings] == [("TLSv1_0",)]


def test_traefik_routers_without_tls_follow_their_entry_points(tmp_path: Path) -> None:
    shutil.copytree(TRANSPORT / "traefik-static", tmp_path / "traefik")
    config = read(TraefikReader(), "traefik/dynamic/routers.yaml", tmp_path)
    assert plain_by_route(config) == {"pets": False, "legacy": True, "admin": False}
    assert config.tls_settings is not None
    assert {s.protocols[0]: s.allows_legacy for s in config.tls_settings} == {"VersionTLS12": False,
                                                                             "VersionTLS10": True}


def test_traefik_without_its_static_configuration_does_not_show_entry_points(tmp_path: Path) -> None:
    shutil.copy(TRANSPORT / "traefik-static" / "dynamic" / "routers.yaml", tmp_path / "routers.yaml")
    config = read(TraefikReader(), "routers.yaml", tmp_path)
    assert plain_by_route(config) == {"pets": False, "legacy": None, "admin": None}


def test_apisix_without_config_yaml_rests_on_the_default_listener_and_certificate_protocols() -> None:
    config = read(ApisixReader(), "apisix-ssl-protocols.yaml")
    assert plain_by_route(config) == {"pets": True}
    [transport] = [route.client_transport for route in config.routes]
    assert transport is not None and transport.is_default
    assert "APISIX's default plain-HTTP listener" in (transport.evidence.note or "")
    assert config.tls_settings is not None
    assert [(s.evidence.pointer, s.allows_legacy) for s in config.tls_settings] == [
        ("/ssls/0/ssl_protocols", True), ("/ssls/1/ssl_protocols", False)]


@pytest.mark.parametrize(
    ("name", "schemes", "plain_pointer"),
    [
        ("openapi-plain-server.yaml", ("http", "https"), "/servers/0"),
        ("swagger-http-scheme.yaml", ("http", "https"), "/schemes"),
        ("openapi-relative-server.yaml", (), None),
    ],
)
def test_spec_servers_keep_their_schemes_and_where_a_plain_one_is(
    name: str, schemes: tuple[str, ...], plain_pointer: str | None
) -> None:
    spec = OpenApiReader().read(TRANSPORT / name, ReadContext(root=TRANSPORT))
    first = spec.operations[0]
    assert first.server_schemes == schemes
    assert (first.plain_server.pointer if first.plain_server else None) == plain_pointer


def test_an_operation_with_its_own_https_server_is_not_plain() -> None:
    spec = OpenApiReader().read(TRANSPORT / "openapi-plain-server.yaml", ReadContext(root=TRANSPORT))
    quotes = next(op for op in spec.operations if op.operation_id == "createQuote")
    assert (quotes.server_schemes, quotes.plain_server, quotes.host) == (("https",), None,
                                                                        "quotes.tidewater-pets.example")
