"""config.yaml settings APISIX takes from its environment: `${{VAR}}`, resolved when APISIX starts.

APISIX substitutes `${{NAME}}` (and `${{NAME:=default}}`) in config.yaml from the environment it starts
in (`apisix/cli/file.lua`), which no input shows. A setting so written is set, to a value nobody here
can read: what it decides is not judged, neither as written nor as APISIX's default (config-default.yaml
would claim a plain listener on 9080, or TLS 1.2 and 1.3, on no evidence). `referenced_settings` names
those settings, as `GatewayConfig.unknown_settings` carries them to the controls.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["LISTENER_SETTINGS", "reference_warning", "referenced_settings"]

_ENVIRONMENT = "${{"
LISTENER_SETTINGS = frozenset({"node_listen", "proxy_protocol"})
"""The settings that decide whether APISIX serves plain HTTP to clients."""
# setting name -> its path under the config's root ("admin" stands for the Admin API's base section).
_PLACES: dict[str, tuple[str, ...]] = {
    "node_listen": ("apisix", "node_listen"),
    "proxy_protocol": ("apisix", "proxy_protocol"),
    "ssl.enable": ("apisix", "ssl", "enable"),
    "ssl.listen": ("apisix", "ssl", "listen"),
    "ssl_protocols": ("apisix", "ssl", "ssl_protocols"),
    "ssl_ciphers": ("apisix", "ssl", "ssl_ciphers"),
    "enable_admin": ("apisix", "enable_admin"),
    "role": ("deployment", "role"),
    "admin_listen": ("admin", "admin_listen"),
    "allow_admin": ("admin", "allow_admin"),
    "admin_key_required": ("admin", "admin_key_required"),
}


def referenced_settings(root: Mapping[str, Any], admin_base: str) -> dict[str, str]:
    """Each setting written with `${{...}}` (anywhere in its value), by name, with its dotted place."""
    found = {}
    for name, path in _PLACES.items():
        keys = (*admin_base.strip("/").split("/"), *path[1:]) if path[0] == "admin" else path
        node: Any = root
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        if any(_ENVIRONMENT in text for text in _strings(node, 0)):
            found[name] = ".".join(keys)
    return found


def reference_warning(place: str) -> str:
    return (f"{place} is taken from APISIX's environment (${{{{VAR}}}}): its value is unknown, so what it "
            "decides is not judged, neither as written nor as APISIX's default")


def _strings(node: object, depth: int) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in list(node.values())[:64]:
            yield from _strings(value, depth + 1)
    elif isinstance(node, list):
        for value in node[:64]:
            yield from _strings(value, depth + 1)
