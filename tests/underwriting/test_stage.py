"""The underwriting stage as a scan runs it: one `--industry` reaches the premium and the loss model."""

from __future__ import annotations

from riskscan.model import Industry

from .conftest import scan_estate


def test_one_industry_sets_the_premium_surcharge_and_the_loss_multiplier() -> None:
    fintech = scan_estate(industry=Industry.FINTECH)
    unnamed = scan_estate()
    assert fintech.coverage is not None and unnamed.coverage is not None
    surcharge = {factor.id: factor for factor in fintech.coverage.premium.factors_applied}["industry_surcharge"]
    assert surcharge.is_applied
    assert not {factor.id: factor for factor in unnamed.coverage.premium.factors_applied}[
        "industry_surcharge"].is_applied
    assert fintech.exposure is not None and unnamed.exposure is not None
    assert fintech.exposure.inputs.industry is Industry.FINTECH
    assert fintech.exposure.combined.ale_usd > unnamed.exposure.combined.ale_usd  # fintech breaches cost more
