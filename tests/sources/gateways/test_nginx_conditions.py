"""nginx `if` blocks in a location: read as route conditions with a warning, never as enforced; the
directives nginx refuses inside `if` are named; compared credentials are never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import GatewayConfig, GatewayRoute
from riskscan.sources import ReadContext
from riskscan.sources.gateways.nginx import NginxReader

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "nginx" / "conditional-if-blocks.conf"
SERVER = "api.harbor.example:443"


@pytest.fixture(scope="module")
def config() -> GatewayConfig:
    return NginxReader().read(FIXTURE, ReadContext(root=FIXTURE.parent))


@pytest.fixture(scope="module")
def routes(config: GatewayConfig) -> dict[str, GatewayRoute]:
    return {route.route_id.removeprefix(f"{SERVER} "): route for route in config.routes}


def test_a_limit_inside_if_is_a_condition_never_an_enforced_limit(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["/v2/claims/"]
    assert claims.rate_limits == () and "limit_req" not in {p.name for p in claims.plugins}
    assert claims.conditions == ("if ($request_method = POST): limit_req",)
    assert [p.plugin for p in routes["/v2/reports/"].rate_limits] == ["limit_req"]  # outside `if`: enforced


def test_a_conditional_return_403_restricts_nothing_for_the_whole_location(
    routes: dict[str, GatewayRoute],
) -> None:
    admin = routes["/admin/"]
    assert admin.is_enabled and admin.auth == ()
    assert admin.conditions[0].startswith("if ($remote_addr !~ ")
    assert admin.conditions[0].endswith("return 403")


def test_directives_nginx_refuses_inside_if_are_warned_about_with_file_and_line(
    config: GatewayConfig,
) -> None:
    refused = [w for w in config.warnings if "not allowed by nginx" in w]
    assert [w.split(":")[1] for w in refused] == ["13", "36"]
    assert "limit_req inside `if`" in refused[0] and "auth_basic inside `if`" in refused[1]
    applied = [w for w in config.warnings if "to some requests only" in w]
    assert any("/admin/" in w and "applies return 403" in w for w in applied)
    assert any("/v2/uploads/" in w and "applies limit_rate, add_header to" in w for w in applied)  # once each


def test_a_backend_named_only_inside_if_is_a_conditional_route(routes: dict[str, GatewayRoute]) -> None:
    canary = routes["/v2/canary/"]
    assert canary.conditions == ("if ($http_x_canary = 1): proxy_pass",)
    assert canary.upstream == "canary.internal:8080"


def test_a_compared_credential_is_never_shown(config: GatewayConfig, routes: dict[str, GatewayRoute]) -> None:
    assert routes["/v2/partners/"].conditions == ("if ($http_x_api_key != (value not shown)): auth_basic",)
    assert routes["/v2/partners/"].auth == ()
    assert "PLANTED-IF-KEY-88" not in config.model_dump_json()
