"""The seeded Monte Carlo behind the exposure figures: compound Poisson-lognormal annual loss.

Each trial is one year. Its loss event rate is drawn from the lognormal fitted to the frequency's 90%
interval, its number of events from the Poisson distribution with that rate, and each event's loss
from the lognormal fitted to the magnitude's 90% interval; the year's loss is their sum. The draws are
numpy's own lognormal and Poisson samplers on a seeded `Generator` (PCG64), so a seed gives the same
figures on every run; scipy.stats draws these two from the same numpy generator, and its import costs
seconds on a busy machine where numpy's takes half of one. Trials are drawn in chunks sized to the
event rate, so the working memory stays bounded whatever the rate; only the per-trial annual losses
(8 bytes a trial) are kept, for percentiles and the curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CHUNK_TRIALS",
    "CURVE_GRID_USD",
    "Z_95",
    "LossSummary",
    "Range90",
    "probability_exceeds",
    "simulate_annual_losses",
    "summarize",
]

CHUNK_TRIALS = 10_000
"""Most trials drawn at once."""
EVENT_BUDGET = 1_000_000
"""About how many loss events a chunk draws at most: fewer trials a chunk when the event rate is high,
so the working memory stays bounded (about 16 MB) whatever the rate or the number of trials."""
Z_95: float = NormalDist().inv_cdf(0.95)
"""The standard normal's 95th percentile (1.645): a 90% interval spans +/- this many sigmas."""
CURVE_GRID_USD: tuple[float, ...] = tuple(float(10 ** (exponent / 4)) for exponent in range(12, 41))
"""The loss exceedance curve's x values: $1,000 to $10B, four points a decade (log grid)."""

Losses = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Range90:
    """A positive quantity known as a 90% interval, modelled as the lognormal with those percentiles.

    `low == high` is a fixed value (a point estimate: no spread).
    """

    low: float
    high: float

    @property
    def sigma(self) -> float:
        """The lognormal's shape: half the log-width of the interval in standard deviations."""
        return math.log(self.high / self.low) / (2 * Z_95)

    @property
    def median(self) -> float:
        """The lognormal's median: the interval's geometric middle."""
        return math.sqrt(self.low * self.high)

    @property
    def mean(self) -> float:
        """The lognormal's mean, exp(mu + sigma^2 / 2): what the expected loss multiplies."""
        return self.median * math.exp(self.sigma ** 2 / 2)

    def draw(self, size: int, rng: np.random.Generator) -> Losses:
        """`size` draws from the distribution (the fixed value when the interval has no width)."""
        if self.sigma == 0:
            return np.full(size, self.median)
        return rng.lognormal(mean=math.log(self.median), sigma=self.sigma, size=size)


@dataclass(frozen=True, slots=True)
class LossSummary:
    """What the report shows of a sample of annual losses."""

    ale: float
    p90: float
    p99: float
    probability_of_loss: float
    curve: tuple[tuple[float, float], ...]  # (loss in USD, probability annual loss exceeds it)


def simulate_annual_losses(frequency: Range90, magnitude: Range90, trials: int, seed: int,
                           stream: int) -> Losses:
    """`trials` simulated annual losses (USD), sorted ascending; `stream` keeps scenarios independent.

    Same seed and stream, same losses: the generator is numpy's PCG64 seeded with (seed, stream).
    """
    rng = np.random.default_rng([seed, stream])
    losses = np.empty(trials, dtype=np.float64)
    chunk = max(1, min(CHUNK_TRIALS, int(EVENT_BUDGET / max(frequency.mean, 1.0))))
    for start in range(0, trials, chunk):
        size = min(chunk, trials - start)
        rates = frequency.draw(size, rng)
        counts = rng.poisson(rates).astype(np.int64)
        amounts = magnitude.draw(int(counts.sum()), rng)
        owners = np.repeat(np.arange(size), counts)
        losses[start:start + size] = np.bincount(owners, weights=amounts, minlength=size)
    losses.sort()
    return losses


def summarize(losses: Losses) -> LossSummary:
    """Expectancy, 90th and 99th percentiles, P(loss > 0) and the exceedance curve of sorted `losses`."""
    p90, p99 = np.quantile(losses, [0.9, 0.99])
    return LossSummary(
        ale=float(losses.mean()),
        p90=float(p90),
        p99=float(p99),
        probability_of_loss=probability_exceeds(losses, 0.0),
        curve=tuple((amount, probability_exceeds(losses, amount)) for amount in CURVE_GRID_USD),
    )


def probability_exceeds(sorted_losses: Losses, amount: float) -> float:
    """P(annual loss > amount): the share of the sorted sample strictly above `amount`."""
    above = sorted_losses.size - int(np.searchsorted(sorted_losses, amount, side="right"))
    return above / sorted_losses.size
