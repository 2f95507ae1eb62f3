"""The APISIX standalone reader: routes resolved as APISIX resolves them, and nothing secret kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AuthKind, GatewayConfig, GatewayRoute
from riskscan.sources import ReadContext, read_head
from riskscan.sources.gateways.apisix import NO_END_MARKER_WARNING, ApisixError, ApisixReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apisix"
PLANTED = [
    "PLANTED-KEY-123",
    "PLANTED-PASSWORD-321",
    "PLANTED-JWT-SECRET-456",
    "PLANTED-OIDC-SECRET-789",
    "PLANTED-VAR-TOKEN",
    "PLANTED-NODE-PASS",
    "PLANTEDPRIVATEKEYMATERIAL",
    "PLANTED-JSON-KEY-555",
    "metrics-reader",
]
READER = ApisixReader()


def read(name: str, **context: int) -> GatewayConfig:
    return READER.read(FIXTURES / name, ReadContext(root=FIXTURES, **context))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def partner() -> dict[str, GatewayRoute]:
    config = read("partner-gateway.yaml")
    return {route.route_id: route for route in config.routes}


# --------------------------------------------------------------------------- routes


def test_route_matching_fields_are_read(partner: dict[str, GatewayRoute]) -> None:
    route = partner["claims-get"]
    assert route.gateway == "apisix"
    assert route.name == "Claims read (production)"
    assert route.uris == ("/v2/claims", "/v2/claims/*")
    assert route.methods == ("GET", "HEAD")  # upper-cased
    assert route.hosts == ("api.harbor.example",)
    assert route.upstream == "claims.svc.cluster.local:8080, claims-b.svc.cluster.local:8080"


def test_route_evidence_points_at_the_route(partner: dict[str, GatewayRoute]) -> None:
    evidence = partner["claims-get"].evidence
    assert evidence.path == "partner-gateway.yaml"
    assert evidence.pointer == "/routes/0"
    assert evidence.line == 99
    assert evidence.excerpt == (
        "route claims-get uris=/v2/claims,/v2/claims/* methods=GET,HEAD hosts=api.harbor.example"
    )


def test_a_route_without_id_is_named_by_its_index(partner: dict[str, GatewayRoute]) -> None:
    route = partner["route[7]"]
    assert route.uris == ("/internal/metrics",)
    assert route.methods == ()  # any method
    assert route.upstream == "metrics.svc.cluster.local:9100"  # userinfo stripped


def test_single_host_and_service_hosts(partner: dict[str, GatewayRoute]) -> None:
    assert partner["claims-sandbox"].hosts == ("sandbox.harbor.example",)  # `host`
    assert partner["documents"].hosts == ()


def test_status_zero_disables_a_route(partner: dict[str, GatewayRoute]) -> None:
    assert partner["legacy-policies"].is_enabled is False
    assert partner["claims-get"].is_enabled is True


def test_vars_are_rendered_readably_and_secret_values_hidden(partner: dict[str, GatewayRoute]) -> None:
    assert partner["claims-sandbox"].conditions == ("http_x_env == sandbox",)
    assert partner["broker-onboarding"].conditions == (
        "(arg_channel == web OR http_x_channel in [app, portal])",
        "http_authorization ~~ [REDACTED]",
        "NOT http_x_debug == 1",
    )


# --------------------------------------------------------------------------- plugins


def test_route_plugin_beats_service_plugin(partner: dict[str, GatewayRoute]) -> None:
    route = partner["claims-get"]
    [limit] = route.rate_limits
    assert (limit.plugin, limit.key, limit.limit, limit.window_seconds, limit.rejected_code) == (
        "limit-count",
        "http_x_partner_id",
        100,
        60,
        429,
    )
    assert limit.evidence.pointer == "/routes/0/plugins/limit-count"
    attached = {plugin.name: plugin.attached_to for plugin in route.plugins}
    assert attached["limit-count"] == "route"
    assert attached["http-logger"] == "service"


def test_plugin_config_beats_service_and_route_beats_plugin_config(partner: dict[str, GatewayRoute]) -> None:
    sandbox = partner["claims-sandbox"]
    by_plugin = {policy.plugin: policy for policy in sandbox.rate_limits}
    assert by_plugin["limit-req"].limit == 20 and by_plugin["limit-req"].window_seconds == 1
    assert by_plugin["limit-req"].evidence.pointer == "/plugin_configs/0/plugins/limit-req"
    assert by_plugin["limit-count"].evidence.pointer == "/services/0/plugins/limit-count"
    [quotes_limit] = partner["quotes"].rate_limits
    assert (quotes_limit.limit, quotes_limit.evidence.pointer) == (5, "/routes/2/plugins/limit-req")


def test_plugin_evidence_has_line_and_pointer(partner: dict[str, GatewayRoute]) -> None:
    [key_auth] = [plugin for plugin in partner["quotes"].plugins if plugin.name == "key-auth"]
    assert key_auth.attached_to == "plugin_config"
    assert key_auth.evidence.pointer == "/plugin_configs/0/plugins/key-auth"
    assert key_auth.evidence.line == 40


def test_global_rules_apply_to_every_route(partner: dict[str, GatewayRoute]) -> None:
    for route in partner.values():
        assert {"prometheus", "request-id"} <= set(route.monitors)
        assert "zipkin" not in route.loggers  # disabled with _meta.disable


def test_global_plugins_are_listed_once() -> None:
    config = read("partner-gateway.yaml")
    assert [plugin.name for plugin in config.global_plugins] == ["prometheus", "request-id"]
    assert config.global_plugins[0].evidence.pointer == "/global_rules/0/plugins/prometheus"


def test_loggers_merge_route_service_and_plugin_config(partner: dict[str, GatewayRoute]) -> None:
    assert partner["claims-sandbox"].loggers == ("http-logger", "kafka-logger")
    assert partner["claims-sandbox"].monitors == ("prometheus", "request-id")


def test_unknown_plugins_are_kept(partner: dict[str, GatewayRoute]) -> None:
    assert "some-custom-plugin" in {plugin.name for plugin in partner["route[7]"].plugins}


def test_limit_conn_has_no_window_and_defaults(partner: dict[str, GatewayRoute]) -> None:
    [limit] = partner["documents"].rate_limits
    assert (limit.plugin, limit.key, limit.limit, limit.window_seconds, limit.rejected_code) == (
        "limit-conn",
        "remote_addr",
        50,
        None,
        503,
    )


# --------------------------------------------------------------------------- authentication


def test_auth_kinds_from_plugins(partner: dict[str, GatewayRoute]) -> None:
    [oidc] = partner["claims-get"].auth
    assert (oidc.kind, oidc.scheme, oidc.scopes) == (AuthKind.OIDC, "openid-connect", ("claims:read",))
    [key] = partner["quotes"].auth
    assert (key.kind, key.scheme, key.location) == (
        AuthKind.API_KEY,
        "key-auth",
        "header:X-Partner-Key, query:apikey",
    )
    assert partner["legacy-policies"].auth == ()


def test_multi_auth_counts_as_its_weakest_alternative(partner: dict[str, GatewayRoute]) -> None:
    [weakest] = partner["broker-onboarding"].auth
    assert weakest.kind is AuthKind.BASIC
    assert weakest.scheme == "multi-auth:basic-auth"


def test_a_filtered_auth_plugin_is_not_enforcement(partner: dict[str, GatewayRoute]) -> None:
    route = partner["documents"]
    assert route.auth == ()
    [key_auth] = [plugin for plugin in route.plugins if plugin.name == "key-auth"]
    assert key_auth.evidence.note == "runs only when its _meta.filter matches"


def test_ssl_client_ca_enforces_mtls_on_matching_hosts(partner: dict[str, GatewayRoute]) -> None:
    schemes = {(requirement.kind, requirement.scheme) for requirement in partner["coverage-check"].auth}
    assert schemes == {(AuthKind.BEARER, "jwt-auth"), (AuthKind.MTLS, "ssl partner-mtls client.ca")}
    assert AuthKind.MTLS not in {requirement.kind for requirement in partner["claims-get"].auth}


def test_mtls_needs_every_host_covered_and_no_exemption(tmp_path: Path) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text(
        "ssls:\n"
        "  - snis: ['*.partners.example']\n"
        "    client: {ca: '$env://CA', skip_mtls_uri_regex: ['^/health']}\n"
        "routes:\n"
        "  - {id: wild, uri: /v1/x, host: a.partners.example}\n"
        "  - {id: mixed, uri: /v1/x, hosts: [a.partners.example, public.example]}\n"
        "  - {id: exempt, uri: /health, host: a.partners.example}\n"
        "  - {id: anyhost, uri: /v1/x}\n"
        "#END\n"
    )
    routes = {route.route_id: route for route in READER.read(config, ReadContext(root=tmp_path)).routes}
    assert [requirement.kind for requirement in routes["wild"].auth] == [AuthKind.MTLS]
    for name in ("mixed", "exempt", "anyhost"):
        assert routes[name].auth == ()


@pytest.mark.parametrize(
    ("plugin", "kind"),
    [
        ("basic-auth: {}", AuthKind.BASIC),
        ("jwt-auth: {}", AuthKind.BEARER),
        ("hmac-auth: {}", AuthKind.API_KEY),
        ("ldap-auth: {base_dn: 'ou=users,dc=example,dc=org', ldap_uri: 'ldap.example:389'}", AuthKind.BASIC),
        ("authz-keycloak: {token_endpoint: 'https://kc.example/token'}", AuthKind.OAUTH2),
        ("forward-auth: {uri: 'http://auth.svc/verify'}", AuthKind.BEARER),
        ("openid-connect: {bearer_only: false, discovery: 'https://idp.example/.well-known'}", AuthKind.OIDC),
    ],
)
def test_auth_plugin_table(tmp_path: Path, plugin: str, kind: AuthKind) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text(f"routes:\n  - uri: /x\n    plugins:\n      {plugin}\n#END\n")
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert [requirement.kind for requirement in route.auth] == [kind]


@pytest.mark.parametrize(
    "plugin",
    [
        "key-auth: {anonymous_consumer: guest}",
        "openid-connect: {unauth_action: pass, discovery: 'https://i/x'}",
    ],
)
def test_auth_that_lets_anonymous_callers_through_is_not_enforcement(tmp_path: Path, plugin: str) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text(f"routes:\n  - uri: /x\n    plugins:\n      {plugin}\n#END\n")
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert route.auth == ()


def test_rate_limit_rules_and_ai_instances(tmp_path: Path) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text(
        "routes:\n  - uri: /x\n    plugins:\n"
        "      limit-count:\n        count: 9\n        time_window: 9\n        rejected_code: 429\n"
        "        rules:\n          - {count: 100, time_window: 60, key: '$http_x_partner_id'}\n"
        "          - {count: 10, time_window: 1, key: '$remote_addr'}\n"
        "      ai-rate-limiting:\n        limit_strategy: total_tokens\n"
        "        instances: [{name: gpt, limit: 5000, time_window: 3600}]\n#END\n"
    )
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert [(p.plugin, p.key, p.limit, p.window_seconds, p.rejected_code) for p in route.rate_limits] == [
        ("ai-rate-limiting", "LLM instance gpt", 5000, 3600, 503),
        ("limit-count", "$http_x_partner_id", 100, 60, 429),
        ("limit-count", "$remote_addr", 10, 1, 429),
    ]


def test_disabled_route_plugin_switches_off_the_service_one(tmp_path: Path) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text(
        "services:\n  - id: 1\n    plugins: {key-auth: {}}\n"
        "routes:\n  - uri: /x\n    service_id: 1\n    plugins: {key-auth: {_meta: {disable: true}}}\n#END\n"
    )
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert route.auth == () and route.plugins == ()


# --------------------------------------------------------------------------- the whole file


def test_consumers_are_counted_never_kept() -> None:
    config = read("partner-gateway.yaml")
    assert config.consumer_count == 2
    assert config.warnings == ("1 stream route(s) (TCP/UDP proxying) are not assessed",)


@pytest.mark.parametrize("name", ["partner-gateway.yaml", "apisix.json"])
def test_no_planted_secret_reaches_the_model(name: str) -> None:
    dumped = read(name).model_dump_json()
    for secret in PLANTED:
        assert secret not in dumped
    assert "PRIVATE KEY" not in dumped


def test_json_standalone_needs_no_end_marker() -> None:
    config = read("apisix.json")
    assert config.warnings == ()
    [route] = config.routes
    assert (route.route_id, route.methods, route.upstream) == (
        "quotes-json",
        ("GET", "POST"),
        "quotes.svc.cluster.local:8080",
    )
    assert [requirement.kind for requirement in route.auth] == [AuthKind.API_KEY]
    assert route.rate_limits[0].window_seconds == 1
    assert route.evidence.line == 6  # lines are found even with tab indentation
    assert config.consumer_count == 1


def test_missing_end_marker_is_a_warning_not_a_failure() -> None:
    config = read("no-end-marker.yaml")
    assert config.warnings == (NO_END_MARKER_WARNING,)
    assert [route.route_id for route in config.routes] == ["policies"]


def test_route_without_uri_is_skipped_with_a_warning() -> None:
    config = read("route-without-uri.yaml")
    assert [route.route_id for route in config.routes] == ["quotes"]
    assert config.warnings == ("route forgotten-uri has neither uri nor uris (APISIX rejects it): skipped",)


def test_unknown_plugin_config_leaves_the_route_not_enabled() -> None:
    config = read("missing-plugin-config.yaml")
    [route] = config.routes
    assert route.is_enabled is False
    assert "plugin_config_id partner-baseline-v2 is not defined" in config.warnings[0]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken-malformed.yaml", "broken-malformed.yaml:6: malformed YAML"),
        ("broken-routes-not-a-list.yaml", "broken-routes-not-a-list.yaml:1: `routes` is not a list"),
        ("broken-top-level-list.yaml", "broken-top-level-list.yaml:1: the top level is not a mapping"),
        ("alias-bomb.yaml", "alias-bomb.yaml:7: refused YAML: aliases expand to over 2000000 nodes"),
    ],
)
def test_broken_files_fail_with_one_clear_line(name: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        read(name)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_files_over_the_size_limit_are_refused() -> None:
    with pytest.raises(SourceError, match="over the 100-byte limit"):
        read("partner-gateway.yaml", max_bytes=100)


_DEEP_ALIASES = "a: &a " + "[" * 150 + "]" * 150 + "\nb: &b " + "[" * 150 + "*a" + "]" * 150 + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"routes: [\n  {uri: /x, key: PLANTED-KEY-123\n", "apisix.yaml:3: malformed YAML"),
        (b"\xff\xfe routes: []", "apisix.yaml: not UTF-8 text"),
        (b"routes:\n  - uri: /caf\xe9\n", "apisix.yaml: not UTF-8 text (bad byte at offset 21)"),
        (b"&a [*a]\n", "apisix.yaml:1: refused YAML: an alias refers to the node that contains it"),
        (b"[" * 3000, "apisix.yaml:1: refused JSON: nested too deeply"),
        (b"routes: " + b"[" * 300 + b"]" * 300, "apisix.yaml:1: refused YAML: nested too deeply"),
        (b'{"routes": ' + b"[" * 300 + b"]" * 300 + b"}", "apisix.yaml:1: refused JSON: nested too deeply"),
        (_DEEP_ALIASES.encode(), "apisix.yaml: refused: nested too deeply"),
    ],
    ids=["malformed", "utf16", "not-utf8", "self-alias", "deep-json", "deep", "deep-data", "aliases"],
)
def test_hostile_or_broken_input_fails_cleanly(tmp_path: Path, text: bytes, message: str) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_bytes(text)
    with pytest.raises(ApisixError) as raised:
        READER.read(config, ReadContext(root=tmp_path))
    assert str(raised.value).startswith(message)
    assert "PLANTED" not in str(raised.value) and "\n" not in str(raised.value)


def test_keys_that_yaml_reads_as_numbers_stay_text(tmp_path: Path) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text("routes:\n  - uri: /x\n    plugins:\n      404: {}\n      key-auth: {}\n#END\n")
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert [(plugin.name, plugin.evidence.line) for plugin in route.plugins] == [("404", 4), ("key-auth", 5)]


def test_yaml_flow_style_file_is_read_as_yaml(tmp_path: Path) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text("{routes: [{id: r1, uri: /x}]}\n#END\n")
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert (route.route_id, route.evidence.line) == ("r1", 1)


def test_odd_but_loadable_shapes_do_not_crash(tmp_path: Path) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text(
        "routes:\n  - 42\n  - uri: 7\n  - uris: [/a, 3]\n    methods: GET\n    vars: nonsense\n"
        "    plugins: {limit-count: {count: $http_quota, time_window: '60'}, multi-auth: {auth_plugins: 1}}\n"
        "  - uri: /b\n    vars: [[[1, 2]], [], ['x']]\n    plugins: [key-auth]\n    service_id: {a: 1}\n"
        "services: ~\n#END\n"
    )
    config_read = READER.read(config, ReadContext(root=tmp_path))
    assert [route.uris for route in config_read.routes] == [("/a",), ("/b",)]
    limit = config_read.routes[0].rate_limits[0]
    assert (limit.limit, limit.window_seconds) == (None, 60)
    assert len(config_read.warnings) == 2


def test_yaml_anchors_and_merge_keys_are_resolved(tmp_path: Path) -> None:
    config = tmp_path / "apisix.yaml"
    config.write_text(
        "x-defaults: &limits\n  limit-count: {count: 10, time_window: 1}\n"
        "routes:\n  - uri: /a\n    plugins:\n      <<: *limits\n      key-auth: {}\n#END\n"
    )
    [route] = READER.read(config, ReadContext(root=tmp_path)).routes
    assert [policy.limit for policy in route.rate_limits] == [10]


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "text",
    [
        "routes:\n- uri: /x\n",
        "# comment\nupstreams:\n  - id: 1\n    nodes: {'a:80': 1}\n",
        "global_rules: []\n",
        "#END\n",
        '{"routes": [{"uri": "/x"}]}',
    ],
)
def test_sniff_accepts_standalone_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.txt"
    path.write_text(text)
    assert READER.sniff(path, read_head(path)) is True


@pytest.mark.parametrize(
    "text",
    [
        "deployment:\n  role: data_plane\n  role_data_plane:\n    config_provider: yaml\n#END\n",
        "apisix:\n  node_listen: 9080\nplugins:\n  - key-auth\n",
        "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
        "apiVersion: apisix.apache.org/v2\nkind: ApisixRoute\nspec:\n  http: []\n",
        "services:\n  web:\n    image: nginx\n",
        "_format_version: '3.0'\nservices:\n  - name: x\n    routes:\n      - paths: [/x]\n",
        "services:\n  - name: x\n    url: http://x\n    routes:\n      - name: r\n        paths: [/x]\n",
        '{"openapi": "3.1.0", "paths": {}}',
        "shopping:\n  - milk\n",
    ],
)
def test_sniff_rejects_other_yaml_and_json(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    assert READER.sniff(path, read_head(path)) is False


def test_sniff_sees_the_end_marker_past_the_head(tmp_path: Path) -> None:
    path = tmp_path / "apisix.yaml"
    path.write_text("# " + "x" * 200 + "\n#END\n")
    assert READER.sniff(path, read_head(path, limit=50)) is True


# --------------------------------------------------------------------------- real-world corpus


def test_corpus_apisix_files_sniff_and_read(corpus_dir: Path) -> None:
    folder = corpus_dir / "gateway" / "apisix"
    if not folder.is_dir():
        pytest.skip("this copy of the shared corpus has no gateway/apisix folder (real APISIX configs)")
    expected = {
        "apisix-standalone.yaml": True,
        "apisix-conf-config.yaml": False,
        "apisix-docker-config.yaml": False,
        "dashboard-export-multi-routes.yaml": False,
    }
    for path in sorted(folder.iterdir()):
        is_standalone = READER.sniff(path, read_head(path))
        assert is_standalone is expected.get(path.name, is_standalone), path.name
        if is_standalone:
            config = READER.read(path, ReadContext(root=corpus_dir))
            [route] = [route for route in config.routes if "/get" in route.uris]
            assert route.auth == () and route.is_enabled


def test_corpus_admin_keys_never_appear(corpus_dir: Path) -> None:
    docker_config = corpus_dir / "gateway" / "apisix" / "apisix-docker-config.yaml"
    if not docker_config.is_file():
        pytest.skip("this copy of the shared corpus lacks gateway/apisix/apisix-docker-config.yaml,"
                    " the real config whose admin keys must never reach an output")
    admin_keys = ["edd1c9f034335f136f87ad84b625c8f1", "4054f7cf07e344346cd3f287985e76a2"]
    assert all(key in docker_config.read_text() for key in admin_keys)  # the test plants what it checks
    produced = [str(READER.sniff(docker_config, read_head(docker_config)))]
    try:
        produced.append(READER.read(docker_config, ReadContext(root=corpus_dir)).model_dump_json())
    except SourceError as error:
        produced.append(str(error))
    for path in sorted((corpus_dir / "gateway" / "apisix").iterdir()):
        try:
            produced.append(READER.read(path, ReadContext(root=corpus_dir)).model_dump_json())
        except SourceError as error:
            produced.append(str(error))
    text = json.dumps(produced)
    for key in admin_keys:
        assert key not in text


def test_limits_on_every_admitted_consumer_throttle_the_route() -> None:
    routes = {route.route_id: route for route in read("consumer-quotas.yaml").routes}
    # Both key-auth consumers carry a limit (one through its group): the loosest one counts.
    (quota,) = routes["quotes"].rate_limits
    assert (quota.plugin, quota.limit, quota.window_seconds) == ("limit-count", 1000, 60)
    assert quota.key == "consumer (set on each of 2 consumers)"
    assert quota.evidence.pointer == "/consumers/0/plugins/limit-count"
    # One basic-auth consumer has no limit: that consumer is unthrottled, so the route is too.
    assert routes["documents"].rate_limits == ()
    assert routes["open"].rate_limits == ()


def test_consumer_credentials_are_never_kept() -> None:
    text = read("consumer-quotas.yaml").model_dump_json()
    assert "PLANTED-CONSUMER-QUOTA" not in text


# --------------------------------------------------------------------------- bad values


def test_absurd_numbers_cost_their_setting_not_the_file() -> None:
    """Infinity, NaN, 1e400, a negative window, a 23-digit status code: each setting is dropped with a
    warning naming where it is; the routes and every sane setting are kept."""
    config = read("absurd-numbers.yaml")
    limits = {route.route_id: route.rate_limits for route in config.routes}
    assert set(limits) == {"quotes", "claims", "policies", "payouts"}
    assert [(p.limit, p.window_seconds, p.rejected_code) for p in limits["quotes"]] == [
        (None, 60.0, 503), (None, 3600.0, 503)]
    assert [(p.limit, p.window_seconds, p.rejected_code) for p in limits["claims"]] == [(None, None, 429)]
    assert [(p.limit, p.window_seconds) for p in limits["policies"]] == [(10.0, 1.0)]
    assert [p.limit for p in limits["payouts"]] == [None]
    assert set(config.warnings) == {
        "/routes/0/plugins/limit-count: limit-count count is not a finite number, so the setting is ignored",
        "/routes/0/plugins/limit-count: limit-count rejected_code is not an HTTP status code, so the setting is ignored",
        "/routes/1/plugins/limit-count: limit-count count is not a finite number, so the setting is ignored",
        "/routes/1/plugins/limit-count: limit-count time_window is negative, so the setting is ignored",
        "/routes/2/plugins/limit-req: limit-req rejected_code is not an HTTP status code, so the setting is ignored",
        "/routes/3/plugins/limit-conn: limit-conn conn is implausibly large, so the setting is ignored",
        "/consumers/0/plugins/limit-count: limit-count count is not a finite number, so the setting is ignored",
    }
    assert "PLANTED-KEY-ABSURD" not in config.model_dump_json()


def test_exemption_patterns_run_in_linear_time_and_refused_ones_cost_the_mtls_credit() -> None:
    """`^/(a+)+$` against `/aaa...a!` takes Python's `re` longer than the universe has existed; RE2
    answers at once. Read in a child process with a timeout, so a regression fails instead of hanging."""
    script = (
        "import json, sys; from pathlib import Path\n"
        "from riskscan.sources import ReadContext\n"
        "from riskscan.sources.gateways.apisix import ApisixReader\n"
        "path = Path(sys.argv[1])\n"
        "config = ApisixReader().read(path, ReadContext(root=path.parent))\n"
        "print(json.dumps({'auth': {r.route_id: [a.scheme for a in r.auth] for r in config.routes},"
        " 'warnings': config.warnings}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(FIXTURES / "mtls-catastrophic-exemption.yaml")],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # RE2 prints nothing of its own (it would echo the pattern)
    read_back = json.loads(result.stdout)
    assert read_back["auth"] == {
        "long-uri": ["ssl partner-mtls client.ca"],  # not exempt: the pattern does not match
        "partner-claims": ["ssl partner-mtls client.ca"],
        "broker-claims": [],  # its exemption cannot be evaluated, so it may exempt this route
    }
    assert read_back["warnings"] == [
        "ssl brokers-mtls: a skip_mtls_uri_regex pattern cannot be evaluated safely (RE2 refuses it),"
        " so its client certificates are not credited on any route"
    ]
