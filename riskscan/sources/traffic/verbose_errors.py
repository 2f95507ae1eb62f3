"""Verbose error bodies: which kinds of internals an error response leaks, never its text.

A HAR capture holds whole response bodies. For an error answer (status 400 and above) the first
`MAX_SCANNED_CHARS` characters of the body (base64 decoded when the capture says so) are matched
against the patterns of `verbose_errors.yaml`, grouped by kind (`stack_trace`, `sql_error`,
`debug_page`, `exception_class`). The patterns run on input text, so they are compiled with RE2
(`riskscan.sources.input_regex`): matching time stays linear in the body whatever it holds. Only the
kinds found leave this module; the body is dropped where it is read.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from riskscan.sources.input_regex import InputPattern, compile_input_regex

__all__ = ["MAX_SCANNED_CHARS", "leak_kinds", "leak_patterns"]

MAX_SCANNED_CHARS = 64 * 1024
"""Characters of an error body matched: a trace or debug page shows itself in its first pages."""
_DATA_FILE = "verbose_errors.yaml"


def leak_kinds(text: str, encoding: str | None = None) -> frozenset[str]:
    """The kinds of leak the body shows (empty when none, or when a base64 body does not decode)."""
    body = _decoded(text[: MAX_SCANNED_CHARS * 2 if encoding == "base64" else MAX_SCANNED_CHARS], encoding)
    if not body:
        return frozenset()
    return frozenset(kind for kind, patterns in leak_patterns().items()
                     if any(pattern.search(body) is not None for pattern in patterns))


@lru_cache(maxsize=1)
def leak_patterns() -> dict[str, tuple[InputPattern, ...]]:
    """The packaged patterns by kind, compiled once; a pattern RE2 refuses is a packaging error."""
    raw: Any = yaml.safe_load(resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{_DATA_FILE}: expected kinds mapping to lists of patterns")
    compiled: dict[str, tuple[InputPattern, ...]] = {}
    for kind, patterns in raw.items():
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ValueError(f"{_DATA_FILE}: {kind} must list patterns as strings")
        built = [compile_input_regex(pattern) for pattern in patterns]
        if any(pattern is None for pattern in built):
            raise ValueError(f"{_DATA_FILE}: a pattern of {kind} is refused by RE2")
        compiled[str(kind)] = tuple(pattern for pattern in built if pattern is not None)
    return compiled


def _decoded(text: str, encoding: str | None) -> str:
    if encoding != "base64":
        return text
    try:
        raw = base64.b64decode(text[: len(text) - len(text) % 4], validate=False)
    except (binascii.Error, ValueError):
        return ""
    return raw[:MAX_SCANNED_CHARS].decode("utf-8", errors="replace")
