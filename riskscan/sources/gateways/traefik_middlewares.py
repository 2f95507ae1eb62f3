"""Traefik HTTP middlewares resolved into what a router enforces: auth, rate limits, plugin refs.

A router lists middlewares by name; `name@file` is this provider, any other `@provider` suffix
(`@docker`, `@kubernetescrd`) is defined elsewhere: resolved when the scan's files define it
(`traefik_elsewhere`, found under its qualified name), else not shown. `chain` is resolved in
place; a cycle is refused as Traefik refuses it (the router serves nothing). basicAuth and
digestAuth `users` and `usersFile` are never kept: only how many users are listed. A middleware that
this file does not define, or a `plugin` middleware (code riskscan cannot read), may enforce auth or
limits: the router then says so in `not_shown` unless something else in force already shows it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from riskscan.model import (
    AuthKind,
    AuthRequirement,
    CorsPolicy,
    Evidence,
    PluginRef,
    RateLimitPolicy,
    RouteAspect,
)

__all__ = ["Enforcement", "MiddlewareError", "local_name", "resolve_middlewares", "user_count"]

_MAX_CHAIN_DEPTH = 20
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_AUTH = {
    "basicAuth": AuthKind.BASIC,
    "digestAuth": AuthKind.BASIC,
    "forwardAuth": AuthKind.BEARER,  # an external auth service, counted like nginx auth_request
}
_CORS_PREFIX = "accessControl"
Locate = Callable[[str], Evidence]


class MiddlewareError(ValueError):
    """A router's middlewares cannot be resolved (a chain cycle, a malformed middleware)."""


@dataclass
class Enforcement:
    """What a router's middlewares enforce, in the order they run."""

    auth: list[AuthRequirement] = field(default_factory=list)
    limits: list[RateLimitPolicy] = field(default_factory=list)
    plugins: list[PluginRef] = field(default_factory=list)
    unseen: set[RouteAspect] = field(default_factory=set)  # may be enforced by a middleware not read
    warnings: list[str] = field(default_factory=list)
    cors: list[CorsPolicy] = field(default_factory=list)  # headers middlewares setting accessControl*


def local_name(reference: str) -> str | None:
    """The name within this file of a `name` or `name@file` reference; None for another provider's."""
    name, _, provider = reference.partition("@")
    return name if provider in ("", "file") else None


def user_count(middleware: object) -> int:
    """How many users a basicAuth or digestAuth middleware lists (`usersFile` content is never read)."""
    if not isinstance(middleware, Mapping):
        return 0
    for kind in ("basicAuth", "digestAuth"):
        users = middleware.get(kind, {}).get("users") if isinstance(middleware.get(kind), Mapping) else None
        if isinstance(users, list):
            return len(users)
    return 0


def resolve_middlewares(names: list[str], defined: Mapping[str, Any], locate: Locate) -> Enforcement:
    """What the middlewares `names` (as a router lists them) enforce; `locate` gives each one's evidence."""
    found = Enforcement()
    for reference in names:
        _resolve(reference, defined, locate, found, ())  # attached to the router itself
    return found


def _resolve(reference: str, defined: Mapping[str, Any], locate: Locate, found: Enforcement,
             stack: tuple[str, ...]) -> None:
    local = local_name(reference)
    name = reference if local is None else local  # another provider's is known by its qualified name
    if name not in defined:
        where = "a file not given (or none)" if local is not None else (
            "another provider, not among the files given")
        found.warnings.append(f"middleware {reference} is defined in {where}: what it enforces is not shown")
        found.unseen |= {RouteAspect.AUTH, RouteAspect.RATE_LIMIT}
        return
    if name in stack:
        raise MiddlewareError(f"middleware chain cycle through {name}")
    if len(stack) >= _MAX_CHAIN_DEPTH:
        raise MiddlewareError(f"middleware chain deeper than {_MAX_CHAIN_DEPTH}")
    config = defined[name]
    if not isinstance(config, Mapping) or len(config) != 1:
        raise MiddlewareError(f"middleware {name} must declare exactly one type")
    kind, settings = next(iter(config.items()))
    settings = settings if isinstance(settings, Mapping) else {}
    if kind == "chain":
        inner = settings.get("middlewares")
        for item in inner if isinstance(inner, list) else []:
            if isinstance(item, str):
                _resolve(item, defined, locate, found, (*stack, name))
        return
    attached = f"chain {stack[-1]}" if stack else "router"
    _apply(str(kind), name, settings, PluginRef(name=str(kind), attached_to=attached, evidence=locate(name)),
           found)


def _apply(kind: str, name: str, settings: Mapping[str, Any], ref: PluginRef, found: Enforcement) -> None:
    """One middleware's effect added to `found` (`ref` names its type, attachment and evidence)."""
    evidence = ref.evidence
    if kind in _AUTH:
        scheme = f"{kind} (external authentication)" if kind == "forwardAuth" else kind
        found.auth.append(AuthRequirement(kind=_AUTH[kind], scheme=scheme))
    elif kind == "rateLimit":
        policy = _rate_limit(name, settings, evidence, found.warnings)
        if policy is not None:
            found.limits.append(policy)
    elif kind == "inFlightReq":
        amount = _number(settings.get("amount"))
        found.limits.append(RateLimitPolicy(plugin="inFlightReq", key=_source_key(settings), limit=amount,
                                            rejected_code=429, evidence=evidence))
    elif kind == "plugin":
        found.unseen |= {RouteAspect.AUTH, RouteAspect.RATE_LIMIT}
        found.warnings.append(f"middleware {name} is a Traefik plugin: what it enforces is not shown")
    is_cors = kind == "headers" and any(str(key).startswith(_CORS_PREFIX) for key in settings)
    if is_cors:
        found.cors.append(_cors_policy(settings, evidence))
    shown = "cors" if is_cors else kind
    found.plugins.append(ref.model_copy(update={"name": shown}))


def _cors_policy(settings: Mapping[str, Any], evidence: Evidence) -> CorsPolicy:
    """A headers middleware's CORS: any origin when `accessControlAllowOriginList` holds `*` or a
    regex in `accessControlAllowOriginListRegex` matches everything; credentials when
    `accessControlAllowCredentials` is true."""
    listed = settings.get("accessControlAllowOriginList")
    regexes = settings.get("accessControlAllowOriginListRegex")
    any_origin = (isinstance(listed, list) and "*" in listed) or (
        isinstance(regexes, list) and any(regex in (".*", ".+", "^.*$", "^.+$") for regex in regexes))
    credentials = settings.get("accessControlAllowCredentials") is True
    return CorsPolicy(allows_any_origin=any_origin, allows_credentials=credentials, evidence=evidence)


def _rate_limit(name: str, settings: Mapping[str, Any], evidence: Evidence,
                warnings: list[str]) -> RateLimitPolicy | None:
    """A rateLimit middleware: `average` requests per `period` (1s by default); 0 means no limit."""
    average = _number(settings.get("average"))
    if average == 0:
        warnings.append(f"middleware {name}: rateLimit average 0 means no rate limiting")
        return None
    period = _duration(settings.get("period", 1))
    if "period" in settings and period is None:
        warnings.append(f"middleware {name}: rateLimit period is not a duration: its window is unknown")
    return RateLimitPolicy(plugin="rateLimit", key=_source_key(settings), limit=average,
                           window_seconds=period, rejected_code=429, evidence=evidence)


def _source_key(settings: Mapping[str, Any]) -> str:
    """What a limit counts by (`sourceCriterion`): the client address unless a header or host is named."""
    criterion = settings.get("sourceCriterion")
    criterion = criterion if isinstance(criterion, Mapping) else {}
    strategy = criterion.get("ipStrategy")
    if isinstance(strategy, Mapping):
        depth = _number(strategy.get("depth"))
        return f"x_forwarded_for (depth {int(depth)})" if depth else "remote_addr"
    header = criterion.get("requestHeaderName")
    if isinstance(header, str) and header:
        return "http_" + header.lower().replace("-", "_")
    if criterion.get("requestHost") is True:
        return "host"
    return "remote_addr"


def _number(value: object) -> float | None:
    """A finite, non-negative number (YAML and TOML give int or float; a string is not one)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and 0 <= number < 1e15 else None


def _duration(value: object) -> float | None:
    """A Traefik duration in seconds: a number of seconds, or a Go duration string (`1m30s`, `500ms`)."""
    if isinstance(value, str):
        parts = _DURATION.findall(value)
        if not parts or "".join(number + unit for number, unit in parts) != value.strip():
            return None
        total = sum(float(number) * _UNITS[unit] for number, unit in parts)
        return total if math.isfinite(total) and total > 0 else None
    seconds = _number(value)
    return seconds if seconds else None
