"""Security schemes and requirements of an OpenAPI or Swagger spec, resolved to `AuthKind`s.

OAuth 2.0 schemes also keep the names of their flows (`implicit`, `password`, `client_credentials`,
`authorization_code`); nothing in OpenAPI declares PKCE, DPoP or pushed authorization requests.
Schemes map to kinds as follows: `apiKey` -> api_key (location `header:X-API-Key`), HTTP `basic` ->
basic, HTTP `bearer` -> bearer, any other HTTP scheme (`digest`, `negotiate`, `hoba` ...) -> basic,
because like basic it sends a per-user credential with no token issuer behind it; `oauth2` -> oauth2,
`openIdConnect` -> oidc, `mutualTLS` -> mtls; Swagger 2 `basic` -> basic. An `apiKey` scheme marked
`x-amazon-apigateway-authtype: awsSigv4` (AWS's service descriptions, API Gateway's IAM auth) is no
static key but a request signed with an IAM principal's credentials: oauth2 strength, as the API Gateway
reader judges it (per caller, issued and checked by AWS).

An operation's `security` (else the root's) lists alternatives, any one of which suffices; `{}` among
them, or `security: []`, allows anonymous callers. Problems are warnings on the spec, never fatal.
"""

from __future__ import annotations

from riskscan.model import AuthKind, AuthRequirement
from riskscan.sources.specs.openapi_refs import Located, RefResolver, kept_identifier, quoted

__all__ = ["SchemeTable", "operation_security", "security_schemes"]

SchemeTable = dict[str, AuthRequirement | None]
"""Scheme name -> requirement template (None: declared but unusable, already warned about)."""

_SIGV4_LOCATION = "header:Authorization (AWS SigV4 signature)"

_OTHER_SCHEME_KINDS = {
    "basic": AuthKind.BASIC,
    "oauth2": AuthKind.OAUTH2,
    "openIdConnect": AuthKind.OIDC,
    "mutualTLS": AuthKind.MTLS,
}


def security_schemes(root: Located, refs: RefResolver, *, is_swagger: bool) -> SchemeTable:
    """The spec's declared schemes (`securityDefinitions` in Swagger 2.0), `$ref`s resolved."""
    if is_swagger:
        declared = root.child("securityDefinitions")
    else:
        declared = root.child("components").child("securitySchemes")
    if not isinstance(declared.node, dict):
        return {}
    schemes: SchemeTable = {}
    for name in declared.node:
        target = refs.resolve(declared.child(name))
        schemes[str(name)] = _scheme(str(name), target, refs) if target is not None else None
    return schemes


def operation_security(
    operation: Located, root: Located, schemes: SchemeTable, refs: RefResolver
) -> tuple[tuple[AuthRequirement, ...], ...]:
    """The operation's alternatives: its own `security` if present, else the root's.

    `()`: the spec declares no security; `((),)`: explicitly open to anonymous callers.
    """
    declared = operation.child("security") if "security" in operation.node else root.child("security")
    if declared.node is None:
        return ()
    if not isinstance(declared.node, list):
        refs.warn(declared, "security is not a list; ignored")
        return ()
    if not declared.node:
        return ((),)
    alternatives: dict[tuple[AuthRequirement, ...], None] = {}
    for index in range(len(declared.node)):
        alternative = _alternative(declared.child(index), schemes, refs)
        if alternative is not None:
            alternatives[alternative] = None
    return tuple(alternatives)


def _scheme(name: str, declared: Located, refs: RefResolver) -> AuthRequirement | None:
    """One security scheme resolved to its kind (see the module docstring for the mapping)."""
    node = declared.node
    kind_name = node.get("type") if isinstance(node, dict) else None
    if kind_name == "apiKey" and str(node.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
        return AuthRequirement(kind=AuthKind.OAUTH2, scheme=name, location=_SIGV4_LOCATION)
    if kind_name == "apiKey":
        where, key = node.get("in"), node.get("name")
        location = f"{where}:{key}" if isinstance(where, str) and isinstance(key, str) else None
        return AuthRequirement(kind=AuthKind.API_KEY, scheme=name, location=location)
    if kind_name == "http":
        is_bearer = str(node.get("scheme", "")).strip().lower() == "bearer"
        return AuthRequirement(kind=AuthKind.BEARER if is_bearer else AuthKind.BASIC, scheme=name)
    if kind_name == "oauth2":
        return AuthRequirement(kind=AuthKind.OAUTH2, scheme=name, flows=_flows(node))
    if isinstance(kind_name, str) and kind_name in _OTHER_SCHEME_KINDS:
        return AuthRequirement(kind=_OTHER_SCHEME_KINDS[kind_name], scheme=name)
    refs.warn(declared, f"security scheme {quoted(name)} has an unknown type; ignored")
    return None


_FLOW_NAMES = {
    "implicit": "implicit",
    "password": "password",
    "clientCredentials": "client_credentials",
    "application": "client_credentials",  # Swagger 2.0
    "authorizationCode": "authorization_code",
    "accessCode": "authorization_code",  # Swagger 2.0
}


def _flows(node: dict[str, object]) -> tuple[str, ...]:
    """The OAuth 2.0 flows of a scheme: OpenAPI 3 `flows` keys, or Swagger 2.0's one `flow`."""
    declared = node.get("flows")
    names = list(declared) if isinstance(declared, dict) else [node.get("flow")]
    known = [_FLOW_NAMES[name] for name in names if isinstance(name, str) and name in _FLOW_NAMES]
    return tuple(dict.fromkeys(known))


def _alternative(
    requirement: Located, schemes: SchemeTable, refs: RefResolver
) -> tuple[AuthRequirement, ...] | None:
    """One security requirement object; `{}` is the anonymous alternative.

    An undefined scheme is skipped with a warning; an alternative left with no scheme at all is
    dropped rather than mistaken for anonymous access.
    """
    node = requirement.node
    if not isinstance(node, dict):
        refs.warn(requirement, "security requirement is not a mapping; ignored")
        return None
    if not node:
        return ()
    required: list[AuthRequirement] = []
    for name, scopes in node.items():
        if str(name) not in schemes:
            refs.warn(requirement, f"security requirement names undefined scheme {quoted(name)}")
        scheme = schemes.get(str(name))
        if scheme is not None:
            kept = tuple(kept_identifier(scope) or "" for scope in scopes) if isinstance(scopes, list) else ()
            required.append(scheme.model_copy(update={"scopes": kept}))
    return tuple(required) or None
