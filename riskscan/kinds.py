"""The closed sets riskscan speaks: input kinds, statuses, severities, auth kinds, lifecycles, industries,
traffic engines ...

Plain enumerations with no other import, outside the `riskscan.model` package so that the command line
can offer them as choices without loading the model (`riskscan --help` stays fast); the model re-exports
every one of them (`riskscan.model.kinds`), and the rest of riskscan imports them from there."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AdminExposureKind",
    "AuthKind",
    "CipherWeakness",
    "ControlStatus",
    "DataClass",
    "EndpointExposure",
    "EvidenceStrength",
    "FieldLocation",
    "Grade",
    "IdGuessability",
    "Industry",
    "InputFamily",
    "InputStatus",
    "Lifecycle",
    "ParameterLocation",
    "RateLimitKeying",
    "RouteAspect",
    "Severity",
    "SightingSource",
    "SourceKind",
    "TrafficEngine",
]


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
    AWS_API_GATEWAY = "aws_api_gateway"
    ALB_LOG = "alb_log"
    CLOUDFRONT_LOG = "cloudfront_log"
    HAR = "har"
    APISIX_LOG = "apisix_log"
    KONG_LOG = "kong_log"
    ENVOY_LOG = "envoy_log"
    TRAEFIK_LOG = "traefik_log"
    MAPPED_LOG = "mapped_log"
    KONG_CONF = "kong_conf"
    APISIX_CONF = "apisix_conf"
    HAPROXY_LOG = "haproxy_log"
    CADDY_LOG = "caddy_log"
    IIS_LOG = "iis_log"
    KUBECONFIG = "kubeconfig"
    KUSTOMIZATION = "kustomization"


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


class DataClass(StrEnum):
    """A class of sensitive data an endpoint carries (the patterns are in `inventory/data_classes.yaml`)."""

    PCI = "pci"  # payment card data: card numbers, security codes, expiry dates
    PII = "pii"  # personal data: names, national ids, dates of birth, emails, phones, addresses
    PHI = "phi"  # health data: diagnoses, medical records, treatments
    CREDENTIALS = "credentials"  # passwords, secrets, tokens, API keys
    FINANCIAL = "financial"  # bank accounts, IBANs, sort codes, salaries


class FieldLocation(StrEnum):
    """Where a field travels: the request body, a successful response, the URL (path or query
    parameters, which land in logs and browser histories) or a header or cookie."""

    REQUEST = "request"
    RESPONSE = "response"
    URL = "url"
    HEADER = "header"


class EndpointExposure(StrEnum):
    """Who can reach an endpoint, as far as the inputs show (scores weigh public over internal)."""

    PUBLIC = "public"  # served on a public host name, or called by many distinct clients
    INTERNAL = "internal"  # an internal host name or private address, or a network restriction in force
    UNKNOWN = "unknown"  # the inputs do not say: weighed as public, never assumed internal


class InputFamily(StrEnum):
    """The kinds of input a control can rest on, as coverage statements name the missing ones."""

    SPECS = "specs"  # API descriptions: OpenAPI, Postman, GraphQL
    GATEWAYS = "gateways"  # gateway configurations: APISIX, Kong, AWS, Kubernetes, NGINX, Envoy, Traefik
    TRAFFIC = "traffic"  # access logs and captures
class RateLimitKeying(StrEnum):
    """What a rate limit counts by, strongest first: a caller's identity (consumer, credential, API key,
    partner header) bounds each caller; its address is evaded by rotating addresses; one counter
    shared by all callers lets one caller exhaust everyone's quota and bounds nobody in particular."""

    CLIENT = "client"
    ADDRESS = "address"
    SHARED = "shared"
    UNKNOWN = "unknown"  # the config does not say (an external rate limit service, an undeclared zone)


class IdGuessability(StrEnum):
    """How easily a caller guesses other object ids of an endpoint: sequential numbers are walked by
    counting; UUIDs are not guessed but leak (in URLs, logs, shared links); other strings cannot be told."""

    SEQUENTIAL = "sequential"
    UNGUESSABLE = "unguessable"
    UNKNOWN = "unknown"


class AdminExposureKind(StrEnum):
    """How a gateway's management (Admin) API is reachable, as its runtime configuration shows."""

    UNAUTHENTICATED = "unauthenticated"  # from the network, with nothing asking who calls
    NETWORK = "network"  # from the network, behind TLS only (Kong) or an admin key (APISIX)
    DEFAULT_KEY = "default_key"  # a publicly known default admin key is accepted


class CipherWeakness(StrEnum):
    """Why a cipher suite (or a TLS cap) a config writes is weak, as `tls_ciphers.yaml` classifies it."""

    BROKEN = "broken"  # RC4, DES or 3DES, NULL, EXPORT, anonymous key exchange, MD5
    NO_FORWARD_SECRECY = "no_forward_secrecy"  # static RSA or (EC)DH key exchange
    CBC_SHA1 = "cbc_sha1"  # CBC mode with SHA-1: weak where TLS 1.0 or 1.1 is accepted too
    BUILD_DEPENDENT = "build_dependent"  # a keyword that brings weak suites in on some OpenSSL builds
    LEGACY_ONLY = "legacy_only"  # a maximum version below TLS 1.2


class Industry(StrEnum):
    """The insured's industry (`--industry`): picks the breach-cost multiplier of the scenario file."""

    FINTECH = "fintech"
    HEALTH = "health"
    SAAS = "saas"
    INSURANCE = "insurance"
    RETAIL = "retail"
    PUBLIC = "public"
    OTHER = "other"


class TrafficEngine(StrEnum):
    """Where traffic logs are aggregated: in this process (Polars), or on Apache Spark."""

    EMBEDDED = "embedded"
    SPARK = "spark"
