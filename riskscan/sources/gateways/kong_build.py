"""Kong routes resolved the way Kong resolves them, from entities read out of decK or Admin API files.

Both readers (`kong.py` for decK declarative files, `kong_admin.py` for Admin API exports) turn their
input into `KongEntities`: services, routes with the service each belongs to, and plugins with the
scope they were attached at. `build_routes` then does what Kong's router and plugin iterator do:

- a route matches on `paths` (see `kong_paths`), `methods`, `hosts` and `headers`; `snis` and
  `sources`/`destinations` narrow it further and are kept as conditions; `strip_path` and the
  service's `path` change only what the upstream receives, not what clients call;
- where routes overlap, Kong (traditional_compat router) tries them in its own order, each path of a
  route ranked apart: `GatewayRoute.uri_ranks` (`_route_rank`), which the inventory follows instead
  of uri specificity. Kong leaves the order of equal ranks undefined (decK files carry no
  `created_at`), so equals are all kept;
- of the plugins of one name that apply to a route, the most specific wins: route and service >
  route > service > global. Plugins scoped to a consumer or consumer group run only for that
  consumer once authenticated, so they enforce nothing on the route as such. A plugin with
  `enabled: false` is not loaded by Kong at all (a disabled route plugin leaves the service's in force);
- a route whose service is missing, or disabled (`enabled: false`), serves nothing: not enabled. So is a
  route on which request-termination (without a `trigger`) answers every request: nothing reaches
  the upstream, and a warning says so;
- routes for TCP/TLS/UDP only (stream routes) and expressions-router routes are not assessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from riskscan.model import (
    AuthKind,
    AuthRequirement,
    ClientTransport,
    Evidence,
    GatewayRoute,
    PluginRef,
    RateLimitPolicy,
    Upstream,
)
from riskscan.redaction import redact, redact_path
from riskscan.sources.gateways.kong_entities import KongEntities, Located, Scope, reference
from riskscan.sources.gateways.kong_exposure import cors_policy, service_host, upstream_detail
from riskscan.sources.gateways.kong_matching import (
    ConfigMap,
    route_conditions,
    route_excerpt,
    route_rank,
    strings,
)
from riskscan.sources.gateways.kong_paths import translate_path
from riskscan.sources.gateways.kong_plugins import (
    AUTH_PLUGINS,
    LOGGER_PLUGINS,
    MONITOR_PLUGINS,
    SERVERLESS_PLUGINS,
    auth_requirement,
    rate_limit_policies,
)

__all__ = ["build_routes", "global_plugin_refs"]

_STREAM_PROTOCOLS = frozenset({"tcp", "tls", "udp", "tls_passthrough"})
_PLAIN_PROTOCOLS = frozenset({"http", "grpc", "ws"})  # served without TLS (https, grpcs, wss are not)
_DEFAULT_PROTOCOLS = ("http", "https")  # a route that lists none
_MAX_SHOWN = 5
def _label(item: Located) -> str:
    name = reference(item.data.get("name")) or reference(item.data.get("id"))
    return redact(name) if name else item.pointer.lstrip("/").replace("/", ".")


class _Index:
    """Entities found by name, id or `#<index>`."""

    def __init__(self, items: list[Located]) -> None:
        self.by_ref: dict[str, int] = {}
        for index, item in enumerate(items):
            self.by_ref.setdefault(f"#{index}", index)
            for key in ("id", "name"):
                ref = reference(item.data.get(key))
                if ref is not None:
                    self.by_ref.setdefault(ref, index)

    def find(self, ref: str | None) -> int | None:
        return None if ref is None else self.by_ref.get(ref)


def global_plugin_refs(entities: KongEntities) -> tuple[PluginRef, ...]:
    """The enabled plugins attached to nothing: they run on every route."""
    return tuple(
        PluginRef(
            name=str(item.data["name"]),
            attached_to="global",
            evidence=item.evidence(f"plugin {item.data['name']} (global)"),
        )
        for item, scope in entities.plugins
        if scope == Scope()
        and isinstance(item.data.get("name"), str)
        and item.data.get("enabled") is not False
    )


def build_routes(entities: KongEntities, warn: Callable[[str], None], shown: str) -> list[GatewayRoute]:
    """Every HTTP route of `entities` as a `GatewayRoute` (see the module docstring).

    `shown` is the file being read: a setting's warning names another file only when it is in one.
    """
    builder = _Builder(entities, warn, shown)
    routes = [builder.route(index, item, ref) for index, (item, ref) in enumerate(entities.routes)]
    return [route for route in routes if route is not None]


@dataclass(frozen=True)
class _Plugin:
    name: str
    item: Located
    attached_to: str
    rank: int  # route and service 3, route 2, service 1, global 0


@dataclass(frozen=True)
class _Resolved:
    ref: PluginRef
    auth: AuthRequirement | None
    limits: tuple[RateLimitPolicy, ...]


_ServiceKey = int | str  # a service's index, or `?<reference>` when the services are not known


@dataclass(frozen=True)
class _Attached:
    """An enabled, non-consumer plugin with its resolved route and service."""

    name: str
    item: Located
    route: int | None
    service: _ServiceKey | None


class _Builder:
    def __init__(self, entities: KongEntities, warn: Callable[[str], None], shown: str) -> None:
        self._entities = entities
        self._shown = shown
        self._warn = warn
        self._services = _Index(entities.services)
        self._routes = _Index([item for item, _ in entities.routes])
        self._upstreams = _Index(entities.upstreams)
        self._by_route: dict[int, list[_Attached]] = {}
        self._by_service: dict[_ServiceKey, list[_Attached]] = {}
        self._global: list[_Attached] = []
        self._cache: dict[tuple[str, str], _Resolved] = {}
        for item, scope in entities.plugins:
            self._index_plugin(item, scope)

    def _index_plugin(self, item: Located, scope: Scope) -> None:
        """File a plugin under the route, service or nothing it is attached to (indexed once, so that
        resolving a route looks at its own plugins only)."""
        name = item.data.get("name")
        if scope.is_consumer or not isinstance(name, str) or item.data.get("enabled") is False:
            return
        route = self._routes.find(scope.route)
        service = self._service_key(scope.service)
        if (scope.route is not None and route is None) or (scope.service is not None and service is None):
            self._warn(
                f"plugin {redact(name)} at {item.pointer} is attached to an undefined route or service:"
                " ignored"
            )
            return
        attached = _Attached(name, item, route, service)
        if route is not None:
            self._by_route.setdefault(route, []).append(attached)
        elif service is not None:
            self._by_service.setdefault(service, []).append(attached)
        else:
            self._global.append(attached)

    def _service_key(self, ref: str | None) -> _ServiceKey | None:
        index = self._services.find(ref)
        if index is None and ref is not None and not self._entities.has_services:
            return f"?{ref}"
        return index

    def route(self, index: int, item: Located, service_ref: str | None) -> GatewayRoute | None:
        data, label = item.data, _label(item)
        if data.get("expression"):
            self._warn(
                f"route {label} uses an expressions-router `expression`, which is not evaluated: skipped"
            )
            return None
        protocols = strings(data.get("protocols"))
        if protocols and all(protocol in _STREAM_PROTOCOLS for protocol in protocols):
            self._warn(f"route {label} is a stream route (TCP/TLS/UDP), which is not assessed: skipped")
            return None
        methods = tuple(method.upper() for method in strings(data.get("methods")))
        hosts = tuple(host.lower() for host in strings(data.get("hosts")))
        found = self._uris(label, strings(data.get("paths")), route_rank(data, methods, hosts))
        if found is None:
            return None
        uris, ranks = found
        service_key = self._service_key(service_ref)
        service = self._entities.services[service_key] if isinstance(service_key, int) else None
        plugins = self._plugins(index, service_key)
        auth: dict[tuple[AuthKind, str], AuthRequirement] = {}
        for plugin in plugins:
            requirement = self._resolved(plugin).auth
            if requirement is not None:
                auth.setdefault((requirement.kind, requirement.scheme), requirement)
        evidence = item.evidence(route_excerpt(label, data, methods, hosts))
        return GatewayRoute(
            gateway="kong",
            route_id=label,
            name=redact(data["name"]) if isinstance(data.get("name"), str) else None,
            uris=uris,
            methods=methods,
            hosts=hosts,
            conditions=route_conditions(data),
            is_enabled=self._is_open(label, service, service_ref, plugins),
            plugins=tuple(self._resolved(plugin).ref for plugin in plugins),
            auth=tuple(auth.values()),
            rate_limits=self._rate_limits(plugins),
            loggers=tuple(sorted({plugin.name for plugin in plugins if plugin.name in LOGGER_PLUGINS})),
            monitors=tuple(sorted({plugin.name for plugin in plugins if plugin.name in MONITOR_PLUGINS})),
            upstream=self._upstream(service),
            evidence=evidence,
            uri_ranks=ranks,
            client_transport=_client_transport(protocols, evidence),
            upstream_detail=self._upstream_detail(service),
            cors=tuple(cors_policy(_conf(plugin.item), plugin.item.evidence("cors"))
                       for plugin in plugins if plugin.name == "cors"),
        )

    def _upstream_detail(self, service: Located | None) -> Upstream | None:
        """The service's nodes and resilience settings; None when the route's service is not shown."""
        if service is None:
            return None
        index = self._upstreams.find(service_host(service.data))
        return upstream_detail(service, self._entities.upstreams[index] if index is not None else None)

    def _uris(
        self, label: str, paths: tuple[str, ...], route_rank: tuple[int, ...]
    ) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]] | None:
        """The route's paths as inventory uris with Kong's precedence of each (`route_rank`, then regex
        paths by `regex_priority` before plain paths by length); None (with a warning) when no path
        can be evaluated."""
        base, priority = route_rank[:-1], route_rank[-1]
        if not paths:
            return ("/*",), ((*base, 0, 0),)  # no paths: every path of its hosts and methods
        ranked: dict[str, tuple[int, ...]] = {}
        for path in paths:
            translated = translate_path(path, self._entities.is_legacy)
            if translated.problem is not None:
                kind = "regex path" if translated.is_regex else "path"
                self._warn(f"route {label}: {kind} {redact_path(path)} not evaluated: {translated.problem}")
            rank = (*base, 1, priority) if translated.is_regex else (*base, 0, len(path))
            for uri in translated.uris:
                shown = redact_path(uri)
                ranked[shown] = max(rank, ranked.get(shown, rank))
        if not ranked:
            self._warn(f"route {label}: no path can be evaluated, so the route is left out")
            return None
        return tuple(ranked), tuple(ranked.values())

    def _plugins(self, route_index: int, service: _ServiceKey | None) -> list[_Plugin]:
        """The plugins in force on a route, one per name, the most specific scope winning."""
        candidates = [
            *self._by_route.get(route_index, ()),
            *(self._by_service.get(service, ()) if service is not None else ()),
            *self._global,
        ]
        chosen: dict[str, _Plugin] = {}
        for plugin in candidates:
            if plugin.route is not None and plugin.service is not None and plugin.service != service:
                continue  # scoped to this route and another service: never in force
            rank = (2 if plugin.route is not None else 0) + (1 if plugin.service is not None else 0)
            attached = (
                "route" if plugin.route is not None else "service" if plugin.service is not None else "global"
            )
            if plugin.name not in chosen or rank > chosen[plugin.name].rank:
                chosen[plugin.name] = _Plugin(plugin.name, plugin.item, attached, rank)
        return sorted(chosen.values(), key=lambda plugin: plugin.name)

    def _is_open(
        self, label: str, service: Located | None, service_ref: str | None, plugins: list[_Plugin]
    ) -> bool:
        """False when the route serves nothing: no service (and no serverless plugin), a disabled service,
        or request-termination answering every request."""
        names = {plugin.name for plugin in plugins}
        is_unknown = service_ref is not None and not self._entities.has_services
        if service is None and not is_unknown and not names & SERVERLESS_PLUGINS:
            missing = (
                "has no service"
                if service_ref is None
                else f"names service {redact(service_ref)}, not defined,"
            )
            self._warn(
                f"route {label} {missing} and nothing else answers it (Kong answers 503):"
                " treated as not enabled"
            )
            return False
        if service is not None and service.data.get("enabled") is False:
            self._warn(f"route {label}: its service is disabled (enabled: false): treated as not enabled")
            return False
        for plugin in plugins:
            conf = _conf(plugin.item)
            if plugin.name == "request-termination" and not conf.get("trigger"):
                status = conf.get("status_code") if isinstance(conf.get("status_code"), int) else 503
                self._warn(
                    f"route {label}: request-termination answers every request with {status} without "
                    "proxying it: treated as closed (not enabled)"
                )
                return False
        return True

    def _rate_limits(self, plugins: list[_Plugin]) -> tuple[RateLimitPolicy, ...]:
        """The route's own limits; without any, those every consumer it admits carries (if known).

        A route whose auth lets anonymous callers through gets no consumer limits: those callers
        are not throttled by them.
        """
        own = self._own_limits(plugins)
        if own or self._entities.consumer_limits is None:
            return own
        auth = [(plugin.name, _conf(plugin.item)) for plugin in plugins if plugin.name in AUTH_PLUGINS]
        if any(conf.get("anonymous") for _, conf in auth):
            return ()
        return self._entities.consumer_limits([name for name, _ in auth])

    def _own_limits(self, plugins: list[_Plugin]) -> tuple[RateLimitPolicy, ...]:
        return tuple(policy for plugin in plugins for policy in self._resolved(plugin).limits)

    def _resolved(self, plugin: _Plugin) -> _Resolved:
        """A plugin's reference, auth and limits, made once however many routes share it."""
        key = (plugin.item.shown, plugin.item.pointer)
        if key not in self._cache:
            conf = _conf(plugin.item)
            evidence = plugin.item.evidence(f"plugin {plugin.name} on {plugin.attached_to}")
            self._cache[key] = _Resolved(
                PluginRef(name=plugin.name, attached_to=plugin.attached_to, evidence=evidence),
                auth_requirement(plugin.name, conf),
                rate_limit_policies(plugin.name, conf, evidence, self._warner(plugin.item)),
            )
        return self._cache[key]

    def _warner(self, item: Located) -> Callable[[str], None]:
        where = item.pointer if item.shown == self._shown else f"{item.shown} {item.pointer}"
        return lambda message: self._warn(f"{where}: {message}")

    def _upstream(self, service: Located | None) -> str | None:
        """The service's upstream host (and port), credentials stripped; an upstream's targets' hosts."""
        if service is None:
            return None
        data = service.data
        host, port = None, data.get("port")
        if isinstance(data.get("url"), str):
            try:
                parts = urlsplit(str(data["url"]))
                host, port = parts.hostname, parts.port or port
            except ValueError:
                host = None
        if host is None and isinstance(data.get("host"), str):
            host = str(data["host"]).rpartition("@")[2]
        if host is None:
            return None
        upstream = self._upstreams.find(host)
        if upstream is not None:
            return _targets(host, self._entities.upstreams[upstream])
        return f"{host}:{port}" if isinstance(port, int) and not isinstance(port, bool) else host


def _conf(item: Located) -> ConfigMap:
    conf = item.data.get("config")
    return conf if isinstance(conf, dict) else {}


def _targets(name: str, upstream: Located) -> str:
    targets = upstream.data.get("targets")
    hosts = [
        str(target["target"]).rpartition("@")[2]
        for target in (targets if isinstance(targets, list) else [])
        if isinstance(target, dict) and isinstance(target.get("target"), str)
    ]
    if not hosts:
        return f"upstream {name}"
    more = f" (+{len(hosts) - _MAX_SHOWN} more)" if len(hosts) > _MAX_SHOWN else ""
    return f"upstream {name}: {', '.join(hosts[:_MAX_SHOWN])}{more}"


def _client_transport(protocols: tuple[str, ...], evidence: Evidence) -> ClientTransport:
    """Kong serves a route on every protocol it lists (http and https when it lists none); an
    https-only route answers plain HTTP with 426 or its https_redirect_status_code, never the API."""
    listed = protocols or _DEFAULT_PROTOCOLS
    note = f"protocols {', '.join(listed)}" + ("" if protocols else " (Kong's default)")
    return ClientTransport(is_plain=bool(set(listed) & _PLAIN_PROTOCOLS),
                           evidence=evidence.model_copy(update={"note": note}))
