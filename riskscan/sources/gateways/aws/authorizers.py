"""API Gateway authorization resolved into auth kinds: authorizers, IAM, Cognito, JWT and API keys.

What each mechanism is taken for (the same judgement as for other gateways' equivalents):
- a Lambda authorizer (`TOKEN`/`REQUEST`, `custom`): the gateway lets a request through only when a
  function says so; what it checks is not in the file, so it counts as a bearer-style check, like
  APISIX forward-auth or Envoy ext_authz;
- a JWT authorizer (HTTP APIs): tokens checked against an issuer and audience at the gateway: bearer,
  like Envoy `jwt_authn`;
- a Cognito user pool authorizer: tokens issued by the pool's OAuth 2.0 authorization server, scopes
  checked when listed: oauth2;
- `AWS_IAM` (SigV4, `awsSigv4`): each request signed with an IAM principal's credentials, issued and
  checked by AWS: oauth2 strength (per-caller, issuer-backed), named `aws_iam`;
- an API key (`api_key` scheme, `ApiKeyRequired`): api_key. Its source is the `x-api-key` header
  unless the API's key source is `AUTHORIZER` (the Lambda authorizer supplies it).
Authorizer ARNs, role ARNs and account ids are identifiers, not secrets; they are not kept anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from riskscan.model import AuthKind, AuthRequirement, PluginRef
from riskscan.sources.gateways.aws.common import Place, Warn, mapping, text
from riskscan.sources.structured import join_pointer

__all__ = [
    "API_KEY",
    "Authorizer",
    "api_key_requirement",
    "export_authorizers",
    "iam_authorizer",
    "identity_location",
    "template_authorizer",
]

API_KEY = "api_key"
"""The scheme name of API Gateway's own API key check."""

_TYPES = {
    "token": AuthKind.BEARER,
    "request": AuthKind.BEARER,
    "custom": AuthKind.BEARER,
    "lambda": AuthKind.BEARER,
    "jwt": AuthKind.BEARER,
    "cognito_user_pools": AuthKind.OAUTH2,
    "awssigv4": AuthKind.OAUTH2,
    "aws_iam": AuthKind.OAUTH2,
}
_SOURCES = {"header": "header", "querystring": "query", "query": "query", "cookie": "cookie"}


@dataclass(frozen=True)
class Authorizer:
    """One way API Gateway authorizes a request, with the entry that configures it."""

    kind: AuthKind
    name: str
    location: str | None
    plugin: PluginRef

    def requirement(self, scopes: tuple[str, ...] = ()) -> AuthRequirement:
        """This authorizer as a route's auth requirement, with the scopes the route asks for."""
        return AuthRequirement(kind=self.kind, scheme=self.name, scopes=scopes, location=self.location)


def identity_location(source: Any) -> str | None:
    """`method.request.header.Authorization` or `$request.header.Authorization` as `header:Authorization`."""
    sources = source if isinstance(source, list) else [source]
    shown: list[str] = []
    for item in sources:
        for part in (text(item) or "").split(","):
            pieces = part.strip().split(".")
            if len(pieces) >= 2 and pieces[-2] in _SOURCES:
                shown.append(f"{_SOURCES[pieces[-2]]}:{pieces[-1]}")
    return ", ".join(shown) or None


def api_key_requirement(key_source: str | None) -> AuthRequirement:
    """API Gateway's API key check, from the header or from a Lambda authorizer's answer."""
    if (key_source or "").upper() == "AUTHORIZER":
        return AuthRequirement(
            kind=AuthKind.API_KEY, scheme=API_KEY, location="authorizer (usageIdentifierKey)"
        )
    return AuthRequirement(kind=AuthKind.API_KEY, scheme=API_KEY, location="header:x-api-key")


def iam_authorizer(place: Place, pointer: str, attached_to: str) -> Authorizer:
    """`AWS_IAM` authorization: requests signed with SigV4."""
    plugin = PluginRef(name="aws_iam", attached_to=attached_to, evidence=place.evidence(pointer, "AWS_IAM"))
    return Authorizer(AuthKind.OAUTH2, "aws_iam", "header:Authorization (AWS SigV4 signature)", plugin)


def export_authorizers(
    schemes: dict[str, Any], place: Place, pointer: str, key_source: str | None, warn: Warn
) -> dict[str, Authorizer | AuthRequirement]:
    """Security schemes of an export as API Gateway reads them, by name.

    A scheme with `x-amazon-apigateway-authorizer` or `-authtype` is that authorizer; a plain
    `apiKey` scheme is API Gateway's API key check. Any other scheme (an `oauth2` or `http` scheme
    without an authorizer) is documentation only: the gateway enforces nothing for it (warning).
    """
    found: dict[str, Authorizer | AuthRequirement] = {}
    for name, scheme in schemes.items():
        node, at = mapping(scheme), join_pointer(pointer, name)
        authorizer = mapping(node.get("x-amazon-apigateway-authorizer"))
        authtype = (text(node.get("x-amazon-apigateway-authtype")) or "").lower()
        kind_name = (text(authorizer.get("type")) or authtype).lower()
        if authtype == "awssigv4":
            found[name] = iam_authorizer(place, at, "security scheme")
        elif kind_name in _TYPES:
            location = identity_location(authorizer.get("identitySource")) or _scheme_location(node)
            excerpt = f"{name}: {kind_name} authorizer"
            plugin = PluginRef(name=name, attached_to="authorizer", evidence=place.evidence(at, excerpt))
            found[name] = Authorizer(_TYPES[kind_name], name, location, plugin)
        elif node.get("type") == "apiKey" and not authtype:
            found[name] = api_key_requirement(key_source)
        else:
            warn(f"security scheme {name!r} has no API Gateway authorizer: the gateway does not enforce it")
    return found


def template_authorizer(
    name: str, properties: dict[str, Any], place: Place, pointer: str
) -> Authorizer | None:
    """An authorizer declared in a template: `AWS::ApiGateway::Authorizer`, `AWS::ApiGatewayV2::Authorizer`
    or an entry of a SAM API's `Auth.Authorizers`; None when its type cannot be told."""
    declared = (text(properties.get("Type")) or text(properties.get("AuthorizerType")) or "").lower()
    if not declared:
        if "UserPoolArn" in properties:
            declared = "cognito_user_pools"
        elif "JwtConfiguration" in properties:
            declared = "jwt"
        elif "FunctionArn" in properties:
            declared = "request" if text(properties.get("FunctionPayloadType")) == "REQUEST" else "token"
    if declared not in _TYPES:
        return None
    identity = properties.get("IdentitySource")
    if identity is None:
        identity = mapping(properties.get("Identity")).get("Header")
        identity = f"method.request.header.{identity}" if isinstance(identity, str) else None
    location = identity_location(identity) or "header:Authorization"
    plugin = PluginRef(
        name=name,
        attached_to="authorizer",
        evidence=place.evidence(pointer, f"{name}: {declared} authorizer"),
    )
    return Authorizer(_TYPES[declared], name, location, plugin)


def _scheme_location(scheme: dict[str, Any]) -> str | None:
    """Where an `apiKey`-typed scheme says the credential travels: `header:Authorization`."""
    where, name = text(scheme.get("in")), text(scheme.get("name"))
    return f"{where}:{name}" if where and name else None
