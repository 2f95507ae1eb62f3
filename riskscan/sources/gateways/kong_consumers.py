"""Rate limits that Kong applies per consumer rather than per route (decK files).

Once an auth plugin has identified the caller as a consumer, Kong runs the plugins scoped to that
consumer (`consumers[].plugins`, or a top-level plugin naming `consumer`) and to its consumer groups
(`consumer_groups[].plugins`, or `consumer_group`); the consumer's own plugin wins over its group's of
the same name. A partner quota is therefore often set on consumers, not routes. A route with no limit
of its own, whose consumer-identifying auth plugins (key-auth, basic-auth, jwt ...) admit only
consumers that all carry a limit, is throttled by the loosest of those limits; one admitted consumer
without a limit leaves the route open to it, so then nothing is credited. A consumer is admitted by
an auth plugin when it holds a credential of that plugin's kind; only the credential lists' presence
is read, never a credential.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from riskscan.model import RateLimitPolicy
from riskscan.sources.gateways.consumer_limits import loosest_consumer_limits
from riskscan.sources.gateways.kong_entities import Located, reference
from riskscan.sources.gateways.kong_plugins import rate_limit_policies
from riskscan.sources.structured import StructuredDocument

__all__ = ["CREDENTIAL_LISTS", "ConsumerLimits"]

CREDENTIAL_LISTS: Mapping[str, str] = {
    "key-auth": "keyauth_credentials",
    "key-auth-enc": "keyauth_enc_credentials",
    "basic-auth": "basicauth_credentials",
    "jwt": "jwt_secrets",
    "hmac-auth": "hmacauth_credentials",
    "oauth2": "oauth2_credentials",
    "mtls-auth": "mtls_auth_credentials",
}
"""Auth plugins that identify the caller as a consumer, with the decK list holding its credentials."""

ConfigMap = Mapping[str, object]


@dataclass(frozen=True)
class _Consumer:
    auth_plugins: frozenset[str]  # the plugins it holds a credential for
    limits: tuple[RateLimitPolicy, ...]


class ConsumerLimits:
    """The consumers of one decK file, with the rate limits their own and their groups' plugins set."""

    def __init__(
        self, root: ConfigMap, shown: str, document: StructuredDocument, warn: Callable[[str], None]
    ) -> None:
        self._shown = shown
        self._document = document
        self._warn = warn
        top_level = [(index, plugin) for index, plugin in _mappings(root.get("plugins"))]
        groups = _mappings(root.get("consumer_groups"))
        self._consumers = [
            self._consumer(index, consumer, top_level, groups)
            for index, consumer in _mappings(root.get("consumers"))
        ]

    def for_route(self, auth_plugins: Sequence[str]) -> tuple[RateLimitPolicy, ...]:
        """Limits every consumer admitted by the route's auth plugins carries: the loosest per plugin,
        keyed by consumer. Empty when some admitted consumer has none (or none is admitted)."""
        identifying = set(CREDENTIAL_LISTS).intersection(auth_plugins)
        admitted = [consumer for consumer in self._consumers if consumer.auth_plugins & identifying]
        return loosest_consumer_limits([consumer.limits for consumer in admitted])

    def _consumer(
        self,
        index: int,
        consumer: ConfigMap,
        top_level: list[tuple[int, ConfigMap]],
        groups: list[tuple[int, ConfigMap]],
    ) -> _Consumer:
        names = {
            ref for ref in (reference(consumer.get(key)) for key in ("username", "id", "custom_id")) if ref
        }
        pointer = f"/consumers/{index}"
        plugins: dict[str, Located] = {}
        for plugin_index, plugin in _mappings(consumer.get("plugins")):
            plugins.setdefault(
                str(plugin.get("name")), self._located(plugin, f"{pointer}/plugins/{plugin_index}")
            )
        for plugin_index, plugin in top_level:
            if reference(plugin.get("consumer")) in names and _is_consumer_only(plugin, "consumer"):
                plugins.setdefault(str(plugin.get("name")), self._located(plugin, f"/plugins/{plugin_index}"))
        for group_index, group in groups:
            if _is_member(group, consumer, names):
                self._add_group_plugins(plugins, group_index, group, top_level)
        held = frozenset(plugin for plugin, field in CREDENTIAL_LISTS.items() if consumer.get(field))
        limits = tuple(
            policy
            for name, item in sorted(plugins.items())
            if item.data.get("enabled") is not False
            for policy in rate_limit_policies(
                name,
                _conf(item),
                item.evidence(f"plugin {name} on a consumer"),
                self._warner(item.pointer),
            )
        )
        return _Consumer(held, limits)

    def _located(self, data: ConfigMap, pointer: str) -> Located:
        return Located(data, self._shown, self._document, pointer)

    def _warner(self, pointer: str) -> Callable[[str], None]:
        return lambda message: self._warn(f"{pointer}: {message}")

    def _add_group_plugins(
        self,
        plugins: dict[str, Located],
        index: int,
        group: ConfigMap,
        top_level: list[tuple[int, ConfigMap]],
    ) -> None:
        """A consumer group's plugins, below the consumer's own of the same name."""
        refs = {ref for ref in (reference(group.get(key)) for key in ("name", "id")) if ref}
        for plugin_index, plugin in _mappings(group.get("plugins")):
            item = self._located(plugin, f"/consumer_groups/{index}/plugins/{plugin_index}")
            plugins.setdefault(str(plugin.get("name")), item)
        for plugin_index, plugin in top_level:
            if reference(plugin.get("consumer_group")) in refs and _is_consumer_only(
                plugin, "consumer_group"
            ):
                plugins.setdefault(str(plugin.get("name")), self._located(plugin, f"/plugins/{plugin_index}"))


def _is_member(group: ConfigMap, consumer: ConfigMap, names: set[str]) -> bool:
    """True when the group lists the consumer, or the consumer names the group."""
    members = {
        reference(member.get("username")) or reference(member.get("id"))
        for _, member in _mappings(group.get("consumers"))
    }
    if members & names:
        return True
    refs = {reference(group.get("name")), reference(group.get("id"))} - {None}
    listed = consumer.get("groups")
    return isinstance(listed, list) and any(reference(entry) in refs for entry in listed)


def _is_consumer_only(plugin: ConfigMap, scope: str) -> bool:
    """A top-level plugin scoped to a consumer (or group) alone, not also to a route or service."""
    return plugin.get(scope) is not None and plugin.get("route") is None and plugin.get("service") is None


def _conf(item: Located) -> ConfigMap:
    conf = item.data.get("config")
    return conf if isinstance(conf, dict) else {}



def _mappings(value: object) -> list[tuple[int, ConfigMap]]:
    if not isinstance(value, list):
        return []
    return [
        (index, {str(key): item for key, item in entry.items()})
        for index, entry in enumerate(value)
        if isinstance(entry, dict)
    ]
