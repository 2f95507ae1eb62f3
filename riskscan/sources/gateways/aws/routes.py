"""API Gateway routes as `GatewayRoute`s: one per method and path, with the API's scope applied.

Every reader of the family (exports, template resources, SAM function events) produces `RouteDraft`s;
`build_route` gives each its pattern, the stage's loggers, monitors and limits, the resource
policy's network restrictions and what the file cannot show. Integrations become the upstream text
(a Lambda function's name, an HTTP backend's host with credentials stripped, `mock` ...); a static
credential sent to the backend in an integration header is reported (never kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from riskscan.model import (
    AuthKind,
    AuthRequirement,
    ClientTransport,
    CorsPolicy,
    Evidence,
    GatewayRoute,
    PluginRef,
    Upstream,
)
from riskscan.sources.gateways.aws.authorizers import API_KEY
from riskscan.sources.gateways.aws.common import DEFAULT_ROUTE, Warn, gateway_uri, mapping, text
from riskscan.sources.gateways.aws.policy import PolicyRule, rules_for
from riskscan.sources.gateways.aws.stages import StageSettings
from riskscan.sources.specs.openapi_servers import join_path

__all__ = [
    "ApiScope",
    "RouteDraft",
    "build_route",
    "integration_upstream",
    "looks_like_credential",
    "warn_static_credentials",
    "with_preflight",
]

_FUNCTION = re.compile(r"function:([A-Za-z0-9_.-]+)|\$\{([A-Za-z0-9]+)\.Arn\}")
_SERVICE = re.compile(r"^arn:[^:]*:apigateway:[^:]*:([a-z0-9-]+):")
_CREDENTIAL_NAME = re.compile(
    r"authorization|api[-_]?key|token|secret|password|passwd|credential|cookie", re.IGNORECASE
)


@dataclass(frozen=True)
class ApiScope:
    """What applies to every route of one API: its name, stage settings, network rules, base path."""

    name: str
    stage: StageSettings
    rules: tuple[PolicyRule, ...] = ()
    plugins: tuple[PluginRef, ...] = ()  # endpoint type, CORS: the same on every route
    prefix: str = ""
    # CORS policies on every route (HTTP API configuration, gateway responses, SAM Cors); None when
    # part of the API is not in the file (a definition in S3), so no route's CORS can be told.
    cors: tuple[CorsPolicy, ...] | None = ()


@dataclass(frozen=True)
class RouteDraft:
    """One method on one path as the file declares it, before the API's scope is applied."""

    method: str  # GET ... or ANY
    path: str  # an API Gateway path template, or `$default`
    auth: tuple[AuthRequirement, ...]
    evidence: Evidence
    plugins: tuple[PluginRef, ...] = ()
    upstream: str | None = None
    upstream_detail: Upstream | None = None
    cors: tuple[CorsPolicy, ...] = ()  # set by the method's integration responses (REST)


def with_preflight(drafts: list[RouteDraft]) -> list[RouteDraft]:
    """The drafts with the CORS policy of each path's OPTIONS method added to every method on that path:
    the preflight answer is what lets a browser send the others (REST APIs)."""
    preflight: dict[str, tuple[CorsPolicy, ...]] = {}
    for draft in drafts:
        if draft.method == "OPTIONS" and draft.cors:
            preflight[draft.path] = preflight.get(draft.path, ()) + draft.cors
    return [
        replace(draft, cors=tuple(dict.fromkeys(draft.cors + preflight[draft.path])))
        if draft.path in preflight else draft
        for draft in drafts
    ]


def build_route(draft: RouteDraft, scope: ApiScope, warn: Warn) -> GatewayRoute | None:
    """The draft as a `GatewayRoute`; None (with a warning) when its path is not a valid one."""
    full = draft.path if draft.path == DEFAULT_ROUTE else join_path(scope.prefix, draft.path)
    uri = gateway_uri(full)
    if uri is None:
        warn(f"{draft.method} {draft.path}: not a valid API Gateway path; skipped")
        return None
    if draft.path == DEFAULT_ROUTE and scope.prefix.strip("/"):
        uri = join_path(scope.prefix, "/") + "/*"
    has_key = any(
        requirement.kind is AuthKind.API_KEY and requirement.scheme == API_KEY for requirement in draft.auth
    )
    limits = scope.stage.limits_for(draft.method, draft.path, has_key)
    has_key_limits = has_key and bool(scope.stage.key_limits)
    return GatewayRoute(
        gateway="aws-apigateway",
        route_id=f"{scope.name} {draft.method} {draft.path}",
        uris=(uri,),
        methods=() if draft.method == "ANY" else (draft.method,),
        plugins=draft.plugins
        + scope.plugins
        + rules_for(scope.rules, draft.method, draft.path)
        + scope.stage.plugins,
        auth=draft.auth,
        rate_limits=limits,
        loggers=scope.stage.loggers,
        monitors=scope.stage.monitors,
        upstream=draft.upstream,
        not_shown=scope.stage.not_shown(has_key_limits),
        evidence=draft.evidence,
        # API Gateway endpoints answer HTTPS only; plain HTTP never reaches a route.
        client_transport=ClientTransport(is_plain=False, evidence=draft.evidence.model_copy(
            update={"note": "API Gateway serves HTTPS only"})),
        upstream_detail=draft.upstream_detail,
        cors=None if scope.cors is None else tuple(dict.fromkeys(draft.cors + scope.cors)),
    )


def integration_detail(integration: dict[str, Any], evidence: Evidence) -> Upstream | None:
    """An HTTP integration's backend as an upstream: its host and the scheme of its URI. API Gateway
    times every integration out (29 seconds unless `timeoutInMillis` says otherwise), and the URI
    names a service (a load balancer, a VPC link target), not nodes: node count 0. Lambda, AWS
    service and mock integrations are reached inside AWS over HTTPS or not at all: no detail."""
    kind = (text(integration.get("type")) or text(integration.get("Type")) or "").lower()
    uri = text(integration.get("uri", integration.get("Uri")))
    if not kind.startswith("http") or not uri or "${" in uri:
        return None
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return Upstream(hosts=(parts.hostname,), nodes=0, scheme=parts.scheme.lower() or None,
                    has_timeouts=True, evidence=evidence.model_copy(update={"note": "HTTP integration"}))


def integration_upstream(integration: dict[str, Any]) -> str | None:
    """What the route sends requests to: `lambda Orders`, `http billing.internal`, `mock`, `aws sqs`."""
    kind = (text(integration.get("type")) or text(integration.get("Type")) or "").lower()
    uri = integration.get("uri", integration.get("Uri"))
    if isinstance(uri, dict):  # `Fn::Sub` text, or `Fn::Join` parts
        inner = uri.get("Fn::Sub")
        uri = inner[0] if isinstance(inner, list) and inner else inner
    uri = text(uri) or ""
    if kind == "mock":
        return "mock"
    if kind.startswith("http"):
        parts = urlsplit(uri)
        host = parts.hostname if "${" not in (parts.netloc or "") else None
        via = (
            "VPC link "
            if str(integration.get("connectionType", integration.get("ConnectionType"))) == "VPC_LINK"
            else ""
        )
        return f"{via}http {host}" if host else f"{via}http"
    function = _FUNCTION.search(uri)
    if function is not None:
        return f"lambda {function.group(1) or function.group(2)}"
    service = _SERVICE.match(uri)
    if service is not None:
        return f"aws {service.group(1)}"
    return "aws" if kind.startswith("aws") else None


def looks_like_credential(name: str) -> bool:
    """True for a header or variable name that usually holds a credential (`Authorization`, `apiKey` ...)."""
    return _CREDENTIAL_NAME.search(name) is not None


def warn_static_credentials(integration: dict[str, Any], label: str, warn: Warn) -> None:
    """Warn when an integration sends a fixed credential-like header to its backend (the value is a
    secret held in the file: never read into any output)."""
    parameters = mapping(integration.get("requestParameters", integration.get("RequestParameters")))
    for target, source in parameters.items():
        name = target.rsplit(".", 1)[-1]
        is_static = isinstance(source, str) and source.startswith("'")
        if (
            target.lower().startswith("integration.request.header.")
            and is_static
            and looks_like_credential(name)
        ):
            warn(
                f"{label}: the integration sends a fixed {name!r} header, a credential held in the file "
                "(not read); keep it in a secret store"
            )
