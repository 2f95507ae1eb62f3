"""Kong's settings as `KONG_*` variables of a Kong container on Kubernetes (issue 8): the rendered
`kong/kong` chart is Kong's runtime configuration, each setting placed at its variable (or at the key of
the ConfigMap the container takes with `envFrom`); references are never credentials, init containers and
migration Jobs are not the running gateway."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import AdminExposureKind, GatewayConfig, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways import container_env as container_env_module
from riskscan.sources.gateways.kubernetes import KubernetesReader

HELM = Path(__file__).resolve().parents[2] / "fixtures" / "kong_conf" / "helm-estate"
READER = KubernetesReader()
PROXY_ENV = "/spec/template/spec/containers/1/env"
OWN_ENV = "/spec/template/spec/containers/0/env"  # of `manifest`
PAST_THE_CAP = "{count} envFrom source(s) past the first 100 not read: a setting they hold is unknown"


def read(path: Path, root: Path) -> GatewayConfig:
    return READER.read(path, ReadContext(root=root))


def chart() -> GatewayConfig:
    return read(HELM / "kong-chart-rendered.yaml", HELM)


def manifest(tmp_path: Path, env: str, image: str = "kong/kong-gateway:3.6", kind: str = "Deployment",
             extra: str = "") -> GatewayConfig:
    path = tmp_path / "kong.yaml"
    path.write_text(f"""apiVersion: apps/v1
kind: {kind}
metadata:
  name: kong
spec:
  template:
    spec:
      containers:
      - name: proxy
        image: {image}
        env:
{env}
{extra}""")
    return read(path, tmp_path)


def test_the_rendered_chart_is_kongs_runtime_configuration() -> None:
    path = HELM / "kong-chart-rendered.yaml"
    assert detect_kind(path, read_head(path)) is SourceKind.KUBERNETES
    config = chart()
    assert (config.gateway, config.is_runtime_config, config.routes) == ("kong", True, ())
    assert not any("checked for credentials in clear only" in warning for warning in config.warnings)
    assert any(warning.startswith("1 envFrom source(s) (envFrom/1) take variables from a Secret")
               for warning in config.warnings)  # the license Secret; the ConfigMap is read


def test_admin_listen_on_the_network_is_placed_at_its_variable() -> None:
    """Reachable at all four entries; whether it asks who calls is unknown, since the Secret the proxy
    takes with envFrom (not in the scan) may set KONG_ENFORCE_RBAC."""
    exposures = chart().admin_exposures or ()
    assert [item.kind for item in exposures] == [AdminExposureKind.NETWORK] * 4
    assert "enforce_rbac is taken by reference: whether it asks who calls is unknown" in (
        exposures[0].evidence.note or "")
    places = {(item.evidence.line, item.evidence.pointer) for item in exposures}
    assert places == {(120, f"{PROXY_ENV}/1/value")}


def test_proxy_listen_entries_plain_and_tls_from_the_proxy_container_only() -> None:
    listeners = chart().client_listeners or ()
    assert [item.is_plain for item in listeners] == [True, True, False, False]
    # The init container's KONG_PROXY_LISTEN (line 88) is not the running gateway's.
    assert {item.evidence.line for item in listeners} == {145}


def test_a_setting_from_an_envfrom_configmap_in_another_file_is_placed_there() -> None:
    [setting] = chart().tls_settings or ()
    assert setting.allows_legacy
    evidence = setting.evidence
    assert (evidence.path, evidence.line, evidence.pointer) == (
        "kong-tuning-configmap.yaml", 9, "/data/KONG_SSL_CIPHER_SUITE")
    # The cipher list the suite names is cited at the same place, not at the Deployment's file.
    [ciphers] = chart().cipher_settings or ()
    assert (ciphers.evidence.path, ciphers.evidence.line) == ("kong-tuning-configmap.yaml", 9)


def test_secrets_by_place_counted_once_references_never_and_never_the_value() -> None:
    config = chart()
    places = [(item.line, item.pointer) for item in config.clear_secrets or ()]
    # The proxy's KONG_PG_PASSWORD, and the migrations Job's (not read as settings, still checked).
    assert places == [(135, f"{PROXY_ENV}/7/value"), (193, "/spec/template/spec/containers/0/env/1/value")]
    assert "PLANTED" not in config.model_dump_json()


def test_without_the_configmap_in_the_scan_the_suite_is_unknown_not_kongs_default(tmp_path: Path) -> None:
    """The ConfigMap that sets KONG_SSL_CIPHER_SUITE is not given: the suite is set, to a value nobody
    here can read, so neither the TLS versions nor the ciphers are judged (Kong's default would claim
    TLS 1.2 or later on no evidence); listeners and the Admin API set in `env` still are."""
    (tmp_path / "chart.yaml").write_text((HELM / "kong-chart-rendered.yaml").read_text())
    config = read(tmp_path / "chart.yaml", tmp_path)
    assert config.tls_settings is None and config.cipher_settings is None
    assert "ssl_cipher_suite" in config.unknown_settings and "proxy_listen" not in config.unknown_settings
    assert [item.is_plain for item in config.client_listeners or ()] == [True, True, False, False]
    unread = "2 envFrom source(s) (envFrom/0, envFrom/1)"
    assert any(warning.startswith(unread) and "Kong's default is not assumed" in warning
               for warning in config.warnings)


def test_references_are_not_credentials_and_unknown_listeners_are_said(tmp_path: Path) -> None:
    config = manifest(tmp_path, """        - name: KONG_PG_PASSWORD
          value: "$(PG_PASSWORD_FROM_SECRET)"
        - name: KONG_ADMIN_LISTEN
          valueFrom:
            secretKeyRef: {name: kong-admin, key: listen}
        - name: KONG_SSL_CIPHER_SUITE
          value: modern""")
    assert config.clear_secrets == () and config.admin_exposures == ()
    assert any(warning.startswith("KONG_ADMIN_LISTEN is taken by reference") for warning in config.warnings)
    [setting] = config.tls_settings or ()
    assert setting.protocols == ("TLSv1.3",)


def test_dependent_variables_are_expanded_as_kubernetes_expands_them(tmp_path: Path) -> None:
    """`$(PROXY_PORT)` names a variable defined before it: the listener is judged as Kubernetes hands it
    to Kong (TLS only). A credential referenced by `$(PG_PASS)` is judged where it is written, not at
    KONG_PG_PASSWORD; `$(NODE_IP)` (no variable of the file) leaves the Admin API's listener unknown."""
    config = manifest(tmp_path, """        - name: PROXY_PORT
          value: "8443"
        - name: PG_PASS
          value: "kong-db-PLANTED-DEPENDENT-PASSWORD"
        - name: KONG_PROXY_LISTEN
          value: "0.0.0.0:$(PROXY_PORT) ssl, [::]:$(PROXY_PORT) ssl"
        - name: KONG_PG_PASSWORD
          value: "$(PG_PASS)"
        - name: KONG_ADMIN_LISTEN
          value: "$(NODE_IP):8001\"""")
    assert [item.is_plain for item in config.client_listeners or ()] == [False, False]
    assert "proxy_listen" not in config.unknown_settings and "admin_listen" in config.unknown_settings
    assert not any(item.pointer and item.pointer.endswith("/env/3/value") for item in config.clear_secrets or ())
    assert config.admin_exposures == ()
    assert "PLANTED" not in config.model_dump_json()


def test_an_escaped_reference_is_written_out(tmp_path: Path) -> None:
    """`$$(X)` is Kubernetes' escape for the text `$(X)`: no reference, the value as written (Kong
    refuses it as a listener, so nothing is judged plain or TLS from it, but nothing is unknown)."""
    config = manifest(tmp_path, """        - name: KONG_SSL_CIPHER_SUITE
          value: "$$(SUITE)\"""")
    assert "ssl_cipher_suite" not in config.unknown_settings


def test_a_password_with_an_escaped_dollar_is_written_in_clear_there(tmp_path: Path) -> None:
    """`pa$$word` is the literal `pa$word` to Kubernetes: no reference, so a credential at its place."""
    config = manifest(tmp_path, """        - name: KONG_PG_PASSWORD
          value: "PLANTED-pa$$word\"""")
    [secret] = config.clear_secrets or ()
    assert secret.pointer is not None and secret.pointer.endswith("/env/0/value")
    assert "PLANTED" not in config.model_dump_json()


def test_a_configmap_key_ref_of_the_same_file_is_read(tmp_path: Path) -> None:
    config = manifest(tmp_path, """        - name: KONG_ADMIN_LISTEN
          valueFrom:
            configMapKeyRef: {name: kong-listen, key: admin}""", extra="""---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kong-listen
data:
  admin: "0.0.0.0:8001"
""")
    [exposed] = config.admin_exposures or ()
    assert (exposed.kind, exposed.evidence.pointer, exposed.evidence.line) == (
        AdminExposureKind.UNAUTHENTICATED, "/data/admin", 21)


@pytest.mark.parametrize("image", ["nginx:1.27", "kong/kubernetes-ingress-controller:3.1", "pantsel/konga"])
def test_other_images_with_kong_variables_are_not_kong(tmp_path: Path, image: str) -> None:
    config = manifest(tmp_path, """        - name: KONG_ADMIN_LISTEN
          value: 0.0.0.0:8001""", image=image)
    assert config.gateway == "kubernetes" and config.admin_exposures is None


def test_a_migrations_job_alone_is_no_runtime_configuration(tmp_path: Path) -> None:
    config = manifest(tmp_path, """        - name: KONG_ADMIN_LISTEN
          value: 0.0.0.0:8001""", kind="Job")
    assert config.gateway == "kubernetes" and not config.is_runtime_config


def test_a_second_kong_workload_is_warned_about_not_read(tmp_path: Path) -> None:
    config = manifest(tmp_path, """        - name: KONG_ADMIN_LISTEN
          value: 127.0.0.1:8001""", extra="""---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: kong-dp
spec:
  template:
    spec:
      containers:
      - name: proxy
        image: kong:3.6
        env:
        - name: KONG_ADMIN_LISTEN
          value: 0.0.0.0:8001
""")
    assert config.admin_exposures == ()  # the first one's loopback Admin API
    assert any("1 more Kong container(s)" in warning for warning in config.warnings)


def test_a_kong_workload_beside_routing_objects_stays_a_manifest(tmp_path: Path) -> None:
    config = manifest(tmp_path, """        - name: KONG_ADMIN_LISTEN
          value: 0.0.0.0:8001""", extra="""---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
spec:
  rules:
  - http:
      paths:
      - path: /v1
        pathType: Prefix
        backend: {service: {name: api, port: {number: 80}}}
""")
    assert config.gateway == "kubernetes" and len(config.routes) == 1
    assert any("give the Kong workload a file of its own" in warning for warning in config.warnings)


@pytest.mark.parametrize("env", [
    "          not-a-list: true",
    "        - {value: 0.0.0.0:8001}\n        - KONG_ADMIN_LISTEN=0.0.0.0:8001\n"
    "        - name: KONG_LOG_LEVEL\n          value: {nested: true}",
    "        - name: KONG_PROXY_LISTEN\n          value: 99999999999999999999999999",
])
def test_wrong_types_cost_the_entry_not_the_file(tmp_path: Path, env: str) -> None:
    config = manifest(tmp_path, env)
    assert config.admin_exposures in ((), None)


def test_a_loop_of_links_beside_the_manifests_does_not_stop_the_configmap_lookup(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "deeper").mkdir()
    (tmp_path / "deeper" / "also-loop.json").symlink_to("also-loop.json")
    (tmp_path / "env.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kong-env}\ndata:\n  KONG_SSL_CIPHER_SUITE: old\n")
    config = manifest(tmp_path, "        - {name: KONG_DATABASE, value: \"off\"}\n"
                                "        envFrom:\n        - configMapRef: {name: kong-env}")
    [setting] = config.tls_settings or ()
    assert setting.allows_legacy and setting.evidence.path == "env.yaml"


def config_map(name: str, data: dict[str, str]) -> str:
    lines = "".join(f"  {key}: \"{value}\"\n" for key, value in data.items())
    return f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{lines}"


def test_a_configmap_listed_thousands_of_times_is_read_once(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    read_source = container_env_module._from_source
    monkeypatch.setattr(container_env_module, "_from_source",
                        lambda *args: calls.append(args[1]) or read_source(*args))
    big = {"KONG_SSL_CIPHER_SUITE": "old", **{f"KONG_K{index}": f"v{index}" for index in range(499)}}
    listed = ", ".join(["{configMapRef: {name: big}}"] * 5_000)
    listen = "        - {name: KONG_PROXY_LISTEN, value: \"0.0.0.0:8000, 0.0.0.0:8443 ssl\"}\n"
    config = manifest(tmp_path, f"{listen}        envFrom: [{listed}]", extra=config_map("big", big))
    assert calls == ["/spec/template/spec/containers/0/envFrom/4999"]  # once, at its last listing
    listeners = config.client_listeners or ()
    assert [item.is_plain for item in listeners] == [True, False]
    assert {item.evidence.pointer for item in listeners} == {f"{OWN_ENV}/0/value"}
    [setting] = config.tls_settings or ()
    assert setting.allows_legacy


def test_sources_past_the_first_hundred_are_counted_in_one_warning(tmp_path: Path) -> None:
    listed = ", ".join(f"{{configMapRef: {{name: cm{index}}}}}" for index in range(150))
    config = manifest(tmp_path, "        - {name: KONG_DATABASE, value: \"off\"}\n"
                                f"        envFrom: [{listed}, {{secretRef: {{name: cm0}}}}]")
    assert PAST_THE_CAP.format(count=51) in config.warnings
    assert any(warning.startswith("100 envFrom source(s) (envFrom/0, envFrom/1, envFrom/2, envFrom/3, "
                                  "envFrom/4 and 95 more) take variables") for warning in config.warnings)


def test_explicit_env_is_kept_whatever_the_size_of_the_configmaps(tmp_path: Path) -> None:
    many = {f"KONG_K{index}": "x" for index in range(600)}
    config = manifest(tmp_path, "        - {name: KONG_PROXY_LISTEN, value: \"0.0.0.0:8000\"}\n"
                                "        envFrom:\n        - configMapRef: {name: many}",
                      extra=config_map("many", many))
    [listener] = config.client_listeners or ()
    assert listener.is_plain and listener.evidence.pointer == f"{OWN_ENV}/0/value"


def test_among_repeated_sources_the_last_listed_wins(tmp_path: Path) -> None:
    config = manifest(tmp_path, "        - {name: KONG_DATABASE, value: \"off\"}\n"
                                "        envFrom: [{configMapRef: {name: a}}, {configMapRef: {name: b}},"
                                " {configMapRef: {name: a}}]",
                      extra=config_map("a", {"KONG_SSL_CIPHER_SUITE": "old"})
                      + config_map("b", {"KONG_SSL_CIPHER_SUITE": "modern"}))
    [setting] = config.tls_settings or ()
    assert setting.allows_legacy
