"""APISIX resource fields read the same way wherever a resource comes from: lists of resources, ids,
strings, a route's extra matching conditions, its evidence excerpt and its upstream's hosts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from riskscan.sources.gateways.apisix_vars import render_vars

__all__ = [
    "ConfigValue",
    "identifier_of",
    "items_of",
    "route_conditions",
    "route_excerpt",
    "strings_of",
    "upstream_hosts",
]

ConfigValue: TypeAlias = "dict[str, ConfigValue] | list[ConfigValue] | str | int | float | bool | None"
"""Plain JSON-like data as read from the file, every mapping key as text."""

_MAX_NODES_SHOWN = 5


def items_of(root: Mapping[str, ConfigValue], key: str) -> list[tuple[int, dict[str, ConfigValue]]]:
    """The mapping entries of a top-level resource list, with their indexes (other entries skipped)."""
    value = root.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def identifier_of(item: Mapping[str, ConfigValue]) -> str | None:
    """A resource's `id` as text (APISIX takes numbers and strings), or None when it has none usable."""
    value = item.get("id")
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def strings_of(value: ConfigValue) -> tuple[str, ...]:
    """A field that may be one string or a list of them (`uri`/`uris`, `host`/`hosts`), as a tuple."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def route_conditions(item: Mapping[str, ConfigValue]) -> tuple[str, ...]:
    """Matching conditions beyond uri, method and host: `vars`, client addresses, `filter_func`."""
    conditions = list(render_vars(item["vars"])) if item.get("vars") else []
    addresses = strings_of(item.get("remote_addrs")) or strings_of(item.get("remote_addr"))
    if addresses:
        conditions.append(f"client address in {len(addresses)} allowed range(s)")
    if item.get("filter_func"):
        conditions.append("filter_func (custom Lua predicate)")
    return tuple(conditions)


def route_excerpt(
    route_id: str, uris: tuple[str, ...], methods: tuple[str, ...], hosts: tuple[str, ...]
) -> str:
    """What a route's evidence shows of it: `route r uris=/a,/b methods=GET hosts=api.example`."""
    text = f"route {route_id} uris={','.join(uris)} methods={','.join(methods) or 'any'}"
    return f"{text} hosts={','.join(hosts)}" if hosts else text


def upstream_hosts(upstream: Mapping[str, ConfigValue]) -> str | None:
    """An upstream's nodes as `host:port` (userinfo stripped), or its discovered service name."""
    nodes = upstream.get("nodes")
    addresses: list[str] = []
    if isinstance(nodes, dict):
        addresses = [str(address) for address in nodes]
    elif isinstance(nodes, list):
        for node in nodes:
            if isinstance(node, dict) and node.get("host") is not None:
                port = node.get("port")
                addresses.append(f"{node['host']}:{port}" if port is not None else str(node["host"]))
    addresses = [address.rpartition("@")[2] for address in addresses]
    if not addresses:
        service_name = upstream.get("service_name")
        if isinstance(service_name, str):
            return f"{upstream.get('discovery_type', 'discovery')}:{service_name.rpartition('@')[2]}"
        return None
    shown = ", ".join(addresses[:_MAX_NODES_SHOWN])
    more = len(addresses) - _MAX_NODES_SHOWN
    return f"{shown} (+{more} more)" if more > 0 else shown
