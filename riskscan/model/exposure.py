"""Loss exposure (Open FAIR): the modelled annual loss per scenario and combined, and the policy limit.

`riskscan.underwriting.exposure` fills these from the controls stage and the scenario data file; the
report formats them. Every figure is indicative: frequencies and magnitudes are calibrated ranges whose
defaults cite public figures (docs/exposure.md), moved by the control results named beside them.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from riskscan.model.base import Model, RedactedEndpointKey
from riskscan.model.kinds import ControlStatus, Industry, Severity

__all__ = [
    "DriverEffect",
    "Exposure",
    "ExposureAdjustment",
    "ExposureInputs",
    "Industry",
    "LimitComparison",
    "LossCurvePoint",
    "LossFigures",
    "LossRange",
    "ScenarioExposure",
    "format_usd",
]


class DriverEffect(StrEnum):
    """What a driving control moves: its scenario's loss event frequency, or its loss magnitude."""

    FREQUENCY = "frequency"
    MAGNITUDE = "magnitude"


class LossRange(Model):
    """A calibrated 90% interval: 5% of outcomes fall below `low` and 5% above `high`."""

    low: float = Field(ge=0)
    high: float = Field(ge=0)
    unit: str  # "events per year", "USD per event"


class ExposureAdjustment(Model):
    """How one control's result moved a scenario: the evidence an underwriter checks."""

    control: str  # control id, as `riskscan controls` lists it
    affects: DriverEffect = DriverEffect.FREQUENCY
    status: ControlStatus
    worst_severity: Severity | None = None  # of the control's findings (accepted ones count: still there)
    findings: tuple[str, ...] = ()  # ids of the control's findings
    endpoints: tuple[RedactedEndpointKey, ...] = ()  # the endpoints those findings name
    frequency_factor: float = Field(gt=0)
    magnitude_factor: float = Field(gt=0)
    is_deciding: bool = False  # the weakest link: its frequency factor is the one applied
    reason: str  # why the factor is what it is, in words
    source: str  # key of `Exposure.sources`: the published figure the factor rests on


class LossCurvePoint(Model):
    """One point of a loss exceedance curve: the probability that annual loss exceeds `loss_usd`."""

    loss_usd: float = Field(ge=0)
    probability: float = Field(ge=0, le=1)


class LossFigures(Model):
    """The simulated annual loss: expectancy, percentiles and exceedance curve, in USD per year."""

    ale_usd: float = Field(ge=0)  # annualized loss expectancy: the mean annual loss
    p90_usd: float = Field(ge=0)
    p99_usd: float = Field(ge=0)
    probability_of_loss: float = Field(ge=0, le=1)  # P(annual loss > 0): at least one loss event
    curve: tuple[LossCurvePoint, ...] = ()


class ScenarioExposure(Model):
    """One loss scenario: its ranges before and after the control results, and its simulated loss."""

    id: str
    name: str
    description: str
    base_frequency: LossRange  # the default calibrated range, controls in place
    frequency: LossRange  # after the control results
    base_magnitude: LossRange  # per event, at the file's reference inputs
    magnitude: LossRange  # per event, scaled by records or revenue and industry, then adjusted
    scaling: str  # how the magnitude was scaled, in words
    adjustments: tuple[ExposureAdjustment, ...] = ()
    sources: tuple[str, ...] = ()  # keys of `Exposure.sources` the scenario's figures rest on
    figures: LossFigures


class ExposureInputs(Model):
    """What the model was run with, and which of it was assumed rather than given."""

    revenue_usd: float | None = None  # annual revenue; None: the default hourly outage cost is used
    records: int  # records reachable through the APIs (given, or the file's reference count)
    industry: Industry
    limit_usd: float | None = None  # the policy limit to compare with the tail
    seed: int
    trials: int
    assumed: tuple[str, ...] = ()  # one sentence per default assumed because no input was given


class LimitComparison(Model):
    """The policy limit against the modelled combined annual loss."""

    limit_usd: float = Field(gt=0)
    probability_exceeds: float = Field(ge=0, le=1)  # P(combined annual loss > limit)
    covers_p90: bool
    covers_p99: bool


class Exposure(Model):
    """The loss exposure part of the underwriting report: indicative, never a quote."""

    inputs: ExposureInputs
    scenarios: tuple[ScenarioExposure, ...]
    combined: LossFigures  # the scenarios summed trial by trial (independent scenarios)
    limit: LimitComparison | None = None
    method: str  # the model in a few sentences, as docs/exposure.md gives it
    sources: dict[str, str] = Field(default_factory=dict)  # key -> citation, every figure's source

    @property
    def headline(self) -> str:
        """One sentence for the executive summary: ALE, P99 and the limit, labelled indicative."""
        text = ("Modelled annual API loss exposure (indicative): expected "
                f"{format_usd(self.combined.ale_usd)} a year, 1-in-100-year loss "
                f"{format_usd(self.combined.p99_usd)}")
        if self.limit is None:
            return text + "; no policy limit given."
        covers = "covers" if self.limit.covers_p99 else "does not cover"
        return (text + f"; the {format_usd(self.limit.limit_usd)} limit {covers} it (annual loss exceeds it "
                f"with probability {self.limit.probability_exceeds:.2%}).")


def format_usd(amount: float) -> str:
    """`$3.89M`, `$246k`, `$950`: three significant figures, as befits an indicative figure."""
    rounded = float(f"{amount:.3g}")
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if rounded >= size:
            return f"${rounded / size:.3g}{suffix}"
    return f"${rounded:,.0f}"
