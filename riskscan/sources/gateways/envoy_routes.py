"""Envoy v3 route matches (`RouteMatch`) as route uris, methods and conditions.

Envoy matches a route's path by `prefix` (a string prefix: `/api` matches `/apix`), `path` (exact),
`path_separated_prefix` (segment-wise: `/api` and below, not `/apix`) or `safe_regex` (the whole path
must match, RE2). Translated with `kubernetes_paths.route_uris`, never wider than Envoy matches; a
regex that is not a plain path pattern is left out by the caller with a warning. Header matchers on
`:method` become methods; other headers and query parameters become conditions. A header matcher's
value on a credential-bearing header (`authorization`, `x-api-key` ...) is never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskscan.sources.gateways.kubernetes_paths import PathMatch, route_uris

__all__ = ["MatchOutcome", "read_match"]

_PATH_KEYS: tuple[tuple[str, PathMatch], ...] = (
    ("prefix", PathMatch.STRING_PREFIX),
    ("path", PathMatch.EXACT),
    ("path_separated_prefix", PathMatch.SEGMENT_PREFIX),
)
_SECRET_HEADER = re.compile(r"auth|token|key|secret|cookie|pass|session|signature", re.IGNORECASE)
_METHOD = re.compile(r"[A-Z]{3,10}")


@dataclass(frozen=True)
class MatchOutcome:
    """What a `RouteMatch` selects: uris (None when they cannot be shown), methods, conditions.

    `problem` says why the uris are None ("regex path '^/(a|b)' not evaluated").
    """

    uris: tuple[str, ...] | None
    methods: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    shown: str = ""  # the path match as written, for evidence: "prefix /service/1"
    problem: str | None = None


def read_match(match: object) -> MatchOutcome:
    """The uris, methods and conditions a route's `match` selects."""
    if not isinstance(match, dict):
        return MatchOutcome(None, problem="its `match` is not a mapping")
    uris, shown, problem = _path(match)
    methods, conditions = _headers(match.get("headers"))
    conditions += _query(match.get("query_parameters"))
    if match.get("grpc") is not None:
        conditions += ("grpc requests only",)
    return MatchOutcome(uris, methods, conditions, shown, problem)


def _path(match: dict[str, object]) -> tuple[tuple[str, ...] | None, str, str | None]:
    """The uris of the path match, its shown form, and why they are None when they are."""
    for key, kind in _PATH_KEYS:
        value = match.get(key)
        if isinstance(value, str):
            value = value or "/"
            if not value.startswith("/"):
                return None, f"{key} {value}", f"{key} '{value}' does not start with '/'"
            return route_uris(value, kind), f"{key} {value}", None
    regex = match.get("safe_regex")
    if isinstance(regex, dict) and isinstance(regex.get("regex"), str):
        pattern = str(regex["regex"])
        uris = route_uris(pattern, PathMatch.REGEX_FULL)
        return uris, f"safe_regex {pattern}", None if uris else f"regex path '{pattern}' not evaluated"
    for key in ("regex", "connect_matcher", "path_match_policy"):
        if key in match:
            return None, key, f"`{key}` path match not evaluated"
    return None, "", "no path match (prefix, path, path_separated_prefix or safe_regex)"


def _headers(headers: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    methods: tuple[str, ...] = ()
    conditions: list[str] = []
    for header in headers if isinstance(headers, list) else []:
        if not isinstance(header, dict) or not isinstance(header.get("name"), str):
            continue
        name = str(header["name"]).lower()
        text = _matcher_text(header, is_secret=bool(_SECRET_HEADER.search(name)))
        is_inverted = header.get("invert_match") is True
        exact = _exact(header)
        if name == ":method" and exact and _METHOD.fullmatch(exact) and not is_inverted:
            methods = (exact,)
        else:
            conditions.append(f"header {name} {'not ' if is_inverted else ''}{text}")
    return methods, tuple(conditions)


def _exact(header: dict[str, object]) -> str | None:
    if isinstance(header.get("exact_match"), str):
        return str(header["exact_match"])
    string_match = header.get("string_match")
    if isinstance(string_match, dict) and isinstance(string_match.get("exact"), str):
        return str(string_match["exact"])
    return None


def _matcher_text(matcher: dict[str, object], is_secret: bool) -> str:
    """`== canary`, `starts with v2`, `present` ...; a credential header's value is not shown."""
    if matcher.get("present_match") is not None:
        return "present"
    string_match = matcher.get("string_match")
    forms = dict(string_match) if isinstance(string_match, dict) else {}
    for legacy, modern in (("exact_match", "exact"), ("prefix_match", "prefix"), ("suffix_match", "suffix")):
        if legacy in matcher:
            forms[modern] = matcher[legacy]
    if isinstance(matcher.get("safe_regex_match"), dict):
        forms["safe_regex"] = matcher["safe_regex_match"]
    for form, verb in (("exact", "=="), ("prefix", "starts with"), ("suffix", "ends with"),
                       ("contains", "contains"), ("safe_regex", "matches")):
        if form in forms:
            value = forms[form]
            if isinstance(value, dict):
                value = value.get("regex")
            return f"{verb} (value not shown)" if is_secret else f"{verb} {value}"
    return "matches"


def _query(parameters: object) -> tuple[str, ...]:
    conditions: list[str] = []
    for parameter in parameters if isinstance(parameters, list) else []:
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
            name = str(parameter["name"])
            text = _matcher_text(parameter, is_secret=bool(_SECRET_HEADER.search(name)))
            conditions.append(f"query {name} {text}")
    return tuple(conditions)
