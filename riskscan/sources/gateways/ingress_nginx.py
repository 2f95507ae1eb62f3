"""What ingress-nginx annotations (`nginx.ingress.kubernetes.io/...`) enforce on an Ingress's paths.

Read as the ingress-nginx annotation reference defines them:

- authentication: `auth-type` basic or digest with `auth-secret` (a password file: basic); `auth-url`
  (an external authentication service, counted like APISIX forward-auth: a bearer-style check whose
  real strength the manifest cannot show); `auth-tls-verify-client: "on"` with `auth-tls-secret`
  (client certificates, mTLS; `optional` and `optional_no_ca` let callers without one through, so
  they enforce nothing). All configured mechanisms apply to every request, so all are listed, unless
  `satisfy: "any"` makes them alternatives: then only the weakest counts, and none at all when a
  source-range allow-list is one of the alternatives (a caller from an allowed range needs no
  credential). Client certificates are checked in the TLS handshake, outside `satisfy`.
- rate limits per client address: `limit-rps` (per second), `limit-rpm` (per minute),
  `limit-connections` (concurrent); bursts of `limit-burst-multiplier` (default 5) times the rate
  are allowed; rejections answer 503 (the controller's `limit-req-status-code` default).
  `limit-whitelist` exempts address ranges (noted on the policy).
- logging: ingress-nginx writes an access log line for every request by default, so an Ingress served
  by it is logged unless `enable-access-log: "false"` (the controller's ConfigMap can also switch the
  log off globally; a manifest cannot show that). Tracing: `enable-opentracing`,
  `enable-opentelemetry` are monitors.
- `whitelist-source-range` / `allowlist-source-range` / `denylist-source-range`, `enable-cors` and
  the snippets are kept as plugin references (snippets hold arbitrary NGINX directives: not evaluated).
- `use-regex: "true"` (or `rewrite-target`, which enforces it) makes paths regular expressions.
- upstream: `backend-protocol` (HTTP, HTTPS, GRPC, GRPCS, AJP, FCGI; HTTP by default) is the scheme
  spoken to the backend; `proxy-connect-timeout`, `proxy-send-timeout` and `proxy-read-timeout` set
  timeouts (only written ones count, as for nginx itself); `proxy-next-upstream` (unless "off") and
  `proxy-next-upstream-tries` (other than 1) retry another pod, which `service-upstream: "true"` rules
  out (nginx then knows one address, the Service's cluster IP). `upstream-vhost` changes the Host
  header sent, not where requests go: it is named in the evidence note only.

Annotation values are read only as numbers or switches; none is kept (`auth-url` and `auth-secret`
values, snippets and source ranges may all carry credentials or internal addresses).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskscan.model import AuthKind, AuthRequirement, CipherSetting, Evidence, RateLimitPolicy
from riskscan.sources.gateways.kubernetes_objects import KubeObject, Warn, text
from riskscan.sources.gateways.tls_ciphers import cipher_setting

__all__ = [
    "ACCESS_LOG", "PREFIX", "NginxAnnotations", "UpstreamSettings", "annotation_ciphers", "read_annotations",
]

PREFIX = "nginx.ingress.kubernetes.io/"
ACCESS_LOG = "ingress-nginx-access-log"
"""The logger an ingress-nginx route carries unless `enable-access-log` is false."""

_REJECTED_CODE = 503
_DEFAULT_BURST_MULTIPLIER = 5
_MAX_SETTING = 1e9
# Annotations kept as plugin references: what they are, not what they say.
_REFERENCED = (
    "auth-type", "auth-url", "auth-tls-verify-client", "limit-rps", "limit-rpm", "limit-connections",
    "whitelist-source-range", "allowlist-source-range", "denylist-source-range", "enable-cors",
    "enable-access-log", "enable-opentracing", "enable-opentelemetry", "use-regex", "rewrite-target",
    "configuration-snippet", "server-snippet", "auth-snippet", "limit-whitelist", "satisfy",
)
_PROTOCOLS = frozenset({"http", "https", "grpc", "grpcs", "ajp", "fcgi"})
_TIMEOUTS = ("proxy-connect-timeout", "proxy-send-timeout", "proxy-read-timeout")
_SNIPPETS = ("configuration-snippet", "server-snippet", "auth-snippet")
_ALLOW_LISTS = ("whitelist-source-range", "allowlist-source-range")


@dataclass(frozen=True)
class UpstreamSettings:
    """What the annotations say about the connection to the backend."""

    scheme: str | None = None
    has_timeouts: bool = False
    has_retries: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NginxAnnotations:
    """One Ingress's ingress-nginx annotations, resolved into capabilities."""

    auth: tuple[AuthRequirement, ...]
    mtls: AuthRequirement | None  # only where the host is served over TLS
    rate_limits: tuple[RateLimitPolicy, ...]
    loggers: tuple[str, ...]
    monitors: tuple[str, ...]
    referenced: tuple[tuple[str, Evidence], ...]  # (annotation name, evidence)
    is_regex: bool
    upstream: UpstreamSettings = field(default_factory=UpstreamSettings)


def annotation_ciphers(ingress: KubeObject, warn: Warn) -> CipherSetting | None:
    """The `ssl-ciphers` annotation: the OpenSSL cipher string of the Ingress's server blocks (the
    controller's ConfigMap `ssl-ciphers`, or its default, applies where none is written: not shown)."""
    value = ingress.annotations.get(f"{PREFIX}ssl-ciphers")
    if not isinstance(value, str):
        return None
    pointer = "/metadata/annotations/" + f"{PREFIX}ssl-ciphers".replace("/", "~1")
    shown = ingress.evidence(pointer, f"{ingress.label} annotation ssl-ciphers: {value}",
                             note="cipher suites of the Ingress's hosts (ingress-nginx)")
    return cipher_setting([value], shown, warn=warn)


def read_annotations(ingress: KubeObject, warn: Warn) -> NginxAnnotations:
    """The ingress-nginx annotations of `ingress` as auth, limits, loggers and monitors."""
    values = {key.removeprefix(PREFIX): value for key, value in ingress.annotations.items()
              if isinstance(key, str) and key.startswith(PREFIX)}

    def evidence(name: str) -> Evidence:
        pointer = "/metadata/annotations/" + (PREFIX + name).replace("~", "~0").replace("/", "~1")
        return ingress.evidence(pointer, f"{ingress.label} annotation {name}")

    for name in _SNIPPETS:
        if name in values:
            warn(f"{ingress.label}: {name} holds NGINX directives that are not evaluated")
    monitors = tuple(name.removeprefix("enable-") for name in ("enable-opentracing", "enable-opentelemetry")
                     if _is_true(values.get(name)))
    return NginxAnnotations(
        auth=_auth(values, ingress, warn),
        mtls=_mtls(values, ingress, warn),
        rate_limits=_rate_limits(values, evidence, lambda message: warn(f"{ingress.label}: {message}")),
        loggers=() if _is_false(values.get("enable-access-log")) else (ACCESS_LOG,),
        monitors=monitors,
        referenced=tuple((name, evidence(name)) for name in _REFERENCED if name in values),
        is_regex=_is_true(values.get("use-regex")) or bool(text(values.get("rewrite-target"))),
        upstream=_upstream(values, lambda message: warn(f"{ingress.label}: {message}")),
    )


def _upstream(values: Mapping[str, Any], warn: Warn) -> UpstreamSettings:
    """backend-protocol, the proxy timeouts and retries, service-upstream and upstream-vhost."""
    protocol = text(values.get("backend-protocol")).lower()
    if protocol and protocol not in _PROTOCOLS:
        warn("backend-protocol is not one ingress-nginx knows, so it speaks HTTP")
    timeouts = [_amount(values.get(name), name, warn) for name in _TIMEOUTS]
    next_upstream = text(values.get("proxy-next-upstream")).lower()
    tries = _amount(values.get("proxy-next-upstream-tries"), "proxy-next-upstream-tries", warn)
    is_service_upstream = _is_true(values.get("service-upstream"))
    retries = (bool(next_upstream) or (tries is not None and tries != 1)) and next_upstream != "off"
    notes = [note for note, is_set in (
        ("service-upstream: one cluster IP, no retry to another pod", is_service_upstream),
        ("upstream-vhost rewrites the Host header sent", bool(text(values.get("upstream-vhost")))),
    ) if is_set]
    return UpstreamSettings(
        scheme=protocol if protocol in _PROTOCOLS else None,
        has_timeouts=any(value is not None and value > 0 for value in timeouts),
        has_retries=retries and not is_service_upstream,
        notes=tuple(notes),
    )


def _auth(values: Mapping[str, Any], ingress: KubeObject, warn: Warn) -> tuple[AuthRequirement, ...]:
    found: list[AuthRequirement] = []
    auth_type = text(values.get("auth-type")).lower()
    if auth_type in ("basic", "digest"):
        if text(values.get("auth-secret")):
            found.append(AuthRequirement(kind=AuthKind.BASIC, scheme=f"auth-type {auth_type}",
                                         location="header:Authorization"))
        else:
            warn(f"{ingress.label}: auth-type {auth_type} without auth-secret is rejected by ingress-nginx:"
                 " no authentication credited")
    elif auth_type:
        warn(f"{ingress.label}: auth-type is neither basic nor digest: no authentication credited")
    if text(values.get("auth-url")):
        found.append(AuthRequirement(kind=AuthKind.BEARER, scheme="auth-url (external authentication)"))
    if not found or text(values.get("satisfy")).lower() != "any":
        return tuple(found)
    if any(text(values.get(name)) for name in _ALLOW_LISTS):
        warn(f"{ingress.label}: satisfy any with a source-range allow-list lets callers from those ranges"
             " in without credentials: no authentication credited")
        return ()
    return (min(found, key=lambda requirement: requirement.kind.strength),)


def _mtls(values: Mapping[str, Any], ingress: KubeObject, warn: Warn) -> AuthRequirement | None:
    verify = text(values.get("auth-tls-verify-client")).lower()
    if verify != "on":
        return None
    if not text(values.get("auth-tls-secret")):
        warn(f"{ingress.label}: auth-tls-verify-client without auth-tls-secret verifies nothing:"
             " no client certificates credited")
        return None
    return AuthRequirement(kind=AuthKind.MTLS, scheme="auth-tls-verify-client")


def _rate_limits(
    values: Mapping[str, Any], evidence: Callable[[str], Evidence], warn: Warn
) -> tuple[RateLimitPolicy, ...]:
    """limit-rps, limit-rpm and limit-connections, each counted per client address."""
    multiplier = _amount(values.get("limit-burst-multiplier"), "limit-burst-multiplier", warn)
    burst = multiplier if multiplier is not None else _DEFAULT_BURST_MULTIPLIER
    exempt = text(values.get("limit-whitelist"))
    note_exempt = f"; {len(exempt.split(','))} address range(s) exempt" if exempt else ""
    policies = []
    for name, window in (("limit-rps", 1.0), ("limit-rpm", 60.0), ("limit-connections", None)):
        if name not in values:
            continue
        limit = _amount(values.get(name), name, warn)
        if limit is None or limit == 0:
            continue  # ingress-nginx ignores a zero or unreadable limit
        what = f"bursts of {burst:g}x the rate allowed" if window else "concurrent connections"
        note = what + note_exempt
        base = evidence(name)
        policies.append(RateLimitPolicy(
            plugin=name, key="remote_addr", limit=limit, window_seconds=window,
            rejected_code=_REJECTED_CODE, evidence=base.model_copy(update={"note": note}),
        ))
    return tuple(policies)


def _amount(value: object, name: str, warn: Warn) -> float | None:
    """A whole, non-negative, plausible number, as ingress-nginx parses it; else None with a warning."""
    if value is None:
        return None
    try:
        number = float(text(value))
    except ValueError:
        warn(f"{name} is not a number, so ingress-nginx ignores it")
        return None
    if not math.isfinite(number) or number < 0 or number > _MAX_SETTING or not number.is_integer():
        warn(f"{name} is not a plausible whole number, so the setting is ignored")
        return None
    return number


def _is_true(value: object) -> bool:
    return text(value).lower() == "true"


def _is_false(value: object) -> bool:
    return text(value).lower() == "false"
