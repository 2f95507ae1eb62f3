"""What the IngressRoutes of one manifest name, found in that manifest and the other files of the scan.

An IngressRoute names `Middleware`, `TLSOption`, `TraefikService` and Kubernetes `Service` resources
by name and namespace, as Traefik's kubernetescrd provider reads them (`<namespace>-<name>@kubernetescrd`
once qualified), and may name another provider's middleware or TLS option (`auth@file`, `limit@docker`).
`crd_lookup` gathers them into the file provider's shape (`traefik_provider.Definitions`), so the same
code resolves them as it resolves a file router's (`traefik_middlewares`, `traefik_services`):

- Middlewares: the manifest's own `Middleware` resources, those of the scan's other manifests, and the
  label middlewares of its Compose files (`traefik_elsewhere`); when a route names `@file`, the
  middlewares and TLS options of the scan's YAML and JSON dynamic configuration files (TOML ones are
  not looked into), under their own names as a file router would name them.
- TLS options: `TLSOption` resources of the manifest and of the scan (`tls_options`, by qualified name).
- Services: TraefikServices, ServersTransports and Kubernetes Services (`traefik_crd`).
- Traefik's static configuration, for entry points and access logs, from the one Traefik container
  (image `traefik`) of a Deployment, DaemonSet or StatefulSet among the manifests given: the file it
  mounts from a ConfigMap where Traefik looks (`--configFile`, `/etc/traefik/`; `traefik_static_mounted`),
  else its `args` as the Helm chart renders them (`traefik_static_args`), or without `args` its
  `TRAEFIK_*` variables (`traefik_static_env`); else the one static configuration file of the folders
  given (`traefik_static`).

Only files whose text declares what is looked for are parsed, each at most once per version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.sources import HEAD_BYTES, ReadContext
from riskscan.sources.gateways.container_env import ConfigMaps, container_env, env_from_warning
from riskscan.sources.gateways.declared_kinds import declares_kind
from riskscan.sources.gateways.gateway_lookup import other_files
from riskscan.sources.gateways.kubernetes_objects import KubeObject, collect_objects, mapping
from riskscan.sources.gateways.kubernetes_services import ServiceIndex
from riskscan.sources.gateways.traefik_crd import crd_services, merge_crd_services
from riskscan.sources.gateways.traefik_elsewhere import (
    ForeignMiddleware,
    crd_middleware,
    other_provider_middlewares,
)
from riskscan.sources.gateways.traefik_load import TOML_SECTION, load_dynamic
from riskscan.sources.gateways.traefik_provider import Definitions
from riskscan.sources.gateways.traefik_static import StaticConfig, find_static_config
from riskscan.sources.gateways.traefik_static_args import is_traefik_image, split_options
from riskscan.sources.gateways.traefik_static_env import container_static, noting_file
from riskscan.sources.gateways.traefik_static_mounted import config_file_option, mounted_static
from riskscan.sources.structured import load_structured_documents

__all__ = ["TRAEFIK_GROUPS", "CrdLookup", "crd_lookup", "is_traefik_crd"]

TRAEFIK_GROUPS = ("traefik.io/", "traefik.containo.us/")
"""The API groups of Traefik's custom resources: `traefik.io`, and `traefik.containo.us` before v3."""

_DECLARES_TRAEFIK_IMAGE = re.compile(rb"""image["']?\s*:\s*["']?(?:[\w.-]+(?::\d+)?/)*traefik[:@"'\s]""")
_WORKLOADS = frozenset({"Deployment", "DaemonSet", "StatefulSet"})
_YAML_HTTP = re.compile(rb"^(?:http|tls):[ \t]*\r?$", re.MULTILINE)
_JSON_HTTP = re.compile(rb'^\s*\{\s*"(?:http|tls)"\s*:')


@dataclass
class CrdLookup:
    """Everything the IngressRoutes of one manifest may name, and where each was found."""

    definitions: Definitions
    services_index: ServiceIndex  # Kubernetes Services: the manifest's own, then the scan's
    tls_options: dict[str, KubeObject] = field(default_factory=dict)  # `<ns>-<name>@kubernetescrd`
    static: StaticConfig | None = None
    warnings: list[str] = field(default_factory=list)

    def add_middleware(self, item: ForeignMiddleware) -> None:
        """A middleware of another provider (or resource) under its qualified name, with its place."""
        line = item.line
        self.definitions.add_middleware(item.reference, item.config, (item.shown, lambda _: line),
                                        item.pointer)


def is_traefik_crd(item: KubeObject, kind: str) -> bool:
    """True for a Traefik custom resource of `kind` (either API group)."""
    return item.kind == kind and item.api_version.startswith(TRAEFIK_GROUPS)


def crd_lookup(objects: list[KubeObject], path: Path, context: ReadContext, services: ServiceIndex,
               config_maps: ConfigMaps, needs_file_provider: bool) -> CrdLookup:
    """What the IngressRoutes among `objects` (the manifest at `path`) may name, from the whole scan
    (`config_maps`: the ConfigMaps a Traefik container's `envFrom` may name, the manifest's own first);
    the file provider's definitions only when a route names one (`needs_file_provider`)."""
    lookup = CrdLookup(Definitions(), services)
    options = [item for item in objects if is_traefik_crd(item, "TLSOption")]
    arguments = [found for item in objects for found in _traefik_arguments(item, config_maps)]
    for other in other_files(path, context):
        key = (str(other.path), other.size, other.mtime_ns, context.max_bytes, other.shown)
        options += _options_in(*key)
        arguments += _arguments_in(*key)
        dynamic = _dynamic_in(*key) if needs_file_provider else None
        if dynamic is not None:
            lookup.definitions.add(dynamic[0], (other.shown, dynamic[1]))
    merge_crd_services(crd_services(path, context, objects, services), lookup.definitions)
    for item in objects:
        middleware = crd_middleware(item)
        if middleware is not None:
            lookup.add_middleware(middleware)
    for middleware in other_provider_middlewares(path, context, {"kubernetescrd", "docker"}):
        lookup.add_middleware(middleware)
    for item in options:
        lookup.tls_options.setdefault(f"{item.namespace}-{item.name}@kubernetescrd", item)
    lookup.static = _static(arguments, context, lookup.warnings)
    return lookup


def _static(found: list[StaticConfig | str], context: ReadContext,
            warnings: list[str]) -> StaticConfig | None:
    """The Traefik container's options when exactly one sets a static configuration, else the one file."""
    warnings += [item for item in found if isinstance(item, str)]
    arguments = [item for item in found if isinstance(item, StaticConfig)]
    if len(arguments) == 1:
        # A file mounted from a ConfigMap is the one Traefik reads: a file in the folders is no rival.
        config = arguments[0] if arguments[0].line is not None else noting_file(arguments[0], context)
        warnings += config.warnings if isinstance(config, StaticConfig) else ()
        return config if isinstance(config, StaticConfig) else None
    if len(arguments) > 1:
        warnings.append(f"{len(arguments)} Traefik containers with command-line options: entry points and"
                        " access logging are not shown")
        return None
    static = find_static_config(context)
    if isinstance(static, str):
        warnings.append(static)
    return static if isinstance(static, StaticConfig) else None


def _traefik_arguments(item: KubeObject, config_maps: ConfigMaps) -> list[StaticConfig | str]:
    """The static configuration a workload's Traefik container gives as `args`, else as `TRAEFIK_*`
    variables of its environment (`traefik_static_env`); none when it is not one."""
    if item.kind not in _WORKLOADS or not item.api_version.startswith("apps/"):
        return []
    template = item.spec.get("template")
    pod = template.get("spec") if isinstance(template, dict) else None
    containers = pod.get("containers") if isinstance(pod, dict) else None
    found: list[StaticConfig | str] = []
    for index, container in enumerate(containers if isinstance(containers, list) else []):
        if isinstance(container, dict) and is_traefik_image(container.get("image")):
            place = f"/spec/template/spec/containers/{index}"
            variables = container_env(item, place, container, config_maps)
            # Options may sit in `command` (`[traefik, --entrypoints...]`) as well as in `args`.
            given = [*_listed(container.get("command")), *_listed(container.get("args"))]
            # A file where Traefik looks comes first; the options only when none is mounted there.
            config = mounted_static(item, mapping(pod), container,
                                    config_file_option(split_options(given), variables),
                                    config_maps)
            if config is None:
                written = "args" if split_options(container.get("args")) else "command"
                config = container_static(given, variables, item.shown,
                                          (f"{item.pointer}{place}/{written}", f"{item.pointer}{place}/env"))
            found += [config] if config is not None else []
            too_many = env_from_warning(container)
            found += [too_many] if too_many else []  # a str is a warning
    return found


def _listed(value: object) -> list[object]:
    """A container's `command` or `args` as a list (one string is one argument, as Kubernetes takes it)."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, str) else []


@lru_cache(maxsize=1024)
def _arguments_in(file: str, size: int, mtime_ns: int, max_bytes: int,
                  shown: str) -> tuple[StaticConfig | str, ...]:
    """The static configurations the Traefik workloads of one file give as container `args` or
    variables (a str: a container setting none, and why)."""
    path = Path(file)
    try:
        if _DECLARES_TRAEFIK_IMAGE.search(path.read_bytes()) is None:
            return ()
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return ()
    objects, _ = collect_objects(documents, shown, lambda message: None)
    config_maps = ConfigMaps(documents, shown)
    return tuple(config for item in objects for config in _traefik_arguments(item, config_maps))


@lru_cache(maxsize=1024)
def _options_in(file: str, size: int, mtime_ns: int, max_bytes: int, shown: str) -> tuple[KubeObject, ...]:
    """The TLSOption resources one file declares (none when it is unreadable or declares none)."""
    path = Path(file)
    try:
        if not declares_kind(path.read_bytes(), "TLSOption"):
            return ()
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return ()
    objects, _ = collect_objects(documents, shown, lambda message: None)
    return tuple(item for item in objects if is_traefik_crd(item, "TLSOption"))


@lru_cache(maxsize=256)
def _dynamic_in(file: str, size: int, mtime_ns: int, max_bytes: int, shown: str
                ) -> tuple[Mapping[str, Any], Callable[[str], int | None]] | None:
    """A Traefik dynamic configuration file's data and line finder; None for any other file."""
    path = Path(file)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        is_dynamic = (_YAML_HTTP.search(head) is not None or _JSON_HTTP.match(head) is not None
                      or TOML_SECTION.search(head) is not None)
        if not is_dynamic:
            return None
        return load_dynamic(path, ReadContext(root=path.parent, max_bytes=max_bytes), shown)
    except (OSError, SourceError):
        return None
