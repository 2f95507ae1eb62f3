"""Every APISIX plugin family the issue lists, one route each: what it adds to the route (auth, limits,
loggers, monitors, not shown) or, for plugins that protect without authenticating, that it is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import AuthKind, GatewayRoute, RouteAspect
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix import ApisixReader

READER = ApisixReader()


def route_with(tmp_path: Path, plugins: str, extra: str = "") -> GatewayRoute:
    config = tmp_path / "apisix.yaml"
    config.write_text(f"routes:\n  - id: r\n    uri: /x\n    plugins:\n{plugins}\n{extra}#END\n")
    [route] = [r for r in READER.read(config, ReadContext(root=tmp_path)).routes if r.route_id == "r"]
    return route


@pytest.mark.parametrize(
    ("plugin", "kind", "location"),
    [
        ("openid-connect: {discovery: 'https://idp.example/.well-known', required_scopes: [claims]}",
         AuthKind.OIDC, None),
        # the redaction gate hides whatever follows `cookie:` in free text, a cookie name included
        ("jwt-auth: {header: x-jwt, query: token}", AuthKind.BEARER,
         "header:x-jwt, query:token, cookie:[REDACTED]"),
        ("key-auth: {header: x-partner-key}", AuthKind.API_KEY, "header:x-partner-key, query:apikey"),
        ("basic-auth: {}", AuthKind.BASIC, "header:Authorization"),
        ("hmac-auth: {}", AuthKind.API_KEY, "header:Authorization (HMAC signature)"),
        ("authz-keycloak: {token_endpoint: 'https://kc.example/token'}", AuthKind.OAUTH2, None),
        ("authz-casdoor: {endpoint_addr: 'https://casdoor.example', callback_url: 'https://a/cb'}",
         AuthKind.OAUTH2, None),
        ("forward-auth: {uri: 'http://auth.svc/verify'}", AuthKind.BEARER, None),
        ("wolf-rbac: {server: 'http://wolf.svc:12180', appid: claims}", AuthKind.BEARER, None),
        ("ldap-auth: {base_dn: 'ou=users,dc=example,dc=org', ldap_uri: 'ldap.example:389'}",
         AuthKind.BASIC, "header:Authorization"),
        ("multi-auth: {auth_plugins: [{basic-auth: {}}, {openid-connect: {discovery: 'https://i/x'}}]}",
         AuthKind.BASIC, "header:Authorization"),
    ],
)
def test_auth_families(tmp_path: Path, plugin: str, kind: AuthKind, location: str | None) -> None:
    [requirement] = route_with(tmp_path, f"      {plugin}").auth
    assert (requirement.kind, requirement.location) == (kind, location)
    if plugin.startswith("openid-connect"):
        assert requirement.scopes == ("claims",)


def test_opa_alone_leaves_auth_not_shown_and_beside_auth_changes_nothing(tmp_path: Path) -> None:
    alone = route_with(tmp_path, "      opa: {host: 'http://opa:8181', policy: claims/allow}")
    assert alone.auth == () and alone.not_shown == (RouteAspect.AUTH,)
    beside = route_with(tmp_path, "      opa: {host: 'http://opa:8181', policy: p}\n      key-auth: {}")
    assert [a.kind for a in beside.auth] == [AuthKind.API_KEY] and beside.not_shown == ()


def test_mtls_from_an_ssl_client_ca(tmp_path: Path) -> None:
    ssl = ("ssls:\n  - id: partner-mtls\n    snis: [api.example]\n    cert: c\n    key: PLANTED-KEY\n"
           "    client: {ca: 'PLANTED-CA', depth: 2}\n")
    config = tmp_path / "apisix.yaml"
    config.write_text(f"routes:\n  - id: r\n    uri: /x\n    host: api.example\n{ssl}#END\n")
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert [(a.kind, a.scheme) for a in route.auth] == [(AuthKind.MTLS, "ssl partner-mtls client.ca")]


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [
        ("limit-count: {count: 100, time_window: 60, key: consumer_name}",
         ("limit-count", "consumer_name", 100, 60)),
        ("limit-req: {rate: 5, burst: 10}", ("limit-req", "remote_addr", 5, 1)),
        ("limit-conn: {conn: 20, burst: 5, default_conn_delay: 0.1}",
         ("limit-conn", "remote_addr", 20, None)),
    ],
)
def test_rate_limit_families(tmp_path: Path, plugin: str, expected: tuple[object, ...]) -> None:
    [policy] = route_with(tmp_path, f"      {plugin}").rate_limits
    assert (policy.plugin, policy.key, policy.limit, policy.window_seconds) == expected


@pytest.mark.parametrize(
    "logger",
    ["http-logger", "kafka-logger", "syslog", "tcp-logger", "udp-logger", "file-logger", "sls-logger",
     "google-cloud-logging", "splunk-hec-logging", "loggly", "elasticsearch-logger", "clickhouse-logger",
     "rocketmq-logger", "loki-logger", "skywalking-logger", "tencent-cloud-cls", "lago"],
)
def test_every_request_logger_counts_as_logging(tmp_path: Path, logger: str) -> None:
    route = route_with(tmp_path, f"      {logger}: {{}}")
    assert route.loggers == (logger,) and route.monitors == ()


@pytest.mark.parametrize(
    "monitor", ["prometheus", "skywalking", "zipkin", "opentelemetry", "request-id", "datadog"]
)
def test_metrics_traces_and_request_ids_are_monitors_not_logs(tmp_path: Path, monitor: str) -> None:
    route = route_with(tmp_path, f"      {monitor}: {{}}")
    assert route.monitors == (monitor,) and route.loggers == ()


def test_error_log_logger_is_no_request_log(tmp_path: Path) -> None:
    assert route_with(tmp_path, "      error-log-logger: {}").loggers == ()


@pytest.mark.parametrize(
    "plugin",
    [
        "ip-restriction: {whitelist: [10.0.0.0/8]}",
        "cors: {allow_origins: 'https://portal.example'}",
        "request-validation: {body_schema: {type: object}}",
        "api-breaker: {break_response_code: 502, unhealthy: {http_statuses: [500], failures: 3}}",
        "consumer-restriction: {whitelist: [acme]}",
    ],
)
def test_protections_that_do_not_authenticate_are_kept_as_plugins(tmp_path: Path, plugin: str) -> None:
    route = route_with(tmp_path, f"      {plugin}")
    assert [ref.name for ref in route.plugins] == [plugin.split(":")[0]]
    assert route.auth == () and route.rate_limits == () and route.loggers == () and route.not_shown == ()


CONSUMERS = (
    "consumers:\n"
    "  - username: acme\n    plugins:\n      key-auth: {key: PLANTED-A}\n"
    "      limit-count: {count: 100, time_window: 60}\n"
    "  - username: globex\n    group_id: bulk\n    plugins:\n      key-auth: {key: PLANTED-G}\n"
    "consumer_groups:\n  - id: bulk\n    plugins:\n      limit-count: {count: 5000, time_window: 60}\n"
    "  - id: open\n"
    "  - id: unused\n"
)


@pytest.mark.parametrize(
    ("restriction", "limit"),
    [
        ("", 5000.0),  # both admitted: the loosest
        ("      consumer-restriction: {whitelist: [acme]}\n", 100.0),
        ("      consumer-restriction: {blacklist: [globex]}\n", 100.0),
        ("      consumer-restriction: {type: consumer_group_id, whitelist: [bulk]}\n", 5000.0),
        ("      consumer-restriction: {type: route_id, whitelist: [r]}\n", 5000.0),  # narrows no consumer
    ],
)
def test_consumer_restriction_narrows_whose_limits_count(
    tmp_path: Path, restriction: str, limit: float
) -> None:
    route = route_with(tmp_path, f"      key-auth: {{}}\n{restriction}".rstrip("\n"), CONSUMERS)
    [policy] = route.rate_limits
    assert policy.limit == limit and policy.key is not None and policy.key.startswith("consumer")
