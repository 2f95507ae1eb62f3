"""Sandbox and production separation (OWASP API9:2023).

A non-production environment is named by a word of the catalogue's `nonproduction_words` (sandbox,
test, staging, dev ...) in a host label (`sandbox.api.example`, `api-staging.example`), a literal path
segment (`/sandbox/v1/quotes`) or a route condition (`http_x_env == sandbox`). Each gateway route
serving an endpoint is then:

- separated by its condition when a condition names an environment, or by its hosts when every host
  it answers on is a non-production one;
- shared when it answers on production and non-production hosts alike without such a condition
  (also when it names no host at all while the endpoint's spec documents both kinds of server), or
  when it serves non-production paths beside production ones;
- for a route told apart by its non-production path alone, separated by its upstream when that is
  not one production routes use, shared otherwise (sandbox callers reach production backends).

A spec whose servers mix the two on the same operations is a weaker, declared finding, raised only
where no gateway route serves a live endpoint (a route shows what is really separated; an orphan is
not served at all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import FindingDraft, draft_finding, plural
from riskscan.model import Endpoint, Evidence, Lifecycle, ServingRoute

__all__ = ["Separation", "judge_separation"]

_WORD = re.compile(r"[a-z]+")
_PARAMETER = re.compile(r"^\{[^{}/]*\}$|^:")


@dataclass
class Separation:
    """What the inputs show about environments: findings, and the places that show separation."""

    drafts: list[FindingDraft] = field(default_factory=list)
    separated: dict[str, Evidence] = field(default_factory=dict)  # route id -> the route, once
    how: dict[str, str] = field(default_factory=dict)  # route id -> "condition http_x_env == sandbox"
    named: bool = False  # some input names a non-production environment

    def sentence(self) -> str:
        """The summary's {environments}: whether environments are named, separated or shared."""
        if not self.named:
            return " No input names a sandbox, test or staging environment."
        shown = "; ".join(f"{route} by {how}" for route, how in sorted(self.how.items())[:4])
        more = f" and {len(self.how) - 4} more" if len(self.how) > 4 else ""
        separated = f" ({plural(len(self.how), 'route')} separated: {shown}{more})" if self.how else ""
        if not self.drafts:
            return f" Non-production routes are kept apart from production{separated}."
        return (f" Non-production and production are not kept apart everywhere ({_count(self.drafts)})"
                f"{separated}.")


def judge_separation(control: Control, endpoints: Sequence[Endpoint]) -> Separation:
    """Judge how every endpoint's routes and spec servers keep non-production apart."""
    words = control.words("nonproduction_words")
    result = Separation()
    production_upstreams = {route.upstream for e in endpoints for route in e.serving_routes
                            if route.upstream and _route_kind(route, e, words) == "production"}
    shared_route: dict[str, Endpoint] = {}
    shared_upstream: dict[str, Endpoint] = {}
    spec_mixed: list[Endpoint] = []
    for endpoint in endpoints:
        spec_kinds = {_is_nonproduction_host(host, words) for host in endpoint.spec_hosts}
        result.named |= True in spec_kinds or _names_path(endpoint.path, words)
        is_live = endpoint.lifecycle is not Lifecycle.ORPHAN
        if is_live and not endpoint.serving_routes and spec_kinds == {True, False}:
            spec_mixed.append(endpoint)
        for route in endpoint.serving_routes:
            kind = _route_kind(route, endpoint, words)
            result.named |= kind != "production"
            if kind == "shared":
                shared_route.setdefault(endpoint.key, endpoint)
            elif kind == "path" and route.upstream in production_upstreams:
                shared_upstream.setdefault(endpoint.key, endpoint)
            elif kind != "production":
                result.separated.setdefault(route.route_id, route.evidence)
                result.how.setdefault(route.route_id, _how(route, kind))
    groups = (("INV_ENV_SHARED_ROUTE", list(shared_route.values())),
              ("INV_ENV_SHARED_UPSTREAM", list(shared_upstream.values())),
              ("INV_ENV_SPEC_MIXED", spec_mixed))
    result.drafts = [draft_finding(control, code, group, _evidence(group)) for code, group in groups if group]
    return result


def _route_kind(route: ServingRoute, endpoint: Endpoint, words: frozenset[str]) -> str:
    """`condition`, `host`, `path` (told apart by its path alone), `shared` or `production`."""
    if any(_names_any(condition, words) for condition in route.conditions):
        return "condition"
    host_kinds = {_is_nonproduction_host(host, words) for host in route.hosts if "*" not in host}
    if host_kinds == {True}:
        return "host"
    spec_kinds = {_is_nonproduction_host(host, words) for host in endpoint.spec_hosts}
    if host_kinds == {True, False} or (not route.hosts and spec_kinds == {True, False}):
        return "shared"
    if _names_path(endpoint.path, words):
        return "path"
    return "production"


def _how(route: ServingRoute, kind: str) -> str:
    if kind == "condition":
        return f"condition {route.conditions[0]}"
    if kind == "host":
        return f"host {', '.join(route.hosts)}"
    return f"upstream {route.upstream}"


def _is_nonproduction_host(host: str, words: frozenset[str]) -> bool:
    """True when a label of the host, or a word of a label (`api-staging`), is an environment word."""
    return _names_any(host.split(":")[0], words)


def _names_path(path: str, words: frozenset[str]) -> bool:
    """True when a literal segment of the path is an environment word (`/sandbox/v1/quotes`)."""
    return any(segment.lower() in words for segment in path.split("/") if not _PARAMETER.match(segment))


def _names_any(text: str, words: frozenset[str]) -> bool:
    return any(word in words for word in _WORD.findall(text.lower()))


def _count(drafts: Sequence[FindingDraft]) -> str:
    return ", ".join(f"{draft.code.removeprefix('INV_ENV_').replace('_', ' ').lower()}: "
                     f"{plural(len(draft.endpoints), 'endpoint')}" for draft in drafts)


def _evidence(endpoints: Sequence[Endpoint]) -> list[Evidence]:
    """The routes serving each endpoint, then the spec operations that name its servers."""
    items: list[Evidence] = []
    for endpoint in endpoints:
        items.extend(route.evidence for route in endpoint.serving_routes)
        items.extend(endpoint.evidence[:1])
    return items
