"""TLS versions of the custom domains a CloudFormation or SAM template declares.

API Gateway serves a custom domain with a *security policy*: a named minimum TLS version and cipher
suites, set by `SecurityPolicy` on `AWS::ApiGateway::DomainName` (and the private `DomainNameV2`), on each
of `AWS::ApiGatewayV2::DomainName`'s `DomainNameConfigurations`, and on SAM's `Domain` of an
`AWS::Serverless::Api` or `HttpApi` (passed through to the domain SAM creates). Each domain gives one
`TlsSetting` citing the policy's line, or the domain's own when the policy is left to API Gateway's
documented default; its note names the APIs the template maps onto it (`BasePathMapping`,
`BasePathMappingV2`, `ApiMapping`, or the SAM API itself).

A policy set by an intrinsic function (`!Ref Param`, `!If`, `Fn::Sub` ...) or one whose versions
riskscan does not know is a warning naming the place, and not judged. The default `execute-api`
endpoint's TLS is AWS's, not the template's: a template without a custom domain shows no TLS setting.
Cipher suites of the policies are not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from riskscan.model import TlsSetting
from riskscan.sources.gateways.aws.common import Place, Warn, logical_id, mapping, text
from riskscan.sources.gateways.tls_versions import is_legacy_protocol

__all__ = ["DomainTls", "read_domain_tls"]

# Which TLS versions each security policy accepts, as the API Gateway Developer Guide states them:
# "Choose a security policy for your custom domain in API Gateway" (apigateway-custom-domain-tls-version):
# TLS_1_0 "accepts TLS 1.0, TLS 1.2, and TLS 1.3 traffic" (older revisions add TLS 1.1), TLS_1_2 "accepts
# TLS 1.2 and TLS 1.3 traffic"; "Supported security policies" (apigateway-security-policies-list), table
# for Regional and private APIs and custom domain names, for the enhanced `SecurityPolicy_` ones.
# None: a policy API Gateway defines (its API reference and the AWS Config rule
# apigateway-domain-name-tls-check list it) whose versions the pages read for this table did not show;
# it is warned about, not judged, rather than guessed from its name.
_POLICY_VERSIONS: Mapping[str, tuple[str, ...] | None] = {
    "TLS_1_0": ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
    "TLS_1_2": ("TLSv1.2", "TLSv1.3"),
    "SecurityPolicy_TLS13_1_3_2025_09": ("TLSv1.3",),
    "SecurityPolicy_TLS13_1_3_FIPS_2025_09": ("TLSv1.3",),
    "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09": ("TLSv1.2", "TLSv1.3"),
    "SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09": ("TLSv1.2", "TLSv1.3"),
    "SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09": None,
    "SecurityPolicy_TLS13_1_2_PQ_2025_09": None,
    "SecurityPolicy_TLS13_1_2_2021_06": None,
    "SecurityPolicy_TLS13_2025_EDGE": None,
    "SecurityPolicy_TLS12_PFS_2025_EDGE": None,
    "SecurityPolicy_TLS12_2018_EDGE": None,
}
# "Supported security policies", Default security policies: a new Regional, edge-optimized or private
# custom domain is assigned TLS_1_2 (HTTP APIs: "API Gateway enforces TLS_1_2 for all HTTP API endpoints").
# Earlier revisions of the same guide gave default endpoints of edge-optimized and Regional REST APIs
# TLS-1-0, and its TLS_1_0 tables list TLS 1.1 too: a REST domain left without a policy may predate the
# TLS_1_2 default, which the template cannot show, so its default depends on when it was created
# (an IaC rule such as Datadog's api_gateway_without_security_policy flags the omission likewise).
_DEFAULT_POLICY = "TLS_1_2"
_REST_DEFAULT_DEPENDS = ("a REST API custom domain created without SecurityPolicy before API Gateway made "
                         "TLS_1_2 the default accepts TLS 1.0 and 1.1 (TLS_1_0); the template cannot show when "
                         "it was created")

_REST_DOMAINS = ("AWS::ApiGateway::DomainName", "AWS::ApiGateway::DomainNameV2")
_V2_DOMAIN = "AWS::ApiGatewayV2::DomainName"
_SAM_APIS = {"AWS::Serverless::Api": "Api", "AWS::Serverless::HttpApi": "HttpApi"}
# Mapping resource type -> (property naming the domain, property naming the API).
_MAPPINGS = {
    "AWS::ApiGateway::BasePathMapping": ("DomainName", "RestApiId"),
    "AWS::ApiGateway::BasePathMappingV2": ("DomainNameArn", "RestApiId"),
    "AWS::ApiGatewayV2::ApiMapping": ("DomainName", "ApiId"),
}
_MAX_NAMED = 5


@dataclass(frozen=True)
class _Policy:
    """One place a security policy is (or would be) set: its value, pointer and the domain's."""

    value: Any  # the SecurityPolicy as written; None when left out
    pointer: str  # where SecurityPolicy is, or would be
    domain_pointer: str  # the domain resource (or SAM Domain block) it belongs to
    owner: str  # "domain resource MyDomain" / "SAM Domain of OrdersApi"
    is_rest: bool = True  # a REST API domain (its policy is chosen); HTTP API domains only take TLS_1_2


@dataclass(frozen=True)
class DomainTls:
    """The custom domains' TLS settings (None: the template declares none, or none could be judged), and
    whether some domain's policy is set by an intrinsic function or parameter (its value is unknown)."""

    settings: tuple[TlsSetting, ...] | None
    by_reference: bool


def read_domain_tls(
    resources: Mapping[str, dict[str, Any]], globals_: Mapping[str, Any], place: Place, warn: Warn
) -> DomainTls:
    """One setting per custom domain the template declares whose policy can be judged (each other
    domain is warned about)."""
    served = _served_apis(resources)
    settings: list[TlsSetting] = []
    by_reference = False
    for policy, apis in _policies(resources, globals_, served):
        by_reference |= policy.value is not None and not isinstance(policy.value, str)
        setting = _setting(policy, apis, place, warn)
        if setting is not None:
            settings.append(setting)
    return DomainTls(tuple(settings) or None, by_reference)


def _policies(
    resources: Mapping[str, dict[str, Any]], globals_: Mapping[str, Any], served: Mapping[str, list[str]]
) -> list[tuple[_Policy, list[str]]]:
    """Every policy place, in template order, with the APIs served on its domain."""
    found: list[tuple[_Policy, list[str]]] = []
    sam_global: dict[str, list[str]] = {}  # a Globals Domain: one place, every SAM API of its kind
    for name, resource in resources.items():
        kind = str(resource.get("Type"))
        properties = mapping(resource.get("Properties"))
        at = f"/Resources/{name}"
        if kind in _REST_DOMAINS:
            found.append((_Policy(properties.get("SecurityPolicy"), f"{at}/Properties/SecurityPolicy", at,
                                  f"domain resource {name}"), served.get(name, [])))
        elif kind == _V2_DOMAIN:
            configurations = properties.get("DomainNameConfigurations")
            if not isinstance(configurations, list) or not configurations:
                found.append((_Policy(None, f"{at}/Properties/DomainNameConfigurations", at,
                                      f"domain resource {name}", is_rest=False), served.get(name, [])))
                continue
            for index, entry in enumerate(configurations):
                base = f"{at}/Properties/DomainNameConfigurations/{index}"
                found.append((_Policy(mapping(entry).get("SecurityPolicy"), f"{base}/SecurityPolicy", base,
                                      f"domain resource {name}", is_rest=False), served.get(name, [])))
        elif kind in _SAM_APIS:
            if "Domain" in properties:
                domain_at = f"{at}/Properties/Domain"
                found.append((_Policy(mapping(properties["Domain"]).get("SecurityPolicy"),
                                      f"{domain_at}/SecurityPolicy", domain_at, f"SAM Domain of {name}",
                                      is_rest=_SAM_APIS[kind] == "Api"), [name]))
            elif "Domain" in mapping(globals_.get(_SAM_APIS[kind])):
                sam_global.setdefault(_SAM_APIS[kind], []).append(name)
    for scope, apis in sam_global.items():
        domain_at = f"/Globals/{scope}/Domain"
        value = mapping(mapping(globals_.get(scope)).get("Domain")).get("SecurityPolicy")
        found.append((_Policy(value, f"{domain_at}/SecurityPolicy", domain_at, f"SAM Globals.{scope}.Domain",
                              is_rest=scope == "Api"), apis))
    return found


def _served_apis(resources: Mapping[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Domain logical id -> the APIs mapped onto it, from base path and API mappings naming the domain
    by reference (`!Ref MyDomain`) or by its literal name."""
    by_name = {domain: name for name, resource in resources.items()
               if resource.get("Type") in (*_REST_DOMAINS, _V2_DOMAIN)
               and (domain := text(mapping(resource.get("Properties")).get("DomainName"))) is not None}
    served: dict[str, list[str]] = {}
    for resource in resources.values():
        keys = _MAPPINGS.get(str(resource.get("Type")))
        if keys is None:
            continue
        properties = mapping(resource.get("Properties"))
        target = properties.get(keys[0])
        literal = text(target)
        domain = logical_id(target) or (by_name.get(literal) if literal is not None else None)
        api = logical_id(properties.get(keys[1])) or text(properties.get(keys[1]))
        if domain is not None and api is not None and api not in served.get(domain, []):
            served.setdefault(domain, []).append(api)
    return served


def _setting(policy: _Policy, apis: list[str], place: Place, warn: Warn) -> TlsSetting | None:
    """The policy's TLS versions, or None (warned) when it cannot be judged."""
    value = policy.value
    if value is not None and not isinstance(value, str):
        warn(f"{policy.owner}: its SecurityPolicy is set by an intrinsic function or parameter "
             f"({policy.pointer}); its TLS versions are not judged")
        return None
    name = value if value is not None else _DEFAULT_POLICY
    versions = _POLICY_VERSIONS.get(name)
    if versions is None:
        known = name in _POLICY_VERSIONS
        warn(f"{policy.owner}: security policy {name[:60]!r} at {policy.pointer} is "
             f"{'one whose TLS versions riskscan does not know' if known else 'not one riskscan knows'}; "
             "its TLS versions are not judged")
        return None
    served = _serving(apis)
    if value is None:
        note = (f"{policy.owner} sets no SecurityPolicy: API Gateway's documented default for a new custom "
                f"domain, {_DEFAULT_POLICY}, applies"
                + (" (the template does not show when the domain was created)" if policy.is_rest else
                   " (HTTP API domains take no other)") + served)
        evidence = place.evidence(policy.domain_pointer, f"{policy.owner} without SecurityPolicy", note)
    else:
        note = f"security policy {name} of {policy.owner}{served}"
        evidence = place.evidence(policy.pointer, f"SecurityPolicy: {name}", note)
    depends = _REST_DEFAULT_DEPENDS if value is None and policy.is_rest else None
    return TlsSetting(protocols=versions, allows_legacy=any(is_legacy_protocol(v) for v in versions), evidence=evidence,
                      is_default=value is None, depends_on_version=depends)


def _serving(apis: list[str]) -> str:
    """`; serves OrdersApi, PaymentsApi`, or a note that the template maps no API onto the domain."""
    if not apis:
        return "; the template maps no API onto it"
    shown = ", ".join(apis[:_MAX_NAMED]) + (f" and {len(apis) - _MAX_NAMED} more" if len(apis) > _MAX_NAMED
                                            else "")
    return f"; serves {shown}"
