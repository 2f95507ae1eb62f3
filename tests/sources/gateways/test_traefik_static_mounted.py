"""Traefik's static configuration file mounted from a ConfigMap: the file `--configFile` names, or
`/etc/traefik/traefik.yml`, read from the manifests given and judged like a static file; a file the
manifests cannot show leaves entry points and access logging not shown, never the options' reading."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import GatewayConfig, GatewayRoute, RouteAspect
from riskscan.sources import READERS, ReadContext, detect_kind, read_head

STATIC_YAML = """    entryPoints:
      web:
        address: ":8000"
      websecure:
        address: ":8443"
        http:
          tls: {}
    providers:
      kubernetesCRD: {}
    accessLog:
      format: json
    metrics:
      prometheus: {}
"""

CONFIG_MAP = """apiVersion: v1
kind: ConfigMap
metadata: {name: traefik-config, namespace: edge}
data:
  %s: |
%s"""

WORKLOAD = """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: edge}
spec:
  template:
    spec:
      containers:
      - name: traefik
        image: traefik:v3.2
%s
      volumes:
%s
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: quotes, namespace: edge}
spec:
  entryPoints: [%s]
  routes:
  - match: PathPrefix(`/quotes`)
    kind: Rule
    services:
    - {name: quotes, port: 80}
"""

CONFIG_VOLUME = "      - name: config\n        configMap: {name: traefik-config}"


def read(path: Path) -> GatewayConfig:
    kind = detect_kind(path, read_head(path))
    assert kind is not None
    return READERS[kind].read(path, ReadContext(root=path.parent))


def quotes(config: GatewayConfig) -> GatewayRoute:
    return next(item for item in config.routes if item.route_id == "edge/quotes route 0")


def manifest(tmp_path: Path, container: str, volumes: str = CONFIG_VOLUME, entry_point: str = "websecure",
             key: str = "traefik.yml", static: str = STATIC_YAML, with_config_map: bool = True) -> Path:
    path = tmp_path / "traefik.yaml"
    text = WORKLOAD % (container, volumes, entry_point)
    path.write_text((CONFIG_MAP % (key, static) if with_config_map else "") + text)
    return path


def test_the_file_config_file_names_is_read_from_the_mounted_configmap(tmp_path: Path) -> None:
    container = """        args: ["--configFile=/config/traefik.yml"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    config = read(manifest(tmp_path, container))
    route = quotes(config)
    assert route.client_transport is not None and not route.client_transport.is_plain  # tls by default
    assert (route.loggers, route.monitors) == (("accessLog",), ("metrics",))
    [log] = [plugin for plugin in route.plugins if plugin.name == "accessLog"]
    assert (log.evidence.path, log.evidence.pointer, log.evidence.line) == (
        "traefik.yaml", "/data/traefik.yml", 5)


def test_a_plain_entry_point_of_the_mounted_file_is_plain(tmp_path: Path) -> None:
    container = """        args: ["--configfile=/config/traefik.yml"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    route = quotes(read(manifest(tmp_path, container, entry_point="web")))
    assert route.client_transport is not None and route.client_transport.is_plain


def test_etc_traefik_is_searched_and_wins_over_the_containers_options(tmp_path: Path) -> None:
    """Traefik reads a file it finds in /etc/traefik/ before its command-line options: the options'
    redirect of `web` to https is not what it runs with, so `web` stays plain."""
    container = """        args:
        - --entrypoints.web.address=:8000
        - --entrypoints.web.http.redirections.entrypoint.to=websecure
        volumeMounts:
        - {name: config, mountPath: /etc/traefik/traefik.yaml, subPath: static.yaml}"""
    route = quotes(read(manifest(tmp_path, container, entry_point="web", key="static.yaml")))
    assert route.client_transport is not None and route.client_transport.is_plain
    assert route.loggers == ("accessLog",)


def test_items_map_keys_to_paths_and_projected_volumes_are_followed(tmp_path: Path) -> None:
    container = """        volumeMounts:
        - {name: config, mountPath: /etc/traefik}"""
    volumes = """      - name: config
        projected:
          sources:
          - configMap:
              name: traefik-config
              items: [{key: static-v3, path: traefik.yml}]"""
    route = quotes(read(manifest(tmp_path, container, volumes=volumes, key="static-v3")))
    assert route.loggers == ("accessLog",)
    assert route.client_transport is not None and not route.client_transport.is_plain


def test_a_toml_file_is_read_as_toml(tmp_path: Path) -> None:
    static = """    [entryPoints.web]
      address = ":8000"
    [providers.kubernetesCRD]
"""
    container = """        args: ["--configFile=/config/traefik.toml"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    route = quotes(read(manifest(tmp_path, container, entry_point="web", key="traefik.toml", static=static)))
    assert route.client_transport is not None and route.client_transport.is_plain
    assert route.loggers == ()  # the TOML file has no accessLog section


def test_a_configmap_not_given_leaves_the_static_configuration_not_shown(tmp_path: Path) -> None:
    """The options say access logs are on, but Traefik reads the mounted file, which no file given
    holds: logging and transport are not shown, and the warning says why."""
    container = """        args: ["--configFile=/config/traefik.yml", "--accesslog=true"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    config = read(manifest(tmp_path, container, with_config_map=False))
    route = quotes(config)
    assert RouteAspect.LOGGING in route.not_shown
    assert route.client_transport is None
    assert any("ConfigMap edge/traefik-config, which the files given do not hold" in warning
               for warning in config.warnings)


def test_a_configmap_in_another_file_is_found(tmp_path: Path) -> None:
    container = """        args: ["--configFile=/config/traefik.yml"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    path = manifest(tmp_path, container, with_config_map=False)
    (tmp_path / "configmap.yaml").write_text(CONFIG_MAP % ("traefik.yml", STATIC_YAML))
    route = quotes(read(path))
    assert route.loggers == ("accessLog",)
    [log] = [plugin for plugin in route.plugins if plugin.name == "accessLog"]
    assert log.evidence.path == "configmap.yaml"


def test_a_broken_mounted_file_is_warned_about_and_not_judged(tmp_path: Path) -> None:
    container = """        args: ["--configFile=/config/traefik.yml"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    config = read(manifest(tmp_path, container, static="    entryPoints: [unclosed\n"))
    assert quotes(config).client_transport is None
    assert any("/config/traefik.yml (Traefik's static configuration file) at traefik.yaml:5 does not parse"
               in warning for warning in config.warnings)


def test_a_folder_mount_without_the_file_leaves_the_options_in_charge(tmp_path: Path) -> None:
    """A ConfigMap of certificates mounted at /etc/traefik holds no traefik.yml: Traefik searches on and
    runs with its options."""
    container = """        args: ["--entrypoints.web.address=:8000", "--accesslog=true"]
        volumeMounts:
        - {name: config, mountPath: /etc/traefik}"""
    route = quotes(read(manifest(tmp_path, container, entry_point="web", key="ca.crt",
                                 static="    not a static file\n")))
    assert route.loggers == ("accessLog",)
    assert route.client_transport is not None and route.client_transport.is_plain


def test_a_secret_mounted_where_the_file_is_named_is_not_shown(tmp_path: Path) -> None:
    container = """        args: ["--configFile=/config/traefik.yml"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    volumes = "      - name: config\n        secret: {secretName: traefik-static}"
    config = read(manifest(tmp_path, container, volumes=volumes))
    assert quotes(config).client_transport is None
    assert any("mounted from a volume the manifests cannot show" in warning for warning in config.warnings)


def test_credentials_in_a_configmap_static_file_are_placed_at_its_key(tmp_path: Path) -> None:
    """A provider token written in the ConfigMap's traefik.yml is a credential in clear: recorded at the
    key (line and pointer), the value never kept."""
    static = STATIC_YAML + """    providers:
      kubernetesCRD:
        token: PLANTED-static-token-5f1c
"""
    static = static.replace("    providers:\n      kubernetesCRD: {}\n", "")
    container = """        args: ["--configFile=/config/traefik.yml"]
        volumeMounts:
        - {name: config, mountPath: /config}"""
    config = read(manifest(tmp_path, container, static=static))
    held = [item for item in config.clear_secrets or () if item.pointer == "/data/traefik.yml"]
    assert [(item.line, "/providers/kubernetesCRD/token" in (item.note or "")) for item in held] == [(5, True)]
    assert "PLANTED" not in config.model_dump_json()
    assert quotes(config).loggers == ("accessLog",)  # the file is still read for what it sets up


def test_a_projected_secret_beside_configmaps_may_hold_the_file(tmp_path: Path) -> None:
    """/etc/traefik from a projected volume whose ConfigMap holds no traefik file but whose Secret may:
    the file Traefik reads is not shown, so neither are its entry points, whatever the options say."""
    container = """        args: ["--entrypoints.web.address=:8000", "--accesslog=true"]
        volumeMounts:
        - {name: config, mountPath: /etc/traefik}"""
    volumes = """      - name: config
        projected:
          sources:
          - configMap: {name: traefik-config}
          - secret: {name: traefik-static}"""
    config = read(manifest(tmp_path, container, volumes=volumes, key="ca.crt", static="    not a static file\n"))
    assert quotes(config).client_transport is None
    assert any("mounted from a volume the manifests cannot show" in warning for warning in config.warnings)
