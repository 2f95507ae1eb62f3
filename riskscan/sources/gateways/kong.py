"""Reader for Kong Gateway configuration: decK declarative files and Admin API exports.

A decK file (`kong.yaml`, `_format_version: "3.0"`, YAML or JSON; also what Kong's DB-less mode loads)
lists services with their nested routes and plugins, top-level routes naming their `service`, plugins
at service, route, consumer, consumer group and global level, consumers, upstreams and certificates.
How routes and plugins are resolved is `kong_build`'s job; Admin API exports (`{"data": [...]}` from
`/routes`, `/services`, `/plugins`, `/consumers`) are read by `kong_admin`.

Nothing configured as a credential is kept: consumers are counted and their `keyauth_credentials`,
`basicauth_credentials`, `jwt_secrets`, `oauth2_credentials` ... never read; certificates are never read
either, and an inline private key (`certificates[].key`) is reported as a secret held in the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from riskscan.errors import SourceError
from riskscan.model import Evidence, GatewayConfig, SourceKind
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_sniff import top_level_keys
from riskscan.sources.gateways.kong_admin import is_admin_export, read_admin_export
from riskscan.sources.gateways.kong_build import build_routes, global_plugin_refs
from riskscan.sources.gateways.kong_consumers import ConsumerLimits
from riskscan.sources.gateways.kong_entities import KongEntities, Located, Scope, reference
from riskscan.sources.gateways.kong_exposure import clear_secret_pointers
from riskscan.sources.structured import StructuredDocument, load_structured

__all__ = ["KongError", "KongReader"]

_MARKERS = frozenset({"_format_version", "_transform", "_info", "_workspace", "_konnect"})
_ENTITY_KEYS = frozenset(
    {
        "services",
        "routes",
        "plugins",
        "consumers",
        "consumer_groups",
        "upstreams",
        "targets",
        "certificates",
        "ca_certificates",
        "snis",
        "vaults",
        "keys",
        "key_sets",
        "partials",
        "filter_chains",
        "custom_entities",
        "licenses",
    }
)
# Keys only Kong uses at the top level (APISIX shares services, routes, upstreams, consumers ...).
_KONG_ONLY_KEYS = frozenset(
    {"ca_certificates", "certificates", "targets", "snis", "vaults", "key_sets", "partials"}
)
# Kong routes match on `paths`; APISIX routes on `uri`/`uris`.
_ROUTE_PATHS = re.compile(r"^[ \t]*(?:-[ \t]+)?[\"']?paths[\"']?[ \t]*:", re.MULTILINE)
_APISIX_URI = re.compile(r"^[ \t]*(?:-[ \t]+)?[\"']?uris?[\"']?[ \t]*:", re.MULTILINE)


class KongError(SourceError):
    """A Kong configuration file that cannot be read."""


class KongReader:
    """Reads decK declarative files and Admin API exports into a `GatewayConfig`."""

    kind = SourceKind.KONG
    title = "Kong decK declarative file (YAML or JSON), Admin API exports"
    summary = ("services, routes (prefix paths, plain ~ regexes) and plugins at route, service, consumer and "
               "global level resolved into authentication, rate limits, loggers and monitors; a folder's Admin "
               "API exports joined; consumers counted, credentials and certificates never read")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a decK file (`_format_version`, or Kong's entity lists such as `certificates` or
        routes matching on `paths`) and for an Admin API export (see `kong_admin.is_admin_export`)."""
        text = head.decode("utf-8", errors="replace")
        keys = top_level_keys(text)
        if keys.keys() & _MARKERS:
            return True
        if keys and set(keys) <= _ENTITY_KEYS and keys.keys() & {"services", "routes"}:
            return bool(keys.keys() & _KONG_ONLY_KEYS) or bool(
                _ROUTE_PATHS.search(text) and not _APISIX_URI.search(text)
            )
        return is_admin_export(text)

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one decK file or Admin API export; raise `KongError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            document = load_structured(path, context)
        except SourceError as error:
            raise KongError(error.problem, path=error.path, line=error.line) from None
        root = document.data
        if not isinstance(root, dict):
            raise KongError("the top level is not a mapping of Kong entities", path=shown, line=1)
        if "data" in root and not root.keys() & (_ENTITY_KEYS | _MARKERS):
            try:
                return read_admin_export(path, document, context)
            except SourceError as error:
                raise KongError(error.problem, path=error.path, line=error.line) from None
        return _read_declarative(document, root, shown)


def _read_declarative(document: StructuredDocument, root: dict[str, object], shown: str) -> GatewayConfig:
    for key in sorted(_ENTITY_KEYS & root.keys()):
        if root[key] is not None and not isinstance(root[key], list):
            raise KongError(f"`{key}` is not a list", path=shown, line=document.line_of(f"/{key}"))
    warnings: list[str] = []
    entities = _entities(document, root, shown, warnings)
    entities.consumer_limits = ConsumerLimits(root, shown, document, warnings.append).for_route
    routes = build_routes(entities, warnings.append, shown)
    keys = _inline_private_keys(root)
    if keys:
        warnings.append(
            f"{keys} certificate(s) hold an inline private key, a secret (not read);"
            " keep keys in a vault and reference them"
        )
    return GatewayConfig(
        path=shown,
        gateway="kong",
        routes=tuple(routes),
        global_plugins=global_plugin_refs(entities),
        consumer_count=len(_items(root, "consumers")),
        warnings=tuple(dict.fromkeys(warnings)),
        clear_secrets=tuple(
            Evidence(path=shown, line=document.line_of(pointer), pointer=pointer,
                     note=f"{name} written in clear (not a {{vault://}} reference)")
            for pointer, name in clear_secret_pointers(root)
        ),
    )


def _items(owner: object, key: str) -> list[tuple[int, dict[str, object]]]:
    """The mapping entries of a list under `key`, with their indexes (other entries skipped)."""
    value = owner.get(key) if isinstance(owner, dict) else None
    if not isinstance(value, list):
        return []
    return [
        (index, {str(k): v for k, v in item.items()})
        for index, item in enumerate(value)
        if isinstance(item, dict)
    ]


def _entities(
    document: StructuredDocument, root: dict[str, object], shown: str, warnings: list[str]
) -> KongEntities:
    """decK's nested and top-level entities, each with its pointer, plugins with their scope."""
    version = root.get("_format_version")
    entities = KongEntities(
        is_legacy=isinstance(version, (str, int, float)) and str(version).split(".")[0] in ("0", "1", "2")
    )

    def located(data: dict[str, object], pointer: str) -> Located:
        return Located(data, shown, document, pointer)

    def add_route(data: dict[str, object], pointer: str, service_ref: str | None) -> None:
        route_ref = f"#{len(entities.routes)}"
        entities.routes.append((located(data, pointer), service_ref))
        for index, plugin in _items(data, "plugins"):
            entities.plugins.append((located(plugin, f"{pointer}/plugins/{index}"), Scope(route=route_ref)))

    for index, service in _items(root, "services"):
        pointer, service_ref = f"/services/{index}", f"#{len(entities.services)}"
        entities.services.append(located(service, pointer))
        for route_index, route in _items(service, "routes"):
            add_route(route, f"{pointer}/routes/{route_index}", service_ref)
        for plugin_index, plugin in _items(service, "plugins"):
            entities.plugins.append(
                (located(plugin, f"{pointer}/plugins/{plugin_index}"), Scope(service=service_ref))
            )
    for index, route in _items(root, "routes"):
        add_route(route, f"/routes/{index}", reference(route.get("service")))
    for index, plugin in _items(root, "plugins"):
        scope = Scope(
            service=reference(plugin.get("service")),
            route=reference(plugin.get("route")),
            is_consumer=bool(plugin.get("consumer") or plugin.get("consumer_group")),
        )
        entities.plugins.append((located(plugin, f"/plugins/{index}"), scope))
    entities.upstreams.extend(
        located(upstream, f"/upstreams/{index}") for index, upstream in _items(root, "upstreams")
    )
    for key in ("services", "routes", "plugins"):
        listed = root.get(key)
        skipped = sum(1 for item in listed if not isinstance(item, dict)) if isinstance(listed, list) else 0
        if skipped:
            warnings.append(
                f"{skipped} entr{'y' if skipped == 1 else 'ies'} of `{key}` not a mapping: skipped"
            )
    return entities


def _inline_private_keys(root: dict[str, object]) -> int:
    """How many certificates carry a private key in the file itself (the key is never read)."""
    return sum(
        1
        for _, certificate in _items(root, "certificates")
        if certificate.get("key") or certificate.get("key_alt")
    )
