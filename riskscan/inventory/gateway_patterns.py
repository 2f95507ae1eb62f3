"""APISIX route uri patterns, and which routes a request path or a spec template falls under.

APISIX (lua-resty-radixtree) accepts: an exact path `/v1/claims`; a prefix ending in `*`, either after
a slash (`/v1/claims/*` matches `/v1/claims/` and anything below, but not `/v1/claims`) or inside a
segment (`/v1/claim*` matches any path starting with `/v1/claim`); `:name` for one segment and
`*name` for the rest of the path. When several routes match, the gateway uses the most specific one
(exact before prefix, longer before shorter); a route with `vars` conditions only takes the requests
that meet them, so it does not hide a less specific unconditional route (prod and sandbox routes).

Each gateway picks among its own routes (`choose_routes`): by uri specificity as above, unless its
reader gives the gateway's own precedence (`GatewayRoute.uri_ranks`: Kong ranks a route with methods
or hosts above a longer path, and a regex path above any plain one).
"""

from __future__ import annotations

import bisect
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from riskscan.inventory.templates import split_path
from riskscan.model import GatewayRoute

__all__ = [
    "RouteIndex",
    "UriPattern",
    "choose_routes",
    "compile_uri",
    "hosts_compatible",
    "is_catch_all",
    "most_specific",
    "route_accepts",
    "templates_under_prefix",
]

_PARAM = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
_TAIL = re.compile(r"\*([A-Za-z_][A-Za-z0-9_]*)?$")


@dataclass(frozen=True, slots=True)
class UriPattern:
    """One compiled route uri.

    `prefix` is set for patterns ending in `*`; `regex` for patterns with `:param` segments; an exact
    pattern has neither. `template` is the uri written as a path template (`:id` -> `{id}`), used as
    the path of a shadow endpoint when the route covers nothing documented.
    """

    uri: str
    prefix: str | None
    regex: re.Pattern[str] | None
    template: str

    @property
    def is_exact(self) -> bool:
        """True for a plain path without wildcards or parameters."""
        return self.prefix is None and self.regex is None

    @property
    def specificity(self) -> tuple[int, int]:
        """Sort key: exact paths first, then the longer literal part."""
        literal = _TAIL.sub("", _PARAM.sub("", self.uri))
        return (1 if self.is_exact else 0, len(literal))

    def matches(self, path: str) -> bool:
        """True when a concrete (or template) path falls under this pattern."""
        if self.regex is not None:
            return self.regex.match(path) is not None
        if self.prefix is not None:
            return path.startswith(self.prefix)
        return _normal(path) == _normal(self.uri)


@lru_cache(maxsize=4096)
def compile_uri(uri: str) -> UriPattern:
    """Compile an APISIX route uri into a `UriPattern`."""
    tail = _TAIL.search(uri)
    body = uri[: tail.start()] if tail else uri
    template = _PARAM.sub(lambda found: "{" + found.group(1) + "}", uri)
    if _PARAM.search(body):
        parts = [re.escape(piece) for piece in _PARAM.split(body)[::2]]
        pattern = "[^/]+".join(parts) + (".*" if tail else "/?") + r"\Z"
        return UriPattern(uri, None, re.compile(pattern), template)
    return UriPattern(uri, body if tail else None, None, template)


def hosts_compatible(host: str | None, route_hosts: Sequence[str]) -> bool:
    """True when a host may be served by a route: either side unknown, equal, or a `*.` wildcard."""
    if host is None or not route_hosts:
        return True
    bare = host.lower().split(":", 1)[0]
    return any(fnmatch.fnmatchcase(bare, pattern.lower()) for pattern in route_hosts)


def is_catch_all(route: GatewayRoute) -> bool:
    """True for a route that takes every path (`/*`): it says nothing about which paths exist."""
    return all(compile_uri(uri).prefix in ("", "/") for uri in route.uris)


def route_accepts(route: GatewayRoute, method: str) -> bool:
    """True when the route takes `method` (no methods listed: any; `*` asks for any method)."""
    return not route.methods or method == "*" or method in route.methods


def most_specific(candidates: Iterable[tuple[UriPattern, GatewayRoute]]) -> list[GatewayRoute]:
    """The routes the gateway would actually use among several that match one request.

    Keeps every route down to (and including) the most specific tier that has an unconditional
    route, since a conditional route (`vars`) lets other requests fall through.
    """
    ranked = sorted(candidates, key=lambda pair: pair[0].specificity, reverse=True)
    chosen: list[GatewayRoute] = []
    floor: tuple[int, int] | None = None
    for pattern, route in ranked:
        if floor is not None and pattern.specificity < floor:
            break
        if route not in chosen:
            chosen.append(route)
        if not route.conditions and floor is None:
            floor = pattern.specificity
    return chosen


def choose_routes(
    candidates: Iterable[tuple[UriPattern, GatewayRoute]], method: str = "*", host: str | None = None
) -> list[GatewayRoute]:
    """The routes that would serve a request (`method`, `host`: `*` and None when any or unknown),
    each gateway choosing among its own: by its readers' ranks where given, else `most_specific`."""
    by_gateway: dict[str, list[tuple[UriPattern, GatewayRoute]]] = {}
    for pattern, route in candidates:
        by_gateway.setdefault(route.gateway, []).append((pattern, route))
    chosen: list[GatewayRoute] = []
    for pairs in by_gateway.values():
        ranked = all(route.uri_ranks for _, route in pairs)
        picked = _by_rank(pairs, method, host) if ranked else most_specific(pairs)
        chosen.extend(route for route in picked if route not in chosen)
    return chosen


def _by_rank(
    pairs: list[tuple[UriPattern, GatewayRoute]], method: str, host: str | None
) -> list[GatewayRoute]:
    """Routes in the gateway's own order, down to the first that takes every such request, and those
    ranked equal to it (the gateway's order among equals is undefined)."""
    ranked = sorted(((_rank_of(pattern, route), route) for pattern, route in pairs),
                    key=lambda item: item[0], reverse=True)
    chosen: list[GatewayRoute] = []
    floor: tuple[int, ...] | None = None
    for rank, route in ranked:
        if floor is not None and rank < floor:
            break
        if route not in chosen:
            chosen.append(route)
        is_partial = bool(route.conditions) or (bool(route.hosts) and host is None) or (
            bool(route.methods) and method == "*"
        )
        if floor is None and not is_partial:
            floor = rank
    return chosen


def _rank_of(pattern: UriPattern, route: GatewayRoute) -> tuple[int, ...]:
    index = route.uris.index(pattern.uri) if pattern.uri in route.uris else -1
    return route.uri_ranks[index] if 0 <= index < len(route.uri_ranks) else ()


class RouteIndex:
    """Enabled gateway routes indexed by uri, to find the routes that serve a concrete path.

    Exact uris are a dictionary, prefixes are looked up by length (one slice per distinct prefix
    length), and only parameter patterns are tried one by one.
    """

    def __init__(self, routes: Iterable[GatewayRoute]) -> None:
        self._exact: dict[str, list[tuple[UriPattern, GatewayRoute]]] = {}
        self._prefix: dict[str, list[tuple[UriPattern, GatewayRoute]]] = {}
        self._lengths: list[int] = []
        self._regex: list[tuple[UriPattern, GatewayRoute]] = []
        for route in routes:
            for uri in route.uris:
                self._add(compile_uri(uri), route)
        self._lengths = sorted({len(prefix) for prefix in self._prefix})

    def _add(self, pattern: UriPattern, route: GatewayRoute) -> None:
        if pattern.regex is not None:
            self._regex.append((pattern, route))
        elif pattern.prefix is not None:
            self._prefix.setdefault(pattern.prefix, []).append((pattern, route))
        else:
            self._exact.setdefault(_normal(pattern.uri), []).append((pattern, route))

    def match(self, method: str, host: str | None, path: str) -> list[GatewayRoute]:
        """Routes that would serve this request, each gateway's chosen ones only (`choose_routes`)."""
        decoded = "/" + "/".join(split_path(path))
        if path.endswith("/") and decoded != "/":
            decoded += "/"
        found = list(self._exact.get(_normal(decoded), ()))
        for length in self._lengths:
            if length > len(decoded):
                break
            found.extend(self._prefix.get(decoded[:length], ()))
        found.extend(pair for pair in self._regex if pair[0].matches(decoded))
        usable = [
            (pattern, route)
            for pattern, route in found
            if route_accepts(route, method) and hosts_compatible(host, route.hosts)
        ]
        return choose_routes(usable, method, host)


def templates_under_prefix(sorted_templates: Sequence[str], prefix: str) -> list[int]:
    """Indexes of the templates (sorted ascending) that start with `prefix`, found by bisection."""
    start = bisect.bisect_left(sorted_templates, prefix)
    end = start
    while end < len(sorted_templates) and sorted_templates[end].startswith(prefix):
        end += 1
    return list(range(start, end))


def _normal(path: str) -> str:
    """A path without its trailing slash, for tolerant exact comparison."""
    return path.rstrip("/") or "/"
