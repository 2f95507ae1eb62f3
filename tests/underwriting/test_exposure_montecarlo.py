"""The loss Monte Carlo against closed-form results, with fixed seeds: what the figures can be trusted for."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from riskscan.underwriting.exposure_sim import (
    CURVE_GRID_USD,
    Range90,
    probability_exceeds,
    simulate_annual_losses,
    summarize,
)

BREACH = Range90(1_270_000, 11_830_000)  # the shipped data-theft magnitude at the reference records
Z90 = NormalDist().inv_cdf(0.90)
Z95 = NormalDist().inv_cdf(0.95)


def test_a_range_is_the_lognormal_with_those_5th_and_95th_percentiles() -> None:
    mu = math.log(BREACH.median)
    assert math.exp(mu - Z95 * BREACH.sigma) == pytest.approx(1_270_000, rel=1e-9)
    assert math.exp(mu + Z95 * BREACH.sigma) == pytest.approx(11_830_000, rel=1e-9)
    # The mean is exp(mu + sigma^2 / 2): about the $4.88M IBM average the range was calibrated to.
    assert BREACH.mean == pytest.approx(4.88e6, rel=0.01)


def test_magnitude_draws_match_the_lognormal_mean_and_percentiles() -> None:
    draws = BREACH.draw(400_000, np.random.default_rng(11))
    mu, sigma = math.log(BREACH.median), BREACH.sigma
    assert draws.mean() == pytest.approx(math.exp(mu + sigma ** 2 / 2), rel=0.01)
    assert np.quantile(draws, 0.90) == pytest.approx(math.exp(mu + Z90 * sigma), rel=0.01)
    assert np.quantile(draws, 0.05) == pytest.approx(1_270_000, rel=0.01)
    assert np.quantile(draws, 0.95) == pytest.approx(11_830_000, rel=0.01)


def test_years_with_a_loss_follow_the_magnitude_distribution() -> None:
    # At a small fixed rate, a year with a loss almost always has exactly one event.
    losses = simulate_annual_losses(Range90(0.05, 0.05), BREACH, 400_000, seed=3, stream=0)
    hit = losses[losses > 0]
    assert hit.size / losses.size == pytest.approx(1 - math.exp(-0.05), rel=0.03)
    assert np.median(hit) == pytest.approx(BREACH.median, rel=0.05)


def test_expected_annual_loss_is_the_mean_rate_times_the_mean_magnitude() -> None:
    # Compound Poisson (Wald's identity): E[annual loss] = E[rate] x E[loss per event].
    frequency = Range90(0.02, 0.2)
    losses = simulate_annual_losses(frequency, BREACH, 300_000, seed=5, stream=1)
    assert summarize(losses).ale == pytest.approx(frequency.mean * BREACH.mean, rel=0.03)


def test_a_fixed_rate_gives_the_poisson_chance_of_a_loss_free_year() -> None:
    losses = simulate_annual_losses(Range90(0.7, 0.7), BREACH, 200_000, seed=9, stream=2)
    assert 1 - summarize(losses).probability_of_loss == pytest.approx(math.exp(-0.7), rel=0.01)


def test_percentiles_and_the_exceedance_curve_agree() -> None:
    losses = simulate_annual_losses(Range90(0.5, 2.0), BREACH, 100_000, seed=1, stream=0)
    summary = summarize(losses)
    assert probability_exceeds(losses, summary.p90) == pytest.approx(0.10, abs=0.001)
    assert probability_exceeds(losses, summary.p99) == pytest.approx(0.01, abs=0.001)
    probabilities = [p for _, p in summary.curve]
    assert probabilities == sorted(probabilities, reverse=True)  # exceedance never rises with the loss
    assert [x for x, _ in summary.curve] == list(CURVE_GRID_USD)
    assert CURVE_GRID_USD[0] == 1_000 and CURVE_GRID_USD[-1] == pytest.approx(1e10)


def test_the_same_seed_gives_the_same_losses_and_another_seed_does_not() -> None:
    first = simulate_annual_losses(Range90(0.01, 0.1), BREACH, 20_000, seed=42, stream=0)
    again = simulate_annual_losses(Range90(0.01, 0.1), BREACH, 20_000, seed=42, stream=0)
    other = simulate_annual_losses(Range90(0.01, 0.1), BREACH, 20_000, seed=43, stream=0)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_a_high_event_rate_is_drawn_in_smaller_chunks_with_the_same_expectation() -> None:
    # 200 events a year: the chunking keeps each draw bounded; the mean still follows Wald's identity.
    frequency = Range90(200, 200)
    losses = simulate_annual_losses(frequency, Range90(1_000, 10_000), 20_000, seed=2, stream=0)
    assert summarize(losses).ale == pytest.approx(200 * Range90(1_000, 10_000).mean, rel=0.01)
