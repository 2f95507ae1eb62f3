"""Leading traffic to endpoints: match each distinct concrete path once, fold the rest.

Every `PathTraffic` goes, in order, to the spec template it matches, to a shadow endpoint made from
an exact gateway route, or else into the pool of unmatched paths. An unmatched path that no enabled
gateway route serves (a catch-all `/*` route does not count: it serves every path) and that only
ever got 404 answers is a probe (a scanner trying `/wp-login.php`, `/.env`) and is counted, not
inventoried. Unmatched web content (pages, documents, downloads, media, assets; see
`riskscan.inventory.web_content`) that no route but a catch-all serves is counted apart too, whatever
its answers, while an API path returning a file, matched by a template or route, stays an endpoint.
CORS preflights (`OPTIONS`) on a path known under another method are dropped, and a `HEAD` joins
the `GET` of the same folded template. A path that got 401s or 403s is not a probe: something there
checks credentials. The rest is folded into templates (`fold_paths`), reusing spec parameter names
under a known prefix, and attributed to the routes that serve it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from riskscan.inventory.build import Drafts, narrow_by_host
from riskscan.inventory.folding import fold_paths
from riskscan.inventory.gateway_patterns import RouteIndex, is_catch_all
from riskscan.inventory.merge import EndpointKey
from riskscan.inventory.templates import PrefixMatch
from riskscan.inventory.web_content import WebContentTally, web_content_class
from riskscan.model import GatewayRoute, PathTraffic, TrafficSample

__all__ = ["attach_traffic"]

_Sighting = tuple[TrafficSample, PathTraffic]


def attach_traffic(traffic: Sequence[TrafficSample], drafts: Drafts, routes: RouteIndex) -> int:
    """Fold all traffic into endpoint drafts; returns how many distinct paths were probes."""
    matched: dict[tuple[str, str], list[EndpointKey]] = {}
    pending: dict[EndpointKey, list[_Sighting]] = {}
    for sample in traffic:
        for item in sample.paths:
            method = item.method.upper()
            host = item.host.lower() if item.host else None
            keys = matched.get((method, item.path))
            if keys is None:
                keys = drafts.specs.match(method, item.path) or drafts.route_shadows.match(method, item.path)
                matched[(method, item.path)] = keys
            if keys:
                drafts.by_key[narrow_by_host(keys, host, drafts.hosts)[0]].add_traffic(sample, item)
            elif method == "OPTIONS" and drafts.specs.match_any_method(item.path):
                continue  # a CORS preflight on a documented path, not an endpoint of its own
            else:
                pending.setdefault((method, item.path, host), []).append((sample, item))
    return _fold_pending(pending, drafts, routes)


def _fold_pending(pending: dict[EndpointKey, list[_Sighting]], drafts: Drafts, routes: RouteIndex) -> int:
    live, probes = _sort_out(pending, routes, drafts.web_content)
    templates = fold_paths((path for _, path, _ in live), known_prefix=_PrefixLookup(drafts))
    folded = _join_head_and_preflights({key: (key[0], templates[key[1]], key[2]) for key in live})
    hosts = _hosts_for_hostless(key for key in folded.values() if key is not None)
    for key, (serving, sightings) in live.items():
        target = folded[key]
        if target is None:
            continue
        method, template, host = target
        draft = drafts.get(method, template, host if host is not None else hosts.get((method, template)))
        for sample, item in sightings:
            draft.add_traffic(sample, item)
        for route in serving:
            draft.add_route(route)
    return len(probes - {path for _, path, _ in live})


def _sort_out(
    pending: dict[EndpointKey, list[_Sighting]], routes: RouteIndex, web_content: WebContentTally
) -> tuple[dict[EndpointKey, tuple[list[GatewayRoute], list[_Sighting]]], set[str]]:
    """Split unmatched sightings into live ones (with their serving routes) and probe paths.

    Web content that no route (other than a catch-all) serves goes to the `web_content` tally.
    """
    live: dict[EndpointKey, tuple[list[GatewayRoute], list[_Sighting]]] = {}
    probes: set[str] = set()
    for key, sightings in pending.items():
        serving = routes.match(key[0], key[2], key[1])
        is_known = any(not is_catch_all(route) for route in serving)
        kind = None if is_known else web_content_class(key[1])
        if kind is not None:
            web_content.add(key[1], kind, sum(item.requests for _, item in sightings))
        elif not is_known and all(item.not_found == item.requests for _, item in sightings):
            probes.add(key[1])
        else:
            live[key] = (serving, sightings)
    return live, probes


def _join_head_and_preflights(
    folded: dict[EndpointKey, EndpointKey],
) -> dict[EndpointKey, EndpointKey | None]:
    """HEAD joins GET on the same template; OPTIONS beside another method is a preflight, dropped."""
    methods: dict[tuple[str, str | None], set[str]] = {}
    for method, template, host in folded.values():
        methods.setdefault((template, host), set()).add(method)
    joined: dict[EndpointKey, EndpointKey | None] = {}
    for key, (method, template, host) in folded.items():
        present = methods[(template, host)]
        if method == "HEAD" and "GET" in present:
            joined[key] = ("GET", template, host)
        elif method == "OPTIONS" and len(present) > 1:
            joined[key] = None
        else:
            joined[key] = (method, template, host)
    return joined


def _hosts_for_hostless(keys: Iterable[EndpointKey]) -> dict[tuple[str, str], str]:
    """For folded shadows seen with exactly one host, that host (host-less sightings join it)."""
    seen: dict[tuple[str, str], set[str]] = {}
    for method, template, host in keys:
        if host is not None:
            seen.setdefault((method, template), set()).add(host)
    return {pair: next(iter(hosts)) for pair, hosts in seen.items() if len(hosts) == 1}


class _PrefixLookup:
    """The longest known template prefix of a path, from spec templates or route shadows."""

    def __init__(self, drafts: Drafts) -> None:
        self._drafts = drafts

    def __call__(self, path: str) -> PrefixMatch | None:
        candidates = [
            found
            for found in (
                self._drafts.specs.longest_prefix(path),
                self._drafts.route_shadows.longest_prefix(path),
            )
            if found is not None
        ]
        return max(candidates, key=lambda found: len(found.segments), default=None)
