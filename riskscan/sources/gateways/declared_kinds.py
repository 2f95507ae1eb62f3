r"""Whether a file's text declares a Kubernetes object of some kind, judged before the file is parsed.

Lookups across the scan (the Gateway, ConfigMap, Service, TLSOption or Middleware another manifest
names) look into every YAML and JSON file of the folders given: only files whose text declares a kind
looked for are parsed. The test runs on whole files written by anyone, so its cost must grow with the
text, not with its square: a substring test first, then one pattern whose repetitions stay on their line
(`[ \t]`, never `\s`: under MULTILINE, `^\s*` tried at each of 30,000 blank lines runs to the end of the
file from each of them).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["declares_kind"]


def declares_kind(raw: bytes, *kinds: str) -> bool:
    """True when `raw` writes `kind: <one of kinds>` on a YAML line of its own (in a list item too) or
    `"kind": "<one of kinds>"` in JSON."""
    if not any(kind.encode() in raw for kind in kinds):
        return False
    return _pattern(kinds).search(raw) is not None


@lru_cache(maxsize=32)
def _pattern(kinds: tuple[str, ...]) -> re.Pattern[bytes]:
    names = b"|".join(re.escape(kind.encode()) for kind in kinds)
    return re.compile(
        rb"""^[ \t]*(?:-[ \t]+)?kind:[ \t]*["']?(?:%s)["']?[ \t]*(?:#[^\r\n]*)?\r?$"""
        rb"""|"kind"[ \t\r\n]*:[ \t\r\n]*"(?:%s)\"""" % (names, names),
        re.MULTILINE,
    )
