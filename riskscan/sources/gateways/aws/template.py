"""CloudFormation and SAM templates: every API Gateway API they declare, read into routes and specs.

APIs: `AWS::Serverless::Api` and `AWS::ApiGateway::RestApi` (REST), `AWS::Serverless::HttpApi` and
`AWS::ApiGatewayV2::Api` (HTTP; WebSocket APIs route no HTTP paths and are left out), and SAM's implicit
`ServerlessRestApi`/`ServerlessHttpApi` made for function events naming no API. SAM `Globals.Api` and
`Globals.HttpApi` apply to SAM APIs. For each API:
- routes from its inline definition (`DefinitionBody`, `Body`: read as an export, see `export`), a
  `DefinitionUri` file inside the folders given (an S3 location, `BodyS3Location` or an `AWS::Include`
  transform is noted as not read), its Method or Route resources and function events
  (`template_routes`); the definition is also the file's documentation (one `ApiSpec` per API);
- authorizers: SAM `Auth.Authorizers`/`DefaultAuthorizer`/`ApiKeyRequired`, `AWS::ApiGateway::Authorizer`
  and `AWS::ApiGatewayV2::Authorizer` resources;
- stages (`stages`): a SAM API is its own stage; `AWS::ApiGateway::Stage`, a `Deployment`'s stage,
  `AWS::ApiGatewayV2::Stage`, or a quick-create HTTP API's default stage. Without one in the template
  logging and limits are not shown. Usage plans by API key; resource policy and endpoint type (`policy`).
Custom domains' security policies give the TLS versions clients may use (`domains`).
Short-form intrinsics (`!Ref`, `!Sub`, `!GetAtt` ...) are data: references are followed between
resources, nothing is evaluated. Stage variables and parameter values are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from riskscan.errors import SourceError
from riskscan.model import ApiSpec, CorsPolicy, GatewayRoute, PluginRef, RateLimitPolicy, TlsSetting
from riskscan.sources.gateways.aws.authorizers import template_authorizer
from riskscan.sources.gateways.aws.common import Place, Warn, logical_id, mapping, text
from riskscan.sources.gateways.aws.cors import (
    http_api_policy,
    sam_gateway_response_policy,
    sam_rest_policy,
    template_gateway_response_policy,
)
from riskscan.sources.gateways.aws.domains import read_domain_tls
from riskscan.sources.gateways.aws.export import ExportReading, read_export, read_export_spec
from riskscan.sources.gateways.aws.policy import PolicyRule, read_policy, read_sam_policy
from riskscan.sources.gateways.aws.routes import (
    ApiScope,
    RouteDraft,
    build_route,
    looks_like_credential,
    with_preflight,
)
from riskscan.sources.gateways.aws.stages import (
    StageSettings,
    combine_stages,
    merge_stages,
    read_stage,
    read_usage_plan,
)
from riskscan.sources.gateways.aws.template_routes import (
    ApiAuth,
    function_event_drafts,
    method_drafts,
    v2_route_drafts,
)
from riskscan.sources.structured import StructuredDocument, load_structured

if TYPE_CHECKING:
    from riskscan.sources import ReadContext

__all__ = ["TemplateReading", "read_template"]

_API_TYPES = {
    "AWS::Serverless::Api": (True, False),  # (is SAM, is HTTP API)
    "AWS::ApiGateway::RestApi": (False, False),
    "AWS::Serverless::HttpApi": (True, True),
    "AWS::ApiGatewayV2::Api": (False, True),
}
_IMPLICIT = {"Api": "ServerlessRestApi", "HttpApi": "ServerlessHttpApi"}
_STAGE_TYPES = {"AWS::ApiGateway::Stage": "RestApiId", "AWS::ApiGatewayV2::Stage": "ApiId"}


@dataclass(frozen=True)
class _Api:
    """One API declared (or implied) by the template."""

    id: str
    properties: dict[str, Any]
    globals: dict[str, Any]  # SAM `Globals.Api`/`Globals.HttpApi` (empty for other APIs)
    is_sam: bool
    is_http: bool

    def setting(self, key: str) -> tuple[Any, str]:
        """A property and its pointer: the API's own, else the SAM global one."""
        if key in self.properties:
            return self.properties[key], f"/Resources/{self.id}/Properties/{key}"
        return self.globals.get(key), f"/Globals/{'HttpApi' if self.is_http else 'Api'}/{key}"


@dataclass(frozen=True)
class TemplateReading:
    """What a template gave: routes of every API, one spec per readable definition, files read, and
    the TLS versions of its custom domains (None: it declares none, or none could be judged)."""

    routes: tuple[GatewayRoute, ...]
    specs: tuple[ApiSpec, ...]
    referenced_files: tuple[str, ...]
    tls_settings: tuple[TlsSetting, ...] | None = None
    unknown_settings: tuple[str, ...] = ()  # ("SecurityPolicy",) when one is set by an intrinsic


def read_template(
    document: StructuredDocument, context: ReadContext, place: Place, warn: Warn
) -> TemplateReading:
    """Read every API of a parsed template; see the module docstring."""
    return _Template(document, context, place, warn).read()


class _Template:
    """State for one template: its resources, APIs, and what has been read."""

    def __init__(self, document: StructuredDocument, context: ReadContext, place: Place, warn: Warn) -> None:
        data = mapping(document.data)
        self._document, self._context, self._place, self._warn = document, context, place, warn
        self._resources = {name: mapping(value) for name, value in mapping(data.get("Resources")).items()}
        self._globals = mapping(data.get("Globals"))
        self._specs: list[ApiSpec] = []
        self._referenced: list[str] = []

    def read(self) -> TemplateReading:
        """Routes of every API, in template order."""
        apis = self._apis()
        auths = {api.id: self._auth(api) for api in apis.values()}
        events: dict[str, list[RouteDraft]] = {}
        implicit = {kind: _IMPLICIT[kind] for kind in _IMPLICIT}
        for name, resource in self._resources.items():
            if resource.get("Type") == "AWS::Serverless::Function":
                for api_id, draft in function_event_drafts(
                    name, resource, implicit, auths, self._place, self._warn
                ):
                    events.setdefault(api_id, []).append(draft)
        routes: list[GatewayRoute] = []
        for api in apis.values():
            if api.id in self._resources or api.id in events:
                routes.extend(self._routes(api, auths[api.id], events.get(api.id, [])))
        for api_id in events.keys() - apis.keys():
            self._warn(f"function events name API {api_id!r}, which the template does not declare; not read")
        tls = read_domain_tls(self._resources, self._globals, self._place, self._warn)
        return TemplateReading(tuple(routes), tuple(self._specs), tuple(dict.fromkeys(self._referenced)),
                               tls.settings, ("SecurityPolicy",) if tls.by_reference else ())

    def _apis(self) -> dict[str, _Api]:
        """Declared APIs, then SAM's implicit ones (used only when an event needs them)."""
        apis: dict[str, _Api] = {}
        for name, resource in self._resources.items():
            kinds = _API_TYPES.get(str(resource.get("Type")))
            if kinds is None:
                continue
            properties = mapping(resource.get("Properties"))
            if text(properties.get("ProtocolType")) == "WEBSOCKET":
                continue
            scope = mapping(self._globals.get("HttpApi" if kinds[1] else "Api")) if kinds[0] else {}
            apis[name] = _Api(name, properties, scope, kinds[0], kinds[1])
        for kind, name in _IMPLICIT.items():
            apis.setdefault(name, _Api(name, {}, mapping(self._globals.get(kind)), True, kind == "HttpApi"))
        return apis

    def _auth(self, api: _Api) -> ApiAuth:
        """The API's authorizers: SAM `Auth` entries and authorizer resources naming it."""
        auth_settings, at = api.setting("Auth")
        settings = mapping(auth_settings)
        auth = ApiAuth(
            default=text(settings.get("DefaultAuthorizer")),
            api_key_required=settings.get("ApiKeyRequired") is True,
            key_source=text(api.properties.get("ApiKeySourceType")),
        )
        for name, declared in mapping(settings.get("Authorizers")).items():
            found = template_authorizer(name, mapping(declared), self._place, f"{at}/Authorizers/{name}")
            if found is not None:
                auth.authorizers[name] = found
        if settings.get("EnableIamAuthorizer") is True and auth.default is None:
            auth.default = "AWS_IAM"
        for name, resource in self._resources.items():
            properties = mapping(resource.get("Properties"))
            is_authorizer = resource.get("Type") in (
                "AWS::ApiGateway::Authorizer",
                "AWS::ApiGatewayV2::Authorizer",
            )
            if is_authorizer and logical_id(properties.get("RestApiId", properties.get("ApiId"))) == api.id:
                found = template_authorizer(name, properties, self._place, f"/Resources/{name}")
                if found is not None:
                    auth.authorizers[name] = found
        return auth

    def _routes(self, api: _Api, auth: ApiAuth, events: list[RouteDraft]) -> list[GatewayRoute]:
        """The API's routes with its scope applied; duplicates (a body and an event) counted once."""
        at = f"/Resources/{api.id}"
        default_auth = auth.default_requirements(self._place, at, self._warn) if api.is_sam else ()
        reading = self._definition(api, default_auth)
        drafts = list(reading.drafts) if reading else []
        drafts += events
        drafts += method_drafts(self._resources, api.id, auth, self._place, self._warn)
        drafts += v2_route_drafts(self._resources, api.id, auth, self._place, self._warn)
        if text(api.properties.get("Target")) is not None or isinstance(api.properties.get("Target"), dict):
            drafts.append(
                RouteDraft(
                    method="ANY",
                    path="$default",
                    auth=(),
                    evidence=self._place.evidence(f"{at}/Properties/Target", "quick create $default route"),
                )
            )
        rules, plugins = self._network(api, reading)
        prefix = reading.prefix if reading else ""
        scope = ApiScope(api.id, self._stage(api), rules, plugins, prefix, self._cors(api, reading))
        unique = {(draft.method, draft.path): draft for draft in reversed(with_preflight(drafts))}
        built = (build_route(draft, scope, self._warn) for draft in reversed(unique.values()))
        return [route for route in built if route is not None]

    def _definition(self, api: _Api, default_auth: tuple[Any, ...]) -> ExportReading | None:
        """The API's OpenAPI definition, inline or in a local file, read for routes and as a spec."""
        for key in ("DefinitionBody", "Body"):
            body = api.properties.get(key)
            if isinstance(body, dict) and not body.keys() & {"Fn::Transform", "Fn::If"}:
                base = f"/Resources/{api.id}/Properties/{key}"
                definition = _sub_document(self._document, body, base)
                return self._read_definition(api, definition, self._place, base, default_auth)
            if body is not None:
                self._warn(f"{api.id}: its {key} is built by an intrinsic function or include; not read")
        uri = api.properties.get("DefinitionUri", api.properties.get("BodyS3Location"))
        if isinstance(uri, str) and "://" not in uri:
            return self._definition_file(api, uri, default_auth)
        if uri is not None:
            self._warn(f"{api.id}: its definition is stored in S3, which riskscan does not fetch; not read")
        return None

    def _definition_file(self, api: _Api, uri: str, default_auth: tuple[Any, ...]) -> ExportReading | None:
        path = self._document.path.parent / uri
        if not self._context.is_allowed(path) or not path.is_file():
            self._warn(f"{api.id}: DefinitionUri is not a file inside the folders given; not read")
            return None
        try:
            document = load_structured(path, self._context)
        except SourceError as error:
            self._warn(f"{api.id}: DefinitionUri file cannot be read ({error.problem})")
            return None
        shown = self._context.relative_path(path)
        self._referenced.append(shown)
        return self._read_definition(api, document, Place(document, shown), "", default_auth)

    def _read_definition(
        self,
        api: _Api,
        definition: StructuredDocument,
        place: Place,
        base: str,
        default_auth: tuple[Any, ...],
    ) -> ExportReading:
        reading = read_export(definition, self._context, place, base, self._warn, default_auth)
        try:
            self._specs.append(read_export_spec(definition, self._context, base, reading.schemes))
        except SourceError as error:
            self._warn(f"{api.id}: its definition is not a usable OpenAPI document ({error.problem})")
        return reading

    def _network(
        self, api: _Api, reading: ExportReading | None
    ) -> tuple[tuple[PolicyRule, ...], tuple[PluginRef, ...]]:
        """Resource policy rules and endpoint/CORS plugins, the definition's and the template's."""
        rules = list(reading.rules) if reading else []
        plugins = list(reading.plugins) if reading else []
        at = f"/Resources/{api.id}/Properties"
        if "Policy" in api.properties:
            rules += read_policy(api.properties["Policy"], self._place, f"{at}/Policy", self._warn)
        auth_settings, auth_at = api.setting("Auth")
        policy = mapping(mapping(auth_settings).get("ResourcePolicy"))
        if policy:
            rules += read_sam_policy(policy, self._place, f"{auth_at}/ResourcePolicy", self._warn)
        return tuple(rules), tuple(plugins) + self._endpoint_plugins(api)

    def _endpoint_plugins(self, api: _Api) -> tuple[PluginRef, ...]:
        """A private endpoint, a disabled default endpoint and CORS: the same on every route."""
        found: list[tuple[str, str, str]] = []  # (plugin, pointer, excerpt)
        endpoint, endpoint_at = api.setting("EndpointConfiguration")
        settings = mapping(endpoint)
        types = [endpoint] if isinstance(endpoint, str) else settings.get("Types", [settings.get("Type")])
        if isinstance(types, list) and "PRIVATE" in types:
            found.append(("private-endpoint", endpoint_at, "PRIVATE endpoint"))
        disabled, disabled_at = api.setting("DisableExecuteApiEndpoint")
        if disabled is True:
            found.append(("execute-api-endpoint-disabled", disabled_at, "DisableExecuteApiEndpoint: true"))
        for key in ("Cors", "CorsConfiguration"):
            value, cors_at = api.setting(key)
            if value:
                found.append(("cors", cors_at, key))
        return tuple(
            PluginRef(name=name, attached_to="api", evidence=self._place.evidence(at, excerpt))
            for name, at, excerpt in found
        )

    def _cors(self, api: _Api, reading: ExportReading | None) -> tuple[CorsPolicy, ...] | None:
        """CORS on every route of the API: the definition's, SAM `Cors` or an HTTP API's
        `CorsConfiguration` (which wins over the definition's, as SAM merges them) and gateway
        responses. None when a definition declared was not read or a CORS setting cannot be."""
        declared = {"DefinitionBody", "Body", "DefinitionUri", "BodyS3Location"} & api.properties.keys()
        if declared and reading is None:
            return None
        found = [reading.response_cors, reading.http_cors] if reading else []
        value, at = api.setting("CorsConfiguration" if api.is_http else "Cors")
        if value is not None and value is not False:
            policy = (http_api_policy(value, self._place, at) if api.is_http
                      else sam_rest_policy(value, self._place, at))
            if policy is None:
                self._warn(f"{api.id}: its CORS setting cannot be read (an intrinsic function or a bare "
                           "true); CORS not judged")
                return None
            found = [reading.response_cors if reading else None, policy]
        responses, responses_at = api.setting("GatewayResponses")
        found.append(sam_gateway_response_policy(responses, self._place, responses_at))
        for name, resource in self._resources.items():
            properties = mapping(resource.get("Properties"))
            if (resource.get("Type") == "AWS::ApiGateway::GatewayResponse"
                    and logical_id(properties.get("RestApiId")) == api.id):
                found.append(template_gateway_response_policy(properties, self._place, f"/Resources/{name}"
                                                              "/Properties"))
        return tuple(dict.fromkeys(policy for policy in found if policy is not None))

    def _stage(self, api: _Api) -> StageSettings:
        """The API's stage settings over all its stages, with usage plans by API key."""
        stages: list[StageSettings] = []
        if api.is_sam:
            own = read_stage(api.properties, self._place, f"/Resources/{api.id}/Properties", self._warn)
            shared = read_stage(
                api.globals, self._place, f"/Globals/{'HttpApi' if api.is_http else 'Api'}", self._warn
            )
            stages.append(combine_stages(own, shared))
            self._check_variables(
                api.properties.get("Variables", api.properties.get("StageVariables")), api.id
            )
        if api.properties.get("Target") is not None:
            stages.append(StageSettings(True, (), ("cloudwatch",)))
        for name, resource in self._resources.items():
            properties = mapping(resource.get("Properties"))
            kind = text(resource.get("Type")) or ""  # a list or mapping here is no type, and unhashable
            if kind in _STAGE_TYPES and logical_id(properties.get(_STAGE_TYPES[kind])) == api.id:
                stages.append(
                    read_stage(properties, self._place, f"/Resources/{name}/Properties", self._warn)
                )
                self._check_variables(properties.get("Variables", properties.get("StageVariables")), name)
            elif kind == "AWS::ApiGateway::Deployment" and logical_id(properties.get("RestApiId")) == api.id:
                description = mapping(properties.get("StageDescription"))
                if description or properties.get("StageName") is not None:
                    at = f"/Resources/{name}/Properties/StageDescription"
                    stages.append(read_stage(description, self._place, at, self._warn))
        if len(stages) > 1:
            self._warn(
                f"{api.id}: {len(stages)} stages; a logger, monitor or limit counts when every stage has it"
            )
        return merge_stages(stages, self._usage_plans(api))

    def _usage_plans(self, api: _Api) -> tuple[RateLimitPolicy, ...]:
        """Limits per API key from usage plans covering the API (resources, or SAM `Auth.UsagePlan`)."""
        policies: list[RateLimitPolicy] = []
        for name, resource in self._resources.items():
            properties = mapping(resource.get("Properties"))
            stages = properties.get("ApiStages")
            if (
                resource.get("Type") == "AWS::ApiGateway::UsagePlan"
                and isinstance(stages, list)
                and any(logical_id(mapping(stage).get("ApiId")) == api.id for stage in stages)
            ):
                policies += read_usage_plan(properties, self._place, f"/Resources/{name}/Properties")
        auth_settings, at = api.setting("Auth")
        plan = mapping(mapping(auth_settings).get("UsagePlan"))
        if plan and str(plan.get("CreateUsagePlan", "NONE")).upper() != "NONE":
            policies += read_usage_plan(plan, self._place, f"{at}/UsagePlan")
        return tuple(policies)

    def _check_variables(self, variables: Any, owner: str) -> None:
        """Warn about stage variables named like credentials (their values are never read)."""
        named = [name for name in mapping(variables) if looks_like_credential(name)]
        if named:
            self._warn(
                f"{owner}: stage variable(s) {', '.join(sorted(named))} look like credentials held in the "
                "template (values not read); keep them in a secret store"
            )


def _sub_document(document: StructuredDocument, data: dict[str, Any], base: str) -> StructuredDocument:
    """A definition inline in the template at pointer `base`, its lines those of the template."""

    def locate(pointer: str) -> int | None:
        return document.line_of(base + pointer)

    return StructuredDocument(document.path, data, locate)
