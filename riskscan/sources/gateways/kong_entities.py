"""The Kong entities a configuration holds, as read from decK files or Admin API exports.

`kong.py` (decK) and `kong_admin.py` (Admin API) fill a `KongEntities`; `kong_build` resolves it into
routes. Each entity keeps the file and JSON pointer it came from, for evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from riskscan.model import Evidence, RateLimitPolicy
from riskscan.redaction import redact
from riskscan.sources.structured import StructuredDocument

__all__ = ["KongEntities", "Located", "Scope", "reference"]

_MAX_EXCERPT = 200
ConfigMap = Mapping[str, object]


@dataclass(frozen=True)
class Located:
    """One entity as read, with the file it came from and its JSON pointer there."""

    data: ConfigMap
    shown: str  # the file, as shown to users
    document: StructuredDocument
    pointer: str

    def evidence(self, excerpt: str | None = None) -> Evidence:
        """Evidence for this entity: file, line and pointer, and a short redacted excerpt."""
        short = redact(excerpt)[:_MAX_EXCERPT] if excerpt else None
        return Evidence(
            path=self.shown, line=self.document.line_of(self.pointer), pointer=self.pointer, excerpt=short
        )


@dataclass(frozen=True)
class Scope:
    """Where a plugin is attached: service and route references (name, id, or `#<index>`)."""

    service: str | None = None
    route: str | None = None
    is_consumer: bool = False  # scoped to a consumer or consumer group


@dataclass
class KongEntities:
    """Everything a Kong configuration says about routing, from one or several files."""

    services: list[Located] = field(default_factory=list)
    routes: list[tuple[Located, str | None]] = field(default_factory=list)  # with the service reference
    plugins: list[tuple[Located, Scope]] = field(default_factory=list)
    upstreams: list[Located] = field(default_factory=list)
    is_legacy: bool = False  # Kong 2.x format: regex paths carry no `~`
    has_services: bool = True  # False for an Admin API /routes export read without its /services
    # Limits every consumer admitted by the given auth plugins carries (see kong_consumers), if known.
    consumer_limits: Callable[[Sequence[str]], tuple[RateLimitPolicy, ...]] | None = None


def reference(value: object) -> str | None:
    """A reference to another entity as decK or the Admin API write it: a name or id, or `{id|name}`."""
    if isinstance(value, dict):
        value = value.get("id", value.get("name"))
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)
