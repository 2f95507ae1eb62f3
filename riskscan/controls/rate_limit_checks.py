"""The checks behind the rate-limit control, one endpoint at a time: are its limits sized to bind, did
traffic go past them unrejected, and are its list responses paged with a bounded page size.

Limits are compared per clock minute, the unit the traffic engine counts exactly (`TrafficStats.
peak_requests_per_minute`). A limit of `limit` requests per `window` seconds lets at most
`2 x limit x max(1, 60 / window)` requests through in one clock minute: a minute can straddle two
fixed windows, and a leaky bucket's burst is at most its rate for a minute more. A client above that,
with no rejection in the whole log, shows a limit declared but not enforced as configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from riskscan.model import Endpoint, Parameter, ParameterLocation, RateLimitPolicy, TrafficStats

__all__ = [
    "Overrun",
    "bounds_page_size",
    "has_paging",
    "is_list_endpoint",
    "minute_text",
    "most_per_minute",
    "never_binds",
    "overrun",
    "page_size_parameters",
    "per_minute",
    "window_text",
]


@dataclass(frozen=True)
class Overrun:
    """A client that went past a configured limit with no rejection seen."""

    policy: RateLimitPolicy
    allowed: float  # the most the limit lets through in one clock minute
    peak: int  # that client's requests in its busiest minute
    minute: datetime | None
    client: int | None  # its opaque id (salted per scan)


def per_minute(policy: RateLimitPolicy) -> float | None:
    """The limit's rate in requests per minute; None when the config does not give both figures (a
    concurrency limit, a limit set in an external service)."""
    if policy.limit is None or policy.window_seconds is None or policy.window_seconds <= 0:
        return None
    return policy.limit * 60 / policy.window_seconds


def most_per_minute(policy: RateLimitPolicy) -> float | None:
    """The most requests the limit lets one key make within one clock minute (module docstring)."""
    if policy.limit is None or policy.window_seconds is None or policy.window_seconds <= 0:
        return None
    return 2 * policy.limit * max(1.0, 60 / policy.window_seconds)


def overrun(endpoint: Endpoint) -> Overrun | None:
    """The tightest limit of `endpoint` that its fastest client exceeded in one clock minute while
    the log shows no rejection with the limit's status; None when traffic shows no such thing."""
    traffic = endpoint.traffic
    if traffic is None or not traffic.peak_requests_per_minute:
        return None
    exceeded = [
        (allowed, policy) for policy in endpoint.rate_limit.policies
        if (allowed := most_per_minute(policy)) is not None and traffic.peak_requests_per_minute > allowed
        and not _rejections(traffic, policy.rejected_code)
    ]
    if not exceeded:
        return None
    allowed, policy = min(exceeded, key=lambda item: item[0])
    return Overrun(policy, allowed, traffic.peak_requests_per_minute, traffic.peak_rate_minute,
                   traffic.peak_rate_client)


def never_binds(endpoint: Endpoint, factor: float, absurd: float, floor: float) -> bool:
    """True when every rate limit of the endpoint is at or above `absurd` requests a minute, or, at
    `floor` a minute or more, at least `factor` times its fastest client's busiest minute: limits that
    never bind protect nothing. The floor keeps a sane limit (300 a minute) from counting as loose
    because the log was quiet."""
    rates = [rate for policy in endpoint.rate_limit.policies if (rate := per_minute(policy)) is not None]
    if not rates:
        return False
    peak = endpoint.traffic.peak_requests_per_minute if endpoint.traffic else 0
    return all(rate >= absurd or (peak > 0 and rate >= floor and rate >= factor * peak) for rate in rates)


def window_text(policy: RateLimitPolicy) -> str:
    """`600 requests per 60 s` (the limit as configured)."""
    return f"{policy.limit:g} requests per {policy.window_seconds:g} s"


def minute_text(minute: datetime | None) -> str:
    """`2026-11-09 08:14-08:15 UTC`, or `one minute` when the minute is not known."""
    if minute is None:
        return "one minute"
    return f"{minute:%Y-%m-%d %H:%M}-{minute + timedelta(minutes=1):%H:%M} UTC"


def page_size_parameters(endpoint: Endpoint, names: frozenset[str]) -> list[Parameter]:
    """The endpoint's query parameters that set a page size (`limit`, `page_size`, `per_page` ...)."""
    return [p for p in endpoint.parameters
            if p.location is ParameterLocation.QUERY and _plain(p.name) in names]


def is_list_endpoint(endpoint: Endpoint, size_names: frozenset[str]) -> bool:
    """A GET whose spec answers with an array (or wraps one), or that takes a page-size parameter."""
    if endpoint.method not in ("GET", "*"):
        return False
    return endpoint.returns_collection is True or bool(page_size_parameters(endpoint, size_names))


def bounds_page_size(parameter: Parameter) -> bool:
    """The page size has a finite `maximum` (an enum of sizes is not read, so it does not count)."""
    return parameter.maximum is not None and parameter.maximum != float("inf")


def has_paging(endpoint: Endpoint, paging_names: frozenset[str]) -> bool:
    """Any query parameter that pages (page, offset, cursor ... or a page size)."""
    return any(p.location is ParameterLocation.QUERY and _plain(p.name) in paging_names
               for p in endpoint.parameters)


def _plain(name: str) -> str:
    """`page_size`, `pageSize`, `page-size`, `$top` -> `pagesize`, `top`: the name as compared."""
    return "".join(character for character in name.lower() if character.isalnum())


def _rejections(traffic: TrafficStats, code: int | None) -> int:
    """Answers with the limit's rejection status: 429s are counted apart; another code (nginx's 503)
    only by its class, which then counts every answer of that class as a possible rejection."""
    if code is None or code == 429:
        return traffic.throttled
    return traffic.status_classes.get(f"{code // 100}xx", 0)
