"""OpenAPI versions: how a document claims one, which riskscan reads, and what each requires.

A document claims to be a spec with a top-level `openapi` (3.x) or `swagger` (2.0) key whose value is a
version number. riskscan reads Swagger 2.0 and OpenAPI 3.x; a spec of another version is reported as
failed with that reason rather than skipped as if it were no spec. What a valid document must hold
differs by version: Swagger 2.0 and OpenAPI 3.0 require `paths`; from OpenAPI 3.1 `paths` is optional
but at least one of `paths`, `components` and `webhooks` is required.
"""

from __future__ import annotations

import re

from riskscan.sources.outline import is_document_head, top_level_scalars

__all__ = ["claims_spec_version", "is_supported_version", "required_sections", "sniff_openapi_version"]

_VERSION = re.compile(r"\d+(?:\.\d+)*(?:[-+][\w.-]+)?")
"""What a spec version looks like (`3.1.0`, `2.0`, `3.0.0-rc2`), as opposed to `openapi: true`."""


def sniff_openapi_version(head: bytes) -> tuple[str, str] | None:
    """`("openapi", "3.1.0")` or `("swagger", "2.0")` when the head has that top-level key.

    Only in a head that begins a JSON object or a YAML mapping: a shell script writing a spec with a
    heredoc, or a README showing one in a code block, has `openapi: 3.1.0` at column 0 too, but is no
    spec (such files failed as malformed YAML, and stopped a `--strict` scan).
    """
    if not is_document_head(head):
        return None
    keys = top_level_scalars(head)
    for key in ("openapi", "swagger"):
        if key in keys:
            return key, keys[key]
    return None


def claims_spec_version(found: tuple[str, str] | None) -> bool:
    """True when the version key's value is a version number, supported or not."""
    return found is not None and _VERSION.fullmatch(found[1]) is not None


def is_supported_version(key: str, version: str) -> bool:
    """True for OpenAPI 3.x and Swagger 2.0."""
    return version.startswith("3.") if key == "openapi" else version in ("2", "2.0")


def required_sections(key: str, version: str) -> tuple[str, ...]:
    """The top-level sections of which a valid document of this (supported) version has at least one."""
    if key == "swagger" or version.startswith("3.0"):
        return ("paths",)
    return ("paths", "components", "webhooks")
