"""Kubernetes path matches (Ingress `pathType`, Gateway API `path.type`) as route uris.

`GatewayRoute.uris` use the APISIX syntax `riskscan.inventory.gateway_patterns` understands: an exact
`/a`, a string prefix `/a*`, an after-slash prefix `/a/*`, `:name` for one segment. Each match type
is translated into exactly what it matches, never something wider (a wider pattern would credit the
route's authentication to paths it does not serve):

- `Exact` is the path itself;
- a segment-wise prefix (Ingress `Prefix`, Gateway API `PathPrefix`: `/a` matches `/a` and `/a/b`,
  not `/ab`; a trailing slash is ignored) is `/a` and `/a/*`; `/` is `/*`;
- a string prefix (ingress-nginx `ImplementationSpecific` without regex: nginx's `location /a`) is `/a*`;
- a regular expression is translated only when it is a plain path whose segments are literals or
  one-segment wildcards (`^/users/[0-9]+$` -> `/users/:p1`), or such a path followed by a tail that
  matches anything (`(/|$)(.*)`, `/.*`, `.*`). Anything else is not evaluated: the caller leaves the
  route out with a warning. A translated regex must also compile with RE2 (`input_regex`), so an
  expression no linear-time engine accepts is never credited either.
"""

from __future__ import annotations

import re
from enum import StrEnum

from riskscan.sources.input_regex import compile_input_regex

__all__ = ["PathMatch", "route_uris"]


class PathMatch(StrEnum):
    """How a path value is matched, as the gateway's documentation defines it."""

    EXACT = "exact"
    SEGMENT_PREFIX = "segment_prefix"  # Kubernetes `Prefix`, Gateway API `PathPrefix`
    STRING_PREFIX = "string_prefix"  # nginx `location /a`: anything starting with `/a`
    REGEX_FULL = "regex_full"  # the whole path must match (Gateway API `RegularExpression`)
    REGEX_START = "regex_start"  # matches from the start, anything may follow (ingress-nginx `~*`)


# A one-segment wildcard: a character class without `/` (or `\d`, `\w`), repeated one or more times.
_SEGMENT_WILDCARD = re.compile(r"\(?(?:\[\^/\]|\[(?!\^)[^\]/\\]+\]|\\d|\\w|\[\\d\]|\[\\w-?\])[+]\)?")
_LITERAL_SEGMENT = re.compile(r"(?:[A-Za-z0-9_~-]|\\[.\-_~])+(?:\.(?:[A-Za-z0-9_~-]|\\[.\-_~])+)*")
# Tails after the last literal that accept any rest, whether or not the match is anchored at the end:
# segment-wise (`(/|$)(.*)`: the path itself or anything below it) or string-wise (`.*`).
_SEGMENT_TAILS = ("(/|$)(.*)", "(/|$).*")
_STRING_TAILS = ("/?(.*)", "(.*)", ".*")  # longest first
# A segment up to the next `/` that is not inside a character class (`[^/]+` is one segment).
_SEGMENT = re.compile(r"((?:\[[^\]]*\]|[^/\[])*)/")


def route_uris(value: str, match: PathMatch) -> tuple[str, ...] | None:
    """The route uris that match exactly what `value` matches under `match`, or None when the path is
    a regex that cannot be translated without widening it (the caller warns and leaves it out)."""
    if match is PathMatch.EXACT:
        return (value,)
    if match is PathMatch.SEGMENT_PREFIX:
        return _segment_prefix(value)
    if match is PathMatch.STRING_PREFIX:
        return (value.rstrip("*") + "*",)
    return _regex_uris(value, is_full=match is PathMatch.REGEX_FULL)


def _segment_prefix(value: str) -> tuple[str, ...]:
    base = value.rstrip("/")
    return ("/*",) if not base else (base, base + "/*")


def _regex_uris(pattern: str, is_full: bool) -> tuple[str, ...] | None:
    """A simple path regex as uris; None for anything else, or for what RE2 refuses."""
    if compile_input_regex(pattern) is None:
        return None
    body = pattern.removeprefix("^")
    is_anchored = is_full or body.endswith("$") and not body.endswith("\\$")
    body = body.removesuffix("$") if body.endswith("$") and not body.endswith("\\$") else body
    tail = ""
    for suffix, kind in [*((s, "segment") for s in _SEGMENT_TAILS), *((s, "string") for s in _STRING_TAILS)]:
        if body.endswith(suffix) and len(body) > len(suffix):
            body, tail = body[: -len(suffix)], kind
            break
    template = _template(body)
    if template is None:
        return None
    if tail == "segment":
        return _segment_prefix(template)
    return (template + "*",) if tail == "string" or not is_anchored else (template,)


def _template(body: str) -> str | None:
    """`/users/[0-9]+/orders` as `/users/:p1/orders`; None when a segment is neither literal nor a
    one-segment wildcard."""
    if not body.startswith("/"):
        return None
    parts: list[str] = []
    segments = _SEGMENT.findall(body[1:] + "/")
    for index, segment in enumerate(segments):
        if segment == "" and index == len(segments) - 1:
            parts.append("")  # a trailing slash
        elif _LITERAL_SEGMENT.fullmatch(segment):
            parts.append(segment.replace("\\", ""))
        elif _SEGMENT_WILDCARD.fullmatch(segment):
            parts.append(f":p{sum(part.startswith(':') for part in parts) + 1}")
        else:
            return None
    return "/" + "/".join(parts)
