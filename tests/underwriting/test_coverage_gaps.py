"""Coverage gaps: each rule opens its gap when its cause is present, and stays silent when it is absent;
missing evidence is "cannot be ruled out", never silence; accepted findings still open gaps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from riskscan.errors import UsageError
from riskscan.model import (
    Assessment,
    ControlStatus,
    CoverageGap,
    DataClass,
    EndpointControlResult,
    EvidenceStrength,
    GapState,
    Lifecycle,
    Severity,
    SightingSource,
    TrafficStats,
)
from riskscan.underwriting.coverage import MAX_GAP_EVIDENCE, find_coverage_gaps
from riskscan.underwriting.coverage_rules import default_coverage_rules, load_coverage_rules

from .conftest import accepted, clean_assessment, control, endpoint, finding, walk_traffic

SHADOW = endpoint("GET", "/internal/export/{file}", lifecycle=Lifecycle.SHADOW,
                  sources=(SightingSource.GATEWAY,), lifecycle_reason="routed by export, in no spec")
ZOMBIE = endpoint("GET", "/v1/claims/{claimId}", lifecycle=Lifecycle.ZOMBIE, deprecated=True,
                  superseded_by="GET /v2/claims/{claimId}", lifecycle_reason="deprecated, still routed")
CUSTOMERS = "GET /v2/customers/{customerId}"
CLAIMS = "GET /v2/claims/{claimId}"


def _gaps(assessment: Assessment) -> dict[str, GapState]:
    return {gap.rule: gap.state for gap in find_coverage_gaps(assessment)}


def _gap(assessment: Assessment, rule: str) -> CoverageGap:
    return next(gap for gap in find_coverage_gaps(assessment) if gap.rule == rule)


CAUSES: dict[str, Callable[[], Assessment]] = {
    "shadow_apis": lambda: clean_assessment(endpoints=(SHADOW,)),
    "access_control": lambda: clean_assessment(
        findings=(finding("BOLA-001", "object_authorization", Severity.HIGH, CLAIMS),)),
    "third_party_dependency": lambda: clean_assessment(
        findings=(finding("UPSTR-001", "third_party", Severity.MEDIUM, CLAIMS),)),
    "slow_exposure": lambda: clean_assessment(
        findings=(finding("LOG-001", "monitoring", Severity.MEDIUM, CLAIMS),)),
    "api_denial_of_service": lambda: clean_assessment(
        findings=(finding("RATE-001", "rate_limit", Severity.MEDIUM, CLAIMS),)),
    "unsupported_versions": lambda: clean_assessment(endpoints=(ZOMBIE,)),
    "regulatory_fines": lambda: clean_assessment(
        findings=(finding("AUTH-001", "auth", Severity.MEDIUM, CUSTOMERS),)),
}


# Causes that come close without being the rule's own: each must leave that rule's gap closed.
NEAR_MISSES: dict[str, Callable[[], Assessment]] = {
    "shadow_apis": lambda: clean_assessment(endpoints=(ZOMBIE,)),
    "access_control": lambda: clean_assessment(findings=(finding("AUTH-001", "auth", Severity.LOW, CLAIMS),)),
    "third_party_dependency": lambda: clean_assessment(
        findings=(finding("AVAIL-001", "availability", Severity.MEDIUM, CLAIMS),)),
    "slow_exposure": lambda: clean_assessment(findings=(finding("LOG-001", "monitoring", Severity.LOW, CLAIMS),)),
    "api_denial_of_service": lambda: clean_assessment(
        findings=(finding("AVAIL-001", "availability", Severity.LOW, CLAIMS),)),
    "unsupported_versions": lambda: clean_assessment(endpoints=(SHADOW,)),
    "regulatory_fines": lambda: clean_assessment(findings=(finding("AUTH-001", "auth", Severity.HIGH, CLAIMS),)),
}


def test_every_shipped_rule_has_a_cause_and_a_near_miss_here() -> None:
    assert {rule.id for rule in default_coverage_rules().rules} == set(CAUSES) == set(NEAR_MISSES)


@pytest.mark.parametrize("rule", sorted(NEAR_MISSES))
def test_each_rule_stays_closed_when_its_cause_is_absent(rule: str) -> None:
    assert rule not in _gaps(NEAR_MISSES[rule]())


def test_a_clean_estate_has_no_gap() -> None:
    assert find_coverage_gaps(clean_assessment()) == ()


@pytest.mark.parametrize("rule", sorted(CAUSES))
def test_each_rule_opens_its_gap_when_its_cause_is_present(rule: str) -> None:
    assert _gaps(CAUSES[rule]()).get(rule) is GapState.OPEN


def test_the_access_control_gap_names_its_endpoints_findings_severity_and_evidence() -> None:
    bola = finding("BOLA-001", "object_authorization", Severity.CRITICAL, CLAIMS)
    auth = finding("AUTH-002", "auth", Severity.MEDIUM, CUSTOMERS)
    low = finding("AUTH-003", "auth", Severity.LOW, "GET /v2/other")  # below the rule's medium floor
    gap = _gap(clean_assessment(findings=(bola, auth, low)), "access_control")
    assert gap.findings == ("AUTH-002", "BOLA-001")
    assert set(gap.endpoints) == {CLAIMS, CUSTOMERS}
    assert gap.severity is Severity.CRITICAL
    assert set(gap.evidence) == {*bola.evidence, *auth.evidence}
    assert "access control" in gap.policy_wording and gap.endorsement


def test_a_failing_control_opens_the_gap_even_without_a_finding_naming_endpoints() -> None:
    verdict = EndpointControlResult(key=CLAIMS, status=ControlStatus.FAIL,
                                    evidence_strength=EvidenceStrength.ENFORCED)
    failing = control("function_authorization", ControlStatus.FAIL, 30, endpoints=(verdict,))
    gap = _gap(clean_assessment(controls=(failing,)), "access_control")
    assert gap.endpoints == (CLAIMS,)
    assert any("function_authorization is fail (score 30)" in reason for reason in gap.reasons)


def test_findings_below_the_rule_floor_or_of_other_controls_open_nothing() -> None:
    quiet = clean_assessment(findings=(finding("AUTH-001", "auth", Severity.LOW, CLAIMS),
                                       finding("VALID-001", "input_validation", Severity.HIGH, CLAIMS)))
    assert "access_control" not in _gaps(quiet)


def test_third_party_gap_needs_a_third_party_finding() -> None:
    assert "third_party_dependency" not in _gaps(CAUSES["api_denial_of_service"]())


def test_sensitive_data_on_a_weak_endpoint_opens_slow_exposure_and_fines_but_not_on_a_strong_one() -> None:
    weak_on_pii = _gaps(CAUSES["regulatory_fines"]())
    assert weak_on_pii["slow_exposure"] is GapState.OPEN
    weak_elsewhere = _gaps(clean_assessment(findings=(finding("AUTH-001", "auth", Severity.MEDIUM, CLAIMS),)))
    assert "regulatory_fines" not in weak_elsewhere and "slow_exposure" not in weak_elsewhere


def test_card_data_counts_for_fines_but_financial_data_only_for_slow_exposure() -> None:
    bank = endpoint("GET", "/v2/payouts/{payoutId}", data_classes=(DataClass.FINANCIAL,), has_schemas=True)
    gaps = _gaps(clean_assessment(endpoints=(bank,),
                                  findings=(finding("AUTH-001", "auth", Severity.MEDIUM, bank.key),)))
    assert gaps["slow_exposure"] is GapState.OPEN and "regulatory_fines" not in gaps


@pytest.mark.parametrize(("hours", "sequential", "fires"),
                         [(72, True, True), (2, True, False), (72, False, False)])
def test_a_long_running_sequential_walker_opens_slow_exposure(hours: float, sequential: bool,
                                                              fires: bool) -> None:
    traffic = walk_traffic(hours, sequential=sequential)
    walked = endpoint("GET", "/v2/claims/{claimId}/documents", traffic=traffic)
    gaps = find_coverage_gaps(clean_assessment(endpoints=(walked,)))
    slow = next((g for g in gaps if g.rule == "slow_exposure"), None)
    assert (slow is not None) is fires
    if slow is not None:
        assert slow.endpoints == (walked.key,) and slow.evidence == walked.evidence


def test_a_deprecated_endpoint_still_called_opens_unsupported_versions() -> None:
    called = endpoint("GET", "/v2/legacy/{id}", deprecated=True,
                      traffic=TrafficStats(requests=120, clients=3, status_classes={"2xx": 120}))
    unused = endpoint("GET", "/v2/legacy-unused/{id}", deprecated=True)
    gap = _gap(clean_assessment(endpoints=(called, unused)), "unsupported_versions")
    assert gap.endpoints == (called.key,)
    assert "120 requests" in gap.reasons[0]
    assert "unsupported_versions" not in _gaps(clean_assessment(endpoints=(unused,)))


def test_unknown_controls_make_a_gap_that_cannot_be_ruled_out() -> None:
    blind = clean_assessment(controls=(control("monitoring", ControlStatus.UNKNOWN),
                                       control("third_party", ControlStatus.UNKNOWN)))
    gaps = {gap.rule: gap for gap in find_coverage_gaps(blind)}
    assert gaps["slow_exposure"].state is GapState.CANNOT_BE_RULED_OUT
    assert gaps["slow_exposure"].unknown_controls == ("monitoring",)
    assert gaps["slow_exposure"].reasons == (
        "Cannot be ruled out from these inputs: control monitoring is not observable.",)
    assert gaps["third_party_dependency"].state is GapState.CANNOT_BE_RULED_OUT
    assert "access_control" not in gaps


def test_without_gateway_or_traffic_shadow_and_zombie_apis_cannot_be_ruled_out() -> None:
    gaps = {g.rule: g for g in find_coverage_gaps(clean_assessment(has_gateway=False, has_traffic=False))}
    for rule in ("shadow_apis", "unsupported_versions"):
        assert gaps[rule].state is GapState.CANNOT_BE_RULED_OUT
        assert "no gateway configuration or traffic log was given" in gaps[rule].reasons[0]
    assert "shadow_apis" not in _gaps(clean_assessment(has_gateway=False))  # traffic alone shows shadows


def test_open_gaps_come_before_those_not_ruled_out() -> None:
    mixed = clean_assessment(endpoints=(SHADOW,), controls=(control("monitoring", ControlStatus.UNKNOWN),))
    states = [gap.state for gap in find_coverage_gaps(mixed)]
    assert states == sorted(states, key=lambda state: state is not GapState.OPEN) and len(set(states)) == 2


def test_accepted_findings_still_open_gaps_marked_accepted() -> None:
    rate = finding("RATE-001", "rate_limit", Severity.HIGH, CLAIMS, accepted=accepted())
    gap = _gap(clean_assessment(findings=(rate,)), "api_denial_of_service")
    assert gap.state is GapState.OPEN and gap.accepted_findings == ("RATE-001",) and gap.is_accepted


def test_gap_evidence_is_bounded() -> None:
    many = tuple(finding(f"RATE-{n:03d}", "rate_limit", Severity.MEDIUM, CLAIMS) for n in range(1, 80))
    gap = _gap(clean_assessment(findings=many), "api_denial_of_service")
    assert len(gap.findings) == 79 and len(gap.evidence) == MAX_GAP_EVIDENCE


def test_the_demo_estate_opens_its_gaps_with_evidence(demo_assessment: Assessment) -> None:
    assert demo_assessment.coverage is not None
    gaps = {gap.rule: gap for gap in demo_assessment.coverage.gaps}
    assert set(gaps) >= {"shadow_apis", "access_control", "api_denial_of_service", "unsupported_versions"}
    assert "third_party_dependency" not in gaps  # every upstream is the insurer's own
    assert all(gap.state is GapState.OPEN and gap.findings and gap.evidence for gap in gaps.values())
    zombies = {e.key for e in demo_assessment.inventory.endpoints if e.lifecycle is Lifecycle.ZOMBIE}
    assert zombies <= set(gaps["unsupported_versions"].endpoints)


@pytest.mark.parametrize(("text", "message"), [
    ("rules: []\n", "rules.yaml:1: list should have at least 1 item, not 0 (rules)"),
    ("rules:\n  - id: x1\n    title: t\n    severity: high\n    condition: c\n    policy_wording: w\n"
     "    endorsement: e\n    triggers:\n      - kind: findings\n        controls: [nope]\n",
     "rules.yaml:9: names a control riskscan does not have (riskscan controls lists them) "
     "(rules[0].triggers[0])"),
    ("rules:\n  - id: x1\n    title: t\n    severity: grave\n",
     "rules.yaml:4: should be 'info', 'low', 'medium', 'high' or 'critical' (rules[0].severity)"),
])
def test_a_broken_rules_file_fails_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_coverage_rules(path)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)
