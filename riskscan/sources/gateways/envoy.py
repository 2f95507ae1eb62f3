"""Reader for Envoy v3 configuration: static bootstrap files and xDS resource files (YAML or JSON).

A bootstrap's `static_resources.listeners[].filter_chains[].filters[]` holds HTTP connection managers
(`envoy.filters.network.http_connection_manager`), each with a `route_config` (virtual hosts: domains
as hosts, routes with their matches and actions) or `rds` (routes served by a control plane: shown only
when a `RouteConfiguration` of that name is in the same file, else a warning), its `http_filters`
(authentication, rate limits, RBAC: `envoy_filters`, `envoy_rbac`), `access_log` and `tracing`; RBAC
network filters on the same chain count for each of its routes. A filter chain whose TLS
`transport_socket` has `require_client_certificate` adds mutual TLS. Clusters give each route's
upstream hosts. A resource file (`resources:` of typed `Listener`, `RouteConfiguration` and `Cluster`
messages, as a file-based xDS source serves them) is read the same way; a route configuration no
listener of the file uses shows routes whose filters, hence auth, limits and logging, are not shown.

Nothing configured as a secret is read: TLS private keys, SDS `secrets`, `inline_string` /
`inline_bytes` data sources, basic-auth users and OAuth2 credentials; inline ones (and credentials in
headers and URLs) are recorded by place in `clear_secrets` (`envoy_secrets`) and counted in a warning.
Bootstraps that take everything from a control plane (`dynamic_resources` only) yield no
routes and say so. An admin interface listening on every address is named in a warning.
"""

from __future__ import annotations

import re
from pathlib import Path

from riskscan.errors import SourceError
from riskscan.model import Evidence, GatewayConfig, GatewayRoute, SourceKind
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_sniff import top_level_keys
from riskscan.sources.gateways.envoy_listeners import EnvoyFile, read_listener, read_route_configuration
from riskscan.sources.gateways.envoy_secrets import clear_secret_pointers
from riskscan.sources.structured import load_structured

__all__ = ["EnvoyError", "EnvoyReader"]

_TYPE_PREFIX = "type.googleapis.com/"
_ANY_ADDRESS = ("0.0.0.0", "::", "[::]")
_LISTENER = "envoy.config.listener.v3.Listener"
_ROUTE_CONFIGURATION = "envoy.config.route.v3.RouteConfiguration"
_CLUSTER = "envoy.config.cluster.v3.Cluster"
_ENVOY_TYPE = re.compile(r"type\.googleapis\.com/envoy\.(?:config|extensions)\.")
_BOOTSTRAP_KEYS = frozenset({"static_resources", "dynamic_resources"})


class EnvoyError(SourceError):
    """An Envoy configuration file that cannot be read."""


class EnvoyReader:
    """Reads Envoy v3 bootstrap and resource files into a `GatewayConfig`."""

    kind = SourceKind.ENVOY
    title = "Envoy v3 bootstrap config or xDS resource file (YAML or JSON)"
    summary = ("listeners' HTTP connection managers: virtual hosts and routes (prefix, path, "
               "path-separated prefix, plain safe_regex paths), jwt_authn, ext_authz, oauth2, basic_auth, "
               "client-certificate TLS, RBAC allow lists per route, local_ratelimit and ratelimit, per-route "
               "filter overrides, access logs and tracing; cluster hosts as upstreams; keys and secrets never "
               "read")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a bootstrap (`static_resources` or `dynamic_resources` at the top level) or a
        resource file (`resources` listing typed Envoy messages)."""
        text = head.decode("utf-8", errors="replace")
        keys = top_level_keys(text)
        if keys.keys() & _BOOTSTRAP_KEYS:
            return True
        return "resources" in keys and _ENVOY_TYPE.search(text) is not None

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one Envoy file; raise `EnvoyError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            document = load_structured(path, context)
        except SourceError as error:
            raise EnvoyError(error.problem, path=error.path, line=error.line) from None
        root = document.data
        if not isinstance(root, dict):
            raise EnvoyError("the top level is not a mapping", path=shown, line=1)
        envoy = EnvoyFile(document, shown)
        if "resources" in root and not root.keys() & _BOOTSTRAP_KEYS:
            _collect_resources(envoy, root.get("resources"))
        else:
            _collect_bootstrap(envoy, root)
        routes = _routes(envoy)
        _warn_open_admin(envoy, root.get("admin"))
        secrets = tuple(
            Evidence(path=shown, line=document.line_of(pointer), pointer=pointer,
                     note=f"{what} (not a filename, environment variable or SDS reference)")
            for pointer, what in clear_secret_pointers(root)
        )
        if secrets:
            envoy.warn(f"{len(secrets)} inline secret(s) (private keys, SDS secrets, credentials) held in the"
                       " file: not read; keep them in files or an SDS server")
        return GatewayConfig(
            path=shown, gateway="envoy", routes=tuple(routes), warnings=tuple(dict.fromkeys(envoy.warnings)),
            tls_settings=tuple(envoy.tls_settings), clear_secrets=secrets,
            cipher_settings=tuple(envoy.cipher_settings),
        )


def _collect_bootstrap(envoy: EnvoyFile, root: dict[str, object]) -> None:
    static = root.get("static_resources")
    if static is None:
        envoy.warn("no static_resources: listeners and routes come from a control plane (not shown)")
        return
    if not isinstance(static, dict):
        raise EnvoyError("`static_resources` is not a mapping", path=envoy.shown,
                         line=envoy.document.line_of("/static_resources"))
    for key in ("listeners", "clusters"):
        if static.get(key) is not None and not isinstance(static.get(key), list):
            raise EnvoyError(f"`static_resources.{key}` is not a list", path=envoy.shown,
                             line=envoy.document.line_of(f"/static_resources/{key}"))
    dynamic = root.get("dynamic_resources")
    if isinstance(dynamic, dict) and dynamic.keys() & {"lds_config", "ads_config"}:
        envoy.warn(f"{envoy.shown}: further listeners come from a control plane (dynamic_resources):"
                   " not shown")
    for index, cluster in enumerate(static.get("clusters") or []):
        envoy.add_cluster(cluster, f"/static_resources/clusters/{index}")
    for index, listener in enumerate(static.get("listeners") or []):
        envoy.listeners.append((listener, f"/static_resources/listeners/{index}"))


def _collect_resources(envoy: EnvoyFile, resources: object) -> None:
    if not isinstance(resources, list):
        raise EnvoyError(
            "`resources` is not a list", path=envoy.shown, line=envoy.document.line_of("/resources")
        )
    for index, resource in enumerate(resources):
        pointer = f"/resources/{index}"
        type_name = str(resource.get("@type", "")) if isinstance(resource, dict) else ""
        type_name = type_name.removeprefix(_TYPE_PREFIX)
        if type_name == _LISTENER:
            envoy.listeners.append((resource, pointer))
        elif type_name == _ROUTE_CONFIGURATION and isinstance(resource, dict):
            envoy.route_configurations.append((resource, pointer))
        elif type_name == _CLUSTER:
            envoy.add_cluster(resource, pointer)
        elif not type_name.startswith("envoy.extensions.transport_sockets.tls.v3.Secret"):
            envoy.warn(f"{envoy.shown}: resource {index} is not a Listener, RouteConfiguration or Cluster:"
                       " skipped")


def _routes(envoy: EnvoyFile) -> list[GatewayRoute]:
    routes: list[GatewayRoute] = []
    for listener, pointer in envoy.listeners:
        routes.extend(read_listener(envoy, listener, pointer))
    for configuration, pointer in envoy.route_configurations:
        if str(configuration.get("name", "")) not in envoy.used_route_configurations:
            routes.extend(read_route_configuration(envoy, configuration, pointer))
    return routes


def _warn_open_admin(envoy: EnvoyFile, admin: object) -> None:
    """Warn when the admin interface (which can drain listeners and dump the config) listens on every
    address: it has no authentication of its own."""
    address = admin.get("address") if isinstance(admin, dict) else None
    socket = address.get("socket_address") if isinstance(address, dict) else None
    if isinstance(socket, dict) and str(socket.get("address", "")) in _ANY_ADDRESS:
        envoy.warn(f"{envoy.shown}: the admin interface listens on every address (port "
                   f"{socket.get('port_value', '?')}): it has no authentication; bind it to localhost")

