"""CORS on AWS API Gateway routes, as AWS documents it: HTTP API configurations, REST OPTIONS methods and
integration responses (quoted literals, a reflected Origin), gateway responses, SAM `Cors` and
`CorsConfiguration`; `()` where the file shows the whole API and sets none, None where it cannot tell;
and the misconfiguration control judging them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskscan.model import Assessment, GatewayRoute
from riskscan.pipeline import ScanOptions, scan
from riskscan.sources import ReadContext
from riskscan.sources.gateways.aws import AwsApiGatewayReader

CORS = Path(__file__).resolve().parents[2] / "fixtures" / "aws" / "cors"
READER = AwsApiGatewayReader()


def routes(name: str) -> dict[str, GatewayRoute]:
    """Routes by `METHOD /path` (the last two words of the route id)."""
    export = READER.read(CORS / name, ReadContext(root=CORS, allowed_roots=(CORS,)))
    return {" ".join(route.route_id.split(" ")[-2:]): route for route in export.gateway.routes}


def flags(route: GatewayRoute) -> list[tuple[bool, bool]] | None:
    """(any origin, credentials) of each policy on the route; None when the reader cannot tell."""
    return None if route.cors is None else [(p.allows_any_origin, p.allows_credentials) for p in route.cors]


def test_an_http_api_configuration_reaches_every_route_with_its_line() -> None:
    found = routes("http-api-any-origin-credentials.yaml")
    assert {key: flags(route) for key, route in found.items()} == {
        "GET /accounts/{accountId}": [(True, True)], "POST /payments": [(True, True)]}
    evidence = found["POST /payments"].cors[0].evidence  # type: ignore[index]
    assert (evidence.pointer, evidence.line) == ("/x-amazon-apigateway-cors", 7)
    assert evidence.excerpt == "allowOrigins: *; allowCredentials: true"


def test_a_named_origin_is_not_any_origin() -> None:
    found = routes("http-api-specific-origin.yaml")
    assert {flags(route)[0] for route in found.values()} == {(False, True)}  # type: ignore[index]


def test_rest_options_methods_reach_their_path_and_integration_responses_their_method() -> None:
    found = routes("rest-options-methods.yaml")
    assert flags(found["GET /claims"]) == flags(found["OPTIONS /claims"]) == [(True, True)]
    assert flags(found["GET /profile"]) == [(True, False)]  # the request's Origin sent back
    assert flags(found["GET /rates"]) == [(False, False)]
    assert flags(found["GET /status"]) == []  # the whole API is in the file, and it sets none
    preflight = found["GET /claims"].cors[0].evidence  # type: ignore[index]
    assert preflight.pointer == ("/paths/~1claims/options/x-amazon-apigateway-integration/responses/default"
                                 "/responseParameters")
    assert "Access-Control-Allow-Credentials 'true'" in (preflight.excerpt or "")


def test_gateway_responses_set_cors_on_the_whole_api() -> None:
    (route,) = routes("rest-gateway-responses.json").values()
    assert flags(route) == [(True, False)]
    assert route.cors[0].evidence.pointer == (  # type: ignore[index]
        "/x-amazon-apigateway-gateway-responses/DEFAULT_4XX/responseParameters")


def test_templates_sam_cors_http_api_configuration_options_resources_and_gateway_responses() -> None:
    sam = routes("sam-cors.yaml")
    assert flags(sam["GET /quotes"]) == [(True, True)]  # Globals.Api.Cors, quoted `'*'`
    assert flags(sam["GET /partner/quotes"]) == [(False, True)]
    assert sam["GET /archive"].cors is None  # its definition sits in S3: CORS cannot be told
    assert sam["GET /quotes"].cors[0].evidence.pointer == "/Globals/Api/Cors"  # type: ignore[index]
    cfn = routes("cfn-rest-options.yaml")
    assert sorted(flags(cfn["GET /claims"]) or []) == [(False, True), (True, False)]
    assert {policy.evidence.pointer for policy in cfn["GET /claims"].cors or ()} == {
        "/Resources/ClaimsOptions/Properties/Integration/IntegrationResponses/0/ResponseParameters",
        "/Resources/Unauthorized/Properties/ResponseParameters"}


def test_an_unreadable_cors_setting_leaves_cors_unknown_with_a_warning(tmp_path: Path) -> None:
    text = (CORS / "sam-cors.yaml").read_text(encoding="utf-8")
    hostile = tmp_path / "sam.yaml"
    hostile.write_text(text.replace("      AllowOrigin: \"'*'\"\n", "      AllowOrigin: !Ref OriginParam\n"),
                       encoding="utf-8")
    export = READER.read(hostile, ReadContext(root=tmp_path, allowed_roots=(tmp_path,)))
    quotes = next(route for route in export.gateway.routes if route.route_id.endswith("GET /quotes"))
    assert quotes.cors is None
    assert any("CORS setting cannot be read" in warning for warning in export.gateway.warnings)


@pytest.mark.parametrize("value", ["[]", "42", "{'allowOrigins': 'not-a-list', 'allowCredentials': 'yes'}"])
def test_wrong_types_cost_the_setting_not_the_file(tmp_path: Path, value: str) -> None:
    text = (CORS / "http-api-any-origin-credentials.yaml").read_text(encoding="utf-8")
    start, end = text.index("x-amazon-apigateway-cors:"), text.index("paths:")
    broken = tmp_path / "export.yaml"
    broken.write_text(text[:start] + f"x-amazon-apigateway-cors: {value}\n" + text[end:], encoding="utf-8")
    export = READER.read(broken, ReadContext(root=tmp_path, allowed_roots=(tmp_path,)))
    assert all(not any(p.allows_any_origin or p.allows_credentials for p in route.cors or ())
               for route in export.gateway.routes)


# --------------------------------------------------------------------------- the control


def misconfiguration(tmp_path: Path, name: str) -> tuple[Assessment, list[tuple[str, tuple[str, ...]]]]:
    shutil.copy(CORS / name, tmp_path / name)
    assessment = scan(ScanOptions(paths=(tmp_path,)))
    findings = [(f.code, f.endpoints) for f in assessment.findings if f.control == "misconfiguration"]
    return assessment, findings


def test_any_origin_with_credentials_on_an_aws_export_is_a_high_finding(tmp_path: Path) -> None:
    assessment, findings = misconfiguration(tmp_path, "http-api-any-origin-credentials.yaml")
    assert findings == [("MISC_CORS_CREDENTIALS", ("GET /accounts/{accountId}", "POST /payments"))]
    finding = next(f for f in assessment.findings if f.code == "MISC_CORS_CREDENTIALS")
    assert finding.severity.value == "high"
    assert {(e.path, e.line) for e in finding.evidence} == {("http-api-any-origin-credentials.yaml", 7)}


def test_a_specific_origin_export_passes_on_its_cors_evidence(tmp_path: Path) -> None:
    assessment, findings = misconfiguration(tmp_path, "http-api-specific-origin.yaml")
    assert findings == []
    result = next(c for c in assessment.controls if c.id == "misconfiguration")
    assert result.summary.startswith("0 of 2 endpoints whose CORS the gateway shows allow any origin")
    assert any(e.pointer == "/x-amazon-apigateway-cors" for e in result.evidence)


def test_no_planted_backend_key_reaches_the_report(tmp_path: Path) -> None:
    assessment, _ = misconfiguration(tmp_path, "rest-options-methods.yaml")
    assert "PLANTED-CORS-BACKEND-KEY" not in json.dumps(assessment.model_dump(mode="json"))


def test_corpus_petstore_options_methods_allow_any_origin_without_credentials(corpus_dir: Path) -> None:
    petstore = corpus_dir / "gateway" / "aws-apigateway" / "petstore-authorizer.swagger.json"
    if not petstore.is_file():
        pytest.skip("this copy of the shared corpus lacks gateway/aws-apigateway/petstore-authorizer.swagger.json")
    export = READER.read(petstore, ReadContext(root=corpus_dir))
    found = {" ".join(route.route_id.split(" ")[-2:]): flags(route) for route in export.gateway.routes}
    assert found["GET /"] == []  # a mock root method that sets no CORS header
    assert found["OPTIONS /pets"] == [(True, False)]
    assert found["GET /pets"] == [(True, False), (True, False)]  # its own response, then the preflight's
