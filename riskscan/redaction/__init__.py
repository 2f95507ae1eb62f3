"""Redaction of secrets and personal data: the one gate every input-derived string passes.

Nothing an input says about credentials or people may reach an output, a log line, a database row or
an error message. The model's string types (`riskscan.model`) run these functions on every field
that can hold input-derived text, so a value cannot enter an `Assessment` unredacted; readers also
call them on what they log. `redact` is for free text, `redact_name` for identifiers,
`redact_path` / `redact_path_segment` for URL paths, `redact_file_path` for file names,
`redact_pointer` for JSON pointers, and `is_secret_key` decides whether a configuration value may be
kept at all. Every function is idempotent and leaves its own placeholders (`{token}`,
`[REDACTED ...]`) as they are.
"""

from __future__ import annotations

from riskscan.redaction.checks import CONTROL_CHARACTERS, neutralise
from riskscan.redaction.paths import (
    redact_endpoint_key,
    redact_file_path,
    redact_host,
    redact_path,
    redact_path_segment,
    redact_pointer,
)
from riskscan.redaction.text import REDACTED, is_secret_key, redact, redact_name

__all__ = [
    "CONTROL_CHARACTERS",
    "REDACTED",
    "is_secret_key",
    "neutralise",
    "redact",
    "redact_endpoint_key",
    "redact_file_path",
    "redact_host",
    "redact_name",
    "redact_path",
    "redact_path_segment",
    "redact_pointer",
]
