"""Gateway API `Gateway` objects reduced to what their routes inherit: listener hostnames and mTLS.

A route attaches to the listeners its `parentRefs` select (all of a Gateway's, or those named by
`sectionName` or on `port`) that admit routes from its namespace (`allowedRoutes.namespaces.from`:
`Same` by default, `All`, or a `Selector` that a manifest cannot evaluate, taken as admitting).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskscan.sources.gateways.kubernetes_objects import KubeObject, mapping, mappings, text

__all__ = ["Listener", "ParentGateway", "attached_hosts", "parent_gateway"]

_TERMINATING = frozenset({"HTTPS", "TLS"})


@dataclass(frozen=True)
class Listener:
    """One listener: where it listens, for which hostname, and whether it demands client certificates."""

    name: str
    port: str
    hostname: str  # "" for any
    is_mtls: bool
    admits: str  # allowedRoutes.namespaces.from: Same, All or Selector
    namespace: str  # the Gateway's
    protocol: str = ""  # upper case: HTTP, HTTPS, TLS ...


@dataclass(frozen=True)
class ParentGateway:
    """A Gateway's identity and listeners."""

    namespace: str
    name: str
    listeners: tuple[Listener, ...]

    def select(self, section: str, port: str, route_namespace: str) -> list[Listener]:
        """The listeners a parentRef with this `sectionName`/`port` attaches a route of that namespace to."""
        return [
            listener for listener in self.listeners
            if (not section or listener.name == section) and (not port or listener.port == port)
            and (listener.admits != "Same" or listener.namespace == route_namespace)
        ]


def parent_gateway(gateway: KubeObject) -> ParentGateway:
    """A `Gateway` object's listeners, each with whether it demands client certificates."""
    frontend = mapping(mapping(gateway.spec.get("tls")).get("frontend"))
    listeners = []
    for entry in mappings(gateway.spec.get("listeners")):
        port = text(entry.get("port"))
        tls = mapping(entry.get("tls"))
        is_terminating = text(entry.get("protocol")).upper() in _TERMINATING and \
            text(tls.get("mode")) in ("", "Terminate")
        validations = [mapping(tls.get("frontendValidation")), _gateway_validation(frontend, port)]
        is_mtls = is_terminating and any(_demands_certificate(validation) for validation in validations)
        admits = text(mapping(mapping(entry.get("allowedRoutes")).get("namespaces")).get("from")) or "Same"
        listeners.append(Listener(text(entry.get("name")), port, text(entry.get("hostname")).lower(),
                                  is_mtls, admits, gateway.namespace, text(entry.get("protocol")).upper()))
    return ParentGateway(gateway.namespace, gateway.name, tuple(listeners))


def _gateway_validation(frontend: Mapping[str, Any], port: str) -> Mapping[str, Any]:
    """Gateway-level client validation for a port (`spec.tls.frontend`): a `perPort` entry, else default."""
    for entry in mappings(frontend.get("perPort")):
        if text(entry.get("port")) == port:
            return mapping(mapping(entry.get("tls")).get("validation"))
    return mapping(mapping(frontend.get("default")).get("validation"))


def _demands_certificate(validation: Mapping[str, Any]) -> bool:
    """CA references are set and callers without a valid certificate are not let through."""
    refs = validation.get("caCertificateRefs")
    return bool(isinstance(refs, list) and refs) and text(validation.get("mode")) != "AllowInsecureFallback"


def attached_hosts(route_hosts: tuple[str, ...], listeners: list[Listener]) -> tuple[str, ...] | None:
    """The hosts a route serves through its listeners: () for any host, None when none is shared.

    Without known listeners the route's own hostnames apply. With listeners, each contributes the
    intersection of its hostname with the route's (the more specific of two matching names).
    """
    route_hosts = tuple(host.lower() for host in route_hosts)
    if not listeners:
        return route_hosts
    found: list[str] = []
    for listener in listeners:
        if not listener.hostname and not route_hosts:
            return ()  # this listener takes any host for the route
        if not listener.hostname:
            found += route_hosts
        elif not route_hosts:
            found.append(listener.hostname)
        else:
            found += [_narrower(host, listener.hostname) for host in route_hosts
                      if _overlaps(host, listener.hostname)]
    return tuple(dict.fromkeys(found)) or None


def _overlaps(one: str, other: str) -> bool:
    return one == other or fnmatch.fnmatchcase(one, other) or fnmatch.fnmatchcase(other, one)


def _narrower(one: str, other: str) -> str:
    return other if fnmatch.fnmatchcase(other, one) and one != other else one
