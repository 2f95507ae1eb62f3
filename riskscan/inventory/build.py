"""Assembling the inventory: specs, gateway routes and traffic into one list of endpoints.

One endpoint per (method, path template, host). Hosts narrow, they never split: when a path matches
templates documented for several hosts, the request's host picks among them (a template without a
host fits every host); when none fits, the request still joins the endpoint it matched, because the
host a log or gateway names (`localhost:8080`, an internal name) often differs from a spec's server
URL, and the same API must not appear twice for it. Shadow endpoints seen without a host join the
same path seen with exactly one host.

The steps: spec operations make documented endpoints and fill a `TemplateMatcher`; each gateway
route uri is mapped to the spec endpoints it covers, or else becomes a shadow endpoint; each distinct
concrete path in traffic is matched once against spec templates, then route shadows, then the routes
themselves; what is left is folded into templates, except probes (see `riskscan.inventory.traffic`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from riskscan.inventory.gateway_patterns import (
    UriPattern,
    choose_routes,
    compile_uri,
    hosts_compatible,
    route_accepts,
    templates_under_prefix,
)
from riskscan.inventory.merge import EndpointDraft, EndpointKey
from riskscan.inventory.templates import ANY_METHOD, TemplateMatcher
from riskscan.inventory.web_content import WebContentTally
from riskscan.model import ApiSpec, GatewayConfig, GatewayRoute, TrafficSample

__all__ = [
    "Drafts",
    "add_prefix_shadows",
    "attach_routes",
    "has_traffic_paths",
    "narrow_by_host",
    "route_host",
]


class Drafts:
    """Endpoint drafts by key, with the template matchers that lead requests to them."""

    def __init__(self) -> None:
        self.by_key: dict[EndpointKey, EndpointDraft] = {}
        self.specs = TemplateMatcher[EndpointKey]()  # spec templates (and alternate paths)
        self.route_shadows = TemplateMatcher[EndpointKey]()  # exact/param routes covering no spec
        self.templates: list[tuple[str, EndpointKey]] = []  # every spec template, for prefix routes
        self.web_content = WebContentTally()  # unmatched pages, downloads and assets, counted apart
        self.hosts: dict[EndpointKey, set[str]] = {}  # every host a documented endpoint's spec names

    def get(self, method: str, path: str, host: str | None) -> EndpointDraft:
        """The draft for a key, created when new."""
        key = (method, path, host)
        draft = self.by_key.get(key)
        if draft is None:
            draft = self.by_key[key] = EndpointDraft(method, path, host)
        return draft

    def add_specs(self, specs: Sequence[ApiSpec]) -> None:
        """A documented endpoint per spec operation; its path and alternate paths go into the trie."""
        registered: set[tuple[str, EndpointKey]] = set()
        for spec in specs:
            for operation in spec.operations:
                draft = self.get(operation.method.upper(), operation.path, operation.host)
                draft.operations.append((spec, operation))
                named = (operation.host, *operation.alternate_hosts) if operation.host else ()
                self.hosts.setdefault(draft.key, set()).update(host.lower() for host in named)
                for template in (operation.path, *operation.alternate_paths):
                    if (template, draft.key) not in registered:
                        registered.add((template, draft.key))
                        self.specs.add(draft.method, template, draft.key)
                        self.templates.append((template, draft.key))
        self.templates.sort(key=lambda pair: pair[0])


def narrow_by_host(
    candidates: Sequence[EndpointKey], host: str | None, hosts: Mapping[EndpointKey, set[str]] | None = None
) -> list[EndpointKey]:
    """Candidates whose host fits, exact host first; all of them when none fits (hosts never split).

    `hosts` gives a documented endpoint's further hosts (every server entry of its spec), which fit
    as exactly as the one in its key.
    """
    if host is None or len(candidates) < 2:
        return list(candidates)
    lowered = host.lower()
    exact = [key for key in candidates if lowered in _hosts_of(key, hosts)]
    unset = [key for key in candidates if key[2] is None]
    return (exact + unset) or list(candidates)


def _hosts_of(key: EndpointKey, hosts: Mapping[EndpointKey, set[str]] | None) -> set[str]:
    """The host in the key and, for a documented endpoint, the other hosts its spec names."""
    named = set(hosts.get(key, ())) if hosts is not None else set()
    return named | ({key[2].lower()} if key[2] is not None else set())


def _fits_route_hosts(key: EndpointKey, route: GatewayRoute, hosts: Mapping[EndpointKey, set[str]]) -> bool:
    """True when the route may serve the endpoint on one of its hosts (or either names none)."""
    named = _hosts_of(key, hosts)
    return not named or any(hosts_compatible(host, route.hosts) for host in named)


def attach_routes(gateways: Sequence[GatewayConfig], drafts: Drafts) -> list[tuple[UriPattern, GatewayRoute]]:
    """Map every route uri onto the spec endpoints it covers; make shadows of those covering none.

    Exact and `:param` uris covering nothing become shadow endpoints at once (and go into the route
    shadow trie); prefix uris are returned, because traffic under them may give concrete endpoints.
    """
    served: dict[EndpointKey, list[tuple[UriPattern, GatewayRoute]]] = {}
    pending_prefixes: list[tuple[UriPattern, GatewayRoute]] = []
    sorted_paths = [template for template, _ in drafts.templates]
    for gateway in gateways:
        for route in gateway.routes:
            for uri in route.uris:
                pattern = compile_uri(uri)
                covered = _covered(pattern, route, drafts, sorted_paths)
                for key in covered:
                    served.setdefault(key, []).append((pattern, route))
                if covered or not route.is_enabled:
                    continue
                if "*" in pattern.template:
                    pending_prefixes.append((pattern, route))
                else:
                    _add_route_shadow(pattern, route, drafts)
    for key, candidates in served.items():
        draft = drafts.by_key[key]
        usable = (pair for pair in candidates if pair[1].is_enabled)
        for route in choose_routes(usable, key[0], key[2]):
            draft.add_route(route)
        for _, route in candidates:
            if not route.is_enabled:
                draft.add_route(route)
    return pending_prefixes


def _covered(
    pattern: UriPattern, route: GatewayRoute, drafts: Drafts, sorted_paths: list[str]
) -> list[EndpointKey]:
    """Spec endpoints a route uri serves, narrowed by the route's hosts."""
    if pattern.is_exact:
        if route.methods:
            keys = [key for method in route.methods for key in drafts.specs.match(method, pattern.uri)]
        else:
            keys = [key for found in drafts.specs.match_any_method(pattern.uri).values() for key in found]
    elif pattern.prefix is not None:
        indexes = templates_under_prefix(sorted_paths, pattern.prefix)
        keys = [drafts.templates[index][1] for index in indexes]
    else:
        keys = [key for template, key in drafts.templates if pattern.matches(template)]
    keys = [key for key in dict.fromkeys(keys) if route_accepts(route, key[0])]
    groups: dict[tuple[str, str], list[EndpointKey]] = {}
    for key in keys:
        groups.setdefault((key[0], key[1]), []).append(key)
    narrowed: list[EndpointKey] = []
    for group in groups.values():
        fitting = [key for key in group if _fits_route_hosts(key, route, drafts.hosts)]
        narrowed.extend(fitting or group)
    return narrowed


def route_host(route: GatewayRoute) -> str | None:
    """The host a shadow endpoint from this route gets: the route's only host, if it names one."""
    if len(route.hosts) == 1 and "*" not in route.hosts[0]:
        return route.hosts[0].lower()
    return None


def _add_route_shadow(pattern: UriPattern, route: GatewayRoute, drafts: Drafts) -> None:
    host = route_host(route)
    for method in route.methods or (ANY_METHOD,):
        draft = drafts.get(method.upper(), pattern.template, host)
        if not draft.routes:
            drafts.route_shadows.add(draft.method, pattern.template, draft.key)
        draft.add_route(route)


def add_prefix_shadows(prefixes: Sequence[tuple[UriPattern, GatewayRoute]], drafts: Drafts) -> None:
    """Prefix routes that neither cover a spec endpoint nor carried traffic become `/prefix/*`."""
    for pattern, route in prefixes:
        if any(route in draft.routes and pattern.matches(draft.path) for draft in drafts.by_key.values()):
            continue
        for method in route.methods or (ANY_METHOD,):
            drafts.get(method.upper(), pattern.template, route_host(route)).add_route(route)


def has_traffic_paths(traffic: Sequence[TrafficSample]) -> bool:
    """True when any traffic input had at least one request path."""
    return any(sample.paths for sample in traffic)
