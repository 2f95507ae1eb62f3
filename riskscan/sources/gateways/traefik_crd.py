"""Services a Traefik router takes from the kubernetescrd provider (`name@kubernetescrd`).

A router of the file provider may name a `TraefikService` custom resource (traefik.io, or the older
traefik.containo.us), which Traefik names `<namespace>-<name>@kubernetescrd`. Read as Traefik's
TraefikService reference defines it: `weighted.services` spread requests over their children and
`mirroring` sends them to its own target with copies to its `mirrors`; each child is a Kubernetes
`Service` (the default `kind`, resolved by `kubernetes_services`: an ExternalName is its host, any
other its pods, a discovered set) or another TraefikService. A child's `scheme` (https by default on
port 443), `healthCheck` (ExternalName services) and `serversTransport` (a `ServersTransport` resource
of its namespace, whose `forwardingTimeouts` are timeouts) are kept.

Everything is turned into the file provider's shape (`traefik_services` resolves it like any other):
a Kubernetes Service child becomes a load balancer with its parent's options for it, named
`<parent>/<ns>-<name>-<port>@kubernetescrd`, listed in `discovered` when its nodes are pods. Only
YAML and JSON files of the folders given whose text declares a TraefikService or ServersTransport are
parsed, each at most once per version. An IngressRoute's `services` are children in the same shape
(`service_child`), so its routes are resolved the same way (`traefik_ingressroute`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.sources import ReadContext
from riskscan.sources.gateways.declared_kinds import declares_kind
from riskscan.sources.gateways.gateway_lookup import other_files
from riskscan.sources.gateways.kubernetes_objects import KubeObject, collect_objects, mapping, mappings, text
from riskscan.sources.gateways.kubernetes_services import BackendRef, ServiceIndex, resolve_backends
from riskscan.sources.gateways.traefik_provider import Definitions
from riskscan.sources.structured import load_structured_documents

__all__ = ["CrdServices", "add_crd_services", "crd_services", "merge_crd_services", "service_child"]

_GROUPS = ("traefik.io/", "traefik.containo.us/")
_SUFFIX = "@kubernetescrd"


@dataclass
class CrdServices:
    """TraefikServices and their Kubernetes Service children in the file provider's shape, by name."""

    services: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    places: dict[str, tuple[str, int | None, str]] = field(default_factory=dict)  # file, line, pointer
    transports: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    discovered: set[str] = field(default_factory=set)  # load balancers over a Service's pods


def crd_services(path: Path, context: ReadContext, local: Sequence[KubeObject] = (),
                 kubernetes: ServiceIndex | None = None) -> CrdServices:
    """The TraefikServices and ServersTransports the manifests of the folders given declare: `local`,
    the objects of the file being read (an IngressRoute's own manifest), first; Kubernetes Services are
    looked up in `kubernetes` (by default the other files of the scan)."""
    objects = [item for item in local if _is_crd_service(item)]
    for other in other_files(path, context):
        objects += _objects_in(str(other.path), other.size, other.mtime_ns, context.max_bytes, other.shown)
    found = CrdServices()
    kubernetes = kubernetes if kubernetes is not None else ServiceIndex([], path, context)
    for item in objects:
        reference = f"{item.namespace}-{item.name}{_SUFFIX}"
        if item.kind == "ServersTransport":
            found.transports[reference] = {"forwardingTimeouts": item.spec.get("forwardingTimeouts")}
            continue
        found.places[reference] = (item.shown, item.line("/spec"), f"{item.pointer}/spec")
        spec = item.spec
        if isinstance(spec.get("weighted"), dict):
            children = [service_child(entry, reference, item.namespace, kubernetes, found)
                        for entry in mappings(spec["weighted"].get("services"))]
            found.services[reference] = {"weighted": {"services": [{"name": name} for name in children]}}
        elif isinstance(spec.get("mirroring"), dict):
            mirroring = spec["mirroring"]
            mirrors = [service_child(entry, reference, item.namespace, kubernetes, found)
                       for entry in mappings(mirroring.get("mirrors"))]
            found.services[reference] = {"mirroring": {
                "service": service_child(mirroring, reference, item.namespace, kubernetes, found),
                "mirrors": [{"name": name} for name in mirrors]}}
    return found


def add_crd_services(path: Path, context: ReadContext, names: set[str], into: Definitions) -> None:
    """Add to `into` the TraefikServices the routers name (`names`), with what they need."""
    if names:
        merge_crd_services(crd_services(path, context), into)


def merge_crd_services(found: CrdServices, into: Definitions) -> None:
    """Add `found` to `into`: each TraefikService with its place, the load balancers made for their
    Kubernetes Services, the servers transports; names already known keep their first definition."""
    for reference, config in found.services.items():
        place = found.places.get(reference)
        if place is not None:
            shown, line, pointer = place
            into.add_service(reference, config, (shown, _at(line)), pointer)
        elif reference not in into.services:
            into.services[reference] = config
    for reference, transport in found.transports.items():
        into.servers_transports.setdefault(reference, transport)
    into.discovered |= found.discovered


def _at(line: int | None) -> Callable[[str], int | None]:
    """A line finder for a resource found in another file: its line, whatever the pointer."""
    return lambda pointer: line


def service_child(entry: Mapping[str, Any], parent: str, namespace: str, kubernetes: ServiceIndex,
                  into: CrdServices) -> str:
    """The name under which a child is known: a TraefikService's, or a load balancer made for a
    Kubernetes Service with this parent's options (`parent/<ns>-<name>-<port>`; left undefined when
    the Service is in no file given, so it is warned about)."""
    child_namespace = text(entry.get("namespace")) or namespace
    name = text(entry.get("name"))
    if text(entry.get("kind")) == "TraefikService":  # `name@file`: another provider's service
        return name if "@" in name else f"{child_namespace}-{name}{_SUFFIX}"
    port = text(entry.get("port"))
    suffix = f"-{port}{_SUFFIX}" if port else _SUFFIX
    reference = f"{parent.removesuffix(_SUFFIX)}/{child_namespace}-{name}{suffix}"
    resolved = resolve_backends([BackendRef(child_namespace, name)], kubernetes)
    if resolved is None:
        return reference
    scheme = text(entry.get("scheme")).lower() or ("https" if port == "443" else "http")
    balancer: dict[str, Any] = {"servers": [{"url": f"{scheme}://{host}"} for host in resolved.hosts]}
    if mapping(entry.get("healthCheck")):
        balancer["healthCheck"] = entry["healthCheck"]
    transport = text(entry.get("serversTransport"))
    if transport:
        qualified = f"{child_namespace}-{transport}{_SUFFIX}"
        balancer["serversTransport"] = transport if "@" in transport else qualified
    into.services[reference] = {"loadBalancer": balancer}
    if resolved.nodes == 0:
        into.discovered.add(reference)
    return reference


@lru_cache(maxsize=1024)
def _objects_in(file: str, size: int, mtime_ns: int, max_bytes: int, shown: str) -> tuple[KubeObject, ...]:
    """The TraefikService and ServersTransport resources one file declares."""
    path = Path(file)
    try:
        if not declares_kind(path.read_bytes(), "TraefikService", "ServersTransport"):
            return ()
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return ()
    objects, _ = collect_objects(documents, shown, lambda message: None)
    return tuple(item for item in objects if _is_crd_service(item))


def _is_crd_service(item: KubeObject) -> bool:
    return item.kind in ("TraefikService", "ServersTransport") and item.api_version.startswith(_GROUPS)
