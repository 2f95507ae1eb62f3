"""Traefik's static configuration as `TRAEFIK_*` variables (issue 8), in a Compose `environment` and a
Kubernetes container's `env` (and the ConfigMap it takes with `envFrom`): entry points with TLS or an
https redirect, access logs, metrics and tracing read as a static file's; command-line options win over
the variables, as Traefik documents, with a warning; credentials placed at their variable."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import GatewayConfig, GatewayRoute, RouteAspect
from riskscan.sources import READERS, ReadContext, detect_kind, read_head
from riskscan.sources.gateways.container_env import EnvVariable
from riskscan.sources.gateways.traefik_static_env import container_static, environment_static

TRAEFIK = Path(__file__).resolve().parents[2] / "fixtures" / "traefik"
IGNORED = "TRAEFIK_* environment variable(s) ignored"


def read(path: Path) -> GatewayConfig:
    kind = detect_kind(path, read_head(path))
    assert kind is not None
    return READERS[kind].read(path, ReadContext(root=path.parent))


def route(config: GatewayConfig, route_id: str) -> GatewayRoute:
    return next(item for item in config.routes if item.route_id == route_id)


def variables(*pairs: tuple[str, str | None]) -> list[EnvVariable]:
    return [EnvVariable(name, value, "x.yml", index + 1, f"/env/{index}") for index, (name, value) in
            enumerate(pairs)]


def test_compose_variables_are_the_static_configuration() -> None:
    config = read(TRAEFIK / "env-compose" / "docker-compose.yml")
    brokers, status = route(config, "brokers"), route(config, "status")
    assert brokers.client_transport is not None and not brokers.client_transport.is_plain  # redirect, tls
    assert status.client_transport is not None and status.client_transport.is_plain  # `internal`: plain
    assert (brokers.loggers, brokers.monitors) == (("accessLog",), ("metrics",))
    [log] = [plugin for plugin in brokers.plugins if plugin.name == "accessLog"]
    assert log.attached_to == "static configuration"
    assert log.evidence.pointer == "/services/traefik/environment"


def test_compose_credentials_are_placed_once_and_references_are_not() -> None:
    config = read(TRAEFIK / "env-compose" / "docker-compose.yml")
    assert [(item.line, item.pointer) for item in config.clear_secrets or ()] == [
        (16, "/services/traefik/environment/10"), (17, "/services/traefik/environment/11")]
    assert "PLANTED" not in config.model_dump_json()


def test_command_options_win_over_variables_with_a_warning() -> None:
    config = read(TRAEFIK / "env-compose" / "docker-compose.both.yml")
    [quotes] = config.routes
    assert quotes.loggers == ()  # TRAEFIK_ACCESSLOG is ignored
    assert quotes.client_transport is not None and quotes.client_transport.is_plain
    assert any(warning.startswith(f"2 {IGNORED}") for warning in config.warnings)


def test_kubernetes_env_and_envfrom_configmap_are_the_static_configuration() -> None:
    config = read(TRAEFIK / "env-kubernetes" / "routes.yaml")
    quotes, policies = route(config, "edge/quotes route 0"), route(config, "edge/policies route 0")
    assert quotes.client_transport is not None and quotes.client_transport.is_plain  # `web` is plain
    assert policies.client_transport is not None and not policies.client_transport.is_plain
    assert (policies.loggers, policies.monitors) == (("accessLog",), ("tracing",))  # from the ConfigMap
    assert not any(IGNORED in warning for warning in config.warnings)


def test_kubernetes_traefik_variables_judged_as_static_fields() -> None:
    config = read(TRAEFIK / "env-kubernetes" / "traefik.yaml")
    [secret] = config.clear_secrets or ()  # the Consul token is a secretKeyRef
    assert (secret.line, secret.pointer) == (41, "/spec/template/spec/containers/0/env/4/value")
    assert "hmacencoded" in (secret.note or "") and "PLANTED" not in config.model_dump_json()


def test_the_rendered_chart_passes_args_so_its_variables_are_ignored() -> None:
    config = read(TRAEFIK / "env-helm" / "routes.yaml")
    [claims] = config.routes
    assert claims.loggers == () and claims.monitors == ("metrics",)  # --metrics.prometheus, no access log
    assert claims.client_transport is not None and claims.client_transport.is_plain  # no redirect either
    assert any(warning.startswith(f"2 {IGNORED}") for warning in config.warnings)


def test_names_are_read_without_regard_to_case_and_sections_switch_on() -> None:
    static = environment_static(variables(
        ("TRAEFIK_ENTRYPOINTS_WEB_ADDRESS", ":80"), ("TRAEFIK_ENTRYPOINTS_WEB_HTTP_TLS", "true"),
        ("traefik_tracing", "true"), ("TRAEFIK_ACCESSLOG", "false"), ("HOME", "/root")), "x.yml", "/env")
    assert static is not None
    assert static.secure_entry_points == frozenset({"web"}) and static.monitors == ("tracing",)
    assert not static.has_access_log


def test_variables_without_entry_points_a_config_file_or_references_set_none() -> None:
    assert environment_static(variables(("TRAEFIK_ACCESSLOG", "true")), "x.yml", "/env") is None
    assert environment_static(variables(("TRAEFIK_CONFIGFILE", "/etc/t.yml"),
                                        ("TRAEFIK_PROVIDERS_DOCKER", "true")), "x.yml", "/env") is None
    static = environment_static(variables(("TRAEFIK_PROVIDERS_DOCKER", "true"),
                                          ("TRAEFIK_ACCESSLOG", None)), "x.yml", "/env")
    assert static is not None and not static.has_access_log


def test_hostile_variables_cost_themselves() -> None:
    deep = "TRAEFIK_" + "_".join(["A"] * 40)
    static = container_static(None, variables(
        (deep, "true"), ("TRAEFIK_", "x"), ("TRAEFIK___", "y"), ("TRAEFIK_PROVIDERS_FILE_DIRECTORY", "/d"),
        ("TRAEFIK_ENTRYPOINTS_WEB_ADDRESS", "9" * 5000)), "x.yml", ("/command", "/env"))
    assert static is not None and static.entry_points == frozenset({"web"})


def test_a_static_file_beside_a_containers_variables_is_warned_about(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text((TRAEFIK / "env-compose" / "docker-compose.yml").read_text())
    (tmp_path / "traefik.yml").write_text("entryPoints:\n  web:\n    address: ':80'\naccessLog: {}\n")
    config = read(compose)
    assert any(warning.startswith("a Traefik static configuration file (traefik.yml) is in the folders given")
               for warning in config.warnings)
    assert route(config, "brokers").client_transport is not None  # the container's variables are kept


def test_a_static_file_beside_a_workloads_variables_is_warned_about(tmp_path: Path) -> None:
    for name in ("traefik.yaml", "routes.yaml"):
        (tmp_path / name).write_text((TRAEFIK / "env-kubernetes" / name).read_text())
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "traefik.yml").write_text("entryPoints:\n  web:\n    address: ':80'\n")
    config = read(tmp_path / "routes.yaml")
    assert any("static/traefik.yml) is in the folders given" in warning for warning in config.warnings)
    assert route(config, "edge/quotes route 0").loggers == ("accessLog",)  # the container's variables kept


def test_options_setting_no_entry_point_still_hide_the_variables(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("""services:
  traefik:
    image: traefik:v3.2
    command: ["--log.level=DEBUG"]
    environment:
      TRAEFIK_ENTRYPOINTS_WEB_ADDRESS: ":80"
      TRAEFIK_ACCESSLOG: "true"
  api:
    image: harbor/api:1.0
    labels:
      traefik.http.routers.api.rule: PathPrefix(`/v1`)
""")
    config = read(compose)
    assert any(warning.startswith(f"2 {IGNORED}") for warning in config.warnings)
    [api] = config.routes
    assert RouteAspect.LOGGING in api.not_shown  # the options set no static configuration
    assert api.client_transport is None


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: edge}
spec:
  template:
    spec:
      containers:
      - name: traefik
        image: traefik:v3.0
%s
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: orders, namespace: edge}
spec:
  entryPoints: [%s]
  routes:
  - match: PathPrefix(`/orders`)
    kind: Rule
    services:
    - name: orders
      port: 80
"""


def test_options_in_the_container_command_win_over_its_variables(tmp_path: Path) -> None:
    """`command: [traefik, --entrypoints...]` is how many manifests run Traefik: those options are its
    static configuration, and the variables (a redirect to https, access logs) are ignored, as Traefik
    ignores them; reading the variables made the plain `web` route look redirected and logged."""
    container = """        command: ["traefik", "--entrypoints.web.address=:80", "--providers.kubernetescrd"]
        env:
        - {name: TRAEFIK_ENTRYPOINTS_WEB_ADDRESS, value: ":80"}
        - {name: TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO, value: websecure}
        - {name: TRAEFIK_ACCESSLOG, value: "true"}"""
    (tmp_path / "traefik.yaml").write_text(DEPLOYMENT % (container, "web"))
    config = read(tmp_path / "traefik.yaml")
    orders = route(config, "edge/orders route 0")
    assert orders.client_transport is not None and orders.client_transport.is_plain
    assert orders.loggers == ()
    assert any(IGNORED in warning for warning in config.warnings)


def test_an_envfrom_configmap_in_the_same_file_is_read(tmp_path: Path) -> None:
    """The ConfigMap, the Traefik Deployment naming it and the IngressRoute in one manifest: the
    variables are found as when the ConfigMap sits in another file."""
    config_map = """apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-env, namespace: edge}
data:
  TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS: ":443"
  TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS: "true"
  TRAEFIK_ACCESSLOG: "true"
  TRAEFIK_PROVIDERS_KUBERNETESCRD: "true"
---
"""
    container = """        envFrom:
        - configMapRef: {name: traefik-env}"""
    (tmp_path / "traefik.yaml").write_text(config_map + DEPLOYMENT % (container, "websecure"))
    orders = route(read(tmp_path / "traefik.yaml"), "edge/orders route 0")
    assert orders.client_transport is not None and not orders.client_transport.is_plain
    assert orders.loggers == ("accessLog",)


def test_envfrom_sources_past_the_first_hundred_are_counted_and_env_still_read(tmp_path: Path) -> None:
    (tmp_path / "routes.yaml").write_text((TRAEFIK / "env-kubernetes" / "routes.yaml").read_text())
    listed = "".join(f"        - configMapRef: {{name: missing-{index}}}\n" for index in range(120))
    manifest = (TRAEFIK / "env-kubernetes" / "traefik.yaml").read_text()
    listed += "        - {}\n" * 3  # one source, read once
    manifest = manifest.replace("        envFrom:\n", "        envFrom:\n" + listed)
    (tmp_path / "traefik.yaml").write_text(manifest)
    config = read(tmp_path / "routes.yaml")
    past = "22 envFrom source(s) past the first 100 not read: a setting they hold is unknown"
    assert past in config.warnings
    assert route(config, "edge/quotes route 0").loggers == ()  # TRAEFIK_ACCESSLOG's ConfigMap is past the cap


def test_a_deciding_variable_taken_by_reference_leaves_the_static_configuration_unjudged(tmp_path: Path) -> None:
    """The redirect to https comes from the shell (`${REDIRECT_TO}`): which entry points redirect is
    unknown, so no router is judged served in plain HTTP, nor logged, on the variables around it."""
    text = (TRAEFIK / "env-compose" / "docker-compose.yml").read_text()
    written = "TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO=websecure"
    assert written in text
    (tmp_path / "docker-compose.yml").write_text(text.replace(written, written.replace("websecure", "${REDIRECT_TO}")))
    config = read(tmp_path / "docker-compose.yml")
    status = route(config, "status")
    assert status.client_transport is None and status.loggers == ()
    assert any(warning.startswith("TRAEFIK_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO taken by reference")
               for warning in config.warnings), config.warnings


def test_a_kubernetes_accesslog_variable_from_a_secret_is_unknown_not_off() -> None:
    static = container_static([], variables(("TRAEFIK_PROVIDERS_KUBERNETESCRD", "true"),
                                            ("TRAEFIK_ENTRYPOINTS_WEB_ADDRESS", ":80"),
                                            ("TRAEFIK_ACCESSLOG", None)), "x.yml", ("/args", "/env"))
    assert isinstance(static, str) and static.startswith("TRAEFIK_ACCESSLOG taken by reference")
    # An address from the shell decides nothing judged: the variables still configure Traefik.
    static = container_static([], variables(("TRAEFIK_PROVIDERS_KUBERNETESCRD", "true"),
                                            ("TRAEFIK_ENTRYPOINTS_WEB_ADDRESS", ":${PORT}")), "x.yml", ("/args", "/env"))
    assert static is not None and not isinstance(static, str)


def test_an_expanded_variable_decides_but_its_credential_is_judged_where_written() -> None:
    """On Kubernetes `$(VAR)` is expanded from variables defined before: an entry point's TLS so written is
    judged; a provider URL whose password came from `$(PASS)` is not a credential at that variable."""
    expanded = [EnvVariable("TRAEFIK_PROVIDERS_KUBERNETESCRD", "true", "x.yml", 1, "/env/0"),
                EnvVariable("TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS", ":443", "x.yml", 2, "/env/1"),
                EnvVariable("TRAEFIK_ENTRYPOINTS_WEBSECURE_HTTP_TLS", "true", "x.yml", 3, "/env/2", True),
                EnvVariable("TRAEFIK_PROVIDERS_HTTP_ENDPOINT", "https://cfg:PLANTED-EXPANDED@cfg.example/t",
                            "x.yml", 4, "/env/3", True)]
    static = environment_static(expanded, "x.yml", "/env")
    assert static is not None and static.secure_entry_points == frozenset({"websecure"})
    assert static.clear_secrets == ()
