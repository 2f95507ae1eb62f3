"""`build_inventory`: the inventory stage's one entry point.

Runs the steps in `build` and `traffic`, then turns each draft into an `Endpoint` with its
lifecycle (`lifecycle`), auth, rate-limit and logging posture (`posture`), merged traffic and
exposure (`exposure`), sorted by path, method and host so that reports and diffs are stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from riskscan.inventory.build import Drafts, add_prefix_shadows, attach_routes, has_traffic_paths
from riskscan.inventory.data_classes import classify_operations
from riskscan.inventory.exposure import endpoint_exposure
from riskscan.inventory.gateway_patterns import RouteIndex
from riskscan.inventory.id_shapes import id_guessability
from riskscan.inventory.lifecycle import InputsSeen, classify, find_superseding
from riskscan.inventory.merge import EndpointDraft
from riskscan.inventory.posture import auth_posture, common_plugins, logging_posture, rate_limit_posture
from riskscan.inventory.traffic import attach_traffic
from riskscan.model import (
    ApiSpec,
    ClientTransport,
    CorsPolicy,
    Endpoint,
    Evidence,
    GatewayConfig,
    GatewayRoute,
    Inventory,
    ServingRoute,
    SightingSource,
    SpecOperation,
    TrafficSample,
    UnknownSettings,
)

__all__ = ["build_inventory"]

_OPERATIONS_SHOWN = 5
"""Operations of one endpoint cited per documenting file; the rest are counted in one more item."""


def build_inventory(
    specs: Sequence[ApiSpec], gateways: Sequence[GatewayConfig], traffic: Sequence[TrafficSample]
) -> Inventory:
    """Merge specs, gateway configs and traffic into one endpoint list (see `riskscan.inventory`)."""
    drafts = Drafts()
    drafts.add_specs(specs)
    prefixes = attach_routes(gateways, drafts)
    enabled = [route for gateway in gateways for route in gateway.routes if route.is_enabled]
    probes = attach_traffic(traffic, drafts, RouteIndex(enabled))
    add_prefix_shadows(prefixes, drafts)
    # An empty log shows nothing about what is called, so it cannot make an endpoint an orphan; neither
    # a file read only for its secrets (a manifest of Deployments) nor a runtime config alone (kong.conf,
    # APISIX config.yaml) routes anything, so neither shows a gateway.
    has_gateway = any(gateway.has_routing and not gateway.is_runtime_config for gateway in gateways)
    seen = InputsSeen(has_gateway=has_gateway, has_traffic=has_traffic_paths(traffic))
    superseded = find_superseding(drafts.by_key)
    endpoints = [_to_endpoint(draft, superseded.get(draft.key), seen) for draft in drafts.by_key.values()]
    endpoints.sort(key=lambda endpoint: (endpoint.path, endpoint.method, endpoint.host or ""))
    return Inventory(
        endpoints=tuple(endpoints),
        has_specs=bool(specs),
        has_gateway=has_gateway,
        has_traffic=seen.has_traffic,
        unmatched_404_paths=probes,
        web_content=drafts.web_content.summary(),
        # Once each: a Traefik static configuration's are reported with every dynamic file beside it.
        clear_secrets=tuple(dict.fromkeys(
            item for gateway in gateways for item in gateway.clear_secrets or ())),
        secrets_checked=_paths(gateway for gateway in gateways if gateway.clear_secrets is not None),
        tls_settings=tuple(item for gateway in gateways for item in gateway.tls_settings or ()),
        tls_checked=_paths(gateway for gateway in gateways if gateway.tls_settings is not None),
        admin_exposures=tuple(item for gateway in gateways for item in gateway.admin_exposures or ()),
        admin_checked=_paths(gateway for gateway in gateways if gateway.admin_exposures is not None),
        # Once each: a TLSOption elsewhere in the scan is read with every manifest naming it.
        cipher_settings=tuple(dict.fromkeys(
            item for gateway in gateways for item in gateway.cipher_settings or ())),
        ciphers_checked=_paths(gateway for gateway in gateways if gateway.cipher_settings is not None),
        unknown_settings=tuple(UnknownSettings(path=gateway.path, gateway=gateway.gateway,
                                               settings=gateway.unknown_settings)
                               for gateway in gateways if gateway.unknown_settings),
    )


def _paths(gateways: Iterable[GatewayConfig]) -> tuple[str, ...]:
    """The files of some gateway configs, each once (a manifest also holds its ConfigMaps' configs)."""
    return tuple(dict.fromkeys(gateway.path for gateway in gateways))


def _to_endpoint(draft: EndpointDraft, superseded_by: str | None, seen: InputsSeen) -> Endpoint:
    lifecycle, reason = classify(draft, superseded_by, seen)
    operations = [operation for _, operation in draft.operations]
    first = draft.operations[0] if draft.operations else None
    loggers, monitors, is_logged = logging_posture(draft.routes)
    stats = draft.traffic.stats(draft.path) if draft.traffic is not None else None
    captured = (stats.response_fields, stats.evidence[0]) if stats and stats.response_fields and stats.evidence else None
    data = classify_operations(operations, observed=captured)
    auth, plugins = auth_posture(operations, draft.routes), common_plugins(draft.routes)
    exposure, exposure_reason = endpoint_exposure(draft.host, plugins, auth, stats)
    parameters = first[1].parameters if first else ()
    guessability = id_guessability(draft.path, parameters, stats)
    return Endpoint(
        method=draft.method,
        path=draft.path,
        host=draft.host,
        operation_id=first[1].operation_id if first else None,
        summary=first[1].summary if first else None,
        api=f"{first[0].title} {first[0].version}".strip() if first else None,
        parameters=parameters,
        sources=_sources(draft),
        lifecycle=lifecycle,
        lifecycle_reason=reason,
        deprecated=draft.is_deprecated,
        superseded_by=superseded_by,
        route_ids=tuple(dict.fromkeys(route.route_id for route in draft.routes)),
        auth=auth,
        rate_limit=rate_limit_posture(draft.routes, operations),
        loggers=loggers,
        monitors=monitors,
        is_logged=is_logged,
        traffic=stats,
        evidence=_evidence(draft, stats.evidence if stats else ()),
        plugins=plugins,
        data_classes=data.data_classes,
        sensitive_fields=data.sensitive_fields,
        has_schemas=data.has_schemas,
        open_body=data.open_body,
        request_fields=data.request_fields,
        loose_request_fields=data.loose_request_fields,
        upstreams=tuple(dict.fromkeys(r.upstream_detail for r in draft.routes if r.upstream_detail)),
        cors=_cors(draft),
        exposure=exposure,
        exposure_reason=exposure_reason,
        returns_collection=next(
            (op.returns_collection for op in operations if op.returns_collection is not None), None),
        id_guessability=guessability[0] if guessability else None,
        id_guessability_reason=guessability[1] if guessability else None,
        serving_routes=tuple(_serving(route) for route in draft.routes),
        client_transport=_client_transport(draft),
        declared_transport=tuple(dict.fromkeys(_declared_transport(operations))),
        spec_hosts=tuple(dict.fromkeys(host.lower() for _, operation in draft.operations
                                       for host in (operation.host, *operation.alternate_hosts) if host)),
    )


def _client_transport(draft: EndpointDraft) -> tuple[ClientTransport, ...] | None:
    """How clients reach the serving routes; None unless every serving route's reader shows it."""
    shown = [route.client_transport for route in draft.routes]
    if not shown or any(transport is None for transport in shown):
        return None
    return tuple(dict.fromkeys(transport for transport in shown if transport is not None))


def _declared_transport(operations: Sequence[SpecOperation]) -> Iterator[ClientTransport]:
    """Each documenting operation whose servers name a scheme: plain where one is http."""
    for operation in operations:
        if operation.server_schemes:
            yield ClientTransport(is_plain=operation.plain_server is not None,
                                  evidence=operation.plain_server or operation.evidence)


def _serving(route: GatewayRoute) -> ServingRoute:
    """What environment separation reads of a serving route: its hosts, conditions and upstream."""
    return ServingRoute(route_id=route.route_id, hosts=route.hosts, conditions=route.conditions,
                        upstream=route.upstream, evidence=route.evidence)


def _cors(draft: EndpointDraft) -> tuple[CorsPolicy, ...] | None:
    """CORS policies of the serving routes; None unless every serving route's reader shows CORS."""
    shown = [route.cors for route in draft.routes]
    if not shown or any(policies is None for policies in shown):
        return None
    return tuple(dict.fromkeys(policy for policies in shown for policy in policies or ()))


def _sources(draft: EndpointDraft) -> tuple[SightingSource, ...]:
    sources: list[SightingSource] = []
    if draft.operations:
        sources.append(SightingSource.SPEC)
    if draft.routes:
        sources.append(SightingSource.GATEWAY)
    if draft.traffic is not None:
        sources.append(SightingSource.TRAFFIC)
    return tuple(sources)


def _evidence(draft: EndpointDraft, traffic: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    """Spec operations, then serving routes (disabled ones noted), then traffic files."""
    found = _operation_evidence(draft)
    found.extend(route.evidence for route in draft.routes)
    found.extend(
        route.evidence.model_copy(update={"note": f"route {route.route_id} is disabled"})
        for route in draft.disabled_routes
    )
    found.extend(traffic)
    return tuple(dict.fromkeys(found))


def _operation_evidence(draft: EndpointDraft) -> list[Evidence]:
    """Where the endpoint is documented: each operation's place, at most `_OPERATIONS_SHOWN` per file and
    then one item counting the rest. A GraphQL schema documents hundreds of operations on one endpoint;
    listed in full they would crowd its routes and logs out of every finding's evidence."""
    per_file: dict[str, list[Evidence]] = {}
    for _, operation in draft.operations:
        per_file.setdefault(operation.evidence.path, []).append(operation.evidence)
    found: list[Evidence] = []
    for path, items in per_file.items():
        found += items[:_OPERATIONS_SHOWN]
        rest = len(items) - _OPERATIONS_SHOWN
        if rest > 0:
            note = f"{rest:,} more operation{'s' if rest > 1 else ''} of this endpoint in this file"
            found.append(Evidence(path=path, count=rest, note=note))
    return found
