"""CORS as API Gateway applies it, read into `CorsPolicy`s.

What AWS documents (developer guide, "Configure CORS for HTTP APIs", "CORS for REST APIs", the
`x-amazon-apigateway-cors` object; SAM `CorsConfiguration` and `HttpApiCorsConfiguration`):

- HTTP APIs: `x-amazon-apigateway-cors` (`allowOrigins`, `allowCredentials`), CloudFormation
  `AWS::ApiGatewayV2::Api` `CorsConfiguration` and SAM `HttpApi` `CorsConfiguration` (`AllowOrigins`,
  `AllowCredentials`; SAM's property level wins over the definition's). API Gateway then answers
  preflights itself and ignores the CORS headers of the integration. AWS refuses `*` with credentials
  when deploying, but an export or template may still hold it: it is read as written.
- REST APIs: a method's integration responses set `method.response.header.Access-Control-Allow-Origin`
  to a literal in single quotes (`'*'`, `'https://app.example.com'`) or to the request's `Origin`
  (reflected: any origin), and `...Allow-Credentials` to `'true'`; the OPTIONS method of a path answers
  the preflight for every method on it. Gateway responses (`x-amazon-apigateway-gateway-responses`,
  `gatewayresponse.header.*`) set them on API Gateway's own errors, for the whole API. SAM `Api`
  `Cors` (a quoted origin, or `AllowOrigin` and `AllowCredentials`) adds such OPTIONS methods.
A backend behind a proxy integration may add headers of its own: no file shows those.
"""

from __future__ import annotations

from typing import Any

from riskscan.model import CorsPolicy
from riskscan.sources.gateways.aws.common import Place, mapping, text
from riskscan.sources.structured import join_pointer

__all__ = [
    "gateway_response_policy",
    "http_api_policy",
    "integration_policy",
    "sam_gateway_response_policy",
    "sam_rest_policy",
    "template_gateway_response_policy",
]

_ORIGIN = "access-control-allow-origin"
_CREDENTIALS = "access-control-allow-credentials"
_REFLECTED = "method.request.header.origin"  # the request's own Origin sent back: any origin


def http_api_policy(settings: Any, place: Place, at: str) -> CorsPolicy | None:
    """An HTTP API's CORS configuration (the OpenAPI extension's camelCase keys or CloudFormation's
    PascalCase ones); None when `settings` is not a mapping."""
    if not isinstance(settings, dict):
        return None
    origins = settings.get("allowOrigins", settings.get("AllowOrigins"))
    listed = origins if isinstance(origins, list) else []
    names = [origin.strip() for origin in listed if isinstance(origin, str)]
    credentials = settings.get("allowCredentials", settings.get("AllowCredentials")) is True
    excerpt = f"allowOrigins: {', '.join(names[:5]) or 'none'}; allowCredentials: {str(credentials).lower()}"
    return CorsPolicy(allows_any_origin="*" in names, allows_credentials=credentials,
                      evidence=place.evidence(at, excerpt, "HTTP API CORS configuration"))


def sam_rest_policy(value: Any, place: Place, at: str) -> CorsPolicy | None:
    """A SAM `Api`'s `Cors`: a quoted origin string, or `AllowOrigin` (comma-separated, quoted) with
    `AllowCredentials`; None when neither is readable (an intrinsic function, say)."""
    settings = mapping(value)
    origin = text(value) if isinstance(value, str) else text(settings.get("AllowOrigin"))
    if origin is None:
        return None
    names = [name.strip().strip("'\"").strip() for name in origin.split(",")]
    credentials = settings.get("AllowCredentials") is True
    excerpt = f"AllowOrigin {origin}; AllowCredentials: {str(credentials).lower()}"
    return CorsPolicy(allows_any_origin="*" in names, allows_credentials=credentials,
                      evidence=place.evidence(at, excerpt, "SAM Cors (OPTIONS methods added)"))


def integration_policy(integration: dict[str, Any], place: Place, at: str) -> CorsPolicy | None:
    """The CORS headers a REST method's integration responses set, from an export
    (`responses.*.responseParameters`) or a template (`IntegrationResponses[].ResponseParameters`);
    None when none sets Access-Control-Allow-Origin."""
    responses = integration.get("responses", integration.get("IntegrationResponses"))
    if isinstance(responses, dict):
        items = [(join_pointer(join_pointer(at, "responses"), key), value)
                 for key, value in responses.items()]
    elif isinstance(responses, list):
        items = [(join_pointer(join_pointer(at, "IntegrationResponses"), index), value)
                 for index, value in enumerate(responses)]
    else:
        return None
    for pointer, response in items:
        settings = mapping(response)
        key = "responseParameters" if "responseParameters" in settings else "ResponseParameters"
        policy = _header_policy(mapping(settings.get(key)), "method.response.header.", place,
                                join_pointer(pointer, key))
        if policy is not None:
            return policy
    return None


def gateway_response_policy(responses: Any, place: Place, at: str) -> CorsPolicy | None:
    """The CORS headers `x-amazon-apigateway-gateway-responses` put on API Gateway's own error
    responses (`DEFAULT_4XX`, `UNAUTHORIZED` ...); None when none sets Access-Control-Allow-Origin."""
    for name, response in mapping(responses).items():
        pointer = join_pointer(join_pointer(at, name), "responseParameters")
        parameters = mapping(mapping(response).get("responseParameters"))
        policy = _header_policy(parameters, "gatewayresponse.header.", place, pointer)
        if policy is not None:
            return policy
    return None


def template_gateway_response_policy(properties: dict[str, Any], place: Place, at: str) -> CorsPolicy | None:
    """The CORS headers an `AWS::ApiGateway::GatewayResponse` resource sets (`ResponseParameters`)."""
    return _header_policy(mapping(properties.get("ResponseParameters")), "gatewayresponse.header.", place,
                          join_pointer(at, "ResponseParameters"))


def sam_gateway_response_policy(responses: Any, place: Place, at: str) -> CorsPolicy | None:
    """The CORS headers a SAM `Api`'s `GatewayResponses` set (`ResponseParameters.Headers`)."""
    for name, response in mapping(responses).items():
        headers = mapping(mapping(mapping(response).get("ResponseParameters")).get("Headers"))
        pointer = join_pointer(join_pointer(join_pointer(at, name), "ResponseParameters"), "Headers")
        policy = _header_policy({f"header.{key}": value for key, value in headers.items()}, "header.", place,
                                pointer)
        if policy is not None:
            return policy
    return None


def _header_policy(parameters: dict[str, Any], prefix: str, place: Place, at: str) -> CorsPolicy | None:
    """The policy one set of response parameters writes: the Allow-Origin value (a quoted literal or a
    request header sent back) and Allow-Credentials `'true'`."""
    headers = {key[len(prefix):].lower(): value for key, value in parameters.items()
               if key.lower().startswith(prefix)}
    origin = text(headers.get(_ORIGIN))
    if origin is None:
        return None
    literal = origin.strip().strip("'").strip()
    is_any = literal == "*" or origin.strip().lower() == _REFLECTED
    credentials = (text(headers.get(_CREDENTIALS)) or "").strip().strip("'").strip().lower() == "true"
    excerpt = f"Access-Control-Allow-Origin {origin}"
    excerpt += "; Access-Control-Allow-Credentials 'true'" if credentials else ""
    return CorsPolicy(allows_any_origin=is_any, allows_credentials=credentials,
                      evidence=place.evidence(at, excerpt, "CORS headers set by API Gateway"))
