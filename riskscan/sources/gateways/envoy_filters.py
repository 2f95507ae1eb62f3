"""Envoy HTTP filters (`http_filters` of an HttpConnectionManager) resolved for one route.

A filter runs for every route of its connection manager unless the route (or its virtual host) turns
it off in `typed_per_filter_config` (`disabled: true`, or a `FilterConfig` wrapper), and a filter
declared `disabled: true` runs only where a route turns it on. As Envoy's documentation defines them:

- `jwt_authn` verifies a JWT only on requests its `rules` (first match) or a route's `requirement_name`
  require it for; a requirement that allows a missing token, or an any-of with such an alternative,
  is no authentication. A rule narrower than the route, or one that cannot be compared, is weighed too:
  the route is credited only with the weakest requirement any such rule allows.
- `ext_authz` asks an external service (its strength is not shown: counted as a bearer check, as
  riskscan does for nginx `auth_request` and APISIX forward-auth), none when its `filter_enabled`
  checks fewer than all requests; `oauth2` is OAuth 2.0, unless its
  `pass_through_matcher` lets requests through on anything but their method (a path or a header the
  caller chooses: which requests that lets in is not evaluated, so no auth is credited); `basic_auth` and
  `api_key_auth` are what they say (their users and keys are never read).
- `local_ratelimit` is a token bucket (`tokens_per_fill` per `fill_interval`), enforced only when
  `filter_enabled` and `filter_enforced` say so (both default to 0% of requests);
  `ratelimit` asks a global service with descriptors built from the route's `rate_limits` actions:
  its limits live in that service (not shown), what it counts by is shown.
- `rbac` (HTTP, and the network filter of the same filter chain) is evaluated per route by
  `envoy_rbac`: an address allow list is an `ip-restriction`, a policy that refuses every request
  closes the route; `cors` and others are kept as plugin references.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from riskscan.model import AuthKind, AuthRequirement, Evidence, PluginRef, RateLimitPolicy
from riskscan.sources.gateways.envoy_jwt import jwt_auth
from riskscan.sources.gateways.envoy_rbac import RouteShape, rbac_outcome

__all__ = ["HttpFilter", "RouteControls", "RouteShape", "filter_family", "route_controls"]

_FAMILY = re.compile(r"envoy\.extensions\.filters\.http\.([a-z0-9_]+)\.v3")
_AUTH_KINDS = {"ext_authz": AuthKind.BEARER, "oauth2": AuthKind.OAUTH2, "basic_auth": AuthKind.BASIC,
               "api_key_auth": AuthKind.API_KEY}

Evidencer = Callable[[str, str, str | None], Evidence]  # (pointer, excerpt, note) -> Evidence


@dataclass(frozen=True)
class HttpFilter:
    """One entry of `http_filters`: its configured name, family (`jwt_authn`), config and pointer."""

    name: str
    family: str
    config: dict[str, object]
    pointer: str
    is_disabled: bool = False  # `disabled: true`: off unless a route turns it on


@dataclass
class RouteControls:
    """What the filters in force enforce on one route."""

    auth: list[AuthRequirement] = field(default_factory=list)
    rate_limits: list[RateLimitPolicy] = field(default_factory=list)
    plugins: list[PluginRef] = field(default_factory=list)
    denies_everyone: bool = False  # an RBAC policy refuses every request of the route


def filter_family(name: str, config: dict[str, object]) -> str:
    """The filter's family from its `@type` (`...filters.http.jwt_authn.v3...` -> `jwt_authn`), or from
    its well-known name (`envoy.filters.http.jwt_authn`)."""
    type_url = config.get("@type")
    found = _FAMILY.search(type_url) if isinstance(type_url, str) else None
    if found:
        return found.group(1)
    return name.removeprefix("envoy.filters.http.").removeprefix("envoy.")


def route_controls(
    filters: list[HttpFilter],
    per_route: dict[str, tuple[dict[str, object], str]],
    shape: RouteShape,
    rate_limit_actions: tuple[str, ...],
    evidence: Evidencer,
) -> RouteControls:
    """The auth, limits and plugin references of the filters in force on one route.

    `per_route` maps a filter name to the route's (or virtual host's) per-filter config and pointer;
    `rate_limit_actions` names what the route's `rate_limits` descriptors count by.
    """
    controls = RouteControls()
    for http_filter in filters:
        if http_filter.family == "router":
            continue  # the terminal filter that forwards the request: enforces nothing
        override, override_pointer = per_route.get(http_filter.name, ({}, ""))
        is_off, override = _override(http_filter, override)
        where = "route" if override_pointer else "connection_manager"
        if http_filter.family == "rbac":
            _rbac(http_filter, (override, override_pointer), is_off, shape, controls, evidence)
            continue
        if is_off:
            if override_pointer:
                shown = evidence(override_pointer, f"{http_filter.name} disabled", "disabled on this route")
                controls.plugins.append(
                    PluginRef(name=http_filter.family, attached_to="route", evidence=shown)
                )
            continue
        note = _apply(http_filter, override, shape.uris, rate_limit_actions, controls, evidence)
        controls.plugins.append(PluginRef(
            name=http_filter.family, attached_to=where,
            evidence=evidence(override_pointer or http_filter.pointer, http_filter.name, note),
        ))
    return controls


def _rbac(
    http_filter: HttpFilter,
    route_config: tuple[dict[str, object], str],
    is_off: bool,
    shape: RouteShape,
    controls: RouteControls,
    evidence: Evidencer,
) -> None:
    """An RBAC filter's references on the route: the route's `RBACPerRoute.rbac` replaces the filter's
    config there, and one without rules' holder (`rbac` absent or `{}`) turns the filter off."""
    override, override_pointer = route_config
    is_network = http_filter.name.startswith("envoy.filters.network.") or "filters.network.rbac" in str(
        http_filter.config.get("@type", ""))
    attached = "filter_chain" if is_network else "route" if override_pointer else "connection_manager"
    config, pointer = http_filter.config, http_filter.pointer + "/typed_config"
    if override_pointer and not is_off:
        inner = override.get("rbac")
        is_off = not isinstance(inner, dict) or not inner
        config, pointer = (inner if isinstance(inner, dict) else {}), f"{override_pointer}/rbac"
    if is_off:
        if override_pointer:
            shown = evidence(override_pointer, f"{http_filter.name} off", "RBAC turned off on this route")
            controls.plugins.append(PluginRef(name="rbac:off", attached_to="route", evidence=shown))
        return
    if is_network:
        shape = RouteShape(shape.uris, shape.methods, shape.has_client_certs, trusts_forwarded_for=False)
    outcome = rbac_outcome(config, pointer, shape)
    controls.denies_everyone = controls.denies_everyone or outcome.denies_everyone
    controls.plugins.extend(
        PluginRef(name=ref.name, attached_to=attached, evidence=evidence(ref.pointer, ref.excerpt, ref.note))
        for ref in outcome.refs
    )


def _override(http_filter: HttpFilter, override: dict[str, object]) -> tuple[bool, dict[str, object]]:
    """(whether the filter is off on the route, the route's own config for it)."""
    if str(override.get("@type", "")).endswith("envoy.config.route.v3.FilterConfig"):
        inner = override.get("config")
        is_off = override.get("disabled") is True
        return is_off, dict(inner) if isinstance(inner, dict) else {}
    if override.get("disabled") is True:
        return True, {}
    return http_filter.is_disabled and not override, override


def _apply(
    http_filter: HttpFilter,
    override: dict[str, object],
    route_uris: tuple[str, ...],
    actions: tuple[str, ...],
    controls: RouteControls,
    evidence: Evidencer,
) -> str | None:
    """Add what one filter enforces on the route; return a note for its plugin reference."""
    family, config = http_filter.family, http_filter.config
    if family == "jwt_authn":
        requirements, note = jwt_auth(config, override, route_uris)
        controls.auth.extend(requirements)
        return note
    if family in _AUTH_KINDS:
        return _simple_auth(family, config, controls)
    if family == "local_ratelimit":
        source = override if "token_bucket" in override else config
        return _local_limit(source, controls, evidence(http_filter.pointer, http_filter.name, None))
    if family == "ratelimit":
        if not actions:
            return "the route sets no rate_limits actions: no descriptor is sent, nothing is limited"
        controls.rate_limits.append(RateLimitPolicy(
            plugin="ratelimit", key=", ".join(actions),
            evidence=evidence(http_filter.pointer, http_filter.name, "limits set in the rate limit service"),
        ))
        return "limits are set in the rate limit service (not shown)"
    return None


def _simple_auth(family: str, config: dict[str, object], controls: RouteControls) -> str | None:
    kind = _AUTH_KINDS[family]
    location = "header:Authorization" if kind is AuthKind.BASIC else None
    if family == "oauth2":
        inner = config.get("config")
        matchers = inner.get("pass_through_matcher") if isinstance(inner, dict) else None
        listed = [matchers] if isinstance(matchers, dict) else matchers if isinstance(matchers, list) else []
        names = [str(matcher.get("name", "")).lower() for matcher in listed if isinstance(matcher, dict)]
        if any(name != ":method" for name in names):
            return ("pass_through_matcher lets requests through without OAuth on a path or a header a caller"
                    " chooses: no auth credited")
    if family == "ext_authz" and "filter_enabled" in config and _percent(config["filter_enabled"]) < 100:
        return "filter_enabled below 100%: some requests are not checked, no auth credited"
    controls.auth.append(AuthRequirement(kind=kind, scheme=family, location=location))
    if family == "ext_authz" and config.get("failure_mode_allow") is True:
        return "failure_mode_allow: requests pass when the authorization service fails"
    return None


def _local_limit(config: dict[str, object], controls: RouteControls, evidence: Evidence) -> str | None:
    """A token bucket as a policy, when the filter is enabled and enforced for every request."""
    bucket = config.get("token_bucket")
    if not isinstance(bucket, dict):
        return "no token_bucket: nothing is limited"
    for key in ("filter_enabled", "filter_enforced"):
        if _percent(config.get(key)) < 100:
            return f"{key} below 100%: not enforced on every request"
    fill = _tokens(bucket.get("tokens_per_fill"), default=1.0)
    per_connection = config.get("local_rate_limit_per_downstream_connection") is True
    controls.rate_limits.append(RateLimitPolicy(
        plugin="local_ratelimit",
        key="downstream connection" if per_connection else "envoy instance",
        limit=fill, window_seconds=duration_seconds(bucket.get("fill_interval")), rejected_code=429,
        evidence=evidence,
    ))
    return None


def _tokens(value: object, default: float) -> float | None:
    if value is None:
        return default
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e15:
        return float(value)
    return None


def _percent(value: object) -> float:
    """A RuntimeFractionalPercent's default as a percentage; 0 when absent (Envoy's default)."""
    default = value.get("default_value") if isinstance(value, dict) else None
    if not isinstance(default, dict):
        return 0.0
    numerator = default.get("numerator", 0)
    scale = {"HUNDRED": 100, "TEN_THOUSAND": 10_000, "MILLION": 1_000_000}.get(
        str(default.get("denominator", "HUNDRED")), 100
    )
    if not isinstance(numerator, (int, float)) or isinstance(numerator, bool):
        return 0.0
    return 100.0 * numerator / scale


def duration_seconds(value: object) -> float | None:
    """A protobuf Duration (`5s`, `0.25s`, or `{seconds, nanos}`) in seconds, None when unreadable."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,12}(\.\d{1,9})?s", value.strip()):
        return float(value.strip()[:-1])
    if isinstance(value, dict):
        seconds, nanos = value.get("seconds", 0), value.get("nanos", 0)
        if isinstance(seconds, (int, str)) and str(seconds).isdigit() and isinstance(nanos, int):
            return int(seconds) + nanos / 1e9 if int(seconds) < 10**12 else None
    return None
