"""nginx directive inheritance, and the shared zones that rate and connection limits refer to.

nginx merges most directives outward-in the same way: a level (http, server, location, nested
location) that declares a directive uses its own declarations, all of them; a level that declares
none inherits the enclosing level's. That holds for one-value directives (`auth_basic`) and for
array directives alike (`limit_req`, `access_log`, `add_header`, `proxy_set_header`): one
`limit_req` in a location drops every `limit_req` of its server. `allow` and `deny` are one list
(ngx_http_access_module): a location with only `deny` inherits no `allow`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from riskscan.redaction import redact
from riskscan.sources.gateways.nginx_tree import Directive

__all__ = ["Level", "Scope", "Zone", "collect_zones", "effective_args"]

_RATE = re.compile(r"^(\d+(?:\.\d+)?)r/([sm])$")


@dataclass(frozen=True)
class Level:
    """One level of the configuration: `http`, `server` or `location`, and what it declares.

    Directives are indexed by name once: a server with thousands of locations is looked up for each
    of them, so a scan per lookup would be quadratic.
    """

    kind: str
    directives: tuple[Directive, ...]
    by_name: dict[str, list[Directive]] = field(init=False, repr=False, compare=False)
    position: dict[int, int] = field(init=False, repr=False, compare=False)  # id(directive) -> index

    def __post_init__(self) -> None:
        by_name: dict[str, list[Directive]] = {}
        for directive in self.directives:
            by_name.setdefault(directive.name, []).append(directive)
        object.__setattr__(self, "by_name", by_name)
        object.__setattr__(self, "position", {id(d): index for index, d in enumerate(self.directives)})


@dataclass(frozen=True)
class Scope:
    """The levels in force for one location, outermost first."""

    levels: tuple[Level, ...]

    def inner(self, kind: str, directives: Iterable[Directive]) -> Scope:
        """This scope with one more level inside it."""
        return Scope((*self.levels, Level(kind, tuple(directives))))

    def effective(self, *names: str) -> tuple[list[Directive], str | None]:
        """The declarations of `names` in force: the innermost level's that has any, and its kind."""
        for level in reversed(self.levels):
            found = [directive for name in names for directive in level.by_name.get(name, ())]
            if found:
                found.sort(key=lambda directive: level.position[id(directive)])  # as written
                return found, level.kind
        return [], None

    def level_of(self, directive: Directive) -> str:
        """The kind of the level that declares `directive` (the innermost, when shared)."""
        for level in reversed(self.levels):
            if id(directive) in level.position:
                return level.kind
        return self.levels[-1].kind if self.levels else "location"

    def last(self, name: str) -> Directive | None:
        """The one-value directive `name` in force (the last declaration of the innermost level)."""
        found, _ = self.effective(name)
        return found[-1] if found else None


@dataclass(frozen=True)
class Zone:
    """A `limit_req_zone` or `limit_conn_zone`: what it counts by and, for requests, the rate."""

    key: str
    limit: float | None = None
    window_seconds: float | None = None


def collect_zones(
    directives: Iterable[Directive], warn: Callable[[str], None]
) -> dict[tuple[str, str], Zone]:
    """Every shared-memory zone declared anywhere, by (directive, zone name)."""
    zones: dict[tuple[str, str], Zone] = {}
    for directive in _walk(directives):
        if directive.name not in ("limit_req_zone", "limit_conn_zone") or not directive.args:
            continue
        options = dict(_option(arg) for arg in directive.args[1:])
        name = options.get("zone", "").split(":", 1)[0]
        if not name:
            warn(f"{directive.path}:{directive.line}: {directive.name} without zone=: ignored")
            continue
        limit, window = (None, None)
        if directive.name == "limit_req_zone":
            limit, window = _rate(options.get("rate", ""), directive, warn)
        zones[(directive.name, name)] = Zone(_key(directive.args[0]), limit, window)
    return zones


def effective_args(directive: Directive) -> dict[str, str]:
    """`name=value` arguments as a mapping (bare flags map to "")."""
    return dict(_option(arg) for arg in directive.args)


def _walk(directives: Iterable[Directive]) -> Iterable[Directive]:
    for directive in directives:
        yield directive
        if directive.block:
            yield from _walk(directive.block)


def _option(arg: str) -> tuple[str, str]:
    name, _, value = arg.partition("=")
    return name, value


def _key(text: str) -> str:
    """A zone key as a name: `$binary_remote_addr` -> `binary_remote_addr`; compound keys as written."""
    single = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", text)
    return single.group(1) if single else redact(text)


def _rate(text: str, directive: Directive, warn: Callable[[str], None]) -> tuple[float | None, float | None]:
    """`10r/s` -> (10, 1); `30r/m` -> (30, 60); anything else (None, None) with a warning."""
    found = _RATE.match(text)
    value = float(found.group(1)) if found else math.nan
    if found is None or not math.isfinite(value) or value <= 0:
        warn(f"{directive.path}:{directive.line}: {directive.name} rate is not N r/s or N r/m: rate unknown")
        return None, None
    return value, 1.0 if found.group(2) == "s" else 60.0
