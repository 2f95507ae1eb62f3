"""Kubernetes `Ingress` objects (networking.k8s.io/v1, and the older v1beta1 shapes) as gateway routes.

Every path of every rule is one `GatewayRoute` (its rule's host, its backend); a `defaultBackend`
(`backend` before v1) is a catch-all route. Path types follow the Ingress specification: `Exact`, and
`Prefix` matched segment by segment; `ImplementationSpecific` (the v1beta1 default) is what
ingress-nginx makes of it, nginx's string prefix. With `use-regex` paths are regular expressions that
ingress-nginx anchors at the start only (see `kubernetes_paths`).

The ingress-nginx annotations (`ingress_nginx`) are read when the Ingress is served by ingress-nginx:
its class names nginx, or it names no class and carries ingress-nginx annotations. Other controllers'
auth, limits and logging are not shown by the manifest: their routes carry none, and a warning says so.
An ingress-nginx path's upstream is its backend Service, resolved against the Services of the scan
(`kubernetes_services`) and the workloads behind them (replicas as nodes, probes as health checks), with
the annotations' backend protocol, timeouts and retries; other
controllers set those in their own annotations, so their upstreams are not shown.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from riskscan.model import ClientTransport, GatewayRoute, PluginRef, RouteAspect, Upstream
from riskscan.redaction import redact
from riskscan.sources.gateways.ingress_nginx import PREFIX, NginxAnnotations, read_annotations
from riskscan.sources.gateways.kubernetes_objects import KubeObject, Warn, mapping, mappings, text
from riskscan.sources.gateways.kubernetes_paths import PathMatch, route_uris
from riskscan.sources.gateways.kubernetes_services import BackendRef, ServiceIndex, resolve_backends

__all__ = ["INGRESS_GATEWAY", "ingress_routes"]

INGRESS_GATEWAY = "ingress-nginx"
_OTHER_GATEWAY = "kubernetes-ingress"
_NO_ANNOTATIONS = NginxAnnotations((), None, (), (), (), (), False)
_PATH_TYPES = {"Exact": PathMatch.EXACT, "Prefix": PathMatch.SEGMENT_PREFIX,
               "ImplementationSpecific": PathMatch.STRING_PREFIX}


def ingress_routes(ingress: KubeObject, services: ServiceIndex, warn: Warn) -> list[GatewayRoute]:
    """The routes one Ingress declares, with what its ingress-nginx annotations enforce on them."""
    is_nginx = _is_ingress_nginx(ingress, warn)
    settings = read_annotations(ingress, warn) if is_nginx else _NO_ANNOTATIONS
    builder = _RouteBuilder(ingress, settings, INGRESS_GATEWAY if is_nginx else _OTHER_GATEWAY, warn)
    builder.services = services if is_nginx else None
    routes: list[GatewayRoute] = []
    for rule_index, rule in enumerate(_rules(ingress, warn)):
        host = text(rule.get("host"))
        paths = mapping(rule.get("http")).get("paths")
        for path_index, entry in enumerate(paths if isinstance(paths, list) else []):
            pointer = f"/spec/rules/{rule_index}/http/paths/{path_index}"
            route = builder.path_route(pointer, host, entry)
            if route is not None:
                routes.append(route)
    spec = ingress.spec
    default_key = "defaultBackend" if "defaultBackend" in spec else "backend"
    if isinstance(spec.get(default_key), dict):
        routes.append(builder.route(f"/spec/{default_key}", "default backend", ("/*",), "",
                                    spec[default_key]))
    return routes


def _rules(ingress: KubeObject, warn: Warn) -> list[Mapping[str, Any]]:
    rules = ingress.spec.get("rules")
    if rules is not None and not isinstance(rules, list):
        warn(f"{ingress.label}: spec.rules is not a list: skipped")
        return []
    return [rule if isinstance(rule, dict) else {} for rule in rules or []]


def _is_ingress_nginx(ingress: KubeObject, warn: Warn) -> bool:
    """True when ingress-nginx serves this Ingress, judged by its class (field or legacy annotation)."""
    ingress_class = text(ingress.spec.get("ingressClassName")) or text(
        ingress.annotations.get("kubernetes.io/ingress.class"))
    has_nginx_annotations = any(
        isinstance(key, str) and key.startswith(PREFIX) for key in ingress.annotations
    )
    if "nginx" in ingress_class.lower() or (not ingress_class and has_nginx_annotations):
        return True
    shown = f"class {redact(ingress_class)}" if ingress_class else "no class"
    warn(f"{ingress.label} has {shown}: only ingress-nginx annotations are read, so its routes show no"
         " authentication, rate limits or logging")
    return False


class _RouteBuilder:
    """Turns the paths of one Ingress into routes sharing its annotations."""

    def __init__(self, ingress: KubeObject, settings: NginxAnnotations, gateway: str, warn: Warn) -> None:
        self._ingress = ingress
        self._settings = settings
        self._gateway = gateway
        self._warn = warn
        self._tls_hosts = [host for tls in mappings(ingress.spec.get("tls")) for host in _tls_hosts(tls)]
        self.services: ServiceIndex | None = None  # None: the controller's upstream settings are not read

    def path_route(self, pointer: str, host: str, entry: object) -> GatewayRoute | None:
        label = f"{self._ingress.label} {pointer.removeprefix('/spec/')}"
        if not isinstance(entry, dict):
            self._warn(f"{label} is not a mapping: skipped")
            return None
        value = text(entry.get("path")) or "/"
        path_type = text(entry.get("pathType")) or "ImplementationSpecific"
        match = _PATH_TYPES.get(path_type)
        if match is None:
            self._warn(f"{label}: unknown pathType {redact(path_type)}: skipped")
            return None
        if self._settings.is_regex and match is not PathMatch.EXACT:
            match = PathMatch.REGEX_START
        if not value.startswith("/") and match is not PathMatch.REGEX_START:
            self._warn(f"{label}: path does not start with '/': skipped")
            return None
        uris = route_uris(value, match)
        if uris is None:
            self._warn(f"{label}: regex path {redact(value)} not evaluated (not a plain path pattern):"
                       " route left out")
            return None
        return self.route(pointer, f"{label} {value} ({path_type})", uris, host, entry.get("backend"))

    def route(self, pointer: str, excerpt: str, uris: tuple[str, ...], host: str,
              backend: object) -> GatewayRoute:
        ingress, settings = self._ingress, self._settings
        auth = settings.auth
        if settings.mtls is not None:
            if host and self._is_tls(host):
                auth = (*auth, settings.mtls)
            else:
                self._warn(f"{ingress.label}: client certificates are only asked for over TLS, and"
                           f" {'this host' if host else 'a rule without host'} is not in spec.tls")
        identifier = pointer.removeprefix("/spec/").replace("/http/paths/", " path ")
        identifier = identifier.replace("rules/", "rule ")
        return GatewayRoute(
            gateway=self._gateway,
            route_id=f"{ingress.namespace}/{ingress.name} {identifier}",
            name=ingress.label,
            uris=uris,
            hosts=(host,) if host else (),
            plugins=tuple(PluginRef(name=name, attached_to="ingress annotation", evidence=evidence)
                          for name, evidence in settings.referenced),
            auth=auth,
            rate_limits=settings.rate_limits,
            loggers=settings.loggers,
            monitors=settings.monitors,
            upstream=_backend(backend),
            # Another controller enforces auth, limits and logging through its own resources.
            not_shown=() if self._gateway == INGRESS_GATEWAY else tuple(RouteAspect),
            evidence=ingress.evidence(pointer, excerpt),
            client_transport=self._client_transport(pointer, host),
            upstream_detail=self._upstream(pointer, backend),
        )

    def _upstream(self, pointer: str, backend: object) -> Upstream | None:
        """The Service behind the path, with the ingress-nginx annotations on the connection to it; None
        for a `resource` backend (not a host) and for other controllers (their settings are not read)."""
        name = _service_name(mapping(backend))
        if self.services is None or not name:
            return None
        ingress, settings = self._ingress, self._settings.upstream
        at = pointer if pointer.endswith(("/defaultBackend", "/backend")) else f"{pointer}/backend"
        resolved = resolve_backends([BackendRef(ingress.namespace, name)], self.services)
        if resolved is None:
            return None
        return Upstream(
            hosts=resolved.hosts, nodes=resolved.nodes, scheme=settings.scheme,
            has_health_checks=resolved.has_health_checks,
            has_timeouts=settings.has_timeouts, has_retries=settings.has_retries,
            evidence=ingress.evidence(at, f"{ingress.label} backend {name}",
                                      note="; ".join((resolved.note, *settings.notes))),
            node_evidence=resolved.node_evidence,
        )

    def _client_transport(self, pointer: str, host: str) -> ClientTransport | None:
        """A host outside `spec.tls` is served over plain HTTP (unless ingress-nginx forces a redirect);
        one inside is served over TLS, and ingress-nginx redirects plain HTTP to it unless
        `ssl-redirect` is "false". Other controllers redirect by their own settings: not shown."""
        annotations = self._ingress.annotations
        is_nginx = self._gateway == INGRESS_GATEWAY
        if self._is_tls(host):
            if not is_nginx:
                return None
            kept = text(annotations.get(f"{PREFIX}ssl-redirect")).lower() != "false"
            note = "in spec.tls" + ("" if kept else "; ssl-redirect \"false\" serves plain HTTP too")
            return ClientTransport(is_plain=not kept, evidence=self._ingress.evidence("/spec/tls", note=note))
        forced = is_nginx and text(annotations.get(f"{PREFIX}force-ssl-redirect")).lower() == "true"
        note = "host not in spec.tls" + ("; force-ssl-redirect redirects to HTTPS" if forced else "")
        return ClientTransport(is_plain=not forced, evidence=self._ingress.evidence(pointer, note=note))

    def _is_tls(self, host: str) -> bool:
        return any(fnmatch.fnmatchcase(host.lower(), pattern) for pattern in self._tls_hosts)


def _tls_hosts(tls: Mapping[str, Any]) -> list[str]:
    """The hosts a `spec.tls` entry serves over TLS; an entry without hosts serves any ("*")."""
    hosts = tls.get("hosts")
    return [text(host).lower() for host in hosts] if isinstance(hosts, list) else ["*"]


def _backend(backend: object) -> str | None:
    """`service:port` (v1 `service.name`/`port`, v1beta1 `serviceName`/`servicePort`) or a resource."""
    backend = mapping(backend)
    service = mapping(backend.get("service"))
    if service:
        port = mapping(service.get("port"))
        number = text(port.get("number")) or text(port.get("name"))
        return _joined(text(service.get("name")), number)
    if text(backend.get("serviceName")):
        return _joined(text(backend.get("serviceName")), text(backend.get("servicePort")))
    resource = mapping(backend.get("resource"))
    return f"{text(resource.get('kind'))} {text(resource.get('name'))}".strip() or None


def _service_name(backend: Mapping[str, Any]) -> str:
    """The Service a backend names (v1 `service.name`, v1beta1 `serviceName`); "" for a resource."""
    return text(mapping(backend.get("service")).get("name")) or text(backend.get("serviceName"))


def _joined(name: str, port: str) -> str | None:
    return (f"{name}:{port}" if port else name) or None
