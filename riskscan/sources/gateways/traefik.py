"""Reader for Traefik v2/v3 dynamic configuration (the file provider's YAML or TOML).

Each `http.routers` entry is read into one `GatewayRoute` per distinct branch of its rule
(`traefik_rules`): hosts, uris, methods and conditions, plus its `entryPoints` as a condition. What it
enforces comes from its middlewares (`traefik_middlewares`) and its `tls.options`: a TLS option whose
`clientAuth.clientAuthType` is `RequireAndVerifyClientCert` is mutual TLS (an absent option name means
`default`). Its upstream is the service's loadBalancer servers (host only, credentials stripped), or
the service's name when it is another provider's (`api@internal`, the dashboard); `traefik_services`
resolves it, children of weighted, failover and mirroring services included, into the route's
upstream detail. A name this file
does not define is looked up in the other files of its folder, as the file provider's `directory`
merges them (`traefik_provider`); those files are still read on their own for their routers, so they
are not `referenced_files` (which would fold them into this one). Middlewares of the kubernetescrd and
docker providers are looked up in the scan's Kubernetes manifests and Compose files (`traefik_elsewhere`).

Access logs, metrics and tracing are switched on in Traefik's static configuration, not here. When the
folders given hold exactly one (`traefik_static`), it decides (with its entry points' and the router's
`observability` switches); otherwise a dynamic file alone does not show logging (`not_shown` logging),
except for a router whose `observability.accessLogs` is false, which is known not to be logged.
Credentials written in clear in the file, and in that static configuration, are recorded by place
(`traefik_secrets`), so every dynamic file read counts as checked for secrets.
A Docker Compose file is read the same way: the routers, middlewares and services its container labels
declare (the docker provider) are turned into this shape (`traefik_compose`), and credentials in its
labels and in the Traefik container's environment and command are recorded by place.
TCP and UDP routers are named in a warning, not assessed. A router whose rule cannot be expressed
without approximating it (negation, a complex regex) is left out with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from riskscan.model import (
    AuthKind,
    AuthRequirement,
    Evidence,
    GatewayConfig,
    GatewayRoute,
    RouteAspect,
    SourceKind,
)
from riskscan.redaction import redact
from riskscan.sources import ReadContext
from riskscan.sources.gateways.traefik_compose import (
    compose_routers,
    compose_secrets,
    compose_static,
    is_compose,
)
from riskscan.sources.gateways.traefik_crd import add_crd_services
from riskscan.sources.gateways.traefik_docker import docker_services, file_services
from riskscan.sources.gateways.traefik_elsewhere import file_middlewares, other_provider_middlewares
from riskscan.sources.gateways.traefik_exposure import (
    cipher_settings,
    client_transport,
    router_logging,
    tls_settings,
)
from riskscan.sources.gateways.traefik_load import TOML_SECTION, TraefikError, load_dynamic
from riskscan.sources.gateways.traefik_middlewares import (
    Enforcement,
    MiddlewareError,
    local_name,
    resolve_middlewares,
    user_count,
)
from riskscan.sources.gateways.traefik_provider import Definitions, Origin, sibling_definitions
from riskscan.sources.gateways.traefik_rules import Alternative, RuleError, grouped, parse_rule, shown_rule
from riskscan.sources.gateways.traefik_secrets import clear_secrets
from riskscan.sources.gateways.traefik_services import (
    crd_service_names,
    docker_service_names,
    has_missing_service,
    service_upstream,
)
from riskscan.sources.gateways.traefik_static import StaticConfig, find_static_config
from riskscan.sources.gateways.traefik_static_env import noting_file
from riskscan.sources.structured import escape_pointer_token

__all__ = ["TraefikError", "TraefikReader"]

_MAX_EXCERPT = 200
_SERVICE_DEPTH = 4
_YAML_HTTP = re.compile(rb"^(?:http|tcp):[ \t]*\r?$", re.MULTILINE)
_YAML_SECTION = re.compile(rb"^[ \t]+(?:routers|middlewares|services):[ \t]*\r?$", re.MULTILINE)
_JSON_SECTION = re.compile(rb'^\s*\{\s*"http"\s*:\s*\{\s*"(?:routers|middlewares|services)"')
_COMPOSE = re.compile(rb"^services:[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_COMPOSE_TRAEFIK = re.compile(  # a Traefik label, or a container running the traefik image
    rb"traefik\.(?:http|tcp|udp|enable)\b|^[ \t]+image:[ \t]*[\"']?(?:[\w.-]+/)*traefik[:\"'\s]",
    re.MULTILINE | re.IGNORECASE)
_MTLS = "RequireAndVerifyClientCert"
_FOREIGN_PROVIDERS = frozenset({"kubernetescrd", "docker"})  # whose middlewares `traefik_elsewhere` finds


class TraefikReader:
    """Reads a Traefik dynamic configuration file into a `GatewayConfig`."""

    kind = SourceKind.TRAEFIK
    title = "Traefik v2/v3 dynamic configuration (file provider, YAML or TOML) and Docker Compose labels"
    summary = ("http routers as routes (Host, Path, PathPrefix, simple PathRegexp, Method, headers; && ||"
               " and parentheses), middlewares basicAuth/digestAuth/forwardAuth, rateLimit, inFlightReq, "
               "ipAllowList, headers (CORS), chains, @kubernetescrd and @docker ones found in the folders "
               "given; mTLS TLS options; upstreams followed through the folder's files and compound "
               "services, credentials stripped; access logs and metrics from the one static configuration "
               "(traefik.yml) in the folders given, or the Traefik container's command options, else its "
               "TRAEFIK_* variables; Compose label routers; credentials in "
               "labels and the Traefik container's environment flagged by place")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a dynamic configuration: a top-level `http` (or `tcp`) holding routers, middlewares or
        services, in YAML, TOML (`[http.routers.x]`) or JSON; or a Compose file with Traefik labels or a
        Traefik container."""
        if TOML_SECTION.search(head) is not None or _JSON_SECTION.match(head) is not None:
            return True
        if _COMPOSE.search(head) is not None and _COMPOSE_TRAEFIK.search(head) is not None:
            return True
        return _YAML_HTTP.search(head) is not None and _YAML_SECTION.search(head) is not None

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one dynamic configuration (or Compose) file; raise `TraefikError` naming the file and the
        problem."""
        shown = context.relative_path(path)
        data, locate_line = load_dynamic(path, context, shown)
        compose = compose_routers(data) if is_compose(data) else None
        secrets = (compose_secrets(data, shown, locate_line) if compose is not None
                   else clear_secrets(data, shown, locate_line, ""))
        own_static = (noting_file(compose_static(data, shown, locate_line), context) if compose is not None
                      else None)
        if compose is not None:
            data, locate_line = compose.data, _relocated(locate_line, compose.pointers)
        http = data.get("http")
        if not isinstance(http, Mapping) and not any(key in data for key in ("tcp", "udp")):
            raise TraefikError("no http routers, middlewares or services in the file", path=shown)
        http = http if isinstance(http, Mapping) else {}
        static = own_static if isinstance(own_static, StaticConfig) else (
            find_static_config(context) if data.get("http") else None)
        definitions = Definitions()
        definitions.add(data, (shown, locate_line))
        if compose is not None:
            _add_own_labels(path, context, definitions)
        if _names_missing(http, data, definitions):
            sibling_definitions(path, context, load_dynamic, self.sniff, definitions)
        providers = _other_providers(http, definitions)
        if providers:
            for item in other_provider_middlewares(path, context, providers):
                origin = (item.shown, _at(item.line))
                definitions.add_middleware(item.reference, item.config, origin, item.pointer)
        add_crd_services(path, context, crd_service_names(http.get("routers"), definitions), definitions)
        for service in docker_services(path, context, docker_service_names(http.get("routers"), definitions)):
            definitions.add_service(service.reference, service.config, (service.shown, _at(service.line)),
                                    service.pointer)
        builder = _Builder(data, http, definitions, (shown, locate_line))
        builder.pointers = compose.pointers if compose is not None else {}
        builder.warnings += compose.warnings if compose is not None else []
        if isinstance(static, str):
            builder.warnings.append(static)
        builder.static = static if isinstance(static, StaticConfig) else None
        builder.warnings += builder.static.warnings if builder.static else ()
        builder.warnings += [own_static] if isinstance(own_static, str) else []
        routes = builder.routes()
        ciphers = cipher_settings(data, builder.evidence, builder.warnings.append)
        return GatewayConfig(path=shown, gateway="traefik", routes=tuple(routes), cipher_settings=ciphers,
                             consumer_count=builder.users, warnings=tuple(dict.fromkeys(builder.warnings)),
                             tls_settings=tls_settings(data, builder.evidence),
                             clear_secrets=_once(secrets + (builder.static.clear_secrets if builder.static
                                                            else ())))


class _Builder:
    """Routers of one file turned into routes, with the middlewares, TLS options and services they name."""

    def __init__(self, data: Mapping[str, Any], http: Mapping[str, Any], definitions: Definitions,
                 origin: Origin) -> None:
        self._http, self._definitions = http, definitions
        self._shown, self._line = origin
        self.warnings: list[str] = []
        self.static: StaticConfig | None = None
        self.pointers: Mapping[str, str] = {}  # a Compose file's: the label that writes a router's node
        self._middlewares = definitions.middlewares
        self._resolved: dict[tuple[str, ...], Enforcement] = {}
        self.users = sum(user_count(item) for item in _mapping(http.get("middlewares")).values())
        for protocol in ("tcp", "udp"):
            if _mapping(_mapping(data.get(protocol)).get("routers")):
                self.warnings.append(f"{protocol.upper()} routers are not assessed (not HTTP)")

    def routes(self) -> list[GatewayRoute]:
        found: list[GatewayRoute] = []
        for name, router in _mapping(self._http.get("routers")).items():
            if not isinstance(router, Mapping):
                self.warnings.append(f"router {name} is not a mapping: skipped")
                continue
            found += self._router(str(name), router)
        return found

    def evidence(self, pointer: str, excerpt: str) -> Evidence:
        """Evidence at a node of the file being read (what `traefik_exposure` cites)."""
        return self._evidence(pointer, excerpt)

    def _evidence(self, pointer: str, excerpt: str | None = None, origin: Origin | None = None) -> Evidence:
        shown, line = origin or (self._shown, self._line)
        pointer = pointer if origin is not None else self.pointers.get(pointer, pointer)
        return Evidence(path=shown, line=line(pointer), pointer=pointer,
                        excerpt=redact(excerpt)[:_MAX_EXCERPT] if excerpt else None)

    def _router(self, name: str, router: Mapping[str, Any]) -> list[GatewayRoute]:
        pointer = "/http/routers/" + escape_pointer_token(name)
        rule = router.get("rule")
        if not isinstance(rule, str) or not rule.strip():
            self.warnings.append(f"router {name} has no rule: left out")
            return []
        syntax = router.get("ruleSyntax") if router.get("ruleSyntax") in ("v2", "v3") else None
        try:
            alternatives = parse_rule(rule, syntax)
            enforcement = self._enforcement(router)
        except (RuleError, MiddlewareError) as error:
            self.warnings.append(f"router {name}: {error}: left out")
            return []
        self.warnings += enforcement.warnings
        groups = grouped(alternatives)
        if not groups:
            self.warnings.append(f"router {name}: its rule can match no request: left out")
        evidence = self._evidence(pointer, f"rule: {shown_rule(rule)}")
        return [self._route(name if len(groups) == 1 else f"{name} #{index}", router, group, enforcement,
                            evidence)
                for index, group in enumerate(groups, start=1)]

    def _enforcement(self, router: Mapping[str, Any]) -> Enforcement:
        """What the router's middlewares and TLS option enforce; a middleware list shared by many routers
        is resolved once (a copy is handed out, since mTLS is added per router)."""
        names = tuple(item for item in _list(router.get("middlewares")) if isinstance(item, str))
        if names not in self._resolved:
            self._resolved[names] = resolve_middlewares(list(names), self._middlewares,
                                                        self._middleware_evidence)
        cached = self._resolved[names]
        enforcement = Enforcement(list(cached.auth), list(cached.limits), list(cached.plugins),
                                  set(cached.unseen), list(cached.warnings), list(cached.cors))
        enforcement.auth += self._mtls(router, enforcement)
        return enforcement

    def _middleware_evidence(self, name: str) -> Evidence:
        pointer = self._definitions.pointers.get(name) or "/http/middlewares/" + escape_pointer_token(name)
        return self._evidence(pointer, origin=self._definitions.origins.get(name))

    def _mtls(self, router: Mapping[str, Any], enforcement: Enforcement) -> list[AuthRequirement]:
        """Mutual TLS from the router's TLS option (`default` when none is named)."""
        tls = router.get("tls")
        if tls is None or tls is False:
            return []
        named = _mapping(tls).get("options")
        reference = named if isinstance(named, str) else "default"
        option_name = local_name(str(reference))
        options = self._definitions.tls_options
        if option_name is None or (option_name not in options and option_name != "default"):
            self.warnings.append(f"TLS option {reference} is not defined in this file: client certificates"
                                 " not shown")
            enforcement.unseen.add(RouteAspect.AUTH)
            return []
        client_auth = _mapping(_mapping(options.get(option_name)).get("clientAuth"))
        if client_auth.get("clientAuthType") != _MTLS:
            return []
        return [AuthRequirement(kind=AuthKind.MTLS, scheme=f"tls option {option_name} ({_MTLS})")]

    def _route(self, route_id: str, router: Mapping[str, Any], group: Alternative, enforcement: Enforcement,
               evidence: Evidence) -> GatewayRoute:
        # Entry points are the listeners (ports) a router is on, like nginx's `listen`: named with the
        # router, not a condition (a condition would let the request fall through to another route).
        entry_points = [item for item in _list(router.get("entryPoints")) if isinstance(item, str)]
        name = route_id.split(" #")[0] + (f" (entryPoints {', '.join(dict.fromkeys(entry_points))})"
                                          if entry_points else "")
        unseen = {aspect for aspect in enforcement.unseen
                  if not (aspect is RouteAspect.AUTH and enforcement.auth)
                  and not (aspect is RouteAspect.RATE_LIMIT and enforcement.limits)}
        loggers, monitors, plugins = router_logging(router, entry_points, self.static)
        if loggers is None:
            unseen.add(RouteAspect.LOGGING)
        return GatewayRoute(
            gateway="traefik", route_id=route_id, uris=group.uris or ("/*",), methods=group.methods or (),
            hosts=group.hosts or (), conditions=group.conditions, name=name,
            plugins=tuple(enforcement.plugins) + plugins, loggers=loggers or (), monitors=monitors,
            auth=tuple(enforcement.auth), rate_limits=tuple(enforcement.limits),
            upstream=self._upstream(router.get("service"), 0),
            not_shown=tuple(aspect for aspect in RouteAspect if aspect in unseen), evidence=evidence,
            client_transport=client_transport(route_id.split(" #")[0], router, entry_points, self.static,
                                              self.evidence),
            upstream_detail=service_upstream(router.get("service"), self._definitions, self.warnings.append),
            # A middleware not read may set CORS headers too: then the policy is not shown.
            cors=None if enforcement.unseen else tuple(enforcement.cors),
        )

    def _upstream(self, reference: object, depth: int) -> str | None:
        """The service's server hosts (credentials and paths stripped), or its name when not in this file."""
        if not isinstance(reference, str):
            return None
        name = local_name(reference)
        services = self._definitions.services
        if name is None or name not in services or depth >= _SERVICE_DEPTH:
            return reference
        service = _mapping(services[name])
        servers = _list(_mapping(service.get("loadBalancer")).get("servers"))
        hosts = [_host(_mapping(server).get("url")) for server in servers]
        if any(hosts):
            return ", ".join(dict.fromkeys(host for host in hosts if host))
        children = [_mapping(item).get("name") for kind in ("weighted", "mirroring", "highestRandomWeight")
                    for item in _list(_mapping(service.get(kind)).get("services"))]
        children += [_mapping(service.get(kind)).get("service") for kind in ("mirroring", "failover")]
        shown = [self._upstream(child, depth + 1) for child in children if isinstance(child, str)]
        return ", ".join(dict.fromkeys(item for item in shown if item)) or reference


def _names_missing(http: Mapping[str, Any], data: Mapping[str, Any], known: Definitions) -> bool:
    """True when a router names a middleware, service or TLS option of this provider not defined here."""
    for router in _mapping(http.get("routers")).values():
        router = _mapping(router)
        names = [local_name(item) for item in _list(router.get("middlewares")) if isinstance(item, str)]
        chained = [local_name(item) for config in known.middlewares.values()
                   for item in _list(_mapping(_mapping(config).get("chain")).get("middlewares"))
                   if isinstance(item, str)]
        if any(name is not None and name not in known.middlewares for name in names + chained):
            return True
        if has_missing_service(router.get("service"), known):
            return True
        option = _mapping(router.get("tls")).get("options")
        if isinstance(option, str) and local_name(option) not in (None, "default", *known.tls_options):
            return True
    return False


def _other_providers(http: Mapping[str, Any], known: Definitions) -> set[str]:
    """Providers (`kubernetescrd`, `docker`) whose middlewares the routers or known chains name and
    no file read so far defines."""
    references = [item for router in _mapping(http.get("routers")).values()
                  for item in _list(_mapping(router).get("middlewares")) if isinstance(item, str)]
    references += [item for config in known.middlewares.values()
                   for item in _list(_mapping(_mapping(config).get("chain")).get("middlewares"))
                   if isinstance(item, str)]
    return {reference.rpartition("@")[2] for reference in references
            if local_name(reference) is None and reference not in known.middlewares
            and reference.rpartition("@")[2] in _FOREIGN_PROVIDERS}


def _add_own_labels(path: Path, context: ReadContext, definitions: Definitions) -> None:
    """The label middlewares and services a Compose file declares, for its own routers."""
    for item in file_middlewares(path, context):
        definitions.add_middleware(item.reference, item.config, (item.shown, _at(item.line)), item.pointer)
    for service in file_services(path, context):
        definitions.add_service(service.reference, service.config, (service.shown, _at(service.line)),
                                service.pointer)


def _relocated(locate: Callable[[str], int | None],
               pointers: Mapping[str, str]) -> Callable[[str], int | None]:
    """A Compose file's line finder for the pointers of its routers in the file provider's shape."""
    return lambda pointer: locate(pointers.get(pointer, pointer))


def _at(line: int | None) -> Callable[[str], int | None]:
    """A line finder for a definition found in another file: its line, whatever the pointer."""
    return lambda pointer: line


def _host(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return f"{parts.hostname}:{port}" if port else parts.hostname


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _once(secrets: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    """Credentials by place, one judged twice (a Traefik container's variable is also its static
    configuration's field) counted once."""
    kept: dict[tuple[str, str | int | None], Evidence] = {}
    for item in secrets:
        kept.setdefault((item.path, item.pointer or item.line), item)
    return tuple(kept.values())
