"""Kong route `paths` translated into the route uri syntax the inventory understands.

Kong's traditional router (docs: gateway/routing/traditional) matches a plain path as a string prefix:
`/v1/claims` serves `/v1/claims`, `/v1/claims/7` and `/v1/claimsx` alike, so it becomes `/v1/claims*`.
A path starting with `~` is a regular expression (Kong 3.x), anchored at the start of the request path
only. Kong 2.x (decK `_format_version` below 3.0) had no `~`: any path with a character outside
`[A-Za-z0-9._~/%-]` was a regex.

A regex is translated only when the translation is exact or narrower than what Kong serves, never
wider (a wider pattern would credit the route's plugins to paths it does not serve):
- all literal with an end anchor (`~/v1/claims$`, `~/v1/claims/?$`): the exact path;
- all literal without an end anchor: the same string prefix as a plain path;
- literal segments and whole-segment wildcards with an end anchor (`~/users/[0-9]+$`,
  `~/users/(?<id>[^/]+)/orders$`): `:param` segments.
An unescaped `.` in a literal segment is read as a dot (`~/v1.0/x$` as `/v1.0/x`): narrower than
Kong's any-character, never wider. Anything else is left out, and the caller warns that the route is
not evaluated. Patterns are
compiled with RE2 first (see `input_regex`), so a pattern Kong itself would reject is not translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskscan.sources.input_regex import compile_input_regex

__all__ = ["TranslatedPath", "translate_path"]

_LEGACY_PLAIN = re.compile(r"[A-Za-z0-9._~/%-]*")
# One whole path segment matched by a wildcard: a character class without `/`, `\d` or `\w`, repeated
# one or more times, optionally as a (named) group.
_CLASS = r"(?:\[\^/[^\]/]*\]|\[(?!\^)[^\]/]+\]|\\d|\\w)"
_COUNT = r"(?:\+|\{[1-9][0-9]*(?:,[0-9]*)?\})"
_SEGMENT_WILDCARD = re.compile(
    rf"\((?:\?P?<(?P<name>[A-Za-z_][A-Za-z0-9_]*)>|\?:)?{_CLASS}{_COUNT}\)|{_CLASS}{_COUNT}"
)
_LITERAL_SEGMENT = re.compile(r"(?:[A-Za-z0-9_~%.-]|\\[.\-_~])*")
_END_ANCHORS = ("/?$", "/?\\z", "$", "\\z")


@dataclass(frozen=True)
class TranslatedPath:
    """A Kong path as inventory uris, or the reason it cannot be evaluated."""

    uris: tuple[str, ...] = ()
    problem: str | None = None  # why the path is not evaluated
    is_regex: bool = False


def translate_path(path: str, is_legacy: bool) -> TranslatedPath:
    """`path` as written on a Kong route, in inventory uri syntax (see the module docstring).

    `is_legacy` is true for Kong 2.x configurations, where regexes carry no `~`.
    """
    if path.startswith("~"):
        return _translate_regex(path[1:])
    if is_legacy and not _LEGACY_PLAIN.fullmatch(path):
        return _translate_regex(path)
    if not path.startswith("/"):
        return TranslatedPath(problem="it does not start with '/' (Kong rejects it)")
    if ":" in path or "*" in path:
        return TranslatedPath(problem="it holds ':' or '*', which Kong matches literally")
    return TranslatedPath(uris=(f"{path}*",))


def _translate_regex(pattern: str) -> TranslatedPath:
    if compile_input_regex(pattern) is None:
        return TranslatedPath(problem="RE2 refuses it", is_regex=True)
    body = pattern.removeprefix("^")
    anchor = next((end for end in _END_ANCHORS if body.endswith(end) and not body.endswith("\\" + end)), None)
    if anchor is not None:
        body = body[: -len(anchor)]
    if not body.startswith("/"):
        return TranslatedPath(problem="it does not start with '/'", is_regex=True)
    segments = _segments(body[1:])
    if segments is None:
        return TranslatedPath(problem="it is not a plain path with whole-segment wildcards", is_regex=True)
    has_params = any(segment.startswith(":") for segment in segments)
    uri = "/" + "/".join(segments)
    if anchor is not None:
        return TranslatedPath(uris=(uri,), is_regex=True)
    if has_params:
        return TranslatedPath(problem="it has segment wildcards but no '$' end anchor", is_regex=True)
    return TranslatedPath(uris=(f"{uri}*",), is_regex=True)


def _segments(body: str) -> list[str] | None:
    """Each `/`-separated part as a literal or `:param`; None when a part is neither."""
    segments: list[str] = []
    count = 0
    for part in _split_segments(body):
        wildcard = _SEGMENT_WILDCARD.fullmatch(part)
        if wildcard is not None:
            count += 1
            name = wildcard.group("name") or ("id" if count == 1 else f"id{count}")
            segments.append(f":{name}")
        elif _LITERAL_SEGMENT.fullmatch(part):
            segments.append(part.replace("\\", ""))
        else:
            return None
    return segments


def _split_segments(body: str) -> list[str]:
    """`body` split at each `/` outside brackets and groups (`[^/]+` is one segment's wildcard)."""
    parts = [""]
    depth = 0
    escaped = False
    for char in body:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth = max(0, depth - 1)
        elif char == "/" and depth == 0:
            parts.append("")
            continue
        parts[-1] += char
    return parts
