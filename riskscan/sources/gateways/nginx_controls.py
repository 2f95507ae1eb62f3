"""What nginx enforces on one location: authentication, rate limits, request logs and monitors.

Read from the directives in force there (see `nginx_scope` for inheritance), as the nginx module
documentation defines them:

- `auth_basic` (ngx_http_auth_basic_module) is basic auth unless `off`; the password file is never read.
- `auth_request` (ngx_http_auth_request_module) lets a request through only when a subrequest to an
  auth service answers 2xx. What that service checks is not in the config: like APISIX forward-auth
  it counts as a bearer-style check (neither the weakest nor an issuer-backed one).
- `auth_jwt` (NGINX Plus ngx_http_auth_jwt_module) validates a JWT at the gateway: bearer.
- `ssl_verify_client on` (server or http) demands a client certificate: mutual TLS, but only when
  every `listen` of the server is TLS (a plain-HTTP port takes the same locations without one);
  `optional` and `optional_no_ca` let callers without a certificate through: not enforced.
- `satisfy any` makes the access checks (allow/deny, auth_basic, auth_request, auth_jwt) an any-of:
  the weakest alternative counts, and an `allow` rule lets its addresses in with no credentials.
- `limit_req` with its `limit_req_zone` (rate and key) and `limit_conn` with `limit_conn_zone`;
  `*_dry_run on` means nothing is rejected: listed, not counted. Rejections answer 503 unless
  `limit_req_status` / `limit_conn_status` say otherwise.
- `access_log`: `off` cancels the level's logs; an entry with `if=` logs only some requests (listed,
  not counted); with none declared anywhere nginx writes its built-in default log
  (`logs/access.log combined`), which counts.
- monitors: `$request_id` passed upstream or returned (correlation id: `request-id`), `otel_trace on`
  (ngx_otel_module: `opentelemetry`), `status_zone` (NGINX Plus per-zone metrics).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from riskscan.model import AuthKind, AuthRequirement, Evidence, PluginRef, RateLimitPolicy
from riskscan.sources.gateways.nginx_scope import Scope, Zone, effective_args
from riskscan.sources.gateways.nginx_tree import Directive

__all__ = ["AUTH_DIRECTIVES", "Enforcement", "ServerTls", "read_enforcement"]

AUTH_DIRECTIVES: dict[str, AuthKind] = {
    "auth_basic": AuthKind.BASIC,
    "auth_request": AuthKind.BEARER,
    "auth_jwt": AuthKind.BEARER,
}
_HEADER_DIRECTIVES = (
    "proxy_set_header",
    "grpc_set_header",
    "fastcgi_param",
    "uwsgi_param",
    "scgi_param",
    "add_header",
)


class _Ref(Protocol):
    """Records a directive in force as a `PluginRef` (named after the directive unless `name` is given)."""

    def __call__(
        self, directive: Directive, excerpt: str, note: str | None, name: str | None = None
    ) -> None: ...


Evidencer = Callable[[Directive, str, "str | None"], Evidence]
"""Makes evidence for a directive: (directive, excerpt, note)."""


@dataclass(frozen=True)
class Enforcement:
    """Everything one location enforces, as model values."""

    auth: tuple[AuthRequirement, ...]
    rate_limits: tuple[RateLimitPolicy, ...]
    loggers: tuple[str, ...]
    monitors: tuple[str, ...]
    plugins: tuple[PluginRef, ...]
    denies_everyone: bool


@dataclass(frozen=True)
class ServerTls:
    """What a server block says about TLS: whether every listen is TLS, and client certificates."""

    all_tls: bool
    verify_client: Directive | None


def read_enforcement(
    scope: Scope,
    tls: ServerTls,
    zones: dict[tuple[str, str], Zone],
    evidence: Evidencer,
    warn: Callable[[str], None],
) -> Enforcement:
    """What the directives in force on one location enforce (see the module docstring)."""
    refs: list[PluginRef] = []
    ref = _ref_maker(refs, scope, evidence)
    auth = _auth(scope, tls, ref, warn)
    rules, _ = scope.effective("allow", "deny")
    for rule in rules:
        ref(rule, f"{rule.name} {' '.join(rule.args)}", None)
    denies_everyone = bool(rules) and all(rule.name == "deny" for rule in rules) and _satisfy(scope) != "any"
    limits = _limits(scope, zones, ref, evidence, warn)
    loggers = _loggers(scope, ref)
    monitors = _monitors(scope, ref)
    _cors(scope, ref)
    return Enforcement(auth, limits, loggers, monitors, tuple(refs), denies_everyone)


def _ref_maker(refs: list[PluginRef], scope: Scope, evidence: Evidencer) -> _Ref:
    """A function recording a directive in force as a `PluginRef` (named after it, or `name`)."""

    def ref(directive: Directive, excerpt: str, note: str | None, name: str | None = None) -> None:
        attached = scope.level_of(directive)
        refs.append(
            PluginRef(
                name=name or directive.name, attached_to=attached, evidence=evidence(directive, excerpt, note)
            )
        )

    return ref


def _satisfy(scope: Scope) -> str:
    directive = scope.last("satisfy")
    return directive.args[0].lower() if directive is not None and directive.args else "all"


def _auth(
    scope: Scope, tls: ServerTls, ref: _Ref, warn: Callable[[str], None]
) -> tuple[AuthRequirement, ...]:
    checks: list[AuthRequirement] = []
    for name, kind in AUTH_DIRECTIVES.items():
        directive = scope.last(name)
        if directive is None:
            continue
        is_off = not directive.args or directive.args[0] == "off"
        ref(directive, f"{name} off" if is_off else f"{name} on", "disabled with off" if is_off else None)
        if not is_off:
            checks.append(AuthRequirement(kind=kind, scheme=name, location=_credential_location(directive)))
    satisfy = scope.last("satisfy")
    if satisfy is not None and _satisfy(scope) == "any":
        allows, _ = scope.effective("allow", "deny")
        lets_in = any(rule.name == "allow" for rule in allows)
        note = "any one check suffices" + ("; allowed addresses need no credentials" if lets_in else "")
        ref(satisfy, "satisfy any", note)
        checks = [] if lets_in or not checks else [min(checks, key=lambda check: check.kind.strength)]
    return tuple(checks) + _mtls(tls, ref)


def _credential_location(directive: Directive) -> str | None:
    if directive.name == "auth_basic":
        return "header:Authorization"
    if directive.name == "auth_jwt":
        token = effective_args(directive).get("token", "")
        for prefix, where in (("$http_", "header:"), ("$cookie_", "cookie:"), ("$arg_", "query:")):
            if token.startswith(prefix):
                name = token[len(prefix) :]
                return where + (name.replace("_", "-") if prefix == "$http_" else name)
        return "header:Authorization"
    return None


def _mtls(tls: ServerTls, ref: _Ref) -> tuple[AuthRequirement, ...]:
    directive = tls.verify_client
    if directive is None or not directive.args:
        return ()
    mode = directive.args[0].lower()
    if mode == "off":
        return ()
    if mode != "on":
        ref(directive, f"ssl_verify_client {mode}", "a client certificate is optional: not enforced")
        return ()
    if not tls.all_tls:
        ref(directive, "ssl_verify_client on", "the server also listens without TLS: not enforced there")
        return ()
    ref(directive, "ssl_verify_client on", None)
    return (AuthRequirement(kind=AuthKind.MTLS, scheme="ssl_verify_client"),)


def _limits(
    scope: Scope,
    zones: dict[tuple[str, str], Zone],
    ref: _Ref,
    evidence: Evidencer,
    warn: Callable[[str], None],
) -> tuple[RateLimitPolicy, ...]:
    policies: list[RateLimitPolicy] = []
    for name, zone_kind in (("limit_req", "limit_req_zone"), ("limit_conn", "limit_conn_zone")):
        declared, _ = scope.effective(name)
        dry_run = scope.last(f"{name}_dry_run")
        is_dry = dry_run is not None and dry_run.args[:1] == ("on",)
        status = scope.last(f"{name}_status")
        code = (
            int(status.args[0])
            if status is not None and status.args[:1] and status.args[0].isdigit()
            else 503
        )
        for directive in declared:
            excerpt = f"{name} zone={_zone_name(directive)}"
            ref(directive, excerpt, "dry run: nothing is rejected" if is_dry else None)
            if not is_dry:
                zone = zones.get((zone_kind, _zone_name(directive)))
                policies.append(_policy(directive, zone, code, evidence(directive, excerpt, None), warn))
    return tuple(policies)


def _policy(
    directive: Directive, zone: Zone | None, code: int, evidence: Evidence, warn: Callable[[str], None]
) -> RateLimitPolicy:
    """One `limit_req` or `limit_conn` as a policy: key and rate from its zone, a cap from its argument."""
    if zone is None:
        warn(
            f"{directive.path}:{directive.line}: {directive.name} zone {_zone_name(directive)} is not "
            "declared in the files given: its key and rate are unknown"
        )
    limit = zone.limit if zone is not None else None
    if directive.name == "limit_conn":
        limit = _number(directive.args[1]) if len(directive.args) > 1 else None
    return RateLimitPolicy(
        plugin=directive.name,
        key=zone.key if zone is not None else None,
        limit=limit,
        window_seconds=zone.window_seconds if zone is not None else None,
        rejected_code=code,
        evidence=evidence,
    )


def _zone_name(directive: Directive) -> str:
    if directive.name == "limit_conn":
        return directive.args[0] if directive.args else ""
    return effective_args(directive).get("zone", "")


def _number(text: str) -> float | None:
    return float(text) if text.isdigit() and len(text) < 16 else None


def _loggers(scope: Scope, ref: _Ref) -> tuple[str, ...]:
    declared, _ = scope.effective("access_log")
    if not declared:
        return ("access_log",)
    if any(directive.args[:1] == ("off",) for directive in declared):
        ref(declared[0], "access_log off", "request logging disabled here")
        return ()
    counted = False
    for directive in declared:
        is_conditional = any(arg.startswith("if=") for arg in directive.args)
        destination = "syslog" if directive.args[:1] and directive.args[0].startswith("syslog:") else "file"
        ref(
            directive,
            f"access_log to {destination}",
            "logs only requests meeting its if= condition" if is_conditional else None,
        )
        counted = counted or not is_conditional
    return ("access_log",) if counted else ()


def _monitors(scope: Scope, ref: _Ref) -> tuple[str, ...]:
    found: set[str] = set()
    for name in _HEADER_DIRECTIVES:
        declared, _ = scope.effective(name)
        for directive in declared:
            if any("$request_id" in arg for arg in directive.args[1:]):
                found.add("request-id")
                ref(directive, f"{name} with $request_id", "correlation id")
    otel = scope.last("otel_trace")
    if otel is not None and otel.args[:1] == ("on",):
        found.add("opentelemetry")
        ref(otel, "otel_trace on", None)
    zone = scope.last("status_zone")
    if zone is not None:
        found.add("status_zone")
        ref(zone, "status_zone", "NGINX Plus metrics")
    return tuple(sorted(found))


def _cors(scope: Scope, ref: _Ref) -> None:
    headers, _ = scope.effective("add_header")
    for directive in headers:
        if directive.args[:1] and directive.args[0].lower() == "access-control-allow-origin":
            value = directive.args[1] if len(directive.args) > 1 else ""
            reflects = value.startswith("$http_origin")
            note = "reflects any Origin" if reflects else ("any origin (*)" if value == "*" else None)
            ref(directive, "add_header Access-Control-Allow-Origin", note, name="cors")
