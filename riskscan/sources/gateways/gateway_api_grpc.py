"""Gateway API `GRPCRoute` matches as the HTTP requests gRPC sends: `POST /{service}/{method}`.

gRPC runs over HTTP/2, each call a `POST` to `/<package.Service>/<Method>`. So a GRPCRoute match is
the HTTPRoute match of that path (GRPCRoute, gateway.networking.k8s.io v1):

- `method.type` `Exact` (the default): service and method give the exact path; a service alone,
  every method of it (the `/service/` prefix); a method alone, that method of any service (one
  wildcard segment);
- `method.type` `RegularExpression`: the service and method patterns joined as one path regex, kept
  only when it is a plain path pattern (`kubernetes_paths`), as HTTPRoute regexes are;
- no `method`: every call (`/` prefix); `headers` stay header conditions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from riskscan.redaction import redact
from riskscan.sources.gateways.kubernetes_objects import mapping, text

__all__ = ["GRPC_METHOD", "http_match"]

GRPC_METHOD = "POST"
"""The HTTP method of every gRPC call."""


def http_match(match: Mapping[str, Any]) -> Mapping[str, Any] | str:
    """The HTTPRoute match a GRPCRoute match stands for, or why it cannot be read."""
    method = mapping(match.get("method"))
    service, name = text(method.get("service")), text(method.get("method"))
    kind = text(method.get("type")) or "Exact"
    http: dict[str, Any] = {"method": GRPC_METHOD}
    if "headers" in match:
        http["headers"] = match["headers"]
    if not service and not name:
        if method:
            return "a method match names neither a service nor a method"
        http["path"] = {"type": "PathPrefix", "value": "/"}
    elif kind == "Exact":
        if "/" in service or "/" in name:
            return f"service {redact(service)} or method {redact(name)} holds a `/`"
        if service and name:
            http["path"] = {"type": "Exact", "value": f"/{service}/{name}"}
        elif service:
            http["path"] = {"type": "PathPrefix", "value": f"/{service}"}
        else:
            http["path"] = {"type": "RegularExpression", "value": f"^/[^/]+/{re.escape(name)}$"}
    elif kind == "RegularExpression":
        http["path"] = {"type": "RegularExpression", "value": f"^/{service or '[^/]+'}/{name or '[^/]+'}$"}
    else:
        return f"unknown method match type {redact(kind)}"
    return http
