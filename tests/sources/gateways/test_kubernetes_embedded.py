"""Gateway configurations held in Kubernetes ConfigMaps are read as the files they are mounted as: an APISIX
config.yaml's Admin API and TLS settings, a kong.conf's Admin API, a DB-less decK file's routes, each
cited at the manifest's line with the key's pointer. A broken value costs itself, not the manifest; a
value holding a manifest is not read again; no planted credential reaches the JSON, the HTML or the log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskscan.model import Assessment, Finding, InputFile, InputStatus, SourceKind
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources import ReadContext
from riskscan.sources.gateways.kubernetes import KubernetesReader
from tests.controls.conftest import scan_and_log

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EMBEDDED = FIXTURES / "kubernetes" / "embedded"


def findings(assessment: Assessment, code: str) -> list[Finding]:
    return [finding for finding in assessment.findings if finding.code == code]


def scanned(tmp_path: Path, *files: Path) -> Assessment:
    for file in files:
        shutil.copy(file, tmp_path / file.name)
    return scan(ScanOptions(paths=(tmp_path,)))


def record(assessment: Assessment, path: str) -> InputFile:
    return next(item for item in assessment.inputs if item.path == path)


def test_apisix_config_yaml_from_the_helm_chart_shows_its_admin_api_tls_and_etcd_password(
    tmp_path: Path,
) -> None:
    assessment = scanned(tmp_path, EMBEDDED / "apisix-helm.yaml")
    [default_key] = findings(assessment, "FUNC_ADMIN_DEFAULT_KEY")
    assert [(e.path, e.line, e.pointer) for e in default_key.evidence] == [
        ("apisix-helm.yaml", 55, "/data/config.yaml"), ("apisix-helm.yaml", 58, "/data/config.yaml")]
    assert "in ConfigMap ingress-apisix/apisix, config.yaml at /deployment/admin/admin_key/0/key" in (
        default_key.evidence[0].note or "")
    [network] = findings(assessment, "FUNC_ADMIN_API_NETWORK")
    assert [(e.path, e.line) for e in network.evidence] == [("apisix-helm.yaml", 48)]
    [legacy] = findings(assessment, "TLS_LEGACY_VERSIONS")
    [tls] = legacy.evidence
    assert (tls.path, tls.line, tls.pointer) == ("apisix-helm.yaml", 37, "/data/config.yaml")
    assert "TLSv1.1" in legacy.detail
    [secret] = findings(assessment, "SECRET_IN_CLEAR")
    assert [(e.path, e.line, e.pointer) for e in secret.evidence] == [
        ("apisix-helm.yaml", 66, "/data/config.yaml")]
    manifest = record(assessment, "apisix-helm.yaml")
    assert (manifest.status, manifest.kind) == (InputStatus.USED, SourceKind.KUBERNETES)
    assert manifest.message is not None
    assert manifest.message.startswith(
        "ConfigMap ingress-apisix/apisix, config.yaml: read as an APISIX config.yaml")


def test_dbless_kong_routes_come_from_the_embedded_deck_file_and_kong_conf_applies_to_them(
    tmp_path: Path,
) -> None:
    assessment = scanned(tmp_path, EMBEDDED / "kong-helm-dbless.yaml")
    keys = {endpoint.key for endpoint in assessment.inventory.endpoints}
    assert {"GET /v2/claims*", "POST /v2/claims*", "* /v1/quotes*"} <= keys
    claims = next(e for e in assessment.inventory.endpoints if e.key == "POST /v2/claims*")
    assert [(e.path, e.line, e.pointer) for e in claims.evidence][:1] == [
        ("kong-helm-dbless.yaml", 21, "/data/kong.yml")]
    assert claims.rate_limit.enforced and claims.auth.effective.value == "api_key"
    [admin] = findings(assessment, "FUNC_ADMIN_API_UNAUTHENTICATED")
    assert [(e.path, e.line, e.pointer) for e in admin.evidence] == [
        ("kong-helm-dbless.yaml", 58, "/data/kong.conf")]
    [legacy] = findings(assessment, "TLS_LEGACY_VERSIONS")
    assert [(e.path, e.line) for e in legacy.evidence] == [("kong-helm-dbless.yaml", 59)]
    assert "applies to every Kong route in this scan (2 in kong-helm-dbless.yaml)" in (
        legacy.evidence[0].note or "")
    [secret] = findings(assessment, "SECRET_IN_CLEAR")
    assert sorted((e.line, e.pointer) for e in secret.evidence) == [
        (44, "/data/kong.yml"), (61, "/data/kong.conf")]


def test_an_embedded_kong_conf_and_a_deck_file_on_disk_combine_as_two_files_would(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, EMBEDDED / "broken-embedded-yaml.yaml",
                         FIXTURES / "kong_conf" / "legacy-estate" / "kong.yaml")
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    notes = [setting.evidence.note or "" for setting in assessment.inventory.tls_settings]
    assert any("applies to every Kong route in this scan (2 in kong.yaml)" in note for note in notes), notes
    assert not findings(assessment, "TLS_LEGACY_VERSIONS"), transport.summary  # intermediate: TLS 1.2+
    # proxy_listen has ssl only: the decK route that allows http is not served in plain text.
    assert not findings(assessment, "TLS_PLAIN_CLIENT")


def test_a_broken_embedded_config_costs_that_value_only_with_one_line_naming_manifest_key_and_problem(
    tmp_path: Path,
) -> None:
    config = KubernetesReader().read(EMBEDDED / "broken-embedded-yaml.yaml", ReadContext(root=EMBEDDED))
    assert config.warnings[0] == (
        "broken-embedded-yaml.yaml:14: ConfigMap edge/apisix-routes, apisix.yaml: not read as an APISIX"
        " standalone configuration: malformed YAML: while parsing a flow sequence, did not find expected"
        " ',' or ']'")
    [kong] = config.embedded  # the other ConfigMap's kong.conf is still read
    assert kong.is_runtime_config and kong.tls_settings
    assessment = scanned(tmp_path, EMBEDDED / "broken-embedded-yaml.yaml")
    manifest = record(assessment, "broken-embedded-yaml.yaml")
    assert manifest.status is InputStatus.USED
    assert "apisix.yaml: not read as an APISIX standalone configuration" in (manifest.message or "")


def test_a_json_list_places_a_quoted_value_at_its_key_line_under_the_items_pointer(tmp_path: Path) -> None:
    assessment = scanned(tmp_path, EMBEDDED / "kubectl-get-list.json")
    [admin] = findings(assessment, "FUNC_ADMIN_API_UNAUTHENTICATED")
    assert [(e.path, e.line, e.pointer) for e in admin.evidence] == [
        ("kubectl-get-list.json", 76, "/items/3/data/config.yaml")]
    [legacy] = findings(assessment, "TLS_LEGACY_VERSIONS")
    assert [(e.line, e.pointer) for e in legacy.evidence] == [(76, "/items/3/data/config.yaml")]
    [secret] = findings(assessment, "SECRET_IN_CLEAR")
    assert [(e.line, e.pointer) for e in secret.evidence] == [(76, "/items/3/data/config.yaml")]


def test_a_configmap_holding_a_manifest_is_not_read_again() -> None:
    config = KubernetesReader().read(EMBEDDED / "holds-a-manifest.yaml", ReadContext(root=EMBEDDED))
    assert config.routes == ()
    [nginx] = config.embedded  # the nginx.conf beside it is read: its location only returns a status
    assert (nginx.gateway, nginx.routes) == ("nginx", ())
    assert not any("not read as" in warning for warning in config.warnings)


def test_a_value_over_what_a_configmap_holds_is_passed_over_with_a_warning(tmp_path: Path) -> None:
    settings = "".join(f"nginx_http_x{index} = {index}\n" for index in range(60_000))
    manifest = tmp_path / "huge.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kong, namespace: edge}\ndata:\n"
                        "  kong.conf: |\n" + "".join(f"    {line}\n" for line in settings.splitlines()))
    config = KubernetesReader().read(manifest, ReadContext(root=tmp_path))
    assert config.embedded == ()
    assert config.warnings[0].startswith("huge.yaml:5: ConfigMap edge/kong, kong.conf: ")
    assert config.warnings[0].endswith("bytes, over the 1 MiB a ConfigMap holds: not read")


def test_a_value_sniffed_by_its_text_is_read_whatever_its_key(tmp_path: Path) -> None:
    manifest = tmp_path / "traefik.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: traefik-dynamic, namespace: edge}\ndata:\n"
        "  dynamic.yml: |\n"
        "    http:\n"
        "      routers:\n"
        "        claims:\n"
        "          rule: PathPrefix(`/v3/claims`)\n"
        "          service: claims\n"
        "      services:\n"
        "        claims:\n"
        "          loadBalancer:\n"
        "            servers:\n"
        "              - url: http://claims:8080\n")
    [traefik] = KubernetesReader().read(manifest, ReadContext(root=tmp_path)).embedded
    [route] = traefik.routes
    assert (traefik.gateway, route.evidence.path, route.evidence.line) == ("traefik", "traefik.yaml", 8)
    assert route.evidence.pointer == "/data/dynamic.yml"


@pytest.mark.parametrize("name", ["apisix-helm.yaml", "kong-helm-dbless.yaml", "kubectl-get-list.json",
                                  "nginx-whole-conf.yaml"])
def test_planted_credentials_reach_no_output_nor_log(tmp_path: Path, name: str) -> None:
    shutil.copy(EMBEDDED / name, tmp_path / name)
    assessment, log = scan_and_log([tmp_path])
    assert findings(assessment, "SECRET_IN_CLEAR")
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        assert "PLANTED" not in text, renderer
        assert "edd1c9f0" not in text and "4054f7cf" not in text, renderer
    assert "PLANTED" not in log and "edd1c9f0" not in log
    assert "PLANTED" not in json.dumps(assessment.model_dump(mode="json"))


def test_envoy_and_apisix_standalone_files_in_configmaps_route_like_their_files(tmp_path: Path) -> None:
    manifest = EMBEDDED / "envoy-and-apisix-standalone.yaml"
    assessment = scanned(tmp_path, manifest)
    keys = {endpoint.key for endpoint in assessment.inventory.endpoints}
    assert keys == {"* /v1/claims/*", "* /v1/policies*"}
    config = KubernetesReader().read(manifest, ReadContext(root=EMBEDDED))
    placed = [(c.gateway, c.routes[0].evidence.line, c.routes[0].evidence.pointer) for c in config.embedded]
    assert placed == [("envoy", 25, "/data/envoy.yaml"), ("apisix", 48, "/data/apisix.yaml")]


def test_wrong_types_refused_keys_binary_data_and_limits_cost_only_their_values() -> None:
    config = KubernetesReader().read(EMBEDDED / "hostile-configmaps.yaml", ReadContext(root=EMBEDDED))
    assert config.embedded == ()
    assert list(config.warnings[:2]) == [
        ("hostile-configmaps.yaml:28: ConfigMap edge/too-deep, apisix.yaml: not read as an APISIX standalone"
         " configuration: refused JSON: nested too deeply (more than 200 levels)"),
        ("hostile-configmaps.yaml:38: ConfigMap edge/wrong-shape, kong.yml: not read as a Kong declarative"
         " (decK) configuration: `services` is not a list"),
    ]
    assert not any("odd-values" in warning or "data-is-a-list" in warning for warning in config.warnings)


def test_at_most_fifty_values_a_manifest_are_read(tmp_path: Path) -> None:
    manifest = tmp_path / "many.yaml"
    manifest.write_text("---\n".join(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: kong-{index}}}\ndata:\n"
        "  kong.conf: |\n    admin_listen = 127.0.0.1:8001\n    ssl_cipher_suite = modern\n"
        for index in range(52)))
    config = KubernetesReader().read(manifest, ReadContext(root=tmp_path))
    assert len(config.embedded) == 50
    assert config.warnings[0] == "more than 50 gateway configurations in ConfigMaps: the rest are not read"


def test_a_kong_containers_variables_override_the_kong_conf_its_manifest_holds(tmp_path: Path) -> None:
    """Kong reads kong.conf, then lets each KONG_* variable override its setting: the chart's kong.conf
    and the proxy container's variables are one runtime configuration, never two ambiguous ones."""
    assessment = scanned(tmp_path, EMBEDDED / "kong-helm-dbless.yaml")
    assert not any("ambiguous" in (record.message or "") for record in assessment.inputs)
    assert findings(assessment, "TLS_LEGACY_VERSIONS")  # kong.conf's ssl_cipher_suite = old, no variable
    manifest = (EMBEDDED / "kong-helm-dbless.yaml").read_text()
    overridden = manifest.replace('''            - name: KONG_DATABASE
              value: "off"''', '''            - name: KONG_DATABASE
              value: "off"
            - name: KONG_SSL_CIPHER_SUITE
              value: modern''')
    assert overridden != manifest
    (tmp_path / "kong-helm-dbless.yaml").write_text(overridden)
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    assert not findings(assessment, "TLS_LEGACY_VERSIONS")  # the variable wins, as in Kong
    assert findings(assessment, "FUNC_ADMIN_API_UNAUTHENTICATED")  # kong.conf's admin_listen still applies


def test_a_variable_taken_by_reference_hides_the_kong_conf_setting_it_overrides(tmp_path: Path) -> None:
    """kong.conf says every proxy listener has ssl, but KONG_PROXY_LISTEN comes from a Secret: Kong runs
    with the Secret's value, which nobody can see. kong.conf's setting is not judged in its place (it
    made transport a pass before); Kong's default is, as the warning says."""
    (tmp_path / "kong.yaml").write_text('''apiVersion: v1
kind: ConfigMap
metadata: {name: kong-conf, namespace: kong}
data:
  kong.conf: |
    proxy_listen = 0.0.0.0:8443 ssl
    admin_listen = 127.0.0.1:8001
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: kong, namespace: kong}
spec:
  template:
    spec:
      containers:
      - name: proxy
        image: kong:3.6
        env:
        - name: KONG_PROXY_LISTEN
          valueFrom:
            secretKeyRef: {name: kong-listen, key: proxy}
        - name: KONG_DATABASE
          value: "off"
''')
    (tmp_path / "kong.yml").write_text('''_format_version: "3.0"
services:
- name: orders
  url: https://orders.internal:8443
  routes:
  - name: orders
    paths: [/orders]
    protocols: [http, https]
''')
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    transport = next(c for c in assessment.controls if c.id == "transport_security")
    assert transport.status.value != "pass"
    assert not any("every proxy_listen entry has ssl" in (item.note or "") for item in transport.evidence)
    config = KubernetesReader().read(tmp_path / "kong.yaml", ReadContext(root=tmp_path))
    assert any(warning.startswith("KONG_PROXY_LISTEN is taken by reference") for warning in config.warnings)


NGINX_TOKEN = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJQTEFOVEVELWVkZ2UtcHJveHkifQ"
               ".Zk3q9PLANTEDc2lnbmF0dXJlX3Nob3VsZF9uZXZlcl9sZWFr")


def test_a_whole_nginx_conf_in_a_configmap_routes_and_serves_tls_as_the_file_would(tmp_path: Path) -> None:
    manifest = EMBEDDED / "nginx-whole-conf.yaml"
    [nginx] = KubernetesReader().read(manifest, ReadContext(root=EMBEDDED)).embedded
    api, claims = nginx.routes  # the internal /_auth location is no route
    assert [(r.uris, r.evidence.path, r.evidence.line, r.evidence.pointer) for r in nginx.routes] == [
        (("/api/*",), "nginx-whole-conf.yaml", 25, "/data/nginx.conf"),
        (("/claims/*",), "nginx-whole-conf.yaml", 37, "/data/nginx.conf")]
    upstream = "claims-api.claims.svc.cluster.local:8080, claims-api-canary.claims.svc.cluster.local:8080"
    assert api.upstream == claims.upstream == upstream
    assert [p.name for p in api.plugins] == ["limit_req"] and api.rate_limits
    assert [a.scheme for a in claims.auth or ()] == ["auth_request"]
    assert api.client_transport is not None and claims.client_transport is not None
    assert (api.client_transport.is_plain, api.client_transport.evidence.line) == (True, 23)
    assert not claims.client_transport.is_plain
    [tls] = nginx.tls_settings or ()
    assert (tls.protocols, tls.allows_legacy) == (("TLSv1", "TLSv1.2"), True)
    assert (tls.evidence.path, tls.evidence.line, tls.evidence.pointer) == (
        "nginx-whole-conf.yaml", 36, "/data/nginx.conf")
    assert "in ConfigMap claims/edge-proxy, nginx.conf" in (tls.evidence.note or "")
    assert nginx.warnings == ((
        'ConfigMap claims/edge-proxy, nginx.conf: nginx-whole-conf.yaml:16: include "/etc/nginx/mime.types" is'
        " in a configuration held in a ConfigMap: the files it names cannot be seen, what they set is not"
        " assessed"),)
    assessment = scanned(tmp_path, manifest)
    assert {endpoint.key for endpoint in assessment.inventory.endpoints} == {"* /api/*", "* /claims/*"}
    [legacy] = findings(assessment, "TLS_LEGACY_VERSIONS")
    assert [(e.path, e.line) for e in legacy.evidence] == [("nginx-whole-conf.yaml", 36)]
    [plain] = findings(assessment, "TLS_PLAIN_CLIENT")
    assert [(e.path, e.line) for e in plain.evidence] == [("nginx-whole-conf.yaml", 23)]
    [secret] = findings(assessment, "SECRET_IN_CLEAR")
    assert [(e.path, e.line, e.pointer) for e in secret.evidence] == [
        ("nginx-whole-conf.yaml", 27, "/data/nginx.conf")]
    assert record(assessment, "nginx-whole-conf.yaml").message == (
        "ConfigMap claims/edge-proxy, nginx.conf: read as an nginx configuration")


def test_a_conf_d_fragment_of_server_and_upstream_blocks_is_read_by_its_text(tmp_path: Path) -> None:
    manifest = EMBEDDED / "nginx-conf-d-fragment.yaml"
    [nginx] = KubernetesReader().read(manifest, ReadContext(root=EMBEDDED)).embedded
    [route] = nginx.routes  # /healthz only returns a status
    assert (route.uris, route.upstream) == (("/v2/policies*",), "policies.policy.svc.cluster.local:8080")
    assert (route.evidence.path, route.evidence.line, route.evidence.pointer) == (
        "nginx-conf-d-fragment.yaml", 18, "/data/api.conf")
    assert route.client_transport is not None
    assert (route.client_transport.is_plain, route.client_transport.evidence.line) == (True, 15)
    assessment = scanned(tmp_path, manifest)
    assert {endpoint.key for endpoint in assessment.inventory.endpoints} == {"* /v2/policies*"}


def test_a_broken_nginx_value_costs_that_value_only(tmp_path: Path) -> None:
    manifest = EMBEDDED / "broken-nginx-value.yaml"
    config = KubernetesReader().read(manifest, ReadContext(root=EMBEDDED))
    assert config.embedded == ()
    assert config.warnings[0] == (
        "broken-nginx-value.yaml:14: ConfigMap quotes/quotes-proxy, default.conf: not read as an nginx"
        ' configuration: unexpected end of file, expecting "}"')
    assert [route.uris for route in config.routes] == [("/v1/quotes", "/v1/quotes/*")]  # the Ingress
    assessment = scanned(tmp_path, manifest)
    assert record(assessment, "broken-nginx-value.yaml").status is InputStatus.USED


def test_the_credential_an_nginx_value_sets_reaches_no_output_warning_nor_log(tmp_path: Path) -> None:
    shutil.copy(EMBEDDED / "nginx-whole-conf.yaml", tmp_path / "nginx-whole-conf.yaml")
    assessment, log = scan_and_log([tmp_path])
    assert findings(assessment, "SECRET_IN_CLEAR")
    outputs = [RENDERERS[name].render(assessment).decode("utf-8") for name in ("json", "html")]
    config = KubernetesReader().read(tmp_path / "nginx-whole-conf.yaml", ReadContext(root=tmp_path))
    for text in (*outputs, log, json.dumps(assessment.model_dump(mode="json")), *config.warnings,
                 config.model_dump_json()):
        for part in (NGINX_TOKEN, *NGINX_TOKEN.split(".")):
            assert part not in text


def test_an_nginx_value_is_parsed_in_memory_no_file_is_written_nor_handed_to_crossplane(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins
    import io
    import os

    import crossplane

    manifest = EMBEDDED / "nginx-whole-conf.yaml"
    opened: list[tuple[str, str]] = []
    real_open, real_os_open = builtins.open, os.open

    def recording_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        opened.append((str(file), mode))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    def recording_os_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        opened.append((str(path), "create" if flags & os.O_CREAT else "r"))
        return real_os_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"crossplane asked to open {args[:1]}")

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    monkeypatch.setattr(crossplane, "parse", refused)
    monkeypatch.setattr(crossplane.lexer, "lex", refused)
    [nginx] = KubernetesReader().read(manifest, ReadContext(root=EMBEDDED)).embedded
    assert nginx.routes
    assert {path for path, _ in opened} == {str(manifest)}  # the manifest alone, read
    assert all(mode in ("r", "rb") for _, mode in opened)
