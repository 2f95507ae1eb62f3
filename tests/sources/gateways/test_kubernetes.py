"""The Kubernetes reader: Ingress paths and ingress-nginx annotations, Gateway API routes resolved
against their Gateways (in other files too), nothing secret kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, SourceKind
from riskscan.sources import HEAD_BYTES, ReadContext, detect_kind, read_head
from riskscan.sources.gateways.kubernetes import KubernetesError, KubernetesReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes"
READER = KubernetesReader()
PLANTED = [
    "PLANTED-ENV-PASSWORD-1",
    "PLANTED-HTPASSWD-HASH",
    "UExBTlRFRC1TRUNSRVQtREFUQQ",
    "PLANTED-CONFIGMAP-KEY",
    "PLANTED-AUTHURL-PASS",
    "PLANTED-SNIPPET-TOKEN",
    "PLANTED-HEADER-TOKEN",
    "PLANTED-FILTER-KEY",
    "PLANTED-NOT-A-NUMBER",
    "PLANTED-SERVER-SNIPPET",
    "UExBTlRFRC1KU09OLVNFQ1JFVA",
    "partner-basic-auth",
    "partner-ca",
]


def read(name: str) -> GatewayConfig:
    return READER.read(FIXTURES / name, ReadContext(root=FIXTURES))


def routes(name: str) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in read(name).routes}


@pytest.fixture(scope="module")
def partner() -> dict[str, GatewayRoute]:
    return routes("ingress-nginx-partner-api.yaml")


# --------------------------------------------------------------------------- Ingress paths


def test_each_ingress_path_is_a_route_with_its_host_and_backend(partner: dict[str, GatewayRoute]) -> None:
    assert list(partner) == [
        "partner/partner-api rule 0 path 0",
        "partner/partner-api rule 0 path 1",
        "partner/partner-api rule 0 path 2",
        "partner/partner-api rule 1 path 0",
        "partner/partner-regex rule 0 path 0",
        "partner/partner-regex rule 0 path 1",
        "partner/partner-regex defaultBackend",
    ]
    quotes = partner["partner/partner-api rule 0 path 0"]
    assert (quotes.gateway, quotes.name, quotes.hosts, quotes.methods) == (
        "ingress-nginx", "Ingress partner/partner-api", ("api.harbor.example",), ())
    assert quotes.upstream == "quotes:8080"
    assert partner["partner/partner-api rule 0 path 1"].upstream == "claims:http"  # a named port


def test_path_types_become_the_patterns_they_match(partner: dict[str, GatewayRoute]) -> None:
    assert partner["partner/partner-api rule 0 path 0"].uris == ("/v1/quotes",)  # Exact
    assert partner["partner/partner-api rule 0 path 1"].uris == ("/v1/claims", "/v1/claims/*")  # Prefix
    assert partner["partner/partner-api rule 0 path 2"].uris == ("/v1/docs*",)  # nginx string prefix
    assert partner["partner/partner-api rule 1 path 0"].uris == ("/*",)
    assert partner["partner/partner-regex defaultBackend"].uris == ("/*",)
    assert partner["partner/partner-regex defaultBackend"].hosts == ()


def test_route_evidence_names_file_line_and_pointer_in_a_multi_document_file(
    partner: dict[str, GatewayRoute],
) -> None:
    evidence = partner["partner/partner-api rule 0 path 1"].evidence
    assert (evidence.path, evidence.line, evidence.pointer) == (
        "ingress-nginx-partner-api.yaml", 72, "/spec/rules/0/http/paths/1")
    assert evidence.excerpt == "Ingress partner/partner-api rules/0/http/paths/1 /v1/claims (Prefix)"


def test_regex_paths_are_translated_only_when_plain(partner: dict[str, GatewayRoute]) -> None:
    assert partner["partner/partner-regex rule 0 path 0"].uris == ("/v1/users/:p1",)
    assert partner["partner/partner-regex rule 0 path 1"].uris == ("/v1/files", "/v1/files/*")
    warnings = read("ingress-nginx-partner-api.yaml").warnings
    assert any("regex path /v1/(reports|exports)+/.* not evaluated" in warning for warning in warnings)


# --------------------------------------------------------------------------- ingress-nginx annotations


def test_basic_auth_and_client_certificates_are_enforced(partner: dict[str, GatewayRoute]) -> None:
    claims = partner["partner/partner-api rule 0 path 1"]
    assert [(auth.kind, auth.scheme) for auth in claims.auth] == [
        (AuthKind.BASIC, "auth-type basic"), (AuthKind.MTLS, "auth-tls-verify-client")]


def test_client_certificates_count_only_on_hosts_served_over_tls(partner: dict[str, GatewayRoute]) -> None:
    status = partner["partner/partner-api rule 1 path 0"]
    assert [auth.kind for auth in status.auth] == [AuthKind.BASIC]
    warnings = read("ingress-nginx-partner-api.yaml").warnings
    assert any("only asked for over TLS" in warning for warning in warnings)


def test_external_auth_counts_as_a_bearer_check(partner: dict[str, GatewayRoute]) -> None:
    [auth] = partner["partner/partner-regex rule 0 path 0"].auth
    assert (auth.kind, auth.scheme) == (AuthKind.BEARER, "auth-url (external authentication)")


def test_rate_limits_count_per_client_address(partner: dict[str, GatewayRoute]) -> None:
    limits = partner["partner/partner-api rule 0 path 0"].rate_limits
    assert [(p.plugin, p.key, p.limit, p.window_seconds, p.rejected_code) for p in limits] == [
        ("limit-rps", "remote_addr", 10, 1, 503), ("limit-connections", "remote_addr", 20, None, 503)]
    assert limits[0].evidence.note == "bursts of 3x the rate allowed; 2 address range(s) exempt"
    assert limits[0].evidence.line == 48
    [per_minute] = partner["partner/partner-regex rule 0 path 0"].rate_limits
    assert (per_minute.limit, per_minute.window_seconds, per_minute.evidence.note) == (
        600, 60, "bursts of 5x the rate allowed")


def test_ingress_nginx_logs_unless_switched_off(partner: dict[str, GatewayRoute]) -> None:
    assert partner["partner/partner-api rule 0 path 0"].loggers == ("ingress-nginx-access-log",)
    assert partner["partner/partner-regex rule 0 path 0"].loggers == ()
    assert partner["partner/partner-api rule 0 path 0"].monitors == ("opentelemetry",)


def test_allow_lists_cors_and_snippets_are_kept_as_plugin_references(
    partner: dict[str, GatewayRoute],
) -> None:
    plugins = partner["partner/partner-api rule 0 path 0"].plugins
    assert {"allowlist-source-range", "enable-cors", "limit-whitelist"} <= {ref.name for ref in plugins}
    assert {ref.attached_to for ref in plugins} == {"ingress annotation"}
    regex_names = {ref.name for ref in partner["partner/partner-regex rule 0 path 0"].plugins}
    assert "configuration-snippet" in regex_names
    assert any("configuration-snippet holds NGINX directives that are not evaluated" in warning
               for warning in read("ingress-nginx-partner-api.yaml").warnings)


def test_secrets_and_configmaps_are_counted_never_read() -> None:
    warnings = " ".join(read("ingress-nginx-partner-api.yaml").warnings)
    assert "2 Secret/ConfigMap object(s) not read into routes" in warnings


def test_v1beta1_shapes_are_read() -> None:
    legacy = routes("ingress-v1beta1-legacy.yaml")
    api = legacy["default/legacy-portal rule 0 path 0"]
    assert (api.uris, api.upstream, api.hosts) == (("/api*",), "portal-api:8080", ("portal.harbor.example",))
    assert legacy["default/legacy-portal rule 0 path 1"].uris == ("/*",)  # no path: every path
    assert legacy["default/legacy-portal backend"].upstream == "portal-default:80"
    assert [policy.limit for policy in api.rate_limits] == [5]


def test_a_list_and_other_controllers() -> None:
    config = read("ingress-list-other-controllers.json")
    by_id = {route.route_id: route for route in config.routes}
    web = by_id["shop/web rule 0 path 0"]
    assert (web.gateway, web.auth, web.loggers) == ("kubernetes-ingress", (), ())  # nginx annotations ignored
    assert web.evidence.pointer == "/items/0/spec/rules/0/http/paths/0"
    assert any("class traefik" in warning for warning in config.warnings)
    orders = by_id["shop/nginx-api rule 0 path 0"]  # no class, ingress-nginx annotations: ingress-nginx
    assert (orders.gateway, orders.hosts) == ("ingress-nginx", ())
    assert [policy.limit for policy in orders.rate_limits] == [120]


# --------------------------------------------------------------------------- Gateway API


@pytest.fixture(scope="module")
def gateway_routes() -> GatewayConfig:
    folder = FIXTURES / "gateway-api"
    return READER.read(folder / "routes.yaml", ReadContext(root=folder))


def test_httproute_matches_resolve_against_a_gateway_in_another_file(gateway_routes: GatewayConfig) -> None:
    by_id = {route.route_id: route for route in gateway_routes.routes}
    claims = by_id["claims/claims rule 0 match 0"]
    assert (claims.gateway, claims.methods) == ("gateway-api", ("GET",))
    assert claims.uris == ("/v2/claims", "/v2/claims/*")
    assert claims.hosts == ("api.partners.harbor.example",)  # api.other.example is not on the listener
    assert [(a.kind, a.scheme) for a in claims.auth] == [(AuthKind.MTLS, "listener frontend validation")]
    assert claims.upstream == "claims:8080, claims/claims-canary:8080"
    assert (claims.evidence.path, claims.evidence.line) == ("routes.yaml", 17)


def test_httproute_headers_become_conditions_with_credentials_hidden(gateway_routes: GatewayConfig) -> None:
    search = {route.route_id: route for route in gateway_routes.routes}["claims/claims rule 0 match 1"]
    assert (search.uris, search.methods) == (("/v2/claims/search",), ("POST",))
    assert search.conditions == ("header Authorization == [REDACTED]", "header x-env == sandbox")


def test_httproute_filters_are_plugin_references(gateway_routes: GatewayConfig) -> None:
    claims = {route.route_id: route for route in gateway_routes.routes}["claims/claims rule 0 match 0"]
    assert [(ref.name, ref.attached_to) for ref in claims.plugins] == [
        ("RequestHeaderModifier", "httproute rule"), ("ExtensionRef RateLimitFilter", "httproute rule")]


def test_httproute_regex_and_port_parents(gateway_routes: GatewayConfig) -> None:
    by_id = {route.route_id: route for route in gateway_routes.routes}
    assert by_id["claims/claims rule 1 match 0"].uris == ("/v2/claims/:p1/notes",)
    assert "claims/claims rule 2 match 0" not in by_id
    expected = "regex path /v2/(claims|policies)/.*/export not evaluated"
    assert any(expected in warning for warning in gateway_routes.warnings)
    status = by_id["claims/status rule 0 match 0"]  # port 80: the plain HTTP listener, no client certificates
    assert (status.uris, status.hosts, status.auth) == (("/*",), ("status.harbor.example",), ())


def test_httproute_unknown_parent_and_unassessed_kinds_are_warned(gateway_routes: GatewayConfig) -> None:
    orphaned = {route.route_id: route for route in gateway_routes.routes}["claims/orphaned rule 0 match 0"]
    assert orphaned.hosts == ()
    text = " ".join(gateway_routes.warnings)
    assert "parent Gateway claims/retired-gateway is not in the files given" in text
    assert "GRPCRoute objects" not in text  # read as routes (test_gateway_api_grpc); this one has no rules
    assert "implementation policies, which are not read" in text


def test_a_listener_admitting_only_its_namespace_takes_no_other_route(tmp_path: Path) -> None:
    gateway = (FIXTURES / "gateway-api" / "gateway.yaml").read_text(encoding="utf-8")
    route = (
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: apps}\n"
        "spec:\n  parentRefs: [{name: edge, namespace: infra, sectionName: infra-only}]\n"
        "  rules: [{backendRefs: [{name: s, port: 80}]}]\n"
    )
    (tmp_path / "all.yaml").write_text(gateway + "---\n" + route, encoding="utf-8")
    config = READER.read(tmp_path / "all.yaml", ReadContext(root=tmp_path))
    assert config.routes == ()
    assert any("no listener of its parent Gateways takes it" in warning for warning in config.warnings)


# --------------------------------------------------------------------------- broken and hostile


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken-malformed-second-document.yaml",
         "broken-malformed-second-document.yaml:13: malformed YAML: while parsing a flow mapping"),
        ("broken-alias-bomb.yaml", "broken-alias-bomb.yaml:11: refused YAML: aliases expand to over"),
        ("broken-truncated.yaml", "broken-truncated.yaml:8: malformed YAML: while scanning a quoted scalar"),
    ],
)
def test_broken_files_fail_with_one_line_naming_file_and_line(name: str, message: str) -> None:
    with pytest.raises(KubernetesError) as caught:
        read(name)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_wrong_types_cost_only_their_entry() -> None:
    config = read("hostile-wrong-types.yaml")
    [route] = config.routes
    assert (route.route_id, route.uris) == ("partner/odd rule 0 path 1", ("/ok", "/ok/*"))
    assert route.rate_limits == () and route.auth == ()
    text = " ".join(config.warnings)
    for expected in (
        "document 2 (line 35) is not a Kubernetes object", "limit-rps is not a plausible whole number",
        "limit-rpm is not a plausible whole number", "limit-connections is not a number",
        "auth-type basic without auth-secret", "paths/0 is not a mapping", "unknown pathType Glob",
        "path does not start with '/'", "spec.rules is not a list", "has no kind",
    ):
        assert expected in text


def test_a_manifest_without_routing_objects_routes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ingress-crd.yaml"
    path.write_text("apiVersion: example.com/v1\nkind: Ingress\nmetadata: {name: x}\n", encoding="utf-8")
    config = READER.read(path, ReadContext(root=tmp_path))
    assert (config.routes, config.has_routing, config.clear_secrets) == ((), False, ())
    assert config.warnings == (
        "no Ingress, HTTPRoute, GRPCRoute, Gateway or IngressRoute: checked for credentials in clear only",
    )


def test_a_manifest_of_no_object_fails(tmp_path: Path) -> None:
    path = tmp_path / "strings.yaml"
    path.write_text("--- [a, list]\n--- plain text\n", encoding="utf-8")
    with pytest.raises(KubernetesError, match="no Kubernetes object in the manifest"):
        READER.read(path, ReadContext(root=tmp_path))


@pytest.mark.parametrize("name", sorted(
    str(path.relative_to(FIXTURES)) for path in FIXTURES.rglob("*") if path.suffix in (".yaml", ".json")
    and "estate" not in path.parts))
def test_no_planted_secret_reaches_the_model_or_an_error(name: str) -> None:
    try:
        shown = read(name).model_dump_json()
    except SourceError as error:  # KubernetesError, or a template skipped as it stands
        shown = str(error)
    for secret in PLANTED:
        assert secret not in shown


# --------------------------------------------------------------------------- sniffing


def test_manifests_are_recognised_by_content(tmp_path: Path) -> None:
    for name in ("ingress-nginx-partner-api.yaml", "ingress-list-other-controllers.json",
                 "gateway-api/routes.yaml"):
        disguised = tmp_path / (name.replace("/", "-") + ".txt")
        disguised.write_bytes((FIXTURES / name).read_bytes())
        assert detect_kind(disguised, read_head(disguised)) is SourceKind.KUBERNETES


def test_a_routing_object_after_a_long_helm_render_is_found(tmp_path: Path) -> None:
    filler = "".join(
        f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s{index}\nspec:\n  ports: [{{port: 80}}]\n"
        for index in range(HEAD_BYTES // 60)
    )
    path = tmp_path / "render.yaml"
    path.write_text(filler + (FIXTURES / "ingress-v1beta1-legacy.yaml").read_text(encoding="utf-8"), "utf-8")
    assert detect_kind(path, read_head(path)) is SourceKind.KUBERNETES
    assert len(READER.read(path, ReadContext(root=tmp_path)).routes) == 3


def test_manifests_without_routing_objects_are_claimed_for_their_secrets(tmp_path: Path) -> None:
    path = tmp_path / "deploy.yaml"
    path.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", encoding="utf-8")
    assert detect_kind(path, read_head(path)) is SourceKind.KUBERNETES


# --------------------------------------------------------------------------- the shared corpus


def test_corpus_ingress_nginx_client_certificates(corpus_dir: Path) -> None:
    folder = corpus_dir / "gateway" / "kubernetes" / "ingress-nginx"
    config = READER.read(folder / "client-certs-ingress.yaml", ReadContext(root=corpus_dir))
    [route] = config.routes
    assert (route.uris, route.hosts, route.upstream) == (("/*",), ("mydomain.com",), "http-svc:80")
    assert [auth.kind for auth in route.auth] == [AuthKind.MTLS]
    assert route.loggers == ("ingress-nginx-access-log",)
    assert route.evidence.path == "gateway/kubernetes/ingress-nginx/client-certs-ingress.yaml"


def test_corpus_gateway_api_examples(corpus_dir: Path) -> None:
    folder = corpus_dir / "gateway" / "kubernetes" / "gateway-api"
    context = ReadContext(root=corpus_dir, allowed_roots=(folder,))
    basic = READER.read(folder / "basic-http.yaml", context)
    assert [(r.uris, r.methods, r.hosts) for r in basic.routes] == [
        (("/bar", "/bar/*"), (), ("foo.com",)), (("/some/thing", "/some/thing/*"), ("GET",), ("foo.com",))]
    assert basic.routes[1].conditions == ("header magic == foo", "query great == example")
    split = folder / "http-routing"
    foo = READER.read(split / "foo-httproute.yaml", context)
    assert [(r.uris, r.hosts) for r in foo.routes] == [(("/login", "/login/*"), ("foo.example.com",))]
    assert not any("not in the files given" in warning for warning in foo.warnings)  # gateway.yaml has it
    bar = READER.read(split / "bar-httproute.yaml", context)
    assert [(r.uris, r.conditions, r.upstream) for r in bar.routes] == [
        (("/*",), ("header env == canary",), "bar-svc-canary:8080"), (("/*",), (), "bar-svc:8080")]


# --------------------------------------------------------------------------- satisfy any


def satisfy_any(tmp_path: Path, extra: str) -> GatewayRoute:
    path = tmp_path / "any.yaml"
    path.write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n"
        "    nginx.ingress.kubernetes.io/satisfy: any\n"
        "    nginx.ingress.kubernetes.io/auth-type: basic\n"
        "    nginx.ingress.kubernetes.io/auth-secret: default/basic\n"
        "    nginx.ingress.kubernetes.io/auth-url: https://auth.example/check\n" + extra +
        "spec:\n  ingressClassName: nginx\n  rules:\n    - http:\n        paths:\n"
        "          - {path: /a, pathType: Exact, backend: {service: {name: a, port: {number: 80}}}}\n",
        encoding="utf-8",
    )
    [route] = READER.read(path, ReadContext(root=tmp_path)).routes
    return route


def test_satisfy_any_counts_only_the_weakest_alternative(tmp_path: Path) -> None:
    assert [auth.scheme for auth in satisfy_any(tmp_path, "").auth] == ["auth-type basic"]


def test_satisfy_any_with_an_allow_list_is_no_authentication(tmp_path: Path) -> None:
    extra = "    nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/8\n"
    assert satisfy_any(tmp_path, extra).auth == ()


# --------------------------------------------------------------------------- client certificates, more shapes


def test_optional_client_certificates_enforce_nothing(tmp_path: Path) -> None:
    text = (FIXTURES / "ingress-nginx-partner-api.yaml").read_text(encoding="utf-8")
    path = tmp_path / "optional.yaml"
    path.write_text(text.replace('verify-client: "on"', 'verify-client: "optional"'), encoding="utf-8")
    by_id = {route.route_id: route for route in READER.read(path, ReadContext(root=tmp_path)).routes}
    assert [auth.kind for auth in by_id["partner/partner-api rule 0 path 1"].auth] == [AuthKind.BASIC]


GATEWAY_LEVEL = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: apps}
spec:
  gatewayClassName: c
  tls:
    frontend:
      default:
        validation: {caCertificateRefs: [{kind: ConfigMap, name: ca}]}
      perPort:
        - port: 8443
          tls:
            validation: {caCertificateRefs: [{kind: ConfigMap, name: ca}], mode: AllowInsecureFallback}
  listeners:
    - {name: strict, protocol: HTTPS, port: 443, tls: {mode: Terminate}}
    - {name: lenient, protocol: HTTPS, port: 8443, tls: {mode: Terminate}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: apps}
spec:
  parentRefs: [{name: edge, sectionName: SECTION}]
  hostnames: [api.example]
  rules: [{backendRefs: [{name: s, port: 80}]}]
"""


@pytest.mark.parametrize(("section", "kinds"), [("strict", [AuthKind.MTLS]), ("lenient", [])])
def test_gateway_level_client_validation_and_its_insecure_fallback(
    tmp_path: Path, section: str, kinds: list[AuthKind]
) -> None:
    path = tmp_path / "gw.yaml"
    path.write_text(GATEWAY_LEVEL.replace("SECTION", section), encoding="utf-8")
    [route] = READER.read(path, ReadContext(root=tmp_path)).routes
    assert [auth.kind for auth in route.auth] == kinds
    assert route.hosts == ("api.example",)


def test_a_gateway_outside_the_folders_given_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "gateway.yaml").write_text(GATEWAY_LEVEL.split("---\n")[0], encoding="utf-8")
    inside = tmp_path / "team"
    inside.mkdir()
    (inside / "route.yaml").write_text(GATEWAY_LEVEL.split("---\n")[1].replace("SECTION", "strict"), "utf-8")
    confined = READER.read(inside / "route.yaml", ReadContext(root=inside, allowed_roots=(inside,)))
    assert confined.routes[0].auth == ()
    assert any("not in the files given" in warning for warning in confined.warnings)
    whole = READER.read(inside / "route.yaml", ReadContext(root=tmp_path, allowed_roots=(tmp_path,)))
    assert [auth.kind for auth in whole.routes[0].auth] == [AuthKind.MTLS]
