"""Kubernetes Gateway API: `HTTPRoute`s and `GRPCRoute`s as gateway routes, resolved against their
parent `Gateway`s (a GRPCRoute match read as the `POST /service/method` it stands for: `gateway_api_grpc`).

Read as the Gateway API reference defines it (gateway.networking.k8s.io v1):

- every match of every rule of an HTTPRoute is one route (a rule without matches matches every path,
  `PathPrefix /`); `path.type` `Exact`, `PathPrefix` (segment-wise) or `RegularExpression` (the whole
  path, translated only when it is a plain path pattern: see `kubernetes_paths`); `method`; `headers`
  and `queryParams` become conditions (values of credential-bearing headers hidden);
- `filters` (route rule and backend level) are kept as plugin references, by type;
- upstream: a rule's `backendRefs` (Services, weight 0 left out) resolved against the Services of the
  scan (`kubernetes_services`); `timeouts` (`request`, `backendRequest`; "0s" disables one) and
  `retry` (v1.2+) as the rule sets them; a `BackendTLSPolicy` on every Service makes it https. Gateway
  API core has no health checks, so none is ever shown;
- hosts: the intersection of the route's `hostnames` with the `hostname` of each listener it attaches
  to (`parentRefs`, narrowed by `sectionName` and `port`); a parent outside the file is looked up among
  the other manifests of the folders given (`gateway_lookup`);
- client certificates: a listener demands them with `tls.frontendValidation` (v1.1-v1.2), or the
  Gateway with `spec.tls.frontend` (`default`, overridden `perPort`; mode `AllowInsecureFallback`
  lets callers without one through). A route gets mTLS when every listener it attaches to demands it.

Gateway API itself defines no authentication, rate limiting or access logging: implementations add
them through their own policy objects, which are not read, so routes show only mTLS and filters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from riskscan.model import AuthKind, AuthRequirement, ClientTransport, GatewayRoute, PluginRef, RouteAspect
from riskscan.redaction import REDACTED, is_secret_key, redact
from riskscan.sources.gateways.gateway_api_backends import rule_upstream
from riskscan.sources.gateways.gateway_api_grpc import http_match as grpc_http_match
from riskscan.sources.gateways.gateway_api_listeners import Listener, attached_hosts
from riskscan.sources.gateways.gateway_lookup import GatewayIndex
from riskscan.sources.gateways.kubernetes_objects import KubeObject, Warn, mapping, mappings, text
from riskscan.sources.gateways.kubernetes_paths import PathMatch, route_uris
from riskscan.sources.gateways.kubernetes_services import ServiceIndex

__all__ = ["GATEWAY_API", "grpcroute_routes", "httproute_routes"]

GATEWAY_API = "gateway-api"
_PATH_TYPES = {"Exact": PathMatch.EXACT, "PathPrefix": PathMatch.SEGMENT_PREFIX,
               "RegularExpression": PathMatch.REGEX_FULL}
_MAX_BACKENDS_SHOWN = 5


def httproute_routes(route: KubeObject, gateways: GatewayIndex, services: ServiceIndex,
                     warn: Warn) -> list[GatewayRoute]:
    """The routes one HTTPRoute declares: one per match of each rule."""
    return _routes(route, gateways, services, warn, lambda match: match)


def grpcroute_routes(route: KubeObject, gateways: GatewayIndex, services: ServiceIndex,
                     warn: Warn) -> list[GatewayRoute]:
    """The routes one GRPCRoute declares: one per match of each rule, as the `POST` it stands for."""
    return _routes(route, gateways, services, warn, grpc_http_match)


def _routes(route: KubeObject, gateways: GatewayIndex, services: ServiceIndex, warn: Warn,
            as_http: Callable[[Mapping[str, Any]], Mapping[str, Any] | str]) -> list[GatewayRoute]:
    """One route per match of each rule of a Gateway API route; `as_http` gives a match as an
    HTTPRoute match (or why it cannot be read)."""
    listeners, is_unresolved = _parent_listeners(route, gateways, warn)
    names = route.spec.get("hostnames")
    hostnames = tuple(text(name) for name in names if text(name)) if isinstance(names, list) else ()
    hosts = attached_hosts(hostnames, listeners) if listeners or is_unresolved else None
    if hosts is None:
        warn(f"{route.label}: no listener of its parent Gateways takes it, or none shares a hostname with it"
             " (it serves nothing)")
        return []
    is_mtls = bool(listeners) and not is_unresolved and all(listener.is_mtls for listener in listeners)
    found: list[GatewayRoute] = []
    rules = route.spec.get("rules")
    for rule_index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            warn(f"{route.label} rules/{rule_index} is not a mapping: skipped")
            continue
        matches = rule.get("matches") if isinstance(rule.get("matches"), list) else [{}]
        upstream = rule_upstream(route, rule_index, rule, services, warn)
        for match_index, match in enumerate(matches or [{}]):
            http = as_http(mapping(match))
            if isinstance(http, str):
                warn(f"{route.label} rules/{rule_index}/matches/{match_index}: {http}: route left out")
                continue
            made = _match_route(route, rule_index, rule, match_index, http, hosts, is_mtls, warn,
                                has_match=bool(match))
            if made is not None:
                transport = None if is_unresolved else _client_transport(route, rule_index, rule, listeners)
                found.append(made.model_copy(update={"client_transport": transport,
                                                     "upstream_detail": upstream}))
    return found


def _parent_listeners(route: KubeObject, gateways: GatewayIndex, warn: Warn) -> tuple[list[Listener], bool]:
    """The listeners of the Gateways this route names, and whether a parent was not found (or none is
    named): then the route's own hostnames are all that is known of its hosts."""
    found: list[Listener] = []
    is_unresolved = not mappings(route.spec.get("parentRefs"))
    for parent in mappings(route.spec.get("parentRefs")):
        if text(parent.get("kind")) not in ("", "Gateway"):
            is_unresolved = True  # a Service parent (GAMMA mesh routing): no Gateway listener in front
            continue
        namespace = text(parent.get("namespace")) or route.namespace
        name = text(parent.get("name"))
        gateway = gateways.find(namespace, name)
        if gateway is None:
            warn(f"{route.label}: parent Gateway {redact(namespace)}/{redact(name)} is not in the files"
                 " given,"
                 " so its listeners' hostnames and client certificates are not known")
            is_unresolved = True
            continue
        section, port = text(parent.get("sectionName")), text(parent.get("port"))
        found.extend(gateway.select(section, port, route.namespace))
    return found, is_unresolved


def _match_route(route: KubeObject, rule_index: int, rule: Mapping[str, Any], match_index: int,
                 match: Mapping[str, Any], hosts: tuple[str, ...], is_mtls: bool,
                 warn: Warn, *, has_match: bool) -> GatewayRoute | None:
    label = f"{route.label} rules/{rule_index}/matches/{match_index}"
    path = mapping(match.get("path"))
    path_type = text(path.get("type")) or "PathPrefix"
    value = text(path.get("value")) or "/"
    kind = _PATH_TYPES.get(path_type)
    if kind is None:
        warn(f"{label}: unknown path type {redact(path_type)}: skipped")
        return None
    uris = route_uris(value, kind)
    if uris is None:
        warn(f"{label}: regex path {redact(value)} not evaluated (not a plain path pattern): route left out")
        return None
    method = text(match.get("method")).upper()
    pointer = f"/spec/rules/{rule_index}"
    return GatewayRoute(
        gateway=GATEWAY_API,
        route_id=f"{route.namespace}/{route.name} rule {rule_index} match {match_index}",
        name=route.label,
        uris=uris,
        methods=(method,) if method else (),
        hosts=hosts,
        conditions=_conditions(match),
        plugins=_filters(route, rule, pointer),
        auth=(AuthRequirement(kind=AuthKind.MTLS, scheme="listener frontend validation"),) if is_mtls else (),
        upstream=_backends(rule.get("backendRefs")),
        # Implementation policies (not read) decide auth, limits and logging; a listener's client
        # certificate check is the one mechanism the Gateway itself shows.
        not_shown=(RouteAspect.RATE_LIMIT, RouteAspect.LOGGING) if is_mtls else tuple(RouteAspect),
        evidence=route.evidence(f"{pointer}/matches/{match_index}" if has_match else pointer,
                                f"{label} {value} ({path_type}) {method or 'any method'}"),
    )


def _client_transport(route: KubeObject, rule_index: int, rule: Mapping[str, Any],
                      listeners: list[Listener]) -> ClientTransport | None:
    """A rule attached to an HTTP listener serves plain HTTP unless it redirects to https (a
    RequestRedirect filter with scheme https); None when no listener is known."""
    if not listeners:
        return None
    plain = sorted({listener.name or listener.port for listener in listeners if listener.protocol == "HTTP"})
    redirects = any(text(f.get("type")) == "RequestRedirect"
                    and text(mapping(f.get("requestRedirect")).get("scheme")).lower() == "https"
                    for f in mappings(rule.get("filters")))
    if plain and not redirects:
        note = f"attached to HTTP listener {', '.join(plain)}"
        return ClientTransport(is_plain=True, evidence=route.evidence("/spec/parentRefs", note=redact(note)))
    note = "redirects HTTP to https" if plain else "attached to TLS listeners only"
    return ClientTransport(is_plain=False, evidence=route.evidence(f"/spec/rules/{rule_index}", note=note))


def _conditions(match: Mapping[str, Any]) -> tuple[str, ...]:
    """Header and query parameter matches as `header env == canary` (credential values hidden)."""
    found = []
    for where, key in (("header", "headers"), ("query", "queryParams")):
        for condition in mappings(match.get(key)):
            name = text(condition.get("name"))
            operator = "~" if text(condition.get("type")) == "RegularExpression" else "=="
            value = REDACTED if is_secret_key(name) else redact(text(condition.get("value")))
            found.append(f"{where} {redact(name)} {operator} {value}")
    return tuple(found)


def _filters(route: KubeObject, rule: Mapping[str, Any], pointer: str) -> tuple[PluginRef, ...]:
    """Rule filters and backend filters, by type (`ExtensionRef` by the kind it names)."""
    found = []
    places = [(f"{pointer}/filters", rule.get("filters"), "httproute rule")]
    places += [(f"{pointer}/backendRefs/{index}/filters", backend.get("filters"), "httproute backend")
               for index, backend in enumerate(mappings(rule.get("backendRefs")))]
    for base, filters, attached in places:
        for index, entry in enumerate(filters if isinstance(filters, list) else []):
            entry = mapping(entry)
            kind = text(entry.get("type")) or "unknown"
            if kind == "ExtensionRef":
                kind = f"ExtensionRef {text(mapping(entry.get('extensionRef')).get('kind'))}".strip()
            evidence = route.evidence(f"{base}/{index}", f"{route.label} filter {kind}")
            found.append(PluginRef(name=kind, attached_to=attached, evidence=evidence))
    return tuple(found)


def _backends(value: object) -> str | None:
    names = []
    for backend in mappings(value):
        name = text(backend.get("name"))
        port = text(backend.get("port"))
        namespace = text(backend.get("namespace"))
        shown = f"{namespace}/{name}" if namespace else name
        if shown:
            names.append(f"{shown}:{port}" if port else shown)
    if not names:
        return None
    more = len(names) - _MAX_BACKENDS_SHOWN
    joined = ", ".join(names[:_MAX_BACKENDS_SHOWN])
    return f"{joined} (+{more} more)" if more > 0 else joined
