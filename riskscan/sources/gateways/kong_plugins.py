"""What Kong plugins do, as data: which authenticate (and how strongly), which throttle, which log.

The tables follow the Kong plugin pages (Plugin Hub, `/plugins/<name>/reference`). A plugin missing
here is still kept on its route as a `PluginRef` (ip-restriction, acl, cors, request-validator ...);
it just adds no capability. Only structural settings are read: never a credential, a token endpoint's
secret or a logger's address.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from riskscan.model import AuthKind, AuthRequirement, Evidence, RateLimitPolicy
from riskscan.redaction import redact

__all__ = [
    "AUTH_PLUGINS",
    "LOGGER_PLUGINS",
    "MONITOR_PLUGINS",
    "RATE_LIMIT_PLUGINS",
    "SERVERLESS_PLUGINS",
    "auth_requirement",
    "checked_amount",
    "rate_limit_policies",
]

AUTH_PLUGINS: Mapping[str, AuthKind] = {
    "key-auth": AuthKind.API_KEY,
    "key-auth-enc": AuthKind.API_KEY,
    "basic-auth": AuthKind.BASIC,
    "ldap-auth": AuthKind.BASIC,  # a username and password, checked against a directory
    "ldap-auth-advanced": AuthKind.BASIC,
    # HMAC signs each request with a long-lived shared secret: no issuer, expiry or scopes.
    "hmac-auth": AuthKind.API_KEY,
    "jwt": AuthKind.BEARER,  # consumer-held signing secrets or keys, no issuer checked by Kong
    "oauth2": AuthKind.OAUTH2,  # Kong acts as the authorization server and checks its own tokens
    "oauth2-introspection": AuthKind.OAUTH2,
    "openid-connect": AuthKind.OIDC,
    "mtls-auth": AuthKind.MTLS,
}

RATE_LIMIT_PLUGINS: frozenset[str] = frozenset(
    {"rate-limiting", "rate-limiting-advanced", "response-ratelimiting"}
)

# Plugins that write a record of each request somewhere: what "the route is logged" means.
LOGGER_PLUGINS: frozenset[str] = frozenset(
    {"file-log", "http-log", "tcp-log", "udp-log", "syslog", "loggly", "kafka-log"}
)

# Metrics, traces and correlation ids: monitoring, not a record of each request. Kong files its
# datadog and statsd plugins under "Analytics & Monitoring" (they send counters and timings).
MONITOR_PLUGINS: frozenset[str] = frozenset(
    {"prometheus", "zipkin", "opentelemetry", "correlation-id", "datadog", "statsd", "statsd-advanced"}
)

# Plugins that answer requests themselves, so a route carrying one needs no service.
SERVERLESS_PLUGINS: frozenset[str] = frozenset({"aws-lambda", "azure-functions", "openwhisk"})

_WINDOWS: Mapping[str, float] = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "month": 2592000,  # Kong counts a calendar month; 30 days stands for it
    "year": 31536000,
}


def auth_requirement(name: str, conf: Mapping[str, object]) -> AuthRequirement | None:
    """The authentication a plugin enforces on every request, or None when it enforces none.

    None for plugins that do not authenticate, and when `config.anonymous` names a consumer: Kong
    then lets a caller without credentials through as that consumer, so the route is open.
    """
    if name not in AUTH_PLUGINS or conf.get("anonymous"):
        return None
    scopes = _texts(conf.get("scopes_required")) if name == "openid-connect" else ()
    return AuthRequirement(
        kind=AUTH_PLUGINS[name], scheme=name, scopes=scopes, location=_location(name, conf)
    )


def _location(name: str, conf: Mapping[str, object]) -> str | None:
    """Where the credential travels, e.g. `header:apikey, query:apikey` (names only, never values)."""
    if name in ("key-auth", "key-auth-enc"):
        names = _texts(conf.get("key_names")) or ("apikey",)
        places = [where for where in ("header", "query") if conf.get(f"key_in_{where}") is not False]
        places += ["body"] if conf.get("key_in_body") is True else []
        return ", ".join(f"{where}:{key}" for where in places for key in names) or None
    if name == "jwt":
        headers = _texts(conf.get("header_names")) or ("authorization",)
        params = _texts(conf.get("uri_param_names")) or ("jwt",)
        cookies = _texts(conf.get("cookie_names"))
        parts = (
            [f"header:{h}" for h in headers]
            + [f"query:{p}" for p in params]
            + [f"cookie:{c}" for c in cookies]
        )
        return ", ".join(parts)
    if name in ("basic-auth", "ldap-auth", "ldap-auth-advanced"):
        return "header:Authorization"
    if name == "hmac-auth":
        return "header:Authorization (HMAC signature)"
    return None


def rate_limit_policies(
    name: str, conf: Mapping[str, object], evidence: Evidence, warn: Callable[[str], None] | None = None
) -> tuple[RateLimitPolicy, ...]:
    """The limits a rate-limiting plugin enforces: one policy per configured window.

    `rate-limiting` counts `second`/`minute`/`hour`/`day`/`month`/`year` requests by `limit_by`;
    `rate-limiting-advanced` pairs `limit[i]` with `window_size[i]` seconds, by `identifier`;
    `response-ratelimiting` counts what the upstream reports in a response header, per named limit.
    Kong answers 429 by default (`error_code`). A value no gateway accepts is dropped with a warning.
    """
    if name not in RATE_LIMIT_PLUGINS:
        return ()
    code = _status(conf.get("error_code"), warn, name)
    if name == "rate-limiting-advanced":
        key = _key(conf, conf.get("identifier"))
        limits = conf.get("limit") if isinstance(conf.get("limit"), list) else []
        sizes = conf.get("window_size") if isinstance(conf.get("window_size"), list) else []
        pairs = list(zip(limits, sizes)) if isinstance(limits, list) and isinstance(sizes, list) else []
        policies = [
            _policy(
                name,
                key,
                checked_amount(limit, f"{name} limit", warn),
                _window(size, f"{name} window_size", warn),
                code,
                evidence,
            )
            for limit, size in pairs
        ]
        return tuple(policies) or (_policy(name, key, None, None, code, evidence),)
    if name == "response-ratelimiting":
        key = _key(conf, conf.get("limit_by"))
        limits = conf.get("limits")
        policies = [
            _policy(
                name,
                f"{key}, upstream-reported usage '{redact(str(limit_name))}'",
                amount,
                window,
                code,
                evidence,
            )
            for limit_name, windows in (limits.items() if isinstance(limits, dict) else [])
            if isinstance(windows, dict)
            for amount, window in _window_limits(windows, name, warn)
        ]
        return tuple(policies) or (_policy(name, key, None, None, code, evidence),)
    key = _key(conf, conf.get("limit_by"))
    policies = [
        _policy(name, key, amount, window, code, evidence)
        for amount, window in _window_limits(conf, name, warn)
    ]
    return tuple(policies) or (_policy(name, key, None, None, code, evidence),)


def _window_limits(
    conf: Mapping[str, object], plugin: str, warn: Callable[[str], None] | None
) -> list[tuple[float | None, float]]:
    """(limit, window seconds) for each of `second` ... `year` that is set."""
    return [
        (checked_amount(conf[field], f"{plugin} {field}", warn), seconds)
        for field, seconds in _WINDOWS.items()
        if conf.get(field) is not None
    ]


_MAX_SETTING = 1e12  # far above any real count or window (30,000 years)


def checked_amount(value: object, field: str, warn: Callable[[str], None] | None) -> float | None:
    """A count or window as a number: None when unset or not a number (a warning says so when the
    value is one no gateway accepts: infinite, negative, absurdly large)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    problem = (
        "is not a finite number"
        if not math.isfinite(number)
        else "is negative"
        if number < 0
        else "is implausibly large"
        if number > _MAX_SETTING
        else None
    )
    if problem is None:
        return number
    if warn is not None:
        warn(f"{field} {problem}, so the setting is ignored")
    return None


def _window(value: object, field: str, warn: Callable[[str], None] | None) -> float | None:
    number = checked_amount(value, field, warn)
    if number == 0:
        if warn is not None:
            warn(f"{field} is zero, so the setting is ignored")
        return None
    return number


def _status(value: object, warn: Callable[[str], None] | None, plugin: str) -> int:
    """`error_code`: an HTTP status from 100 to 599, 429 when unset or unusable."""
    if value is None:
        return 429
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value
    if warn is not None:
        warn(f"{plugin} error_code is not an HTTP status code, so the setting is ignored")
    return 429


def _key(conf: Mapping[str, object], limit_by: object) -> str:
    """What the limit counts by: `consumer` (Kong's default), `ip`, `header:X-Partner` ..."""
    by = limit_by if isinstance(limit_by, str) and limit_by else "consumer"
    if by == "header" and isinstance(conf.get("header_name"), str):
        return redact(f"header:{conf['header_name']}")
    if by == "path" and isinstance(conf.get("path"), str):
        return redact(f"path:{conf['path']}")
    if by in ("consumer", "credential"):
        return f"{by} (ip when none is identified)"
    return redact(by)


def _policy(
    name: str, key: str, limit: float | None, window: float | None, code: int, evidence: Evidence
) -> RateLimitPolicy:
    return RateLimitPolicy(
        plugin=name, key=key, limit=limit, window_seconds=window, rejected_code=code, evidence=evidence
    )


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(redact(item) for item in value if isinstance(item, str))
    return (redact(value),) if isinstance(value, str) else ()
