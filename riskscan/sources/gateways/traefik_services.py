"""Where a Traefik router sends requests: the service it names, as an `Upstream`.

Read as Traefik's HTTP services reference defines them, among the definitions of the file and of the
other files of its file provider directory (`traefik_provider`), so a router in `routers.yaml` finds its
service in `services.toml`:

- `loadBalancer`: each `servers[].url` is a node (host only; credentials, ports and paths dropped) and
  its scheme is the one spoken to it; `healthCheck` is an active health check; the `serversTransport`
  it names sets `forwardingTimeouts` (without one Traefik waits for a response without limit);
- `weighted` and `highestRandomWeight` spread requests over their `services`: their nodes add up, and
  health checks and timeouts count only when every child has them;
- `failover`: `service` then `fallback`, both nodes of the upstream, judged like weighted children;
- `mirroring`: the main `service` carries the traffic (its nodes, checks and timeouts); the `mirrors`
  receive copies of the requests, so their hosts are listed too (a third party sees the data).

A service of Traefik itself (`api@internal`) has no upstream. A `name@docker` service labelled in a
Compose file of the folders given is resolved (`traefik_docker`), so is a `name@kubernetescrd`
TraefikService of the manifests given (`traefik_crd`: its Kubernetes Services' pods count no fixed
node, as in `kubernetes_services`); one of another provider (`@consulcatalog` ...), or one that no file
given defines, is not shown, with a warning naming it; so is a compound service with such a child.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from riskscan.model import Evidence, Upstream
from riskscan.redaction import redact
from riskscan.sources.gateways.traefik_middlewares import local_name
from riskscan.sources.gateways.traefik_provider import Definitions
from riskscan.sources.structured import escape_pointer_token

__all__ = ["crd_service_names", "docker_service_names", "has_missing_service", "service_upstream"]

Warn = Callable[[str], None]
_MAX_DEPTH = 4
_SPREADING = ("weighted", "highestRandomWeight")
_HEALTH_CHECKS = frozenset({"healthcheck", "passivehealthcheck"})


@dataclass(frozen=True)
class _Part:
    """What one service (and its children) contributes to the upstream."""

    hosts: tuple[str, ...]
    nodes: int
    schemes: frozenset[str]
    has_health_checks: bool
    has_timeouts: bool
    is_discovered: bool = False  # some nodes are pods a Kubernetes Service finds: their count is not shown


class _Unresolved(Exception):
    """A service, or a child of it, that cannot be shown: which, and why."""

    def __init__(self, reference: str, reason: str) -> None:
        super().__init__(reason)
        self.reference = reference
        self.reason = reason


class _NotDefined(_Unresolved):
    """A service or servers transport of the file provider that no file read defines."""


def service_upstream(reference: object, definitions: Definitions, warn: Warn) -> Upstream | None:
    """The upstream of the service a router names; None (warned) when it cannot be resolved."""
    if not isinstance(reference, str) or reference.endswith("@internal"):
        return None
    try:
        part = _resolve(reference, definitions, 0)
    except _Unresolved as problem:
        child = "" if problem.reference == reference else f" (through {redact(problem.reference)})"
        warn(f"service {redact(reference)}{child} {problem.reason}, so its upstream is not shown")
        return None
    name = local_name(reference) or reference
    if name not in definitions.service_origins:  # a load balancer made for a TraefikService's child
        warn(f"service {redact(reference)} is not defined in any file given, so its upstream is not shown")
        return None
    shown, line = definitions.service_origins[name]
    pointer = definitions.service_pointers.get(name) or "/http/services/" + escape_pointer_token(name)
    schemes = part.schemes
    return Upstream(
        hosts=part.hosts, nodes=part.nodes,
        # Plain HTTP to any node makes the upstream plain; mixed TLS schemes are not one scheme.
        scheme="http" if "http" in schemes else (next(iter(schemes)) if len(schemes) == 1 else None),
        has_health_checks=part.has_health_checks, has_timeouts=part.has_timeouts,
        evidence=Evidence(path=shown, line=line(pointer), pointer=pointer, excerpt=redact(f"service {name}")),
    )


def has_missing_service(reference: object, definitions: Definitions) -> bool:
    """True when the service named, or a child or servers transport of it, is of this provider but not
    defined among `definitions` (so the other files of the directory are worth reading)."""
    try:
        if isinstance(reference, str) and local_name(reference) is not None:
            _resolve(reference, definitions, 0)
    except _NotDefined:
        return True
    except _Unresolved:
        return False
    return False


def docker_service_names(routers: object, definitions: Definitions) -> set[str]:
    """The `name@docker` services the routers name that no file read so far defines."""
    return _foreign(routers, definitions, "@docker")


def crd_service_names(routers: object, definitions: Definitions) -> set[str]:
    """The `name@kubernetescrd` services the routers name that no file read so far defines."""
    return _foreign(routers, definitions, "@kubernetescrd")


def _foreign(routers: object, definitions: Definitions, suffix: str) -> set[str]:
    # A router's `service` may be anything in a hand-written file (a list, a mapping): only names count.
    names = [router.get("service") for router in (routers.values() if isinstance(routers, Mapping) else [])
             if isinstance(router, Mapping)]
    return {name for name in names
            if isinstance(name, str) and name.endswith(suffix) and name not in definitions.services}


def _resolve(reference: str, definitions: Definitions, depth: int) -> _Part:
    name = local_name(reference) or (reference if reference in definitions.services else None)
    if name is None:
        provider = reference.rpartition("@")[2]
        if provider == "docker":
            raise _Unresolved(reference, "is labelled in no Compose file of the folders given")
        if provider == "kubernetescrd":
            raise _Unresolved(reference, "is a TraefikService or Kubernetes Service in no manifest given")
        raise _Unresolved(reference, f"is defined by the {redact(provider)} provider, whose services are"
                                     " not read")
    service = definitions.services.get(name)
    if not isinstance(service, Mapping):
        raise _NotDefined(reference, "is not defined in this file or the other files of its folder")
    if depth >= _MAX_DEPTH:
        raise _Unresolved(reference, f"nests services more than {_MAX_DEPTH} deep")
    if isinstance(service.get("loadBalancer"), Mapping):
        return _load_balancer(reference, service["loadBalancer"], definitions)
    for kind in _SPREADING:
        if isinstance(service.get(kind), Mapping):
            children = [_child(item, definitions, depth, reference)
                        for item in _list(service[kind].get("services"))]
            return _combined(reference, children, children)
    if isinstance(service.get("failover"), Mapping):
        failover = service["failover"]
        children = [_child(failover.get(key), definitions, depth, reference)
                    for key in ("service", "fallback")]
        return _combined(reference, children, children)
    if isinstance(service.get("mirroring"), Mapping):
        mirroring = service["mirroring"]
        main = _child(mirroring.get("service"), definitions, depth, reference)
        mirrors = [_child(item, definitions, depth, reference) for item in _list(mirroring.get("mirrors"))]
        return _combined(reference, [main, *mirrors], [main])
    raise _Unresolved(reference, "has no loadBalancer, weighted, failover or mirroring section")


def _child(entry: object, definitions: Definitions, depth: int, parent: str) -> _Part:
    """A child service, named as a string (`failover`, `mirroring.service`) or as `{name: ...}`."""
    name = entry.get("name") if isinstance(entry, Mapping) else entry
    if not isinstance(name, str) or not name:
        raise _Unresolved(parent, "names a child service without a name")
    return _resolve(name, definitions, depth + 1)


def _load_balancer(reference: str, balancer: Mapping[str, Any], definitions: Definitions) -> _Part:
    urls = [server["url"] for server in _list(balancer.get("servers"))
            if isinstance(server, Mapping) and isinstance(server.get("url"), str)]
    if not urls:
        raise _Unresolved(reference, "is a loadBalancer without server urls")
    transport_name = balancer.get("serversTransport")
    transport: object = {}
    if isinstance(transport_name, str):
        local = local_name(transport_name) or transport_name
        if local not in definitions.servers_transports:
            raise _NotDefined(reference, "names a serversTransport that no file read defines")
        transport = definitions.servers_transports[local]
    timeouts = transport.get("forwardingTimeouts") if isinstance(transport, Mapping) else None
    is_discovered = reference in definitions.discovered
    return _Part(
        hosts=tuple(dict.fromkeys(host for host in map(_hostname, urls) if host)),
        nodes=0 if is_discovered else len(urls),
        is_discovered=is_discovered,
        schemes=frozenset(url.partition("://")[0].lower() for url in urls if "://" in url),
        # Traefik reads keys without regard to case; v3.5 adds passive checks (failed requests).
        has_health_checks=any(str(key).lower() in _HEALTH_CHECKS and bool(value)
                              for key, value in balancer.items()),
        has_timeouts=bool(timeouts),
    )


def _combined(reference: str, children: list[_Part], serving: list[_Part]) -> _Part:
    """Children whose hosts all receive requests; `serving` are those that answer them."""
    if not serving:
        raise _Unresolved(reference, "has no child services")
    return _Part(
        hosts=tuple(dict.fromkeys(host for child in children for host in child.hosts)),
        nodes=0 if any(child.is_discovered for child in serving) else sum(child.nodes for child in serving),
        is_discovered=any(child.is_discovered for child in serving),
        schemes=frozenset(scheme for child in children for scheme in child.schemes),
        has_health_checks=all(child.has_health_checks for child in serving),
        has_timeouts=all(child.has_timeouts for child in serving),
    )


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
