"""Traefik router rules (`Host(`a`) && PathPrefix(`/v1`)`) parsed into route alternatives.

The rule language is small and documented: matchers (`Host`, `Path`, `PathPrefix`, `PathRegexp`,
`Method`, `Header`/`Headers`, `HostRegexp`, `Query`, `ClientIP` ...) with backtick- or double-quoted
string arguments, combined with `&&`, `||`, `!` and parentheses. A recursive-descent parser reads it
into disjunctive normal form: one `Alternative` per `||` branch, each with its paths, hosts, methods
and conditions. Nothing is approximated: a negation, two different path matchers joined by `&&`, a
path regex that is not a simple anchored path, or an unknown matcher raises `RuleError`, and the caller
leaves the router out with a warning.

Paths: `Path` is exact, `PathPrefix` a string prefix (`/a*`), `PathRegexp` (v3) is searched anywhere in
the path, so only an anchored (`^/...`) simple path is translated (`kubernetes_paths.route_uris`).
Rule syntax v2 allows `{name}` and `{name:regex}` in `Path`/`PathPrefix`: read as that regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskscan.redaction import is_secret_key
from riskscan.sources.gateways.kubernetes_paths import PathMatch, route_uris

__all__ = ["Alternative", "RuleError", "grouped", "parse_rule", "shown_rule"]

_MAX_RULE = 8000  # characters of a rule read at all
_MAX_DEPTH = 40  # nested parentheses and negations
_MAX_ALTERNATIVES = 64  # `||` branches once expanded
_TOKEN = re.compile(r"\s*(?:(&&|\|\||[!(),])|`([^`]*)`|\"((?:[^\"\\]|\\.)*)\"|([A-Za-z][A-Za-z0-9]*))")
# A header or query matcher's name and value: (name)(`key`)(, `value` | =value)
_KEYED_MATCHER = re.compile(
    r"((?:Headers?|Query)(?:Regexp)?\s*\(\s*[`\"])([^`\"=]*)(=[^`\"]*[`\"]|[`\"]\s*,\s*[`\"][^`\"]*[`\"])"
)
_V2_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::((?:[^{}]|\{[^{}]*\})+))?\}")


class RuleError(ValueError):
    """A rule that cannot be read, or cannot be expressed as route patterns without approximating it."""


@dataclass(frozen=True)
class Alternative:
    """One branch of a rule: what a request must match. None means unconstrained."""

    uris: tuple[str, ...] | None = None
    hosts: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    conditions: tuple[str, ...] = ()


def parse_rule(rule: str, syntax: str | None = None) -> list[Alternative]:
    """The rule's alternatives (satisfiable ones only); `syntax` is the router's `ruleSyntax` (v2/v3).

    Raises `RuleError` with a short reason that never echoes an argument value.
    """
    if len(rule) > _MAX_RULE:
        raise RuleError(f"rule longer than {_MAX_RULE} characters")
    parser = _Parser(_tokens(rule), syntax)
    alternatives = parser.expression(0)
    if parser.peek() is not None:
        raise RuleError("unexpected text after the rule")
    return alternatives


def shown_rule(rule: str) -> str:
    """The rule as it may be shown: a header or query value under a secret-sounding name is masked."""

    def mask(match: re.Match[str]) -> str:
        if not is_secret_key(match.group(2)):
            return match.group(0)
        quote = match.group(1)[-1]
        value = f"=<value>{quote}" if match.group(3).startswith("=") else f"{quote}, {quote}<value>{quote}"
        return match.group(1) + match.group(2) + value

    return _KEYED_MATCHER.sub(mask, rule)


def _tokens(rule: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: `op` for operators, `str` for arguments, `name` for matcher names."""
    tokens: list[tuple[str, str]] = []
    position, end = 0, len(rule.rstrip())
    while position < end:
        match = _TOKEN.match(rule, position)
        if match is None:
            raise RuleError(f"cannot read the rule at character {position + 1}")
        op, backtick, quoted, name = match.groups()
        if op is not None:
            tokens.append(("op", op))
        elif name is not None:
            tokens.append(("name", name))
        else:
            tokens.append(("str", backtick if backtick is not None else quoted.replace('\\"', '"')))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], syntax: str | None) -> None:
        self._tokens = tokens
        self._index = 0
        self._syntax = syntax

    def peek(self) -> tuple[str, str] | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise RuleError("the rule ends too early")
        self._index += 1
        return token

    def _expect(self, op: str) -> None:
        if self._take() != ("op", op):
            raise RuleError(f"expected '{op}' in the rule")

    def expression(self, depth: int) -> list[Alternative]:
        """or := and ('||' and)*"""
        alternatives = self._conjunction(depth)
        while self.peek() == ("op", "||"):
            self._take()
            alternatives = alternatives + self._conjunction(depth)
            if len(alternatives) > _MAX_ALTERNATIVES:
                raise RuleError(f"more than {_MAX_ALTERNATIVES} alternatives")
        return alternatives

    def _conjunction(self, depth: int) -> list[Alternative]:
        """and := unary ('&&' unary)*, distributed over the alternatives on each side."""
        alternatives = self._unary(depth)
        while self.peek() == ("op", "&&"):
            self._take()
            right = self._unary(depth)
            combined = [both for left in alternatives for other in right
                        if (both := _conjoin(left, other)) is not None]
            if len(combined) > _MAX_ALTERNATIVES:
                raise RuleError(f"more than {_MAX_ALTERNATIVES} alternatives")
            alternatives = combined
        return alternatives

    def _unary(self, depth: int) -> list[Alternative]:
        """unary := '!' unary | '(' expression ')' | matcher"""
        if depth > _MAX_DEPTH:
            raise RuleError(f"rule nested more than {_MAX_DEPTH} levels deep")
        token = self._take()
        if token == ("op", "!"):
            self._unary(depth + 1)  # read it, so syntax errors still surface first
            raise RuleError("negation (!) is not evaluated")
        if token == ("op", "("):
            inner = self.expression(depth + 1)
            self._expect(")")
            return inner
        if token[0] != "name":
            raise RuleError("expected a matcher such as Host(...) or PathPrefix(...)")
        if self.peek() != ("op", "("):
            raise RuleError("a matcher name is not followed by '('")
        return _matcher(token[1], self._arguments(), self._syntax)

    def _arguments(self) -> list[str]:
        self._expect("(")
        arguments: list[str] = []
        while True:
            kind, text = self._take()
            if (kind, text) == ("op", ")") and not arguments:
                return arguments
            if kind != "str":
                raise RuleError("a matcher's arguments must be quoted strings")
            arguments.append(text)
            kind, text = self._take()
            if (kind, text) == ("op", ")"):
                return arguments
            if (kind, text) != ("op", ","):
                raise RuleError("expected ',' or ')' after a matcher argument")


def _conjoin(left: Alternative, right: Alternative) -> Alternative | None:
    """Both alternatives at once; None when no request can match both (two different hosts)."""
    if left.uris is not None and right.uris is not None and set(left.uris) != set(right.uris):
        raise RuleError("two path matchers joined by && are not evaluated")
    hosts = _intersect(left.hosts, right.hosts)
    methods = _intersect(left.methods, right.methods)
    if hosts == () or methods == ():
        return None
    return Alternative(uris=left.uris if left.uris is not None else right.uris, hosts=hosts, methods=methods,
                       conditions=tuple(dict.fromkeys(left.conditions + right.conditions)))


def _intersect(left: tuple[str, ...] | None, right: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if left is None or right is None:
        return right if left is None else left
    return tuple(item for item in left if item in right)


def _matcher(name: str, args: list[str], syntax: str | None) -> list[Alternative]:
    """One matcher as alternatives (a single one: several arguments of Host, Path ... are any-of)."""
    if not args:
        raise RuleError(f"{name}() has no argument")
    if name in ("Host", "HostHeader"):
        if any("{" in arg for arg in args):
            return [Alternative(conditions=tuple(f"host matches {arg}" for arg in args))]
        return [Alternative(hosts=tuple(dict.fromkeys(arg.lower().rstrip(".") for arg in args)))]
    if name in ("Path", "PathPrefix"):
        uris = [uri for arg in args for uri in _path_uris(arg, name == "PathPrefix", syntax)]
        return [Alternative(uris=tuple(dict.fromkeys(uris)))]
    if name == "PathRegexp":
        return [Alternative(uris=_regexp_uris(args[0]))]
    if name in ("Method", "Methods"):
        return [Alternative(methods=tuple(dict.fromkeys(arg.upper() for arg in args)))]
    return [Alternative(conditions=(_condition(name, args),))]


def _condition(name: str, args: list[str]) -> str:
    """A non-path matcher as a readable condition; a value under a secret-sounding name is not kept."""
    if name in ("Header", "Headers", "HeaderRegexp", "HeadersRegexp") and len(args) == 2:
        operator = "~" if name.endswith("Regexp") else "=="
        value = "<value>" if is_secret_key(args[0]) else args[1]
        return f"header {args[0]} {operator} {value}"
    if name in ("Query", "QueryRegexp"):
        key = args[0].split("=", 1)[0]
        shown = "<value>" if is_secret_key(key) else " ".join(args)
        return f"query {shown}" if name == "Query" else f"query {key} ~ {shown}"
    if name == "HostRegexp":
        return "host ~ " + " | ".join(args)
    if name == "ClientIP":
        return "client ip in " + ", ".join(args)
    raise RuleError(f"matcher {name}() is not an HTTP router matcher riskscan reads")


def _path_uris(value: str, is_prefix: bool, syntax: str | None) -> tuple[str, ...]:
    if not value.startswith("/"):
        raise RuleError("a path matcher's argument does not start with '/'")
    if "{" not in value:
        return (value.rstrip("*") + "*",) if is_prefix else (value,)
    if syntax == "v3":
        raise RuleError("a path with '{' under rule syntax v3 is not evaluated")
    pattern = "^" + _v2_pattern(value)
    uris = route_uris(pattern, PathMatch.REGEX_START if is_prefix else PathMatch.REGEX_FULL)
    if uris is None:
        raise RuleError("regex path variables other than one whole segment are not evaluated")
    return uris


def _v2_pattern(value: str) -> str:
    """A v2 path template as the regex Traefik v2 builds from it: `{id}` is `[^/]+`."""
    parts: list[str] = []
    position = 0
    for match in _V2_VARIABLE.finditer(value):
        parts.append(re.escape(value[position:match.start()]))
        parts.append(f"({match.group(2) or '[^/]+'})")
        position = match.end()
    rest = value[position:]
    if "{" in rest or "}" in rest:
        raise RuleError("a path variable is not closed")
    return "".join(parts) + re.escape(rest)


def _regexp_uris(pattern: str) -> tuple[str, ...]:
    """A v3 `PathRegexp`: searched anywhere in the path, so only a `^`-anchored simple path is read."""
    uris = route_uris(pattern, PathMatch.REGEX_START) if pattern.startswith("^/") else None
    if uris is None:
        raise RuleError("regex path is not evaluated (not a simple anchored path)")
    return uris


def grouped(alternatives: list[Alternative]) -> list[Alternative]:
    """Alternatives merged where that is exact: those differing only in methods (any method absorbs
    the rest), then those differing only in uris (a route lists several uris)."""
    by_match: dict[tuple[object, ...], Alternative] = {}
    for item in alternatives:
        key = (item.uris or ("/*",), item.hosts, item.conditions)
        known = by_match.get(key)
        methods = None if known is None else _any_of(known.methods, item.methods)
        by_match[key] = item if known is None else Alternative(
            uris=key[0], hosts=item.hosts, methods=methods, conditions=item.conditions)
    by_rest: dict[tuple[object, ...], list[str]] = {}
    for item in by_match.values():
        uris = by_rest.setdefault((item.hosts, item.methods, item.conditions), [])
        uris += [uri for uri in (item.uris or ("/*",)) if uri not in uris]
    return [Alternative(uris=tuple(uris), hosts=hosts, methods=methods,  # type: ignore[arg-type]
                        conditions=conditions)  # type: ignore[arg-type]
            for (hosts, methods, conditions), uris in by_rest.items()]


def _any_of(left: tuple[str, ...] | None, right: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Methods matched by either side: None (any method) when either accepts any."""
    return None if left is None or right is None else tuple(dict.fromkeys(left + right))
