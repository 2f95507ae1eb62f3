"""The findings an underwriter reads for the Harbor Assurance estate: ids, severities, endpoints, evidence."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from riskscan.controls import ControlEvaluation, evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.model import (
    AdminExposure,
    AdminExposureKind,
    AuthKind,
    AuthPosture,
    ClientTransport,
    CorsPolicy,
    DataClass,
    Endpoint,
    Evidence,
    FieldLocation,
    IdGuessability,
    Parameter,
    ParameterLocation,
    RateLimitKeying,
    RateLimitPolicy,
    RateLimitPosture,
    SensitiveField,
    ServingRoute,
    SightingSource,
    TlsSetting,
    TrafficStats,
    Upstream,
)
from riskscan.model import ControlStatus, Finding, Grade, Inventory, Severity
from riskscan.sources.gateways.tls_ciphers import cipher_setting


@pytest.fixture
def evaluation(insurer: Inventory) -> ControlEvaluation:
    return evaluate_controls(insurer)


def more_causes(endpoint: Callable[..., Endpoint]) -> list[Endpoint]:
    """Causes the Harbor Assurance estate lacks: a key-protected admin function, a write under read scopes,
    card data taken anonymously into an open body, secrets and bank details behind a key, an email in a URL."""
    key_plugin = Evidence(path="gateway/apisix.yaml", line=184, pointer="/routes/admin/plugins/key-auth")
    fragile = Upstream(hosts=("portal.partner-cloud.example",), nodes=1,
                       evidence=Evidence(path="gateway/apisix.yaml", line=190, pointer="/upstreams/4"))
    key = AuthPosture(effective=AuthKind.API_KEY, enforced_by="gateway:admin", evidence=(key_plugin,))
    return [
        endpoint("GET", "/admin/reports", route_id="admin", line=180, auth=key),
        endpoint("PATCH", "/v2/claims/{claimId}", auth=AuthPosture(
            effective=AuthKind.OIDC, enforced_by="gateway:claims-prod", scopes=("claims:read",))),
        endpoint("POST", "/v2/payments", auth=AuthPosture(effective=AuthKind.NONE, allows_anonymous=True),
                 data_classes=(DataClass.PCI,), sensitive_fields=(field("cardNumber", DataClass.PCI),),
                 open_body=Evidence(path="specs/payments.yaml", line=30, note="additionalProperties: true")),
        endpoint("GET", "/v2/partners/{partnerId}/bank", auth=key,
                 data_classes=(DataClass.CREDENTIALS, DataClass.FINANCIAL),
                 sensitive_fields=(field("apiSecret", DataClass.CREDENTIALS, FieldLocation.RESPONSE),
                                   field("iban", DataClass.FINANCIAL, FieldLocation.RESPONSE))),
        endpoint("POST", "/v2/customers/lookup", data_classes=(DataClass.PII,),
                 sensitive_fields=(field("email", DataClass.PII, FieldLocation.URL),),
                 open_body=Evidence(path="specs/payments.yaml", line=60, note="additionalProperties not set")),
        # an app that sends its key in the URL, and a broker app still on the password flow
        endpoint("GET", "/v2/quotes/{quoteId}", auth=key.model_copy(update={"locations": ("query:api_key",)})),
        endpoint("GET", "/v2/brokers", auth=AuthPosture(effective=AuthKind.OAUTH2, enforced_by="gateway:brokers",
                                                        flows=("password",))),
        # a write nobody validates, and one with an unbounded field
        endpoint("POST", "/v2/imports", has_schemas=False, request_fields=0),
        endpoint("POST", "/v2/notes", request_fields=2, loose_request_fields=(
            Evidence(path="specs/claims-api.yaml", line=70, note="request field text: no bound"),)),
        # a token endpoint under attack (one client, then many) and a login nobody throttles
        endpoint("POST", "/oauth/token", traffic=TrafficStats(requests=900, clients=40, status_classes={"2xx": 300,
                 "4xx": 600}, unauthorized=600, max_failed_auth_per_client=350, query_keys={"client_secret": 12})),
        endpoint("POST", "/v2/login", rate_limit=RateLimitPosture(enforced=False),
                 traffic=TrafficStats(requests=400, clients=200, status_classes={"4xx": 300, "2xx": 100},
                                      unauthorized=300, max_failed_auth_per_client=3)),
        # a partner portal: a lone plain-HTTP node at a third party, no timeouts, permissive CORS, failing
        endpoint("GET", "/v2/portal/session", upstreams=(fragile,), cors=(cors(credentials=True),),
                 traffic=TrafficStats(requests=400, clients=9, status_classes={"2xx": 300, "5xx": 100},
                                      verbose_errors={"stack_trace": 3}, verbose_error_responses=3)),
        endpoint("GET", "/v2/portal/news", cors=(cors(credentials=False),),
                 upstreams=(fragile.model_copy(update={"hosts": ("news-1.internal", "news-2.internal"), "nodes": 2,
                                                       "scheme": "https", "has_timeouts": True}),)),
        # quotes limited by one shared counter no client reached, a partner above its limit with no
        # 429, a per-address limit on an authenticated route, list endpoints with unbounded or no paging
        *rate_limit_causes(endpoint),
        # payment records under counted ids behind an API key, and documents under UUIDs behind one
        endpoint("GET", "/v2/payments/{paymentId}", auth=key, data_classes=(DataClass.PCI,),
                 id_guessability=IdGuessability.SEQUENTIAL, id_guessability_reason="paymentId is declared integer"),
        endpoint("GET", "/v2/documents/{documentId}", auth=key, id_guessability=IdGuessability.UNGUESSABLE,
                 id_guessability_reason="documentId is declared a UUID"),
        *environment_causes(endpoint),
        # a route served over plain HTTP, and an endpoint whose spec lists an http:// server
        endpoint("GET", "/v2/legacy/status", client_transport=(ClientTransport(
            is_plain=True, evidence=Evidence(path="gateway/kong.yaml", line=12, pointer="/routes/3")),)),
        # an APISIX route no redirect covers, given without config.yaml: APISIX's default plain listener
        endpoint("GET", "/v2/legacy/receipts", client_transport=(ClientTransport(
            is_plain=True, is_default=True, evidence=Evidence(path="gateway/apisix.yaml", line=40,
                                                              pointer="/routes/5")),)),
        endpoint("GET", "/v2/statements", sources=(SightingSource.SPEC, SightingSource.TRAFFIC), upstreams=(),
                 declared_transport=(ClientTransport(is_plain=True, evidence=Evidence(
                     path="specs/statements.yaml", line=5, pointer="/servers/0")),)),
    ]


def rate_limit_causes(endpoint: Callable[..., Endpoint]) -> list[Endpoint]:
    where = Evidence(path="gateway/apisix.yaml", line=210, pointer="/routes/quotes/plugins/limit-count")
    shared = RateLimitPolicy(plugin="limit-count", key="constant (one counter shared by all callers)",
                             limit=1e9, window_seconds=60, rejected_code=429, evidence=where)
    per_ip = shared.model_copy(update={"key": "remote_addr", "limit": 100.0})
    busy = TrafficStats(requests=900, clients=3, status_classes={"2xx": 900}, peak_requests_per_minute=450,
                        peak_rate_client=7, peak_rate_minute=datetime(2026, 11, 9, 8, 14, tzinfo=UTC))
    size = Parameter(name="page_size", location=ParameterLocation.QUERY, schema_type="integer")
    return [
        endpoint("GET", "/v2/quotes", rate_limit=RateLimitPosture(
            enforced=True, by=("limit-count by constant (1e+09/60s)",), evidence=(where,), policies=(shared,),
            keying=RateLimitKeying.SHARED), parameters=(size,), returns_collection=True),
        endpoint("GET", "/v2/renewals", rate_limit=RateLimitPosture(
            enforced=True, by=("limit-count by remote_addr (100/60s)",), evidence=(where,), policies=(per_ip,),
            keying=RateLimitKeying.ADDRESS), traffic=busy, returns_collection=True),
    ]


def environment_causes(endpoint: Callable[..., Endpoint]) -> list[Endpoint]:
    """A route answering for sandbox and production hosts, a sandbox path sent to the production
    backend, a spec mixing servers on an unrouted endpoint, and a v1 routed beside a v3 nobody calls."""
    def route(route_id: str, hosts: tuple[str, ...], upstream: str) -> ServingRoute:
        return ServingRoute(route_id=route_id, hosts=hosts, upstream=upstream,
                            evidence=Evidence(path="gateway/apisix.yaml", line=400, pointer=f"/routes/{route_id}"))
    return [
        endpoint("GET", "/v2/vehicles", serving_routes=(
            route("vehicles", ("api.harbor.example", "uat.harbor.example"), "vehicles:8443"),)),
        endpoint("GET", "/v2/fleet", serving_routes=(route("fleet", ("api.harbor.example",), "fleet:8443"),)),
        endpoint("GET", "/sandbox/v2/fleet",
                 serving_routes=(route("fleet-sbx", ("api.harbor.example",), "fleet:8443"),)),
        endpoint("GET", "/v2/renewals", sources=(SightingSource.SPEC, SightingSource.TRAFFIC),
                 spec_hosts=("api.harbor.example", "staging.harbor.example")),
        endpoint("GET", "/v1/pets", traffic=None),
        endpoint("GET", "/v3/pets", traffic=None),
    ]


def cors(credentials: bool) -> CorsPolicy:
    return CorsPolicy(allows_any_origin=True, allows_credentials=credentials,
                      evidence=Evidence(path="gateway/apisix.yaml", line=200, pointer="/routes/9/plugins/cors"))


def field(name: str, data_class: DataClass, location: FieldLocation = FieldLocation.REQUEST) -> SensitiveField:
    return SensitiveField(name=name, data_class=data_class, location=location,
                          evidence=Evidence(path="specs/payments.yaml", line=12, pointer=f"/components/{name}"))


def findings_by_id(evaluation: ControlEvaluation) -> dict[str, Finding]:
    return {finding.id: finding for finding in evaluation.findings}


def test_the_unauthenticated_shadow_export_is_the_first_auth_finding(evaluation: ControlEvaluation) -> None:
    finding = findings_by_id(evaluation)["AUTH-001"]
    assert finding.severity is Severity.HIGH
    assert finding.endpoints == ("GET /internal/export",)
    assert finding.owasp == "API2:2023"
    assert finding.title.startswith("No authentication on 1 endpoint ")
    assert "naming sensitive data: 1" in finding.detail
    assert [item.path for item in finding.evidence] == ["gateway/apisix.yaml"]
    assert finding.remediation and "openid-connect" in finding.remediation


def test_auth_findings_are_numbered_by_severity_then_endpoint(evaluation: ControlEvaluation) -> None:
    auth = [(f.id, f.severity, f.endpoints) for f in evaluation.findings if f.control == "auth"]
    assert sorted(auth) == [
        ("AUTH-001", Severity.HIGH, ("GET /internal/export",)),
        ("AUTH-002", Severity.MEDIUM, ("GET /health",)),
        ("AUTH-003", Severity.MEDIUM, ("GET /v1/legacy/claims/{claimId}",)),  # declared in the spec only
        ("AUTH-004", Severity.MEDIUM, ("GET /v1/policies/{policyId}",)),  # a static API key on policies
    ]


def test_the_zombie_v1_policies_endpoint(evaluation: ControlEvaluation) -> None:
    zombie = next(f for f in evaluation.findings if f.control == "inventory_hygiene" and "Deprecated" in f.title)
    assert zombie.severity is Severity.HIGH
    assert zombie.endpoints == ("GET /v1/policies/{policyId}",)
    assert "120 requests" in zombie.detail
    assert {item.path for item in zombie.evidence} == {"gateway/apisix.yaml", "logs/access.log"}
    unthrottled = [f for f in evaluation.findings if f.control == "rate_limit" and f.severity is Severity.MEDIUM]
    assert [f.endpoints for f in unthrottled] == [("GET /v1/policies/{policyId}",)]


def test_inventory_hygiene_lists_shadow_zombie_and_orphan(evaluation: ControlEvaluation) -> None:
    inventory = {f.id: (f.severity, f.endpoints) for f in evaluation.findings if f.control == "inventory_hygiene"}
    assert inventory == {
        "INV-001": (Severity.HIGH, ("GET /internal/export",)),  # shadow and unauthenticated
        "INV-002": (Severity.HIGH, ("GET /v1/policies/{policyId}",)),  # zombie
        "INV-003": (Severity.MEDIUM, ("GET /v1/partners/{partnerId}/statements",)),  # shadow behind OIDC
        "INV-004": (Severity.MEDIUM, ("GET /v1/policies/{policyId}",)),  # v1 still called beside v2
        "INV-005": (Severity.LOW, ("DELETE /v2/quotes/{quoteId}",)),  # orphan
    }
    control = next(c for c in evaluation.controls if c.id == "inventory_hygiene")
    assert control.summary == (
        "6 of 10 endpoints are documented and current; 2 are shadow, 1 zombie and 1 orphan. "
        "2% of the 9,027 requests in the traffic given went to shadow or zombie endpoints."  # 215 of them
        " 1 API has several live versions (/v#/policies: v1 (1 endpoint, 12% of its requests), v2 (1"
        " endpoint, 88% of its requests)). No input names a sandbox, test or staging environment."
    )


def test_id_walking_without_strong_auth_is_one_critical_finding_listing_its_endpoints(
    evaluation: ControlEvaluation,
) -> None:
    walk = findings_by_id(evaluation)["BOLA-001"]
    assert walk.severity is Severity.CRITICAL
    assert walk.owasp == "API1:2023"
    assert walk.endpoints == ("GET /v2/customers/{id}/documents",)
    assert "GET /v2/customers/{id}/documents: one client called 180 distinct objects" in walk.detail
    assert "2400 requests from 40 clients" in walk.detail
    log_evidence = [item for item in walk.evidence if item.path == "logs/access.log"]
    assert log_evidence and log_evidence[0].count == 2400 and log_evidence[0].sample_lines


def test_object_ids_without_strong_auth_are_grouped(evaluation: ControlEvaluation) -> None:
    grouped = findings_by_id(evaluation)["BOLA-002"]
    assert grouped.severity is Severity.HIGH
    assert grouped.endpoints == ("GET /v1/policies/{policyId}", "GET /v2/customers/{id}/documents")
    assert "static API keys or opaque bearer tokens" in grouped.detail


def test_authenticated_id_walking_is_medium_and_strong_auth_is_a_limitation(evaluation: ControlEvaluation) -> None:
    walk = findings_by_id(evaluation)["BOLA-003"]
    assert (walk.severity, walk.endpoints) == (Severity.MEDIUM, ("GET /v2/policies/{policyId}",))
    bola = next(c for c in evaluation.controls if c.id == "object_authorization")
    assert not any("/v2/claims/{claimId}" in key for f in evaluation.findings for key in f.endpoints)
    assert any("do not show whether the backend checks" in text for text in bola.limitations)
    assert any(text.startswith("4 endpoints with object ids use strong authentication") for text in bola.limitations)
    assert bola.status is ControlStatus.FAIL  # a critical finding caps the control's score


def test_monitoring_flags_unlogged_unmetered_and_uncorrelated_routes(evaluation: ControlEvaluation) -> None:
    logs = {f.id: (f.severity, f.endpoints) for f in evaluation.findings if f.control == "monitoring"}
    assert logs == {
        # the export route only has prometheus: metrics are not a request log
        "LOG-001": (Severity.MEDIUM, ("GET /internal/export", "GET /v1/policies/{policyId}")),
        "LOG-002": (Severity.MEDIUM, ("GET /v1/policies/{policyId}",)),
        "LOG-003": (Severity.LOW, ("GET /internal/export", "GET /v1/policies/{policyId}")),
    }


def test_orphans_are_judged_only_by_inventory_hygiene(evaluation: ControlEvaluation) -> None:
    for finding in evaluation.findings:
        if "DELETE /v2/quotes/{quoteId}" in finding.endpoints:
            assert finding.control == "inventory_hygiene"
    auth = next(c for c in evaluation.controls if c.id == "auth")
    assert "of 9 reachable endpoints" in auth.summary


def test_every_finding_names_a_catalogue_control_and_cites_evidence(evaluation: ControlEvaluation) -> None:
    catalogue = default_catalogue()
    controls = {control.id: control for control in catalogue.controls}
    assert len({f.id for f in evaluation.findings}) == len(evaluation.findings)
    for finding in evaluation.findings:
        assert finding.control in controls
        prefix = controls[finding.control].finding_prefix
        assert finding.id.startswith(f"{prefix}-") and finding.id[-3:].isdigit()
        assert finding.evidence, finding.id
        assert finding.endpoints, finding.id
        assert finding.remediation
    severities = [finding.severity.rank for finding in evaluation.findings]
    assert severities == sorted(severities, reverse=True)


def test_every_finding_code_in_the_catalogue_fires_on_the_estate(
    insurer: Inventory, endpoint: Callable[..., Endpoint]
) -> None:
    """The estate, with the additions of `more_causes`, exercises every template, so a broken placeholder
    shows up here."""
    secret = Evidence(path="gateway/apisix.yaml", line=300, pointer="/consumers/0/plugins/key-auth/key")
    evaluation = evaluate_controls(insurer.model_copy(update={
        "endpoints": (*insurer.endpoints, *more_causes(endpoint)), "clear_secrets": (secret,),
        "tls_settings": (TlsSetting(protocols=("TLSv1.1",), allows_legacy=True, evidence=secret),
                         TlsSetting(protocols=("TLSv1.2", "TLSv1.3"), allows_legacy=False, evidence=secret,
                                    is_default=True, depends_on_version="nginx before 1.23.4 ...")),
        "admin_checked": ("gateway/config.yaml",),
        "admin_exposures": tuple(AdminExposure(gateway="apisix", kind=kind, evidence=secret)
                                 for kind in AdminExposureKind),
        # Broken, capped, without forward secrecy, CBC beside TLS 1.1; then static RSA beside ECDHE and
        # HIGH's build-dependent 3DES.
        "cipher_settings": (cipher_setting(["RC4-SHA:AES128-SHA"], secret, maximum="VersionTLS11"),
                            cipher_setting(["ECDHE+AESGCM:AES128-GCM-SHA256:HIGH:!aNULL"], secret))}))
    titles = {f.title for f in evaluation.findings}
    expected = sum(len(control.findings) for control in default_catalogue().controls)
    assert len(titles) == len(evaluation.findings) == expected


def test_controls_carry_summaries_with_figures_and_capped_evidence(evaluation: ControlEvaluation) -> None:
    assert [c.id for c in evaluation.controls] == [c.id for c in default_catalogue().controls]
    for control in evaluation.controls:
        assert control.status is not ControlStatus.UNKNOWN
        assert control.score is not None and 0 <= control.score <= 100
        assert any(ch.isdigit() for ch in control.summary)
        assert 0 < len(control.evidence) <= 20
        assert control.owasp
    rate = next(c for c in evaluation.controls if c.id == "rate_limit")
    assert rate.summary == "6 of 9 routed endpoints are rate limited; 3 are not, 2 of them open to anonymous callers."


def test_the_same_estate_in_any_order_gets_the_same_findings(insurer: Inventory) -> None:
    endpoints = list(insurer.endpoints)
    random.Random(7).shuffle(endpoints)
    shuffled = insurer.model_copy(update={"endpoints": tuple(endpoints)})
    assert evaluate_controls(shuffled) == evaluate_controls(insurer)


def test_the_estate_scores_a_weighted_mean_and_is_capped_by_its_critical_findings(
    evaluation: ControlEvaluation,
) -> None:
    known = [(c.score, c.weight) for c in evaluation.controls if c.score is not None]
    mean = sum(score * weight for score, weight in known) / sum(weight for _, weight in known)
    assert evaluation.score == round(mean)
    assert evaluation.grade in (Grade.C, Grade.D)  # an anonymous internal export and id walking: C at best


def test_every_finding_is_one_cause_with_severity_owasp_remediation_and_evidence(
    evaluation: ControlEvaluation,
) -> None:
    for finding in evaluation.findings:
        assert finding.owasp and finding.remediation and finding.evidence, finding.id
    causes = [(f.control, f.severity, f.title.split(" on ")[0]) for f in evaluation.findings]
    assert len(causes) == len(set(causes))


def test_two_walked_endpoints_are_one_finding_listing_both(insurer: Inventory) -> None:
    statements = next(e for e in insurer.endpoints if e.path == "/v1/partners/{partnerId}/statements")
    walked_key = statements.model_copy(update={"auth": next(
        e.auth for e in insurer.endpoints if e.path == "/v2/customers/{id}/documents"
    ), "traffic": statements.traffic.model_copy(update={"max_paths_per_client": 90, "distinct_paths": 100})})
    endpoints = tuple(walked_key if e is statements else e for e in insurer.endpoints)
    evaluation = evaluate_controls(insurer.model_copy(update={"endpoints": endpoints}))
    walks = [f for f in evaluation.findings if f.title.startswith("Id walking") and f.severity is Severity.CRITICAL]
    assert len(walks) == 1
    assert walks[0].endpoints == ("GET /v1/partners/{partnerId}/statements", "GET /v2/customers/{id}/documents")
    assert "GET /v1/partners/{partnerId}/statements: one client called 90 distinct objects" in walks[0].detail
    assert "GET /v2/customers/{id}/documents: one client called 180 distinct objects" in walks[0].detail
