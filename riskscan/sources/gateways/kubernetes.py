"""Reader for Kubernetes manifests: `Ingress`, Gateway API `Gateway`, `HTTPRoute` and `GRPCRoute`, and
Traefik `IngressRoute` as routes, and every manifest checked for credentials written in clear.

A manifest file holds one or more YAML documents (`---` separated) or JSON, each an object or a
`kind: List` of them (`kubectl get -o yaml`). Ingresses are read by `kubernetes_ingress` (with the
ingress-nginx annotations), HTTPRoutes and GRPCRoutes by `gateway_api` against their parent Gateways,
found in the same file or another manifest of the scan; their backends are resolved against the
`Service`s of the scan and the workloads behind them (`kubernetes_services`, `kubernetes_workloads`).
Traefik IngressRoutes are read by `traefik_ingressroute` with the Middlewares, TLSOptions and
TraefikServices of the scan (`traefik_crd_lookup`). `Secret` and `ConfigMap` objects are never read into
routes, and no annotation value that may carry a credential is kept. A Secret holding data, a ConfigMap
key or container env variable named like a credential with a literal value, and a credential in a
routing object's annotations or header filters or in a Traefik Middleware, are recorded by place only
(`kubernetes_secrets`), so every manifest read counts as checked for secrets. A manifest running Kong's
gateway image with `KONG_*` variables and no routing object is Kong's runtime configuration
(`kong_kubernetes`), judged as kong.conf is. A manifest without routing
objects (Deployments, Services, Secrets) is read for that check alone: it routes nothing, so it does not
count as a gateway configuration (`GatewayConfig.has_routing`). Routing kinds riskscan does not assess
(TLSRoute, TCPRoute, UDPRoute, IngressRouteTCP, IngressRouteUDP) are named in a warning. A gateway's own
configuration held in a ConfigMap (`data: {kong.conf: ...}`) is read by that gateway's reader
(`kubernetes_embedded`) and carried as `GatewayConfig.embedded`.
"""

from __future__ import annotations

import re
from pathlib import Path

from riskscan.errors import NotReadableAsIs, SourceError
from riskscan.model import CipherSetting, Evidence, GatewayConfig, GatewayRoute, SourceKind
from riskscan.sources import HEAD_BYTES, ReadContext
from riskscan.sources.gateways.container_env import ConfigMaps
from riskscan.sources.gateways.gateway_api import grpcroute_routes, httproute_routes
from riskscan.sources.gateways.gateway_api_listeners import parent_gateway
from riskscan.sources.gateways.gateway_lookup import GatewayIndex
from riskscan.sources.gateways.ingress_nginx import annotation_ciphers
from riskscan.sources.gateways.kong_compose import KongService
from riskscan.sources.gateways.kong_conf import kong_runtime_config
from riskscan.sources.gateways.kong_kubernetes import kong_workload, over_kong_conf
from riskscan.sources.gateways.kubeconfig import looks_like_kubeconfig
from riskscan.sources.gateways.kubernetes_embedded import EmbeddedReading, read_embedded_configs
from riskscan.sources.gateways.kubernetes_ingress import ingress_routes
from riskscan.sources.gateways.kubernetes_objects import KubeObject, Warn, collect_objects
from riskscan.sources.gateways.kubernetes_secrets import (
    config_map_secrets,
    middleware_secrets,
    routing_object_secrets,
    secret_objects_in_clear,
    workload_secrets,
)
from riskscan.sources.gateways.kubernetes_services import ServiceIndex
from riskscan.sources.gateways.kubernetes_sniff import is_manifest
from riskscan.sources.gateways.kubernetes_workloads import replica_warnings
from riskscan.sources.gateways.kustomization import looks_like_kustomization
from riskscan.sources.gateways.traefik_crd_lookup import TRAEFIK_GROUPS, crd_lookup
from riskscan.sources.gateways.traefik_ingressroute import (
    IngressRouteReading,
    ingressroute_routes,
    names_file_provider,
)
from riskscan.sources.gateways.traefik_static_env import container_secrets
from riskscan.sources.structured import (
    StructuredDocument,
    load_text,
    parse_structured_documents,
)

__all__ = ["KubernetesError", "KubernetesReader"]

_ROUTING_KINDS: dict[str, tuple[str, ...]] = {
    "Ingress": ("networking.k8s.io/", "extensions/"),
    "HTTPRoute": ("gateway.networking.k8s.io/",),
    "GRPCRoute": ("gateway.networking.k8s.io/",),
    "Gateway": ("gateway.networking.k8s.io/",),
    "IngressRoute": TRAEFIK_GROUPS,
}
_UNASSESSED_ROUTES = frozenset({"TLSRoute", "TCPRoute", "UDPRoute", "IngressRouteTCP", "IngressRouteUDP"})
_API_GROUPS = ("networking.k8s.io/", "gateway.networking.k8s.io/", "extensions/v1beta1", *TRAEFIK_GROUPS)
_YAML_KIND = re.compile(
    rb"""^[ \t]*(?:-[ \t]+)?kind:[ \t]*["']?"""
    rb"""(Ingress|HTTPRoute|GRPCRoute|Gateway|IngressRoute(?:TCP|UDP)?)["']?[ \t]*(?:#.*)?\r?$""",
    re.MULTILINE,
)
_JSON_KIND = re.compile(rb'"kind"\s*:\s*"(Ingress|HTTPRoute|GRPCRoute|Gateway|IngressRoute(?:TCP|UDP)?)"')
_API_VERSION = re.compile(rb"""^apiVersion:|"apiVersion"\s*:""", re.MULTILINE)
_GATEWAY_API_LIMITS = (
    "Gateway API routes show only client certificates and filters: authentication, rate limits and"
    " access logs come from implementation policies, which are not read"
)
_SCAN_BYTES = 16 << 20  # how far into a long manifest file sniffing looks for a routing kind
_MAX_SECRETS = 200  # places kept per file
_TEMPLATE = "a Helm or Go template ({{ }}), YAML only once rendered: render it first (helm template)"
_KONG_BESIDE_ROUTING = ("a Kong container's KONG_* variables are not read as Kong's runtime configuration in"
                        " a manifest with routing objects: give the Kong workload a file of its own")
_NO_ROUTING = ("no Ingress, HTTPRoute, GRPCRoute, Gateway or IngressRoute: checked for credentials in clear"
               " only")


class KubernetesError(SourceError):
    """A Kubernetes manifest file that cannot be read."""


class KubernetesReader:
    """Reads Kubernetes manifests into a `GatewayConfig` of Ingress, HTTPRoute and GRPCRoute routes."""

    kind = SourceKind.KUBERNETES
    title = ("Kubernetes manifests: Ingress, Gateway API Gateway/HTTPRoute/GRPCRoute and Traefik "
             "IngressRoute; any manifest for secrets (multi-document YAML or JSON)")
    summary = ("one route per Ingress path or HTTPRoute/GRPCRoute match (gRPC as POST /service/method) with "
               "hosts, methods and conditions; ingress-nginx "
               "auth, rate-limit, allow-list and logging annotations; Gateway listeners' mTLS; backends "
               "resolved against the Services given (ExternalName hosts) and the workloads they select "
               "(replicas or an autoscaler's minimum as nodes, probes as health checks); Traefik "
               "IngressRoutes with their Middlewares, TLSOptions (mTLS, minVersion) and TraefikServices; "
               "every manifest checked for credentials in clear by place (Secrets holding data, ConfigMap "
               "keys and container env values named like credentials), values never kept; a Kong workload's "
               "KONG_* variables as Kong's runtime configuration; gateway configurations held in ConfigMaps "
               "(kong.conf, decK kong.yml, APISIX config.yaml and apisix.yaml, envoy.yaml, Traefik dynamic "
               "files) read by their own readers, cited at the manifest's lines")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a Kubernetes manifest: a routing object of a Kubernetes API group, or documents that
        are all cluster objects (`kubernetes_sniff`).

        A routing object may follow many others (a Helm render puts Deployments first): when the head is
        full of manifests without one, up to `_SCAN_BYTES` more of the file are searched.
        """
        if _API_VERSION.search(head) is None or looks_like_kubeconfig(head) or \
                looks_like_kustomization(path, head):
            return False  # tool configs with their own readers, never manifests
        if _declares_routing(head) or is_manifest(head, is_whole=len(head) < HEAD_BYTES):
            return True
        if len(head) < HEAD_BYTES or path.suffix == ".gz":
            return False
        try:
            with path.open("rb") as handle:
                return _declares_routing(handle.read(_SCAN_BYTES))
        except OSError:
            return False

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read every routing object of one manifest file and check the file for credentials in clear;
        raise `KubernetesError` naming the problem."""
        shown = context.relative_path(path)
        try:
            text = load_text(path, context)
            documents = parse_structured_documents(text, path, shown)
        except SourceError as error:
            if _is_template(path):
                raise NotReadableAsIs(_TEMPLATE, path=shown) from None
            raise KubernetesError(error.problem, path=error.path, line=error.line) from None
        warnings: list[str] = []
        objects, dropped = collect_objects(documents, shown, warnings.append)
        if not objects and not dropped:
            raise KubernetesError("no Kubernetes object in the manifest", path=shown)
        has_routing = any(_is_routing(item) for item in objects)
        config_maps = ConfigMaps(documents, shown, path, context)
        kong = kong_workload(objects, config_maps)
        embedded = read_embedded_configs(documents, text, path, context)
        traefik: IngressRouteReading | None = None
        unassessed = sorted({item.kind for item in objects if item.kind in _UNASSESSED_ROUTES})
        if has_routing:
            routes, traefik = _routes(objects, path, context, config_maps, warnings)
            warnings += [_KONG_BESIDE_ROUTING] if kong is not None else []
        else:
            routes = []
            warnings += [] if unassessed or kong is not None or embedded.configs else [_NO_ROUTING]
        if unassessed:
            warnings.append(f"{', '.join(unassessed)} objects (non-HTTP routing) are not assessed")
        warnings += replica_warnings(objects)
        if dropped > embedded.holders:
            warnings.append(f"{dropped - embedded.holders} Secret/ConfigMap object(s) not read into routes"
                            " (their values are never kept; a Secret holding data counts as a credential in"
                            " clear, by place)")
        secrets = tuple(_clear_secrets(documents, objects, shown, embedded))
        if kong is not None and not has_routing:
            # A Kong workload's KONG_* variables are Kong's runtime configuration, as kong.conf is.
            return _kong_runtime(shown, kong, embedded, [*embedded.warnings, *warnings, *kong.warnings], secrets)
        # TLS versions only where IngressRoutes show them: an Ingress's are the controller's settings.
        versions = tuple(traefik.tls_settings.values()) if traefik is not None else None
        ciphers = _cipher_settings(objects, traefik, warnings.append)
        return GatewayConfig(path=shown, gateway="kubernetes", routes=tuple(routes),
                             warnings=tuple(dict.fromkeys([*embedded.warnings, *warnings])),
                             clear_secrets=secrets, tls_settings=versions, has_routing=has_routing,
                             cipher_settings=ciphers, embedded=embedded.configs)


def _kong_runtime(shown: str, kong: KongService, embedded: EmbeddedReading, warnings: list[str],
                  secrets: tuple[Evidence, ...]) -> GatewayConfig:
    """Kong's runtime configuration from a Kong container's KONG_* variables, over the kong.conf a
    ConfigMap of the same manifest holds (`over_kong_conf`), so the two are one configuration rather than
    two ambiguous ones."""
    if embedded.kong_conf is None:
        runtime = kong_runtime_config(shown, kong.settings, warnings, secrets,
                                      unknown=kong.unknown_in(kong.settings))
        return runtime.model_copy(update={"embedded": embedded.configs})
    conf = [c for c in embedded.configs if c.gateway == "kong" and c.is_runtime_config][:1]
    others = tuple(c for c in embedded.configs if c not in conf)
    held = tuple(item for c in conf for item in c.clear_secrets or ())  # in clear in the file, overridden or not
    settings = over_kong_conf(embedded.kong_conf, kong)
    runtime = kong_runtime_config(shown, settings, [*warnings, *(w for c in conf for w in c.warnings)],
                                  secrets + held, unknown=kong.unknown_in(settings))
    return runtime.model_copy(update={"embedded": others})


def _cipher_settings(objects: list[KubeObject], traefik: IngressRouteReading | None,
                     warn: Warn) -> tuple[CipherSetting, ...] | None:
    """The cipher suites the TLSOptions of IngressRoutes and the ingress-nginx `ssl-ciphers` annotations
    of Ingresses write; None when the file has neither kind of object."""
    ingresses = [item for item in objects if item.kind == "Ingress"]
    if traefik is None and not ingresses:
        return None
    annotated = (annotation_ciphers(item, warn) for item in ingresses)
    found = [*(traefik.cipher_settings.values() if traefik is not None else ()), *annotated]
    return tuple(setting for setting in found if setting is not None)


def _routes(objects: list[KubeObject], path: Path, context: ReadContext, config_maps: ConfigMaps,
            warnings: list[str]) -> tuple[list[GatewayRoute], IngressRouteReading | None]:
    """The routes of a file's routing objects, their parents and backends looked up across the scan, and
    what its Traefik IngressRoutes showed (None when it has none); `config_maps` are those a Traefik
    container's `envFrom` may name, the file's own first."""
    gateways = GatewayIndex([parent_gateway(item) for item in objects if item.kind == "Gateway"
                             and _is_routing(item)],
                            path, context)
    services = ServiceIndex(objects, path, context)
    routes: list[GatewayRoute] = []
    for item in objects:
        routes += _routes_of(item, gateways, services, warnings.append)
    traefik = _ingressroutes(objects, path, context, services, config_maps, warnings.append)
    routes += traefik.routes if traefik is not None else []
    warnings += services.missing_warning()
    if any(item.kind in ("HTTPRoute", "GRPCRoute") for item in objects):
        warnings.append(_GATEWAY_API_LIMITS)
    return routes, traefik


def _ingressroutes(objects: list[KubeObject], path: Path, context: ReadContext, services: ServiceIndex,
                   config_maps: ConfigMaps,
                   warn: Warn) -> IngressRouteReading | None:
    """The routes of the manifest's Traefik IngressRoutes; None when it has none."""
    found = [item for item in objects if item.kind == "IngressRoute" and _is_routing(item)]
    if not found:
        return None
    lookup = crd_lookup(objects, path, context, services, config_maps, names_file_provider(found))
    for warning in lookup.warnings:
        warn(warning)
    reading = IngressRouteReading()
    for item in found:
        ingressroute_routes(item, lookup, reading, warn)
    return reading


def _clear_secrets(documents: list[StructuredDocument], objects: list[KubeObject],
                   shown: str, embedded: EmbeddedReading) -> list[Evidence]:
    """Every credential the file writes in clear, by place: Secrets, ConfigMaps, then each object's own
    (a routing object's annotations and filters, a Traefik Middleware's fields, a workload's env, a Traefik
    container's TRAEFIK_* variables judged as its static configuration's fields). A ConfigMap value read as
    a gateway configuration is judged by that configuration's reader instead."""
    found = secret_objects_in_clear(documents, shown) + [
        item for item in config_map_secrets(documents, shown) if item.pointer not in embedded.pointers]
    config_maps = ConfigMaps(documents, shown)
    for item in objects:
        found += routing_object_secrets(item) if _is_routing(item) else workload_secrets(item)
        found += middleware_secrets(item) + container_secrets(item, config_maps)
    places: dict[tuple[str, str | int | None], Evidence] = {}
    for evidence in found:  # a Traefik variable judged as a container's env and as a static field: once
        places.setdefault((evidence.path, evidence.pointer or evidence.line), evidence)
    return list(places.values())[:_MAX_SECRETS]


def _is_template(path: Path) -> bool:
    """True when the file is a Helm or Go template (`{{ }}`), which is YAML only once rendered."""
    try:
        return b"{{" in path.read_bytes()[:_SCAN_BYTES]
    except OSError:
        return False


def _routes_of(item: KubeObject, gateways: GatewayIndex, services: ServiceIndex,
               warn: Warn) -> list[GatewayRoute]:
    """The routes one object declares: an Ingress's paths, an HTTPRoute's or GRPCRoute's matches."""
    if not _is_routing(item):
        return []
    if item.kind == "Ingress":
        return ingress_routes(item, services, warn)
    if item.kind == "GRPCRoute":
        return grpcroute_routes(item, gateways, services, warn)
    return httproute_routes(item, gateways, services, warn) if item.kind == "HTTPRoute" else []


def _is_routing(item: KubeObject) -> bool:
    """An Ingress, HTTPRoute, GRPCRoute, Gateway or IngressRoute of its API group (a CRD of the same kind
    elsewhere is not)."""
    groups = _ROUTING_KINDS.get(item.kind)
    return groups is not None and item.api_version.startswith(groups)


def _declares_routing(text: bytes) -> bool:
    has_group = any(group.encode() in text for group in _API_GROUPS)
    return has_group and (_YAML_KIND.search(text) is not None or _JSON_KIND.search(text) is not None)
