"""Traefik under Docker Compose: routers read from container labels like file routers, and credentials
in labels and in the Traefik container's environment and command recorded by place only."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.traefik import TraefikReader

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "traefik" / "compose"
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def config() -> GatewayConfig:
    return TraefikReader().read(COMPOSE, ReadContext(root=ROOT, allowed_roots=(ROOT,)))


@pytest.fixture(scope="module")
def routes(config: GatewayConfig) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in config.routes}


def test_a_compose_file_with_traefik_labels_is_read_as_traefik() -> None:
    assert detect_kind(COMPOSE, read_head(COMPOSE)) is SourceKind.TRAEFIK


def test_label_routers_are_routes_with_their_middlewares_tls_and_service(routes: dict[str, GatewayRoute]) -> None:
    assert sorted(routes) == ["claims", "reports"]  # `hidden` is traefik.enable=false
    claims = routes["claims"]
    assert (claims.uris, claims.hosts, claims.name) == (("/v1/claims*",), ("portal.harbor.example",),
                                                        "claims (entryPoints websecure)")
    assert [a.kind for a in claims.auth] == [AuthKind.BASIC]
    assert [(limit.plugin, limit.limit, limit.evidence.line) for limit in claims.rate_limits] == [
        ("rateLimit", 20, 28)]
    assert (claims.evidence.pointer, claims.evidence.line) == ("/services/claims/labels/1", 23)
    assert claims.client_transport is not None and not claims.client_transport.is_plain  # tls=true
    upstream = claims.upstream_detail  # its container's one labelled service, one node per replica
    assert upstream is not None and (upstream.hosts, upstream.nodes) == (("claims",), 2)
    reports = routes["reports"]  # labels as a mapping; the service Traefik makes for the container
    assert reports.upstream == "reports@docker" and [p.name for p in reports.plugins] == ["headers"]


def test_the_traefik_containers_command_is_its_static_configuration(routes: dict[str, GatewayRoute]) -> None:
    reports = routes["reports"]  # on `web`, which --entrypoints options leave plain, and no --accesslog
    assert reports.client_transport is not None and reports.client_transport.is_plain
    assert reports.loggers == () and "logging" not in reports.not_shown


def test_what_labels_cannot_show_is_warned_about(config: GatewayConfig) -> None:
    assert "router norule has no rule label (the provider's defaultRule applies): left out" in config.warnings
    assert "TCP routers are not assessed (not HTTP)" in config.warnings


def test_credentials_are_listed_by_place_and_references_are_not(config: GatewayConfig) -> None:
    places = [(item.line, item.pointer, item.note) for item in config.clear_secrets or ()]
    assert places == [
        (10, "/services/traefik/command/3", "certificatesresolvers.le.acme.eab.hmacencoded given in clear in"
         " the Traefik container's command (not a ${VAR} reference)"),
        (12, "/services/traefik/environment/CF_DNS_API_TOKEN", "CF_DNS_API_TOKEN given in clear in the"
         " Traefik container's environment (not a ${VAR} reference)"),
        (27, "/services/claims/labels/5", "basicAuth.users listed inline in a Compose label (not a ${VAR}"
         " reference)"),
        (36, "/services/reports/labels/traefik.http.middlewares.upstream-key.headers.customrequestheaders."
         "X-Api-Key", "x-api-key header written in clear in a Compose label (not a ${VAR} reference)"),
        (37, "/services/reports/labels/traefik.http.middlewares.sso.forwardauth.address",
         "password in a URL in a Compose label (not a ${VAR} reference)"),
    ]  # not: ${AWS_SECRET_ACCESS_KEY}, DO_AUTH_TOKEN_FILE, ${OPS_USERS}, CF_API_EMAIL, postgres's own
    assert "PLANTED" not in config.model_dump_json()


def test_with_exposed_by_default_off_only_enabled_containers_are_routed(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(
        "services:\n  proxy:\n    image: docker.io/library/traefik:v3.2\n"
        "    environment: [TRAEFIK_PROVIDERS_DOCKER_EXPOSEDBYDEFAULT=false]\n"
        "  on:\n    image: a\n    labels: [traefik.enable=true, 'traefik.http.routers.on.rule=Path(`/on`)']\n"
        "  off:\n    image: b\n    labels: ['traefik.http.routers.off.rule=Path(`/off`)']\n", encoding="utf-8")
    config = TraefikReader().read(path, ReadContext(root=tmp_path))
    assert [route.route_id for route in config.routes] == ["on"]


@pytest.mark.parametrize("text", [
    "services:\n  app:\n    labels: [7, {a: b}, 'traefik.http.routers.x.rule']\n    deploy: []\n",
    "services:\n  app: 'traefik.enable=true'\n",
    "services:\n  app:\n    labels:\n      traefik.http.routers.x.rule: PathPrefix(`/x`)\n"
    "      traefik.http.routers.x.middlewares: ''\n      traefik.http.routers.x.priority: '99999999999999999999'\n",
])
def test_hostile_compose_files_cost_their_entries_not_the_scan(tmp_path: Path, text: str) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_text(text, encoding="utf-8")
    config = TraefikReader().read(path, ReadContext(root=tmp_path))
    assert all(route.uris for route in config.routes)
