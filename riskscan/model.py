"""The typed domain model every riskscan stage speaks.

Sources produce `ApiSpec`, `GatewayConfig` and `TrafficSample`; the inventory stage turns them into
`Endpoint`s; controls produce `ControlResult`s and `Finding`s; the report stage formats a finished
`Assessment`. Only these types cross module boundaries. They are format-agnostic on purpose: a Kong
reader produces the same `GatewayRoute` as the APISIX one, a HAR reader the same `TrafficSample` as the
access-log one, so new input kinds plug in without touching the later stages.

Redaction is enforced here, at the one gate every value passes: each field that can hold
input-derived text has a `Redacted*` type whose validator runs `riskscan.redaction` on it, so an
unredacted string cannot enter the model (and `Model.model_copy` validates its updates too).
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

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
    "ApiSpec",
    "Assessment",
    "AuthKind",
    "AuthPosture",
    "AuthRequirement",
    "ClientTraffic",
    "ControlResult",
    "ControlStatus",
    "Endpoint",
    "Evidence",
    "EvidenceStrength",
    "Finding",
    "GatewayConfig",
    "GatewayRoute",
    "Grade",
    "GradeBasis",
    "InputFile",
    "InputStatus",
    "Inventory",
    "Lifecycle",
    "Model",
    "Parameter",
    "ParameterLocation",
    "PathTraffic",
    "PluginRef",
    "RateLimitPolicy",
    "RateLimitPosture",
    "RouteAspect",
    "RedactedEndpointKey",
    "RedactedFilePath",
    "RedactedHost",
    "RedactedName",
    "RedactedPath",
    "RedactedPointer",
    "RedactedText",
    "Severity",
    "SightingSource",
    "SourceKind",
    "SpecOperation",
    "TrafficSample",
    "TrafficStats",
    "WebContent",
    "WebContentClass",
]


class Model(BaseModel):
    """Base for all domain types: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with `update` applied, validated like a new instance: no update skips redaction."""
        if not update:
            return super().model_copy(deep=deep)
        return self.model_validate({**dict(self), **update})


# --------------------------------------------------------------------------- the redaction gate

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


# --------------------------------------------------------------------------- closed sets


class SourceKind(StrEnum):
    """The kinds of input file riskscan can read; each has one module under `riskscan/sources/`."""

    OPENAPI = "openapi"
    APISIX = "apisix"
    ACCESS_LOG = "access_log"
    KONG = "kong"
    KUBERNETES = "kubernetes"
    NGINX = "nginx"
    POSTMAN = "postman"
    GRAPHQL = "graphql"
    ENVOY = "envoy"
    TRAEFIK = "traefik"


class InputStatus(StrEnum):
    """What became of one input file."""

    USED = "used"
    SKIPPED = "skipped"  # not a kind riskscan reads
    FAILED = "failed"  # a kind riskscan reads, but broken; the message says why


class Severity(StrEnum):
    """Finding severity, ordered from least to most severe (see `rank`)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Position in the order info < low < medium < high < critical."""
        return list(Severity).index(self)


class AuthKind(StrEnum):
    """An authentication mechanism, as declared by a spec or enforced by a gateway."""

    NONE = "none"
    API_KEY = "api_key"
    BASIC = "basic"
    BEARER = "bearer"
    OAUTH2 = "oauth2"
    OIDC = "oidc"
    MTLS = "mtls"

    @property
    def strength(self) -> int:
        """How much assurance the mechanism gives about the caller, 0 (none) to 4.

        Static keys and passwords identify a caller weakly; bearer tokens are stronger; OAuth 2.0,
        OIDC and mutual TLS bind the caller to an issuer or a certificate.
        """
        return _AUTH_STRENGTH[self]

    @property
    def is_strong(self) -> bool:
        """True for token- or certificate-based mechanisms that can carry per-caller identity."""
        return self.strength >= 3


_AUTH_STRENGTH: dict[AuthKind, int] = {
    AuthKind.NONE: 0,
    AuthKind.API_KEY: 1,
    AuthKind.BASIC: 1,
    AuthKind.BEARER: 2,
    AuthKind.OAUTH2: 3,
    AuthKind.OIDC: 4,
    AuthKind.MTLS: 4,
}


class Lifecycle(StrEnum):
    """Where an endpoint stands between documentation and reality (see ../shared/DOMAIN.md)."""

    DOCUMENTED = "documented"  # in a spec (and, where known, routed or called)
    SHADOW = "shadow"  # routed or seen in traffic, in no spec
    ZOMBIE = "zombie"  # deprecated or superseded, yet still routed or called
    ORPHAN = "orphan"  # documented, but neither routed nor called though such inputs were given


class SightingSource(StrEnum):
    """Which kind of evidence saw an endpoint."""

    SPEC = "spec"
    GATEWAY = "gateway"
    TRAFFIC = "traffic"


class RouteAspect(StrEnum):
    """A control a gateway route may enforce, named when its configuration cannot show it."""

    AUTH = "auth"
    RATE_LIMIT = "rate_limit"
    LOGGING = "logging"


class ParameterLocation(StrEnum):
    """Where an API parameter travels."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"
    FORM = "form"


class ControlStatus(StrEnum):
    """How well a control is in place; `unknown` when the inputs cannot show it."""

    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    UNKNOWN = "unknown"


class EvidenceStrength(StrEnum):
    """How directly the inputs show a control result, strongest first (see docs/scoring.md).

    Gateway configuration applies to every request it routes; traffic shows what happened in the log
    window; a spec only says what the backend is meant to do. A result is never credited with a
    stronger kind of evidence than the one it rests on.
    """

    ENFORCED = "enforced"  # read from the gateway configuration that enforces (or fails to enforce) it
    OBSERVED = "observed"  # seen in traffic (access logs)
    DECLARED = "declared"  # declared in an API spec only, verified by nothing else given
    NOT_OBSERVABLE = "not_observable"  # these inputs cannot show it

    @property
    def rank(self) -> int:
        """0 (not observable) to 3 (enforced): a larger rank is stronger evidence."""
        return len(EvidenceStrength) - 1 - list(EvidenceStrength).index(self)


class Grade(StrEnum):
    """Overall letter grade derived from the score."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    F = "F"


# --------------------------------------------------------------------------- evidence and inputs


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


# --------------------------------------------------------------------------- specs


class Parameter(Model):
    """One declared operation parameter (never its example values)."""

    name: RedactedName
    location: ParameterLocation
    required: bool = False
    schema_type: RedactedName | None = None
    schema_format: RedactedName | None = None


class AuthRequirement(Model):
    """One security scheme an operation accepts, resolved to its kind."""

    kind: AuthKind
    scheme: RedactedName  # the scheme's name in the spec, or the plugin's name on a gateway
    scopes: tuple[RedactedName, ...] = ()
    location: RedactedText | None = None  # for api keys: header/query/cookie, and the key's name


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


class ApiSpec(Model):
    """An API description (OpenAPI 3.x or Swagger 2.0) as read from one root file."""

    path: RedactedFilePath
    title: RedactedText
    version: RedactedName
    spec_format: RedactedText  # e.g. "openapi 3.1.0", "swagger 2.0"
    operations: tuple[SpecOperation, ...]
    referenced_files: tuple[RedactedFilePath, ...] = ()  # other files pulled in through relative $refs
    warnings: tuple[RedactedText, ...] = ()


# --------------------------------------------------------------------------- gateways


class PluginRef(Model):
    """A gateway plugin in force on a route, and where it was attached."""

    name: RedactedName
    attached_to: RedactedName  # "route", "service", "plugin_config", "global_rule", "consumer"
    evidence: Evidence


class RateLimitPolicy(Model):
    """A rate limit a gateway enforces."""

    plugin: RedactedName
    key: RedactedName | None = None  # what the limit counts by: remote_addr, consumer_name, a header ...
    limit: float | None = None
    window_seconds: float | None = None
    rejected_code: int | None = None
    evidence: Evidence


class GatewayRoute(Model):
    """A route on a gateway, with its plugins resolved into capabilities.

    `uris` are the gateway's own patterns (APISIX: exact, or a trailing `*` prefix match); matching
    them is the inventory's job. `auth`, `rate_limits` and `loggers` are what the plugins in force
    (route, service, plugin config and global rules merged) enforce.
    """

    gateway: RedactedName  # e.g. "apisix"
    route_id: RedactedName
    name: RedactedText | None = None
    uris: tuple[RedactedPath, ...]
    methods: tuple[RedactedName, ...] = ()  # empty: any method
    hosts: tuple[RedactedHost, ...] = ()  # empty: any host
    conditions: tuple[RedactedText, ...] = ()  # e.g. APISIX vars, rendered as "http_x_env == sandbox"
    is_enabled: bool = True
    plugins: tuple[PluginRef, ...] = ()
    # Mechanisms the gateway enforces, all of them required (APISIX runs every auth plugin); a reader
    # that sees an any-of construct (APISIX multi-auth) lists only the weakest alternative. Empty: the
    # gateway enforces no authentication on this route.
    auth: tuple[AuthRequirement, ...] = ()
    rate_limits: tuple[RateLimitPolicy, ...] = ()
    loggers: tuple[RedactedName, ...] = ()  # plugins that write a record of each request (http-logger ...)
    monitors: tuple[RedactedName, ...] = ()  # plugins that export metrics, traces or correlation ids
    upstream: RedactedText | None = None  # upstream host(s) or id, credentials stripped
    # What this configuration cannot show for the route, because the gateway enforces it elsewhere
    # (Gateway API implementation policies, another ingress controller's own resources): an absent
    # plugin there means "not shown", never "none enforced".
    not_shown: tuple[RouteAspect, ...] = ()
    evidence: Evidence


class GatewayConfig(Model):
    """One gateway configuration file."""

    path: RedactedFilePath
    gateway: RedactedName
    routes: tuple[GatewayRoute, ...]
    global_plugins: tuple[PluginRef, ...] = ()
    consumer_count: int = 0
    warnings: tuple[RedactedText, ...] = ()
    referenced_files: tuple[RedactedFilePath, ...] = ()  # other files it pulled in (nginx `include`)


# --------------------------------------------------------------------------- traffic


class ClientTraffic(Model):
    """One client's requests to one (method, host, reduced path): what id walking is judged on.

    The distinct concrete paths (objects) the client called are kept as sorted 8-byte keyed hashes,
    never as paths: counts stay exact when files are merged, and nothing of a path can be read back.
    """

    client_id: int
    requests: int
    object_keys: bytes  # sorted, distinct 8-byte big-endian keyed hashes of the concrete paths
    numeric_ids: int = 0  # distinct numeric ids among them (the last numeric segment of each path)
    lowest_id: int | None = None
    highest_id: int | None = None
    failed_auth: int = 0  # requests answered 401 or 403

    @property
    def objects(self) -> int:
        """Distinct concrete paths this client called."""
        return len(self.object_keys) // 8

    def keys(self) -> array[int]:
        """The object keys as integers (for unions across files and paths)."""
        keys = array("q")
        keys.frombytes(self.object_keys)
        if sys.byteorder == "little":
            keys.byteswap()
        return keys


class PathTraffic(Model):
    """Aggregated requests for one (method, host, reduced path) in a traffic source.

    The path is redacted (secret-bearing segments replaced by placeholders such as `{email}`), has no
    query string, and its id-like segments are folded at ingestion (`/v1/accounts/{id}`): one
    aggregate per endpoint-to-be, however many distinct ids the log holds. Client identities are
    opaque per-scan integers, never addresses.
    """

    method: RedactedName
    path: RedactedPath
    host: RedactedHost | None = None
    requests: int
    status_classes: dict[str, int]  # "2xx" -> count
    clients: tuple[ClientTraffic, ...]
    objects: int = 1  # distinct concrete paths reduced to this path
    not_found: int = 0  # requests answered 404: a path that only ever got 404s is a probe, not an API
    unauthorized: int = 0  # requests answered 401 or 403
    throttled: int = 0  # requests answered 429
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    sample_lines: tuple[int, ...] = ()

    @property
    def client_ids(self) -> frozenset[int]:
        """The clients that called this path."""
        return frozenset(client.client_id for client in self.clients)


class TrafficSample(Model):
    """What one traffic file (log, HAR ...) showed, aggregated by concrete path."""

    path: RedactedFilePath
    format: RedactedName  # e.g. "combined", "common"
    total_lines: int
    parsed_lines: int
    rejected_lines: int
    paths: tuple[PathTraffic, ...]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    distinct_clients: int = 0
    warnings: tuple[RedactedText, ...] = ()


# --------------------------------------------------------------------------- inventory


class AuthPosture(Model):
    """What protects an endpoint: the declared (spec) and effective (enforced) authentication.

    `is_known` is false when no input shows it: the gateway serving the endpoint enforces
    authentication outside the configuration read, or only inputs that cannot declare auth (GraphQL
    schemas) document the endpoint and no gateway route shows any. `effective` is then `none` only as
    a placeholder, and no control may call the endpoint unauthenticated.
    """

    effective: AuthKind
    declared: tuple[AuthKind, ...] = ()
    enforced_by: RedactedText | None = None  # "gateway:<route id>", "spec (declared, not verified)", or None
    allows_anonymous: bool = False
    is_known: bool = True
    evidence: tuple[Evidence, ...] = ()


class RateLimitPosture(Model):
    """Whether requests to an endpoint are throttled; `enforced` is None when inputs cannot show it."""

    enforced: bool | None
    by: tuple[RedactedText, ...] = ()  # "limit-count by http_x_partner_id (1000/60s)"
    evidence: tuple[Evidence, ...] = ()


class TrafficStats(Model):
    """Traffic seen for one endpoint across all traffic inputs."""

    requests: int
    clients: int
    status_classes: dict[str, int]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    distinct_paths: int = 1  # concrete paths folded into this endpoint
    max_paths_per_client: int = 0  # most distinct concrete paths one client called (id walking)
    is_walk_sequential: bool = False  # the busiest client's numeric ids run nearly without gaps
    unauthorized: int = 0  # requests answered 401 or 403
    throttled: int = 0  # requests answered 429
    max_failed_auth_per_client: int = 0  # most 401/403 answers one client got (credential stuffing)
    evidence: tuple[Evidence, ...] = ()


class Endpoint(Model):
    """One API endpoint: a (method, path template, host) with everything known about it."""

    method: RedactedName  # upper case; "*" for a gateway route that accepts any method
    path: RedactedPath
    host: RedactedHost | None = None
    operation_id: RedactedName | None = None
    summary: RedactedText | None = None
    api: RedactedText | None = None  # title and version of the spec that documents it
    parameters: tuple[Parameter, ...] = ()
    sources: tuple[SightingSource, ...]
    lifecycle: Lifecycle
    lifecycle_reason: RedactedText
    deprecated: bool = False
    superseded_by: RedactedEndpointKey | None = None  # "GET /v2/policies/{id}" when a newer version exists
    route_ids: tuple[RedactedName, ...] = ()
    auth: AuthPosture
    rate_limit: RateLimitPosture
    loggers: tuple[RedactedName, ...] = ()  # request loggers in force on the routes serving it
    monitors: tuple[RedactedName, ...] = ()  # metrics, tracing and correlation plugins in force there
    is_logged: bool | None = None  # every serving route logs requests; None when no gateway shows it
    traffic: TrafficStats | None = None
    evidence: tuple[Evidence, ...] = ()

    @property
    def key(self) -> str:
        """The endpoint as users write it, e.g. `GET /v2/claims/{claimId}`."""
        return f"{self.method} {self.path}"


class WebContentClass(StrEnum):
    """What a request for web content fetched (the extensions are in `inventory/web_content.yaml`)."""

    DOCUMENT = "document"  # pages and documents: .html, .txt, .pdf, .doc ...
    MEDIA = "media"  # audio and video: .mp3, .mpg, .webm ...
    ARCHIVE = "archive"  # downloads in an archive: .zip, .tar.gz, .jar ...
    EXECUTABLE = "executable"  # programs and installers: .exe, .msi, .dmg ...
    SOURCE = "source"  # source code served as a file: .c, .py, .patch ...
    ASSET = "asset"  # what pages load: stylesheets, scripts, images, fonts
    SITE = "site"  # files for crawlers and browsers: /robots.txt, /sitemap.xml, domain validation


class WebContent(Model):
    """Requests for web content that no spec template or gateway route serves: counted, not inventoried."""

    requests: int = 0
    distinct_paths: int = 0
    requests_by_class: dict[WebContentClass, int] = Field(default_factory=dict)


class Inventory(Model):
    """All endpoints, with which kinds of input were available to classify them."""

    endpoints: tuple[Endpoint, ...]
    has_specs: bool
    has_gateway: bool
    has_traffic: bool
    unmatched_404_paths: int = 0  # concrete paths that only ever answered 404 (probes), not endpoints
    web_content: WebContent = Field(default_factory=WebContent)  # pages, downloads, media, assets


# --------------------------------------------------------------------------- analysis results


class Finding(Model):
    """A weakness found by a control, on zero (organization-wide) or more endpoints."""

    id: str  # stable within a scan, e.g. "AUTH-001"
    control: str  # the control id that raised it
    severity: Severity
    title: RedactedText
    detail: RedactedText
    endpoints: tuple[RedactedEndpointKey, ...] = ()  # endpoint keys, "GET /v2/x/{id}"
    evidence: tuple[Evidence, ...] = ()
    owasp: str | None = None  # e.g. "API1:2023"
    remediation: RedactedText | None = None


class ControlResult(Model):
    """How well one control is in place across the estate, with its evidence and limits."""

    id: str
    name: str
    score: Annotated[int, Field(ge=0, le=100)] | None  # None when status is unknown
    status: ControlStatus
    summary: RedactedText
    weight: float
    evidence: tuple[Evidence, ...] = ()
    limitations: tuple[RedactedText, ...] = ()  # what the inputs cannot show
    owasp: tuple[str, ...] = ()
    # The weakest evidence carrying a material share of the endpoints judged, and the endpoint count
    # at every level; `not_observable` with no counts when the status is unknown.
    evidence_strength: EvidenceStrength
    evidence_breakdown: dict[EvidenceStrength, int] = Field(default_factory=dict)


class GradeBasis(Model):
    """What the overall score and grade rest on, in the words the report prints on its cover."""

    evidence_strength: EvidenceStrength  # the weakest evidence carrying a material share of the weight
    statement: str  # e.g. "declared in specs only: not verified by gateway configuration or traffic"
    controls_by_strength: dict[EvidenceStrength, int]  # controls per level; unknown ones are not_observable
    unknown_controls: tuple[str, ...] = ()  # ids of the controls the inputs cannot show (scored as such)
    caps: tuple[str, ...] = ()  # why the grade is below the score's band, one sentence each
    method: str  # how the score and grade are made: the short version of docs/scoring.md


class Assessment(Model):
    """A finished scan: everything the report formats and the history stores."""

    schema_version: str
    tool_version: str
    scanned_at: datetime
    roots: tuple[RedactedFilePath, ...]
    inputs: tuple[InputFile, ...]
    inventory: Inventory
    controls: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]
    score: Annotated[int, Field(ge=0, le=100)]
    grade: Grade
    basis: GradeBasis
