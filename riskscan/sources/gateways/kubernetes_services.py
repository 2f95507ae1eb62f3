"""Kubernetes `Service`s behind Ingress and Gateway API backends: where a route's requests go.

An Ingress `backend.service` and an HTTPRoute `backendRefs` entry name a Service (and a port); the
Service says what that name is, as the Kubernetes Service reference defines it:

- `type: ExternalName`: a DNS alias (CNAME) for `spec.externalName`, a host outside the cluster that the
  third-party control can judge; it is one node, as a host name is for nginx or Kong;
- any other type (ClusterIP, the default; NodePort, LoadBalancer; headless): the Service's own pods,
  in-cluster, reached as `name.namespace.svc`. Its pods are found through the Service's selector among
  the workloads of the files given (`kubernetes_workloads`): their replicas are its nodes, their
  readiness or liveness probes its health checks. When no workload shows a fixed count (no selector,
  no match, a DaemonSet) the backend counts no fixed nodes (like a discovered APISIX upstream), and an
  upstream with one has `nodes` 0.

Services are looked up in the file being read, then among the other YAML and JSON manifests of the
folders given (`ReadContext.is_allowed`: never elsewhere); each such file is parsed at most once per
version. A `BackendTLSPolicy` (gateway.networking.k8s.io, `targetRefs`, or `targetRef` before v1alpha3)
naming a Service makes the gateway speak TLS to it. A backend the scan does not define is not guessed:
the route's upstream stays not shown, and one warning per file names the Services missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from riskscan.errors import SourceError
from riskscan.model import Evidence
from riskscan.redaction import redact
from riskscan.sources import ReadContext
from riskscan.sources.gateways.declared_kinds import declares_kind
from riskscan.sources.gateways.gateway_lookup import other_files
from riskscan.sources.gateways.kubernetes_objects import (
    KubeObject,
    collect_objects,
    mapping,
    mappings,
    text,
)
from riskscan.sources.gateways.kubernetes_workloads import (
    Autoscaler,
    Pods,
    Selector,
    Workload,
    autoscalers_of,
    pods_behind,
    workloads_of,
)
from riskscan.sources.structured import load_structured_documents

__all__ = ["BackendRef", "Resolved", "ServiceIndex", "resolve_backends"]

_KINDS = ("Service", "BackendTLSPolicy", "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet",
          "HorizontalPodAutoscaler")
_POLICY_GROUP = "gateway.networking.k8s.io/"
_MAX_NAMED = 5


@dataclass(frozen=True)
class BackendRef:
    """A Service a route sends requests to: its namespace and name (a port does not change the host)."""

    namespace: str
    name: str


@dataclass(frozen=True)
class _Service:
    """What a route needs of one Service: where it points, and where it is written."""

    host: str
    is_external_name: bool
    place: str  # `k8s/services.yaml:12`, for evidence notes
    namespace: str
    selector: Selector  # empty: no selector (endpoints managed by hand) or an ExternalName


@dataclass(frozen=True)
class _Found:
    """The Services and BackendTLSPolicy targets of one file, by (namespace, name)."""

    services: dict[tuple[str, str], _Service]
    tls_targets: frozenset[tuple[str, str]]
    workloads: tuple[Workload, ...] = ()
    autoscalers: tuple[Autoscaler, ...] = ()


@dataclass(frozen=True)
class Resolved:
    """Backends resolved into the hosts, node count and health checks of an `Upstream`, and whether all
    speak TLS."""

    hosts: tuple[str, ...]
    nodes: int
    is_tls: bool
    note: str  # which Services these are, and where they are defined
    has_health_checks: bool = False  # every Service's pods are probed
    node_evidence: tuple[Evidence, ...] = ()  # the workloads (and autoscalers) that show the nodes


class ServiceIndex:
    """Services by namespace and name: those of the file being read, then those elsewhere in the scan."""

    def __init__(self, local: list[KubeObject], path: Path, context: ReadContext) -> None:
        self._local = _found(local)
        self._path = path.resolve()
        self._context = context
        self._others: list[_Found] | None = None
        self._missing: dict[str, None] = {}  # Services named by backends but defined nowhere, in order

    def find(self, ref: BackendRef) -> tuple[_Service, bool] | None:
        """The Service named and whether a BackendTLSPolicy targets it; None when no file defines it."""
        key = (ref.namespace, ref.name)
        for found in (self._local, *self._elsewhere()):
            if key in found.services:
                has_tls = any(key in item.tls_targets for item in (self._local, *self._elsewhere()))
                return found.services[key], has_tls
        return None

    def pods(self, service: _Service) -> Pods | None:
        """The pods an in-cluster Service reaches, from the workloads of every file given; None when
        they show no count (an ExternalName, no selector, no workload matching)."""
        if service.is_external_name:
            return None
        found = (self._local, *self._elsewhere())
        return pods_behind(service.namespace, service.selector,
                           [item for each in found for item in each.workloads],
                           [item for each in found for item in each.autoscalers])

    def note_missing(self, refs: list[BackendRef]) -> None:
        """Remember Services no file defines, for `missing_warning`."""
        self._missing.update((redact(f"{ref.namespace}/{ref.name}"), None) for ref in refs)

    def missing_warning(self) -> list[str]:
        """One line naming the backend Services that no manifest given defines (none: no line)."""
        if not self._missing:
            return []
        names = list(self._missing)
        more = f" (+{len(names) - _MAX_NAMED} more)" if len(names) > _MAX_NAMED else ""
        return [f"backend Service(s) {', '.join(names[:_MAX_NAMED])}{more} defined by no manifest given:"
                " the upstreams of their routes are not shown"]

    def _elsewhere(self) -> list[_Found]:
        if self._others is None:
            self._others = list(self._scan())
        return self._others

    def _scan(self) -> Iterator[_Found]:
        for other in other_files(self._path, self._context):
            yield _services_in(str(other.path), other.size, other.mtime_ns, self._context.max_bytes,
                               other.shown)


def resolve_backends(refs: list[BackendRef], index: ServiceIndex) -> Resolved | None:
    """The hosts and fixed nodes behind `refs`; None when one is not defined in the files given (an
    upstream shown in part would mislead the controls): the index remembers it for one warning."""
    if not refs:
        return None
    found = [(ref, index.find(ref)) for ref in refs]
    missing = [ref for ref, item in found if item is None]
    if missing:
        index.note_missing(missing)
        return None
    services = [item for _, item in found if item is not None]
    places = "; ".join(f"Service {ref.namespace}/{ref.name} at {item[0].place}"
                       for ref, item in found[:_MAX_NAMED] if item is not None)
    nodes, is_probed, evidence = _nodes([service for service, _ in services], index)
    return Resolved(hosts=tuple(dict.fromkeys(service.host for service, _ in services)), nodes=nodes,
                    is_tls=all(has_tls for _, has_tls in services), note=redact(places),
                    has_health_checks=is_probed, node_evidence=evidence)


def _nodes(services: list[_Service], index: ServiceIndex) -> tuple[int, bool, tuple[Evidence, ...]]:
    """How many fixed nodes serve `services` (0 when an in-cluster one shows no count), whether every
    one is in-cluster with probed pods, and the workloads that show it.

    An ExternalName host is one node; an in-cluster Service is as many as its workloads' replicas.
    """
    pods = [index.pods(service) for service in services if not service.is_external_name]
    external = len({service.host for service in services if service.is_external_name})
    counts = [item.count for item in pods if item is not None and item.count is not None]
    nodes = external + sum(counts) if len(counts) == len(pods) else 0
    is_probed = len(pods) == len(services) and all(item is not None and item.is_probed for item in pods)
    return nodes, is_probed, tuple(place for item in pods if item is not None for place in item.evidence)


@lru_cache(maxsize=1024)
def _services_in(file: str, size: int, mtime_ns: int, max_bytes: int, shown: str) -> _Found:
    """The Services and TLS policies one file declares (none when it is unreadable: it is reported on
    its own, if it is an input at all)."""
    path = Path(file)
    try:
        if not declares_kind(path.read_bytes(), *_KINDS):
            return _Found({}, frozenset())
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return _Found({}, frozenset())
    objects, _ = collect_objects(documents, shown, lambda message: None)
    return _found(objects)


def _found(objects: list[KubeObject]) -> _Found:
    services: dict[tuple[str, str], _Service] = {}
    targets: set[tuple[str, str]] = set()
    for item in objects:
        if item.kind == "Service" and item.api_version == "v1":
            services.setdefault((item.namespace, item.name), _service(item))
        elif item.kind == "BackendTLSPolicy" and item.api_version.startswith(_POLICY_GROUP):
            refs = mappings(item.spec.get("targetRefs")) or [mapping(item.spec.get("targetRef"))]
            targets.update((item.namespace, text(ref.get("name"))) for ref in refs
                           if text(ref.get("kind")) == "Service" and text(ref.get("name")))
    return _Found(services, frozenset(targets), tuple(workloads_of(objects)), tuple(autoscalers_of(objects)))


def _service(item: KubeObject) -> _Service:
    place = f"{item.shown}:{item.line()}" if item.line() is not None else item.shown
    external = text(item.spec.get("externalName")).lower().rstrip(".")
    if text(item.spec.get("type")) == "ExternalName" and external:
        return _Service(host=external, is_external_name=True, place=place, namespace=item.namespace,
                        selector=frozenset())
    selector = frozenset((str(key), text(value)) for key, value in mapping(item.spec.get("selector")).items())
    return _Service(host=f"{item.name}.{item.namespace}.svc", is_external_name=False, place=place,
                    namespace=item.namespace, selector=selector)
