"""What a gateway rate limit counts by, whatever the gateway calls it (`RateLimitKeying`).

Readers keep each limit's key as the gateway spells it: APISIX `remote_addr`, `consumer_name`,
`http_x_partner_id`, `$remote_addr $http_x_partner`; Kong `consumer (ip when none is identified)`,
`header:X-Partner-Id`; nginx `$binary_remote_addr`; Envoy `envoy instance`; AWS `api_key` ... The
words of the key (lower case, split on anything but letters and digits, a parenthesised note left
out) decide, address words first: a key that mixes an address with an identity counts per address,
since a caller with many addresses gets a quota on each. A limit with no key is shared when its
plugin only ever counts for all callers (an API Gateway stage throttle), else unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from riskscan.model import RateLimitKeying, RateLimitPolicy

__all__ = ["best_keying", "endpoint_keying", "keying_of"]

_ADDRESS_WORDS = frozenset({
    "remote", "addr", "ip", "ips", "forwarded", "realip", "connection", "connecting", "downstream", "cidr",
})
_CLIENT_WORDS = frozenset({
    "consumer", "credential", "credentials", "apikey", "key", "partner", "client", "jwt", "authorization",
    "token", "user", "tenant", "subscription", "account", "header", "http", "customer", "app",
})
_SHARED_WORDS = frozenset({
    "constant", "shared", "instance", "service", "route", "path", "uri", "host", "server", "global",
})
_SHARED_PLUGINS = frozenset({"stage-throttle"})  # AWS: one throttle for every caller of the stage
_NOTE = re.compile(r"\([^()]*\)")
_WORD = re.compile(r"[a-z0-9]+")
_RANK = {keying: rank for rank, keying in enumerate(RateLimitKeying)}  # strongest first, as declared


def keying_of(policy: RateLimitPolicy) -> RateLimitKeying:
    """What `policy` counts by (see the module docstring)."""
    if not policy.key:
        return RateLimitKeying.SHARED if policy.plugin in _SHARED_PLUGINS else RateLimitKeying.UNKNOWN
    words = set(_WORD.findall(_NOTE.sub(" ", policy.key.lower())))
    if words & _ADDRESS_WORDS:
        return RateLimitKeying.ADDRESS
    if words & _CLIENT_WORDS:
        return RateLimitKeying.CLIENT
    if words & _SHARED_WORDS:
        return RateLimitKeying.SHARED
    return RateLimitKeying.UNKNOWN


def best_keying(policies: Iterable[RateLimitPolicy]) -> RateLimitKeying | None:
    """The strongest keying among an endpoint's limits (each limit applies to every request); None
    when there are none."""
    found = [keying_of(policy) for policy in policies]
    return min(found, key=_RANK.__getitem__) if found else None


def endpoint_keying(routes: Iterable[Iterable[RateLimitPolicy]]) -> RateLimitKeying | None:
    """An endpoint's keying from the limits of each route serving it: the best of each route (its
    limits all apply), then the weakest route (a caller picks the route that suits it); None when no
    route limits anything."""
    found = [keying for policies in routes if (keying := best_keying(policies)) is not None]
    return max(found, key=_RANK.__getitem__) if found else None
