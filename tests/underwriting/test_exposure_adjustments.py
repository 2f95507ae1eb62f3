"""Control results move the loss scenarios the right way, with the evidence that moved them named."""

from __future__ import annotations

import pytest

from riskscan.model import Assessment, ControlStatus, Exposure, Industry, ScenarioExposure, Severity
from riskscan.underwriting.exposure import DEFAULT_SEED, ExposureOptions, assess_exposure

from .conftest import all_controls, with_control

FAST = ExposureOptions(trials=20_000)


def _scenario(exposure: Exposure, scenario_id: str) -> ScenarioExposure:
    return next(s for s in exposure.scenarios if s.id == scenario_id)


def _bola(assessment: Assessment, options: ExposureOptions = FAST) -> ScenarioExposure:
    return _scenario(assess_exposure(assessment, options), "bola_data_theft")


@pytest.fixture(scope="module")
def clean(estate_assessment: Assessment) -> Assessment:
    return all_controls(estate_assessment, ControlStatus.PASS)


def test_every_control_passing_leaves_the_calibrated_baseline(clean: Assessment) -> None:
    for scenario in assess_exposure(clean, FAST).scenarios:
        assert (scenario.frequency.low, scenario.frequency.high) == (scenario.base_frequency.low,
                                                                     scenario.base_frequency.high)
        assert not any(a.is_deciding for a in scenario.adjustments)


def test_object_authorization_failing_raises_bola_frequency_and_loss(clean: Assessment) -> None:
    baseline = _bola(clean)
    failing = _bola(with_control(clean, "object_authorization", ControlStatus.FAIL, (Severity.HIGH,)))
    assert failing.frequency.high == pytest.approx(3 * baseline.frequency.high)
    assert failing.figures.ale_usd > 2 * baseline.figures.ale_usd
    moved = next(a for a in failing.adjustments if a.control == "object_authorization")
    assert moved.is_deciding and moved.findings == ("OBJE-900",)
    assert moved.endpoints == ("GET /v2/things/{id0}",)
    assert moved.status is ControlStatus.FAIL and moved.worst_severity is Severity.HIGH


def test_statuses_rank_pass_partial_fail_and_unknown_counts_as_absent(clean: Assessment) -> None:
    highs = {status: _bola(with_control(clean, "object_authorization", status)).frequency.high
             for status in ControlStatus}
    assert highs[ControlStatus.PASS] < highs[ControlStatus.PARTIAL] < highs[ControlStatus.FAIL]
    assert highs[ControlStatus.UNKNOWN] == highs[ControlStatus.FAIL]
    reason = next(a.reason for a in _bola(with_control(clean, "object_authorization", ControlStatus.UNKNOWN))
                  .adjustments if a.control == "object_authorization")
    assert "not observable" in reason and "not in place" in reason


def test_a_critical_finding_raises_frequency_beyond_its_status(clean: Assessment) -> None:
    high = _bola(with_control(clean, "object_authorization", ControlStatus.FAIL, (Severity.HIGH,)))
    critical = _bola(with_control(clean, "object_authorization", ControlStatus.FAIL, (Severity.CRITICAL,)))
    assert critical.frequency.high == pytest.approx(1.33 * high.frequency.high)


def test_the_weakest_link_sets_frequency_not_the_product(clean: Assessment) -> None:
    one = with_control(clean, "object_authorization", ControlStatus.FAIL)
    two = with_control(one, "auth", ControlStatus.FAIL)
    assert _bola(two).frequency.high == pytest.approx(_bola(one).frequency.high)
    assert sum(a.is_deciding for a in _bola(two).adjustments) == 2


def test_a_control_of_another_scenario_does_not_move_bola(clean: Assessment) -> None:
    assert _bola(with_control(clean, "availability", ControlStatus.FAIL)).frequency == _bola(clean).frequency


def test_monitoring_moves_magnitude_not_frequency(clean: Assessment) -> None:
    blind = _bola(with_control(clean, "monitoring", ControlStatus.UNKNOWN))
    assert blind.frequency == _bola(clean).frequency
    assert blind.magnitude.high == pytest.approx(1.2 * _bola(clean).magnitude.high, rel=1e-6)


def test_rate_limiting_drives_denial_of_service(clean: Assessment) -> None:
    dos = _scenario(assess_exposure(with_control(clean, "rate_limit", ControlStatus.FAIL), FAST),
                    "api_denial_of_service")
    assert dos.frequency.high > dos.base_frequency.high


def test_records_scale_breach_loss_sublinearly(clean: Assessment) -> None:
    small = _bola(clean, ExposureOptions(records=21_000, trials=20_000))
    large = _bola(clean, ExposureOptions(records=21_000_000, trials=20_000))
    ratio = large.magnitude.high / small.magnitude.high
    assert ratio == pytest.approx(1000 ** 0.56, rel=1e-6)  # 1000x the records, about 48x the loss
    assert 1 < ratio < 1000


def test_revenue_prices_the_outage_hour(clean: Assessment) -> None:
    dos = _scenario(assess_exposure(clean, ExposureOptions(revenue=876_000_000, trials=20_000)),
                    "api_denial_of_service")
    assert (dos.magnitude.low, dos.magnitude.high) == (10_000, 400_000)  # 0.1 to 4 hours at $100,000 an hour
    assert "$100,000 an hour" in dos.scaling


def test_industry_picks_its_breach_cost_multiplier(clean: Assessment) -> None:
    other = _bola(clean)
    health = _bola(clean, ExposureOptions(industry=Industry.HEALTH, trials=20_000))
    public = _bola(clean, ExposureOptions(industry=Industry.PUBLIC, trials=20_000))
    assert health.magnitude.high == pytest.approx(2.0 * other.magnitude.high, rel=1e-6)
    assert public.magnitude.high < other.magnitude.high
    assert "industry health: x2" in health.scaling


def test_defaults_assumed_are_said(clean: Assessment) -> None:
    inputs = assess_exposure(clean, FAST).inputs
    assert inputs.records == 21_000 and inputs.industry is Industry.OTHER and inputs.seed == DEFAULT_SEED
    assumed = " ".join(inputs.assumed)
    for option in ("--records", "--industry", "--revenue", "--limit"):
        assert option in assumed
    given = assess_exposure(clean, ExposureOptions(records=5, industry=Industry.SAAS, revenue=1e6, limit=1e6,
                                                   trials=1_000)).inputs
    assert given.assumed == ()


def test_the_limit_is_compared_with_the_modelled_tail(estate_assessment: Assessment) -> None:
    exposure = assess_exposure(estate_assessment, ExposureOptions(limit=1_000, trials=20_000))
    assert exposure.limit is not None
    assert exposure.limit.probability_exceeds == pytest.approx(exposure.combined.probability_of_loss,
                                                               abs=0.002)
    assert exposure.limit.covers_p90 is (1_000 >= exposure.combined.p90_usd)
    assert not exposure.limit.covers_p99
    ample = assess_exposure(estate_assessment, ExposureOptions(limit=1e12, trials=20_000)).limit
    assert ample is not None and ample.covers_p99 and ample.probability_exceeds == 0
    assert "does not cover" in exposure.headline and "covers it" in assess_exposure(
        estate_assessment, ExposureOptions(limit=1e12, trials=20_000)).headline


def test_the_combined_loss_adds_up_the_scenarios(estate_assessment: Assessment) -> None:
    exposure = assess_exposure(estate_assessment, FAST)
    total = sum(s.figures.ale_usd for s in exposure.scenarios)
    assert exposure.combined.ale_usd == pytest.approx(total, abs=len(exposure.scenarios))
    assert exposure.combined.p99_usd >= max(s.figures.p99_usd for s in exposure.scenarios)


def test_the_seed_makes_it_deterministic(estate_assessment: Assessment) -> None:
    first = assess_exposure(estate_assessment, ExposureOptions(seed=7, trials=20_000))
    assert first == assess_exposure(estate_assessment, ExposureOptions(seed=7, trials=20_000))
    other = assess_exposure(estate_assessment, ExposureOptions(seed=8, trials=20_000))
    assert first.combined != other.combined
