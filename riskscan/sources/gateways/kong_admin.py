"""Kong Admin API exports: `{"data": [...], "next": ...}` as returned by `GET /routes`, `/services`,
`/plugins` and `/consumers`, one file each.

The Admin API keeps routes, services and plugins apart, linked by ids: a `/routes` export alone does not
say which plugins guard its routes. So the exports of one folder are read as one configuration:

- the `/routes` export is the file that yields routes; it is joined with the `/services`, `/plugins`
  and `/consumers` exports in the same folder (found by their content; an empty export by its name,
  `plugins.json` ...). Evidence points at the file and entry (`/data/3`) each fact came from;
- without a `/plugins` export beside it the file fails: authentication and rate limits would be
  unknown, and a route shown as unauthenticated when it is not would mislead. Without `/services`
  it is read, with a warning (upstreams are then unknown);
- the other exports yield no routes of their own (their entities count through the `/routes` export):
  `/plugins` lists the global plugins, `/consumers` counts consumers, and each says what it joined;
- an export with `next` set is one page of a longer list, and a warning says so;
- every export is checked for credentials written in clear with decK's rules (`kong_exposure`):
  plugin settings (`config.client_secret` ...) and service URLs in theirs, and the credentials exports
  (`GET /key-auths`, `/basic-auths`, `/jwts`, `/oauth2`, `/hmac-auths`) and `GET /certificates` (inline
  private keys) are read for that alone: they route nothing. Only the place is kept, never the value.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.errors import SourceError
from riskscan.model import Evidence, GatewayConfig
from riskscan.sources.gateways.apisix_sniff import top_level_keys
from riskscan.sources.gateways.kong_build import build_routes, global_plugin_refs
from riskscan.sources.gateways.kong_entities import KongEntities, Located, Scope, reference
from riskscan.sources.gateways.kong_exposure import clear_secret_pointers
from riskscan.sources.structured import StructuredDocument, sibling_documents

if TYPE_CHECKING:  # a runtime import would be circular: the registry imports the readers
    from riskscan.sources import ReadContext

__all__ = ["assemble_admin_exports", "clear_secrets", "export_kind", "is_admin_export", "read_admin_export"]

_ENVELOPE_KEYS = frozenset({"data", "next", "offset"})
# Fields only Kong's Admin API entities carry: routes, services, plugins, consumers.
_MARKERS = ('"strip_path"', '"regex_priority"', '"preserve_host"', '"connect_timeout"', '"custom_id"')
_PLUGIN_MARKERS = ('"config"', '"enabled"', '"protocols"')
_CREDENTIAL_MARKERS = ('"key"', '"password"', '"secret"', '"client_secret"')
_EMPTY_DATA = re.compile(r'"data"\s*:\s*\[\s*\]')
_KINDS = ("routes", "services", "plugins", "consumers")
_MAX_SECRETS = 200  # places kept per export
_CREDENTIAL_FIELDS = frozenset({"key", "password", "secret", "client_secret"})
_NOT_KEY_AUTH = frozenset({"algorithm", "secret", "rsa_public_key"})  # a jwt credential's `key` is its issuer


def is_admin_export(text: str) -> bool:
    """True for the head of a Kong Admin API list response: a `data` list at the top level (with at
    most `next` and `offset` beside it, which follow the list, so a long export's head lacks them) and
    fields only Kong entities have."""
    keys = top_level_keys(text)
    if not keys.get("data") or not set(keys) <= _ENVELOPE_KEYS:
        return False
    if any(marker in text for marker in _MARKERS) or all(marker in text for marker in _PLUGIN_MARKERS):
        return True
    if '"created_at"' not in text:  # every Kong entity has it: credentials and certificates alike
        return False
    is_certificate = '"cert"' in text and '"key"' in text
    return is_certificate or ('"consumer"' in text and any(marker in text for marker in _CREDENTIAL_MARKERS))


def export_kind(data: object, name: str) -> str | None:
    """Which list an export holds, judged by its first entry's fields (by the file name when empty)."""
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    first = next((item for item in items if isinstance(item, dict)), None)
    if first is None:
        stem = name.lower().split(".")[0]
        return stem if not items and stem in _KINDS else None
    if first.keys() & {"paths", "strip_path", "regex_priority", "preserve_host"}:
        return "routes"
    if "config" in first and "name" in first:
        return "plugins"
    if {"cert", "key"} <= first.keys():
        return "certificates"
    if "consumer" in first and first.keys() & _CREDENTIAL_FIELDS:
        return "credentials"
    if first.keys() & {"connect_timeout", "write_timeout"} or {"host", "protocol", "port"} <= first.keys():
        return "services"
    if first.keys() & {"username", "custom_id"}:
        return "consumers"
    return None


def read_admin_export(path: Path, document: StructuredDocument, context: ReadContext) -> GatewayConfig:
    """Read one Admin API export, joined with its siblings (see the module docstring)."""
    shown = context.relative_path(path)
    kind = export_kind(document.data, path.name)
    if kind is None:
        raise SourceError("not a Kong Admin API export of routes, services, plugins, consumers, credentials"
                          " or certificates", path=shown)
    exports = _siblings(path, context)
    exports[kind] = (shown, document)
    warnings = []
    if document.data.get("next"):
        warnings.append("one page of a paginated Admin API export (`next` is set): later pages are not in it")
    if kind != "routes":
        return _companion(kind, shown, document, exports, warnings)
    return assemble_admin_exports(exports, shown, warnings)


def assemble_admin_exports(
    exports: dict[str, tuple[str, StructuredDocument]], shown: str, warnings: list[str], is_whole: bool = False
) -> GatewayConfig:
    """The routes of a /routes export resolved with the /services and /plugins exports (as files, or as
    pulled live by `riskscan.sources.live`); raises `SourceError` without a /plugins export.

    `is_whole`: the exports are the gateway's whole configuration (a live pull), so this one config
    also lists the global plugins and counts the consumers (files leave that to their own exports).
    """
    if "plugins" not in exports:
        raise SourceError(
            "a Kong Admin API /routes export is read with the /plugins export beside it"
            " (GET /plugins): without it authentication and rate limits are unknown",
            path=shown,
        )
    if "services" not in exports:
        warnings.append("no /services export beside it: upstreams and disabled services are unknown")
    entities = _entities(exports)
    routes = build_routes(entities, warnings.append, shown)
    consumers = len(_entries(*exports["consumers"])) if is_whole and "consumers" in exports else 0
    checked = [(kind, export) for kind, export in exports.items() if is_whole or kind == "routes"]
    return GatewayConfig(
        path=shown,
        gateway="kong",
        routes=tuple(routes),
        global_plugins=global_plugin_refs(entities) if is_whole else (),
        consumer_count=consumers,
        warnings=tuple(dict.fromkeys(warnings)),
        clear_secrets=tuple(item for kind, (where, document) in checked
                            for item in clear_secrets(kind, where, document)),
    )


def clear_secrets(kind: str, shown: str, document: StructuredDocument) -> tuple[Evidence, ...]:
    """Every credential one export writes in clear, by place, with decK's rules: each entry is walked
    as the decK list it matches (a key-auth credential's `key`, a certificate's `key`)."""
    items = document.data.get("data") if isinstance(document.data, dict) else None
    found: list[Evidence] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            for pointer, name in clear_secret_pointers(item, f"/data/{index}", _owner(kind, item)):
                found.append(Evidence(path=shown, line=document.line_of(pointer), pointer=pointer,
                                      note=f"{name} written in clear (not a {{vault://}} reference)"))
        if len(found) >= _MAX_SECRETS:
            break
    return tuple(found[:_MAX_SECRETS])


def _owner(kind: str, item: dict[str, object]) -> str | None:
    """The decK list an Admin API entry stands for, where that decides whether `key` is a secret."""
    if kind == "certificates":
        return "certificates"
    is_key_auth = kind == "credentials" and "key" in item and not item.keys() & _NOT_KEY_AUTH
    return "keyauth_credentials" if is_key_auth else None


def _companion(
    kind: str,
    shown: str,
    document: StructuredDocument,
    exports: dict[str, tuple[str, StructuredDocument]],
    warnings: list[str],
) -> GatewayConfig:
    """A /services, /plugins or /consumers export: no routes of its own, and what it was joined with."""
    routes = exports.get("routes")
    if kind in ("credentials", "certificates"):
        warnings.append(f"Kong Admin API {kind} export: read for credentials written in clear only")
    elif routes is None:
        warnings.append(
            f"Kong Admin API /{kind} export with no /routes export beside it: it routes nothing alone"
        )
    else:
        warnings.append(f"Kong Admin API /{kind} export, read with the /routes export {routes[0]}")
    items = _entries(shown, document)
    plugins = KongEntities(plugins=[(item, _scope(item)) for item in items]) if kind == "plugins" else None
    return GatewayConfig(
        path=shown,
        gateway="kong",
        routes=(),
        global_plugins=global_plugin_refs(plugins) if plugins is not None else (),
        consumer_count=len(items) if kind == "consumers" else 0,
        warnings=tuple(warnings),
        clear_secrets=clear_secrets(kind, shown, document),
    )


def _siblings(path: Path, context: ReadContext) -> dict[str, tuple[str, StructuredDocument]]:
    """The other Admin API exports in the file's folder, by kind (the first of each kind, by name)."""
    found: dict[str, tuple[str, StructuredDocument]] = {}
    for sibling, document in sibling_documents(path, context, _is_export_head):
        kind = export_kind(document.data, sibling.name)
        if kind is not None:
            found.setdefault(kind, (context.relative_path(sibling), document))
    return found


def _is_export_head(_: Path, head: str) -> bool:
    return is_admin_export(head) or _is_empty_export(head)


def _is_empty_export(head: str) -> bool:
    """True for `{"data": [], "next": null}`: an export of a list with nothing in it."""
    keys = top_level_keys(head)
    return "data" in keys and set(keys) <= _ENVELOPE_KEYS and _EMPTY_DATA.search(head) is not None


def _entries(shown: str, document: StructuredDocument) -> list[Located]:
    items = document.data.get("data") if isinstance(document.data, dict) else None
    return [
        Located({str(key): value for key, value in item.items()}, shown, document, f"/data/{index}")
        for index, item in enumerate(items if isinstance(items, list) else [])
        if isinstance(item, dict)
    ]


def _scope(item: Located) -> Scope:
    return Scope(
        service=reference(item.data.get("service")),
        route=reference(item.data.get("route")),
        is_consumer=bool(item.data.get("consumer") or item.data.get("consumer_group")),
    )


def _entities(exports: dict[str, tuple[str, StructuredDocument]]) -> KongEntities:
    entities = KongEntities(has_services="services" in exports)
    if "services" in exports:
        entities.services.extend(_entries(*exports["services"]))
    entities.routes.extend(
        (item, reference(item.data.get("service"))) for item in _entries(*exports["routes"])
    )
    entities.plugins.extend((item, _scope(item)) for item in _entries(*exports["plugins"]))
    return entities
