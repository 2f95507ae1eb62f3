"""Envoy listeners, HTTP connection managers and virtual hosts as gateway routes.

`read_listener` walks a listener's filter chains to each HTTP connection manager and turns every
route of its virtual hosts into a `GatewayRoute` with what the manager's filters enforce there
(`envoy_filters`), the chain's client-certificate requirement, the manager's access logs and tracing,
and the upstream cluster's hosts. Routes that answer at the edge (`redirect`, `direct_response`) serve
no API and are left out (counted in a warning).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from riskscan.model import (
    AuthKind,
    AuthRequirement,
    CipherSetting,
    ClientTransport,
    Evidence,
    GatewayRoute,
    RouteAspect,
    TlsSetting,
    Upstream,
)
from riskscan.sources.gateways.envoy_exposure import cluster_upstream, cors_policies
from riskscan.sources.gateways.envoy_filters import HttpFilter, RouteShape, filter_family, route_controls
from riskscan.sources.gateways.envoy_routes import read_match
from riskscan.sources.gateways.tls_ciphers import cipher_setting
from riskscan.sources.gateways.tls_versions import TlsDefault, default_setting, tls_setting
from riskscan.sources.structured import StructuredDocument

__all__ = ["EnvoyFile", "read_listener", "read_route_configuration"]

_HCM = "envoy.filters.network.http_connection_manager"
_NETWORK_RBAC = "envoy.filters.network.rbac"
_LOGGER_FAMILY = re.compile(r"envoy\.extensions\.access_loggers\.([a-z0-9_]+)\.v3")
_PORT = re.compile(r":\d{1,5}$")
_MAX_UPSTREAM_HOSTS = 5
_ANY_ADDRESS = ("0.0.0.0", "::", "[::]")
_NOT_SHOWN = (RouteAspect.AUTH, RouteAspect.RATE_LIMIT, RouteAspect.LOGGING)


@dataclass
class EnvoyFile:
    """One Envoy file being read: its resources, clusters' hosts, and the warnings so far."""

    document: StructuredDocument
    shown: str
    listeners: list[tuple[object, str]] = field(default_factory=list)
    route_configurations: list[tuple[dict[str, object], str]] = field(default_factory=list)
    clusters: dict[str, str] = field(default_factory=dict)
    used_route_configurations: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    tls_settings: list[TlsSetting] = field(default_factory=list)  # listeners' tls_minimum_protocol_version
    cipher_settings: list[CipherSetting] = field(default_factory=list)  # cipher_suites, maximum version
    cluster_details: dict[str, Upstream] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        """Record a warning (a bad entry costs that entry, not the file)."""
        self.warnings.append(message)

    def evidence(self, pointer: str, excerpt: str, note: str | None = None) -> Evidence:
        """Evidence at a node of this file: its line and pointer, a short excerpt of what is there."""
        return Evidence(path=self.shown, line=self.document.line_of(pointer), pointer=pointer,
                        excerpt=excerpt[:200], note=note)

    def add_cluster(self, cluster: object, pointer: str) -> None:
        """Remember a cluster's upstream hosts (`host:port`, at most five) under its name."""
        if not isinstance(cluster, dict) or not isinstance(cluster.get("name"), str):
            self.warn(f"{self.shown}: cluster at {pointer} has no name: skipped")
            return
        hosts = list(dict.fromkeys(_cluster_hosts(cluster)))
        shown = ", ".join(hosts[:_MAX_UPSTREAM_HOSTS]) + (" ..." if len(hosts) > _MAX_UPSTREAM_HOSTS else "")
        self.clusters[str(cluster["name"])] = shown
        self.cluster_details[str(cluster["name"])] = cluster_upstream(
            {str(k): v for k, v in cluster.items()}, hosts,
            self.evidence(pointer, f"cluster {cluster['name']}"))


@dataclass(frozen=True)
class _Manager:
    """What an HTTP connection manager applies to all its routes."""

    label: str
    filters: list[HttpFilter]
    loggers: tuple[str, ...]
    monitors: tuple[str, ...]
    mtls: tuple[AuthRequirement, ...]
    not_shown: tuple[RouteAspect, ...] = ()
    trusts_forwarded_for: bool = True  # no `use_remote_address`: the client address is x-forwarded-for's
    transport: ClientTransport | None = None  # the filter chain's: plain without a transport socket
    has_cors: bool = False  # the cors filter runs (route and virtual host policies take effect)


def read_listener(envoy: EnvoyFile, listener: object, pointer: str) -> list[GatewayRoute]:
    """The routes of every HTTP connection manager on the listener's filter chains."""
    if not isinstance(listener, dict):
        envoy.warn(f"{envoy.shown}: listener at {pointer} is not a mapping: skipped")
        return []
    label = _listener_label(listener, pointer)
    chains = [(chain, f"{pointer}/filter_chains/{index}")
              for index, chain in enumerate(_list(listener.get("filter_chains")))]
    if isinstance(listener.get("default_filter_chain"), dict):
        chains.append((listener["default_filter_chain"], f"{pointer}/default_filter_chain"))
    routes: list[GatewayRoute] = []
    for chain, chain_pointer in chains:
        if not isinstance(chain, dict):
            continue
        mtls = _mtls(envoy, chain.get("transport_socket"), f"{chain_pointer}/transport_socket")
        transport = _chain_transport(envoy, chain, chain_pointer)
        network_rbac: list[HttpFilter] = []
        for index, network_filter in enumerate(_list(chain.get("filters"))):
            if not isinstance(network_filter, dict):
                continue
            config = network_filter.get("typed_config")
            type_url = str(config.get("@type", "")) if isinstance(config, dict) else ""
            filter_pointer = f"{chain_pointer}/filters/{index}"
            if isinstance(config, dict) and (network_filter.get("name") == _NETWORK_RBAC
                                             or "filters.network.rbac." in type_url):
                network_rbac.append(HttpFilter(name=_NETWORK_RBAC, family="rbac", config=dict(config),
                                               pointer=filter_pointer))
            is_manager = network_filter.get("name") == _HCM or type_url.endswith("HttpConnectionManager")
            if isinstance(config, dict) and is_manager:
                routes.extend(_read_manager(envoy, config, f"{filter_pointer}/typed_config", label, mtls,
                                            network_rbac, transport))
    return routes


def read_route_configuration(
    envoy: EnvoyFile, configuration: dict[str, object], pointer: str
) -> list[GatewayRoute]:
    """Routes of a `RouteConfiguration` no listener of the file uses: its filters are not shown."""
    label = str(configuration.get("name") or pointer)
    manager = _Manager(label=label, filters=[], loggers=(), monitors=(), mtls=(), not_shown=_NOT_SHOWN)
    envoy.warn(f"{envoy.shown}: route configuration {label} is used by no listener in this file: its "
               "authentication, rate limits and logging are not shown")
    return _virtual_hosts(envoy, configuration, pointer, manager)


def _read_manager(
    envoy: EnvoyFile,
    config: dict[str, object],
    pointer: str,
    label: str,
    mtls: tuple[AuthRequirement, ...],
    network_rbac: list[HttpFilter],
    transport: ClientTransport,
) -> list[GatewayRoute]:
    """The routes of one HTTP connection manager; RBAC network filters before it on the chain check
    every connection first, so they count as filters of each of its routes."""
    filters = _http_filters(envoy, config, pointer)
    manager = _Manager(label=label, filters=[*network_rbac, *filters],
                       loggers=_loggers(config),
                       monitors=("tracing",) if config.get("tracing") is not None else (), mtls=mtls,
                       trusts_forwarded_for=config.get("use_remote_address") is not True, transport=transport,
                       has_cors=any(f.family == "cors" and not f.is_disabled for f in filters))
    route_config = config.get("route_config")
    if isinstance(route_config, dict):
        return _virtual_hosts(envoy, route_config, f"{pointer}/route_config", manager)
    rds = config.get("rds")
    if isinstance(rds, dict):
        name = str(rds.get("route_config_name", ""))
        for configuration, found_pointer in envoy.route_configurations:
            if str(configuration.get("name", "")) == name:
                envoy.used_route_configurations.add(name)
                return _virtual_hosts(envoy, configuration, found_pointer, manager)
        envoy.warn(f"{envoy.shown}: listener {label} takes its routes from RDS (route configuration {name}),"
                   " which is not in this file: its routes are not shown")
    elif config.get("scoped_routes") is not None:
        envoy.warn(f"{envoy.shown}: listener {label} uses scoped routes from a control plane: not shown")
    else:
        envoy.warn(f"{envoy.shown}: listener {label} has an HTTP connection manager without routes")
    return []


def _http_filters(envoy: EnvoyFile, config: dict[str, object], pointer: str) -> list[HttpFilter]:
    filters: list[HttpFilter] = []
    for index, entry in enumerate(_list(config.get("http_filters"))):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            envoy.warn(f"{envoy.shown}: http filter at {pointer}/http_filters/{index} has no name: skipped")
            continue
        typed = entry.get("typed_config")
        typed_config = {str(k): v for k, v in typed.items()} if isinstance(typed, dict) else {}
        name = str(entry["name"])
        filters.append(HttpFilter(name=name, family=filter_family(name, typed_config), config=typed_config,
                                  pointer=f"{pointer}/http_filters/{index}",
                                  is_disabled=entry.get("disabled") is True))
    return filters


def _loggers(config: dict[str, object]) -> tuple[str, ...]:
    """`access_log:file`, `access_log:stream`, `access_log:grpc` ... (a file logger to /dev/null is none)."""
    names: list[str] = []
    for entry in _list(config.get("access_log")):
        typed = entry.get("typed_config") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(typed, dict):
            continue
        if typed.get("path") == "/dev/null":
            continue
        found = _LOGGER_FAMILY.search(str(typed.get("@type", "")))
        names.append(f"access_log:{found.group(1) if found else str(entry.get('name', 'custom'))}")
    return tuple(dict.fromkeys(names))


def _virtual_hosts(
    envoy: EnvoyFile, configuration: dict[str, object], pointer: str, manager: _Manager
) -> list[GatewayRoute]:
    routes: list[GatewayRoute] = []
    hosts_list = configuration.get("virtual_hosts")
    for index, host in enumerate(hosts_list if isinstance(hosts_list, list) else []):
        host_pointer = f"{pointer}/virtual_hosts/{index}"
        if not isinstance(host, dict):
            envoy.warn(f"{envoy.shown}: virtual host at {host_pointer} is not a mapping: skipped")
            continue
        for route_index, route in enumerate(_list(host.get("routes"))):
            built = _route(envoy, host, route, f"{host_pointer}/routes/{route_index}", manager)
            if built is not None:
                routes.append(built)
    return routes


def _route(
    envoy: EnvoyFile, host: dict[str, object], route: object, pointer: str, manager: _Manager
) -> GatewayRoute | None:
    host_name = str(host.get("name", "")) or pointer
    if not isinstance(route, dict):
        envoy.warn(f"{envoy.shown}: route at {pointer} is not a mapping: skipped")
        return None
    route_id = f"{manager.label} {host_name} {route.get('name') or '#' + pointer.rsplit('/', 1)[-1]}"
    outcome = read_match(route.get("match"))
    if outcome.uris is None:
        envoy.warn(f"{envoy.shown}: route {route_id}: {outcome.problem}: left out")
        return None
    action = route.get("route")
    if not isinstance(action, dict):
        if "redirect" in route or "direct_response" in route:
            envoy.warn(f"{envoy.shown}: route {route_id} answers at the edge (redirect or direct response):"
                       " no API behind it, left out")
        else:
            envoy.warn(f"{envoy.shown}: route {route_id} has no route action: skipped")
        return None
    shape = RouteShape(outcome.uris, outcome.methods, bool(manager.mtls), manager.trusts_forwarded_for)
    controls = route_controls(manager.filters, _per_route(host, route, pointer), shape,
                              _rate_limit_actions(host, action), envoy.evidence)
    return GatewayRoute(
        gateway="envoy", route_id=route_id, name=str(route["name"]) if route.get("name") else None,
        uris=outcome.uris, methods=outcome.methods, hosts=_hosts(host.get("domains")),
        conditions=outcome.conditions, is_enabled=not controls.denies_everyone,
        plugins=tuple(controls.plugins),
        auth=tuple(dict.fromkeys([*controls.auth, *manager.mtls])), rate_limits=tuple(controls.rate_limits),
        loggers=manager.loggers, monitors=manager.monitors, upstream=_upstream(envoy, action),
        not_shown=manager.not_shown, evidence=envoy.evidence(pointer, outcome.shown),
        client_transport=_route_transport(envoy, host, pointer, manager.transport),
        upstream_detail=_upstream_detail(envoy, action),
        cors=cors_policies(host, route, pointer, envoy.evidence) if manager.has_cors else (),
    )


def _upstream_detail(envoy: EnvoyFile, action: dict[str, object]) -> Upstream | None:
    """The cluster the route sends to (the first of weighted clusters); None when not in this file."""
    name = action.get("cluster")
    if not isinstance(name, str):
        weighted = action.get("weighted_clusters")
        clusters = _list(weighted.get("clusters")) if isinstance(weighted, dict) else []
        named = (str(item["name"]) for item in clusters if isinstance(item, dict) and item.get("name"))
        name = next(named, None)
    return envoy.cluster_details.get(name) if isinstance(name, str) else None


def _route_transport(envoy: EnvoyFile, host: dict[str, object], pointer: str,
                     transport: ClientTransport | None) -> ClientTransport | None:
    """The chain's transport, except that a virtual host with `require_tls` (ALL or EXTERNAL_ONLY)
    redirects plain requests to https before any route serves them."""
    if transport is None or not transport.is_plain or host.get("require_tls") not in ("ALL", "EXTERNAL_ONLY"):
        return transport
    host_pointer = pointer.rsplit("/routes/", 1)[0]
    excerpt = f"require_tls: {host.get('require_tls')}"
    return ClientTransport(is_plain=False, evidence=envoy.evidence(
        f"{host_pointer}/require_tls", excerpt, "plain HTTP redirected to https"))


def _chain_transport(envoy: EnvoyFile, chain: dict[str, object], pointer: str) -> ClientTransport:
    """TLS when the filter chain has a transport socket (its TLS versions are noted), plain otherwise."""
    socket = chain.get("transport_socket")
    if not isinstance(socket, dict):
        return ClientTransport(is_plain=True, evidence=envoy.evidence(
            pointer, "filter chain without transport_socket", "plain HTTP listener"))
    typed = socket.get("typed_config")
    common = typed.get("common_tls_context") if isinstance(typed, dict) else None
    params = common.get("tls_params") if isinstance(common, dict) else None
    minimum = params.get("tls_minimum_protocol_version") if isinstance(params, dict) else None
    if isinstance(params, dict):
        _ciphers(envoy, params, f"{pointer}/transport_socket/typed_config/common_tls_context/tls_params")
    if isinstance(minimum, str):
        at = (f"{pointer}/transport_socket/typed_config/common_tls_context/tls_params"
              "/tls_minimum_protocol_version")
        setting = tls_setting([minimum], envoy.evidence(at, f"tls_minimum_protocol_version: {minimum}",
                                                        "lowest TLS version accepted"))
        if setting is not None and setting not in envoy.tls_settings:
            envoy.tls_settings.append(setting)
    else:
        shown = envoy.evidence(f"{pointer}/transport_socket", "no tls_minimum_protocol_version",
                               "TLS served; no minimum version: Envoy's default applies")
        envoy.tls_settings.append(default_setting(TlsDefault.ENVOY, shown))
    return ClientTransport(is_plain=False, evidence=envoy.evidence(
        f"{pointer}/transport_socket", "transport_socket", "TLS listener"))


def _ciphers(envoy: EnvoyFile, params: dict[str, object], at: str) -> None:
    """A listener's `cipher_suites` and `tls_maximum_protocol_version`, recorded once (Envoy's default
    suites, where none are listed, changed between releases: not judged)."""
    suites, maximum = params.get("cipher_suites"), params.get("tls_maximum_protocol_version")
    listed = suites if isinstance(suites, list) else []
    key = "cipher_suites" if listed else "tls_maximum_protocol_version"
    excerpt = f"cipher_suites: {len(listed)} entries" if listed else \
        f"tls_maximum_protocol_version: {maximum}"
    setting = cipher_setting(listed, envoy.evidence(f"{at}/{key}", excerpt, "cipher suites and maximum TLS "
                                                    "version"), maximum=maximum, warn=envoy.warn)
    if setting is not None and setting not in envoy.cipher_settings:
        envoy.cipher_settings.append(setting)


def _per_route(
    host: dict[str, object], route: dict[str, object], pointer: str
) -> dict[str, tuple[dict[str, object], str]]:
    """Per-filter configs in force on the route: the virtual host's, overridden by the route's."""
    merged: dict[str, tuple[dict[str, object], str]] = {}
    host_pointer = pointer.rsplit("/routes/", 1)[0]
    for owner, owner_pointer in ((host, host_pointer), (route, pointer)):
        configs = owner.get("typed_per_filter_config")
        for name, config in (configs.items() if isinstance(configs, dict) else []):
            if isinstance(config, dict):
                merged[str(name)] = ({str(k): v for k, v in config.items()},
                                     f"{owner_pointer}/typed_per_filter_config/{name}")
    return merged


def _rate_limit_actions(host: dict[str, object], action: dict[str, object]) -> tuple[str, ...]:
    """What the `rate_limits` descriptors of the route (else its virtual host) count by."""
    own = action.get("rate_limits")
    chosen = own if isinstance(own, list) and own else host.get("rate_limits")
    if isinstance(own, list) and own and action.get("include_vh_rate_limits") is True:
        chosen = [*own, *_list(host.get("rate_limits"))]
    keys: list[str] = []
    for limit in chosen if isinstance(chosen, list) else []:
        for item in _list(limit.get("actions")) if isinstance(limit, dict) else []:
            if isinstance(item, dict):
                keys.extend(_action_key(str(name), value) for name, value in item.items())
    return tuple(dict.fromkeys(keys))


def _list(value: object) -> list[object]:
    """`value` when it is a list, else nothing (a wrong type costs the entry, never the file)."""
    return value if isinstance(value, list) else []


def _action_key(name: str, value: object) -> str:
    if name == "request_headers" and isinstance(value, dict):
        return f"header {value.get('header_name', '')}".strip()
    return name


def _hosts(domains: object) -> tuple[str, ...]:
    """Virtual host domains as route hosts (`*` is any host; ports dropped)."""
    found = [_PORT.sub("", str(domain)).lower() for domain in domains if isinstance(domain, str)] \
        if isinstance(domains, list) else []
    return () if not found or "*" in found else tuple(dict.fromkeys(found))


def _upstream(envoy: EnvoyFile, action: dict[str, object]) -> str | None:
    names: list[str] = []
    if isinstance(action.get("cluster"), str):
        names.append(str(action["cluster"]))
    weighted = action.get("weighted_clusters")
    clusters = weighted.get("clusters") if isinstance(weighted, dict) else None
    names.extend(str(item["name"]) for item in _list(clusters) if isinstance(item, dict) and item.get("name"))
    if not names:
        return "cluster chosen per request (cluster_header)" if action.get("cluster_header") else None
    return "; ".join(f"{name} ({envoy.clusters[name]})" if envoy.clusters.get(name) else name
                     for name in names)


def _cluster_hosts(cluster: dict[str, object]) -> list[str]:
    assignment = cluster.get("load_assignment")
    groups = assignment.get("endpoints") if isinstance(assignment, dict) else None
    hosts: list[str] = []
    for group in groups if isinstance(groups, list) else []:
        for item in _list(group.get("lb_endpoints")) if isinstance(group, dict) else []:
            endpoint = item.get("endpoint") if isinstance(item, dict) else None
            address = endpoint.get("address") if isinstance(endpoint, dict) else None
            socket = address.get("socket_address") if isinstance(address, dict) else None
            if isinstance(socket, dict) and isinstance(socket.get("address"), str):
                port = socket.get("port_value")
                hosts.append(str(socket["address"]).rsplit("@", 1)[-1] + (f":{port}" if port else ""))
    return hosts


def _listener_label(listener: dict[str, object], pointer: str) -> str:
    if isinstance(listener.get("name"), str) and listener["name"]:
        return str(listener["name"])
    address = listener.get("address")
    socket = address.get("socket_address") if isinstance(address, dict) else None
    if isinstance(socket, dict) and socket.get("address") is not None:
        address = str(socket.get("address"))
        return f"{'' if address in _ANY_ADDRESS else address}:{socket.get('port_value', '')}"
    return pointer


def _mtls(envoy: EnvoyFile, socket: object, pointer: str) -> tuple[AuthRequirement, ...]:
    """Mutual TLS when the chain's downstream TLS context requires a client certificate."""
    typed = socket.get("typed_config") if isinstance(socket, dict) else None
    if not isinstance(typed, dict):
        return ()
    if typed.get("require_client_certificate") is True:
        return (AuthRequirement(kind=AuthKind.MTLS, scheme="require_client_certificate"),)
    return ()
