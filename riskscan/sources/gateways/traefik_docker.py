"""Services a Traefik router takes from the docker provider (`name@docker`), found in Compose files.

Under the docker provider a service is declared by labels on a container (`labels` or `deploy.labels`
of a Compose service): `traefik.http.services.<name>.loadbalancer.server.port` (and `.scheme`, or a
whole `.url` since v3), `.healthcheck.*`, `.passivehealthcheck.*` and `.serverstransport`. Traefik
sends requests to each container of that Compose service at its private address: here the Compose
service's name stands for it (an in-network, single-label name), one node per replica
(`deploy.replicas`, else `scale`, else 1). The service is turned into the file provider's shape
(`{loadBalancer: {servers: [...], ...}}`) so `traefik_services` resolves it like any other.

Only Compose files of the folders given (`ReadContext.is_allowed`) whose text carries a service label
are parsed, each at most once per version; label values are read only as a scheme, a URL's host, a
transport's name and the presence of health checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.sources import ReadContext
from riskscan.sources.gateways.gateway_lookup import other_files
from riskscan.sources.structured import escape_pointer_token, load_structured_documents

__all__ = [
    "DockerService", "docker_services", "file_services", "key_value_pairs", "label_service_config", "replicas",
    "service_labels",
]

_LABEL = re.compile(r"traefik\.http\.services\.([^.=\s]+)\.loadbalancer\.(.+)", re.IGNORECASE)
_MAX_REPLICAS = 10_000


@dataclass(frozen=True)
class DockerService:
    """A docker provider service: its qualified name, its file-provider shape, and where it is labelled."""

    reference: str  # `orders@docker`
    config: Mapping[str, Any]
    shown: str
    line: int | None
    pointer: str


def docker_services(path: Path, context: ReadContext, names: set[str]) -> list[DockerService]:
    """The services named (`orders@docker`) that the Compose files of the folders given label."""
    if not names:
        return []
    found: list[DockerService] = []
    for other in other_files(path, context):
        found += [item for item in _services_in(str(other.path), other.size, other.mtime_ns, context.max_bytes,
                                                other.shown) if item.reference in names]
    return found


def file_services(path: Path, context: ReadContext) -> tuple[DockerService, ...]:
    """The label services `path` itself declares (a Compose file read for its routers)."""
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _services_in(str(path.resolve()), stat.st_size, stat.st_mtime_ns, context.max_bytes,
                        context.relative_path(path))


@lru_cache(maxsize=1024)
def _services_in(
    file: str, size: int, mtime_ns: int, max_bytes: int, shown: str
) -> tuple[DockerService, ...]:
    """The label services one Compose file declares (none when it is unreadable or holds none)."""
    path = Path(file)
    try:
        if b"traefik.http.services." not in path.read_bytes().lower():
            return ()
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return ()
    found: list[DockerService] = []
    for document in documents:
        services = document.data.get("services") if isinstance(document.data, Mapping) else None
        for compose_name, compose in (services.items() if isinstance(services, Mapping) else []):
            if isinstance(compose, Mapping):
                base = "/services/" + escape_pointer_token(str(compose_name))
                for name, options, pointer in _labelled(compose, base):
                    config = label_service_config(str(compose_name), replicas(compose), options)
                    found.append(DockerService(f"{name}@docker", config, shown, document.line_of(pointer),
                                               pointer))
    return tuple(found)


def _labelled(compose: Mapping[str, Any], base: str) -> Iterator[tuple[str, dict[str, str], str]]:
    """(service name, {lower-cased option path: value}, pointer of its first label) per labelled service."""
    options: dict[str, dict[str, str]] = {}
    places: dict[str, str] = {}
    for key, value, where in service_labels(compose, base):
        match = _LABEL.fullmatch(key.strip())
        if match is not None:
            options.setdefault(match.group(1), {})[match.group(2).lower()] = value.strip()
            places.setdefault(match.group(1), where)
    for name, found in options.items():
        yield name, found, places[name]


def service_labels(compose: Mapping[str, Any], base: str) -> Iterator[tuple[str, str, str]]:
    """(key, value, pointer) of each label of a Compose service, `labels` then `deploy.labels`."""
    deploy = compose.get("deploy")
    yield from key_value_pairs(compose.get("labels"), f"{base}/labels")
    if isinstance(deploy, Mapping):
        yield from key_value_pairs(deploy.get("labels"), f"{base}/deploy/labels")


def key_value_pairs(values: object, pointer: str) -> Iterator[tuple[str, str, str]]:
    """(key, value, pointer) of a Compose list of `key=value` or a mapping (a null value, which passes the
    host's, and nested values are left out)."""
    if isinstance(values, list):
        for index, item in enumerate(values):
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                yield key, value, f"{pointer}/{index}"
    elif isinstance(values, Mapping):
        for key, value in values.items():
            if value is not None and not isinstance(value, (Mapping, list)):
                yield str(key), str(value), f"{pointer}/{escape_pointer_token(str(key))}"


def label_service_config(compose_name: str, count: int, options: Mapping[str, str]) -> dict[str, Any]:
    """The file provider's shape of a label service (`options`: its lower-cased label options, none for
    the service Traefik makes for a container): one server per replica of the Compose service."""
    scheme = options.get("server.scheme", "http").lower() or "http"
    url = options.get("server.url") or f"{scheme}://{compose_name}"
    balancer: dict[str, Any] = {"servers": [{"url": url}] * count}
    if any(key.startswith(("healthcheck.", "passivehealthcheck.")) for key in options):
        balancer["healthCheck"] = {"labelled": True}
    if options.get("serverstransport"):
        balancer["serversTransport"] = options["serverstransport"]
    return {"loadBalancer": balancer}


def replicas(compose: Mapping[str, Any]) -> int:
    """How many containers a Compose service runs: `deploy.replicas`, else `scale`, else 1."""
    deploy = compose.get("deploy")
    for value in ((deploy.get("replicas") if isinstance(deploy, Mapping) else None), compose.get("scale")):
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _MAX_REPLICAS:
            return value
    return 1
