"""The AWS API Gateway reader on CloudFormation and SAM templates: APIs, their routes, authorizers,
stages, usage plans and policies as API Gateway deploys them; intrinsics read as data, never run."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import AuthKind, GatewayExport, GatewayRoute, RouteAspect
from riskscan.sources import ReadContext
from riskscan.sources.gateways.aws import AwsApiGatewayReader
from riskscan.sources.structured import load_structured

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws"
PLANTED = [
    "PLANTED-STAGE-SECRET",
    "PLANTED-LAMBDA-ENV-SECRET",
    "PLANTED-CFN-UPSTREAM-KEY",
    "PLANTED-CFN-STAGE-TOKEN",
]
READER = AwsApiGatewayReader()


def read(name: str) -> GatewayExport:
    return READER.read(FIXTURES / name, ReadContext(root=FIXTURES, allowed_roots=(FIXTURES,)))


def by_id(export: GatewayExport) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in export.gateway.routes}


def limits(route: GatewayRoute) -> list[tuple[str, str | None, float | None, float | None]]:
    return [(policy.plugin, policy.key, policy.limit, policy.window_seconds) for policy in route.rate_limits]


@pytest.fixture(scope="module")
def sam() -> GatewayExport:
    return read("sam-template.yaml")


# --------------------------------------------------------------------------- the YAML loader


def test_short_form_intrinsics_load_as_their_long_form(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "a: !Ref Api\nb: !GetAtt Api.RootResourceId\nc: !Sub 'x-${Stage}'\nd: !Join ['/', [a, !Ref B]]\n"
    )
    data = load_structured(path, ReadContext(root=tmp_path), intrinsics=True).data
    assert data == {
        "a": {"Ref": "Api"},
        "b": {"Fn::GetAtt": ["Api", "RootResourceId"]},
        "c": {"Fn::Sub": "x-${Stage}"},
        "d": {"Fn::Join": ["/", ["a", {"Ref": "B"}]]},
    }


def test_other_readers_still_refuse_custom_tags(tmp_path: Path) -> None:
    from riskscan.errors import SourceError

    path = tmp_path / "t.yaml"
    path.write_text("a: !Ref Api\n")
    with pytest.raises(SourceError, match="malformed YAML"):
        load_structured(path, ReadContext(root=tmp_path))


# --------------------------------------------------------------------------- SAM


def test_sam_api_routes_from_function_events_with_their_auth(sam: GatewayExport) -> None:
    routes = by_id(sam)
    assert list(routes) == [
        "ClaimsApi GET /claims",
        "ClaimsApi POST /claims/{claimId}/documents",
        "ClaimsApi GET /health",
        "ServerlessRestApi ANY /webhooks/{proxy+}",
        "ServerlessHttpApi ANY $default",
    ]
    [cognito] = routes["ClaimsApi GET /claims"].auth  # the API's DefaultAuthorizer
    assert (cognito.kind, cognito.scheme) == (AuthKind.OAUTH2, "ClaimsCognito")
    upload = routes["ClaimsApi POST /claims/{claimId}/documents"]
    assert [(r.kind, r.scheme, r.location) for r in upload.auth] == [
        (AuthKind.BEARER, "BrokerLambda", "header:X-Broker-Token"),
        (AuthKind.API_KEY, "api_key", "header:x-api-key"),
    ]
    assert upload.uris == ("/claims/:claimId/documents",) and upload.upstream == "lambda ListClaimsFunction"
    assert routes["ClaimsApi GET /health"].auth == ()  # Authorizer: NONE
    webhooks = routes["ServerlessRestApi ANY /webhooks/{proxy+}"]
    assert webhooks.uris == ("/webhooks/*",) and webhooks.methods == ()
    assert routes["ServerlessHttpApi ANY $default"].uris == ("/*",)


def test_sam_stage_settings_usage_plan_and_policy(sam: GatewayExport) -> None:
    routes = by_id(sam)
    claims = routes["ClaimsApi GET /claims"]
    assert claims.not_shown == ()
    assert claims.loggers == ("access-log",)  # LoggingLevel ERROR (from Globals) does not count
    assert claims.monitors == ("cloudwatch", "xray")  # TracingEnabled from Globals
    assert limits(claims) == [("stage-throttle", None, 50.0, 1.0)]
    upload = routes["ClaimsApi POST /claims/{claimId}/documents"]
    assert limits(upload) == [  # its own method setting, then the usage plan per API key
        ("stage-throttle", None, 5.0, 1.0),
        ("usage-plan", "api_key", 20.0, 1.0),
        ("usage-plan-quota", "api_key", 100000.0, 2592000.0),
    ]
    assert "ip-restriction" in {plugin.name for plugin in claims.plugins}
    access_log = next(plugin for plugin in claims.plugins if plugin.name == "access-log")
    assert (access_log.evidence.line, access_log.evidence.pointer) == (
        28,
        "/Resources/ClaimsApi/Properties/AccessLogSetting",
    )
    implicit = routes["ServerlessRestApi ANY /webhooks/{proxy+}"]
    assert implicit.loggers == () and implicit.not_shown == ()  # SAM's implicit stage: no access log


def test_sam_secrets_are_reported_never_kept(sam: GatewayExport) -> None:
    assert any("backendApiKey" in warning and "credentials" in warning for warning in sam.gateway.warnings)
    dumped = sam.gateway.model_dump_json()
    for secret in PLANTED:
        assert secret not in dumped


def test_definition_uri_inside_the_folders_is_read_s3_and_outside_are_not() -> None:
    export = read("sam-definition-uri/template.yaml")
    [route] = export.gateway.routes
    assert (route.route_id, route.upstream) == ("PolicyApi GET /policies", "lambda ListPolicies")
    assert route.evidence.path == "sam-definition-uri/policy-api.yaml" and route.evidence.line == 7
    assert export.gateway.referenced_files == ("sam-definition-uri/policy-api.yaml",)
    [spec] = export.specs
    assert [operation.path for operation in spec.operations] == ["/policies"]
    assert export.gateway.warnings == (
        "ArchiveApi: its definition is stored in S3, which riskscan does not fetch; not read",
        "EscapeApi: DefinitionUri is not a file inside the folders given; not read",
    )


def test_an_inline_definition_body_is_read_for_routes_and_as_the_spec(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
        "    Properties:\n      StageName: prod\n      DefinitionBody:\n        openapi: '3.0.1'\n"
        "        info: {title: inline, version: '1'}\n        paths:\n          /orders/{id}:\n"
        "            get:\n              x-amazon-apigateway-integration:\n                type: aws_proxy\n"
        "                uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
        "${OrdersFunction.Arn}/invocations'\n"
    )
    export = READER.read(tmp_path / "t.yaml", ReadContext(root=tmp_path))
    [route] = export.gateway.routes
    assert (route.uris, route.upstream, route.evidence.line) == (
        ("/orders/:id",),
        "lambda OrdersFunction",
        12,
    )
    [operation] = export.specs[0].operations
    assert operation.evidence.pointer == "/Resources/Api/Properties/DefinitionBody/paths/~1orders~1{id}/get"
    assert operation.evidence.line == 12


# --------------------------------------------------------------------------- CloudFormation REST and HTTP APIs


def test_rest_api_resources_methods_stage_and_usage_plan() -> None:
    export = read("cfn-rest-resources.json")
    routes = by_id(export)
    assert list(routes) == [
        "QuotesApi GET /quotes",
        "QuotesApi POST /quotes",
        "QuotesApi GET /quotes/{quoteId}",
    ]
    listing = routes["QuotesApi GET /quotes"]
    [cognito] = listing.auth
    assert (cognito.kind, cognito.scheme, cognito.scopes) == (
        AuthKind.OAUTH2,
        "QuotesAuthorizer",
        ("quotes/read",),
    )
    assert listing.loggers == ("access-log", "execution-log")  # LoggingLevel INFO
    assert limits(listing) == [("stage-throttle", None, 100.0, 1.0)]
    create = routes["QuotesApi POST /quotes"]
    assert [requirement.kind for requirement in create.auth] == [AuthKind.API_KEY]
    assert ("usage-plan", "api_key", 10.0, 1.0) in limits(create)
    assert ("usage-plan-quota", "api_key", 5000.0, 86400.0) in limits(create)
    assert {"request-validator", "private-endpoint", "vpc-restriction"} <= {p.name for p in create.plugins}
    assert create.upstream == "lambda CreateQuoteFunction"
    assert [requirement.scheme for requirement in routes["QuotesApi GET /quotes/{quoteId}"].auth] == [
        "aws_iam"
    ]
    assert routes["QuotesApi GET /quotes/{quoteId}"].uris == ("/quotes/:quoteId",)
    dumped = export.gateway.model_dump_json()
    assert "PLANTED-CFN-UPSTREAM-KEY" not in dumped and "PLANTED-CFN-STAGE-TOKEN" not in dumped
    assert any("fixed 'X-Api-Key' header" in warning for warning in export.gateway.warnings)


def test_http_api_v2_routes_jwt_stage_route_settings_and_no_websocket() -> None:
    routes = by_id(read("cfn-http-api-v2.yaml"))
    assert list(routes) == [
        "NotifyApi POST /notifications",
        "NotifyApi GET /notifications/{notificationId}",
        "NotifyApi ANY $default",
    ]
    send = routes["NotifyApi POST /notifications"]
    [jwt] = send.auth
    assert (jwt.kind, jwt.scheme, jwt.scopes) == (AuthKind.BEARER, "NotifyJwt", ("notify.write",))
    assert limits(send) == [("stage-throttle", None, 5.0, 1.0)]  # its RouteSettings entry
    status = routes["NotifyApi GET /notifications/{notificationId}"]
    assert status.auth == () and limits(status) == [("stage-throttle", None, 25.0, 1.0)]
    assert status.loggers == ("access-log",) and "cors" in {plugin.name for plugin in status.plugins}


def test_a_rest_api_without_a_stage_in_the_template_does_not_show_logging_or_limits() -> None:
    [route] = read("hostile/cyclic-resources.json").gateway.routes
    assert route.not_shown == (RouteAspect.LOGGING, RouteAspect.RATE_LIMIT)


def test_wrong_types_cost_their_entry_with_a_warning() -> None:
    export = read("broken/wrong-types-template.yaml")
    [route] = export.gateway.routes
    assert route.route_id == "OddApi GET /things"
    assert route.rate_limits == () and route.loggers == ()  # no readable throttle, log or usage plan
    assert export.gateway.warnings == (
        "GoodFunction event NoPath: no Path or Method; skipped",
        "method Orphan: its resource path or HTTP method cannot be told; skipped",
        "/Resources/OddApi/Properties/MethodSettings is not a list; ignored",
        "/Resources/OddApi/Properties/AccessLogSetting is not a mapping; ignored",
        "GET /things/{id: not a valid API Gateway path; skipped",
        "function events name API 'MissingApi', which the template does not declare; not read",
    )


def test_a_template_without_any_api_says_so(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Handler: a.b\n"
    )
    export = READER.read(tmp_path / "t.yaml", ReadContext(root=tmp_path))
    assert export.gateway.routes == () and export.gateway.warnings == (
        "the template declares no API Gateway route",
    )


def test_a_resource_or_event_type_that_is_a_list_costs_only_that_entry(tmp_path: Path) -> None:
    # `Type: [AWS::ApiGateway::Stage]` failed the whole template as "unexpected TypeError, a riskscan bug".
    (tmp_path / "template.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  ClaimsApi:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: prod}\n"
        "  OddStage:\n    Type: [AWS::ApiGateway::Stage]\n    Properties: {RestApiId: !Ref ClaimsApi}\n"
        "  ListClaims:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n"
        "        List: {Type: Api, Properties: {RestApiId: !Ref ClaimsApi, Path: /claims, Method: get}}\n"
        "        Odd: {Type: [Api], Properties: {RestApiId: !Ref ClaimsApi, Path: /odd, Method: get}}\n")
    export = READER.read(tmp_path / "template.yaml", ReadContext(root=tmp_path, allowed_roots=(tmp_path,)))
    assert [route.route_id for route in export.gateway.routes] == ["ClaimsApi GET /claims"]
