"""An OpenAPI or Swagger document with API Gateway extensions, read as the gateway reads it.

Used for a whole export file and for a template's inline definition (`DefinitionBody`, `Body`). Each
operation (and `x-amazon-apigateway-any-method`, an `ANY` route) becomes a `RouteDraft`:
- auth from its `security` (else the document's): each named scheme resolved by `authorizers`, all of
  them required (API Gateway applies an authorizer and an API key check together), plus
  `x-amazon-apigateway-auth` (`aws_iam`); with no security at all the route is open;
- `x-amazon-apigateway-request-validator` (else the document's default) naming a validator of
  `x-amazon-apigateway-request-validators` that checks the body or parameters: `request-validator`;
- `x-amazon-apigateway-integration`: the upstream, and a warning for a fixed credential header.
The API's scope: `x-amazon-apigateway-policy` (network restrictions), `-endpoint-configuration` (top
level in Swagger, under a server in OpenAPI 3: VPC endpoint ids mean a private API), `-cors`.
CORS (see `cors`): `-cors` (HTTP APIs), `-gateway-responses` headers, and each method's integration
responses (an OPTIONS method's reach every method on its path). `-binary-media-types` and
`-minimum-compression-size` change no route's controls and are not read. The documentation half is
the OpenAPI reader's, minus greedy paths and the `$default` route, which route requests but document
no operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from riskscan.model import ApiSpec, AuthRequirement, CorsPolicy, PluginRef, SpecOperation
from riskscan.sources.gateways.aws.authorizers import Authorizer, export_authorizers, iam_authorizer
from riskscan.sources.gateways.aws.common import Place, Warn, is_greedy, mapping, text
from riskscan.sources.gateways.aws.cors import gateway_response_policy, http_api_policy, integration_policy
from riskscan.sources.gateways.aws.policy import PolicyRule, read_policy
from riskscan.sources.gateways.aws.routes import (
    RouteDraft,
    integration_detail,
    integration_upstream,
    warn_static_credentials,
    with_preflight,
)
from riskscan.sources.specs.openapi import HTTP_METHODS, read_spec_document
from riskscan.sources.specs.openapi_refs import Located, RefResolver
from riskscan.sources.specs.openapi_servers import server_bases, swagger_bases
from riskscan.sources.structured import StructuredDocument, join_pointer

if TYPE_CHECKING:
    from riskscan.sources import ReadContext

__all__ = ["ANY_METHOD", "ExportReading", "read_export", "read_export_spec"]

ANY_METHOD = "x-amazon-apigateway-any-method"
Scheme = Authorizer | AuthRequirement
_PREFIX = "x-amazon-apigateway-"


@dataclass(frozen=True)
class ExportReading:
    """An export's routes (before the API's scope) and what applies to the whole API."""

    drafts: tuple[RouteDraft, ...]
    rules: tuple[PolicyRule, ...]
    plugins: tuple[PluginRef, ...]
    prefix: str
    key_source: str | None
    schemes: dict[str, Scheme]  # the security schemes API Gateway enforces, by name
    http_cors: CorsPolicy | None = None  # `x-amazon-apigateway-cors`, on every route
    response_cors: CorsPolicy | None = None  # headers of the gateway responses, on every route

    @property
    def cors(self) -> tuple[CorsPolicy, ...]:
        """The CORS policies on every route of the API."""
        return tuple(policy for policy in (self.http_cors, self.response_cors) if policy is not None)


def read_export(
    definition: StructuredDocument,
    context: ReadContext,
    place: Place,
    base: str,
    warn: Warn,
    default_auth: tuple[AuthRequirement, ...] = (),
) -> ExportReading:
    """Routes and API scope of a definition sitting at pointer `base` of the file (`""`: a whole export).

    `default_auth` is what a SAM API's `Auth` adds to operations that declare no security.
    """
    data = mapping(definition.data)
    key_source = text(data.get(_PREFIX + "api-key-source"))
    if "securityDefinitions" in data:
        schemes, schemes_at = (
            mapping(data.get("securityDefinitions")),
            join_pointer(base, "securityDefinitions"),
        )
    else:
        schemes = mapping(mapping(data.get("components")).get("securitySchemes"))
        schemes_at = f"{base}/components/securitySchemes"
    authorizers = export_authorizers(schemes, place, schemes_at, key_source, warn)
    reader = _Operations(data, place, base, warn, authorizers, default_auth, frozenset(schemes))
    policy_at = join_pointer(base, _PREFIX + "policy")
    return ExportReading(
        drafts=tuple(with_preflight(reader.drafts())),
        rules=read_policy(data[_PREFIX + "policy"], place, policy_at, warn)
        if _PREFIX + "policy" in data
        else (),
        plugins=tuple(_api_plugins(data, place, base)),
        prefix=_prefix(definition, context),
        key_source=key_source,
        schemes=authorizers,
        http_cors=http_api_policy(data.get(_PREFIX + "cors"), place, join_pointer(base, _PREFIX + "cors")),
        response_cors=gateway_response_policy(
            data.get(_PREFIX + "gateway-responses"), place, join_pointer(base, _PREFIX + "gateway-responses")
        ),
    )


def read_export_spec(
    definition: StructuredDocument, context: ReadContext, base: str, schemes: dict[str, Scheme]
) -> ApiSpec:
    """The documentation half: the OpenAPI reader's spec of the definition, without greedy paths and
    `$default`, evidence pointers counted from the top of the file, and security schemes that carry
    an API Gateway authorizer declared as that authorizer (an `apiKey`-typed scheme with
    `x-amazon-apigateway-authtype: cognito_user_pools` declares Cognito, not a static key).
    Raises `SourceError`."""
    data = mapping(definition.data)
    paths = mapping(data.get("paths"))
    kept = {key: value for key, value in paths.items() if not is_greedy(key)}
    documented = {**data, "paths": kept} if "paths" in data and len(kept) < len(paths) else data
    spec = read_spec_document(StructuredDocument(definition.path, documented, definition.line_of), context)
    operations = tuple(_as_gateway_reads_it(operation, base, schemes) for operation in spec.operations)
    return spec.model_copy(update={"operations": operations})


def _as_gateway_reads_it(operation: SpecOperation, base: str, schemes: dict[str, Scheme]) -> SpecOperation:
    """The operation with its security in API Gateway's terms and its pointer counted from `base`."""
    security = tuple(
        tuple(_declared(requirement, schemes.get(requirement.scheme)) for requirement in alternative)
        for alternative in operation.security
    )
    evidence = operation.evidence
    if base and evidence.note is None:  # a pointer into a file the definition references is its own
        evidence = evidence.model_copy(update={"pointer": base + (evidence.pointer or "")})
    return operation.model_copy(update={"security": security, "evidence": evidence})


def _declared(requirement: AuthRequirement, scheme: Scheme | None) -> AuthRequirement:
    if isinstance(scheme, Authorizer):
        return scheme.requirement(requirement.scopes)
    return scheme if scheme is not None else requirement


class _Operations:
    """Reads the operations of one document into drafts."""

    def __init__(
        self,
        data: dict[str, Any],
        place: Place,
        base: str,
        warn: Warn,
        schemes: dict[str, Scheme],
        default_auth: tuple[AuthRequirement, ...],
        declared: frozenset[str],
    ) -> None:
        self._data, self._place, self._base, self._warn = data, place, base, warn
        self._schemes, self._default_auth = schemes, default_auth
        self._validators = mapping(data.get(_PREFIX + "request-validators"))
        self._default_validator = data.get(_PREFIX + "request-validator")
        # Names not to warn about (again): every declared scheme (an unenforced one was warned about
        # when read) and each undeclared name once warned.
        self._quiet: set[str] = set(declared)

    def drafts(self) -> list[RouteDraft]:
        """Every operation of every path, in document order."""
        found: list[RouteDraft] = []
        paths_at = join_pointer(self._base, "paths")
        for template, item in mapping(self._data.get("paths")).items():
            for key, operation in mapping(item).items():
                method = "ANY" if key == ANY_METHOD else key.upper() if key.lower() in HTTP_METHODS else None
                if method is None:
                    continue
                at = join_pointer(join_pointer(paths_at, template), key)
                if not isinstance(operation, dict):
                    self._warn(f"{method} {template}: the operation is not a mapping; skipped")
                    continue
                found.append(self._draft(method, template, operation, at))
        return found

    def _draft(self, method: str, template: str, operation: dict[str, Any], at: str) -> RouteDraft:
        label = f"{method} {template}"
        named = self._named(operation, label, at)
        plugins = [scheme.plugin for scheme, _ in named if isinstance(scheme, Authorizer)]
        validator = operation.get(_PREFIX + "request-validator", self._default_validator)
        checks = mapping(self._validators.get(validator)) if isinstance(validator, str) else {}
        if checks.get("validateRequestBody") is True or checks.get("validateRequestParameters") is True:
            evidence = self._place.evidence(at, f"{label}: request validator {validator}")
            plugins.append(PluginRef(name="request-validator", attached_to="method", evidence=evidence))
        integration = mapping(operation.get(_PREFIX + "integration"))
        warn_static_credentials(integration, label, self._warn)
        cors = integration_policy(integration, self._place, join_pointer(at, _PREFIX + "integration"))
        evidence = self._place.evidence(at, label)
        return RouteDraft(
            method=method,
            path=template,
            auth=tuple(dict.fromkeys(self._requirements(named, operation))),
            evidence=evidence,
            plugins=tuple(plugins),
            upstream=integration_upstream(integration) if integration else None,
            upstream_detail=integration_detail(integration, evidence) if integration else None,
            cors=(cors,) if cors is not None else (),
        )

    def _named(self, operation: dict[str, Any], label: str, at: str) -> list[tuple[Scheme, tuple[str, ...]]]:
        """The schemes the operation's security names (else the document's), with their scopes, and
        `x-amazon-apigateway-auth: aws_iam`."""
        security = operation.get("security", self._data.get("security"))
        found: list[tuple[Scheme, tuple[str, ...]]] = []
        for requirement in security if isinstance(security, list) else []:
            for name, scopes in mapping(requirement).items():
                scheme = self._schemes.get(name)
                if scheme is None:
                    if name not in self._quiet:
                        self._quiet.add(name)
                        self._warn(f"{label}: security names an undeclared scheme {name!r}")
                    continue
                found.append(
                    (scheme, tuple(str(scope) for scope in scopes) if isinstance(scopes, list) else ())
                )
        auth_type = (text(mapping(operation.get(_PREFIX + "auth")).get("type")) or "").lower()
        if auth_type == "aws_iam":
            found.append((iam_authorizer(self._place, join_pointer(at, _PREFIX + "auth"), "method"), ()))
        return found

    def _requirements(
        self, named: list[tuple[Scheme, tuple[str, ...]]], operation: dict[str, Any]
    ) -> list[AuthRequirement]:
        """All named schemes are required; with no security anywhere, the SAM default (if any)."""
        if not named and "security" not in operation and "security" not in self._data:
            return list(self._default_auth)
        return [
            scheme.requirement(scopes) if isinstance(scheme, Authorizer) else scheme
            for scheme, scopes in named
        ]


def _api_plugins(data: dict[str, Any], place: Place, base: str) -> list[PluginRef]:
    """Endpoint configuration and CORS, the same on every route of the API."""
    plugins: list[PluginRef] = []
    configurations = [
        (join_pointer(base, _PREFIX + "endpoint-configuration"), data.get(_PREFIX + "endpoint-configuration"))
    ]
    servers = data.get("servers")
    for index, server in enumerate(servers if isinstance(servers, list) else []):
        at = join_pointer(
            join_pointer(join_pointer(base, "servers"), index), _PREFIX + "endpoint-configuration"
        )
        configurations.append((at, mapping(server).get(_PREFIX + "endpoint-configuration")))
    for at, configuration in configurations:
        settings = mapping(configuration)
        if settings.get("vpcEndpointIds"):
            plugins.append(
                PluginRef(
                    name="private-endpoint", attached_to="api", evidence=place.evidence(at, "vpcEndpointIds")
                )
            )
        if settings.get("disableExecuteApiEndpoint") is True:
            evidence = place.evidence(at, "disableExecuteApiEndpoint: true")
            plugins.append(
                PluginRef(name="execute-api-endpoint-disabled", attached_to="api", evidence=evidence)
            )
    if isinstance(data.get(_PREFIX + "cors"), dict):
        at = join_pointer(base, _PREFIX + "cors")
        plugins.append(
            PluginRef(name="cors", attached_to="api", evidence=place.evidence(at, "x-amazon-apigateway-cors"))
        )
    return plugins


def _prefix(definition: StructuredDocument, context: ReadContext) -> str:
    """The base path routes are served under, taken as the OpenAPI reader takes it for the spec half
    (Swagger `basePath`, else the first server's path, variables at their defaults)."""
    data = mapping(definition.data)
    if "swagger" in data:
        bases = swagger_bases(Located(data, definition, ""))
    else:
        servers = Located(data.get("servers"), definition, "/servers")
        bases = (
            server_bases(servers, RefResolver(definition, context)) if isinstance(servers.node, list) else []
        )
    return bases[0].prefix if bases else ""
