"""Rate limits that APISIX applies per consumer rather than per route.

APISIX merges a consumer's plugins (and its consumer group's) into the request once an auth plugin
has identified that consumer, so a partner quota is often a `limit-count` on each consumer, not on
the route. A route whose consumer-identifying auth plugin (key-auth, basic-auth ...) only admits
consumers that all carry a limit is therefore throttled, by the loosest of those limits; one
consumer without a limit leaves the route open to that consumer, so then nothing is added. Only
credentials' existence and the limits are read: no credential value is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from riskscan.model import Evidence, RateLimitPolicy
from riskscan.sources.gateways.apisix_plugins import rate_limit_policies
from riskscan.sources.gateways.consumer_limits import loosest_consumer_limits
from riskscan.sources.structured import join_pointer

__all__ = ["CONSUMER_AUTH_PLUGINS", "ConsumerLimits"]

CONSUMER_AUTH_PLUGINS = frozenset({"key-auth", "basic-auth", "jwt-auth", "hmac-auth", "ldap-auth"})
"""Auth plugins that identify the caller as one of the configured consumers."""

ConfigMap = Mapping[str, object]
MakeEvidence = Callable[[str, str], Evidence]
MakeWarner = Callable[[str], Callable[[str], None]]  # a JSON pointer -> where its problems go


@dataclass(frozen=True)
class _Consumer:
    name: str  # its username
    group: str | None  # its group_id
    auth_plugins: frozenset[str]  # the consumer-identifying plugins it holds a credential for
    limits: tuple[RateLimitPolicy, ...]


class ConsumerLimits:
    """The consumers of one config, with the rate limits their own and their group's plugins set."""

    def __init__(
        self,
        root: ConfigMap,
        evidence: MakeEvidence,
        warner: MakeWarner | None = None,
        are_credentials_known: bool = True,
    ) -> None:
        """`are_credentials_known` is False for Admin API exports: a consumer's credentials are then a
        resource of their own (`/consumers/<name>/credentials`, never read), so any consumer may hold a
        credential for any auth plugin, and every consumer counts as admitted (see `for_route`)."""
        self._are_credentials_known = are_credentials_known
        groups = {str(g.get("id")): (i, g) for i, g in _mappings(root.get("consumer_groups")) if g.get("id") is not None}
        self._consumers = [
            _consumer(index, item, groups, evidence, warner)
            for index, item in _mappings(root.get("consumers"))
        ]

    def for_route(
        self, auth_plugins: Sequence[str], restriction: ConfigMap | None = None
    ) -> tuple[RateLimitPolicy, ...]:
        """Limits every consumer admitted by the route's auth plugins (and its `consumer-restriction`,
        when given) carries: the loosest per plugin kind, keyed by consumer. Empty when some admitted
        consumer has none (or none is admitted)."""
        identifying = CONSUMER_AUTH_PLUGINS.intersection(auth_plugins)
        if not identifying:
            return ()
        unknown = not self._are_credentials_known
        admitted = [
            c for c in self._consumers if (unknown or c.auth_plugins & identifying) and _is_admitted(c, restriction)
        ]
        return loosest_consumer_limits([consumer.limits for consumer in admitted])

    @property
    def is_empty(self) -> bool:
        """True when there is no consumer at all (then no caller can be identified by one)."""
        return not self._consumers


def _is_admitted(consumer: _Consumer, restriction: ConfigMap | None) -> bool:
    """Whether `consumer-restriction` lets the consumer through: by name (the default) or by group,
    from its `whitelist` (only those) or `blacklist` (all but those). Restrictions by service or route
    id, or without a list, narrow nothing here."""
    if restriction is None:
        return True
    kind = restriction.get("type", "consumer_name")
    if kind not in ("consumer_name", "consumer_group_id"):
        return True
    value = consumer.name if kind == "consumer_name" else consumer.group
    allowed, denied = restriction.get("whitelist"), restriction.get("blacklist")
    if isinstance(allowed, list):
        return value in [str(item) for item in allowed]
    if isinstance(denied, list):
        return value not in [str(item) for item in denied]
    return True


def _consumer(
    index: int,
    item: ConfigMap,
    groups: Mapping[str, tuple[int, ConfigMap]],
    evidence: MakeEvidence,
    warner: MakeWarner | None,
) -> _Consumer:
    pointer = f"/consumers/{index}"
    plugins = {name: (conf, join_pointer(join_pointer(pointer, "plugins"), name)) for name, conf in _plugins(item)}
    group = groups.get(str(item.get("group_id")))
    if group is not None:  # a consumer's own plugin wins over its group's of the same name
        group_pointer = join_pointer(f"/consumer_groups/{group[0]}", "plugins")
        for name, conf in _plugins(group[1]):
            plugins.setdefault(name, (conf, join_pointer(group_pointer, name)))
    held = {name for name in plugins if name in CONSUMER_AUTH_PLUGINS}
    for _, credential in _mappings(item.get("credentials")):  # APISIX 3.x credentials objects
        held.update(name for name, _ in _plugins(credential) if name in CONSUMER_AUTH_PLUGINS)
    limits = tuple(
        policy
        for name, (conf, plugin_pointer) in sorted(plugins.items())
        for policy in rate_limit_policies(
            name, conf, evidence(plugin_pointer, f"plugin {name} on a consumer"),
            warner(plugin_pointer) if warner else None,
        )
    )
    group_id = item.get("group_id")
    name = str(item.get("username", f"consumers[{index}]"))
    return _Consumer(name, str(group_id) if group_id is not None else None, frozenset(held), limits)



def _plugins(owner: ConfigMap) -> list[tuple[str, ConfigMap]]:
    plugins = owner.get("plugins")
    if not isinstance(plugins, dict):
        return []
    return [
        (str(name), conf if isinstance(conf, dict) else {})
        for name, conf in plugins.items()
        if not (isinstance(conf, dict) and isinstance(conf.get("_meta"), dict) and conf["_meta"].get("disable"))
    ]


def _mappings(value: object) -> list[tuple[int, ConfigMap]]:
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []
