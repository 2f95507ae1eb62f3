"""The AWS API Gateway reader on exports: routes, auth, validation and network rules as API Gateway
enforces them, the definition read once as the spec, and nothing secret kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AuthKind, GatewayExport, GatewayRoute, RouteAspect, SourceKind
from riskscan.sources import READERS, ReadContext, detect_kind, read_head
from riskscan.sources.gateways.aws import AwsApiGatewayError, AwsApiGatewayReader
from riskscan.sources.gateways.aws.common import gateway_uri

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws"
PLANTED = ["PLANTED-AWS-BACKEND-TOKEN", "PLANTED-BASIC-PASS", "svc-user"]
READER = AwsApiGatewayReader()


def read(name: str) -> GatewayExport:
    return READER.read(FIXTURES / name, ReadContext(root=FIXTURES, allowed_roots=(FIXTURES,)))


def key_of(route: GatewayRoute) -> str:
    """`GET /claims` from the route id `harbor-claims GET /claims` (API names may hold spaces)."""
    return " ".join(route.route_id.split(" ")[-2:])


def routes_of(name: str) -> dict[str, GatewayRoute]:
    return {key_of(route): route for route in read(name).gateway.routes}


@pytest.fixture(scope="module")
def rest() -> dict[str, GatewayRoute]:
    return routes_of("rest-export-oas3.json")


@pytest.fixture(scope="module")
def http_api() -> dict[str, GatewayRoute]:
    return routes_of("http-api-export.yaml")


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "name",
    [
        "rest-export-oas3.json",
        "rest-export-swagger2.yaml",
        "http-api-export.yaml",
        "sam-template.yaml",
        "cfn-rest-resources.json",
        "cfn-http-api-v2.yaml",
    ],
)
def test_exports_and_templates_are_recognised_before_plain_openapi(name: str) -> None:
    path = FIXTURES / name
    assert detect_kind(path, read_head(path)) is SourceKind.AWS_API_GATEWAY


def test_a_plain_spec_without_api_gateway_extensions_stays_openapi(tmp_path: Path) -> None:
    spec = tmp_path / "plain.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {responses: {}}\n"
    )
    assert detect_kind(spec, read_head(spec)) is SourceKind.OPENAPI
    template = tmp_path / "bucket.yaml"
    template.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
    )
    assert detect_kind(template, read_head(template)) is None


def test_an_aws_service_description_with_only_a_sigv4_scheme_is_a_spec_not_an_export() -> None:
    """AWS's service descriptions mark their SigV4 scheme `x-amazon-apigateway-authtype` and configure
    no gateway; read as exports, they made every other spec of a scan look unrouted (orphan)."""
    path = FIXTURES.parent / "openapi" / "aws-service-sigv4.json"
    assert detect_kind(path, read_head(path)) is SourceKind.OPENAPI


@pytest.mark.parametrize("is_sorted", [False, True])
def test_an_export_whose_integrations_come_after_the_head_is_still_an_export(
    tmp_path: Path, is_sorted: bool
) -> None:
    """`components` (the SigV4 scheme, then 100 KB of schemas) before the paths and their integrations;
    with keys sorted, `openapi` comes after them too and only the top-level keys are in view."""
    schemas = ", ".join(f'"Schema{n}": {{"type": "object", "description": "{"x" * 60}"}}' for n in range(1000))
    parts = {
        "components": '"components": {"securitySchemes": {"sigv4": {"type": "apiKey", "name": "Authorization", '
        '"in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}}, "schemas": {' + schemas + "}}",
        "info": '"info": {"title": "claims", "version": "1"}',
        "openapi": '"openapi": "3.0.1"',
        "paths": '"paths": {"/claims": {"get": {"security": [{"sigv4": []}], "x-amazon-apigateway-integration": '
        '{"type": "http_proxy", "httpMethod": "GET", "uri": "https://backend.example.com/claims"}}}}',
    }
    order = sorted(parts) if is_sorted else ["openapi", "info", "components", "paths"]
    path = tmp_path / "export.json"
    path.write_text("{" + ", ".join(parts[key] for key in order) + "}")
    assert b"x-amazon-apigateway-integration" not in read_head(path)
    assert detect_kind(path, read_head(path)) is SourceKind.AWS_API_GATEWAY


def test_cloudformation_nested_in_another_format_is_not_claimed(tmp_path: Path) -> None:
    """A Serverless Framework file nests CloudFormation under `resources:`: not a template of its own."""
    path = tmp_path / "serverless.yml"
    path.write_text(
        "service: claims\nprovider: {name: aws}\nresources:\n  Resources:\n    Api:\n"
        "      Type: AWS::ApiGateway::RestApi\n"
    )
    assert AwsApiGatewayReader().sniff(path, read_head(path)) is False


def test_the_reader_is_registered_with_its_kind() -> None:
    assert isinstance(READERS[SourceKind.AWS_API_GATEWAY], AwsApiGatewayReader)


# --------------------------------------------------------------------------- REST API export


def test_rest_routes_with_stage_prefix_greedy_paths_and_any(rest: dict[str, GatewayRoute]) -> None:
    assert list(rest) == [
        "GET /claims",
        "POST /claims",
        "GET /claims/{claimId}",
        "POST /admin/reindex",
        "GET /status",
        "ANY /files/{proxy+}",
    ]
    assert rest["GET /claims/{claimId}"].uris == ("/prod/claims/:claimId",)  # the server's basePath variable
    assert rest["GET /claims/{claimId}"].methods == ("GET",)
    files = rest["ANY /files/{proxy+}"]
    assert files.uris == ("/prod/files/*",) and files.methods == ()  # greedy: a prefix, any method
    assert files.upstream == "VPC link http files.internal.harbor.example"
    assert rest["GET /claims"].upstream == "lambda ListClaims"
    assert rest["POST /admin/reindex"].upstream == "mock"


def test_rest_auth_per_route_from_authorizers_and_api_keys(rest: dict[str, GatewayRoute]) -> None:
    [cognito] = rest["GET /claims"].auth
    assert (cognito.kind, cognito.scheme, cognito.scopes) == (
        AuthKind.OAUTH2,
        "claims-pool",
        ("claims/read",),
    )
    lambda_auth, key = rest["POST /claims"].auth  # an authorizer and an API key, both required
    assert (lambda_auth.kind, lambda_auth.location) == (AuthKind.BEARER, "header:X-Partner-Token")
    assert (key.kind, key.scheme, key.location) == (AuthKind.API_KEY, "api_key", "header:x-api-key")
    [iam] = rest["POST /admin/reindex"].auth
    assert (iam.kind, iam.scheme) == (AuthKind.OAUTH2, "aws_iam")
    assert rest["GET /status"].auth == ()  # no security anywhere: open
    authorizer = next(plugin for plugin in rest["GET /claims"].plugins if plugin.name == "claims-pool")
    assert authorizer.evidence.path == "rest-export-oas3.json"
    assert authorizer.evidence.pointer == "/components/securitySchemes/claims-pool"
    assert authorizer.evidence.line == 79


def test_request_validators_policy_and_private_endpoint(rest: dict[str, GatewayRoute]) -> None:
    def names(key: str) -> set[str]:
        return {plugin.name for plugin in rest[key].plugins}

    assert "request-validator" in names("POST /claims")  # body and parameters
    assert "request-validator" in names("GET /claims/{claimId}")  # parameters only
    assert "request-validator" not in names("GET /status")  # the default validator checks nothing
    assert "ip-restriction" in names("POST /admin/reindex")  # Deny unless from 10.20.0.0/16
    assert "ip-restriction" not in names("GET /claims")  # that statement covers only /admin/*
    assert all("private-endpoint" in names(key) for key in rest)


def test_an_export_carries_no_stage_so_logging_and_limits_are_not_shown(
    rest: dict[str, GatewayRoute],
) -> None:
    for route in rest.values():
        assert route.not_shown == (RouteAspect.LOGGING, RouteAspect.RATE_LIMIT)
        assert route.loggers == () and route.rate_limits == ()


def test_evidence_names_file_line_and_pointer(rest: dict[str, GatewayRoute]) -> None:
    evidence = rest["GET /claims/{claimId}"].evidence
    assert (evidence.path, evidence.line, evidence.pointer) == (
        "rest-export-oas3.json",
        39,
        "/paths/~1claims~1{claimId}/get",
    )


def test_the_export_is_also_the_spec_without_greedy_routes() -> None:
    export = read("rest-export-oas3.json")
    [spec] = export.specs
    assert [(operation.method, operation.path) for operation in spec.operations] == [
        ("GET", "/prod/claims"),
        ("POST", "/prod/claims"),
        ("GET", "/prod/claims/{claimId}"),
        ("POST", "/prod/admin/reindex"),
        ("GET", "/prod/status"),
    ]
    assert spec.operations[0].evidence.line == 13


def test_a_static_credential_in_an_integration_is_reported_never_kept() -> None:
    export = read("rest-export-oas3.json")
    assert any("fixed 'Authorization' header" in warning for warning in export.gateway.warnings)
    dumped = export.gateway.model_dump_json() + "".join(spec.model_dump_json() for spec in export.specs)
    for secret in PLANTED:
        assert secret not in dumped


# --------------------------------------------------------------------------- Swagger 2 and HTTP API exports


def test_swagger_export_key_source_iam_and_unenforced_schemes() -> None:
    export = read("rest-export-swagger2.yaml")
    routes = {key_of(route): route for route in export.gateway.routes}
    assert routes["GET /quotes"].uris == ("/v1/quotes",)
    broker, key = routes["GET /quotes"].auth
    assert broker.location == "header:Authorization, query:broker"
    assert key.location == "authorizer (usageIdentifierKey)"  # x-amazon-apigateway-api-key-source
    assert [requirement.scheme for requirement in routes["GET /quotes/{quoteId}"].auth] == ["aws_iam"]
    assert routes["GET /ping"].auth == ()  # security: [] opens the route
    assert routes["GET /docs"].auth == ()  # an oauth2 scheme without an authorizer is not enforced
    assert any("'oauth-docs' has no API Gateway authorizer" in warning for warning in export.gateway.warnings)
    assert all(
        "execute-api-endpoint-disabled" in {p.name for p in route.plugins} for route in routes.values()
    )


def test_http_api_jwt_lambda_default_route_and_cors(http_api: dict[str, GatewayRoute]) -> None:
    [jwt] = http_api["GET /policies/{policyId}"].auth
    assert (jwt.kind, jwt.scheme, jwt.scopes) == (AuthKind.BEARER, "partner-jwt", ("policies.read",))
    partners = http_api["ANY /partners/{proxy+}"]
    assert partners.uris == ("/partners/*",) and partners.methods == ()
    assert [requirement.kind for requirement in partners.auth] == [AuthKind.BEARER]
    fallback = http_api["ANY $default"]
    assert fallback.uris == ("/*",) and [requirement.scheme for requirement in fallback.auth] == ["aws_iam"]
    assert http_api["GET /healthz"].auth == ()
    assert all("cors" in {plugin.name for plugin in route.plugins} for route in http_api.values())


def test_http_api_spec_leaves_out_the_default_and_greedy_routes() -> None:
    [spec] = read("http-api-export.yaml").specs
    assert [(op.method, op.path) for op in spec.operations] == [
        ("GET", "/policies/{policyId}"),
        ("GET", "/healthz"),
    ]
    assert spec.warnings == ()


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/pets", "/pets"),
        ("/pets/{petId}", "/pets/:petId"),
        ("/{proxy+}", "/*"),
        ("/a/{id}/{proxy+}", "/a/:id/*"),
        ("/a/{proxy+}/b", None),
        ("/a/{id", None),
        ("/v1/{pet-id}", "/v1/:pet_id"),
        ("$default", "/*"),
        ("pets", None),
    ],
)
def test_api_gateway_paths_as_inventory_patterns(path: str, pattern: str | None) -> None:
    assert gateway_uri(path) == pattern


# --------------------------------------------------------------------------- broken and hostile files


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken/truncated-export.json", "broken/truncated-export.json:25: malformed JSON"),
        ("broken/unsupported-version-export.yaml", "unsupported OpenAPI version '4.0.0'"),
        ("broken/top-level-list.yaml", "broken/top-level-list.yaml:1: the top level is not a mapping"),
        ("broken/no-resources.yaml", "no `Resources` mapping: not a CloudFormation template"),
        ("broken/unknown-tag-template.yaml", "could not determine a constructor for the tag '!Evaluate'"),
        ("hostile/python-tag-template.yaml", "malformed YAML"),
        ("hostile/alias-bomb-template.yaml", "an alias bomb"),
    ],
)
def test_broken_and_hostile_files_fail_with_one_line(name: str, message: str) -> None:
    with pytest.raises(AwsApiGatewayError) as raised:
        read(name)
    assert isinstance(raised.value, SourceError)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = Path("/tmp/riskscan-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(AwsApiGatewayError):
        read("hostile/python-tag-template.yaml")
    assert not marker.exists()


def test_a_cycle_of_parent_resources_costs_only_that_method() -> None:
    export = read("hostile/cyclic-resources.json")
    assert [route.route_id for route in export.gateway.routes] == ["Api GET /"]
    assert export.gateway.warnings == ("method M: its resource path or HTTP method cannot be told; skipped",)


# --------------------------------------------------------------------------- real-world corpus


def test_corpus_api_gateway_exports(corpus_dir: Path) -> None:
    folder = corpus_dir / "gateway" / "aws-apigateway"
    importer, petstore = folder / "apigateway.json", folder / "petstore-authorizer.swagger.json"
    if not importer.is_file() or not petstore.is_file():
        pytest.skip(
            "this copy of the shared corpus lacks gateway/aws-apigateway/ (API Gateway Swagger exports)"
        )
    context = ReadContext(root=corpus_dir)
    assert detect_kind(importer, read_head(importer)) is SourceKind.AWS_API_GATEWAY
    products = {key_of(route): route for route in READER.read(importer, context).gateway.routes}
    assert products["GET /products"].uris == ("/v1/products",)  # host + basePath /v1
    assert {requirement.kind for requirement in products["GET /products"].auth} >= {AuthKind.API_KEY}
    export = READER.read(petstore, context)
    pets = {key_of(route): route for route in export.gateway.routes}
    assert [requirement.kind for requirement in pets["GET /pets"].auth] == [
        AuthKind.BEARER
    ]  # TOKEN authorizer
    assert pets["POST /pets"].auth == ()  # the route without the authorizer
    assert len(export.specs[0].operations) == len(pets)


def test_security_naming_an_undeclared_scheme_is_warned_about_once(tmp_path: Path) -> None:
    path = tmp_path / "export.yaml"
    operation = (
        "    get:\n      security: [{ghost: []}]\n      x-amazon-apigateway-integration: {type: mock}\n"
    )
    path.write_text(
        f"openapi: 3.0.1\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n{operation}  /b:\n{operation}"
    )
    export = READER.read(path, ReadContext(root=tmp_path))
    assert [route.auth for route in export.gateway.routes] == [(), ()]
    assert export.gateway.warnings == ("GET /a: security names an undeclared scheme 'ghost'",)
