"""Loss exposure (Open FAIR): annual loss per API scenario, moved by the control results, simulated.

Risk is loss event frequency times loss magnitude. The scenario file (`exposure_scenarios.yaml`, see
`exposure_data`) gives each scenario a calibrated 90% interval for both, citing the public figures
behind them, and the controls that drive it. This stage reads the finished assessment's control results
(never the inputs): each driving control's status and worst finding give a factor, the scenario's
frequency takes the largest (the weakest link), its magnitude the product of the magnitude factors,
scaled by the records or revenue and the industry given. A seeded Monte Carlo (`exposure_sim`) then
gives the annualized loss expectancy, the 90th and 99th percentiles and the loss exceedance curve, per
scenario and combined, and compares the policy limit with the tail. Everything is indicative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from riskscan.controls.catalogue import default_catalogue
from riskscan.model import (
    Assessment,
    ControlResult,
    ControlStatus,
    Exposure,
    ExposureAdjustment,
    ExposureInputs,
    Finding,
    Industry,
    LimitComparison,
    LossCurvePoint,
    LossFigures,
    LossRange,
    ScenarioExposure,
)
from riskscan.underwriting.exposure_data import (
    Driver,
    DriverEffect,
    Scaling,
    Scenario,
    ScenarioFile,
    load_scenario_file,
)
from riskscan.underwriting.exposure_sim import (
    Range90,
    probability_exceeds,
    simulate_annual_losses,
    summarize,
)

__all__ = ["DEFAULT_SEED", "DEFAULT_TRIALS", "METHOD", "ExposureOptions", "assess_exposure", "load_scenarios"]

DEFAULT_SEED = 20261130
"""The seed used without `--seed`: the same estate gives the same figures on every run."""
DEFAULT_TRIALS = 50_000
"""Simulated years per scenario: the 99th percentile then rests on 500 years beyond it."""
_PER_YEAR = "events per year"

METHOD = (
    "Open FAIR: loss event frequency (events a year) and loss magnitude (USD an event) are calibrated 90% "
    "intervals, each modelled as the lognormal with those 5th and 95th percentiles. Each simulated year "
    "draws an event rate, a Poisson number of events and a loss per event; scenarios are independent and "
    "summed year by year. The driving controls' results move the ranges (the weakest link sets the "
    "frequency); unknown counts as not in place. Figures are indicative, never a quote."
)


@dataclass(frozen=True)
class ExposureOptions:
    """What the underwriter tells the model: the command line's `--revenue`, `--records` ... `--seed`."""

    revenue: float | None = None  # annual revenue, USD
    records: int | None = None  # records reachable through the APIs
    industry: Industry | None = None
    limit: float | None = None  # policy limit, USD
    seed: int | None = None
    scenarios: Path | None = None  # a replacement scenario file
    trials: int = DEFAULT_TRIALS


def load_scenarios(path: Path | None = None) -> ScenarioFile:
    """The scenario file (the shipped one without `path`), its drivers checked against the catalogue."""
    return load_scenario_file(path, frozenset(control.id for control in default_catalogue().controls))


def assess_exposure(assessment: Assessment, options: ExposureOptions,
                    scenario_file: ScenarioFile | None = None) -> Exposure:
    """The loss exposure of `assessment`'s estate under `options` (deterministic for a seed)."""
    data = scenario_file or load_scenarios(options.scenarios)
    inputs = _inputs(options, data)
    controls = {control.id: control for control in assessment.controls}
    scenarios, samples = [], []
    for stream, scenario in enumerate(data.scenarios):
        adjustments = tuple(_adjustment(d, controls.get(d.control), assessment.findings, data)
                            for d in scenario.drivers)
        frequency, magnitude, scaling = _ranges(scenario, adjustments, inputs, data)
        losses = simulate_annual_losses(frequency, magnitude, inputs.trials, inputs.seed, stream)
        samples.append(losses)
        scenarios.append(_scenario(scenario, adjustments, frequency, magnitude, scaling, _figures(losses)))
    combined = np.sort(np.sum(samples, axis=0))
    return Exposure(
        inputs=inputs,
        scenarios=tuple(scenarios),
        combined=_figures(combined),
        limit=_limit(combined, options.limit) if options.limit is not None else None,
        method=METHOD,
        sources={key: " ".join(text.split()) for key, text in data.sources.items()},
    )


def _inputs(options: ExposureOptions, data: ScenarioFile) -> ExposureInputs:
    """The inputs the model runs with, and a sentence for every default assumed."""
    assumed = []
    if options.records is None:
        assumed.append(f"No --records given: {data.records.reference_records:,} records assumed, the breach "
                       "size at which the scaling meets the average breach cost "
                       f"({_source_name(data, data.records.source)}).")
    if options.industry is None:
        assumed.append("No --industry given: 'other' assumed (the global average breach cost).")
    if options.revenue is None:
        hourly = data.revenue.default_hourly_cost_usd
        assumed.append(f"No --revenue given: an outage hour costs ${hourly:,.0f} "
                       f"({_source_name(data, data.revenue.source)}, an industry claim).")
    if options.limit is None:
        assumed.append("No --limit given: no policy limit is compared with the tail.")
    return ExposureInputs(
        revenue_usd=options.revenue, records=options.records or data.records.reference_records,
        industry=options.industry or Industry.OTHER, limit_usd=options.limit,
        seed=DEFAULT_SEED if options.seed is None else options.seed, trials=options.trials,
        assumed=tuple(assumed),
    )


def _adjustment(driver: Driver, control: ControlResult | None, findings: Sequence[Finding],
                data: ScenarioFile) -> ExposureAdjustment:
    """How one driving control's result moves its scenario; a control not assessed counts as unknown."""
    status = control.status if control is not None else ControlStatus.UNKNOWN
    own = [finding for finding in findings if finding.control == driver.control]
    worst = max((finding.severity for finding in own), key=lambda severity: severity.rank, default=None)
    endpoints = tuple(dict.fromkeys(key for finding in own for key in finding.endpoints))
    evidence = {"control": driver.control, "affects": driver.affects, "status": status,
                "worst_severity": worst, "findings": tuple(f.id for f in own), "endpoints": endpoints}
    if driver.affects is DriverEffect.MAGNITUDE:
        assert driver.magnitude_by_status is not None and driver.magnitude_source is not None
        factor = driver.magnitude_by_status[status]
        reason = f"{_status_words(status)}: magnitude x{factor:g}; {driver.magnitude_reason}"
        return ExposureAdjustment(**evidence, frequency_factor=1.0, magnitude_factor=factor, reason=reason,
                                  source=driver.magnitude_source)
    by_status = data.effects.frequency_by_status[status]
    by_severity = data.effects.frequency_by_severity[worst] if worst is not None else 1.0
    reason = f"{_status_words(status)}: frequency x{by_status:g}"
    if by_severity != 1.0 and worst is not None:
        reason += f"; worst finding {worst.value}: x{by_severity:g}"
    return ExposureAdjustment(**evidence, frequency_factor=round(by_status * by_severity, 4),
                              magnitude_factor=1.0, reason=reason, source=data.effects.frequency_source)


def _source_name(data: ScenarioFile, key: str) -> str:
    """A source as a sentence names it: its citation up to the first colon (author and title)."""
    return data.sources[key].split(":", 1)[0].strip()


def _status_words(status: ControlStatus) -> str:
    if status is ControlStatus.UNKNOWN:
        return "unknown (not observable from these inputs: counted as not in place)"
    return {ControlStatus.PASS: "pass", ControlStatus.PARTIAL: "partial (not in place everywhere)",
            ControlStatus.FAIL: "fail"}[status]


def _ranges(scenario: Scenario, adjustments: Sequence[ExposureAdjustment], inputs: ExposureInputs,
            data: ScenarioFile) -> tuple[Range90, Range90, str]:
    """The adjusted frequency and dollar magnitude ranges, and the scaling in words."""
    frequency_factor = max((a.frequency_factor for a in adjustments), default=1.0)
    magnitude_factor = float(np.prod([a.magnitude_factor for a in adjustments])) * scenario.magnitude.factor
    if scenario.magnitude.scales_with is Scaling.RECORDS:
        size = (inputs.records / data.records.reference_records) ** data.records.exponent
        industry = data.industries[inputs.industry].magnitude
        per_unit = size * industry
        reference = data.records.reference_records
        scaling = (f"{inputs.records:,} records: x{size:.3g} (records / {reference:,}) ^ "
                   f"{data.records.exponent:g}; industry {inputs.industry.value}: x{industry:g}")
    else:
        hourly = (inputs.revenue_usd / data.revenue.hours_per_year if inputs.revenue_usd is not None
                  else data.revenue.default_hourly_cost_usd)
        per_unit = hourly
        basis = (f"revenue ${inputs.revenue_usd:,.0f} / {data.revenue.hours_per_year:g} hours"
                 if inputs.revenue_usd is not None else f"default, {_source_name(data, data.revenue.source)}")
        scaling = f"outage hours x ${hourly:,.0f} an hour ({basis})"
    if magnitude_factor != 1.0:
        scaling += f"; controls and scenario: x{magnitude_factor:.3g}"
    frequency = Range90(scenario.frequency.low * frequency_factor, scenario.frequency.high * frequency_factor)
    scale = per_unit * magnitude_factor
    return frequency, Range90(scenario.magnitude.low * scale, scenario.magnitude.high * scale), scaling


def _scenario(scenario: Scenario, adjustments: tuple[ExposureAdjustment, ...], frequency: Range90,
              magnitude: Range90, scaling: str, figures: LossFigures) -> ScenarioExposure:
    """The scenario as the report shows it, the deciding frequency driver marked."""
    deciding = max((a.frequency_factor for a in adjustments), default=1.0)
    marked = tuple(a.model_copy(update={"is_deciding": True})
                   if a.frequency_factor == deciding and deciding > 1.0 and a.magnitude_factor == 1.0 else a
                   for a in adjustments)
    unit = "hours per event" if scenario.magnitude.scales_with is Scaling.REVENUE else "USD per event"
    cited = [*scenario.frequency.sources, *scenario.magnitude.sources,
             *([scenario.magnitude.factor_source] if scenario.magnitude.factor_source else []),
             *(a.source for a in marked)]
    return ScenarioExposure(
        id=scenario.id, name=scenario.name, description=" ".join(scenario.description.split()),
        base_frequency=LossRange(low=scenario.frequency.low, high=scenario.frequency.high, unit=_PER_YEAR),
        frequency=LossRange(low=round(frequency.low, 6), high=round(frequency.high, 6), unit=_PER_YEAR),
        base_magnitude=LossRange(low=scenario.magnitude.low, high=scenario.magnitude.high, unit=unit),
        magnitude=LossRange(low=round(magnitude.low), high=round(magnitude.high), unit="USD per event"),
        scaling=scaling, adjustments=marked, sources=tuple(dict.fromkeys(cited)), figures=figures,
    )


def _figures(losses: np.typing.NDArray[np.float64]) -> LossFigures:
    """The summary of sorted annual losses, rounded to whole dollars and six decimals."""
    summary = summarize(losses)
    return LossFigures(
        ale_usd=round(summary.ale), p90_usd=round(summary.p90), p99_usd=round(summary.p99),
        probability_of_loss=round(summary.probability_of_loss, 6),
        curve=tuple(LossCurvePoint(loss_usd=amount, probability=round(p, 6)) for amount, p in summary.curve),
    )


def _limit(combined: np.typing.NDArray[np.float64], limit: float) -> LimitComparison:
    """The policy limit against the combined annual loss: P(loss > limit) and the percentiles covered."""
    p90, p99 = np.quantile(combined, [0.9, 0.99])
    exceeds = round(probability_exceeds(combined, limit), 6)
    return LimitComparison(limit_usd=limit, probability_exceeds=exceeds, covers_p90=bool(limit >= p90),
                           covers_p99=bool(limit >= p99))
