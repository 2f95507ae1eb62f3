"""What APISIX plugins do, as data: which authenticate (and how strongly), which throttle, which log.

Also here, because it is authentication too: which hosts an SSL object makes demand client
certificates (`MutualTls`).

The tables follow the plugin pages of the APISIX documentation (`docs/en/latest/plugins/*.md`). A
plugin missing here is still kept on its route as a `PluginRef`; it just adds no capability. The
two functions turn one plugin's configuration into model values and never keep a configured value
that may be a credential (consumer keys, `client_secret` ...): only structural fields are read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from riskscan.model import AuthKind, AuthRequirement, Evidence, RateLimitPolicy
from riskscan.redaction import redact
from riskscan.sources.input_regex import InputPattern, compile_input_regex

__all__ = [
    "AUTH_PLUGINS",
    "LOGGER_PLUGINS",
    "MONITOR_PLUGINS",
    "RATE_LIMIT_PLUGINS",
    "MutualTls",
    "auth_requirement",
    "hides_auth",
    "rate_limit_policies",
]

AUTH_PLUGINS: Mapping[str, AuthKind] = {
    "key-auth": AuthKind.API_KEY,
    "basic-auth": AuthKind.BASIC,
    "jwt-auth": AuthKind.BEARER,
    # HMAC signs each request with a per-consumer shared secret (key_id + secret_key). That resists
    # replay better than sending a static key, but it is still a long-lived shared secret with no
    # issuer, expiry or scopes, so it ranks with API keys.
    "hmac-auth": AuthKind.API_KEY,
    "openid-connect": AuthKind.OIDC,
    # Both check a token or a login against an OAuth 2.0 authorization server.
    "authz-keycloak": AuthKind.OAUTH2,
    "authz-casdoor": AuthKind.OAUTH2,
    # CAS and SAML are issuer-backed single sign-on: an identity provider vouches for the caller,
    # like OAuth 2.0 (we do not claim OIDC-grade token validation for them).
    "cas-auth": AuthKind.OAUTH2,
    "saml-auth": AuthKind.OAUTH2,
    "ldap-auth": AuthKind.BASIC,  # a username and password, checked against a directory
    "wolf-rbac": AuthKind.BEARER,  # a token issued by the wolf server, presented on each request
    # forward-auth asks an external service, whose strength the config cannot show; we assume a
    # bearer-style check (neither the weakest nor an issuer-backed one).
    "forward-auth": AuthKind.BEARER,
    # multi-auth is an any-of: see `auth_requirement`, which keeps the weakest alternative.
    "multi-auth": AuthKind.BEARER,
}

# Plugins that let an outside policy engine allow or deny each request. Whether that policy demands an
# authenticated caller is written in the policy, not in APISIX, so they credit no mechanism; without an
# auth plugin beside them, a route's authentication is not shown rather than absent (`hides_auth`).
EXTERNAL_DECISION_PLUGINS: frozenset[str] = frozenset({"opa"})

RATE_LIMIT_PLUGINS: frozenset[str] = frozenset({"limit-count", "limit-req", "limit-conn", "ai-rate-limiting"})

# Plugins that write a record of each request somewhere: what "the route is logged" means.
LOGGER_PLUGINS: frozenset[str] = frozenset(
    {
        "http-logger",
        "kafka-logger",
        "syslog",
        "tcp-logger",
        "udp-logger",
        "file-logger",
        "sls-logger",
        "google-cloud-logging",
        "splunk-hec-logging",
        "loggly",
        "elasticsearch-logger",
        "clickhouse-logger",
        "rocketmq-logger",
        "loki-logger",
        "skywalking-logger",
        "tencent-cloud-cls",
        "lago",
    }
)

# Plugins that export metrics or traces, or tag requests with correlation ids: monitoring, not logs.
MONITOR_PLUGINS: frozenset[str] = frozenset(
    {
        "prometheus",
        "datadog",
        "zipkin",
        "skywalking",
        "opentelemetry",
        "node-status",
        # correlation ids tie log lines together across services
        "request-id",
    }
)

# Where each API-key-like plugin reads its credential, with the documented defaults.
_CREDENTIAL_LOCATION: Mapping[str, tuple[tuple[str, str], ...]] = {
    "key-auth": (("header", "apikey"), ("query", "apikey")),
    "jwt-auth": (("header", "authorization"), ("query", "jwt"), ("cookie", "jwt")),
    "basic-auth": (),
    "hmac-auth": (),
}
_FIXED_LOCATION: Mapping[str, str] = {
    "basic-auth": "header:Authorization",
    "ldap-auth": "header:Authorization",
    "hmac-auth": "header:Authorization (HMAC signature)",
}


def hides_auth(name: str) -> bool:
    """True for a plugin whose access decision is taken outside the configuration (OPA)."""
    return name in EXTERNAL_DECISION_PLUGINS


def auth_requirement(name: str, conf: Mapping[str, object]) -> AuthRequirement | None:
    """The authentication a plugin enforces on every request, or None when it enforces none.

    None for plugins that do not authenticate, and for configurations that let unauthenticated
    callers through: an `anonymous_consumer` (key-auth, basic-auth, jwt-auth, hmac-auth, multi-auth)
    or openid-connect's `unauth_action: pass`. multi-auth accepts any one of its `auth_plugins`, so
    it counts as the weakest of them.
    """
    if name not in AUTH_PLUGINS or conf.get("anonymous_consumer"):
        return None
    if name == "openid-connect" and conf.get("unauth_action") == "pass":
        return None
    if name == "multi-auth":
        return _weakest_alternative(conf.get("auth_plugins"))
    scopes = _strings(conf.get("required_scopes")) if name == "openid-connect" else ()
    return AuthRequirement(
        kind=AUTH_PLUGINS[name], scheme=name, scopes=scopes, location=_location(name, conf)
    )


def _weakest_alternative(alternatives: object) -> AuthRequirement:
    """multi-auth's weakest listed alternative (the first of equals), as `multi-auth:<plugin>`."""
    found: list[AuthRequirement] = []
    if isinstance(alternatives, list):
        for item in alternatives:
            if not isinstance(item, dict):
                continue
            for inner_name, inner_conf in item.items():
                inner = auth_requirement(inner_name, inner_conf if isinstance(inner_conf, dict) else {})
                if inner is not None and inner_name != "multi-auth":
                    found.append(inner)
    if not found:
        return AuthRequirement(kind=AUTH_PLUGINS["multi-auth"], scheme="multi-auth")
    weakest = min(found, key=lambda requirement: requirement.kind.strength)
    return weakest.model_copy(update={"scheme": f"multi-auth:{weakest.scheme}"})


def _location(name: str, conf: Mapping[str, object]) -> str | None:
    """Where the credential travels, e.g. `header:apikey, query:apikey` (names only, never values)."""
    if name in _FIXED_LOCATION:
        return _FIXED_LOCATION[name]
    places = _CREDENTIAL_LOCATION.get(name)
    if not places:
        return None
    parts = []
    for where, default in places:
        configured = conf.get(where)
        parts.append(f"{where}:{configured if isinstance(configured, str) and configured else default}")
    return ", ".join(parts)  # header and parameter names, never credential values


def rate_limit_policies(
    name: str, conf: Mapping[str, object], evidence: Evidence, warn: Callable[[str], None] | None = None
) -> tuple[RateLimitPolicy, ...]:
    """The limits a rate-limiting plugin enforces: one policy, or one per rule or LLM instance.

    `limit-count` counts `count` requests per `time_window` seconds (or per entry of `rules`);
    `limit-req` allows `rate` requests per second (`burst` more are delayed); `limit-conn` allows
    `conn` concurrent requests (no window); `ai-rate-limiting` counts LLM tokens per `time_window`,
    overall and per entry of `instances`. Keys default to `remote_addr`, rejections to 503. Values
    given as variables or expressions (APISIX 3.16+) are kept as unknown (None); so are values no
    gateway accepts (infinite, not a number, negative, absurdly large), each with a message to `warn`.
    """
    if name not in RATE_LIMIT_PLUGINS:
        return ()
    settings = _Settings(name, warn)
    rejected = settings.status_code(conf.get("rejected_code"))
    code = rejected if rejected is not None else 503
    # ai-rate-limiting keeps one counter per route (and LLM instance) unless rules give keys.
    key = _SHARED_KEY if name == "ai-rate-limiting" and "key" not in conf else _key(conf)
    if name == "limit-req":
        return (_policy(name, key, settings.amount(conf.get("rate"), "rate"), 1.0, code, evidence),)
    if name == "limit-conn":
        return (_policy(name, key, settings.amount(conf.get("conn"), "conn"), None, code, evidence),)
    limit_field = "count" if name == "limit-count" else "limit"
    policies = []
    has_rules = bool(_mappings(conf.get("rules")))  # rules replace the top-level count and window
    if not has_rules and (conf.get(limit_field) is not None or conf.get("time_window") is not None):
        limit = settings.amount(conf.get(limit_field), limit_field)
        policies.append(_policy(name, key, limit, settings.window(conf.get("time_window")), code, evidence))
    for group in ("rules", "instances"):
        for entry in _mappings(conf.get(group)):
            entry_key = _key(entry) if "key" in entry else key
            if group == "instances" and isinstance(entry.get("name"), str):
                shared = key == _SHARED_KEY
                entry_key = f"LLM instance {entry['name']}" + ("" if shared else f", by {key}")
            limit = settings.amount(entry.get(limit_field, entry.get("count")), f"{group} {limit_field}")
            window = settings.window(entry.get("time_window"), f"{group} time_window")
            policies.append(_policy(name, entry_key, limit, window, code, evidence))
    return tuple(policies) or (_policy(name, key, None, None, code, evidence),)


_SHARED_KEY = "constant (one counter shared by all callers)"
_MAX_SETTING = 1e12  # far above any real count, rate, connection cap or window (30,000 years)


class _Settings:
    """Numeric plugin settings, checked: a value no gateway would accept is dropped with a warning."""

    def __init__(self, plugin: str, warn: Callable[[str], None] | None) -> None:
        self._plugin = plugin
        self._warn = warn

    def amount(self, value: object, field: str) -> float | None:
        """A count, rate or connection cap: finite, not negative, not absurdly large."""
        number = _number(value)
        if number is None:
            return None
        problem = (
            "is not a finite number" if not math.isfinite(number)
            else "is negative" if number < 0
            else "is implausibly large" if number > _MAX_SETTING
            else None
        )
        if problem:
            self._drop(field, problem)
            return None
        return number

    def window(self, value: object, field: str = "time_window") -> float | None:
        """A time window in seconds: as `amount`, and more than zero."""
        number = self.amount(value, field)
        if number == 0:
            self._drop(field, "is zero")
            return None
        return number

    def status_code(self, value: object) -> int | None:
        """`rejected_code`: an HTTP status, 100 to 599."""
        number = _number(value)
        if number is None:
            return None
        if not (math.isfinite(number) and number.is_integer() and 100 <= number <= 599):
            self._drop("rejected_code", "is not an HTTP status code")
            return None
        return int(number)

    def _drop(self, field: str, problem: str) -> None:
        """Say that a setting is ignored, and why (never its value)."""
        if self._warn is not None:
            self._warn(f"{self._plugin} {field} {problem}, so the setting is ignored")


def _policy(
    name: str, key: str, limit: float | None, window: float | None, code: int, evidence: Evidence
) -> RateLimitPolicy:
    return RateLimitPolicy(
        plugin=name,
        key=key,
        limit=limit,
        window_seconds=window,
        rejected_code=code,
        evidence=evidence,
    )


def _key(conf: Mapping[str, object]) -> str:
    """What the limit counts by: a variable name, a `$a $b` combination, or a constant."""
    key = conf.get("key")
    text = key if isinstance(key, str) and key.strip() else "remote_addr"
    if conf.get("key_type") == "constant":
        return _SHARED_KEY
    return redact(text.strip())


def _number(value: object) -> float | None:
    """A numeric value, or None for variables (`$http_x_quota`), expressions and booleans."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _mappings(value: object) -> list[Mapping[str, object]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(redact(item) for item in value if isinstance(item, str))
    return ()


@dataclass(frozen=True)
class _ClientCertificateSsl:
    label: str  # the SSL object's id, or `ssls[<index>]`
    snis: tuple[str, ...]
    exemptions: tuple[InputPattern, ...]
    has_unreadable_exemption: bool  # one RE2 refused: it may exempt any uri


class MutualTls:
    """The SNIs for which APISIX demands a client certificate (SSL objects with `client.ca`)."""

    def __init__(self, ssls: list[_ClientCertificateSsl]) -> None:
        self._ssls = ssls

    @classmethod
    def collect(cls, root: Mapping[str, object], warn: Callable[[str], None] | None = None) -> MutualTls:
        """Read every enabled server SSL object that verifies clients (`type: client` is upstream mTLS).

        Exemptions (`skip_mtls_uri_regex`) are compiled with RE2 (see `input_regex`); one RE2 refuses
        is not evaluated, and since it might exempt any uri, the SSL object is then credited on no
        route: `warn` is told so.
        """
        found: list[_ClientCertificateSsl] = []
        for index, ssl in enumerate(_mappings(root.get("ssls"))):
            client = ssl.get("client")
            if ssl.get("type") == "client" or ssl.get("status") == 0 or not isinstance(client, dict):
                continue
            if not client.get("ca"):
                continue
            identifier = ssl.get("id")
            label = redact(str(identifier)) if isinstance(identifier, (str, int)) else f"ssls[{index}]"
            snis = tuple(name.lower() for name in _names(ssl.get("snis")) or _names(ssl.get("sni")))
            compiled = [compile_input_regex(pattern) for pattern in _names(client.get("skip_mtls_uri_regex"))]
            exemptions = tuple(pattern for pattern in compiled if pattern is not None)
            is_unreadable = len(exemptions) < len(compiled)
            if is_unreadable and warn is not None:
                warn(f"ssl {label}: a skip_mtls_uri_regex pattern cannot be evaluated safely"
                     " (RE2 refuses it), so its client certificates are not credited on any route")
            found.append(_ClientCertificateSsl(label, snis, exemptions, is_unreadable))
        return cls(found)

    def covering(self, hosts: tuple[str, ...], uris: tuple[str, ...]) -> str | None:
        """The SSL object demanding a client certificate on every host of a route, or None.

        None when a host is not covered, when `skip_mtls_uri_regex` exempts one of the route's uris,
        and for a route without hosts (it answers on any host, so a certificate is not guaranteed).
        """
        labels = [self._covering_host(host.lower(), uris) for host in hosts]
        if not labels or None in labels:
            return None
        return labels[0]

    def _covering_host(self, host: str, uris: tuple[str, ...]) -> str | None:
        for ssl in self._ssls:
            if any(_sni_matches(sni, host) for sni in ssl.snis):
                is_exempt = ssl.has_unreadable_exemption or any(
                    pattern.search(uri.rstrip("*")) is not None for pattern in ssl.exemptions for uri in uris
                )
                return None if is_exempt else ssl.label
        return None


def _sni_matches(sni: str, host: str) -> bool:
    if sni == host:
        return True
    if sni.startswith("*.") and not host.startswith("*."):
        return host.endswith(sni[1:]) and "." not in host[: -len(sni) + 1]
    return False


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()
