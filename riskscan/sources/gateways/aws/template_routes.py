"""Routes a CloudFormation or SAM template declares outside an API's definition.

- `AWS::ApiGateway::Method` on the `AWS::ApiGateway::Resource` tree (`PathPart` under `ParentId`, the
  API's `RootResourceId` at `/`): `AuthorizationType` (`NONE`, `AWS_IAM`, `CUSTOM`,
  `COGNITO_USER_POOLS` with the `AuthorizerId` resource and `AuthorizationScopes`), `ApiKeyRequired`,
  `RequestValidatorId`, `Integration` (its `IntegrationResponses` headers give the method's CORS);
- `AWS::ApiGatewayV2::Route`: `RouteKey` (`GET /pets`, `ANY /{proxy+}`, `$default`),
  `AuthorizationType` (`NONE`, `AWS_IAM`, `CUSTOM`, `JWT`) and `AuthorizerId`;
- `AWS::Serverless::Function` events of type `Api` and `HttpApi` (an `HttpApi` event without a path is
  the `$default` route): `Auth.Authorizer` (`NONE`, `AWS_IAM` or a name from the API's
  `Auth.Authorizers`), else the API's `DefaultAuthorizer`; `ApiKeyRequired`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from riskscan.model import AuthRequirement, PluginRef
from riskscan.sources.gateways.aws.authorizers import Authorizer, api_key_requirement, iam_authorizer
from riskscan.sources.gateways.aws.common import DEFAULT_ROUTE, Place, Warn, logical_id, mapping, text
from riskscan.sources.gateways.aws.cors import integration_policy
from riskscan.sources.gateways.aws.routes import (
    RouteDraft,
    integration_detail,
    integration_upstream,
    warn_static_credentials,
)

__all__ = ["ApiAuth", "function_event_drafts", "method_drafts", "v2_route_drafts"]

_MAX_DEPTH = 64  # deepest resource tree followed (a cycle of ParentIds stops here)


@dataclass
class ApiAuth:
    """How one API authorizes: its named authorizers, default, API key settings."""

    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    default: str | None = None  # SAM `DefaultAuthorizer`: a name or AWS_IAM
    api_key_required: bool = False
    key_source: str | None = None

    def requirements(
        self, name: str | None, scopes: tuple[str, ...], place: Place, at: str, warn: Warn
    ) -> tuple[list[AuthRequirement], list[PluginRef]]:
        """The requirement (and its plugin) for an authorizer name; `NONE` and None give nothing."""
        if name is None or name.upper() == "NONE":
            return [], []
        if name.upper() == "AWS_IAM":
            iam = iam_authorizer(place, at, "method")
            return [iam.requirement()], [iam.plugin]
        authorizer = self.authorizers.get(name)
        if authorizer is None:
            warn(f"authorizer {name!r} is not declared in the template: its kind cannot be told")
            return [], []
        return [authorizer.requirement(scopes)], [authorizer.plugin]

    def default_requirements(self, place: Place, at: str, warn: Warn) -> tuple[AuthRequirement, ...]:
        """What the API adds to routes that say nothing themselves (SAM)."""
        found, _ = self.requirements(self.default, (), place, at, warn)
        if self.api_key_required:
            found.append(api_key_requirement(self.key_source))
        return tuple(found)


def method_drafts(
    resources: dict[str, Any], api_id: str, auth: ApiAuth, place: Place, warn: Warn
) -> Iterator[RouteDraft]:
    """The `AWS::ApiGateway::Method` resources of one REST API."""
    for name, resource in resources.items():
        properties = mapping(mapping(resource).get("Properties"))
        is_method = mapping(resource).get("Type") == "AWS::ApiGateway::Method"
        if is_method and logical_id(properties.get("RestApiId")) == api_id:
            draft = _method_draft(name, properties, resources, api_id, auth, place, warn)
            if draft is not None:
                yield draft


def _method_draft(
    name: str,
    properties: dict[str, Any],
    resources: dict[str, Any],
    api_id: str,
    auth: ApiAuth,
    place: Place,
    warn: Warn,
) -> RouteDraft | None:
    """One method's route, or None (with a warning) when its path or HTTP method cannot be told."""
    at = f"/Resources/{name}"
    path = _resource_path(resources, properties.get("ResourceId"), api_id)
    method = (text(properties.get("HttpMethod")) or "").upper()
    if path is None or not method:
        warn(f"method {name}: its resource path or HTTP method cannot be told; skipped")
        return None
    required, plugins = auth.requirements(*_authorization(properties), place, at, warn)
    if properties.get("ApiKeyRequired") is True:
        required.append(api_key_requirement(auth.key_source))
    validator_id = logical_id(properties.get("RequestValidatorId")) or ""
    validator = mapping(mapping(resources.get(validator_id)).get("Properties"))
    if True in (validator.get("ValidateRequestBody"), validator.get("ValidateRequestParameters")):
        evidence = place.evidence(f"{at}/Properties/RequestValidatorId", f"request validator {validator_id}")
        plugins.append(PluginRef(name="request-validator", attached_to="method", evidence=evidence))
    integration = mapping(properties.get("Integration"))
    warn_static_credentials(integration, f"{method} {path}", warn)
    cors = integration_policy(integration, place, f"{at}/Properties/Integration")
    evidence = place.evidence(at, f"{method} {path}")
    return RouteDraft(
        method=method,
        path=path,
        auth=tuple(required),
        evidence=evidence,
        plugins=tuple(plugins),
        upstream=integration_upstream(integration) if integration else None,
        upstream_detail=integration_detail(integration, evidence) if integration else None,
        cors=(cors,) if cors is not None else (),
    )


def _authorization(properties: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The authorizer a Method or Route names (`AWS_IAM`, an authorizer's logical id, or None for
    `NONE`) and the scopes it asks for."""
    kind = (text(properties.get("AuthorizationType")) or "NONE").upper()
    scopes = properties.get("AuthorizationScopes")
    asked = tuple(scope for scope in scopes if isinstance(scope, str)) if isinstance(scopes, list) else ()
    if kind in ("AWS_IAM", "NONE"):
        return (None if kind == "NONE" else kind), asked
    return logical_id(properties.get("AuthorizerId")), asked


def _resource_path(resources: dict[str, Any], reference: Any, api_id: str) -> str | None:
    """The path of a resource: its `PathPart`s up to the API's root (`!GetAtt Api.RootResourceId`)."""
    parts: list[str] = []
    for _ in range(_MAX_DEPTH):
        if isinstance(reference, dict) and "Fn::GetAtt" in reference and logical_id(reference) == api_id:
            return "/" + "/".join(reversed(parts))
        node = mapping(mapping(resources.get(logical_id(reference) or "")).get("Properties"))
        part = text(node.get("PathPart"))
        if part is None:
            return None
        parts.append(part)
        reference = node.get("ParentId")
    return None


def v2_route_drafts(
    resources: dict[str, Any], api_id: str, auth: ApiAuth, place: Place, warn: Warn
) -> Iterator[RouteDraft]:
    """The `AWS::ApiGatewayV2::Route` resources of one HTTP API."""
    for name, resource in resources.items():
        properties = mapping(mapping(resource).get("Properties"))
        if (
            mapping(resource).get("Type") != "AWS::ApiGatewayV2::Route"
            or logical_id(properties.get("ApiId")) != api_id
        ):
            continue
        at = f"/Resources/{name}"
        method, path = _route_key(text(properties.get("RouteKey")))
        if path is None:
            warn(f"route {name}: its RouteKey cannot be read; skipped")
            continue
        required, plugins = auth.requirements(*_authorization(properties), place, at, warn)
        yield RouteDraft(
            method=method,
            path=path,
            auth=tuple(required),
            evidence=place.evidence(at, f"{method} {path}"),
            plugins=tuple(plugins),
        )


def _route_key(key: str | None) -> tuple[str, str | None]:
    """`GET /pets` as (GET, /pets); `$default` as (ANY, $default)."""
    if key == DEFAULT_ROUTE:
        return "ANY", DEFAULT_ROUTE
    method, _, path = (key or "").partition(" ")
    return (method.upper(), path) if method and path.startswith("/") else ("ANY", None)


def function_event_drafts(
    name: str,
    function: dict[str, Any],
    api_for: dict[str, str],
    auths: dict[str, ApiAuth],
    place: Place,
    warn: Warn,
) -> Iterator[tuple[str, RouteDraft]]:
    """(API logical id, draft) for each `Api`/`HttpApi` event of a SAM function; an event without an
    API named goes to SAM's implicit API (`ServerlessRestApi`, `ServerlessHttpApi`)."""
    events = mapping(mapping(function.get("Properties")).get("Events"))
    for event_name, event in events.items():
        kind = text(mapping(event).get("Type")) or ""  # a list or mapping here is no type, and unhashable
        if kind not in api_for:
            continue
        properties = mapping(mapping(event).get("Properties"))
        at = f"/Resources/{name}/Properties/Events/{event_name}"
        api_id = logical_id(properties.get("RestApiId", properties.get("ApiId"))) or api_for[kind]
        method = (text(properties.get("Method")) or "").upper()
        path = text(properties.get("Path"))
        if kind == "HttpApi" and path is None and not method:
            method, path = "ANY", DEFAULT_ROUTE
        if path is None or not method:
            warn(f"{name} event {event_name}: no Path or Method; skipped")
            continue
        method = "ANY" if method in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else method
        auth = auths.get(api_id, ApiAuth())
        yield api_id, _event_draft(name, method, path, mapping(properties.get("Auth")), auth, place, at, warn)


def _event_draft(
    function: str,
    method: str,
    path: str,
    event_auth: dict[str, Any],
    auth: ApiAuth,
    place: Place,
    at: str,
    warn: Warn,
) -> RouteDraft:
    """One event's route: its own `Auth`, else the API's defaults."""
    scopes = tuple(
        str(scope) for scope in event_auth.get("AuthorizationScopes") or [] if isinstance(scope, str)
    )
    named = text(event_auth.get("Authorizer"))
    required, plugins = auth.requirements(
        named if named is not None else auth.default, scopes, place, at, warn
    )
    key = event_auth.get("ApiKeyRequired")
    if key is True or (key is None and auth.api_key_required):
        required.append(api_key_requirement(auth.key_source))
    return RouteDraft(
        method=method,
        path=path,
        auth=tuple(required),
        evidence=place.evidence(at, f"{method} {path}"),
        plugins=tuple(plugins),
        upstream=f"lambda {function}",
    )
