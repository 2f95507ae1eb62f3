"""Reader for AWS API Gateway: REST and HTTP API exports, CloudFormation and SAM templates.

Such a file is both documentation and gateway configuration, so the reader returns a `GatewayExport`:
the routes API Gateway serves (a `GatewayConfig`) and the OpenAPI documents it holds (`ApiSpec`s).
Detection puts this reader before the OpenAPI one, so an export is read once, by this reader only.

- An export (OpenAPI 3 or Swagger 2 with `x-amazon-apigateway-*` extensions; an HTTP API export has
  `x-amazon-apigateway-importexport-version`) is read by `export`. It carries no stage, so logging and
  limits are not shown.
- A template (`AWSTemplateFormatVersion`, a SAM `Transform`, or `Resources` declaring API Gateway or
  serverless resources; YAML with short-form intrinsics, or JSON) is read by `template`, with the TLS
  versions of its custom domains' security policies (`domains`).

Either is checked for credentials written in clear (`secrets`: API key values, static credential
headers sent to backends, credential-named stage variables, URLs with credentials), by place only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.model import GatewayConfig, GatewayExport, GatewayRoute, SourceKind, TlsSetting
from riskscan.sources import HEAD_BYTES, ReadContext, read_head
from riskscan.sources.gateways.apisix_sniff import top_level_keys
from riskscan.sources.gateways.aws.common import Place, mapping, text
from riskscan.sources.gateways.aws.export import read_export, read_export_spec
from riskscan.sources.gateways.aws.routes import ApiScope, build_route
from riskscan.sources.gateways.aws.secrets import clear_secret_pointers
from riskscan.sources.gateways.aws.stages import StageSettings
from riskscan.sources.gateways.aws.template import read_template
from riskscan.sources.specs.openapi_versions import claims_spec_version, sniff_openapi_version
from riskscan.sources.structured import load_structured

__all__ = ["AwsApiGatewayError", "AwsApiGatewayReader"]

_MAX_WARNINGS = 50
_EXTENSION = re.compile(rb"[\"']?x-amazon-apigateway-([a-z-]+)[\"']?\s*:")
_SCHEME_ONLY = frozenset({b"authtype"})
"""Extensions that describe how callers sign requests, not a gateway's configuration: AWS's own service
descriptions (APIs.guru's 300 AWS specs) mark their SigV4 scheme with `x-amazon-apigateway-authtype`."""
_MAX_SNIFF_BYTES = 64 << 20  # read past the head for a gateway extension, at most this much
_API_RESOURCE = re.compile(rb"AWS::(?:ApiGateway::|ApiGatewayV2::|Serverless::(?:Api|HttpApi|Function)\b)")
_TEMPLATE_KEYS = frozenset({"AWSTemplateFormatVersion", "Transform", "Resources"})


def _has_gateway_extension(path: Path, head: bytes) -> bool:
    """True when the document carries an API Gateway extension that configures the gateway
    (integrations, authorizers, validators, policies, an HTTP API's import-export version ...).

    A SigV4 scheme's `x-amazon-apigateway-authtype` alone does not: AWS service descriptions have it
    and nothing else, and read as a gateway they made every other spec of the scan look unrouted. When
    the head shows no such extension and is not the whole file, the rest is looked through: an export
    may put `components` before `paths` and their integrations (keys sorted), and a document whose
    version key comes late is judged on its top-level keys only (`detect_kind`).
    """
    if any(match.group(1) not in _SCHEME_ONLY for match in _EXTENSION.finditer(head)):
        return True
    try:
        if len(head) < HEAD_BYTES and path.stat().st_size <= len(head):
            return False
        whole = read_head(path, _MAX_SNIFF_BYTES)
    except OSError:
        return False
    return any(match.group(1) not in _SCHEME_ONLY for match in _EXTENSION.finditer(whole))


class AwsApiGatewayError(SourceError):
    """An API Gateway export or CloudFormation/SAM template that cannot be read."""


class AwsApiGatewayReader:
    """Reads API Gateway exports and CloudFormation/SAM templates into routes and specs."""

    kind = SourceKind.AWS_API_GATEWAY
    title = "AWS API Gateway REST/HTTP API exports, CloudFormation and SAM templates (YAML or JSON)"
    summary = (
        "routes (`{proxy+}` as prefixes, `ANY`, `$default`) with authorizers (Lambda, Cognito, JWT, "
        "IAM), API keys, usage plans, stage throttling, access logs, metrics and tracing, request "
        "validators, resource policies, private endpoints, CORS and custom domains' TLS security policies; "
        "the definition also read as a spec; stage variables and integration credentials never kept"
    )

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for an OpenAPI/Swagger document using API Gateway extensions, and for a template
        declaring API Gateway or serverless resources."""
        if claims_spec_version(sniff_openapi_version(head)):
            return _has_gateway_extension(path, head)
        if _API_RESOURCE.search(head) is None:
            return False
        return bool(top_level_keys(head.decode("utf-8", errors="replace")).keys() & _TEMPLATE_KEYS)

    def read(self, path: Path, context: ReadContext) -> GatewayExport:
        """Read one export or template; raise `AwsApiGatewayError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            document = load_structured(path, context, intrinsics=True)
        except SourceError as error:
            raise AwsApiGatewayError(error.problem, path=error.path, line=error.line) from None
        data = document.data
        if not isinstance(data, dict):
            raise AwsApiGatewayError("the top level is not a mapping", path=shown, line=1)
        warnings: list[str] = []
        place = Place(document, shown)
        if "openapi" in data or "swagger" in data:
            reading = read_export(document, context, place, "", warnings.append)
            try:
                spec = read_export_spec(document, context, "", reading.schemes)
            except SourceError as error:
                raise AwsApiGatewayError(error.problem, path=shown, line=error.line) from None
            scope = ApiScope(
                _api_name(data, path), StageSettings(), reading.rules, reading.plugins, reading.prefix,
                reading.cors,
            )
            routes = [
                route for draft in reading.drafts if (route := build_route(draft, scope, warnings.append))
            ]
            return GatewayExport(gateway=_config(place, routes, warnings, ()), specs=(spec,))
        if not isinstance(data.get("Resources"), dict):
            raise AwsApiGatewayError(
                "no `Resources` mapping: not a CloudFormation template", path=shown, line=1
            )
        template = read_template(document, context, place, warnings.append)
        if not template.routes:
            warnings.append("the template declares no API Gateway route")
        return GatewayExport(
            gateway=_config(place, list(template.routes), warnings, template.referenced_files,
                            template.tls_settings).model_copy(
                                update={"unknown_settings": template.unknown_settings}),
            specs=template.specs,
        )


def _api_name(data: dict[str, Any], path: Path) -> str:
    """The API's title (`info.title`), else the file's name: the first word of its route ids."""
    title = text(mapping(data.get("info")).get("title"))
    return " ".join(title.split())[:80] if title and title.strip() else path.stem


def _config(
    place: Place,
    routes: list[GatewayRoute],
    warnings: list[str],
    referenced: tuple[str, ...],
    tls_settings: tuple[TlsSetting, ...] | None = None,
) -> GatewayConfig:
    kept = list(dict.fromkeys(warnings))
    if len(kept) > _MAX_WARNINGS:
        kept = kept[:_MAX_WARNINGS] + [f"{len(kept) - _MAX_WARNINGS} more warnings not shown"]
    return GatewayConfig(
        path=place.shown,
        gateway="aws-apigateway",
        routes=tuple(routes),
        warnings=tuple(kept),
        referenced_files=referenced,
        tls_settings=tls_settings,
        clear_secrets=tuple(
            place.evidence(pointer, note=f"{what} (not a {{{{resolve:...}}}} reference nor an intrinsic)")
            for pointer, what in clear_secret_pointers(place.document.data)),
    )
