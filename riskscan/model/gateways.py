"""Gateway routes and configs: what every gateway reader produces, whatever the gateway."""

from __future__ import annotations

from riskscan.model.base import (
    Model,
    RedactedFilePath,
    RedactedHost,
    RedactedName,
    RedactedPath,
    RedactedText,
)
from riskscan.model.inputs import ApiSpec, AuthRequirement, Evidence
from riskscan.model.kinds import AdminExposureKind, CipherWeakness, RouteAspect

__all__ = [
    "AdminExposure",
    "CipherSetting",
    "ClientTransport",
    "CorsPolicy",
    "GatewayConfig",
    "GatewayExport",
    "GatewayRoute",
    "PluginRef",
    "RateLimitPolicy",
    "TlsSetting",
    "Upstream",
    "WeakCipher",
]


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


class Upstream(Model):
    """Where a route sends requests, as far as the config shows: node hosts (never credentials), the
    scheme spoken to them and the resilience settings around them."""

    hosts: tuple[RedactedHost, ...] = ()  # node host names or addresses, ports dropped
    nodes: int = 0  # how many nodes (0 for a discovered service)
    scheme: RedactedName | None = None  # http, https, grpc ...; None when the config leaves the default
    default_scheme: RedactedName = "http"  # what the gateway speaks when `scheme` is not set
    has_health_checks: bool = False
    has_timeouts: bool = False
    has_retries: bool = False
    evidence: Evidence
    # Where the node count and health checks are written when not at `evidence` (the Kubernetes
    # workloads behind a Service: `spec.replicas` or its absence, an autoscaler's `minReplicas`).
    node_evidence: tuple[Evidence, ...] = ()


class CorsPolicy(Model):
    """A cross-origin (CORS) policy in force on a route."""

    allows_any_origin: bool  # `*`, or the request's origin reflected back
    allows_credentials: bool
    evidence: Evidence


class ClientTransport(Model):
    """How clients reach a route or an operation: whether plain HTTP is served (not merely redirected
    to HTTPS), and the listener, server block or spec server that shows it."""

    is_plain: bool
    evidence: Evidence
    # True when no config given shows the listener: the gateway's documented default listener stands in
    # (APISIX's node_listen 9080 without config.yaml), so the transport is declared, not seen enforced.
    is_default: bool = False


class TlsSetting(Model):
    """TLS versions a listener, server block or certificate accepts from clients, as the config writes
    them (`TLSv1.1`, `TLSv1_2`, `VersionTLS12`); a minimum version is listed alone."""

    protocols: tuple[RedactedName, ...]
    allows_legacy: bool  # SSL, TLS 1.0 or TLS 1.1 accepted
    evidence: Evidence
    # True when the config serves TLS there but writes no versions: `protocols` is then the default the
    # gateway's documentation states, and `evidence` the listener or server block it applies to.
    is_default: bool = False
    # For a default that changed between releases, which releases accept legacy TLS (the file cannot
    # show the release): e.g. "nginx before 1.23.4 also accepts TLSv1 and TLSv1.1". None otherwise.
    depends_on_version: RedactedText | None = None
    # False when none of `protocols` is a TLS or SSL version in any gateway's spelling (a typo, a value
    # the gateway itself would refuse): the setting is shown but not judged, never counted as a pass.
    is_recognised: bool = True


class WeakCipher(Model):
    """One weak entry of a cipher setting: the suite or keyword as the config writes it, and why."""

    name: RedactedName  # `RC4-SHA`, `TLS_RSA_WITH_3DES_EDE_CBC_SHA`, `ALL`, `VersionTLS11`
    weakness: CipherWeakness
    reason: RedactedText  # "RC4 stream cipher", "static RSA key exchange (no forward secrecy)" ...


class CipherSetting(Model):
    """The cipher suites (and maximum TLS version) a listener, server block or TLS option accepts from
    clients, as the config writes them, with the weak entries named (see `tls_ciphers`)."""

    entries: int  # how many suites or keywords the setting lists (0: only a maximum version is set)
    weak: tuple[WeakCipher, ...] = ()
    # Some listed suite uses an ephemeral key exchange (ECDHE, DHE); None when no suite is listed.
    has_forward_secrecy: bool | None = None
    maximum: RedactedName | None = None  # the highest TLS version accepted, as written
    evidence: Evidence


class AdminExposure(Model):
    """A gateway's management API reachable beyond the host it runs on, or opened by a known key: where
    its runtime configuration says so (kong.conf `admin_listen`, APISIX `deployment.admin`)."""

    gateway: RedactedName
    kind: AdminExposureKind
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
    # The gateway's own precedence of each uri (aligned with `uris`, larger first) among routes that
    # match one request, for gateways that do not pick by uri specificity (Kong: priority points,
    # plain hosts, header count, then regex paths by regex_priority before plain paths by length).
    # Empty: the inventory picks by uri specificity (APISIX, nginx ...).
    uri_ranks: tuple[tuple[int, ...], ...] = ()
    # Read by the readers that show them (APISIX); None: this reader does not show the aspect.
    upstream_detail: Upstream | None = None
    cors: tuple[CorsPolicy, ...] | None = None
    # The listeners or entry points the route is served on; None: this reader does not show them.
    client_transport: ClientTransport | None = None


class UnknownSettings(Model):
    """Settings of a gateway's runtime configuration that are set, to values no input shows (taken by
    reference from a Secret, the shell or a file not given): what they decide is not judged."""

    path: RedactedFilePath
    gateway: RedactedName
    settings: tuple[RedactedName, ...]


class GatewayConfig(Model):
    """One gateway configuration file."""

    path: RedactedFilePath
    gateway: RedactedName
    routes: tuple[GatewayRoute, ...]
    global_plugins: tuple[PluginRef, ...] = ()
    consumer_count: int = 0
    warnings: tuple[RedactedText, ...] = ()
    referenced_files: tuple[RedactedFilePath, ...] = ()  # other files it pulled in (nginx `include`)
    # Credentials written in clear (not `${ENV}` or secret-manager references): where, never the value.
    # None: this reader does not check.
    clear_secrets: tuple[Evidence, ...] | None = None
    # TLS versions set explicitly for clients (listeners, server blocks, TLS options, certificates);
    # None: this reader does not read them.
    tls_settings: tuple[TlsSetting, ...] | None = None
    # False for a file read for what it holds besides routes (a Kubernetes manifest of workloads and
    # Secrets only): it is checked for secrets but shows no gateway, so it does not count as one.
    has_routing: bool = True
    # The gateway's own runtime configuration (kong.conf, APISIX config.yaml) rather than its routes:
    # its TLS settings and listeners apply to every route of the same gateway in the scan.
    is_runtime_config: bool = False
    # Management APIs reachable from the network; None: this reader does not show the Admin API.
    admin_exposures: tuple[AdminExposure, ...] | None = None
    # The proxy listeners a runtime config declares (kong.conf `proxy_listen`), each plain or TLS;
    # None: not shown.
    client_listeners: tuple[ClientTransport, ...] | None = None
    # Cipher suites and maximum TLS versions written for clients; None: this reader does not read them.
    cipher_settings: tuple[CipherSetting, ...] | None = None
    # Settings of a runtime config whose value no input shows (a Kubernetes Secret, a `${VAR}` of the
    # shell, an env file not read): what they decide (listeners, TLS versions, the Admin API) is not
    # judged, neither as written nor as the gateway's default.
    unknown_settings: tuple[RedactedName, ...] = ()
    # Gateway configs held inside this file (a Kubernetes ConfigMap's kong.conf or apisix.yaml), each read
    # by its own kind's reader; discovery hands them on as configurations of their own.
    embedded: tuple[GatewayConfig, ...] = ()


class GatewayExport(Model):
    """One file that is both API documentation and gateway configuration.

    An AWS API Gateway export (or a CloudFormation/SAM template with an inline definition) documents
    operations and configures the gateway that serves them. Its reader returns both halves at once;
    discovery hands `specs` to the spec stage and `gateway` to the gateway stage, so each is counted
    once and no other reader needs to claim the file too.
    """

    gateway: GatewayConfig
    specs: tuple[ApiSpec, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """The gateway's warnings, then each spec's (what `InputFile.message` summarises)."""
        return self.gateway.warnings + tuple(warning for spec in self.specs for warning in spec.warnings)
