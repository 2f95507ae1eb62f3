"""Stage settings and usage plans: what API Gateway logs, measures and throttles per route.

Logging and throttling are settings of a deployed stage, not of an API's definition, so an export or a
template that does not carry the stage cannot show them (`not_shown`, never "none"). From a stage
(`AWS::ApiGateway::Stage`, a `Deployment`'s `StageDescription`, `AWS::ApiGatewayV2::Stage`, or a SAM
API's own properties):
- `AccessLogSetting`/`AccessLogSettings` with a destination write a record per request (`access-log`);
  REST execution logging at `INFO` does too (`execution-log`), at `ERROR` only failures (not counted);
- `MetricsEnabled`/`DetailedMetricsEnabled` add per-route metrics; API-level CloudWatch metrics are
  always published, so every AWS route has the `cloudwatch` monitor; `TracingEnabled` adds `xray`;
- `ThrottlingRateLimit` (stage-wide `/*` `*`, or per method) is one token bucket shared by all
  callers: a limit with no key.
Usage plans (`AWS::ApiGateway::UsagePlan`, SAM `Auth.UsagePlan`) throttle and cap requests per API
key, on the routes that require one. Stage variables are never read: they may hold keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskscan.model import Evidence, PluginRef, RateLimitPolicy, RouteAspect
from riskscan.sources.gateways.aws.common import Place, Warn, mapping, number, text
from riskscan.sources.structured import join_pointer

__all__ = ["StageSettings", "combine_stages", "merge_stages", "read_stage", "read_usage_plan"]

_QUOTA_PERIODS = {"DAY": 86400.0, "WEEK": 604800.0, "MONTH": 2592000.0}  # a month counted as 30 days
_ALL = "* /*"
_SHAPES: dict[str, type] = {
    "MethodSettings": list,
    "AccessLogSetting": dict,
    "AccessLogSettings": dict,
    "DefaultRouteSettings": dict,
    "RouteSettings": dict,
}


@dataclass(frozen=True)
class StageSettings:
    """What one API's stage(s) and usage plans enforce; `is_shown` False when no stage is in the file."""

    is_shown: bool = False
    loggers: tuple[str, ...] = ()
    monitors: tuple[str, ...] = ()
    plugins: tuple[PluginRef, ...] = ()
    limits: tuple[tuple[str, RateLimitPolicy], ...] = ()  # ("GET /pets" or "* /*", the stage's throttle)
    key_limits: tuple[RateLimitPolicy, ...] = field(default=())  # usage plans: per API key

    def limits_for(self, method: str, path: str, has_api_key: bool) -> tuple[RateLimitPolicy, ...]:
        """The limits on one route: the most specific stage throttle, and usage plans when it needs a key."""
        own = [policy for selector, policy in self.limits if selector == f"{method} {path}"]
        stage = own or [policy for selector, policy in self.limits if selector == _ALL]
        return tuple(stage) + (self.key_limits if has_api_key else ())

    def not_shown(self, has_key_limits: bool) -> tuple[RouteAspect, ...]:
        """What a route of this API cannot show: logging and limits when no stage is in the file
        (limits are shown anyway when a usage plan covers the route)."""
        if self.is_shown:
            return ()
        return (RouteAspect.LOGGING,) if has_key_limits else (RouteAspect.LOGGING, RouteAspect.RATE_LIMIT)


def read_stage(properties: dict[str, Any], place: Place, pointer: str, warn: Warn) -> StageSettings:
    """One stage's settings (REST or HTTP API property names alike); a setting of the wrong type is
    left out with a warning."""
    for key, kind in _SHAPES.items():
        if properties.get(key) is not None and not isinstance(properties[key], kind):
            warn(f"{pointer}/{key} is not a {'list' if kind is list else 'mapping'}; ignored")
    loggers: list[str] = []
    monitors: list[str] = ["cloudwatch"]  # API-level metrics are always published
    plugins: list[PluginRef] = []

    def note(name: str, at: str, excerpt: str) -> None:
        plugins.append(PluginRef(name=name, attached_to="stage", evidence=place.evidence(at, excerpt)))

    for key in ("AccessLogSetting", "AccessLogSettings"):
        if mapping(properties.get(key)).get("DestinationArn") is not None:
            loggers.append("access-log")
            note("access-log", join_pointer(pointer, key), f"{key}: DestinationArn set")
    if properties.get("TracingEnabled") is True:
        monitors.append("xray")
        note("xray", join_pointer(pointer, "TracingEnabled"), "TracingEnabled: true")
    limits: list[tuple[str, RateLimitPolicy]] = []
    for selector, settings, at in _method_settings(properties, pointer):
        if selector == _ALL and str(settings.get("LoggingLevel", "")).upper() == "INFO":
            loggers.append("execution-log")
            note("execution-log", at, "LoggingLevel: INFO")
        if selector == _ALL and True in (
            settings.get("MetricsEnabled"),
            settings.get("DetailedMetricsEnabled"),
        ):
            note("cloudwatch", at, "detailed metrics enabled")
        policy = _throttle(selector, settings, place.evidence(at, selector))
        if policy is not None:
            limits.append((selector, policy))
    return StageSettings(
        True, tuple(dict.fromkeys(loggers)), tuple(dict.fromkeys(monitors)), tuple(plugins), tuple(limits)
    )


def _throttle(selector: str, settings: dict[str, Any], evidence: Evidence) -> RateLimitPolicy | None:
    """A stage throttle (`ThrottlingRateLimit` requests per second, burst noted), or None."""
    rate = number(settings.get("ThrottlingRateLimit"))
    if rate is None:
        return None
    burst = number(settings.get("ThrottlingBurstLimit"))
    excerpt = f"{selector}: ThrottlingRateLimit {rate:g}" + (
        f", burst {burst:g}" if burst is not None else ""
    )
    return RateLimitPolicy(
        plugin="stage-throttle",
        limit=rate,
        window_seconds=1.0,
        rejected_code=429,
        evidence=evidence.model_copy(update={"excerpt": excerpt}),
    )


def _method_settings(properties: dict[str, Any], pointer: str) -> list[tuple[str, dict[str, Any], str]]:
    """(selector, settings, pointer) for each throttling/logging entry: REST `MethodSettings` (with
    `~1`-escaped resource paths), HTTP API `DefaultRouteSettings` and `RouteSettings`."""
    found: list[tuple[str, dict[str, Any], str]] = []
    listed = properties.get("MethodSettings")
    for index, entry in enumerate(listed if isinstance(listed, list) else []):
        settings = mapping(entry)
        resource = text(settings.get("ResourcePath")) or "/*"
        method = (text(settings.get("HttpMethod")) or "*").upper()
        path = "/*" if resource == "/*" else "/" + resource[1:].replace("~1", "/").lstrip("/")
        selector = _ALL if (path, method) == ("/*", "*") else f"{method} {path}"
        found.append((selector, settings, join_pointer(join_pointer(pointer, "MethodSettings"), index)))
    if properties.keys() & {"LoggingLevel", "MetricsEnabled", "ThrottlingRateLimit"}:  # a StageDescription
        found.append((_ALL, properties, pointer))
    default = mapping(properties.get("DefaultRouteSettings"))
    if default:
        found.append((_ALL, default, join_pointer(pointer, "DefaultRouteSettings")))
    for route_key, entry in mapping(properties.get("RouteSettings")).items():
        found.append(
            (route_key, mapping(entry), join_pointer(join_pointer(pointer, "RouteSettings"), route_key))
        )
    return found


def read_usage_plan(properties: dict[str, Any], place: Place, pointer: str) -> tuple[RateLimitPolicy, ...]:
    """A usage plan's throttle and quota, both counted per API key (`Throttle`, `Quota`)."""
    policies: list[RateLimitPolicy] = []
    throttle = mapping(properties.get("Throttle"))
    rate = number(throttle.get("RateLimit"))
    if rate is not None:
        policies.append(
            RateLimitPolicy(
                plugin="usage-plan",
                key="api_key",
                limit=rate,
                window_seconds=1.0,
                rejected_code=429,
                evidence=place.evidence(
                    join_pointer(pointer, "Throttle"), f"usage plan throttle {rate:g}/s per API key"
                ),
            )
        )
    quota = mapping(properties.get("Quota"))
    limit, period = number(quota.get("Limit")), _QUOTA_PERIODS.get(str(quota.get("Period", "")).upper())
    if limit is not None and period is not None:
        policies.append(
            RateLimitPolicy(
                plugin="usage-plan-quota",
                key="api_key",
                limit=limit,
                window_seconds=period,
                rejected_code=429,
                evidence=place.evidence(
                    join_pointer(pointer, "Quota"), f"usage plan quota {limit:g} per {quota.get('Period')}"
                ),
            )
        )
    return tuple(policies)


def merge_stages(stages: list[StageSettings], key_limits: tuple[RateLimitPolicy, ...]) -> StageSettings:
    """One API's settings over all its stages: a logger or monitor counts when every stage has it, and
    a stage throttle when every stage has one (the routes are served by each stage alike)."""
    if not stages:
        return StageSettings(key_limits=key_limits)
    loggers = [name for name in stages[0].loggers if all(name in stage.loggers for stage in stages)]
    monitors = [name for name in stages[0].monitors if all(name in stage.monitors for stage in stages)]
    limits = (
        [pair for stage in stages for pair in stage.limits] if all(stage.limits for stage in stages) else []
    )
    plugins = [plugin for stage in stages for plugin in stage.plugins]
    return StageSettings(True, tuple(loggers), tuple(monitors), tuple(plugins), tuple(limits), key_limits)


def combine_stages(first: StageSettings, second: StageSettings) -> StageSettings:
    """Settings of one stage given in two places (a SAM API's own properties and `Globals`)."""
    return StageSettings(
        True,
        tuple(dict.fromkeys(first.loggers + second.loggers)),
        tuple(dict.fromkeys(first.monitors + second.monitors)),
        first.plugins + second.plugins,
        first.limits + second.limits,
        first.key_limits + second.key_limits,
    )
