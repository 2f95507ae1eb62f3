"""The Kong reader: decK files and Admin API exports resolved as Kong resolves them, nothing secret kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.kong import KongError, KongReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kong"
PLANTED = [
    "PLANTED-UPSTREAM-PASS",
    "PLANTED-LOG-TOKEN",
    "PLANTED-OIDC-SECRET",
    "PLANTED-HEADER-TOKEN",
    "PLANTED-KEY-123",
    "PLANTED-PASSWORD-321",
    "PLANTED-JWT-SECRET-456",
    "PLANTED-OAUTH-SECRET-654",
    "PLANTED-HMAC-SECRET-987",
    "PLANTEDPRIVATEKEYMATERIAL",
    "PLANTEDCERTIFICATEBODY",
    "PLANTED-ADMIN-OIDC-SECRET",
    "PLANTED-CUSTOM-ID-111",
    "svc-user",
]
READER = KongReader()


def read(name: str, **context: int) -> GatewayConfig:
    return READER.read(FIXTURES / name, ReadContext(root=FIXTURES, **context))  # type: ignore[arg-type]


def read_text(tmp_path: Path, text: str, name: str = "kong.yaml") -> GatewayConfig:
    path = tmp_path / name
    path.write_text(text)
    return READER.read(path, ReadContext(root=tmp_path))


@pytest.fixture(scope="module")
def partner() -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in read("partner-gateway.yaml").routes}


# --------------------------------------------------------------------------- routes and matching


def test_nested_route_matching_fields_and_evidence(partner: dict[str, GatewayRoute]) -> None:
    route = partner["claims-read"]
    assert route.gateway == "kong"
    assert route.uris == ("/v2/claims*",)  # a plain Kong path is a string prefix
    assert route.methods == ("GET", "HEAD")
    assert route.hosts == ("api.harbor.example",)
    assert route.upstream == "claims.internal:8080"  # userinfo stripped from the service url
    assert (route.evidence.path, route.evidence.pointer, route.evidence.line) == (
        "partner-gateway.yaml",
        "/services/0/routes/0",
        21,
    )
    assert (
        route.evidence.excerpt
        == "route claims-read paths=/v2/claims methods=GET,HEAD hosts=api.harbor.example"
    )


def test_simple_anchored_regex_becomes_param_segments(partner: dict[str, GatewayRoute]) -> None:
    assert partner["claim-by-id"].uris == ("/v2/claims/:claimId",)


def test_other_regex_paths_are_left_out_with_a_warning_naming_them(partner: dict[str, GatewayRoute]) -> None:
    config = read("partner-gateway.yaml")
    assert "claims-search" not in partner
    assert (
        "route claims-search: regex path ~/v2/claims/search/.* not evaluated: it is not a plain path with"
        " whole-segment wildcards"
    ) in config.warnings


def test_top_level_routes_find_their_service_by_name_or_reference(partner: dict[str, GatewayRoute]) -> None:
    assert (
        partner["payouts"].upstream == "upstream policies: policies-a.internal:8443, policies-b.internal:8443"
    )
    assert partner["payouts"].evidence.pointer == "/routes/1"


def test_headers_are_conditions_and_credential_values_hidden(partner: dict[str, GatewayRoute]) -> None:
    assert partner["payouts"].conditions == (
        "header authorization in [[REDACTED]]",
        "header x-channel in [broker, portal]",
    )


def test_routes_without_paths_take_every_path(tmp_path: Path) -> None:
    config = read_text(
        tmp_path,
        "_format_version: '3.0'\nservices:\n  - name: s\n    url: http://s\n"
        "    routes:\n      - name: by-host\n        hosts: ['*.partners.example']\n",
    )
    [route] = config.routes
    assert (route.uris, route.hosts) == (("/*",), ("*.partners.example",))


def test_json_declarative_files_are_read_with_lines(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "_format_version": "3.0",
            "services": [{"name": "s", "url": "http://s", "routes": [{"name": "r", "paths": ["/x"]}]}],
        },
        indent=2,
    )
    [route] = read_text(tmp_path, text, name="kong.json").routes
    assert (route.uris, route.evidence.pointer, route.evidence.line) == (("/x*",), "/services/0/routes/0", 8)


def test_a_long_admin_export_is_recognised_from_its_head(tmp_path: Path) -> None:
    routes = [
        {
            "id": str(index),
            "name": f"r{index}",
            "paths": [f"/v1/r{index}"],
            "strip_path": True,
            "service": {"id": "s"},
        }
        for index in range(2000)
    ]
    path = tmp_path / "routes.json"
    path.write_text(json.dumps({"data": routes, "next": None}))
    assert path.stat().st_size > 65536
    assert detect_kind(path, read_head(path)) is SourceKind.KONG


def test_kong_2x_files_read_regex_paths_without_tilde(tmp_path: Path) -> None:
    config = read_text(
        tmp_path,
        "_format_version: '1.1'\nservices:\n  - name: s\n    url: http://s\n"
        "    routes:\n      - name: r\n        paths: ['/users/\\d+$', /plain]\n",
    )
    assert config.routes[0].uris == ("/users/:id", "/plain*")


# --------------------------------------------------------------------------- plugins


def test_route_plugin_beats_service_plugin_and_global_plugins_apply(partner: dict[str, GatewayRoute]) -> None:
    route = partner["claims-read"]
    [limit] = route.rate_limits
    assert (limit.plugin, limit.key, limit.limit, limit.window_seconds, limit.rejected_code) == (
        "rate-limiting",
        "header:X-Partner-Id",
        100,
        60,
        429,
    )
    assert (limit.evidence.pointer, limit.evidence.line) == ("/services/0/routes/0/plugins/1", 33)
    attached = {plugin.name: plugin.attached_to for plugin in route.plugins}
    assert attached == {
        "correlation-id": "global",
        "http-log": "service",
        "key-auth": "service",
        "openid-connect": "route",
        "prometheus": "global",
        "rate-limiting": "route",
    }
    assert route.loggers == ("http-log",)
    assert route.monitors == ("correlation-id", "prometheus")  # zipkin is enabled: false


def test_service_plugins_reach_every_route_of_the_service(partner: dict[str, GatewayRoute]) -> None:
    route = partner["claim-by-id"]
    [limit] = route.rate_limits
    assert (limit.key, limit.limit, limit.window_seconds) == (
        "consumer (ip when none is identified)",
        5000,
        3600,
    )
    assert [(requirement.kind, requirement.location) for requirement in route.auth] == [
        (AuthKind.API_KEY, "header:X-Partner-Key, query:X-Partner-Key")
    ]


def test_every_auth_plugin_is_required(partner: dict[str, GatewayRoute]) -> None:
    schemes = {(requirement.kind, requirement.scheme) for requirement in partner["claims-read"].auth}
    assert schemes == {(AuthKind.API_KEY, "key-auth"), (AuthKind.OIDC, "openid-connect")}
    [oidc] = [requirement for requirement in partner["claims-read"].auth if requirement.kind is AuthKind.OIDC]
    assert oidc.scopes == ("claims:read",)


def test_anonymous_consumer_means_no_authentication(partner: dict[str, GatewayRoute]) -> None:
    route = partner["quotes"]
    assert route.auth == ()
    assert [(p.plugin, p.key, p.limit, p.window_seconds) for p in route.rate_limits] == [
        ("rate-limiting-advanced", "ip", 20, 1),
        ("rate-limiting-advanced", "ip", 600, 60),
    ]


def test_disabled_plugins_do_not_count_and_route_and_service_scope_is_most_specific(
    partner: dict[str, GatewayRoute],
) -> None:
    route = partner["payouts"]
    # key-auth on the route is enabled: false
    assert {(r.kind, r.scheme) for r in route.auth} == {
        (AuthKind.BASIC, "basic-auth"),
        (AuthKind.MTLS, "mtls-auth"),
    }
    attached = {plugin.name: plugin.attached_to for plugin in route.plugins}
    assert attached["mtls-auth"] == "route"  # scoped to route and service: the most specific
    assert "rate-limiting" not in attached  # scoped to a consumer: not the route's plugin


def test_a_limit_on_every_admitted_consumer_throttles_a_route_without_its_own(
    partner: dict[str, GatewayRoute],
) -> None:
    # Only acme-broker holds basic-auth (or mtls) credentials, and it carries rate-limiting second: 1.
    [limit] = partner["payouts"].rate_limits
    assert (limit.plugin, limit.key, limit.limit, limit.window_seconds) == (
        "rate-limiting",
        "consumer (set on each of 1 consumers)",
        1,
        1,
    )
    assert limit.evidence.pointer == "/plugins/6"


def test_consumer_group_limits_count_and_one_unlimited_consumer_cancels_them(tmp_path: Path) -> None:
    head = (
        "_format_version: '3.0'\nservices:\n  - name: s\n    url: http://s\n"
        "    plugins: [{name: key-auth}]\n    routes: [{name: r, paths: [/x]}]\n"
        "consumer_groups:\n  - name: gold\n    consumers: [{username: a}]\n"
        "    plugins: [{name: rate-limiting-advanced, config: {limit: [100], window_size: [60]}}]\n"
        "consumers:\n  - username: a\n    keyauth_credentials: [{key: PLANTED-KEY-123}]\n"
        "  - username: b\n    groups: [{name: gold}]\n    keyauth_credentials: [{key: PLANTED-KEY-124}]\n"
        "    plugins: [{name: rate-limiting-advanced, config: {limit: [1000], window_size: [60]}}]\n"
    )
    [limit] = read_text(tmp_path, head).routes[0].rate_limits
    assert (limit.limit, limit.window_seconds, limit.evidence.pointer) == (1000, 60, "/consumers/1/plugins/0")
    unlimited = read_text(
        tmp_path, head + "  - username: c\n    keyauth_credentials: [{key: PLANTED-KEY-125}]\n"
    )
    assert unlimited.routes[0].rate_limits == ()
    assert "PLANTED" not in unlimited.model_dump_json()


def test_global_plugins_are_listed_once() -> None:
    config = read("partner-gateway.yaml")
    assert [(plugin.name, plugin.evidence.pointer) for plugin in config.global_plugins] == [
        ("prometheus", "/plugins/0"),
        ("correlation-id", "/plugins/1"),
    ]


@pytest.mark.parametrize(
    ("plugin", "kind"),
    [
        ("basic-auth", AuthKind.BASIC),
        ("jwt", AuthKind.BEARER),
        ("oauth2", AuthKind.OAUTH2),
        ("openid-connect", AuthKind.OIDC),
        ("hmac-auth", AuthKind.API_KEY),
        ("ldap-auth", AuthKind.BASIC),
        ("mtls-auth", AuthKind.MTLS),
        ("key-auth", AuthKind.API_KEY),
    ],
)
def test_auth_plugin_table(tmp_path: Path, plugin: str, kind: AuthKind) -> None:
    config = read_text(
        tmp_path,
        f"_format_version: '3.0'\nservices:\n  - name: s\n    url: http://s\n"
        f"    plugins: [{{name: {plugin}}}]\n    routes: [{{name: r, paths: [/x]}}]\n",
    )
    assert [requirement.kind for requirement in config.routes[0].auth] == [kind]
    with_anonymous = read_text(
        tmp_path,
        f"_format_version: '3.0'\nservices:\n  - name: s\n    url: http://s\n"
        f"    plugins: [{{name: {plugin}, config: {{anonymous: guest}}}}]\n"
        "    routes: [{name: r, paths: [/x]}]\n",
    )
    assert with_anonymous.routes[0].auth == ()


def test_rate_limiting_windows_and_response_limits(tmp_path: Path) -> None:
    config = read_text(
        tmp_path,
        "_format_version: '3.0'\nservices:\n  - name: s\n    url: http://s\n"
        "    routes: [{name: r, paths: [/x]}]\n    plugins:\n      - name: rate-limiting\n"
        "        config: {second: 5, day: 10000, limit_by: path, path: /x}\n"
        "      - name: response-ratelimiting\n        config: {limits: {sms: {minute: 10}}, limit_by: ip}\n",
    )
    assert [(p.plugin, p.key, p.limit, p.window_seconds) for p in config.routes[0].rate_limits] == [
        ("rate-limiting", "path:/x", 5, 1),
        ("rate-limiting", "path:/x", 10000, 86400),
        ("response-ratelimiting", "ip, upstream-reported usage 'sms'", 10, 60),
    ]


# --------------------------------------------------------------------------- routes that serve nothing


def test_request_termination_closes_the_route(partner: dict[str, GatewayRoute]) -> None:
    assert partner["legacy-policies"].is_enabled is False
    assert (
        "route legacy-policies: request-termination answers every request with 410 without proxying it:"
        " treated as closed (not enabled)"
    ) in read("partner-gateway.yaml").warnings


def test_request_termination_with_a_trigger_leaves_the_route_open(tmp_path: Path) -> None:
    config = read_text(
        tmp_path,
        "_format_version: '3.0'\nservices:\n  - name: s\n    url: http://s\n"
        "    routes:\n      - name: r\n        paths: [/x]\n        plugins:\n"
        "          - {name: request-termination, config: {trigger: x-debug}}\n",
    )
    assert config.routes[0].is_enabled is True


def test_disabled_or_missing_services_serve_nothing(partner: dict[str, GatewayRoute]) -> None:
    assert partner["documents"].is_enabled is False
    assert partner["orphan-route"].is_enabled is False
    warnings = read("partner-gateway.yaml").warnings
    assert (
        "route orphan-route names service ghost-service, not defined, and nothing else answers it"
        " (Kong answers 503): treated as not enabled"
    ) in warnings


def test_stream_routes_are_not_assessed(partner: dict[str, GatewayRoute]) -> None:
    assert "telemetry-stream" not in partner
    assert (
        "route telemetry-stream is a stream route (TCP/TLS/UDP), which is not assessed: skipped"
        in read("partner-gateway.yaml").warnings
    )


# --------------------------------------------------------------------------- secrets and consumers


def test_consumers_are_counted_and_private_keys_reported() -> None:
    config = read("partner-gateway.yaml")
    assert config.consumer_count == 2
    assert (
        "1 certificate(s) hold an inline private key, a secret (not read); keep keys in a vault and"
        " reference them"
    ) in config.warnings


@pytest.mark.parametrize(
    "name",
    [
        "partner-gateway.yaml",
        "admin-export/routes.json",
        "admin-export/plugins.json",
        "admin-export/consumers.json",
    ],
)
def test_no_planted_secret_reaches_the_model(name: str) -> None:
    dumped = read(name).model_dump_json()
    for secret in PLANTED:
        assert secret not in dumped
    assert "PRIVATE KEY" not in dumped


# --------------------------------------------------------------------------- Admin API exports


def test_admin_routes_export_is_joined_with_its_siblings() -> None:
    config = read("admin-export/routes.json")
    routes = {route.route_id: route for route in config.routes}
    claims, quotes = routes["claims-read"], routes["quotes"]
    assert (claims.uris, claims.upstream, claims.loggers) == (
        ("/v2/claims*",),
        "claims.internal:8080",
        ("file-log",),
    )
    assert [requirement.kind for requirement in claims.auth] == [AuthKind.OIDC]
    assert quotes.uris == ("/v1/quotes/:id",)
    assert quotes.auth == ()  # its service's key-auth is enabled: false
    [limit] = quotes.rate_limits
    assert (limit.key, limit.limit, limit.window_seconds) == ("ip", 60, 60)
    assert (limit.evidence.path, limit.evidence.pointer, limit.evidence.line) == (
        "admin-export/plugins.json",
        "/data/1",
        22,
    )
    assert (claims.evidence.path, claims.evidence.pointer, claims.evidence.line) == (
        "admin-export/routes.json",
        "/data/0",
        3,
    )


def test_admin_companion_exports_say_what_they_joined() -> None:
    plugins = read("admin-export/plugins.json")
    assert plugins.routes == ()
    assert [plugin.name for plugin in plugins.global_plugins] == ["file-log"]
    assert plugins.warnings == (
        "Kong Admin API /plugins export, read with the /routes export admin-export/routes.json",
    )
    assert read("admin-export/consumers.json").consumer_count == 2


def test_admin_routes_export_without_plugins_fails_clearly() -> None:
    with pytest.raises(KongError) as raised:
        read("admin-routes-only/routes.json")
    assert str(raised.value) == (
        "admin-routes-only/routes.json: a Kong Admin API /routes export is read with the /plugins export"
        " beside it (GET /plugins): without it authentication and rate limits are unknown"
    )


def test_admin_export_pages_and_missing_services_are_warned(tmp_path: Path) -> None:
    routes = json.loads((FIXTURES / "admin-export" / "routes.json").read_text())
    routes["next"] = "/routes?offset=abc"
    (tmp_path / "routes.json").write_text(json.dumps(routes))
    (tmp_path / "plugins.json").write_text('{"data": [], "next": null}')
    config = READER.read(tmp_path / "routes.json", ReadContext(root=tmp_path))
    assert config.warnings == (
        "one page of a paginated Admin API export (`next` is set): later pages are not in it",
        "no /services export beside it: upstreams and disabled services are unknown",
    )
    assert all(route.is_enabled and route.auth == () for route in config.routes)


# --------------------------------------------------------------------------- broken and hostile input


# "Billion laughs": seven levels of ten aliases each expand to ten million nodes.
_ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{name}: &{name} [{', '.join([f'*{below}'] * 10)}]\n" for below, name in zip("abcdef", "bcdefg")
    )
    + "_format_version: '3.0'\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("_format_version: '3.0'\nservices: {claims: {}}\n", "kong.yaml:2: `services` is not a list"),
        ("- _format_version: '3.0'\n", "kong.yaml:1: the top level is not a mapping of Kong entities"),
        ("_format_version: '3.0'\nservices:\n  - name: [unclosed\n", "kong.yaml:4: malformed YAML"),
        (
            "_format_version: '3.0'\nconsumers:\n  - keyauth_credentials: [{key: PLANTED-KEY-123\n",
            "kong.yaml:4: malformed YAML",
        ),
        ('{"data": [{"foo": 1}], "next": null}', "kong.yaml: not a Kong Admin API export"),
        (
            "_format_version: '3.0'\nservices: " + "[" * 300 + "]" * 300 + "\n",
            "kong.yaml:2: refused YAML: nested too deeply",
        ),
        (_ALIAS_BOMB, "kong.yaml:7: refused YAML: aliases expand to over 2000000 nodes"),
    ],
)
def test_broken_files_fail_with_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        read_text(tmp_path, text)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value) and "PLANTED" not in str(raised.value)


def test_odd_shapes_cost_their_entry_not_the_file(tmp_path: Path) -> None:
    config = read_text(
        tmp_path,
        "_format_version: '3.0'\nservices:\n  - 42\n  - name: s\n    url: 'http://[broken'\n"
        "    routes:\n      - name: r\n        paths: [7, /ok, 'no-slash']\n        methods: get\n"
        "        headers: [x]\n        plugins: [{name: rate-limiting, config: {minute: .inf, hour: -1}},"
        " {name: rate-limiting-advanced, config: {limit: [1e400], window_size: [0], error_code: 99999}}, 3]\n"
        "routes: [null]\nplugins: [{config: {}}, {name: cors, route: nowhere}]\n",
    )
    [route] = config.routes
    assert (route.uris, route.methods, route.upstream, route.is_enabled) == (("/ok*",), ("GET",), None, True)
    assert [(p.plugin, p.limit, p.window_seconds, p.rejected_code) for p in route.rate_limits] == [
        ("rate-limiting", None, 60, 429),
        ("rate-limiting", None, 3600, 429),
        ("rate-limiting-advanced", None, None, 429),
    ]
    assert len(config.warnings) == 9
    assert (
        "plugin cors at /plugins/1 is attached to an undefined route or service: ignored" in config.warnings
    )
    assert (
        "/services/1/routes/0/plugins/0: rate-limiting minute is not a finite number,"
        " so the setting is ignored" in config.warnings
    )


def test_catastrophic_regex_paths_are_not_evaluated(tmp_path: Path) -> None:
    config = read_text(
        tmp_path,
        "_format_version: '3.0'\nservices:\n  - name: s\n    url: http://s\n"
        "    routes:\n      - name: r\n        paths: ['~^/(a+)+$', '~/(x)\\1$']\n",
    )
    assert config.routes == ()
    assert config.warnings[:2] == (
        "route r: regex path ~^/(a+)+$ not evaluated: it is not a plain path with whole-segment wildcards",
        "route r: regex path ~/(x)\\1$ not evaluated: RE2 refuses it",
    )


def test_files_over_the_size_limit_are_refused() -> None:
    with pytest.raises(SourceError, match="over the 100-byte limit"):
        read("partner-gateway.yaml", max_bytes=100)


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "text",
    [
        "_format_version: '3.0'\n",
        '{"_format_version": "3.0", "services": []}',
        "services:\n  - name: x\n    url: http://x\n    routes:\n      - name: r\n        paths: [/x]\n",
        "certificates: []\nservices:\n  - name: x\n",
        '{"data": [{"id": "1", "paths": ["/x"], "strip_path": true}], "next": null}',
        '{"data": [{"name": "cors", "config": {}, "enabled": true, "protocols": ["http"]}], "next": null}',
    ],
)
def test_sniff_accepts_kong_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.txt"
    path.write_text(text)
    assert detect_kind(path, read_head(path)) is SourceKind.KONG


@pytest.mark.parametrize(
    "text",
    [
        "routes:\n- uri: /x\n",
        "services:\n  web:\n    image: nginx\n",
        "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
        '{"data": [{"id": 1, "title": "a post"}], "next": null}',
        "shopping:\n  - milk\n",
    ],
)
def test_sniff_rejects_other_yaml_and_json(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    assert READER.sniff(path, read_head(path)) is False


# --------------------------------------------------------------------------- real-world corpus


def test_corpus_kong_file_is_read_and_keeps_no_secret(corpus_dir: Path) -> None:
    path = corpus_dir / "gateway" / "kong" / "kong2kic-input.yaml"
    if not path.is_file():
        pytest.skip(
            "this copy of the shared corpus lacks gateway/kong/kong2kic-input.yaml (Kong's decK test input)"
        )
    assert detect_kind(path, read_head(path)) is SourceKind.KONG
    config = READER.read(path, ReadContext(root=corpus_dir))
    [route] = config.routes
    assert route.uris == ("/v1/example", "/v1/another-example*", "/v1/yet-another-example*")
    assert {requirement.kind for requirement in route.auth} == {
        AuthKind.BASIC,
        AuthKind.BEARER,
        AuthKind.API_KEY,
        AuthKind.MTLS,
    }
    assert route.loggers == ("file-log", "http-log", "tcp-log")
    assert route.is_enabled is False  # request-termination answers 403 to everything
    assert config.consumer_count == 1
    dumped = config.model_dump_json()
    text = path.read_text()
    for secret in (
        "my_basic_password",
        "my_jwt_secret",
        "my_secret_key",
        "my_api_key",
        "my_secret",
        "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCVGyoqqAitQUzZ",
        "PRIVATE KEY",
    ):
        assert secret in text  # the test checks what the file really holds
        assert secret not in dumped


def test_copied_admin_folder_reads_the_same(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "admin-export", tmp_path / "export")
    config = READER.read(tmp_path / "export" / "routes.json", ReadContext(root=tmp_path))
    assert [route.route_id for route in config.routes] == ["claims-read", "quotes"]
