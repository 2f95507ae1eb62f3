"""Reader for Apache APISIX standalone configuration (`conf/apisix.yaml`, or `conf/apisix.json`).

In standalone mode APISIX takes all of its routes, services, upstreams, plugin configs, global rules,
consumers and SSL objects from one file (docs/en/latest/deployment-modes.md). This reader resolves
each route the way APISIX does and reports what is enforced on it:

- a route's plugins are merged by name with precedence route > plugin config > service, and
  global rules run on every route in addition; a plugin whose `_meta.disable` is true is not in force;
- a plugin with a `_meta.filter` runs only for matching requests, so it is listed but not counted as
  enforcing authentication, rate limiting or logging;
- a route's hosts default to its service's; its upstream is the first of route `upstream`,
  `upstream_id`, service `upstream`, `upstream_id`;
- an SSL object with `client.ca` makes APISIX demand client certificates for its SNIs: routes whose
  every host is covered get an mTLS requirement (unless `client.skip_mtls_uri_regex` exempts them).

APISIX loads a YAML file only when it ends with `#END`; a file without it is still read, with a
warning. Nothing configured as a credential (consumer keys, `client_secret`, certificates) is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from riskscan.errors import SourceError
from riskscan.model import (
    AuthKind,
    AuthRequirement,
    Evidence,
    GatewayConfig,
    GatewayRoute,
    PluginRef,
    RateLimitPolicy,
    SourceKind,
    Upstream,
)
from riskscan.redaction import redact, redact_path
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_consumers import ConsumerLimits
from riskscan.sources.gateways.apisix_exposure import clear_secret_pointers, cors_policy, upstream_detail
from riskscan.sources.gateways.apisix_plugins import (
    LOGGER_PLUGINS,
    MONITOR_PLUGINS,
    MutualTls,
    auth_requirement,
    rate_limit_policies,
)
from riskscan.sources.gateways.apisix_sniff import RESOURCE_KEYS, looks_like_json, looks_like_standalone
from riskscan.sources.gateways.apisix_vars import render_vars
from riskscan.sources.structured import (
    MAX_DEPTH,
    TOO_DEEP,
    StructuredDocument,
    join_pointer,
    load_text,
    parse_structured_text,
)

__all__ = ["NO_END_MARKER_WARNING", "ApisixError", "ApisixReader"]

NO_END_MARKER_WARNING = "no #END marker: APISIX standalone mode will not load this file"

ConfigValue: TypeAlias = "dict[str, ConfigValue] | list[ConfigValue] | str | int | float | bool | None"
"""Plain JSON-like data as read from the file, every mapping key as text."""

_MAX_EXCERPT = 200
_MAX_NODES_SHOWN = 5


class ApisixError(SourceError):
    """An APISIX standalone file that cannot be read."""


@dataclass(frozen=True)
class _Plugin:
    """One plugin configuration as written on a route, service, plugin config or global rule."""

    name: str
    conf: Mapping[str, ConfigValue]
    attached_to: str
    pointer: str

    @property
    def is_disabled(self) -> bool:
        # `_meta.disable` since APISIX 3.0; a top-level `disable` in 2.x configurations.
        meta = self.conf.get("_meta")
        return (isinstance(meta, dict) and meta.get("disable") is True) or self.conf.get("disable") is True

    @property
    def is_conditional(self) -> bool:
        meta = self.conf.get("_meta")
        return isinstance(meta, dict) and bool(meta.get("filter"))


class ApisixReader:
    """Reads APISIX standalone files into a `GatewayConfig`."""

    kind = SourceKind.APISIX
    title = "Apache APISIX standalone apisix.yaml (or .json)"
    summary = ("routes with plugins merged from services, plugin configs and global rules, resolved into "
               "authentication, rate limits, loggers and monitors; consumers counted, credentials never kept")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a standalone file: resource lists at the top level, or the `#END` marker.

        False for APISIX's `conf/config.yaml`, OpenAPI documents (including Dashboard exports),
        Kubernetes manifests and other gateways' configs, whose top-level keys give them away.
        """
        return looks_like_standalone(path, head)

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one standalone file; raise `ApisixError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            text = load_text(path, context)
            document = parse_structured_text(text, path, shown)
        except SourceError as error:
            raise ApisixError(error.problem, path=error.path, line=error.line) from None
        root = _plain(document.data, shown, 0)
        root = root if root is not None else {}
        if not isinstance(root, dict):
            raise ApisixError("the top level is not a mapping of APISIX resources", path=shown, line=1)
        for key in sorted(RESOURCE_KEYS & root.keys()):
            if root[key] is not None and not isinstance(root[key], list):
                raise ApisixError(f"`{key}` is not a list", path=shown, line=document.line_of(f"/{key}"))
        is_json = looks_like_json(text)
        warnings = [] if is_json or text.rstrip().endswith("#END") else [NO_END_MARKER_WARNING]
        return _ConfigBuilder(document, root, shown, warnings).build()


def _plain(value: object, shown: str, depth: int) -> ConfigValue:
    """Loaded data as `ConfigValue`: keys as text, timestamps and the like as text, binary hidden.

    Copying follows aliases, so this also refuses data nested too deeply once they are expanded
    (the loader counts only the nesting as written).
    """
    if depth > MAX_DEPTH:
        raise ApisixError(f"refused: {TOO_DEEP}", path=shown)
    if isinstance(value, dict):
        return {
            "" if key is None else str(key): _plain(item, shown, depth + 1) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_plain(item, shown, depth + 1) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return "<binary>" if isinstance(value, bytes) else str(value)


def _items(root: Mapping[str, ConfigValue], key: str) -> list[tuple[int, dict[str, ConfigValue]]]:
    """The mapping entries of a top-level resource list, with their indexes (other entries skipped)."""
    value = root.get(key)
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _identifier(item: Mapping[str, ConfigValue]) -> str | None:
    value = item.get("id")
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def _strings(value: ConfigValue) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


class _ConfigBuilder:
    """Resolves every route of one loaded standalone file into `GatewayRoute`s."""

    def __init__(
        self, document: StructuredDocument, root: dict[str, ConfigValue], shown: str, warnings: list[str]
    ) -> None:
        self._document = document
        self._root = root
        self._path = shown
        self._warnings = warnings
        self._services = self._index("services")
        self._upstreams = self._index("upstreams")
        self._plugin_configs = self._index("plugin_configs")
        self._globals = [
            plugin
            for index, rule in _items(root, "global_rules")
            for plugin in self._plugins(rule, f"/global_rules/{index}", "global_rule")
            if not plugin.is_disabled
        ]
        self._mtls = MutualTls.collect(root, self._warnings.append)
        self._consumer_limits = ConsumerLimits(root, self._evidence, self._warner)
        self._refs: dict[str, PluginRef] = {}

    def build(self) -> GatewayConfig:
        """The whole file as a `GatewayConfig`."""
        routes = []
        listed = self._root.get("routes")
        for index, item in enumerate(listed if isinstance(listed, list) else []):
            route = self._route(index, item)
            if route is not None:
                routes.append(route)
        stream_routes = len(_items(self._root, "stream_routes"))
        if stream_routes:
            self._warnings.append(f"{stream_routes} stream route(s) (TCP/UDP proxying) are not assessed")
        return GatewayConfig(
            path=self._path,
            gateway="apisix",
            routes=tuple(routes),
            global_plugins=tuple(self._ref(plugin) for plugin in self._globals),
            consumer_count=len(_items(self._root, "consumers")),
            warnings=tuple(dict.fromkeys(self._warnings)),  # a service's plugin is met once per route
            clear_secrets=tuple(
                self._evidence(pointer, note=f"{name} written in clear (not an $env:// or secret reference)")
                for pointer, name in clear_secret_pointers(self._root)
            ),
        )

    def _index(self, key: str) -> dict[str, tuple[int, dict[str, ConfigValue]]]:
        found: dict[str, tuple[int, dict[str, ConfigValue]]] = {}
        for index, item in _items(self._root, key):
            identifier = _identifier(item)
            if identifier is not None:
                found.setdefault(identifier, (index, item))
        return found

    def _warner(self, pointer: str) -> Callable[[str], None]:
        """Where a plugin setting's problem goes: this file's warnings, prefixed with its location."""
        return lambda message: self._warnings.append(f"{pointer}: {message}")

    def _evidence(self, pointer: str, excerpt: str | None = None, note: str | None = None) -> Evidence:
        short = redact(excerpt)[:_MAX_EXCERPT] if excerpt else None
        line = self._document.line_of(pointer)
        return Evidence(path=self._path, line=line, pointer=pointer, excerpt=short, note=note)

    def _plugins(self, owner: Mapping[str, ConfigValue], pointer: str, attached_to: str) -> list[_Plugin]:
        plugins = owner.get("plugins")
        if not isinstance(plugins, dict):
            return []
        base = join_pointer(pointer, "plugins")
        return [
            _Plugin(name, conf if isinstance(conf, dict) else {}, attached_to, join_pointer(base, name))
            for name, conf in plugins.items()
        ]

    def _ref(self, plugin: _Plugin) -> PluginRef:
        if plugin.pointer not in self._refs:  # global rules' plugins are shared by every route
            self._refs[plugin.pointer] = self._make_ref(plugin)
        return self._refs[plugin.pointer]

    def _make_ref(self, plugin: _Plugin) -> PluginRef:
        note = "runs only when its _meta.filter matches" if plugin.is_conditional else None
        excerpt = f"plugin {plugin.name} on {plugin.attached_to.replace('_', ' ')}"
        return PluginRef(
            name=plugin.name,
            attached_to=plugin.attached_to,
            evidence=self._evidence(plugin.pointer, excerpt, note),
        )

    def _route(self, index: int, item: ConfigValue) -> GatewayRoute | None:
        pointer = f"/routes/{index}"
        label = f"route[{index}]"
        if not isinstance(item, dict):
            self._warnings.append(f"{label} is not a mapping: skipped")
            return None
        route_id = redact(_identifier(item) or label)
        uris = tuple(redact_path(uri) for uri in _strings(item.get("uris")) or _strings(item.get("uri")))
        if not uris:
            self._warnings.append(f"route {route_id} has neither uri nor uris (APISIX rejects it): skipped")
            return None
        service, is_resolved = self._service_of(item, route_id)
        plugins = self._plugins_in_force(item, pointer, service, route_id)
        is_resolved = is_resolved and plugins is not None
        in_force = [plugin for plugin in (plugins or []) if not plugin.is_conditional]
        hosts = _strings(item.get("hosts")) or _strings(item.get("host"))
        if not hosts and service is not None:
            hosts = _strings(service[1].get("hosts"))
        methods = tuple(method.upper() for method in _strings(item.get("methods")))
        name = item.get("name")
        return GatewayRoute(
            gateway="apisix",
            route_id=route_id,
            name=redact(name) if isinstance(name, str) else None,
            uris=uris,
            methods=methods,
            hosts=hosts,
            conditions=_conditions(item),
            is_enabled=is_resolved and item.get("status") != 0,
            plugins=tuple(self._ref(plugin) for plugin in plugins or []),
            auth=self._auth(in_force, hosts, uris),
            rate_limits=self._rate_limits(in_force),
            loggers=tuple(sorted({plugin.name for plugin in in_force if plugin.name in LOGGER_PLUGINS})),
            monitors=tuple(sorted({plugin.name for plugin in in_force if plugin.name in MONITOR_PLUGINS})),
            upstream=self._upstream(item, service),
            evidence=self._evidence(pointer, _route_excerpt(route_id, uris, methods, hosts)),
            upstream_detail=self._upstream_detail(item, service, pointer),
            cors=tuple(cors_policy(p.conf, self._evidence(p.pointer, f"plugin cors on {p.attached_to}"))
                       for p in in_force if p.name == "cors"),
        )

    def _service_of(
        self, item: Mapping[str, ConfigValue], route_id: str
    ) -> tuple[tuple[int, dict[str, ConfigValue]] | None, bool]:
        """The route's service (index and body) and whether its `service_id`, if any, resolves."""
        service_id = _identifier({"id": item.get("service_id")})
        if service_id is None:
            return None, True
        service = self._services.get(service_id)
        if service is None:
            self._warnings.append(
                f"route {route_id}: service_id {redact(service_id)} is not defined "
                "(APISIX answers 404 on this route); treated as not enabled"
            )
        return service, service is not None

    def _plugins_in_force(
        self,
        item: Mapping[str, ConfigValue],
        pointer: str,
        service: tuple[int, dict[str, ConfigValue]] | None,
        route_id: str,
    ) -> list[_Plugin] | None:
        """Route plugins merged over its plugin config's and its service's, then global rules.

        None when the route's `plugin_config_id` does not resolve (APISIX then answers 503).
        """
        merged: dict[str, _Plugin] = {}
        if service is not None:
            merged.update(
                (p.name, p) for p in self._plugins(service[1], f"/services/{service[0]}", "service")
            )
        config_id = _identifier({"id": item.get("plugin_config_id")})
        if config_id is not None:
            config = self._plugin_configs.get(config_id)
            if config is None:
                self._warnings.append(
                    f"route {route_id}: plugin_config_id {redact(config_id)} is not defined "
                    "(APISIX answers 503 on this route); treated as not enabled"
                )
                return None
            merged.update(
                (p.name, p) for p in self._plugins(config[1], f"/plugin_configs/{config[0]}", "plugin_config")
            )
        merged.update((p.name, p) for p in self._plugins(item, pointer, "route"))
        own = sorted((plugin for plugin in merged.values() if not plugin.is_disabled), key=lambda p: p.name)
        return own + self._globals

    def _auth(
        self, in_force: list[_Plugin], hosts: tuple[str, ...], uris: tuple[str, ...]
    ) -> tuple[AuthRequirement, ...]:
        requirements: dict[tuple[AuthKind, str], AuthRequirement] = {}
        for plugin in in_force:
            requirement = auth_requirement(plugin.name, plugin.conf)
            if requirement is not None:
                requirements.setdefault((requirement.kind, requirement.scheme), requirement)
        ssl = self._mtls.covering(hosts, uris)
        if ssl is not None:
            scheme = f"ssl {ssl} client.ca"
            requirements.setdefault(
                (AuthKind.MTLS, scheme), AuthRequirement(kind=AuthKind.MTLS, scheme=scheme)
            )
        return tuple(requirements.values())

    def _rate_limits(self, in_force: list[_Plugin]) -> tuple[RateLimitPolicy, ...]:
        """The route's own limits, then those every consumer it admits carries (see apisix_consumers)."""
        own = tuple(
            policy
            for plugin in in_force
            for policy in rate_limit_policies(plugin.name, plugin.conf, self._evidence(plugin.pointer),
                                              self._warner(plugin.pointer))
        )
        return own + self._consumer_limits.for_route([plugin.name for plugin in in_force])

    def _upstream(
        self, item: Mapping[str, ConfigValue], service: tuple[int, dict[str, ConfigValue]] | None
    ) -> str | None:
        owners = [item] + ([service[1]] if service is not None else [])
        for owner in owners:
            inline = owner.get("upstream")
            if isinstance(inline, dict):
                return _upstream_hosts(inline)
            upstream_id = _identifier({"id": owner.get("upstream_id")})
            if upstream_id is not None:
                found = self._upstreams.get(upstream_id)
                return _upstream_hosts(found[1]) if found is not None else f"upstream {redact(upstream_id)}"
        return None


    def _upstream_detail(
        self,
        item: Mapping[str, ConfigValue],
        service: tuple[int, dict[str, ConfigValue]] | None,
        pointer: str,
    ) -> Upstream | None:
        """The first of route `upstream`, `upstream_id`, service `upstream`, `upstream_id`, in detail."""
        owners = [(item, pointer)]
        if service is not None:
            owners.append((service[1], f"/services/{service[0]}"))
        for owner, at in owners:
            inline = owner.get("upstream")
            if isinstance(inline, dict):
                return upstream_detail(inline, self._evidence(f"{at}/upstream", "inline upstream"))
            upstream_id = _identifier({"id": owner.get("upstream_id")})
            found = self._upstreams.get(upstream_id) if upstream_id is not None else None
            if found is not None:
                excerpt = f"upstream {redact(upstream_id or '')}"
                return upstream_detail(found[1], self._evidence(f"/upstreams/{found[0]}", excerpt))
        return None


def _conditions(item: Mapping[str, ConfigValue]) -> tuple[str, ...]:
    """Matching conditions beyond uri, method and host: `vars`, client addresses, `filter_func`."""
    conditions = list(render_vars(item["vars"])) if item.get("vars") else []
    addresses = _strings(item.get("remote_addrs")) or _strings(item.get("remote_addr"))
    if addresses:
        conditions.append(f"client address in {len(addresses)} allowed range(s)")
    if item.get("filter_func"):
        conditions.append("filter_func (custom Lua predicate)")
    return tuple(conditions)


def _route_excerpt(
    route_id: str, uris: tuple[str, ...], methods: tuple[str, ...], hosts: tuple[str, ...]
) -> str:
    text = f"route {route_id} uris={','.join(uris)} methods={','.join(methods) or 'any'}"
    return f"{text} hosts={','.join(hosts)}" if hosts else text


def _upstream_hosts(upstream: Mapping[str, ConfigValue]) -> str | None:
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
