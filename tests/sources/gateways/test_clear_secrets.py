"""Credentials written in clear, found by every gateway reader by place (file, line, JSON pointer):
a planted value never reaches the model, and a reference (`filename:`, `${VAR}`, SDS) never counts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from riskscan.model import GatewayConfig, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.apisix import ApisixReader
from riskscan.sources.gateways.aws.reader import AwsApiGatewayReader
from riskscan.sources.gateways.aws.secrets import clear_secret_pointers as aws_clear_secret_pointers
from riskscan.sources.gateways.envoy import EnvoyReader
from riskscan.sources.gateways.envoy_secrets import clear_secret_pointers as envoy_clear_secret_pointers
from riskscan.sources.gateways.kong import KongReader
from riskscan.sources.gateways.kong_exposure import clear_secret_pointers as kong_clear_secret_pointers
from riskscan.sources.gateways.kubernetes import KubernetesReader
from riskscan.sources.gateways.nginx import NginxReader
from riskscan.sources.gateways.traefik import TraefikReader
from riskscan.sources.gateways.traefik_secrets import clear_secret_pointers as traefik_clear_secret_pointers
from riskscan.sources.gateways.url_credentials import is_credential_header, url_credential

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _envoy(name: str) -> GatewayConfig:
    path = FIXTURES / "envoy" / "secrets" / name
    return EnvoyReader().read(path, ReadContext(root=path.parent))


def _places(config: GatewayConfig) -> list[tuple[int | None, str | None]]:
    assert config.clear_secrets is not None, "the reader checks secrets"
    return [(item.line, item.pointer) for item in config.clear_secrets]


@pytest.mark.parametrize(("url", "what"), [
    ("https://ingest:hunter2@logs.example/bulk", "password in a URL"),
    ("https://glc_TOKEN@sentry.example/42", "credential in a URL's user name"),
    ("https://collector.example/v1?api_key=abc123&site=eu", "api_key in a URL query"),
    ("https://blob.example/logs?sv=2021&SIG=abc%2Bdef", "sig in a URL query"),
])
def test_a_url_with_a_credential_is_named_by_kind_never_by_value(url: str, what: str) -> None:
    assert url_credential(url) == what


@pytest.mark.parametrize("url", [
    "https://logs.example/bulk", "https://${LOG_USER}:${LOG_PASS}@logs.example/",
    "https://logs.example/?token={{ env \"LOG_TOKEN\" }}", "https://logs.example/?token=",
    "https://logs.example/?api_key=$env://LOG_KEY", "not a url ?token=x", "http://[::1",
    "syslog:server=10.0.0.1",
])
def test_a_url_without_a_literal_credential_is_clean(url: str) -> None:
    assert url_credential(url) is None


def test_credential_headers_are_told_from_cors_and_plain_ones() -> None:
    assert all(is_credential_header(name)
               for name in ("Authorization", "X-Api-Key", "DD-API-KEY", "x-auth-token"))
    assert not any(is_credential_header(name)
                   for name in ("x-tenant", "Access-Control-Allow-Headers", "accept"))


def test_envoy_records_each_inline_credential_by_its_pointer() -> None:
    listener = "/static_resources/listeners/0/filter_chains/0"
    manager = f"{listener}/filters/0/typed_config"
    assert _places(_envoy("clear-secrets.yaml")) == [
        (8, "/static_resources/secrets/0/generic_secret/secret/inline_string"),  # the OAuth2 HMAC secret
        (22, f"{listener}/transport_socket/typed_config/session_ticket_keys/keys/0/inline_bytes"),
        (27, f"{listener}/transport_socket/typed_config/common_tls_context/tls_certificates/0/private_key/"
             "inline_string"),
        (45, f"{manager}/tracing/provider/typed_config/grpc_service/initial_metadata/0/value"),
        (50, f"{manager}/tracing/provider/typed_config/http_service/http_uri/uri"),
        (76, f"{manager}/http_filters/1/typed_config/users/inline_string"),  # htpasswd lines
    ]  # not the JWT provider's inline JWKS (public keys), nor the SDS secret from the environment


def test_envoy_references_are_checked_and_clean() -> None:
    config = _envoy("references-only.yaml")
    assert config.clear_secrets == ()
    assert not any("inline secret" in warning for warning in config.warnings)


def test_envoy_secrets_are_kept_by_place_only() -> None:
    text = _envoy("clear-secrets.yaml").model_dump_json()
    assert "PLANTED" not in text
    assert "PUBLIC-JWKS" not in text


def _kong(folder: str, name: str) -> GatewayConfig:
    path = FIXTURES / "kong" / folder / name
    return KongReader().read(path, ReadContext(root=path.parent))


@pytest.mark.parametrize(("name", "pointer", "line"), [
    ("key-auths.json", "/data/0/key", 6),  # not /data/1/key: a {vault://} reference
    ("basic-auths.json", "/data/0/password", 7),
    ("jwts.json", "/data/0/secret", 7),  # not its `key`: that is the issuer
    ("certificates.json", "/data/0/key", 6),  # not the second certificate's vault-held key
])
def test_kong_admin_credential_exports_are_read_for_secrets_only(name: str, pointer: str, line: int) -> None:
    config = _kong("admin-credentials", name)
    assert _places(config) == [(line, pointer)]
    assert config.routes == ()
    assert "PLANTED" not in config.model_dump_json()


def test_kong_admin_plugins_export_shares_deck_rules_and_a_clean_export_is_checked() -> None:
    assert _places(_kong("admin-export", "plugins.json")) == [(12, "/data/0/config/client_secret/0")]
    assert _places(_kong("admin-export", "services.json")) == []
    assert _places(_kong("admin-export", "routes.json")) == []


def _kubernetes(name: str) -> GatewayConfig:
    path = FIXTURES / "kubernetes" / "secrets" / name
    return KubernetesReader().read(path, ReadContext(root=path.parent))


def test_kubernetes_secret_objects_and_annotation_credentials_are_recorded_by_place() -> None:
    config = _kubernetes("secret-beside-ingress.yaml")
    assert _places(config) == [
        (9, "/data"),  # the basic-auth Secret (base64 is not encryption)
        (29, "/items/0/stringData"),  # the TLS Secret inside a List; not the empty one, nor the ConfigMap
        (44, "/metadata/annotations/nginx.ingress.kubernetes.io~1auth-url"),
        (45, "/metadata/annotations/nginx.ingress.kubernetes.io~1configuration-snippet"),
    ]
    text = config.model_dump_json()
    assert "PLANTED" not in text and "UExBTlRFRC1" not in text  # neither the value nor its base64
    assert "partner-basic-auth" not in text  # nor the Secret's name, which an annotation may point at


def test_kubernetes_header_filter_with_a_literal_token_counts() -> None:
    assert _places(_kubernetes("header-filter-token.yaml")) == [
        (16, "/spec/rules/0/filters/0/requestHeaderModifier/set/0/value")]


def test_kubernetes_templates_and_forwarded_headers_are_references() -> None:
    assert _places(_kubernetes("references-only.yaml")) == []


def _traefik(folder: str) -> GatewayConfig:
    path = FIXTURES / "traefik" / "secrets" / folder / "dynamic.yaml"
    return TraefikReader().read(path, ReadContext(root=path.parent, allowed_roots=(path.parent,)))


def test_traefik_dynamic_and_static_credentials_are_recorded_by_place() -> None:
    config = _traefik("in-clear")
    assert [(item.path, item.line, item.pointer) for item in config.clear_secrets or ()] == [
        ("dynamic.yaml", 18, "/http/middlewares/partner-auth/basicAuth/users"),
        ("dynamic.yaml", 22, "/http/middlewares/sso/forwardAuth/address"),
        ("dynamic.yaml", 26, "/http/middlewares/upstream-token/headers/customRequestHeaders/Authorization"),
        ("dynamic.yaml", 36, "/tls/certificates/0/keyFile"),  # not the second one: a path
        ("dynamic.yaml", 46, "/tls/stores/default/defaultCertificate/keyFile"),
        ("traefik.yml", 10, "/providers/http/endpoint"),
        ("traefik.yml", 18, "/certificatesResolvers/sectigo/acme/eab/hmacEncoded"),
        ("traefik.yml", 24, "/metrics/influxDB2/token"),
        ("traefik.yml", 32, "/tracing/otlp/http/headers/X-Api-Key"),
    ]
    assert "PLANTED" not in config.model_dump_json()


def test_traefik_users_files_templates_and_key_paths_are_references() -> None:
    assert _places(_traefik("references")) == []


def test_nginx_arguments_that_are_urls_with_credentials_count() -> None:
    path = FIXTURES / "nginx" / "secrets" / "exporter-urls.conf"
    config = NginxReader().read(path, ReadContext(root=path.parent))
    assert [(item.line, item.excerpt) for item in config.clear_secrets or ()] == [
        (6, "endpoint"), (16, "proxy_pass")]  # not `access_log syslog:`, which has no place for one
    clean = FIXTURES / "nginx" / "secrets" / "no-credentials.conf"
    assert NginxReader().read(clean, ReadContext(root=clean.parent)).clear_secrets == ()


def test_apisix_logger_urls_headers_and_tokens_count_but_references_do_not() -> None:
    folder = FIXTURES / "apisix" / "secrets"
    config = ApisixReader().read(folder / "logger-credentials.yaml", ReadContext(root=folder))
    assert _places(config) == [
        (8, "/routes/0/plugins/http-logger/uri"),
        (12, "/routes/0/plugins/loki-logger/headers/Authorization"),  # not X-Scope-OrgID
        (17, "/routes/0/plugins/splunk-hec-logging/endpoint/token"),
        (21, "/routes/0/plugins/proxy-rewrite/headers/set/X-Api-Key"),  # sent to the upstream
    ]  # not the kafka-logger's $env:// password
    clean = ApisixReader().read(folder / "loggers-without-credentials.yaml", ReadContext(root=folder))
    assert _places(clean) == []


def test_kong_credential_headers_count_in_maps_and_transformer_lines() -> None:
    plugins = {"plugins": [
        {"name": "request-transformer", "config": {
            "add": {"headers": ["Authorization:Bearer abc", "X-Env:prod", "X-Api-Key:$(headers.x_key)"]},
            "remove": {"headers": ["Authorization"]}}},
        {"name": "http-log", "config": {
            "http_endpoint": "https://logs.example/", "headers": {
                "Authorization": "Basic abc", "X-Env": "prod", "X-Api-Key": "{vault://env/log-key}"}}},
    ]}
    assert kong_clear_secret_pointers(plugins) == [
        ("/plugins/0/config/add/headers/0", "authorization header"),
        ("/plugins/1/config/headers/Authorization", "authorization header"),
    ]


def _nested(depth: int) -> object:
    node: object = {"private_key": {"inline_string": "PLANTED-DEEP"}}
    for _ in range(depth):
        node = {"a": [node]}
    return node


@pytest.mark.parametrize("walk", [envoy_clear_secret_pointers, traefik_clear_secret_pointers])
def test_hostile_shapes_cost_nothing_but_their_own_entry(
    walk: Callable[[object], list[tuple[str, str]]],
) -> None:
    wrong_types = {"private_key": {"inline_string": 42}, "users": "not a data source", "keyFile": 7,
                   "basicAuth": {"users": "partner:hash"}, "headers": {"Authorization": None}, "token": ["x"],
                   "uri": "https://user:" + "p" * 9000 + "@too.long.example"}
    assert walk(wrong_types) == []
    assert walk(_nested(500)) == []  # past the depth limit: not walked, no recursion error
    many = {"secrets": [{"token": f"t{index}", "private_key": {"inline_string": "k"}}
                        for index in range(500)]}
    assert len(walk(many)) == 200  # capped per file


def test_hostile_kubernetes_secret_shapes(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ndata: not-a-map\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: b}\ndata: {n: 12345678901234567890, e: ''}\n---\n"
        "apiVersion: v1\nkind: List\nitems: [1, {kind: Secret, stringData: [x]}]\n---\n"
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n"
        "  annotations: {a: 5, b: [https://u:p@h/]}\nspec:\n  rules: [{host: api.example}]\n",
        encoding="utf-8")
    assert _places(KubernetesReader().read(path, ReadContext(root=tmp_path))) == []


def test_kong_credential_exports_are_recognised_but_lookalikes_are_not(tmp_path: Path) -> None:
    for name in ("key-auths.json", "basic-auths.json", "jwts.json", "certificates.json"):
        path = FIXTURES / "kong" / "admin-credentials" / name
        assert detect_kind(path, read_head(path)) is SourceKind.KONG, name
    lookalike = tmp_path / "orders.json"  # an API's own paged response, not a Kong entity list
    lookalike.write_text('{"data": [{"consumer": "acme", "key": "order-1", "total": 3}]}', encoding="utf-8")
    assert detect_kind(lookalike, read_head(lookalike)) is not SourceKind.KONG


def _aws(name: str) -> GatewayConfig:
    path = FIXTURES / "aws" / "secrets" / name
    return AwsApiGatewayReader().read(path, ReadContext(root=path.parent)).gateway


def test_aws_templates_record_api_keys_static_headers_stage_variables_and_urls() -> None:
    method = "/Resources/ClaimsGet/Properties/Integration"
    config = _aws("template-in-clear.yaml")
    assert _places(config) == [
        (26, f"{method}/Uri"),
        (28, f"{method}/RequestParameters/integration.request.header.Authorization"),  # not X-Caller
        (37, "/Resources/Prod/Properties/Variables/backendPassword"),  # not backendHost
        (48, "/Resources/PartnerKey/Properties/Value"),
    ]
    assert "PLANTED" not in config.model_dump_json()


def test_aws_dynamic_references_intrinsics_and_mapped_headers_are_not_secrets() -> None:
    assert _places(_aws("template-references.yaml")) == []
    http_api = {"Integration": {"RequestParameters": {
        "overwrite:header.x-api-key": "abc", "append:header.Authorization": "$request.header.Authorization"}}}
    pointer = "/Integration/RequestParameters/overwrite:header.x-api-key"
    assert aws_clear_secret_pointers(http_api) == [(pointer, "x-api-key header sent with a static value")]
