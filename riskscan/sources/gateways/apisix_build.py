"""How APISIX resolves a route, applied to loaded resources: the part shared by standalone files and
Admin API exports (`apisix.py`, `apisix_admin.py`).

- a route's plugins are merged by name with precedence route > plugin config > service, and
  global rules run on every route in addition; a plugin whose `_meta.disable` is true is not in force;
- a plugin with a `_meta.filter` runs only for matching requests, so it is listed but not counted as
  enforcing authentication, rate limiting or logging;
- a route's hosts default to its service's; its upstream is the first of route `upstream`,
  `upstream_id`, service `upstream`, `upstream_id`;
- an SSL object with `client.ca` makes APISIX demand client certificates for its SNIs: routes whose
  every host is covered get an mTLS requirement (unless `client.skip_mtls_uri_regex` exempts them).

Resources arrive as one mapping of resource lists (`routes`, `services` ...), as a standalone file
holds them. `Locate` turns a pointer into that mapping into the file, pointer and line the resource
really came from (an Admin API export keeps each resource at `/list/<n>/value` of its own file).
Resource kinds named `unexported` are not known at all (an Admin API export that was not given): what
they could add to a route is then not shown (`GatewayRoute.not_shown`), never "none".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from riskscan.model import (
    AuthKind,
    AuthRequirement,
    Evidence,
    GatewayConfig,
    GatewayRoute,
    PluginRef,
    RateLimitPolicy,
    RouteAspect,
    TlsSetting,
    Upstream,
)
from riskscan.redaction import redact, redact_path
from riskscan.sources.gateways.apisix_consumers import CONSUMER_AUTH_PLUGINS, ConsumerLimits
from riskscan.sources.gateways.apisix_exposure import clear_secret_pointers, cors_policy, upstream_detail
from riskscan.sources.gateways.apisix_fields import (
    ConfigValue,
    identifier_of,
    items_of,
    route_conditions,
    route_excerpt,
    strings_of,
    upstream_hosts,
)
from riskscan.sources.gateways.apisix_plugins import (
    LOGGER_PLUGINS,
    MONITOR_PLUGINS,
    MutualTls,
    auth_requirement,
    hides_auth,
    rate_limit_policies,
)
from riskscan.sources.gateways.apisix_transport import route_transport
from riskscan.sources.gateways.tls_versions import TlsDefault, default_setting, tls_setting
from riskscan.sources.structured import StructuredDocument, join_pointer

__all__ = ["ConfigValue", "Locate", "Location", "build_config", "locate_in"]


Location = tuple[str, str, int | None]
"""Where a resource node really is: the file as shown, the JSON pointer in it, its line."""
Locate = Callable[[str], Location]
"""From a pointer into the merged resource mapping (`/routes/3/plugins/key-auth`) to its `Location`."""

_MAX_EXCERPT = 200


def locate_in(shown: str, document: StructuredDocument) -> Locate:
    """The `Locate` of a standalone file: the mapping is the file, so pointers stay as they are."""
    return lambda pointer: (shown, pointer, document.line_of(pointer))


def build_config(
    root: dict[str, ConfigValue],
    shown: str,
    locate: Locate,
    warnings: list[str],
    unexported: frozenset[str] = frozenset(),
) -> GatewayConfig:
    """Every route of `root` resolved as APISIX resolves it, as the `GatewayConfig` of file `shown`."""
    return _ConfigBuilder(root, shown, locate, warnings, unexported).build()


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


class _ConfigBuilder:
    """Resolves every route of one mapping of APISIX resources into `GatewayRoute`s."""

    def __init__(
        self,
        root: dict[str, ConfigValue],
        shown: str,
        locate: Locate,
        warnings: list[str],
        unexported: frozenset[str],
    ) -> None:
        self._root = root
        self._path = shown
        self._locate = locate
        self._warnings = warnings
        self._unexported = unexported
        self._services = self._index("services")
        self._upstreams = self._index("upstreams")
        self._plugin_configs = self._index("plugin_configs")
        self._globals = [
            plugin
            for index, rule in items_of(root, "global_rules")
            for plugin in self._plugins(rule, f"/global_rules/{index}", "global_rule")
            if not plugin.is_disabled
        ]
        self._mtls = MutualTls.collect(root, self._warnings.append)
        self._consumer_limits = ConsumerLimits(
            root, self._evidence, self._warner, are_credentials_known="credentials" not in unexported
        )
        self._refs: dict[str, PluginRef] = {}
        self._hidden: dict[str, int] = {}  # unexported kind -> routes it leaves aspects not shown on
        # Consumers whose group was not exported may carry the group's limits.
        self._has_grouped_consumers = any(item.get("group_id") for _, item in items_of(root, "consumers"))

    def build(self) -> GatewayConfig:
        """The whole mapping as a `GatewayConfig`."""
        routes = []
        listed = self._root.get("routes")
        for index, item in enumerate(listed if isinstance(listed, list) else []):
            route = self._route(index, item)
            if route is not None:
                routes.append(route)
        stream_routes = len(items_of(self._root, "stream_routes"))
        if stream_routes:
            self._warnings.append(f"{stream_routes} stream route(s) (TCP/UDP proxying) are not assessed")
        if self._hidden:
            self._warnings.append(_unexported_warning(self._hidden))
        return GatewayConfig(
            path=self._path,
            gateway="apisix",
            routes=tuple(routes),
            global_plugins=tuple(self._ref(plugin) for plugin in self._globals),
            consumer_count=len(items_of(self._root, "consumers")),
            warnings=tuple(dict.fromkeys(self._warnings)),  # a service's plugin is met once per route
            clear_secrets=tuple(
                self._evidence(pointer, note=f"{name} written in clear (not an $env:// or secret reference)")
                for pointer, name in clear_secret_pointers(self._root)
            ),
            tls_settings=self._tls_settings(),
        )

    def _tls_settings(self) -> tuple[TlsSetting, ...]:
        """The `ssl_protocols` of each SSL object that sets them; the others take config.yaml's
        `apisix.ssl.ssl_protocols` (not in this file), documented default TLSv1.2 and TLSv1.3."""
        settings = []
        for index, ssl in items_of(self._root, "ssls"):
            protocols = ssl.get("ssl_protocols")
            setting = None
            if isinstance(protocols, list):
                setting = tls_setting(protocols, self._evidence(f"/ssls/{index}/ssl_protocols",
                                                                note="TLS versions accepted for its SNIs"))
            if setting is None:
                note = "TLS served; no ssl_protocols: config.yaml's apisix.ssl.ssl_protocols applies"
                setting = default_setting(TlsDefault.APISIX, self._evidence(f"/ssls/{index}", note=note))
            settings.append(setting)
        return tuple(settings)

    def _index(self, key: str) -> dict[str, tuple[int, dict[str, ConfigValue]]]:
        found: dict[str, tuple[int, dict[str, ConfigValue]]] = {}
        for index, item in items_of(self._root, key):
            identifier = identifier_of(item)
            if identifier is not None:
                found.setdefault(identifier, (index, item))
        return found

    def _warner(self, pointer: str) -> Callable[[str], None]:
        """Where a plugin setting's problem goes: the warnings, prefixed with where it is written."""
        path, real, _ = self._locate(pointer)
        where = real if path == self._path else f"{path}#{real}"
        return lambda message: self._warnings.append(f"{where}: {message}")

    def _evidence(self, pointer: str, excerpt: str | None = None, note: str | None = None) -> Evidence:
        short = redact(excerpt)[:_MAX_EXCERPT] if excerpt else None
        path, real, line = self._locate(pointer)
        return Evidence(path=path, line=line, pointer=real, excerpt=short, note=note)

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
        route_id = redact(identifier_of(item) or label)
        uris = tuple(redact_path(uri) for uri in strings_of(item.get("uris")) or strings_of(item.get("uri")))
        if not uris:
            self._warnings.append(f"route {route_id} has neither uri nor uris (APISIX rejects it): skipped")
            return None
        service, is_resolved = self._service_of(item, route_id)
        plugins = self._plugins_in_force(item, pointer, service, route_id)
        is_resolved = is_resolved and plugins is not None
        in_force = [plugin for plugin in (plugins or []) if not plugin.is_conditional]
        hosts = strings_of(item.get("hosts")) or strings_of(item.get("host"))
        if not hosts and service is not None:
            hosts = strings_of(service[1].get("hosts"))
        methods = tuple(method.upper() for method in strings_of(item.get("methods")))
        name = item.get("name")
        route = GatewayRoute(
            gateway="apisix",
            route_id=route_id,
            name=redact(name) if isinstance(name, str) else None,
            uris=uris,
            methods=methods,
            hosts=hosts,
            conditions=route_conditions(item),
            is_enabled=is_resolved and item.get("status") != 0,
            plugins=tuple(self._ref(plugin) for plugin in plugins or []),
            auth=self._auth(in_force, hosts, uris),
            rate_limits=self._rate_limits(in_force),
            loggers=tuple(sorted({plugin.name for plugin in in_force if plugin.name in LOGGER_PLUGINS})),
            monitors=tuple(sorted({plugin.name for plugin in in_force if plugin.name in MONITOR_PLUGINS})),
            upstream=self._upstream(item, service),
            evidence=self._evidence(pointer, route_excerpt(route_id, uris, methods, hosts)),
            upstream_detail=self._upstream_detail(item, service, pointer),
            cors=tuple(cors_policy(p.conf, self._evidence(p.pointer, f"plugin cors on {p.attached_to}"))
                       for p in in_force if p.name == "cors"),
            client_transport=route_transport(
                [(p.conf, self._evidence(p.pointer, f"plugin redirect on {p.attached_to}"))
                 for p in in_force if p.name == "redirect"],
                self._evidence(pointer, route_excerpt(route_id, uris, methods, hosts)),
                could_hide=bool(self._could_add(item))),
        )
        return route.model_copy(update={"not_shown": self._not_shown(route, item, in_force)})

    def _not_shown(
        self, route: GatewayRoute, item: Mapping[str, ConfigValue], in_force: list[_Plugin]
    ) -> tuple[RouteAspect, ...]:
        """What resources that are not known could add to this route, where it shows nothing itself.

        They can only add plugins (a route's own plugin wins over the same one elsewhere), so an
        aspect the route does show stays shown. An `opa` policy decides access outside the config,
        so without an auth plugin, authentication is not shown either.
        """
        could_add = self._could_add(item)
        hidden: dict[RouteAspect, list[str]] = {}
        if not route.auth:
            ssls = ["ssls"] if "ssls" in self._unexported and route.hosts else []
            hidden[RouteAspect.AUTH] = could_add + ssls
            if any(hides_auth(plugin.name) for plugin in in_force):
                hidden[RouteAspect.AUTH].append("")
        if not route.rate_limits:
            identifies = any(plugin.name in CONSUMER_AUTH_PLUGINS for plugin in in_force)
            has_consumers = not self._consumer_limits.is_empty
            unknown = (("consumers", True), ("consumer_groups", self._has_grouped_consumers),
                       ("credentials", has_consumers))
            consumers = [kind for kind, could in unknown if kind in self._unexported and identifies and could]
            hidden[RouteAspect.RATE_LIMIT] = could_add + consumers
        if not route.loggers:
            hidden[RouteAspect.LOGGING] = list(could_add)
        for kind in {kind for kinds in hidden.values() for kind in kinds if kind}:
            self._hidden[kind] = self._hidden.get(kind, 0) + 1
        return tuple(aspect for aspect, kinds in hidden.items() if kinds)

    def _could_add(self, item: Mapping[str, ConfigValue]) -> list[str]:
        """The resource kinds not known that could add plugins to the route."""
        could_add = [kind for kind in ("global_rules",) if kind in self._unexported]
        return could_add + [
            kind for field, kind in (("service_id", "services"), ("plugin_config_id", "plugin_configs"))
            if kind in self._unexported and identifier_of({"id": item.get(field)}) is not None
        ]

    def _service_of(
        self, item: Mapping[str, ConfigValue], route_id: str
    ) -> tuple[tuple[int, dict[str, ConfigValue]] | None, bool]:
        """The route's service (index and body) and whether its `service_id`, if any, resolves
        (an unexported service is not known to be missing: see `_not_shown`)."""
        service_id = identifier_of({"id": item.get("service_id")})
        if service_id is None or "services" in self._unexported:
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
        config_id = identifier_of({"id": item.get("plugin_config_id")})
        if config_id is not None and "plugin_configs" not in self._unexported:
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
        restriction = next((p.conf for p in in_force if p.name == "consumer-restriction"), None)
        return own + self._consumer_limits.for_route([plugin.name for plugin in in_force], restriction)

    def _upstream(
        self, item: Mapping[str, ConfigValue], service: tuple[int, dict[str, ConfigValue]] | None
    ) -> str | None:
        owners = [item] + ([service[1]] if service is not None else [])
        for owner in owners:
            inline = owner.get("upstream")
            if isinstance(inline, dict):
                return upstream_hosts(inline)
            upstream_id = identifier_of({"id": owner.get("upstream_id")})
            if upstream_id is not None:
                found = self._upstreams.get(upstream_id)
                return upstream_hosts(found[1]) if found is not None else f"upstream {redact(upstream_id)}"
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
            upstream_id = identifier_of({"id": owner.get("upstream_id")})
            found = self._upstreams.get(upstream_id) if upstream_id is not None else None
            if found is not None:
                excerpt = f"upstream {redact(upstream_id or '')}"
                return upstream_detail(found[1], self._evidence(f"/upstreams/{found[0]}", excerpt))
        return None


_EXPORT_NAMES = {"credentials": "/consumers/<name>/credentials (never read)"}


def _unexported_warning(hidden: Mapping[str, int]) -> str:
    """One warning naming the Admin API exports not given and what that leaves not shown."""
    kinds = ", ".join(
        f"{_EXPORT_NAMES.get(kind, '/' + kind)} ({count} route(s))" for kind, count in sorted(hidden.items())
    )
    return (f"no Admin API export of {kinds} beside it: on those routes, what it could add "
            "(authentication, rate limits, logging) is marked not shown rather than absent")
