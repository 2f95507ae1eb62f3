"""nginx `location` matches translated into the route uri syntax the inventory understands.

nginx (ngx_http_core_module, `location`) matches a request URI by: `= /a` exactly; `/a` or `^~ /a` as
a string prefix; `~` (case-sensitive) or `~*` (case-insensitive) as a PCRE regular expression found
anywhere in the URI; `@name` is only a target of internal redirects. The inventory's syntax
(`riskscan.inventory.gateway_patterns`, APISIX style) is: exact `/a`; string prefix `/a*`;
`:name` for one segment. So:

- `= /a` -> `/a`; `/a` and `^~ /a` -> `/a*`;
- a regex that is an anchored path of literal segments and whole-segment wildcards
  (`^/users/[0-9]+$`, `^/users/(?<id>[^/]+)/orders/?$`, `^/api/v1/` as a prefix) -> `/users/:id`;
  it is checked on RE2 (a path built from the translation must match the original pattern);
- any other regex (`\\.php$`, alternations, unanchored patterns) is NOT approximated by something
  wider, which would credit the route's controls to paths it does not serve: it gives no uri and a
  warning "regex path ... not evaluated".

nginx picks a location by its own order, not by the longest literal as the inventory does: an exact
match first; else the longest prefix, used at once when it is `^~`; else the first regex that matches,
in the order written; else that longest prefix. `shadowed_by` finds the locations this makes
unreachable that the inventory would otherwise credit (a plain prefix under a regex prefix, a regex
under a `^~` prefix), so that a route's controls are never credited to requests another location takes.

`~*` is translated as if case-sensitive: the translation then covers fewer paths than nginx serves
(`/USERS/1`), never more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskscan.sources.input_regex import compile_input_regex

__all__ = ["LocationMatch", "parse_location", "shadowed_by"]


@dataclass(frozen=True)
class LocationMatch:
    """A location's match as written (`modifier`, `pattern`) and as route uris (empty: not evaluated)."""

    modifier: str  # "=", "^~", "~", "~*", "" (string prefix) or "@" (named)
    pattern: str
    uris: tuple[str, ...]
    problem: str | None = None  # why a regex was not evaluated

    @property
    def label(self) -> str:
        """The location as written after the `location` keyword: `^~ /static/`."""
        return f"{self.modifier} {self.pattern}" if self.modifier not in ("", "@") else self.pattern


_MODIFIERS = ("^~", "~*", "=", "~")
# A whole-segment wildcard: a character class that cannot match "/" (or \d, \w), repeated with `+`.
_POSITIVE = r"\[(?!\^)(?:[^\]\\/]|\\[dw.\-_])+\]"  # no "/" and no \S, \W, \D inside
# Excludes "/": up to the first "/" (or "\/"), then to the "]". No lazy part before an overlapping one:
# `[^` and thousands of "/" with no "]" would be tried from every "/" to the end.
_NEGATED = r"\[\^(?:[^\]\\/]|\\[^/])*\\?/(?:[^\]\\]|\\.)*\]"
_CLASS = rf"(?:\\[dw]|{_POSITIVE}|{_NEGATED})\+"
_WILDCARD = re.compile(rf"\((?:\?P?<(?P<name>[A-Za-z_]\w*)>)?(?P<inner>{_CLASS})\)|(?P<bare>{_CLASS})")
_LITERAL = re.compile(r"[A-Za-z0-9_~%-]|\\[./_~-]|/")
# What may follow the path, and what it means: exact, segment-wise prefix, after-slash or string prefix.
_TAILS: dict[str, tuple[str, ...]] = {
    "$": ("",),
    "/?$": ("",),
    "(/.*)?$": ("", "/*"),
    "(?:/.*)?$": ("", "/*"),
    "/.*$": ("/*",),
    "/.*": ("/*",),
    ".*$": ("*",),
    ".*": ("*",),
    "": ("*",),
}
_SAMPLES = ("1", "a", "A", "_", "-", "a1")


def parse_location(args: tuple[str, ...]) -> LocationMatch:
    """A `location` directive's arguments as a `LocationMatch` (its `uris` empty when not evaluated)."""
    modifier, pattern = _split(args)
    if modifier == "@":
        return LocationMatch("@", pattern, ())
    if modifier == "=":
        return LocationMatch(modifier, pattern, (pattern,))
    if modifier in ("", "^~"):
        return LocationMatch(modifier, pattern, (pattern + "*",))
    uris, problem = _translate_regex(pattern, case_insensitive=modifier == "~*")
    return LocationMatch(modifier, pattern, uris, problem)


def _split(args: tuple[str, ...]) -> tuple[str, str]:
    """(modifier, pattern), whether written apart (`~ ^/a`) or together (`~^/a`, `=/a`)."""
    if len(args) >= 2 and args[0] in _MODIFIERS:
        return args[0], args[1]
    text = args[0] if args else ""
    if text.startswith("@"):
        return "@", text
    for modifier in _MODIFIERS:
        if text.startswith(modifier) and len(text) > len(modifier):
            return modifier, text[len(modifier) :]
    return "", text


def _translate_regex(pattern: str, case_insensitive: bool) -> tuple[tuple[str, ...], str | None]:
    """Route uris for a simple anchored path regex, or none and the reason it is not evaluated."""
    compiled = compile_input_regex(("(?i)" if case_insensitive else "") + pattern)
    if compiled is None:
        return (), "RE2 refuses the pattern"
    if not pattern.startswith("^/"):
        return (), "not anchored at the start of the path"
    body, samples = _path_of(pattern[1:])
    if body is None:
        return (), "not a plain path with whole-segment wildcards"
    uri, tails = body
    for tail in tails:
        sample = samples + ("/x" if tail == "/*" else "")
        if compiled.search(sample) is None:  # the translation must agree with the pattern itself
            return (), "its translation does not match like the pattern"
    return tuple(uri + tail for tail in tails), None


def _path_of(text: str) -> tuple[tuple[str, tuple[str, ...]] | None, str]:
    """((uri without tail, tails), a concrete sample path) for a pattern body, or (None, "")."""
    uri, sample, position = "", "", 0
    names: list[str] = []
    while position <= len(text):
        rest = text[position:]
        if rest in _TAILS and uri:
            return (uri, _TAILS[rest]), sample
        wildcard = _WILDCARD.match(text, position)
        if wildcard is not None and uri.endswith("/"):
            name = _unique(wildcard.group("name") or "param", names)
            names.append(name)
            inner = wildcard.group("inner") or wildcard.group("bare")
            uri, sample = uri + ":" + name, sample + _sample_for(inner)
            position = wildcard.end()
            if position < len(text) and text[position] != "/" and text[position:] not in _TAILS:
                return None, ""  # a wildcard must fill its whole segment
            continue
        literal = _LITERAL.match(text, position)
        if literal is None:
            return None, ""
        char = literal.group(0)[-1]
        uri, sample = uri + char, sample + char
        position = literal.end()
    return None, ""


def _unique(name: str, taken: list[str]) -> str:
    """`name`, or `name2`, `name3` ... when an earlier segment has it already."""
    number, candidate = 1, name
    while candidate in taken:
        number += 1
        candidate = f"{name}{number}"
    return candidate


def _sample_for(atom: str) -> str:
    """A segment value the wildcard accepts (checked again when the whole sample path is matched)."""
    compiled = compile_input_regex(f"^(?:{atom})$")
    for sample in _SAMPLES:
        if compiled is not None and compiled.search(sample) is not None:
            return sample
    return "1"


def shadowed_by(match: LocationMatch, siblings: list[LocationMatch]) -> LocationMatch | None:
    """The server-level location that takes every request `match` would otherwise serve, or None.

    - a plain prefix location under a regex that is itself a plain prefix (`~ ^/api/` over
      `/api/admin/`): nginx tries regexes after a plain prefix match, and that one always matches;
    - a regex whose paths all lie under a `^~` prefix that no longer prefix location overlaps: nginx
      never tries regexes for those paths.
    """
    if match.modifier == "":
        return next(
            (
                other
                for other in siblings
                if other.modifier in ("~", "~*")
                and (head := _pure_prefix(other)) is not None
                and match.pattern.startswith(head)
            ),
            None,
        )
    if match.modifier not in ("~", "~*") or not match.uris:
        return None
    head = match.uris[0].split(":", 1)[0].rstrip("*")
    prefixes = [other for other in siblings if other.modifier in ("", "^~")]
    for caret in (other for other in prefixes if other.modifier == "^~" and head.startswith(other.pattern)):
        overlaps = [
            other
            for other in prefixes
            if len(other.pattern) > len(caret.pattern)
            and (other.pattern.startswith(head) or head.startswith(other.pattern))
        ]
        if not overlaps:
            return caret
    return None


def _pure_prefix(match: LocationMatch) -> str | None:
    """The literal prefix of a regex location that matches exactly the paths starting with it."""
    if len(match.uris) == 1 and match.uris[0].endswith("*") and ":" not in match.uris[0]:
        return match.uris[0][:-1]
    return None
