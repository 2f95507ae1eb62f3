"""The Traefik reader: routers and middlewares read as Traefik's dynamic configuration documents them,
in YAML and TOML; broken entries cost only themselves; no credential or hash kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, RouteAspect, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.traefik import TraefikError, TraefikReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "traefik"
DYNAMIC = FIXTURES / "estate" / "traefik" / "dynamic.yaml"
PLANTED = [
    "PLANTED-KEY-123", "PLANTED-PASSWORD-321", "PLANTED-REDIS-PASS", "PLANTED-NODE-PASS", "PLANTEDHASH",
    "PLANTED-DIGEST-HASH", "PLANTED-USERS-FILE", "PLANTED-HASH-TWO", "svc-user", "$apr1$",
]
READER = TraefikReader()
ROUTES = "http:\n  routers:\n    a:\n      rule: Path(`/a`)\n      service: s\n"


def read(path: Path) -> GatewayConfig:
    """Read with only the file's own folder given (no static configuration beside it)."""
    return READER.read(path, ReadContext(root=FIXTURES, allowed_roots=(path.parent,)))


@pytest.fixture(scope="module")
def gateway() -> GatewayConfig:
    return read(DYNAMIC)


@pytest.fixture(scope="module")
def routes(gateway: GatewayConfig) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in gateway.routes}


def test_routers_become_routes_with_hosts_uris_and_methods(routes: dict[str, GatewayRoute]) -> None:
    assert {rid: (r.uris, r.hosts, r.methods) for rid, r in routes.items()} == {
        "claims": (("/v2/claims*",), ("api.harbor.example",), ()),
        "quotes": (("/v2/quotes/:p1",), ("api.harbor.example",), ("GET", "HEAD")),
        "policies": (("/v2/policies/:p1",), ("api.harbor.example",), ()),
        "settlements": (("/settlements/*",), ("b2b.harbor.example",), ()),
        "legacy": (("/v1/claims*", "/v1/health"), (), ()),
        "internal": (("/internal*",), (), ()),
        "dashboard": (("/*",), ("traefik.harbor.example",), ()),
    }
    assert routes["claims"].conditions == () and routes["claims"].name == "claims (entryPoints websecure)"
    assert routes["internal"].conditions == ("header X-Api-Key == <value>",)


def test_rules_that_cannot_be_expressed_are_left_out_with_a_warning(gateway: GatewayConfig) -> None:
    assert "router beta: negation (!) is not evaluated: left out" in gateway.warnings
    reports = "router reports: regex path is not evaluated (not a simple anchored path): left out"
    assert reports in gateway.warnings
    assert "TCP routers are not assessed (not HTTP)" in gateway.warnings


def test_middlewares_resolve_into_auth_limits_and_plugins(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["claims"]
    assert [(a.kind, a.scheme) for a in claims.auth] == [
        (AuthKind.BEARER, "forwardAuth (external authentication)")
    ]
    [limit] = claims.rate_limits
    assert (limit.plugin, limit.key, limit.limit, limit.window_seconds) == (
        "rateLimit", "http_x_partner_id", 600, 60
    )
    assert limit.evidence.pointer == "/http/middlewares/partner-limit" and limit.evidence.line == 57
    assert [a.kind for a in routes["quotes"].auth] == [AuthKind.BASIC]
    assert [a.kind for a in routes["settlements"].auth] == [AuthKind.MTLS]
    assert routes["legacy"].auth == () and routes["legacy"].rate_limits == ()


def test_a_chain_is_resolved_in_order_and_named_as_the_attachment(routes: dict[str, GatewayRoute]) -> None:
    policies = routes["policies"]
    assert [(p.name, p.attached_to) for p in policies.plugins] == [
        ("ipAllowList", "chain edge"), ("rateLimit", "chain edge"), ("cors", "chain edge"),
    ]
    [limit] = policies.rate_limits
    assert (limit.key, limit.limit, limit.window_seconds) == ("remote_addr", 10, 1)  # period defaults to 1s


def test_logging_is_not_shown_by_a_dynamic_file_unless_a_router_turns_it_off(
    routes: dict[str, GatewayRoute],
) -> None:
    assert routes["claims"].not_shown == (RouteAspect.LOGGING,)
    assert routes["legacy"].not_shown == ()  # observability.accessLogs: false: known unlogged
    assert routes["legacy"].loggers == ()


def test_another_providers_middleware_makes_auth_and_limits_not_shown(
    routes: dict[str, GatewayRoute], gateway: GatewayConfig,
) -> None:
    assert routes["internal"].not_shown == (RouteAspect.AUTH, RouteAspect.RATE_LIMIT, RouteAspect.LOGGING)
    message = ("middleware sso@docker is defined in another provider, not among the files given: what it "
               "enforces is not shown")
    assert message in gateway.warnings


def test_upstreams_are_hosts_only_and_weighted_services_are_followed(routes: dict[str, GatewayRoute]) -> None:
    assert routes["claims"].upstream == "claims-1.harbor.internal:8080, claims-2.harbor.internal:8080"
    assert routes["policies"].upstream == "policies-blue.harbor.internal, policies-green.harbor.internal"
    assert routes["dashboard"].upstream == "api@internal"


def test_evidence_names_file_line_and_router(routes: dict[str, GatewayRoute]) -> None:
    evidence = routes["claims"].evidence
    assert (evidence.path, evidence.line, evidence.pointer) == (
        "estate/traefik/dynamic.yaml", 4, "/http/routers/claims"
    )
    assert evidence.excerpt is not None and evidence.excerpt.startswith("rule: Host(`api.harbor.example`)")


def test_basic_auth_users_are_counted_never_kept(gateway: GatewayConfig) -> None:
    assert gateway.consumer_count == 2


def test_toml_is_read_like_yaml_with_lines() -> None:
    config = read(FIXTURES / "dynamic.toml")
    routes = {route.route_id: route for route in config.routes}
    orders = routes["orders"]
    assert orders.evidence.line == 2 and orders.uris == ("/api/orders*",)
    assert [a.scheme for a in orders.auth] == ["digestAuth"]
    [limit] = orders.rate_limits
    assert (limit.plugin, limit.key, limit.limit, limit.window_seconds) == ("inFlightReq", "host", 25, None)
    assert limit.evidence.line == 15
    assert routes["catalog"].uris == ("/api/items", "/api/items/:p1")
    assert routes["catalog"].methods == ("GET",)
    assert orders.upstream == "orders.shop.internal:3000" and config.consumer_count == 1


def test_hostile_entries_cost_only_themselves() -> None:
    config = read(FIXTURES / "hostile.yaml")
    assert [route.route_id for route in config.routes] == ["fine"]
    [limit] = config.routes[0].rate_limits
    assert (limit.limit, limit.window_seconds) == (None, None)  # 1e400 and "forever" are not numbers
    for expected in [
        "router looped: middleware chain cycle through loop-a: left out",
        "router deep: rule nested more than 40 levels deep: left out",
        "router redos: regex path is not evaluated (not a simple anchored path): left out",
        "router norule has no rule: left out",
        "router notamapping is not a mapping: skipped",
        "router huge: middleware two-types must declare exactly one type: left out",
    ]:
        assert expected in config.warnings


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.yaml", "broken/truncated.yaml:"),
        ("invalid.toml", "broken/invalid.toml:3: not valid TOML"),
        ("wrong-types.yaml", "broken/wrong-types.yaml: no http routers"),
    ],
)
def test_a_broken_file_fails_with_one_line_naming_it(name: str, message: str) -> None:
    if name == "wrong-types.yaml":  # routers as a list: read, with no routes and no failure
        config = read(FIXTURES / "broken" / name)
        assert config.routes == ()
        return
    with pytest.raises(TraefikError) as caught:
        read(FIXTURES / "broken" / name)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_a_file_with_nothing_traefik_in_it_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("tls:\n  options: {}\n")
    with pytest.raises(SourceError, match="no http routers"):
        READER.read(tmp_path / "x.yaml", ReadContext(root=tmp_path))


@pytest.mark.parametrize("path", [DYNAMIC, FIXTURES / "dynamic.toml", FIXTURES / "hostile.yaml"])
def test_dynamic_configurations_are_detected_as_traefik(path: Path) -> None:
    assert detect_kind(path, read_head(path)) is SourceKind.TRAEFIK


def test_a_static_configuration_is_not_taken_for_a_dynamic_one(tmp_path: Path) -> None:
    static = tmp_path / "traefik.yml"
    static.write_text("entryPoints:\n  web:\n    address: ':80'\naccessLog: {}\nproviders:\n  file:\n"
                      "    directory: /etc/traefik/dynamic\n")
    assert detect_kind(static, read_head(static)) is None


def test_no_planted_secret_reaches_any_output() -> None:
    files = (DYNAMIC, FIXTURES / "dynamic.toml", FIXTURES / "hostile.yaml")
    dumped = [read(path).model_dump_json() for path in files]
    for secret in PLANTED:
        assert not any(secret in text for text in dumped), secret


def test_the_reference_dynamic_file_reads_without_leaking_its_hashes(corpus_dir: Path) -> None:
    path = corpus_dir / "gateway" / "traefik" / "dynamic-configuration-file.yaml"
    if not path.exists():
        pytest.skip(f"{path.name} is not in the shared corpus")
    assert detect_kind(path, read_head(path)) is SourceKind.TRAEFIK
    config = READER.read(path, ReadContext(root=corpus_dir))
    assert config.routes == ()  # its rules are the placeholder `foobar`: no route is guessed
    assert "router Router0: a matcher name is not followed by '(': left out" in config.warnings
    assert config.consumer_count == 4  # basicAuth and digestAuth users, counted
    assert {"TCP routers are not assessed (not HTTP)", "UDP routers are not assessed (not HTTP)"} <= set(
        config.warnings
    )
    assert "foobar" not in json.dumps([w for w in config.warnings if "users" in w])


def test_a_static_configuration_beside_the_dynamic_one_shows_access_logs_and_metrics() -> None:
    folder = FIXTURES / "with-static"
    context = ReadContext(root=folder, allowed_roots=(folder,))
    config = READER.read(folder / "dynamic" / "routes.yaml", context)
    routes = {route.route_id: route for route in config.routes}
    orders = routes["orders"]
    assert (orders.loggers, orders.monitors, orders.not_shown) == (("accessLog",), ("metrics",), ())
    assert [(p.name, p.attached_to, p.evidence.path) for p in orders.plugins] == [
        ("accessLog", "static configuration", "traefik.yml"),
        ("metrics", "static configuration", "traefik.yml"),
    ]
    assert (routes["ops"].loggers, routes["ops"].not_shown) == ((), ())  # its entry point opts out
    assert (routes["quiet"].loggers, routes["quiet"].monitors) == ((), ())


def test_a_static_configuration_without_access_logs_shows_none(tmp_path: Path) -> None:
    (tmp_path / "traefik.toml").write_text('[entryPoints.web]\n  address = ":80"\n')
    (tmp_path / "routes.yaml").write_text(ROUTES)
    [route] = READER.read(tmp_path / "routes.yaml", ReadContext(root=tmp_path)).routes
    assert (route.loggers, route.not_shown) == ((), ())


def test_several_static_configurations_leave_logging_not_shown(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "traefik.yml").write_text("entryPoints: {}\naccessLog: {}\n")
    (tmp_path / "routes.yaml").write_text(ROUTES)
    config = READER.read(tmp_path / "routes.yaml", ReadContext(root=tmp_path))
    assert config.routes[0].not_shown == (RouteAspect.LOGGING,)
    assert config.warnings[0] == ("several Traefik static configurations (a/traefik.yml, b/traefik.yml): access "
                                  "logging is not shown")


def test_a_loop_of_links_in_the_provider_directory_is_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "split"
    shutil.copytree(FIXTURES / "split-directory", folder)
    (folder / "loop.yaml").symlink_to("loop.yaml")
    config = READER.read(folder / "routers.yaml", ReadContext(root=folder, allowed_roots=(folder,)))
    [payments] = config.routes
    [limit] = payments.rate_limits
    assert (limit.evidence.path, limit.evidence.line) == ("middlewares.yaml", 6)


def test_names_defined_in_other_files_of_the_provider_directory_are_resolved() -> None:
    folder = FIXTURES / "split-directory"
    config = READER.read(folder / "routers.yaml", ReadContext(root=folder, allowed_roots=(folder,)))
    [payments] = config.routes
    assert [a.kind for a in payments.auth] == [AuthKind.BEARER, AuthKind.MTLS]
    [limit] = payments.rate_limits
    assert (limit.limit, limit.window_seconds, limit.evidence.path, limit.evidence.line) == (
        5, 1, "middlewares.yaml", 6
    )
    assert payments.upstream == "payments.pay.internal:8443"
    assert payments.not_shown == (RouteAspect.LOGGING,)
    assert config.referenced_files == ()  # the other files keep being read on their own
    assert not config.warnings


def test_a_router_whose_service_is_a_list_costs_only_itself(tmp_path: Path) -> None:
    # `service: [pets]` made the file fail as "unexpected TypeError, a riskscan bug".
    (tmp_path / "routers.yaml").write_text(
        "http:\n  routers:\n"
        "    pets:\n      rule: PathPrefix(`/v2/pets`)\n      service: pets\n"
        "    legacy:\n      rule: PathPrefix(`/v1/pets`)\n      service: [pets]\n"
        "  services:\n    pets:\n      loadBalancer:\n        servers: [{url: 'http://pets.internal:8080'}]\n")
    config = READER.read(tmp_path / "routers.yaml", ReadContext(root=tmp_path))
    assert "pets" in [route.route_id for route in config.routes]
