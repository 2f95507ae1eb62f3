"""What an operation declares about resource consumption (OWASP API4:2023): rate limits and collections.

- A declared rate limit: an `x-ratelimit...` / `x-rate-limit...` extension on the operation, a
  documented 429 response, or rate-limit headers documented on any response (`X-RateLimit-Limit`,
  `RateLimit-Policy`, `Retry-After` ...). A declaration is the weakest evidence: it says the API means
  to throttle, not that anything does.
- Whether a successful GET answers with a collection: a 2xx schema that is an array, or an envelope
  whose array property is named like a page (`{"items": [...]}`, `data`, `results` ...); the paging
  parameters themselves are ordinary query parameters, read with their `maximum`.
Only names and the place of each node are kept, never values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from riskscan.model import Evidence
from riskscan.sources.specs.openapi_refs import Located, RefResolver

__all__ = ["declared_rate_limit", "returns_collection"]

_EXTENSION_PREFIXES = ("x-ratelimit", "x-rate-limit", "x-throttl")
_LIMIT_HEADERS = frozenset({
    "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-rate-limit-limit",
    "x-rate-limit-remaining", "x-rate-limit-reset", "ratelimit", "ratelimit-limit", "ratelimit-policy",
    "ratelimit-remaining", "ratelimit-reset", "retry-after",
})
_ENVELOPES = frozenset({"items", "data", "results", "records", "content", "entries", "elements", "values",
                        "list", "rows", "hits", "edges", "nodes"})
_MAX_RESPONSES = 200  # responses looked at per operation (a hostile spec may list thousands)


def declared_rate_limit(
    operation: Located, refs: RefResolver, shown: Callable[[Path], str]
) -> Evidence | None:
    """Where the operation declares a rate limit (see the module docstring), or None."""
    node = operation.node
    for key in node if isinstance(node, dict) else ():
        if isinstance(key, str) and key.lower().startswith(_EXTENSION_PREFIXES):
            return _evidence(operation.child(key), shown, f"{key[:60]} extension")
    responses = operation.child("responses")
    statuses = list(responses.node)[:_MAX_RESPONSES] if isinstance(responses.node, dict) else []
    if 429 in statuses or "429" in statuses:
        return _evidence(responses.child(429 if 429 in statuses else "429"), shown, "429 response documented")
    for status in statuses:
        response = refs.resolve(responses.child(status))
        headers = response.child("headers") if response is not None else None
        names = [name for name in headers.node if isinstance(name, str)] if headers and isinstance(
            headers.node, dict) else []
        found = next((name for name in names if name.lower() in _LIMIT_HEADERS), None)
        if headers is not None and found is not None:
            return _evidence(headers.child(found), shown, f"{found[:60]} header documented")
    return None


def returns_collection(operation: Located, refs: RefResolver) -> bool | None:
    """True when a 2xx response schema is an array or an object with an array property at its top;
    None when the operation documents no 2xx schema (nothing to say)."""
    responses = operation.child("responses")
    if not isinstance(responses.node, dict):
        return None
    schemas: list[Located] = []
    for status in list(responses.node)[:_MAX_RESPONSES]:
        if not str(status).upper().startswith("2"):
            continue
        response = refs.resolve(responses.child(status))
        if response is None or not isinstance(response.node, dict):
            continue
        content = response.child("content")
        if isinstance(content.node, dict):
            schemas.extend(content.child(media).child("schema") for media in content.node)
        if "schema" in response.node:  # Swagger 2.0
            schemas.append(response.child("schema"))
    resolved = [found for schema in schemas if (found := refs.resolve(schema)) is not None]
    shaped = [found for found in resolved if isinstance(found.node, dict)]
    if not shaped:
        return None
    return any(_is_array(found.node) or _wraps_array(found, refs) for found in shaped)


def _is_array(node: dict[str, object]) -> bool:
    return node.get("type") == "array" or ("items" in node and "properties" not in node)


def _wraps_array(schema: Located, refs: RefResolver) -> bool:
    """An envelope around a page: an object whose array property has an envelope's name (`{"items":
    [...], "next": ...}`); a record that merely holds a list (`product.coverages`) is not a page."""
    properties = schema.child("properties")
    if not isinstance(properties.node, dict):
        return False
    for name in list(properties.node)[:_MAX_RESPONSES]:
        if not isinstance(name, str) or name.lower() not in _ENVELOPES:
            continue
        prop = refs.resolve(properties.child(name))
        if prop is not None and isinstance(prop.node, dict) and _is_array(prop.node):
            return True
    return False


def _evidence(located: Located, shown: Callable[[Path], str], note: str) -> Evidence:
    return Evidence(path=shown(located.document.path), line=located.line, pointer=located.pointer or None,
                    note=note)
