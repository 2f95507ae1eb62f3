"""The nginx reader: locations read as nginx routes them, directives inherited as nginx inherits them,
includes followed only inside the folders given, and nothing secret kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.nginx import NginxError, NginxReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nginx"
GATEWAY = FIXTURES / "estate" / "nginx"
PLANTED = [
    "PLANTED-KEY-123",
    "PLANTED-NODE-PASS",
    "PLANTED-JWT-SECRET-456",
    "PLANTED-PASSWORD-321",
    "svc-user",
]
READER = NginxReader()


def read(path: Path, root: Path = FIXTURES) -> GatewayConfig:
    return READER.read(path, ReadContext(root=root))


@pytest.fixture(scope="module")
def gateway() -> GatewayConfig:
    return read(GATEWAY / "nginx.conf", GATEWAY)


@pytest.fixture(scope="module")
def routes(gateway: GatewayConfig) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in gateway.routes}


# --------------------------------------------------------------------------- routes and matching


def test_only_locations_that_pass_to_a_backend_are_routes(routes: dict[str, GatewayRoute]) -> None:
    """`return`-only, file-serving, internal (the auth_request target) and unevaluated regex
    locations are not routes; nested locations are."""
    assert set(routes) == {
        "api.harbor.example:443 ^~ /v2/quotes/",
        "api.harbor.example:443 ~ ^/v1/admin/",
        "api.harbor.example:443 ~ ^/v2/policies/(?<policy_id>[0-9]+)$",
        "api.harbor.example:443 /internal/",
        "api.harbor.example:443 /legacy/",
        "api.harbor.example:443 /v1/",
        "api.harbor.example:443 /v2/claims/",
        "b2b.harbor.example:8443 /settlements/",
        "status.harbor.example:80 /status/",
    }


def test_location_matches_become_route_uris(routes: dict[str, GatewayRoute]) -> None:
    assert routes["api.harbor.example:443 /v2/claims/"].uris == ("/v2/claims/*",)  # string prefix
    assert routes["api.harbor.example:443 ^~ /v2/quotes/"].uris == ("/v2/quotes/*",)
    policies = routes["api.harbor.example:443 ~ ^/v2/policies/(?<policy_id>[0-9]+)$"]
    assert policies.uris == ("/v2/policies/:policy_id",)  # a simple regex: one segment parameter
    assert routes["api.harbor.example:443 ~ ^/v1/admin/"].uris == ("/v1/admin/*",)


def test_a_regex_that_is_not_a_plain_path_is_left_out_with_a_warning(gateway: GatewayConfig) -> None:
    assert (
        "conf.d/partner-api.conf:40: route api.harbor.example:443 ~ \\.php$: "
        "regex path \\.php$ not evaluated "
        "(not anchored at the start of the path)"
    ) in gateway.warnings


def test_hosts_come_from_server_name(routes: dict[str, GatewayRoute]) -> None:
    assert routes["api.harbor.example:443 /v2/claims/"].hosts == ("api.harbor.example",)
    settlements = routes["b2b.harbor.example:8443 /settlements/"]
    assert settlements.hosts == ("b2b.harbor.example", "partners.harbor.example", "*.partners.harbor.example")


def test_limit_except_with_deny_all_restricts_methods(routes: dict[str, GatewayRoute]) -> None:
    policies = routes["api.harbor.example:443 ~ ^/v2/policies/(?<policy_id>[0-9]+)$"]
    assert policies.methods == ("GET", "HEAD")
    assert routes["api.harbor.example:443 /v2/claims/"].methods == ()  # any method


def test_upstreams_are_resolved_and_credentials_stripped(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["api.harbor.example:443 /v2/claims/"]
    assert claims.upstream == "claims-a.internal:8080, claims-b.internal:8080"
    assert routes["api.harbor.example:443 ^~ /v2/quotes/"].upstream == "quotes.internal:9000"


def test_evidence_names_the_included_file_and_line(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["api.harbor.example:443 /v2/claims/"]
    assert (claims.evidence.path, claims.evidence.line) == ("conf.d/partner-api.conf", 18)
    assert (
        claims.evidence.excerpt
        == "location /v2/claims/ proxy_pass claims-a.internal:8080, claims-b.internal:8080"
    )


def test_deny_all_leaves_the_route_not_enabled(routes: dict[str, GatewayRoute]) -> None:
    assert routes["api.harbor.example:443 /legacy/"].is_enabled is False
    assert routes["api.harbor.example:443 /v2/claims/"].is_enabled is True


# --------------------------------------------------------------------------- authentication


@pytest.mark.parametrize(
    ("route_id", "expected"),
    [
        ("api.harbor.example:443 /v2/claims/", [(AuthKind.BEARER, "auth_request", None)]),
        ("api.harbor.example:443 ^~ /v2/quotes/", [(AuthKind.BASIC, "auth_basic", "header:Authorization")]),
        (
            "api.harbor.example:443 ~ ^/v2/policies/(?<policy_id>[0-9]+)$",
            [(AuthKind.BEARER, "auth_jwt", "header:x-api-token")],
        ),
        ("api.harbor.example:443 /v1/", []),
        ("api.harbor.example:443 ~ ^/v1/admin/", [(AuthKind.BASIC, "auth_basic", "header:Authorization")]),
        ("b2b.harbor.example:8443 /settlements/", [(AuthKind.MTLS, "ssl_verify_client", None)]),
    ],
)
def test_effective_authentication(
    routes: dict[str, GatewayRoute], route_id: str, expected: list[object]
) -> None:
    assert [(a.kind, a.scheme, a.location) for a in routes[route_id].auth] == expected


def test_optional_client_certificates_are_not_enforced(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["api.harbor.example:443 /v2/claims/"]
    assert AuthKind.MTLS not in {a.kind for a in claims.auth}
    [ref] = [p for p in claims.plugins if p.name == "ssl_verify_client"]
    assert (ref.attached_to, ref.evidence.note) == (
        "server",
        "a client certificate is optional: not enforced",
    )


def test_client_certificates_on_a_server_that_also_listens_in_plain_http_are_not_enforced(
    routes: dict[str, GatewayRoute],
) -> None:
    status = routes["status.harbor.example:80 /status/"]
    assert status.auth == ()
    [ref] = [p for p in status.plugins if p.name == "ssl_verify_client"]
    assert ref.evidence.note == "the server also listens without TLS: not enforced there"


def test_satisfy_any_with_an_allow_rule_counts_as_no_auth(routes: dict[str, GatewayRoute]) -> None:
    internal = routes["api.harbor.example:443 /internal/"]
    assert internal.auth == ()
    [satisfy] = [p for p in internal.plugins if p.name == "satisfy"]
    assert satisfy.evidence.note == "any one check suffices; allowed addresses need no credentials"
    assert {p.name for p in internal.plugins} >= {"allow", "deny", "auth_basic"}


# --------------------------------------------------------------------------- limits, logs, monitors


def test_limit_req_reads_rate_and_key_from_its_zone(routes: dict[str, GatewayRoute]) -> None:
    [limit] = routes["api.harbor.example:443 /v2/claims/"].rate_limits  # the location's replaces the server's
    assert (limit.plugin, limit.key, limit.limit, limit.window_seconds, limit.rejected_code) == (
        "limit_req",
        "http_x_partner_id",
        600,
        60,
        429,
    )
    assert (limit.evidence.path, limit.evidence.line) == ("conf.d/partner-api.conf", 20)


def test_server_limits_are_inherited_and_limit_conn_adds_a_concurrency_cap(
    routes: dict[str, GatewayRoute],
) -> None:
    [per_ip] = routes["api.harbor.example:443 ^~ /v2/quotes/"].rate_limits
    assert (per_ip.key, per_ip.limit, per_ip.window_seconds, per_ip.evidence.line) == (
        "binary_remote_addr",
        10,
        1,
        11,
    )
    policies = routes["api.harbor.example:443 ~ ^/v2/policies/(?<policy_id>[0-9]+)$"]
    assert [(p.plugin, p.key, p.limit, p.window_seconds, p.rejected_code) for p in policies.rate_limits] == [
        ("limit_req", "binary_remote_addr", 10, 1, 429),
        ("limit_conn", "binary_remote_addr", 10, None, 503),
    ]


def test_access_log_is_inherited_from_http_and_off_disables_it(routes: dict[str, GatewayRoute]) -> None:
    claims = routes["api.harbor.example:443 /v2/claims/"]
    assert claims.loggers == ("access_log",)
    [log] = [p for p in claims.plugins if p.name == "access_log"]
    assert (log.attached_to, log.evidence.path, log.evidence.line) == ("http", "nginx.conf", 11)
    assert routes["api.harbor.example:443 /internal/"].loggers == ()


def test_a_conditional_access_log_does_not_count(routes: dict[str, GatewayRoute]) -> None:
    status = routes["status.harbor.example:80 /status/"]
    assert status.loggers == ()
    [log] = [p for p in status.plugins if p.name == "access_log"]
    assert log.evidence.note == "logs only requests meeting its if= condition"


def test_request_id_passed_upstream_from_an_included_snippet_is_a_correlation_id(
    routes: dict[str, GatewayRoute],
) -> None:
    claims = routes["api.harbor.example:443 /v2/claims/"]
    assert claims.monitors == ("request-id",)
    [ref] = [p for p in claims.plugins if p.name == "proxy_set_header"]
    assert (ref.evidence.path, ref.evidence.line) == ("snippets/proxy-headers.conf", 3)


def test_dry_run_limits_reject_nothing_and_other_backends_are_routes() -> None:
    config = read(FIXTURES / "dry-run-and-conditional-log.conf")
    by_id = {route.route_id: route for route in config.routes}
    v1 = by_id["api.example.test:80 /v1/"]
    assert v1.rate_limits == () and v1.loggers == ()
    assert [p.evidence.note for p in v1.plugins if p.name == "limit_req"] == ["dry run: nothing is rejected"]
    assert by_id["api.example.test:80 /v2/"].loggers == ("access_log",)  # syslog, unconditional
    assert by_id["api.example.test:80 /v2/"].upstream == "orders.internal:50051"  # grpc_pass
    assert by_id["api.example.test:80 /v3/"].monitors == ("opentelemetry",)


def test_without_any_access_log_nginx_default_log_counts() -> None:
    [route] = read(FIXTURES / "no-access-log-declared.conf").routes
    assert route.loggers == ("access_log",)
    assert (route.uris, route.hosts) == (("/*",), ())


# --------------------------------------------------------------------------- includes


def test_includes_are_resolved_inside_the_folders_given(gateway: GatewayConfig) -> None:
    assert gateway.referenced_files == (
        "conf.d/mtls-partners.conf",
        "conf.d/partner-api.conf",
        "snippets/proxy-headers.conf",
    )
    assert (
        'nginx.conf:25: include "/etc/nginx/conf.d/*.conf" is outside the folders given: '
        "read from the same path under them"
    ) in gateway.warnings


def test_hostile_includes_never_leave_the_folders_given() -> None:
    config = read(FIXTURES / "hostile-includes.conf")
    assert config.referenced_files == ()
    assert [w for w in config.warnings if ': include "' in w] == [
        'hostile-includes.conf:3: include "../../../../../../etc/passwd" '
        "is not found inside the folders given: "
        "what it sets is not assessed",
        'hostile-includes.conf:4: include "/etc/shadow" '
        "is outside the folders given and not found under them: "
        "what it sets is not assessed",
        'hostile-includes.conf:5: include "/etc/nginx/mime.types" is outside the folders given and not found '
        "under them: what it sets is not assessed",
        'hostile-includes.conf:6: include "hostile-includes.conf" would include a file that includes it '
        "(a cycle): not followed",
    ]


def test_a_missing_include_is_warned_once_with_a_count(tmp_path: Path) -> None:
    conf = tmp_path / "site.conf"
    conf.write_text(
        "server {\n  listen 80;\n"
        + "".join(
            f"  location /s{i}/ {{ include snippets/proxy.conf; proxy_pass http://b; }}\n" for i in range(3)
        )
        + "}\n"
    )
    config = read(conf, tmp_path)
    assert config.warnings == (
        'site.conf:3: include "snippets/proxy.conf" (and 2 more place(s)) is not found inside the folders '
        "given: what it sets is not assessed",
    )


def test_a_broken_include_costs_only_that_include(tmp_path: Path) -> None:
    (tmp_path / "bad.conf").write_text("proxy_set_header X-A {\n")
    conf = tmp_path / "site.conf"
    conf.write_text("server {\n  listen 80;\n  location / { include bad.conf; proxy_pass http://b; }\n}\n")
    config = read(conf, tmp_path)
    assert len(config.routes) == 1
    assert config.warnings == (
        'site.conf:3: include "bad.conf" could not be parsed (bad.conf:1: unexpected end of file, '
        'expecting "}"): not read',
    )


# --------------------------------------------------------------------------- hostile and broken


def test_hostile_values_cost_their_setting_not_the_file() -> None:
    config = read(FIXTURES / "hostile-includes.conf")
    [route] = config.routes
    assert route.hosts == ()
    assert route.conditions == ("host matches ^(?<tenant>[a-z]+)\\.api\\.example\\.test$",)
    assert [(p.key, p.limit) for p in route.rate_limits] == [
        ("binary_remote_addr", 1e42),
        ("binary_remote_addr", None),
        (None, None),
        (None, None),
    ]
    assert route.upstream == "backend.internal:8080"
    warnings = "\n".join(config.warnings)
    assert "limit_req_zone rate is not N r/s or N r/m: rate unknown" in warnings
    assert "limit_req zone never_declared is not declared in the files given" in warnings
    assert "regex path ^/(a+)+$ not evaluated (not a plain path with whole-segment wildcards)" in warnings
    assert "regex path ^/x(?=y)/ not evaluated (RE2 refuses the pattern)" in warnings


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken-unclosed-block.conf", 'broken-unclosed-block.conf:6: unexpected end of file, expecting "}"'),
        ("broken-unexpected-brace.conf", 'broken-unexpected-brace.conf:7: unexpected "}"'),
        (
            "broken-unterminated-quote.conf",
            'broken-unterminated-quote.conf:4: unexpected end of file, expecting "}"',
        ),
    ],
)
def test_a_broken_file_fails_with_one_line_naming_file_and_line(name: str, message: str) -> None:
    with pytest.raises(NginxError) as raised:
        read(FIXTURES / name)
    assert str(raised.value) == message


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    conf = tmp_path / "deep.conf"
    conf.write_text("http {\n" + "location /a/ {\n" * 3000 + "}\n" * 3001)
    with pytest.raises(NginxError, match="nested too deeply"):
        read(conf, tmp_path)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    conf = tmp_path / "big.conf"
    conf.write_text("server {\n  listen 80;\n}\n" + "# padding\n" * 200)
    with pytest.raises(NginxError, match="over the 100-byte limit"):
        READER.read(conf, ReadContext(root=tmp_path, max_bytes=100))


def test_planted_secrets_reach_no_field(gateway: GatewayConfig) -> None:
    text = json.dumps(
        [gateway.model_dump(mode="json"), read(FIXTURES / "hostile-includes.conf").model_dump(mode="json")]
    )
    for secret in PLANTED:
        assert secret not in text


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("text", "is_nginx"),
    [
        ("server {\n  listen 80;\n  location / { proxy_pass http://b; }\n}\n", True),
        ("# upstreams\nupstream api { server 10.0.0.1:80; }\n", True),
        ("user nginx;\nevents {}\nhttp {\n}\n", True),
        (
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  nginx.conf: |\n"
            "    server {\n      listen 80;\n    }\n",
            False,
        ),
        ('{"server": {"listen": 80}}\n', False),
        ('10.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET /server { HTTP/1.1" 200 1\n', False),
        ("listen 80;\nserver_name example.test;\n", False),  # a snippet: no block of its own
    ],
)
def test_sniffing_judges_content_not_names(tmp_path: Path, text: str, is_nginx: bool) -> None:
    file = tmp_path / "site.conf"
    file.write_text(text)
    assert (detect_kind(file, read_head(file)) is SourceKind.NGINX) is is_nginx


def test_the_corpus_gateway_routes_by_prefix_with_rate_limiting_commented_out(corpus_dir: Path) -> None:
    folder = corpus_dir / "gateway" / "nginx"
    config = read(folder / "api-gateway.example.com.conf", folder)
    by_uri = {route.uris: route for route in config.routes}
    assert set(by_uri) == {
        (f"/{name}/*",)
        for name in ("auth", "users", "orders", "payments", "files", "analytics", "ws", "v1", "v2")
    }
    for route in config.routes:
        assert route.rate_limits == ()  # every limit_req is commented out
        assert route.auth == ()
        assert route.loggers == ("access_log",)
        assert route.hosts == ("api.example.com",)
        assert any(p.name == "cors" and p.evidence.note == "reflects any Origin" for p in route.plugins)
    payments = by_uri[("/payments/*",)]
    assert (payments.evidence.path, payments.evidence.line) == ("api-gateway.example.com.conf", 199)
    assert any("snippets/proxy-headers.conf" in warning for warning in config.warnings)


def test_locations_nginx_never_reaches_are_not_credited(tmp_path: Path) -> None:
    """nginx tries regexes after a plain prefix match and never after a `^~` one: a location that
    another always takes is no route, so its auth is not credited to requests it never sees."""
    conf = tmp_path / "order.conf"
    conf.write_text(
        "server {\n  listen 80;\n"
        "  location ~ ^/api/ { proxy_pass http://open; }\n"
        '  location /api/admin/ { auth_basic "admin"; proxy_pass http://admin; }\n'
        "  location ^~ /static/ { proxy_pass http://cdn; }\n"
        '  location ~ ^/static/private/ { auth_basic "p"; proxy_pass http://private; }\n'
        "  location /v1/ { proxy_pass http://v1; }\n"
        '  location ~ ^/v1/[0-9]+$ { auth_basic "v1"; proxy_pass http://v1; }\n'
        "}\n"
    )
    config = read(conf, tmp_path)
    assert sorted(route.route_id for route in config.routes) == [
        "_:80 /v1/",
        "_:80 ^~ /static/",
        "_:80 ~ ^/api/",
        "_:80 ~ ^/v1/[0-9]+$",
    ]
    assert config.warnings == (
        "order.conf:4: route _:80 /api/admin/ never serves a request: location ~ ^/api/ takes all of them "
        "(nginx location order)",
        "order.conf:6: route _:80 ~ ^/static/private/ never serves a request: location ^~ /static/ takes all "
        "of them (nginx location order)",
    )
