"""Scores, statuses and grades: unknown when inputs cannot show a control, capped by severe findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from riskscan.controls import EVALUATORS, evaluate_controls
from riskscan.controls.basis import grade_caps
from riskscan.controls.catalogue import default_catalogue
from riskscan.controls.evidence import gateway_strength
from riskscan.controls.outcome import FindingDraft, known_outcome, short_of_core
from riskscan.controls.scoring import capped_grade, control_result
from riskscan.model import (
    AuthKind,
    AuthPosture,
    ControlResult,
    ControlStatus,
    Endpoint,
    Evidence,
    EvidenceStrength,
    Finding,
    Grade,
    Inventory,
    Lifecycle,
    RateLimitPosture,
    Severity,
    SightingSource,
    TrafficStats,
)

EndpointFactory = Callable[..., Endpoint]
TrafficFactory = Callable[[int, int, int, int], TrafficStats]


def clean_estate(endpoint: EndpointFactory, count: int = 30) -> list[Endpoint]:
    """Well-run claims endpoints: OIDC at the gateway, rate limited, logged, documented."""
    return [endpoint("GET", f"/v2/claims/{{claimId}}/item{n}") for n in range(count)]


def weighted_score(controls: Sequence[ControlResult], unknown_as: int = 0) -> int:
    """The weighted mean of the control scores, unknown controls counting as `unknown_as`."""
    total = sum(c.weight for c in controls)
    return round(sum((unknown_as if c.score is None else c.score) * c.weight for c in controls) / total)


def inventory_of(endpoints: list[Endpoint], **inputs: bool) -> Inventory:
    flags = {"has_specs": True, "has_gateway": True, "has_traffic": True, **inputs}
    checked = ("gateway/apisix.yaml",) if flags["has_gateway"] else ()
    return Inventory(endpoints=tuple(endpoints), secrets_checked=checked, **flags)


def statuses(inventory: Inventory) -> dict[str, ControlStatus]:
    return {control.id: control.status for control in evaluate_controls(inventory).controls}


def test_a_clean_estate_passes_every_control_with_grade_a(endpoint: EndpointFactory) -> None:
    evaluation = evaluate_controls(inventory_of(clean_estate(endpoint)))
    assert evaluation.findings == ()
    assert {(c.id, c.score, c.status) for c in evaluation.controls} == {
        (control_id, 100, ControlStatus.PASS) for control_id in EVALUATORS
    }
    assert (evaluation.score, evaluation.grade) == (100, Grade.A)


def test_one_high_finding_caps_the_grade_at_b(endpoint: EndpointFactory) -> None:
    payments = endpoint("POST", "/v2/payments", auth=AuthPosture(effective=AuthKind.NONE, allows_anonymous=True))
    evaluation = evaluate_controls(inventory_of([*clean_estate(endpoint), payments]))
    assert [(f.id, f.severity, f.endpoints) for f in evaluation.findings] == [
        ("AUTH-001", Severity.HIGH, ("POST /v2/payments",)),
    ]
    auth = evaluation.controls[0]
    assert (auth.score, auth.status) == (80, ControlStatus.PARTIAL)  # 30 of 31 pass, but a high finding caps it
    assert evaluation.score >= 90
    assert evaluation.grade is Grade.B


def test_a_critical_finding_caps_the_grade_at_c(endpoint: EndpointFactory, make_traffic: TrafficFactory) -> None:
    walked = endpoint(
        "GET", "/v2/customers/{customerId}", auth=AuthPosture(effective=AuthKind.BEARER, enforced_by="gateway:crm"),
        traffic=make_traffic(3000, 20, 400, 1),
    )
    evaluation = evaluate_controls(inventory_of([*clean_estate(endpoint), walked]))
    assert evaluation.findings[0].id == "BOLA-001"
    assert evaluation.findings[0].severity is Severity.CRITICAL
    assert evaluation.score >= 80
    assert evaluation.grade is Grade.C


def test_specs_alone_leave_gateway_and_inventory_controls_unknown(endpoint: EndpointFactory) -> None:
    spec_only = [
        endpoint(
            "GET", "/v2/claims/{claimId}", sources=(SightingSource.SPEC,), route_ids=(),
            auth=AuthPosture(effective=AuthKind.OIDC, declared=(AuthKind.OIDC,), enforced_by="spec (declared, not verified)"),
            rate_limit=RateLimitPosture(enforced=None), loggers=(), is_logged=None,
        )
    ]
    evaluation = evaluate_controls(inventory_of(spec_only, has_gateway=False, has_traffic=False))
    results = {control.id: control for control in evaluation.controls}
    for control_id in ("rate_limit", "monitoring", "inventory_hygiene"):
        assert results[control_id].status is ControlStatus.UNKNOWN
        assert results[control_id].score is None
        assert results[control_id].limitations
        assert "cannot be judged" in results[control_id].summary
    assert "No gateway routing config was given" in results["rate_limit"].summary
    assert results["auth"].status is ControlStatus.PASS
    assert any("only the backend can enforce" in text for text in results["auth"].limitations)
    assert any("id walking cannot be detected" in text for text in results["object_authorization"].limitations)
    # No spec-only finding without a gateway: the lack of enforcement is a limitation, not a finding.
    assert evaluation.findings == ()
    # The three controls the inputs cannot show count as 0 at their full weight.
    assert evaluation.score == weighted_score(evaluation.controls)
    assert evaluation.score < weighted_score(evaluation.controls, unknown_as=100)


def traffic_walk(busiest: int, distinct: int) -> TrafficStats:
    """A week on a claim look-up: 22 clients, the busiest reaching `busiest` of `distinct` claims."""
    return TrafficStats(
        requests=distinct * 2, clients=22, status_classes={"2xx": distinct * 2},
        distinct_paths=distinct, max_paths_per_client=busiest,
    )


def test_traffic_alone_cannot_show_authentication(endpoint: EndpointFactory) -> None:
    seen = endpoint(
        "GET", "/v2/orders/{id}", sources=(SightingSource.TRAFFIC,), route_ids=(), lifecycle=Lifecycle.SHADOW,
        auth=AuthPosture(effective=AuthKind.NONE, allows_anonymous=True),
        rate_limit=RateLimitPosture(enforced=None), loggers=(), is_logged=None,
    )
    walked = seen.model_copy(update={"path": "/v2/orders/{id}/items", "traffic": traffic_walk(3000, 3000)})
    evaluation = evaluate_controls(inventory_of([seen, walked], has_specs=False, has_gateway=False))
    found = {control.id: control.status for control in evaluation.controls}
    assert found["auth"] is ControlStatus.UNKNOWN
    assert found["rate_limit"] is ControlStatus.UNKNOWN
    assert found["monitoring"] is ControlStatus.UNKNOWN
    assert found["object_authorization"] is ControlStatus.UNKNOWN
    # Without a spec nothing says what is documented: calling both endpoints shadow would over-claim.
    assert found["inventory_hygiene"] is ControlStatus.UNKNOWN
    inventory = next(control for control in evaluation.controls if control.id == "inventory_hygiene")
    assert any("No API spec was given" in limitation for limitation in inventory.limitations)
    # No finding may call them unauthenticated either: the log does not record credentials.
    assert evaluation.findings == ()


def test_a_partner_checking_its_own_claims_is_not_an_id_walk(endpoint: EndpointFactory) -> None:
    """Repairers with a static key each check their own 60-odd claims: no walk, whatever the count;
    one client reaching 3,000 of the 3,600 claims seen is one."""

    def walk_findings(busiest: int, distinct: int) -> list[tuple[str, Severity]]:
        status = endpoint(
            "GET", "/v2/claim-status/{claimId}", auth=AuthPosture(effective=AuthKind.API_KEY),
            traffic=traffic_walk(busiest, distinct),
        )
        findings = evaluate_controls(inventory_of([status])).findings
        return [(f.id, f.severity) for f in findings if f.title.startswith("Id walking")]

    assert walk_findings(61, 600) == []
    assert walk_findings(3000, 3600) == [("BOLA-001", Severity.CRITICAL)]


def test_when_nothing_can_be_judged_the_score_is_0_and_the_grade_f() -> None:
    evaluation = evaluate_controls(inventory_of([], has_gateway=False, has_traffic=False))
    assert all(control.status is ControlStatus.UNKNOWN for control in evaluation.controls)
    assert (evaluation.score, evaluation.grade) == (0, Grade.F)


def test_endpoints_the_gateway_does_not_route_are_left_out_of_rate_and_log(endpoint: EndpointFactory) -> None:
    bypass = endpoint(
        "GET", "/v2/claims/{claimId}/raw", sources=(SightingSource.TRAFFIC,), route_ids=(),
        rate_limit=RateLimitPosture(enforced=None), loggers=(), is_logged=None,
    )
    evaluation = evaluate_controls(inventory_of([*clean_estate(endpoint, 3), bypass]))
    results = {control.id: control for control in evaluation.controls}
    assert results["rate_limit"].summary.startswith("3 of 3 routed endpoints are rate limited")
    assert any("left out" in text for text in results["rate_limit"].limitations)
    assert any("left out" in text for text in results["monitoring"].limitations)


def test_grade_bands_come_from_the_catalogue() -> None:
    rules = default_catalogue().scoring
    assert [rules.grade_for(score) for score in (100, 90, 89, 80, 79, 70, 60, 59, 0)] == [
        Grade.A, Grade.A, Grade.B, Grade.B, Grade.C, Grade.C, Grade.D, Grade.F, Grade.F,
    ]
    low = Finding(id="INV-001", control="inventory_hygiene", severity=Severity.LOW, title="t", detail="d")
    critical = low.model_copy(update={"severity": Severity.CRITICAL})

    def grade(score: int, findings: list[Finding], strength: EvidenceStrength) -> Grade:
        return capped_grade(rules.grade_for(score), [cap for cap, _ in grade_caps(findings, strength, rules)])

    assert grade(95, [low], EvidenceStrength.ENFORCED) is Grade.A
    assert grade(95, [low], EvidenceStrength.OBSERVED) is Grade.A
    assert grade(95, [critical], EvidenceStrength.ENFORCED) is Grade.C
    assert grade(55, [critical], EvidenceStrength.ENFORCED) is Grade.F
    # Declarations alone never earn an A or a B, and weaker evidence is capped at least as much.
    assert grade(95, [low], EvidenceStrength.DECLARED) is Grade.C
    assert grade(95, [], EvidenceStrength.NOT_OBSERVABLE) is Grade.C


def test_an_estate_wide_finding_takes_fixed_points_off(insurer: Inventory) -> None:
    catalogue = default_catalogue()
    control = catalogue.get("monitoring")
    draft = FindingDraft(
        control="monitoring", code="LOG_NO_METRICS", severity=Severity.MEDIUM, title="No metrics anywhere",
        detail="No route exports metrics.", endpoints=(), evidence=(), owasp=None, remediation=None,
    )
    outcome = known_outcome(control, insurer.endpoints[:2], [draft], strength=gateway_strength,
                            logged=2, metered=0, correlated=2)
    result = control_result(outcome, catalogue.scoring)
    assert result.score == 100 - catalogue.scoring.estate_penalty[Severity.MEDIUM]


def test_without_its_core_input_a_clean_control_is_unknown_and_a_flawed_one_at_best_partial(
    insurer: Inventory,
) -> None:
    """What the inputs could not show is not passed: a control short of its core evidence with nothing
    wrong is unknown (its summary keeps what was seen); with a low finding on one endpoint of many it
    would score 9x, a pass, but stays partial."""
    catalogue = default_catalogue()
    control = catalogue.get("misconfiguration")
    endpoints = list(insurer.endpoints)
    clean = known_outcome(control, endpoints, [], strength=gateway_strength, cors_shown=0, permissive=0,
                          with_traffic=len(endpoints), failing=0, share="5%", verbose="")
    unknown = control_result(short_of_core(clean, "no_cors"), catalogue.scoring)
    assert (unknown.status, unknown.score, unknown.endpoints) == (ControlStatus.UNKNOWN, None, ())
    assert unknown.summary.startswith("Misconfiguration signals cannot be judged from these inputs. No gateway")
    assert f"What the inputs did show: {clean.summary}" in unknown.summary
    assert unknown.limitations[0] == control.limitation("no_cors")
    low = FindingDraft(control=control.id, code="MISC_CORS_ANY_ORIGIN", severity=Severity.LOW, title="t",
                       detail="d", endpoints=(endpoints[0].key,), evidence=(), owasp=None, remediation=None)
    flawed = known_outcome(control, endpoints, [low], strength=gateway_strength, cors_shown=0, permissive=1,
                           with_traffic=len(endpoints), failing=0, share="5%", verbose="")
    assert control_result(flawed, catalogue.scoring).status is ControlStatus.PASS
    capped = control_result(short_of_core(flawed, "no_cors"), catalogue.scoring)
    assert (capped.status, capped.score) == (ControlStatus.PARTIAL, catalogue.scoring.pass_at - 1)


def test_access_logs_alone_pass_no_control_that_rests_on_configuration(endpoint: EndpointFactory) -> None:
    """A quiet log with 429s on some endpoints: rate limiting, stuffing, secrets and misconfiguration
    rest on a gateway config, so none passes; they say the config is missing."""
    throttled = TrafficStats(requests=900, clients=40, status_classes={"2xx": 880, "4xx": 20}, throttled=20)
    quiet = TrafficStats(requests=900, clients=40, status_classes={"2xx": 900})
    logged = [endpoint("GET", f"/v2/claims/{{claimId}}/item{n}", traffic=throttled if n % 2 else quiet,
                       route_ids=(), sources=(SightingSource.TRAFFIC,), rate_limit=RateLimitPosture(enforced=None),
                       cors=None)
              for n in range(6)]
    logged.append(endpoint("POST", "/v1/auth/login", traffic=quiet, route_ids=(), sources=(SightingSource.TRAFFIC,),
                           rate_limit=RateLimitPosture(enforced=None), cors=None))
    results = {c.id: c for c in evaluate_controls(inventory_of(logged, has_specs=False, has_gateway=False)).controls}
    for control in ("rate_limit", "credential_stuffing", "secrets_hygiene", "misconfiguration"):
        assert results[control].status is ControlStatus.UNKNOWN, control
        assert "What the inputs did show:" in results[control].summary, control
    assert "What the inputs did show: No gateway config given routes any endpoint. Beyond the gateway: 3 " \
        "endpoints not shown by a gateway answered 429 in traffic." in results["rate_limit"].summary


def test_credentials_in_clear_fail_secrets_hygiene_on_their_own(endpoint: EndpointFactory) -> None:
    """A high estate-wide finding is a whole failure, as on an endpoint: two credentials written in
    clear in the only gateway config checked fail the control (it scored 70, partial, before)."""
    config = "gateway/apisix.yaml"
    places = (Evidence(path=config, line=31, pointer="/routes/0/plugins/openid-connect/client_secret"),
              Evidence(path=config, line=212, pointer="/consumers/0/plugins/key-auth/key"))
    inventory = Inventory(endpoints=(endpoint("GET", "/v2/claims/{claimId}"),), has_specs=True,
                          has_gateway=True, has_traffic=False, secrets_checked=(config,), clear_secrets=places)
    result = next(c for c in evaluate_controls(inventory).controls if c.id == "secrets_hygiene")
    assert (result.status, result.score) == (ControlStatus.FAIL, 40)
    rules = default_catalogue().scoring
    assert all(100 - rules.estate_penalty[severity] < rules.fail_below
               for severity in (Severity.HIGH, Severity.CRITICAL))


def test_a_route_accepting_any_method_counts_as_accepting_writes(endpoint: EndpointFactory) -> None:
    status = endpoint("*", "/status", auth=AuthPosture(effective=AuthKind.NONE, allows_anonymous=True))
    evaluation = evaluate_controls(inventory_of([*clean_estate(endpoint, 3), status]))
    finding = evaluation.findings[0]
    assert (finding.id, finding.severity, finding.endpoints) == ("AUTH-001", Severity.HIGH, ("* /status",))
    assert "accepting methods other than GET: 1" in finding.detail


def test_id_walking_starts_at_the_catalogue_threshold(endpoint: EndpointFactory, make_traffic: TrafficFactory) -> None:
    def walked_by(objects: int) -> list[str]:
        documents = endpoint(
            "GET", "/v2/customers/{customerId}/documents", auth=AuthPosture(effective=AuthKind.API_KEY),
            traffic=make_traffic(500, 3, objects, 1),
        )
        findings = evaluate_controls(inventory_of([documents])).findings
        return [f.id for f in findings if f.severity is Severity.CRITICAL]

    assert walked_by(49) == []
    assert walked_by(50) == ["BOLA-001"]


def test_an_aggregating_partner_behind_oidc_is_not_id_walking(
    endpoint: EndpointFactory, make_traffic: TrafficFactory
) -> None:
    """A broker platform reading 400 of 3,000 policies with its own OIDC token is normal business."""
    busy = make_traffic(3800, 180, 400, 1).model_copy(update={"distinct_paths": 3000})
    policies = endpoint("GET", "/v2/policies/{policyId}", traffic=busy)
    assert evaluate_controls(inventory_of([policies])).findings == ()
    sweep = busy.model_copy(update={"max_paths_per_client": 2000})
    findings = evaluate_controls(inventory_of([endpoint("GET", "/v2/policies/{policyId}", traffic=sweep)])).findings
    assert [(f.id, f.severity) for f in findings] == [("BOLA-001", Severity.MEDIUM)]
    assert "GET /v2/policies/{policyId}: one client called 2000 distinct objects, 67% of the 3000 seen" in (
        findings[0].detail
    )


def test_each_endpoint_carries_its_own_verdict_with_the_findings_naming_it(endpoint: EndpointFactory) -> None:
    status = endpoint("*", "/status", auth=AuthPosture(effective=AuthKind.NONE, allows_anonymous=True))
    evaluation = evaluate_controls(inventory_of([*clean_estate(endpoint, 3), status]))
    auth = next(control for control in evaluation.controls if control.id == "auth")
    verdicts = {result.key: (result.status, result.findings) for result in auth.endpoints}
    assert verdicts["* /status"] == (ControlStatus.FAIL, ("AUTH-001",))
    assert verdicts["GET /v2/claims/{claimId}/item0"] == (ControlStatus.PASS, ())
    assert len(verdicts) == 4
    assert {result.evidence_strength for result in auth.endpoints} == {EvidenceStrength.ENFORCED}


def test_a_medium_finding_leaves_its_endpoint_partial_and_an_unknown_control_lists_none(
    endpoint: EndpointFactory,
) -> None:
    catalogue = default_catalogue()
    control = catalogue.get("monitoring")
    endpoints = clean_estate(endpoint, 2)
    draft = FindingDraft(
        control="monitoring", code="LOG_NO_METRICS", severity=Severity.MEDIUM, title="No metrics",
        detail="No metrics.", endpoints=(endpoints[0].key,), evidence=(), owasp=None, remediation=None,
    )
    outcome = known_outcome(control, endpoints, [draft], strength=gateway_strength, logged=2, metered=1,
                            correlated=2)
    finding = draft.to_finding("LOG-001", 5)
    result = control_result(outcome, catalogue.scoring, [finding])
    assert [(r.key, r.status, r.findings) for r in result.endpoints] == [
        (endpoints[0].key, ControlStatus.PARTIAL, ("LOG-001",)),
        (endpoints[1].key, ControlStatus.PASS, ()),
    ]
    unknown = evaluate_controls(inventory_of(endpoints, has_gateway=False, has_traffic=False))
    unknown_controls = [c for c in unknown.controls if c.status is ControlStatus.UNKNOWN]
    assert unknown_controls and all(c.endpoints == () for c in unknown_controls)
