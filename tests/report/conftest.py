"""Assessments for report tests, built directly from `riskscan.model` types.

`insurer_assessment` is a small, realistic estate: Northwind Mutual's partner APIs (quotes, policies,
claims, coverage, broker onboarding) behind APISIX, with a week of access log. It has documented,
shadow, zombie and orphan endpoints, an unauthenticated and an unthrottled one, a claims route limited
per client address that one client overran unrejected, sequential policy ids, the per-endpoint verdicts
of authentication, object authorization and rate limiting, and findings AUTH-001, RATE-001, RATE-002,
BOLA-001 and INV-001 with evidence. Values are as the pipeline would leave them: redacted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from riskscan.controls.basis import scoring_method
from riskscan.controls.catalogue import default_catalogue
from riskscan.model import (
    Assessment,
    AuthKind,
    AuthPosture,
    ControlResult,
    ControlStatus,
    Endpoint,
    EndpointControlResult,
    EndpointExposure,
    Evidence,
    EvidenceStrength,
    Finding,
    Grade,
    GradeBasis,
    IdGuessability,
    InputFile,
    InputStatus,
    Inventory,
    Lifecycle,
    RateLimitKeying,
    RateLimitPolicy,
    RateLimitPosture,
    Severity,
    SightingSource,
    SourceKind,
    TrafficStats,
    WebContent,
    WebContentClass,
)

SCANNED_AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
LOG_START = datetime(2026, 11, 16, 0, 0, 4, tzinfo=timezone(timedelta(hours=1)))
LOG_END = datetime(2026, 11, 22, 23, 59, 51, tzinfo=timezone(timedelta(hours=1)))

ENFORCED = EvidenceStrength.ENFORCED
OBSERVED = EvidenceStrength.OBSERVED
DECLARED = EvidenceStrength.DECLARED

SPEC = SightingSource.SPEC
GATEWAY = SightingSource.GATEWAY
TRAFFIC = SightingSource.TRAFFIC

OIDC_GATEWAY = AuthPosture(effective=AuthKind.OIDC, declared=(AuthKind.OAUTH2,),
                           enforced_by="gateway:partner-prod",
                           evidence=(Evidence(path="gateway/apisix.yaml", line=31, pointer="/routes/0"),))
PARTNER_LIMIT = RateLimitPosture(enforced=True, by=("limit-count by http_x_partner_id (600/60s)",),
                                 evidence=(Evidence(path="gateway/apisix.yaml", line=38),))
# The claims route counts per client address, and one client went far past it with no 429 in the log.
ADDRESS_LIMIT = RateLimitPosture(
    enforced=True, by=("limit-count by remote_addr (10/60s)",), keying=RateLimitKeying.ADDRESS,
    policies=(RateLimitPolicy(plugin="limit-count", key="remote_addr", limit=10, window_seconds=60,
                              rejected_code=429, evidence=Evidence(path="gateway/apisix.yaml", line=58)),),
    evidence=(Evidence(path="gateway/apisix.yaml", line=58),))


def _traffic(requests: int, clients: int, errors: int = 0, paths: int = 1) -> TrafficStats:
    return TrafficStats(
        requests=requests,
        clients=clients,
        status_classes={"2xx": requests - errors, "4xx": errors} if errors else {"2xx": requests},
        first_seen=LOG_START,
        last_seen=LOG_END,
        distinct_paths=paths,
        max_paths_per_client=paths // max(clients, 1),
    )


def _documented(method: str, path: str, operation_id: str, api: str, **changes: object) -> Endpoint:
    fields: dict[str, object] = {
        "method": method,
        "path": path,
        "host": "api.northwind-mutual.example",
        "operation_id": operation_id,
        "api": api,
        "sources": (SPEC, GATEWAY, TRAFFIC),
        "lifecycle": Lifecycle.DOCUMENTED,
        "lifecycle_reason": f"described by {api}",
        "route_ids": ("partner-prod",),
        "auth": OIDC_GATEWAY,
        "rate_limit": PARTNER_LIMIT,
        "loggers": ("http-logger", "prometheus"),
        "is_logged": True,
        "traffic": _traffic(1200, 14),
    }
    fields.update(changes)
    return Endpoint.model_validate(fields)


def _endpoints() -> tuple[Endpoint, ...]:
    quotes, policies, claims = "Quotes API 2.1.0", "Policies API 2.0.0", "Claims API 1.4.0"
    return (
        _documented("POST", "/v2/quotes", "createQuote", quotes, traffic=_traffic(48_210, 37, errors=310)),
        _documented("GET", "/v2/policies/{policyId}", "getPolicy", policies,
                    traffic=_traffic(91_544, 41, errors=1_020, paths=6_310)),
        _documented("GET", "/v1/policies/{policyId}", "getPolicyV1", policies,
                    lifecycle=Lifecycle.ZOMBIE, deprecated=True,
                    lifecycle_reason="deprecated in Policies API 2.0.0 and superseded, yet still called",
                    superseded_by="GET /v2/policies/{policyId}", route_ids=("policies-legacy",),
                    auth=AuthPosture(effective=AuthKind.API_KEY, declared=(AuthKind.API_KEY,),
                                     enforced_by="gateway:policies-legacy"),
                    rate_limit=RateLimitPosture(enforced=False), traffic=_traffic(2_311, 3, paths=1_870),
                    id_guessability=IdGuessability.SEQUENTIAL,
                    id_guessability_reason="policyId is declared integer (int64)"),
        _documented("GET", "/v2/claims/{claimId}", "getClaim", claims, rate_limit=ADDRESS_LIMIT,
                    traffic=_traffic(15_002, 22, paths=940).model_copy(update={
                        "peak_requests_per_minute": 240,
                        "peak_rate_minute": datetime(2026, 11, 18, 14, 7, tzinfo=UTC)}),
                    exposure=EndpointExposure.PUBLIC, data_classes=("pii",),
                    exposure_reason="served on api.northwind-mutual.example, reachable from outside"),
        _documented("GET", "/v2/coverage/{policyId}/verify", "verifyCoverage", policies,
                    traffic=_traffic(230_117, 58, errors=4_002, paths=11_480)),
        _documented("POST", "/v2/brokers", "onboardBroker", "Broker Onboarding API 1.0.0",
                    lifecycle=Lifecycle.ORPHAN, sources=(SPEC,), route_ids=(),
                    lifecycle_reason="documented, but neither routed nor called during the log window",
                    auth=AuthPosture(effective=AuthKind.BEARER, declared=(AuthKind.BEARER,),
                                     enforced_by="spec (declared, not verified)"),
                    rate_limit=RateLimitPosture(enforced=None), loggers=(), is_logged=None, traffic=None),
        Endpoint(
            method="GET", path="/internal/export/{file}", host=None, sources=(GATEWAY, TRAFFIC),
            lifecycle=Lifecycle.SHADOW, lifecycle_reason="routed by internal-export and called, in no spec",
            route_ids=("internal-export",),
            auth=AuthPosture(effective=AuthKind.NONE, allows_anonymous=True),
            rate_limit=RateLimitPosture(enforced=False), loggers=(), monitors=("prometheus",), is_logged=False,
            traffic=_traffic(412, 2, paths=388),
        ),
        Endpoint(
            method="*", path="/v1/legacy/*", host=None, sources=(GATEWAY,), lifecycle=Lifecycle.SHADOW,
            lifecycle_reason="routed by claims-legacy (any method), in no spec",
            route_ids=("claims-legacy",),
            auth=AuthPosture(effective=AuthKind.NONE, allows_anonymous=True),
            rate_limit=RateLimitPosture(enforced=False), loggers=("http-logger",), is_logged=True,
        ),
    )


def _findings() -> tuple[Finding, ...]:
    return (
        Finding(
            id="AUTH-001", control="auth", severity=Severity.CRITICAL,
            title="Endpoints reachable without authentication",
            detail="2 routed endpoints enforce no authentication; one of them was called 412 times.",
            endpoints=("GET /internal/export/{file}", "* /v1/legacy/*"),
            evidence=(
                Evidence(path="gateway/apisix.yaml", line=44, end_line=46, pointer="/routes/2",
                         excerpt="- id: internal-export\n  uri: /internal/export/*\n  upstream_id: claims"),
                Evidence(path="logs/access.log", count=412, sample_lines=(18, 2041, 5517),
                         note="answered 2xx to clients that sent no credentials"),
            ),
            owasp="API2:2023",
            remediation="Attach openid-connect (bearer_only) or key-auth to the internal-export and "
                        "claims-legacy routes, or remove the routes.",
        ),
        Finding(
            id="BOLA-001", control="object_authorization", severity=Severity.HIGH,
            title="Object ids walked by single clients on weakly authenticated endpoints",
            detail="One client requested 1,870 distinct policy ids on an API-key endpoint.",
            endpoints=("GET /v1/policies/{policyId}",),
            evidence=(Evidence(path="specs/policies-api.yaml", line=88, pointer="/paths/~1v1~1policies~1{policyId}/get",
                               excerpt="parameters:\n  - name: policyId\n    in: path\n    schema: {type: integer}"),
                      Evidence(path="logs/access.log", count=1_870, sample_lines=tuple(range(301, 312)))),
            owasp="API1:2023",
            remediation="Check that the caller owns the object on every request; use non-guessable ids.",
        ),
        Finding(
            id="RATE-001", control="rate_limit", severity=Severity.MEDIUM,
            title="Routed endpoints without a rate limit",
            detail="3 routed endpoints have no rate-limiting plugin in force.",
            endpoints=("GET /v1/policies/{policyId}", "GET /internal/export/{file}", "* /v1/legacy/*"),
            evidence=(Evidence(path="gateway/apisix.yaml", line=40, pointer="/routes/1"),),
            owasp="API4:2023",
            remediation="Add limit-count keyed by partner (http_x_partner_id or consumer_name).",
        ),
        Finding(
            id="RATE-002", control="rate_limit", severity=Severity.MEDIUM,
            title="Rate limit not enforced as configured on 1 endpoint",
            detail="One client made 240 requests in one minute to GET /v2/claims/{claimId}, limited to 10 a "
                   "minute per address, and no request was answered 429.",
            endpoints=("GET /v2/claims/{claimId}",),
            evidence=(Evidence(path="gateway/apisix.yaml", line=58, pointer="/routes/3"),),
            owasp="API4:2023",
            remediation="Check that limit-count is in force on the claims route; key it by partner.",
        ),
        Finding(
            id="INV-001", control="inventory_hygiene", severity=Severity.LOW,
            title="Shadow and zombie endpoints in the estate",
            detail="2 shadow endpoints and 1 zombie endpoint are routed or called.",
            endpoints=("GET /internal/export/{file}", "* /v1/legacy/*", "GET /v1/policies/{policyId}"),
            owasp="API9:2023",
            remediation="Document or retire shadow endpoints; switch off superseded versions.",
        ),
    )


def _results(fails: dict[str, tuple[str, ...]], partials: dict[str, tuple[str, ...]],
             passes: tuple[str, ...]) -> tuple[EndpointControlResult, ...]:
    """One control's per-endpoint verdicts: endpoint key -> its finding ids, for fails and partials."""
    judged = [EndpointControlResult(key=key, status=ControlStatus.FAIL, evidence_strength=ENFORCED,
                                    findings=ids) for key, ids in fails.items()]
    judged += [EndpointControlResult(key=key, status=ControlStatus.PARTIAL, evidence_strength=ENFORCED,
                                     findings=ids) for key, ids in partials.items()]
    judged += [EndpointControlResult(key=key, status=ControlStatus.PASS, evidence_strength=ENFORCED)
               for key in passes]
    return tuple(sorted(judged, key=lambda result: result.key))


_AUTHENTICATED = ("POST /v2/quotes", "GET /v2/policies/{policyId}", "GET /v1/policies/{policyId}",
                  "GET /v2/claims/{claimId}", "GET /v2/coverage/{policyId}/verify")
_UNAUTHENTICATED = {"GET /internal/export/{file}": ("AUTH-001",), "* /v1/legacy/*": ("AUTH-001",)}
_UNAUTHENTICATED_RATE = {"GET /internal/export/{file}": ("RATE-001",), "* /v1/legacy/*": ("RATE-001",)}


def _controls() -> tuple[ControlResult, ...]:
    return (
        ControlResult(id="auth", name="Effective authentication", score=55, status=ControlStatus.FAIL,
                      summary="6 of 8 endpoints enforce authentication; 2 accept anonymous requests.",
                      weight=0.3, evidence=(Evidence(path="gateway/apisix.yaml", line=31),),
                      owasp=("API2:2023",), evidence_strength=ENFORCED,
                      evidence_breakdown={ENFORCED: 7, DECLARED: 1},
                      endpoints=_results(_UNAUTHENTICATED, {}, _AUTHENTICATED)),
        ControlResult(id="object_authorization", name="Object-level authorization risk", score=60,
                      status=ControlStatus.PARTIAL,
                      summary="1 endpoint with object ids relies on a static API key.", weight=0.25,
                      limitations=("Ownership checks inside services cannot be seen from these inputs.",),
                      owasp=("API1:2023",), evidence_strength=OBSERVED,
                      evidence_breakdown={ENFORCED: 2, OBSERVED: 1, DECLARED: 1},
                      endpoints=_results({"GET /v1/policies/{policyId}": ("BOLA-001",)}, {},
                                         ("GET /v2/policies/{policyId}", "GET /v2/claims/{claimId}"))),
        ControlResult(id="inventory_hygiene", name="Inventory hygiene", score=70, status=ControlStatus.PARTIAL,
                      summary="2 shadow, 1 zombie and 1 orphan endpoint out of 8.", weight=0.15,
                      owasp=("API9:2023",), evidence_strength=ENFORCED, evidence_breakdown={ENFORCED: 8}),
        ControlResult(id="monitoring", name="Logging and monitoring", score=None, status=ControlStatus.UNKNOWN,
                      summary="Logging of the broker API cannot be shown.", weight=0.1,
                      limitations=("The broker API is not routed by any gateway given.",),
                      evidence_strength=EvidenceStrength.NOT_OBSERVABLE),
        ControlResult(id="rate_limit", name="Rate limiting", score=62, status=ControlStatus.PARTIAL,
                      summary="5 of 8 endpoints are throttled per partner.", weight=0.2,
                      owasp=("API4:2023",), evidence_strength=ENFORCED, evidence_breakdown={ENFORCED: 8},
                      endpoints=_results(
                          {"GET /v1/policies/{policyId}": ("RATE-001",), **_UNAUTHENTICATED_RATE},
                          {"GET /v2/claims/{claimId}": ("RATE-002",)},
                          ("POST /v2/quotes", "GET /v2/policies/{policyId}",
                           "GET /v2/coverage/{policyId}/verify"))),
    )


def _basis(strength: EvidenceStrength, by_strength: dict[EvidenceStrength, int],
           unknown: tuple[str, ...] = ()) -> GradeBasis:
    """What the grade rests on, worded as the controls stage words it."""
    catalogue = default_catalogue()
    return GradeBasis(
        evidence_strength=strength,
        statement=catalogue.scoring.evidence_statements[strength],
        controls_by_strength={level: by_strength.get(level, 0) for level in EvidenceStrength},
        unknown_controls=unknown,
        method=scoring_method(catalogue),
    )


def _inputs() -> tuple[InputFile, ...]:
    return (
        InputFile(path="specs/quotes-api.yaml", kind=SourceKind.OPENAPI, status=InputStatus.USED, size_bytes=8_410),
        InputFile(path="specs/policies-api.yaml", kind=SourceKind.OPENAPI, status=InputStatus.USED),
        InputFile(path="specs/claims-api.yaml", kind=SourceKind.OPENAPI, status=InputStatus.USED),
        InputFile(path="specs/brokers-api.json", kind=SourceKind.OPENAPI, status=InputStatus.USED),
        InputFile(path="specs/draft-payments.yaml", kind=SourceKind.OPENAPI, status=InputStatus.FAILED,
                  message="specs/draft-payments.yaml:12: $ref '#/components/schemas/Pay' does not resolve"),
        InputFile(path="gateway/apisix.yaml", kind=SourceKind.APISIX, status=InputStatus.USED),
        InputFile(path="logs/access.log.gz", kind=SourceKind.ACCESS_LOG, status=InputStatus.USED),
        InputFile(path="README.txt", status=InputStatus.SKIPPED, message="not a kind riskscan reads"),
    )


def build_insurer_assessment() -> Assessment:
    """The Northwind Mutual estate (see the module docstring)."""
    return Assessment(
        schema_version="1.5",
        tool_version="0.1.0",
        scanned_at=SCANNED_AT,
        roots=("northwind-estate",),
        inputs=_inputs(),
        inventory=Inventory(endpoints=_endpoints(), has_specs=True, has_gateway=True, has_traffic=True,
                            unmatched_404_paths=57, web_content=_web_content()),
        controls=_controls(),
        findings=_findings(),
        score=61,
        grade=Grade.C,
        basis=_basis(OBSERVED, {ENFORCED: 3, OBSERVED: 1, EvidenceStrength.NOT_OBSERVABLE: 1}, ("monitoring",)),
    )


def build_empty_assessment() -> Assessment:
    """A scan that found nothing: one skipped file, no endpoints, controls or findings."""
    return Assessment(
        schema_version="1.5", tool_version="0.1.0", scanned_at=SCANNED_AT, roots=("empty",),
        inputs=(InputFile(path="notes.txt", status=InputStatus.SKIPPED, message="not a kind riskscan reads"),),
        inventory=Inventory(endpoints=(), has_specs=False, has_gateway=False, has_traffic=False),
        controls=(), findings=(), score=0, grade=Grade.F,
        basis=_basis(EvidenceStrength.NOT_OBSERVABLE, {}),
    )


@pytest.fixture
def insurer_assessment() -> Assessment:
    """A realistic insurer estate with every lifecycle and the four first findings."""
    return build_insurer_assessment()


@pytest.fixture
def empty_assessment() -> Assessment:
    """A scan that found nothing to assess."""
    return build_empty_assessment()


def _web_content() -> WebContent:
    """The partner portal's pages and assets, served beside the API through a catch-all route."""
    return WebContent(requests=1377, distinct_paths=9, requests_by_class={
        WebContentClass.ASSET: 1200, WebContentClass.DOCUMENT: 174, WebContentClass.SITE: 3})
