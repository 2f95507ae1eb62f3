"""Evidence, input files and API specs: what the spec readers produce."""

from __future__ import annotations

from riskscan.model.base import (
    Model,
    RedactedFilePath,
    RedactedHost,
    RedactedName,
    RedactedPath,
    RedactedPointer,
    RedactedText,
)
from riskscan.model.kinds import AuthKind, FieldLocation, InputStatus, ParameterLocation, SourceKind

__all__ = ["ApiSpec", "AuthRequirement", "Evidence", "InputFile", "Parameter", "SchemaField", "SpecOperation"]


class Evidence(Model):
    """Where a fact came from: a file (relative to the scan root) and a place in it.

    `pointer` is a JSON pointer for spec and config nodes; `line`/`end_line` a line range; logs give
    `count` and a few `sample_lines`. `excerpt` is at most ~200 characters and already redacted.
    """

    path: RedactedFilePath
    line: int | None = None
    end_line: int | None = None
    pointer: RedactedPointer | None = None
    excerpt: RedactedText | None = None
    count: int | None = None
    sample_lines: tuple[int, ...] = ()
    note: RedactedText | None = None


class InputFile(Model):
    """One file the user pointed at, with what riskscan made of it."""

    path: RedactedFilePath
    kind: SourceKind | None = None
    status: InputStatus
    message: RedactedText | None = None
    size_bytes: int = 0



class Parameter(Model):
    """One declared operation parameter (never its example values)."""

    name: RedactedName
    location: ParameterLocation
    required: bool = False
    schema_type: RedactedName | None = None
    schema_format: RedactedName | None = None
    maximum: float | None = None  # the schema's `maximum` (page sizes: an unbounded page is API4)
    pattern: RedactedText | None = None  # the schema's `pattern` (id guessability: digits or a UUID shape)


class SchemaField(Model):
    """One property of a request or response schema: its name and format, never its examples."""

    name: RedactedName
    location: FieldLocation
    schema_format: RedactedName | None = None
    evidence: Evidence
    # For scalar request fields: whether the schema bounds it (length, pattern, enum, format, range);
    # None for response fields, objects and arrays.
    is_constrained: bool | None = None


class AuthRequirement(Model):
    """One security scheme an operation accepts, resolved to its kind."""

    kind: AuthKind
    scheme: RedactedName  # the scheme's name in the spec, or the plugin's name on a gateway
    scopes: tuple[RedactedName, ...] = ()
    location: RedactedText | None = None  # for api keys: header/query/cookie, and the key's name
    flows: tuple[RedactedName, ...] = ()  # OAuth 2.0 flows declared: implicit, password, authorization_code


class SpecOperation(Model):
    """One operation declared in a spec, with its full path (server/basePath prefix included)."""

    method: RedactedName
    path: RedactedPath
    host: RedactedHost | None = None
    alternate_paths: tuple[RedactedPath, ...] = ()  # the same operation under further server prefixes
    operation_id: RedactedName | None = None
    summary: RedactedText | None = None
    parameters: tuple[Parameter, ...] = ()
    # Alternatives: any one inner tuple satisfies the operation; an empty inner tuple means anonymous
    # access is allowed. An empty outer tuple means the spec declares no security at all.
    security: tuple[tuple[AuthRequirement, ...], ...] = ()
    deprecated: bool = False
    evidence: Evidence
    # Further hosts the same operation is served on (the hosts of the other server entries).
    alternate_hosts: tuple[RedactedHost, ...] = ()
    # False when the input cannot declare authentication (a GraphQL schema) or declares it in a way
    # riskscan cannot read: an empty `security` then means "cannot say", not "none required".
    declares_auth: bool = True
    # Properties of the request body and 2xx response schemas (None: the reader does not read schemas).
    fields: tuple[SchemaField, ...] | None = None
    # Where a write body's object schema lets through properties it does not name (mass assignment).
    open_body: Evidence | None = None
    # Where the operation declares a rate limit (an x-ratelimit extension, a 429 response or rate-limit
    # headers documented); None when it declares none or the reader cannot tell.
    rate_limit_declared: Evidence | None = None
    returns_collection: bool | None = None  # a 2xx response is an array, or wraps one; None: no schema
    # Schemes its servers name (http, https); empty when they name none (relative URLs, no `schemes`).
    server_schemes: tuple[RedactedName, ...] = ()
    plain_server: Evidence | None = None  # where a plain-HTTP server of it is declared


class ApiSpec(Model):
    """An API description (OpenAPI 3.x or Swagger 2.0) as read from one root file."""

    path: RedactedFilePath
    title: RedactedText
    version: RedactedName
    spec_format: RedactedText  # e.g. "openapi 3.1.0", "swagger 2.0"
    operations: tuple[SpecOperation, ...]
    referenced_files: tuple[RedactedFilePath, ...] = ()  # other files pulled in through relative $refs
    warnings: tuple[RedactedText, ...] = ()
