"""The base of every domain type, and the redaction gate: string types whose validators redact."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict

from riskscan.redaction import (
    redact,
    redact_endpoint_key,
    redact_file_path,
    redact_host,
    redact_name,
    redact_path,
    redact_pointer,
)

__all__ = [
    "Model",
    "RedactedEndpointKey",
    "RedactedFilePath",
    "RedactedHost",
    "RedactedName",
    "RedactedPath",
    "RedactedPointer",
    "RedactedText",
]

class Model(BaseModel):
    """Base for all domain types: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with `update` applied, validated like a new instance: no update skips redaction."""
        if not update:
            return super().model_copy(deep=deep)
        return self.model_validate({**dict(self), **update})


RedactedText = Annotated[str, AfterValidator(redact)]
"""Free text (titles, summaries, excerpts, messages, warnings): `redact`."""
RedactedName = Annotated[str, AfterValidator(redact_name)]
"""An identifier (operationId, parameter, scope, plugin, route id, host): `redact_name`."""
RedactedHost = Annotated[str, AfterValidator(redact_host)]
"""A server's host name; an IP address literal is kept (it names a server, not a person)."""
RedactedPath = Annotated[str, AfterValidator(redact_path)]
"""A URL path or path template, judged segment by segment: `redact_path`."""
RedactedFilePath = Annotated[str, AfterValidator(redact_file_path)]
"""A file or folder path as shown to users: `redact_file_path`."""
RedactedPointer = Annotated[str, AfterValidator(redact_pointer)]
"""A JSON pointer whose tokens may be input keys: `redact_pointer`."""
RedactedEndpointKey = Annotated[str, AfterValidator(redact_endpoint_key)]
"""An endpoint as users write it, `GET /v2/claims/{id}`: `redact_endpoint_key`."""
