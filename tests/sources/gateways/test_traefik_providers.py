"""Traefik middlewares named from other providers (`name@kubernetescrd`, `name@docker`): resolved when
the scan's files define them, with their own file and line as evidence; not shown when they do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, RouteAspect
from riskscan.sources import ReadContext
from riskscan.sources.gateways.traefik import TraefikReader

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "traefik" / "other-providers"
ROUTERS = ROOT / "dynamic" / "routers.yaml"


def _read(root: Path) -> GatewayConfig:
    return TraefikReader().read(ROUTERS, ReadContext(root=root))


@pytest.fixture(scope="module")
def config() -> GatewayConfig:
    return _read(ROOT)


@pytest.fixture(scope="module")
def routes(config: GatewayConfig) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in config.routes}


def test_a_kubernetes_middleware_resource_is_resolved_with_its_own_evidence(
    routes: dict[str, GatewayRoute],
) -> None:
    claims = routes["claims"]
    assert [(a.kind, a.scheme) for a in claims.auth] == [
        (AuthKind.BEARER, "forwardAuth (external authentication)")
    ]
    forward = next(p for p in claims.plugins if p.name == "forwardAuth")
    assert (forward.evidence.path, forward.evidence.line) == ("k8s/middlewares.yaml", 7)
    assert RouteAspect.AUTH not in claims.not_shown and RouteAspect.RATE_LIMIT not in claims.not_shown


def test_docker_labels_are_read_as_traefik_reads_them(routes: dict[str, GatewayRoute]) -> None:
    limit = routes["claims"].rate_limits[0]  # ratelimit.average/burst/period, case-insensitive names
    shown = (limit.plugin, limit.key, limit.limit, limit.window_seconds)
    assert shown == ("rateLimit", "http_x_partner_id", 50, 60)
    assert (limit.evidence.path, limit.evidence.line) == ("compose/docker-compose.yml", 7)
    legacy = routes["legacy"]  # deploy.labels written as a mapping
    assert [a.kind for a in legacy.auth] == [AuthKind.BASIC]


def test_a_resource_chain_resolves_its_members_in_their_namespace(routes: dict[str, GatewayRoute]) -> None:
    reports = routes["reports"]
    assert [(p.name, p.attached_to) for p in reports.plugins] == [
        ("ipAllowList", "chain harbor-ops-chain@kubernetescrd"),
        ("basicAuth", "chain harbor-ops-chain@kubernetescrd"),
    ]
    assert [a.kind for a in reports.auth] == [AuthKind.BASIC]


def test_middlewares_of_providers_not_among_the_files_stay_not_shown(
    config: GatewayConfig, routes: dict[str, GatewayRoute]
) -> None:
    for name in ("exports", "uploads"):
        assert routes[name].auth == ()
        assert {RouteAspect.AUTH, RouteAspect.RATE_LIMIT} <= set(routes[name].not_shown)
    assert any("harbor-missing@kubernetescrd is defined in another provider" in w for w in config.warnings)


def test_without_the_other_providers_files_everything_they_define_is_not_shown() -> None:
    alone = {route.route_id: route for route in _read(ROUTERS.parent).routes}  # only dynamic/ given
    assert alone["claims"].auth == () and RouteAspect.AUTH in alone["claims"].not_shown
    assert alone["legacy"].auth == () and RouteAspect.AUTH in alone["legacy"].not_shown


def test_user_hashes_in_labels_and_secrets_reach_no_output(config: GatewayConfig) -> None:
    dumped = config.model_dump_json()
    assert "PLANTED-DOCKER-HASH" not in dumped and "PLANTED-CRD-HASH" not in dumped
