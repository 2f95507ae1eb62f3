"""The field names of a JSON response body, never its values: what the data-exposure control needs.

A capture (HAR) holds whole response bodies; riskscan keeps only which fields an endpoint returns,
as dotted paths (`customer.email`, `items[].card.last4`; `[]` marks array elements), so that a later
stage can judge which classes of data an endpoint exposes. Values are dropped where they are read.
Bounded at every step: bodies past `MAX_BODY_CHARS` are skipped, paths stop at `MAX_FIELD_DEPTH`
levels, only the first `_ARRAY_SAMPLE` elements of an array are walked, and at most
`MAX_FIELDS_PER_BODY` names are taken from one body. Keys go through the inventory's `fold_segment`,
so a key that is an id (`{"4711": {...}}`), an email or a token becomes a placeholder, not a name.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from riskscan.inventory.folding import fold_segment

__all__ = ["MAX_BODY_CHARS", "MAX_FIELDS_PER_BODY", "MAX_FIELD_DEPTH", "is_json_type", "response_field_names"]

MAX_BODY_CHARS = 1 << 20
"""Longest response body (characters of text, before base64 decoding) whose field names are read."""
MAX_FIELD_DEPTH = 6
"""Deepest field path kept: `a.b.c.d.e.f`; deeper fields are named by their ancestor at this depth."""
MAX_FIELDS_PER_BODY = 100
"""Most field names taken from one body (the first met, walking keys in document order)."""
_ARRAY_SAMPLE = 20  # elements of an array walked: its items' shapes, not every item
_MAX_KEY_CHARS = 64  # a longer key is no field name (a blob used as a key): `{key}` stands for it


def is_json_type(mime_type: str) -> bool:
    """True for JSON media types: `application/json`, `application/problem+json`, with parameters."""
    essence = mime_type.partition(";")[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json") or essence == "text/json"


def response_field_names(text: str, encoding: str | None = None) -> frozenset[str] | None:
    """The dotted field paths of one JSON body (HAR `content.text`, base64 when `encoding` says so);
    None when the body is too long, not decodable or not JSON."""
    if len(text) > MAX_BODY_CHARS:
        return None
    if encoding == "base64":
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # malformed, over-long numbers, nested past Python's limit
        return None
    names: set[str] = set()
    _walk(document, "", 0, names)
    return frozenset(names)


def _walk(value: Any, prefix: str, depth: int, names: set[str]) -> None:
    """Add the leaf paths under `value` to `names`, within the depth, array and count bounds."""
    if len(names) >= MAX_FIELDS_PER_BODY:
        return
    if isinstance(value, dict) and value and depth < MAX_FIELD_DEPTH:
        for key, item in value.items():
            _walk(item, f"{prefix}.{_field_name(key)}" if prefix else _field_name(key), depth + 1, names)
            if len(names) >= MAX_FIELDS_PER_BODY:
                return
    elif isinstance(value, list) and value and depth < MAX_FIELD_DEPTH:
        for item in value[:_ARRAY_SAMPLE]:
            _walk(item, f"{prefix}[]", depth, names)
    elif prefix:
        names.add(prefix)


def _field_name(key: str) -> str:
    """A key as a field name: ids, personal data and secrets folded or redacted to placeholders."""
    if len(key) > _MAX_KEY_CHARS:
        return "{key}"
    return fold_segment(key.replace("/", "%2F").replace("\n", " ")) or "{empty}"
