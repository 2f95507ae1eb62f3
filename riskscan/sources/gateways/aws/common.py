"""Shared pieces of the AWS API Gateway reader: evidence, path templates and intrinsic references.

API Gateway paths are templates (`/pets/{petId}`) whose last segment may be greedy (`{proxy+}`: one
or more segments); an HTTP API's `$default` route takes every request no other route takes. The
inventory understands APISIX-style patterns (see `riskscan.inventory.gateway_patterns`), so `{petId}`
becomes `:petId` and a greedy tail a `*` prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from riskscan.model import Evidence
from riskscan.redaction import redact
from riskscan.sources.structured import StructuredDocument

__all__ = [
    "DEFAULT_ROUTE",
    "Place",
    "Warn",
    "gateway_uri",
    "is_greedy",
    "logical_id",
    "mapping",
    "number",
    "text",
]

DEFAULT_ROUTE = "$default"
"""An HTTP API's catch-all route key (and path in its export)."""

Warn = Callable[[str], None]

_SEGMENT_PARAM = re.compile(r"^\{([^{}/]+)\}$")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Place:
    """A parsed file and how it is shown: makes evidence with file, line and JSON pointer."""

    document: StructuredDocument
    shown: str

    def evidence(self, pointer: str, excerpt: str | None = None, note: str | None = None) -> Evidence:
        """Evidence for the node at `pointer`; the excerpt is cut to 200 characters and redacted."""
        if excerpt is not None and len(excerpt) > 200:
            excerpt = excerpt[:199] + "…"
        return Evidence(
            path=self.shown,
            line=self.document.line_of(pointer),
            pointer=pointer,
            excerpt=redact(excerpt) if excerpt else None,
            note=note,
        )


def is_greedy(path: str) -> bool:
    """True when the path ends in a greedy parameter (`/{proxy+}`) or is the `$default` route."""
    return path == DEFAULT_ROUTE or path.rstrip("/").endswith("+}")


def gateway_uri(path: str) -> str | None:
    """The inventory's pattern for an API Gateway path, or None when it is not a valid one.

    `{id}` becomes `:id` (names made identifier-safe), a greedy last segment `{proxy+}` a `*` prefix
    (`/api/{proxy+}` takes `/api/x` and below, not `/api` itself, as API Gateway does); `$default`
    is `/*`. A greedy segment anywhere but last is invalid in API Gateway.
    """
    if path == DEFAULT_ROUTE:
        return "/*"
    if not path.startswith("/"):
        return None
    segments = path.split("/")
    out: list[str] = []
    for index, segment in enumerate(segments):
        found = _SEGMENT_PARAM.match(segment)
        if found is None:
            if "{" in segment or "}" in segment:
                return None  # API Gateway parameters are whole segments
            out.append(segment)
            continue
        name = found.group(1)
        if name.endswith("+"):
            if index != len(segments) - 1:
                return None
            out.append("*")
            continue
        safe = _NOT_NAME.sub("_", name)
        out.append(":" + (safe if safe[:1].isalpha() or safe[:1] == "_" else f"p{safe}"))
    return "/".join(out) or "/"


def logical_id(value: Any) -> str | None:
    """The logical id a CloudFormation reference names: `!Ref Api`, `!GetAtt Api.RootResourceId`."""
    if isinstance(value, dict) and len(value) == 1:
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        attribute = value.get("Fn::GetAtt")
        if isinstance(attribute, list) and attribute and isinstance(attribute[0], str):
            return attribute[0]
        if isinstance(attribute, str):
            return attribute.split(".", 1)[0]
    return None


def mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping with text keys, else empty (a wrong type costs the entry)."""
    if not isinstance(value, dict):
        return {}
    return {key: item for key, item in value.items() if isinstance(key, str)}


def text(value: Any) -> str | None:
    """`value` when it is a string (an intrinsic function or a number is not text we can read)."""
    return value if isinstance(value, str) else None


def number(value: Any) -> float | None:
    """A finite, non-negative number from a number or numeric text (CloudFormation allows both)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and 0 <= value < 1e15:
        return float(value)
    return None
