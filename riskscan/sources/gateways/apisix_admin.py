"""APISIX Admin API exports: the JSON that `GET /apisix/admin/<resource>` answers, one file per resource.

The Admin API answers in one of these shapes (docs/en/latest/admin-api.md):

- v3 (APISIX 3.x) list: `{"total": N, "list": [{"key": "/apisix/routes/1", "value": {...},
  "createdIndex": .., "modifiedIndex": ..}]}`, one page of `page_size` entries when paged;
- v2 (APISIX 2.x) list: `{"action": "get", "count": N, "node": {"key": "/apisix/routes", "dir": true,
  "nodes": [...]}}`; an empty list is written `{}` by both versions (an empty Lua table);
- a single object: `{"key": "/apisix/routes/1", "value": {...}}` (v3), or under `node` (v2).

Each entry's `key` says which resource it is (`/apisix/<resource>/<id>`; JSON may escape the slashes).
Routes, services, plugin configs, global rules, consumers and SSL objects are kept apart and linked by
ids, so the exports of one folder are joined as one configuration, as `kong_admin` joins Kong's: a routes
export yields the routes, resolved with every other export beside it (found by content; an empty one by
its name, `global_rules.json` ...). A resource kind with no export beside it is not known: what it
could add to a route becomes `not_shown`, in one warning (see `apisix_build`). The other exports yield
no routes of their own: consumers are counted (their credentials never read), global rules list the
global plugins. Evidence names the file and the entry (`/list/3/value/plugins/key-auth`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from riskscan.errors import SourceError
from riskscan.model import GatewayConfig
from riskscan.sources.gateways.apisix_build import ConfigValue, Location, build_config
from riskscan.sources.gateways.apisix_sniff import looks_like_json, top_level_keys
from riskscan.sources.structured import StructuredDocument, sibling_documents

if TYPE_CHECKING:  # a runtime import would be circular: the registry imports the readers
    from riskscan.sources import ReadContext

__all__ = [
    "ADMIN_RESOURCES",
    "AdminExport",
    "assemble_config",
    "looks_like_admin_export",
    "parse_admin_export",
    "read_admin_export",
]

ADMIN_RESOURCES = (
    "routes", "services", "upstreams", "plugin_configs", "global_rules", "consumers", "consumer_groups",
    "ssls",
)
"""The resources a route is resolved with, in the order they are joined (and pulled live)."""
_OTHER_RESOURCES = frozenset({"stream_routes", "plugin_metadata", "protos", "secrets", "credentials"})

_V3_LIST = frozenset({"total", "list"})
_V2 = frozenset({"action", "count", "node"})
_SINGLE = frozenset({"key", "value", "createdIndex", "modifiedIndex", "action"})
_KEY_MARKER = re.compile(r'"key"\s*:\s*"\\?/apisix\\?/')
_EMPTY_LIST = re.compile(r'"(?:list|nodes)"\s*:\s*(?:\[\s*\]|\{\s*\})')


def looks_like_admin_export(path: Path, text: str) -> bool:
    """True for the head of an Admin API response: a v3 or v2 list, or a single object, whose entries'
    keys start with `/apisix/`; an empty list when the file is named after a resource (`ssls.json`)."""
    if not looks_like_json(text):
        return False
    names = set(top_level_keys(text))
    is_shaped = (
        ("list" in names and names <= _V3_LIST)
        or ("node" in names and names <= _V2)
        or ({"key", "value"} <= names <= _SINGLE)
    )
    if not is_shaped:
        return False
    is_named_empty = _stem(path.name) in ADMIN_RESOURCES and bool(_EMPTY_LIST.search(text))
    return bool(_KEY_MARKER.search(text)) or is_named_empty


@dataclass(frozen=True)
class AdminEntry:
    """One resource of an export: its body and the JSON pointer of that body in the export."""

    value: dict[str, ConfigValue]
    pointer: str


@dataclass(frozen=True)
class AdminExport:
    """One Admin API response: which resource it lists, where it came from, and its entries."""

    kind: str | None  # "routes", "services" ...; None when neither entries nor name tell
    shown: str  # the file (or URL) as shown in evidence
    document: StructuredDocument
    entries: tuple[AdminEntry, ...]
    warnings: tuple[str, ...] = ()
    total: int | None = None  # a v3 list's `total`: more than it lists when it is one page of several
    listed: int = 0  # how many entries the response's list held, good or bad


def parse_admin_export(document: StructuredDocument, shown: str, name: str) -> AdminExport | None:
    """The export in a parsed response, or None when it has no Admin API response shape.

    Raises `SourceError` when the shape is right but the list is not one. `name` (the file name or the
    URL's last segment) gives the kind of an empty list.
    """
    data = document.data
    if not isinstance(data, dict):
        return None
    keys = set(data)
    node = data.get("node")
    if "list" in keys and keys <= _V3_LIST:
        listed, base, total = data["list"], "/list", data.get("total")
    elif isinstance(node, dict) and keys <= _V2 and "nodes" in node:
        listed, base, total = node["nodes"], "/node/nodes", None  # v2 `count` is unreliable (a string ...)
    elif isinstance(node, dict) and keys <= _V2 and "value" in node:
        listed, base, total = [node], "", None
        base = "/node"
    elif {"key", "value"} <= keys <= _SINGLE:
        listed, base, total = [data], "", None
    else:
        return None
    if listed == {}:
        listed = []
    if not isinstance(listed, list):
        field = base.rsplit("/", 1)[-1]
        raise SourceError(f"`{field}` is not a list", path=shown, line=document.line_of(base))
    is_single = base in ("", "/node")
    return _export(document, shown, name, listed, base, is_single, total, node)


def _export(
    document: StructuredDocument,
    shown: str,
    name: str,
    listed: list[object],
    base: str,
    is_single: bool,
    total: object,
    node: object,
) -> AdminExport:
    """The entries of a response's list, each with its kind; the export's kind is the first entry's."""
    kinds: list[str] = []
    entries: list[AdminEntry] = []
    skipped = 0
    for index, item in enumerate(listed):
        pointer = f"{base}/value" if is_single else f"{base}/{index}/value"
        value = item.get("value") if isinstance(item, dict) else None
        key = item.get("key") if isinstance(item, dict) else None
        kind = _kind_of(key)
        if not isinstance(value, dict) or not isinstance(key, str) or kind is None:
            skipped += 1
            continue
        kinds.append(kind)
        entries.append(AdminEntry(_with_id(cast(dict[str, ConfigValue], value), key, kind), pointer))
    kind = kinds[0] if kinds else _list_kind(node, name)
    warnings = []
    others = sum(1 for other in kinds if other != kind)
    if others:
        warnings.append(f"{_entries(others)} of another resource than /{kind}: skipped")
        entries = [entry for entry, other in zip(entries, kinds) if other == kind]
    if skipped:
        warnings.append(f"{_entries(skipped)} without a `key` and `value`: skipped")
    count = total if isinstance(total, int) and not isinstance(total, bool) else None
    return AdminExport(kind, shown, document, tuple(entries), tuple(warnings), count, len(listed))


def _entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def _kind_of(key: object) -> str | None:
    """`/apisix/routes/1` -> `routes`; a consumer's credential (`/apisix/consumers/jack/credentials/c`)
    -> `credentials`, which is never read."""
    if not isinstance(key, str):
        return None
    parts = key.strip("/").split("/")
    if len(parts) < 3 or parts[0] != "apisix":
        return None
    return parts[1] if len(parts) == 3 else parts[-2]


def _with_id(value: dict[str, ConfigValue], key: str, kind: str) -> dict[str, ConfigValue]:
    """The body with the id its key gives, when the body lacks one (APISIX 2.x left it out)."""
    if kind == "consumers" or value.get("id") is not None:
        return value
    return {**value, "id": key.rstrip("/").rsplit("/", 1)[-1]}


def _list_kind(node: object, name: str) -> str | None:
    """The kind of a list without entries: from a v2 node's key, else from the file's name."""
    key = node.get("key") if isinstance(node, dict) else None
    if isinstance(key, str) and key.strip("/").startswith("apisix/"):
        return key.strip("/").split("/")[1]
    stem = _stem(name)
    return stem if stem in ADMIN_RESOURCES or stem in _OTHER_RESOURCES else None


def _stem(name: str) -> str:
    return name.lower().split(".")[0]


def read_admin_export(path: Path, document: StructuredDocument, context: ReadContext) -> GatewayConfig:
    """Read one export file, joined with the exports beside it (see the module docstring)."""
    shown = context.relative_path(path)
    export = parse_admin_export(document, shown, path.name)
    if export is None or export.kind is None:
        raise SourceError("not an APISIX Admin API export of a resource riskscan reads", path=shown)
    exports = _siblings(path, context)
    held = export.listed + sum(other.listed for other in exports.get(export.kind, []))  # pages side by side
    if export.total is not None and export.total > held:
        page = (f"one page of an Admin API list of {export.total} (`total`), {held} of them in this folder:"
                " the others are not in it")
        export = replace(export, warnings=(page, *export.warnings))
    if export.kind != "routes":
        return _companion(export, exports.get("routes", []))
    joined = {kind: found for kind, found in exports.items() if kind != "routes"}
    config = assemble_config({**joined, "routes": [export]}, shown, list(export.warnings))
    # Consumers and global plugins are counted once, by their own exports (see `_companion`).
    return config.model_copy(update={"global_plugins": (), "consumer_count": 0})


def assemble_config(
    exports: Mapping[str, Sequence[AdminExport]], shown: str, warnings: list[str]
) -> GatewayConfig:
    """One configuration from the exports of each resource (several pages or files of one are
    concatenated): routes resolved as APISIX resolves them, evidence pointing into each export.
    Resources with no export are not known (see `apisix_build`)."""
    root: dict[str, ConfigValue] = {}
    origins: dict[str, list[tuple[AdminExport, str]]] = {}
    for kind in ADMIN_RESOURCES:
        for export in exports.get(kind, ()):
            for entry in export.entries:
                cast(list[ConfigValue], root.setdefault(kind, [])).append(entry.value)
                origins.setdefault(kind, []).append((export, entry.pointer))
    # Consumers' credentials are a resource of their own, never read: which auth plugins admit which
    # consumer is then not known (see `apisix_consumers.ConsumerLimits`).
    unexported = frozenset(kind for kind in ADMIN_RESOURCES if kind not in exports) | {"credentials"}

    def locate(pointer: str) -> Location:
        _, kind, index, *rest = (pointer.split("/", 3) + ["", ""])[:4]
        found = origins.get(kind, [])
        if not index.isdigit() or int(index) >= len(found):
            return shown, pointer, None
        export, base = found[int(index)]
        real = f"{base}/{rest[0]}" if rest and rest[0] else base
        return export.shown, real, export.document.line_of(real)

    return build_config(root, shown, locate, warnings, unexported)


def _companion(export: AdminExport, routes: Sequence[AdminExport]) -> GatewayConfig:
    """A services, consumers, global rules ... export: no routes of its own, and what it joined."""
    warnings = list(export.warnings)
    if routes:
        warnings.append(
            f"APISIX Admin API /{export.kind} export, read with the /routes export {routes[0].shown}"
        )
    else:
        warnings.append(f"APISIX Admin API /{export.kind} export with no /routes export beside it: "
                        "it routes nothing alone")
    kind = export.kind or ""
    if kind not in ADMIN_RESOURCES:
        return GatewayConfig(path=export.shown, gateway="apisix", routes=(), warnings=tuple(warnings))
    return assemble_config({kind: [export]}, export.shown, warnings)


def _siblings(path: Path, context: ReadContext) -> dict[str, list[AdminExport]]:
    """The other Admin API exports in the file's folder, by resource, in name order."""
    found: dict[str, list[AdminExport]] = {}
    for sibling, document in sibling_documents(path, context, looks_like_admin_export):
        try:
            export = parse_admin_export(document, context.relative_path(sibling), sibling.name)
        except SourceError:
            continue  # that file is reported on its own when it is read
        if export is not None and export.kind is not None:
            found.setdefault(export.kind, []).append(export)
    return found
