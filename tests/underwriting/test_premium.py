"""Premium impact: the roadmap's lines, order and combined effect under the cap; a broker's own factor
file; one-line errors for bad ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskscan.controls.catalogue import default_catalogue
from riskscan.errors import UsageError
from riskscan.model import (
    Assessment,
    ControlResult,
    ControlStatus,
    EndpointControlResult,
    EvidenceStrength,
    GapState,
    RoadmapAction,
    Severity,
)
from riskscan.underwriting.coverage import find_coverage_gaps
from riskscan.underwriting.premium import assess_premium, combine_effects
from riskscan.underwriting.rating_factors import RatingFactors, default_rating_factors, load_rating_factors

from .conftest import DEMO, REPO_ROOT, accepted, clean_assessment, control, finding

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "rating-factors"
CLAIMS = "GET /v2/claims/{claimId}"
LABEL = "indicative, industry claim, not a quote or rating filing"


def _failing(control_id: str, score: int = 40, key: str = CLAIMS) -> ControlResult:
    verdict = EndpointControlResult(key=key, status=ControlStatus.FAIL,
                                    evidence_strength=EvidenceStrength.ENFORCED)
    return control(control_id, ControlStatus.FAIL, score, endpoints=(verdict,))


def _weak_estate() -> Assessment:
    """Authentication, object authorization and rate limiting failing on the claims endpoint."""
    return clean_assessment(
        controls=(_failing("auth"), _failing("object_authorization"), _failing("rate_limit", 60)),
        findings=(finding("AUTH-001", "auth", Severity.HIGH, CLAIMS),
                  finding("BOLA-001", "object_authorization", Severity.CRITICAL, CLAIMS),
                  finding("RATE-001", "rate_limit", Severity.MEDIUM, CLAIMS, accepted=accepted())),
    )


def test_controls_already_passing_get_no_line() -> None:
    premium = assess_premium(clean_assessment())
    assert premium.roadmap == () and (premium.combined.low, premium.combined.high) == (0, 0)
    assert premium.headline.startswith("No remediation")


def test_each_line_names_its_endpoints_findings_effect_source_and_label() -> None:
    lines = {line.factor: line for line in assess_premium(_weak_estate()).roadmap}
    assert set(lines) == {"documented_api_controls", "oauth_object_authorization"}
    oauth = lines["oauth_object_authorization"]
    assert oauth.action is RoadmapAction.FIX and oauth.controls == ("auth", "object_authorization")
    assert oauth.endpoints == (CLAIMS,) and oauth.findings == ("AUTH-001", "BOLA-001")
    assert (oauth.effect.low, oauth.effect.high) == (15, 20) and oauth.source.label == LABEL
    assert oauth.text == ("Fix: OAuth 2.0 or OIDC with object-level authorization, in place of static "
                          "API keys on 1 endpoint -> indicative premium effect 15-20% (a 2026 cyber-insurance "
                          "guide on API security (industry claims, not rating filings))")
    assert lines["documented_api_controls"].accepted_findings == ("RATE-001",)  # accepted still costs premium


def test_the_roadmap_is_ordered_by_effect_per_unit_of_effort() -> None:
    roadmap = assess_premium(_weak_estate()).roadmap
    # documented controls: midpoint 17.5 / effort 2 = 8.75; OAuth with BOLA: 17.5 / 3 = 5.83
    assert [line.factor for line in roadmap] == ["documented_api_controls", "oauth_object_authorization"]
    ratios = [line.value_per_effort for line in roadmap]
    assert ratios == sorted(ratios, reverse=True)


def test_effects_combine_multiplicatively_under_the_cap() -> None:
    premium = assess_premium(_weak_estate())
    assert premium.combined.low == pytest.approx(100 * (1 - 0.90 * 0.85))  # 23.5: under the cap
    assert premium.combined.high == 25 and premium.is_capped  # 1 - 0.75 x 0.80 = 40% -> capped at 25
    assert "never summed" in premium.combination and "25%" in premium.combination


@given(st.lists(st.floats(min_value=0, max_value=25), min_size=1, max_size=8),
       st.floats(min_value=25, max_value=99))
def test_the_combined_effect_never_exceeds_the_cap_nor_falls_below_the_best_single_effect(
    effects: list[float], cap: float
) -> None:
    combined = min(combine_effects(effects), cap)
    assert combined <= cap
    assert combined >= max(effects) - 1e-9
    assert combine_effects(effects) <= sum(effects) + 1e-9  # never more than summing would give


def test_unknown_controls_get_evidence_lines_only_where_evidence_earns_credit() -> None:
    blind = clean_assessment(controls=(control("auth", ControlStatus.UNKNOWN),
                                       control("object_authorization", ControlStatus.UNKNOWN),
                                       control("function_authorization", ControlStatus.UNKNOWN)))
    roadmap = {line.factor: line for line in assess_premium(blind).roadmap}
    assert set(roadmap) == {"documented_api_controls"}  # OAuth+BOLA and zero trust give no credit for paper
    assert roadmap["documented_api_controls"].action is RoadmapAction.EVIDENCE
    assert roadmap["documented_api_controls"].controls == ("auth",)
    assert roadmap["documented_api_controls"].text.startswith("Document or evidence: Documented API controls")


def test_industry_surcharge_is_applied_only_for_the_industries_the_file_names() -> None:
    fintech = assess_premium(clean_assessment(), industry="fintech").factors_applied[0]
    assert fintech.is_applied and (fintech.effect and (fintech.effect.low, fintech.effect.high)) == (20, 35)
    retail = assess_premium(clean_assessment(), industry="retail").factors_applied[0]
    assert not retail.is_applied and retail.effect is None
    assert "no surcharge for industry retail" in retail.note
    none_given = assess_premium(clean_assessment()).factors_applied[0]
    assert not none_given.is_applied and "No industry was given" in none_given.note
    with pytest.raises(UsageError):
        assess_premium(clean_assessment(), industry="mining")


def test_endorsements_are_priced_when_open_gaps_ask_for_them() -> None:
    weak = _weak_estate()
    gaps = find_coverage_gaps(weak)
    endorsements = assess_premium(weak, gaps=gaps).factors_applied[1]
    open_gaps = sum(1 for gap in gaps if gap.state is GapState.OPEN)
    assert endorsements.is_applied and endorsements.note.startswith(f"{open_gaps} open coverage gaps")
    assert not assess_premium(clean_assessment()).factors_applied[1].is_applied


def test_controls_with_findings_but_no_factor_are_listed_as_unrated() -> None:
    estate = clean_assessment(findings=(finding("INV-001", "inventory_hygiene", Severity.HIGH, CLAIMS),))
    assert assess_premium(estate).unrated_controls == ("inventory_hygiene",)


def test_a_brokers_factor_file_replaces_the_defaults() -> None:
    broker = load_rating_factors(FIXTURES / "broker-two-factors.yaml")
    premium = assess_premium(_weak_estate(), broker, industry="insurance")
    assert premium.factor_file == "broker-two-factors.yaml" and premium.cap == 30
    assert [line.factor for line in premium.roadmap] == ["rate_limits_everywhere", "strong_partner_auth"]
    assert premium.roadmap[0].source.citation == "Halden Brokers carrier survey 2026"
    assert premium.factors_applied[0].is_applied and premium.label.startswith("indicative, from Halden")
    assert len(premium.factors_applied) == 1  # the broker's file prices no endorsements
    assert default_rating_factors().origin == "riskscan defaults"


BAD_FILES = {
    "unknown-field.yaml": "unknown-field.yaml:13: unknown field (factors[0].discount_code)",
    "effect-above-cap.yaml": "effect-above-cap.yaml:10: exceeds the combination cap",
    "low-above-high.yaml": "low-above-high.yaml:10: 'low' must not exceed 'high' (factors[0].effect)",
    "missing-source.yaml": "missing-source.yaml:11: no entry of 'sources' has this id (factors[0].source)",
    "unknown-control.yaml": "unknown-control.yaml:9: names a control riskscan does not have",
    "unknown-industry.yaml": "unknown-industry.yaml:8: unknown industry",
    "huge-number.yaml": "huge-number.yaml:6: should be less than or equal to 1000 (factors[0].effort)",
    "wrong-type.yaml": "wrong-type.yaml:5: should be a list (factors)",
    "duplicate-factor.yaml": "duplicate-factor.yaml:7: id repeats an earlier entry of 'factors'",
    "truncated.yaml": "truncated.yaml:4: not valid YAML or JSON",
    "not-a-mapping.yaml": "not-a-mapping.yaml:1: the rating factors file must be a mapping",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_factor_file_fails_in_one_line_naming_file_and_line(name: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_rating_factors(FIXTURES / name)
    message = str(raised.value)
    assert message.startswith(BAD_FILES[name]) and "\n" not in message
    assert "hunter2" not in message and "SECRET" not in message


def test_the_cli_refuses_a_bad_factor_file_before_scanning_with_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "riskscan", "scan", str(DEMO), "--no-db", "-o", str(tmp_path / "r.json"),
         "--rating-factors", str(FIXTURES / "unknown-field.yaml")],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "riskscan: error: unknown-field.yaml:13: unknown field (factors[0].discount_code)"]
    assert not (tmp_path / "r.json").exists()


def test_the_demo_roadmap_fixes_its_failing_controls(demo_assessment: Assessment) -> None:
    assert demo_assessment.coverage is not None
    premium = demo_assessment.coverage.premium
    assert premium.factor_file == "riskscan defaults" and premium.label == LABEL
    fixes = {line.factor: line for line in premium.roadmap}
    assert "BOLA-001" in fixes["oauth_object_authorization"].findings
    assert "runtime_protection" not in fixes  # monitoring and credential stuffing pass on the demo
    assert premium.combined.high <= premium.cap


PLANTED = ("jane.doe@halden-brokers.example", "hunter2-Planted", "AKIAIOSFODNN7EXAMPLE",
           "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB", "eyJzdWIiOiIxIn0", "c2lnbmF0dXJl")


def test_secrets_pasted_into_a_brokers_file_reach_no_output() -> None:
    from riskscan.report import RENDERERS
    from riskscan.underwriting.coverage import review_coverage

    factors = load_rating_factors(FIXTURES / "broker-planted-secrets.yaml")
    weak = _weak_estate()
    reviewed = weak.model_copy(update={"coverage": review_coverage(weak, factors)})
    assert reviewed.coverage is not None and reviewed.coverage.premium.roadmap  # the texts are shown
    for name in ("json", "html"):
        output = RENDERERS[name].render(reviewed).decode("utf-8")
        assert "Strong auth" in output
        assert not [secret for secret in PLANTED if secret in output], name


@st.composite
def _factor_files(draw: st.DrawFn) -> RatingFactors:
    """A valid factor file: up to six factors on random controls, every high end under the cap."""
    cap = draw(st.floats(min_value=1, max_value=99))
    controls = [c.id for c in default_catalogue().controls]
    factors = []
    for index in range(draw(st.integers(min_value=1, max_value=6))):
        high = draw(st.floats(min_value=0, max_value=cap))
        low = draw(st.floats(min_value=0, max_value=high))
        factors.append({"id": f"f{index}", "title": "t", "remediation": "r", "source": "s",
                        "controls": draw(st.lists(st.sampled_from(controls), min_size=1, max_size=3,
                                                  unique=True)),
                        "effect": {"low": low, "high": high},
                        "effort": draw(st.floats(min_value=0.1, max_value=9))})
    return RatingFactors.model_validate({
        "label": "l", "effort_units": "u", "combination": {"cap": cap, "source": "s"},
        "sources": [{"id": "s", "citation": "c"}], "factors": factors})


ALL_FAILING = clean_assessment(controls=tuple(_failing(c.id) for c in default_catalogue().controls))


@given(_factor_files())
def test_the_roadmap_total_never_exceeds_the_cap_nor_falls_below_its_best_line(
    factors: RatingFactors,
) -> None:
    premium = assess_premium(ALL_FAILING, factors)
    assert len(premium.roadmap) == len(factors.factors)  # every control fails: every factor applies
    best_low = max(line.effect.low for line in premium.roadmap)
    best_high = max(line.effect.high for line in premium.roadmap)
    assert premium.combined.high <= premium.cap
    assert premium.combined.low >= best_low - 1e-9 and premium.combined.high >= best_high - 1e-9
    assert premium.combined.low <= premium.combined.high
    ratios = [line.value_per_effort for line in premium.roadmap]
    assert ratios == sorted(ratios, reverse=True)
