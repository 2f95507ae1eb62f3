"""Envoy v3 reader: routes, the filters in force on each, mTLS, upstreams, warnings and secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, RouteAspect, SourceKind
from riskscan.sources import READERS, ReadContext, detect_kind, read_head
from riskscan.sources.gateways.envoy import EnvoyReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "envoy"
PLANTED = [
    "PLANTED-ENVOY-KEY-7f3a", "PLANTED-HTPASSWD-9c1", "PLANTED-HEADER-TOKEN-55", "PLANTED-CLUSTER-PASS"
]


def _read(path: Path) -> GatewayConfig:
    return EnvoyReader().read(path, ReadContext(root=path.parent))


def _routes(name: str) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in _read(FIXTURES / name).routes}


@pytest.fixture(scope="module")
def gateway() -> dict[str, GatewayRoute]:
    return _routes("api-gateway.yaml")


def test_envoy_files_are_recognised_by_content_and_registered() -> None:
    assert READERS[SourceKind.ENVOY].kind is SourceKind.ENVOY
    for name in ("api-gateway.yaml", "xds-resources.yaml", "rds-from-control-plane.json",
                 "dynamic-only-bootstrap.yaml"):
        path = FIXTURES / name
        assert detect_kind(path, read_head(path)) is SourceKind.ENVOY, name


def test_match_types_become_route_uris_methods_hosts_and_conditions(gateway: dict[str, GatewayRoute]) -> None:
    claims = gateway["public_https harbor_api claims"]
    assert (claims.uris, claims.hosts) == (("/v2/claims/*",), ("api.harbor.example",))
    status = gateway["public_https harbor_api status"]
    assert (status.uris, status.methods) == (("/v2/status",), ("GET",))
    assert gateway["public_https harbor_api policy"].uris == ("/v2/policies/:p1",)
    assert gateway["public_https harbor_api quotes"].uris == ("/v2/quotes", "/v2/quotes/*")
    reports = gateway["public_https harbor_api canary-reports"]
    assert reports.uris == ("/v2/reports*",)
    assert reports.conditions == ("header x-env == canary", "header x-api-key == (value not shown)")


def test_regex_paths_and_edge_answers_are_left_out_with_a_warning() -> None:
    config = _read(FIXTURES / "api-gateway.yaml")
    ids = {route.route_id for route in config.routes}
    assert "public_https harbor_api search" not in ids and "public_https harbor_api http-to-docs" not in ids
    assert any("regex path '^/v2/(search|find)/.*$' not evaluated" in warning for warning in config.warnings)
    assert any("http-to-docs answers at the edge" in warning for warning in config.warnings)


def test_jwt_rules_and_per_route_overrides_decide_auth(gateway: dict[str, GatewayRoute]) -> None:
    claims = gateway["public_https harbor_api claims"]
    assert [(a.kind, a.scheme, a.location) for a in claims.auth] == [
        (AuthKind.BEARER, "jwt_authn", "header:Authorization")
    ]
    assert gateway["public_https harbor_api policy"].auth[0].kind is AuthKind.BEARER  # regex under /v2/
    status = gateway["public_https harbor_api status"]
    assert status.auth == ()  # jwt_authn disabled on the route
    assert [(p.name, p.attached_to, p.evidence.note) for p in status.plugins][0] == (
        "jwt_authn", "route", "disabled on this route"
    )
    admin = gateway["public_https harbor_api admin"]  # no jwt rule; ext_authz disabled by default, on here
    assert [(a.kind, a.scheme) for a in admin.auth] == [(AuthKind.BEARER, "ext_authz")]
    assert gateway["public_https harbor_api claims"].plugins[0].evidence.line is not None


def test_an_optional_token_on_part_of_a_route_credits_no_auth() -> None:
    routes = _routes("jwt-any-of-allow-missing.yaml")
    assert routes["shop shop #0"].auth == ()  # /v1/catalog under /v1/ lets a missing token through
    assert [(a.kind, a.location) for a in routes["shop shop #1"].auth] == [
        (AuthKind.BEARER, "header:x-shop-token")
    ]
    assert routes["shop shop #2"].auth[0].scheme == "jwt_authn"  # per-route requirement_name
    # access log to /dev/null is no log; filter_enforced left at its 0% default enforces nothing
    assert all(route.loggers == () and route.rate_limits == () for route in routes.values())


def test_rate_limits_loggers_monitors_and_upstreams(gateway: dict[str, GatewayRoute]) -> None:
    claims = gateway["public_https harbor_api claims"]
    assert [(r.plugin, r.key, r.limit) for r in claims.rate_limits] == [
        ("ratelimit", "remote_address, header x-partner-id", None)
    ]  # the global service's limits are not in the file; the filter-wide token bucket is not enabled
    quotes = gateway["public_https harbor_api quotes"]
    assert [(r.plugin, r.key, r.limit, r.window_seconds) for r in quotes.rate_limits] == [
        ("local_ratelimit", "envoy instance", 10.0, 60.0)
    ]
    assert (claims.loggers, claims.monitors) == (("access_log:file",), ("tracing",))
    assert claims.upstream == "claims (claims.internal:8080, claims-b.internal:8080)"
    assert quotes.upstream == "quotes (quotes.internal:8080); quotes-canary"


def test_a_chain_requiring_client_certificates_adds_mtls(gateway: dict[str, GatewayRoute]) -> None:
    settlements = gateway["partners_mtls partners #0"]
    assert [a.kind for a in settlements.auth] == [AuthKind.BASIC, AuthKind.MTLS]
    assert settlements.loggers == ("access_log:stream",)
    assert all(AuthKind.MTLS not in [a.kind for a in r.auth] for k, r in gateway.items() if "public" in k)


def test_corpus_local_ratelimit_token_bucket(corpus_dir: Path) -> None:
    config = _read(corpus_dir / "gateway" / "envoy" / "local_ratelimit-envoy.yaml")
    assert [route.uris for route in config.routes] == [("/stats/prometheus*",), ("/*",)]
    for route in config.routes:
        assert [(r.plugin, r.limit, r.window_seconds, r.rejected_code) for r in route.rate_limits] == [
            ("local_ratelimit", 2.0, 5.0, 429)
        ]
        assert route.evidence.line is not None and route.auth == ()


def test_corpus_oauth2_with_a_path_pass_through_credits_no_auth(corpus_dir: Path) -> None:
    config = _read(corpus_dir / "gateway" / "envoy" / "single-page-app-envoy.yml")
    assert {uri for route in config.routes for uri in route.uris} == {"/hub/*", "/*", "/other/*"}
    assert all(route.auth == () for route in config.routes)
    notes = {p.evidence.note for route in config.routes for p in route.plugins if p.name == "oauth2"}
    assert notes and all(note and "pass_through_matcher" in note for note in notes)
    assert any("control plane" in warning for warning in config.warnings)


def test_corpus_front_proxy_keeps_its_inline_private_key_out(corpus_dir: Path) -> None:
    path = corpus_dir / "gateway" / "envoy" / "front-proxy-envoy.yaml"
    config = _read(path)
    assert [route.uris for route in config.routes] == [("/service/1*",), ("/service/2*",)] * 2
    assert config.routes[0].upstream == "service1-envoy (service-envoy-1:8000)"
    assert any("inline secret" in warning for warning in config.warnings)
    assert any("admin interface listens on every address (port 8001)" in w for w in config.warnings)
    key_lines = re.findall(r"^\s+([A-Za-z0-9+/=]{40,})$", path.read_text(), re.MULTILINE)
    text = config.model_dump_json()
    assert key_lines and not any(line in text for line in key_lines)
    assert "PRIVATE KEY" not in text


def test_rds_routes_are_joined_from_the_same_file_or_said_not_shown() -> None:
    config = _read(FIXTURES / "xds-resources.yaml")
    routes = {route.route_id: route for route in config.routes}
    orders = routes["edge orders #0"]
    assert (orders.uris, [a.scheme for a in orders.auth]) == (("/orders*",), ["ext_authz"])
    assert orders.plugins[0].evidence.note == (
        "failure_mode_allow: requests pass when the authorization service fails"
    )
    assert routes["edge orders #1"].auth == ()  # ExtAuthzPerRoute disabled
    assert routes["canary canary #0"].auth == ()  # ext_authz checks only 10% of requests
    jobs = routes["internal_routes internal #0"]
    assert jobs.not_shown == (RouteAspect.AUTH, RouteAspect.RATE_LIMIT, RouteAspect.LOGGING)
    remote = _read(FIXTURES / "rds-from-control-plane.json")
    assert remote.routes == ()
    assert any("takes its routes from RDS (route configuration ingress_routes)" in w for w in remote.warnings)
    assert _read(FIXTURES / "dynamic-only-bootstrap.yaml").warnings == (
        "no static_resources: listeners and routes come from a control plane (not shown)",
    )


def test_entries_of_the_wrong_type_cost_only_themselves() -> None:
    config = _read(FIXTURES / "hostile-wrong-types.yaml")
    route, numbers = config.routes
    assert (route.uris, route.upstream) == (("/ok/*",), "api (api.internal:80)")
    assert (numbers.uris, numbers.upstream) == (("/numbers/*",), None)  # clusters and actions not lists
    assert [(r.limit, r.window_seconds) for r in route.rate_limits] == [(None, None)]  # unreadable numbers
    for expected in ("regex path '^/(a+)+$' not evaluated", "regex path '^/(?=admin)' not evaluated",
                     "its `match` is not a mapping", "prefix 'relative' does not start with '/'",
                     "listener at /static_resources/listeners/0 is not a mapping", "has no route action"):
        assert any(expected in warning for warning in config.warnings), expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken-truncated.yaml", "broken-truncated.yaml:8: malformed YAML"),
        (
            "broken-listeners-not-a-list.yaml",
            "broken-listeners-not-a-list.yaml:2: `static_resources.listeners` is not a list",
        ),
        ("broken-top-level-list.json", "broken-top-level-list.json:1: the top level is not a mapping"),
    ],
)
def test_broken_files_fail_with_one_line_naming_file_and_line(name: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        _read(FIXTURES / name)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)


@pytest.mark.parametrize("name", ["api-gateway.yaml", "hostile-wrong-types.yaml"])
def test_no_planted_secret_reaches_the_model(name: str) -> None:
    text = _read(FIXTURES / name).model_dump_json()
    for secret in PLANTED:
        assert secret not in text
