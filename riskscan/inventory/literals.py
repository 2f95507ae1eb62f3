"""Literal paths that look like ids: what traffic must not fold, because a spec or a route names them.

Traffic is reduced at ingestion (`/reports/2024` -> `/reports/{id}`), which is what keeps its aggregate
small. A spec that documents `/reports/2024`, or a gateway route on `/v1/tenants/1042/*`, names that
concrete segment: folded traffic would no longer match it, and a documented endpoint would look unused
while its traffic showed up as a shadow `/reports/{id}`. So, before traffic is read, the literal part of
every spec path and route uri (up to its first parameter or wildcard) that folding would change is
collected here, and the traffic engine keeps requests under it literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from riskscan.model import ApiSpec, GatewayConfig
from riskscan.sources.traffic.reduce import reduce_path

__all__ = ["MAX_PROTECTED", "protected_literals"]

MAX_PROTECTED = 512
"""Literal prefixes kept at most (each costs the engine one vectorised comparison per batch)."""

# Where the literal part of a path or uri ends: a `{param}` or partial-segment parameter, an APISIX
# `:param`, a `*` wildcard, or anything regex-like.
_VARIABLE = re.compile(r"[{:*(\[^$\\]")


def protected_literals(specs: Sequence[ApiSpec], gateways: Sequence[GatewayConfig]) -> frozenset[str]:
    """The literal prefixes (whole segments, no trailing slash) whose segments folding would change."""
    candidates = (
        *(
            path
            for spec in specs
            for operation in spec.operations
            for path in (operation.path, *operation.alternate_paths)
        ),
        *(uri for gateway in gateways for route in gateway.routes for uri in route.uris),
    )
    protected = sorted(
        {literal for literal in _literal_prefixes(candidates) if reduce_path(literal)[0] != literal}
    )
    return frozenset(protected[:MAX_PROTECTED])


def _literal_prefixes(paths: Iterable[str]) -> Iterable[str]:
    """Each path's leading run of whole literal segments (`/v1/2024/reports/{id}` -> `/v1/2024/reports`)."""
    for path in paths:
        if not path.startswith("/"):
            continue
        variable = _VARIABLE.search(path)
        literal = path if variable is None else path[: path.rfind("/", 0, variable.start())]
        literal = literal.rstrip("/")
        if literal:
            yield literal
