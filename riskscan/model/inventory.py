"""The inventory: endpoints with their postures, traffic and web content set apart."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from riskscan.model.base import (
    Model,
    RedactedEndpointKey,
    RedactedFilePath,
    RedactedHost,
    RedactedName,
    RedactedPath,
    RedactedText,
)
from riskscan.model.gateways import (
    AdminExposure,
    CipherSetting,
    ClientTransport,
    CorsPolicy,
    RateLimitPolicy,
    TlsSetting,
    UnknownSettings,
    Upstream,
)
from riskscan.model.inputs import Evidence, Parameter
from riskscan.model.kinds import (
    AuthKind,
    DataClass,
    EndpointExposure,
    FieldLocation,
    IdGuessability,
    Lifecycle,
    RateLimitKeying,
    SightingSource,
)

__all__ = [
    "AuthPosture",
    "Endpoint",
    "Inventory",
    "RateLimitPosture",
    "SensitiveField",
    "ServingRoute",
    "TrafficStats",
    "WebContent",
    "WebContentClass",
]


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
    scopes: tuple[RedactedName, ...] = ()  # OAuth scopes the spec's security requirements name
    locations: tuple[RedactedText, ...] = ()  # where its credentials travel (query:api_key)
    flows: tuple[RedactedName, ...] = ()  # OAuth 2.0 flows the spec declares (implicit, password ...)
    is_sender_constrained: bool = False  # OAuth/OIDC required together with mutual TLS (a FAPI 2.0 signal)


class RateLimitPosture(Model):
    """Whether requests to an endpoint are throttled; `enforced` is None when inputs cannot show it."""

    enforced: bool | None
    by: tuple[RedactedText, ...] = ()  # "limit-count by http_x_partner_id (1000/60s)"
    evidence: tuple[Evidence, ...] = ()
    policies: tuple[RateLimitPolicy, ...] = ()  # the limits in force on the routes serving it, as read
    declared: Evidence | None = None  # where a spec declares a limit (x-ratelimit, a 429 response)
    keying: RateLimitKeying | None = None  # the strongest keying among `policies`; None without any


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
    peak_failed_auth_per_minute: int = 0  # most 401/403 answers one client got within a minute (bursts)
    query_keys: dict[RedactedName, int] = {}  # query-string key -> requests carrying it (never a value)
    evidence: tuple[Evidence, ...] = ()
    response_fields: tuple[RedactedName, ...] = ()  # JSON response field names seen (HAR), never values
    # How the busiest client compares with the endpoint's other clients (id walking on busy endpoints):
    # the 99th percentile of the others' distinct objects (None: not computed, e.g. built by hand).
    others_p99_paths_per_client: int | None = None
    busiest_client: int | None = None  # the busiest client's opaque id (salted per scan), never an address
    busiest_requests: int = 0  # requests that client made to the endpoint
    busiest_id_span: int = 0  # highest - lowest + 1 of its numeric ids (how many ids the walk spans)
    busiest_window: tuple[datetime, datetime] | None = None  # its first and last request (rate of a walk)
    # The most requests one client made within one clock minute (exact), against configured rate limits:
    # that client's opaque id (salted per scan) and the start of the minute.
    peak_requests_per_minute: int = 0
    peak_rate_client: int | None = None
    peak_rate_minute: datetime | None = None
    id_span: int = 0  # highest - lowest + 1 of the numeric ids every client called (0 without numeric ids)
    # Error responses whose bodies leaked internals (HAR), by kind, and where: never the text.
    verbose_errors: dict[RedactedName, int] = {}
    verbose_error_evidence: tuple[Evidence, ...] = ()
    verbose_error_responses: int = 0  # error responses that leaked at least one kind

    @property
    def busiest_rate_per_minute(self) -> float | None:
        """The busiest client's requests per minute over its own window; None without timing or when
        the window is under a minute (a handful of requests is no rate)."""
        if self.busiest_window is None:
            return None
        minutes = (self.busiest_window[1] - self.busiest_window[0]).total_seconds() / 60
        return self.busiest_requests / minutes if minutes >= 1 else None


class SensitiveField(Model):
    """A field or parameter of an endpoint whose name or format marks a class of sensitive data."""

    name: RedactedName
    data_class: DataClass
    location: FieldLocation
    evidence: Evidence


class ServingRoute(Model):
    """A gateway route serving an endpoint, as environment separation judges it: the hosts it answers
    on, the conditions it adds (APISIX vars, header matches) and where it sends requests."""

    route_id: RedactedName
    hosts: tuple[RedactedHost, ...] = ()  # empty: any host
    conditions: tuple[RedactedText, ...] = ()
    upstream: RedactedText | None = None  # upstream host(s) or id, as the route names it
    evidence: Evidence


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
    plugins: tuple[RedactedName, ...] = ()  # gateway plugins in force on every enabled route serving it
    data_classes: tuple[DataClass, ...] = ()  # sensitive data its documented fields and parameters carry
    sensitive_fields: tuple[SensitiveField, ...] = ()  # the fields that show them (a few per class)
    has_schemas: bool = False  # a spec showed fields of its request or response schemas (classes are known)
    open_body: Evidence | None = None  # its write body accepts properties the schema does not name
    request_fields: int = 0  # scalar request-body fields its spec declares
    loose_request_fields: tuple[Evidence, ...] = ()  # those with no length, pattern, enum or range bound
    upstreams: tuple[Upstream, ...] = ()  # where the serving routes send it (readers that show upstreams)
    cors: tuple[CorsPolicy, ...] | None = None  # CORS in force; None unless every serving route shows it
    exposure: EndpointExposure = EndpointExposure.UNKNOWN  # who can reach it (inventory/exposure.py); unknown weighs public
    exposure_reason: RedactedText | None = None  # what showed it: "host api.example.com is public"
    returns_collection: bool | None = None  # its spec's 2xx answer is an array (or wraps one); None: unknown
    # How guessable its object ids are (`inventory.id_shapes`) and why; None when its path takes no id.
    id_guessability: IdGuessability | None = None
    id_guessability_reason: RedactedText | None = None
    serving_routes: tuple[ServingRoute, ...] = ()  # the enabled routes serving it (environment separation)
    spec_hosts: tuple[RedactedHost, ...] = ()  # every host its specs' servers name for it
    # How clients reach it: the serving routes' listeners (None unless every serving route shows them),
    # and the schemes its spec servers declare (empty when they name none).
    client_transport: tuple[ClientTransport, ...] | None = None
    declared_transport: tuple[ClientTransport, ...] = ()

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
    # Credentials written in clear in gateway configs, and the configs whose secrets were checked.
    clear_secrets: tuple[Evidence, ...] = ()
    secrets_checked: tuple[RedactedFilePath, ...] = ()
    # TLS versions set for clients in gateway configs, and the configs whose TLS settings were read.
    tls_settings: tuple[TlsSetting, ...] = ()
    tls_checked: tuple[RedactedFilePath, ...] = ()
    # Management APIs the gateways' runtime configurations show reachable, and the configs checked.
    admin_exposures: tuple[AdminExposure, ...] = ()
    admin_checked: tuple[RedactedFilePath, ...] = ()
    # Cipher suites and maximum TLS versions written in gateway configs, and the configs read for them.
    cipher_settings: tuple[CipherSetting, ...] = ()
    ciphers_checked: tuple[RedactedFilePath, ...] = ()
    # Runtime settings set to values no input shows (taken by reference): what they decide is not judged.
    unknown_settings: tuple[UnknownSettings, ...] = ()
