"""Envoy's `jwt_authn` filter: which JWT requirement holds on one route.

The filter (`JwtAuthentication`) verifies tokens from its `providers` where a requirement asks for
it: its `rules` are tried in order and the first whose `match` selects the request decides
(`requires`), or a route names an entry of `requirement_map` in its per-route config
(`requirement_name`). A request no rule selects is not verified at all. Requirements nest:
`provider_name`, `provider_and_audiences`, `requires_any` (one suffices), `requires_all`, and
`allow_missing` / `allow_missing_or_failed` (a request without a token passes: no authentication).

A rule applies to a whole route only when its match covers every path the route serves (a rule prefix
`/api` covers a route prefix `/api/v1`, or a route regex `^/api/v1/[0-9]+$`); a rule that selects only
part of the route, or one that cannot be compared (regexes, header conditions), and comes before the
covering rule may decide some of the route's requests: the route is credited only with the weakest of
those requirements.
"""

from __future__ import annotations

from riskscan.model import AuthKind, AuthRequirement

__all__ = ["jwt_auth", "match_coverage"]

_NO_TOKEN_NEEDED = ("allow_missing", "allow_missing_or_failed")
_MAX_DEPTH = 8  # requirements nest; a deeper one is not evaluated (and counts as none)


def jwt_auth(
    config: dict[str, object], per_route: dict[str, object], route_uris: tuple[str, ...]
) -> tuple[list[AuthRequirement], str | None]:
    """The JWT requirement on the route (empty: none) and a note for its plugin reference.

    The route is given as its uris (`envoy_routes`), so a rule is compared with what it serves
    whatever its match type."""
    providers = config.get("providers")
    locations = _locations(providers if isinstance(providers, dict) else {})
    if isinstance(per_route.get("requirement_name"), str):
        requirement_map = config.get("requirement_map")
        name = str(per_route["requirement_name"])
        found = requirement_map.get(name) if isinstance(requirement_map, dict) else None
        if found is None:
            return [], f"requirement_name {name} is not in requirement_map: nothing verified"
        return _requirement(found, locations, 0), f"requirement {name}"
    rules = config.get("rules")
    weakest: list[AuthRequirement] | None = None
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        coverage = match_coverage(rule.get("match"), route_uris)
        if coverage == "none":
            continue
        found = _requirement(rule.get("requires"), locations, 0)
        is_weaker = weakest is not None and _strength(weakest) < _strength(found)
        weakest = found if weakest is None or _strength(found) < _strength(weakest) else weakest
        if coverage == "whole":
            return weakest, "an earlier, narrower rule asks less of some requests" if is_weaker else None
    if weakest is not None:
        return [], "rules select only part of the route's requests: the rest are not verified"
    return [], "no rule selects this route: its requests are not verified"


def _strength(requirements: list[AuthRequirement]) -> int:
    return max((item.kind.strength for item in requirements), default=0)


def _locations(providers: dict[str, object]) -> dict[str, str | None]:
    """Where each provider takes its token from (`header:Authorization` by default)."""
    located: dict[str, str | None] = {}
    for name, provider in providers.items():
        where = "header:Authorization"
        if isinstance(provider, dict):
            headers, params = provider.get("from_headers"), provider.get("from_params")
            if isinstance(headers, list) and headers and isinstance(headers[0], dict):
                where = f"header:{headers[0].get('name', 'Authorization')}"
            elif isinstance(params, list) and params:
                where = f"query:{params[0]}"
        located[str(name)] = where
    return located


def _requirement(requires: object, locations: dict[str, str | None], depth: int) -> list[AuthRequirement]:
    """A `JwtRequirement` as the mechanisms it demands; empty when a request may pass without one."""
    if not isinstance(requires, dict) or depth > _MAX_DEPTH:
        return []
    if any(key in requires for key in _NO_TOKEN_NEEDED):
        return []
    provider = requires.get("provider_name")
    audiences = requires.get("provider_and_audiences")
    if isinstance(audiences, dict):
        provider = audiences.get("provider_name")
    if isinstance(provider, str):
        return [AuthRequirement(kind=AuthKind.BEARER, scheme="jwt_authn", location=locations.get(provider))]
    for key, pick_weakest in (("requires_any", True), ("requires_all", False)):
        group = requires.get(key)
        members = group.get("requirements") if isinstance(group, dict) else None
        if isinstance(members, list) and members:
            found = [_requirement(member, locations, depth + 1) for member in members]
            if pick_weakest:
                return min(found, key=_strength)
            return [item for items in found for item in items][:1]
    return []


def match_coverage(rule_match: object, route_uris: tuple[str, ...]) -> str:
    """'whole' when the rule selects every request of the route (given as its uris), 'part' when it
    may select some, 'none' when it selects none of them."""
    if not isinstance(rule_match, dict):
        return "none"
    kind, value = _path_of(rule_match)
    if kind is None or kind == "safe_regex":
        return "part"
    heads = [_literal_head(uri) for uri in route_uris]
    overlaps = any(_may_overlap(kind, value, uri, head) for uri, head in zip(route_uris, heads))
    if rule_match.get("headers") or rule_match.get("query_parameters"):
        return "part" if overlaps else "none"
    if kind == "prefix" and all(head.startswith(value) for head in heads):
        return "whole"
    if kind == "path_separated_prefix" and all(
        uri == value or head.startswith(value.rstrip("/") + "/") for uri, head in zip(route_uris, heads)
    ):
        return "whole"
    if kind == "path" and route_uris == (value,):
        return "whole"
    return "part" if overlaps else "none"


def _literal_head(uri: str) -> str:
    """The literal start of a route uri: `/v2/claims/` of `/v2/claims/*`, `/users/` of `/users/:p1`."""
    cut = min((index for index in (uri.find(":"), uri.find("*")) if index >= 0), default=len(uri))
    return uri[:cut]


def _may_overlap(kind: str, value: str, uri: str, head: str) -> bool:
    """False only when the rule's path match surely selects none of the uri's paths."""
    is_literal = head == uri
    literal = value.rstrip("/") if kind == "path_separated_prefix" else value
    if kind == "path":
        return value == uri if is_literal else value.startswith(head)
    if is_literal:
        return uri.startswith(literal)
    return head.startswith(literal) or literal.startswith(head)


def _path_of(match: dict[str, object]) -> tuple[str | None, str]:
    for key in ("prefix", "path", "path_separated_prefix"):
        if isinstance(match.get(key), str):
            return key, str(match[key])
    if isinstance(match.get("safe_regex"), dict):
        return "safe_regex", ""
    return None, ""
