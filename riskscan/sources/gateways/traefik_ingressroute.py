"""Traefik `IngressRoute` custom resources (traefik.io/v1alpha1, or traefik.containo.us before v3) as
gateway routes: a Traefik-on-Kubernetes estate declares its HTTP routers this way.

Read as Traefik's kubernetescrd reference defines them: each `spec.routes[]` entry (`kind: Rule`) is a
router whose `match` is the rule language of the file provider (`traefik_rules`, with the route's
`syntax`), on the object's `spec.entryPoints` (all entry points when it names none). Its `middlewares`
(`{name, namespace}`: a `Middleware` resource of the route's namespace unless another is named; a name
with `@provider` is another provider's, its namespace ignored) resolve as a file router's do
(`traefik_middlewares`): auth, rate limits, network allow lists, CORS; one that no file given defines is
warned about and what it enforces is not shown. Its `services` (Kubernetes Services by default, or
`kind: TraefikService`) spread requests over their children as a weighted service does
(`traefik_crd`, `traefik_services`). `priority` orders routers inside Traefik: not read.

`spec.tls` makes every route of the object serve HTTPS only. Its `options` name a `TLSOption` (the
`default` one when none is named: a TLSOption called `default`, else Traefik's built-in options): its
`minVersion` is judged like a file provider TLS option, and `clientAuth.clientAuthType`
`RequireAndVerifyClientCert` is mutual TLS. `secretName`, `certResolver` and `domains` name where the
certificate comes from: not read. An object without `tls` serves plain HTTP on entry points the static
configuration leaves plain (`traefik_exposure.client_transport`; the static configuration is the Traefik
Deployment's `args` or the one `traefik.yml`, `traefik_crd_lookup`), and its access logs are on as it
says (`router_logging`, with the route's `observability`); without one, neither is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from riskscan.model import (
    AuthKind,
    AuthRequirement,
    CipherSetting,
    ClientTransport,
    Evidence,
    GatewayRoute,
    RouteAspect,
    TlsSetting,
)
from riskscan.redaction import redact
from riskscan.sources.gateways.kubernetes_objects import KubeObject, Warn, mapping, mappings, text
from riskscan.sources.gateways.tls_versions import TlsDefault, default_setting, tls_setting
from riskscan.sources.gateways.traefik_crd import CrdServices, merge_crd_services, service_child
from riskscan.sources.gateways.traefik_crd_lookup import CrdLookup
from riskscan.sources.gateways.traefik_exposure import client_transport, option_ciphers, router_logging
from riskscan.sources.gateways.traefik_middlewares import Enforcement, MiddlewareError, resolve_middlewares
from riskscan.sources.gateways.traefik_rules import Alternative, RuleError, grouped, parse_rule, shown_rule
from riskscan.sources.gateways.traefik_services import service_upstream

__all__ = ["IngressRouteReading", "ingressroute_routes", "names_file_provider"]

_MTLS = "RequireAndVerifyClientCert"
_SUFFIX = "@kubernetescrd"


@dataclass
class IngressRouteReading:
    """The routes of a manifest's IngressRoutes and the TLS versions their options accept."""

    routes: list[GatewayRoute] = field(default_factory=list)
    tls_settings: dict[str, TlsSetting] = field(default_factory=dict)  # by TLS option, each once
    cipher_settings: dict[str, CipherSetting] = field(default_factory=dict)  # TLSOptions' suites, maximum


@dataclass(frozen=True)
class _Tls:
    """What an IngressRoute's `spec.tls` enforces (mutual TLS or nothing), and whether its TLS option was
    found to show it."""

    auth: tuple[AuthRequirement, ...]
    is_shown: bool


def names_file_provider(items: list[KubeObject]) -> bool:
    """True when an IngressRoute names a middleware, service or TLS option of the file provider
    (`x@file`)."""
    for item in items:
        names = [text(entry.get("name")) for route in mappings(item.spec.get("routes"))
                 for key in ("middlewares", "services") for entry in mappings(route.get(key))]
        names.append(text(mapping(mapping(item.spec.get("tls")).get("options")).get("name")))
        if any(name.endswith("@file") for name in names):
            return True
    return False


def ingressroute_routes(item: KubeObject, lookup: CrdLookup, into: IngressRouteReading, warn: Warn) -> None:
    """Add the routes of one IngressRoute (and the TLS setting they serve under) to `into`."""
    routes = item.spec.get("routes")
    if not isinstance(routes, list) or not routes:
        warn(f"{item.label}: spec.routes is not a non-empty list: skipped")
        return
    tls = _tls(item, lookup, into, warn)
    for index, entry in enumerate(routes):
        if not isinstance(entry, dict):
            warn(f"{item.label} route {index} is not a mapping: skipped")
            continue
        into.routes += _RouteReader(item, index, entry, lookup, warn).routes(tls)


class _RouteReader:
    """One `spec.routes[]` entry turned into routes, one per distinct branch of its rule."""

    def __init__(self, item: KubeObject, index: int, entry: Mapping[str, Any], lookup: CrdLookup,
                 warn: Warn) -> None:
        self._item, self._index, self._entry, self._lookup, self._warn = item, index, entry, lookup, warn
        self._pointer = f"/spec/routes/{index}"
        self._label = f"{item.label} route {index}"
        self._entry_points = [text(name) for name in _list(item.spec.get("entryPoints")) if text(name)]

    def routes(self, tls: _Tls | None) -> list[GatewayRoute]:
        """The entry's routes under the object's TLS (None: none), or none with a warning."""
        entry = self._entry
        kind = text(entry.get("kind")) or "Rule"
        match = entry.get("match")
        if kind != "Rule" or not isinstance(match, str) or not match.strip():
            self._warn(f"{self._label}: not a Rule with a match: left out")
            return []
        syntax = text(entry.get("syntax")) or None
        try:
            alternatives = parse_rule(match, syntax if syntax in ("v2", "v3") else None)
            enforcement = resolve_middlewares(self._middlewares(), self._lookup.definitions.middlewares,
                                              self._middleware_evidence)
        except (RuleError, MiddlewareError) as error:
            self._warn(f"{self._label}: {error}: left out")
            return []
        for warning in enforcement.warnings:
            self._warn(warning)
        if tls is not None:
            enforcement.auth += tls.auth
            if not tls.is_shown:
                enforcement.unseen.add(RouteAspect.AUTH)
        groups = grouped(alternatives)
        if not groups:
            self._warn(f"{self._label}: its rule can match no request: left out")
        evidence = self._item.evidence(self._pointer, f"{self._item.label} match: {shown_rule(match)}")
        return [self._route(f" #{number}" if len(groups) > 1 else "", group, enforcement, evidence, tls)
                for number, group in enumerate(groups, start=1)]

    def _middlewares(self) -> list[str]:
        """The route's middlewares as qualified references (`shop-auth@kubernetescrd`, `auth@file`)."""
        references = []
        for entry in mappings(self._entry.get("middlewares")):
            name, namespace = text(entry.get("name")), text(entry.get("namespace"))
            if not name:
                continue
            if "@" in name:
                references.append(name)
                continue
            if namespace and namespace != self._item.namespace:
                self._warn(f"{self._label}: middleware {redact(namespace)}/{redact(name)} is in another"
                           " namespace: Traefik serves the route only with allowCrossNamespace set")
            references.append(f"{namespace or self._item.namespace}-{name}{_SUFFIX}")
        return references

    def _middleware_evidence(self, name: str) -> Evidence:
        definitions = self._lookup.definitions
        shown, line = definitions.origins[name]
        pointer = definitions.pointers.get(name) or f"/http/middlewares/{name}"
        return Evidence(path=shown, line=line(pointer), pointer=pointer)

    def _route(self, suffix: str, group: Alternative, enforcement: Enforcement, evidence: Evidence,
               tls: _Tls | None) -> GatewayRoute:
        item, entry = self._item, self._entry
        listed = ", ".join(dict.fromkeys(self._entry_points))
        points = f" (entryPoints {listed})" if listed else ""
        unseen = {aspect for aspect in enforcement.unseen
                  if not (aspect is RouteAspect.AUTH and enforcement.auth)
                  and not (aspect is RouteAspect.RATE_LIMIT and enforcement.limits)}
        loggers, monitors, refs = router_logging(entry, self._entry_points, self._lookup.static)
        if loggers is None:
            unseen.add(RouteAspect.LOGGING)
        upstream = service_upstream(self._service(), self._lookup.definitions, self._warn)
        return GatewayRoute(
            gateway="traefik", route_id=f"{item.namespace}/{item.name} route {self._index}{suffix}",
            name=f"IngressRoute {item.namespace}/{item.name}{points}", uris=group.uris or ("/*",),
            methods=group.methods or (), hosts=group.hosts or (), conditions=group.conditions,
            plugins=tuple(enforcement.plugins) + refs, loggers=loggers or (), monitors=monitors,
            auth=tuple(enforcement.auth), rate_limits=tuple(enforcement.limits),
            upstream=", ".join(upstream.hosts) if upstream is not None and upstream.hosts else None,
            not_shown=tuple(aspect for aspect in RouteAspect if aspect in unseen), evidence=evidence,
            client_transport=self._client_transport(tls), upstream_detail=upstream,
            # A middleware not read may set CORS headers too: then the policy is not shown.
            cors=None if enforcement.unseen else tuple(enforcement.cors),
        )

    def _service(self) -> str | None:
        """The route's services as one weighted service of the file provider's shape, by its name."""
        entries = mappings(self._entry.get("services"))
        if not entries:
            self._warn(f"{self._label}: no services: its upstream is not shown")
            return None
        item, lookup = self._item, self._lookup
        reference = f"{item.namespace}-{item.name}-route-{self._index}{_SUFFIX}"
        own = CrdServices()  # the load balancers made for the route's Kubernetes Services
        children = [service_child(entry, reference, item.namespace, lookup.services_index, own)
                    for entry in entries]
        merge_crd_services(own, lookup.definitions)
        config = {"weighted": {"services": [{"name": child} for child in children]}}
        lookup.definitions.add_service(reference, config, (item.shown, item.document.line_of),
                                       f"{item.pointer}{self._pointer}/services")
        return reference

    def _client_transport(self, tls: _Tls | None) -> ClientTransport | None:
        """HTTPS only under `spec.tls`; else plain on the entry points the static configuration leaves
        plain (not shown without it)."""
        if tls is not None:
            return ClientTransport(is_plain=False, evidence=self._item.evidence("/spec/tls", note="spec.tls"))
        item, pointer = self._item, self._pointer
        return client_transport("", {}, self._entry_points, self._lookup.static,
                                lambda _, excerpt: item.evidence(pointer, f"{item.label} {excerpt}"))


def _tls(item: KubeObject, lookup: CrdLookup, into: IngressRouteReading, warn: Warn) -> _Tls | None:
    """What the object's `spec.tls` enforces (None: no TLS), recording the TLS versions it accepts."""
    tls = item.spec.get("tls")
    if tls is None or tls is False:
        return None
    options = mapping(mapping(tls).get("options"))
    name, namespace = text(options.get("name")), text(options.get("namespace")) or item.namespace
    if not name:
        defaults = [key for key, option in lookup.tls_options.items() if option.name == "default"]
        reference = defaults[0] if len(defaults) == 1 else "default"
    else:
        reference = name if "@" in name else f"{namespace}-{name}{_SUFFIX}"
    option = lookup.tls_options.get(reference)
    if option is not None:
        return _option(option, reference, into, warn)
    local = reference.removesuffix("@file")
    if reference.endswith("@file") and local in lookup.definitions.tls_options:
        spec = mapping(lookup.definitions.tls_options[local])
        return _judged(spec, reference, item.evidence("/spec/tls/options", f"{item.label} TLS option"), into)
    if reference == "default":  # Traefik's built-in options: no client certificates, its default versions
        shown = item.evidence("/spec/tls", f"{item.label} tls (default options)",
                              note="TLS served; no TLS option: Traefik's default applies")
        into.tls_settings.setdefault(reference, default_setting(TlsDefault.TRAEFIK, shown))
        return _Tls((), True)
    warn(f"{item.label}: TLS option {redact(reference)} is defined in no file given: client certificates"
         " and TLS versions not shown")
    return _Tls((), False)


def _option(option: KubeObject, reference: str, into: IngressRouteReading, warn: Warn) -> _Tls:
    if reference not in into.cipher_settings:
        ciphers = option_ciphers(option.spec, lambda key, excerpt: option.evidence(
            f"/spec/{key}", f"{option.label} {excerpt}"), warn)
        if ciphers is not None:
            into.cipher_settings[reference] = ciphers
    minimum = option.spec.get("minVersion")
    evidence = (option.evidence("/spec/minVersion", f"{option.label} minVersion: {minimum}")
                if isinstance(minimum, str) else option.evidence("/spec", option.label))
    return _judged(option.spec, reference, evidence, into)


def _judged(spec: Mapping[str, Any], reference: str, evidence: Evidence, into: IngressRouteReading) -> _Tls:
    """A TLS option's versions (recorded once) and client certificate requirement."""
    if reference not in into.tls_settings:
        setting = tls_setting([spec.get("minVersion")], evidence)
        if setting is None:
            note = {"note": "TLS served; no minVersion: Traefik's default applies"}
            setting = default_setting(TlsDefault.TRAEFIK, evidence.model_copy(update=note))
        into.tls_settings[reference] = setting
    client_auth = mapping(spec.get("clientAuth"))
    if text(client_auth.get("clientAuthType")) != _MTLS:
        return _Tls((), True)
    shown = reference.removesuffix(_SUFFIX)
    return _Tls((AuthRequirement(kind=AuthKind.MTLS, scheme=f"TLSOption {shown} ({_MTLS})"),), True)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
