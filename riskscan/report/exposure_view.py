"""The loss exposure section of the HTML and PDF report: tables per scenario and the exceedance curve.

`build_exposure_view` words and formats what `Assessment.exposure` holds (dollars to three significant
figures, since the model is indicative; probabilities as percentages) and draws the loss exceedance
curve as inline SVG: log-scaled loss on x, probability on y, one line per scenario, the combined line
thick and the policy limit as a vertical line. The SVG holds numbers, fixed labels and scenario names
escaped here, never raw text, so it is passed to the template as markup. Nothing here models or decides
anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from riskscan.model import (
    ControlStatus,
    DriverEffect,
    Exposure,
    ExposureAdjustment,
    LossFigures,
    ScenarioExposure,
)
from riskscan.model.exposure import format_usd

__all__ = ["AdjustmentRow", "ExposureView", "ScenarioRow", "build_exposure_view", "format_usd",
           "loss_curve_svg"]

MAX_ENDPOINTS_SHOWN = 4
"""Endpoints listed beside a driving control before the rest are only counted (the JSON has all)."""
_COLOURS = ("#c0392b", "#d68910", "#2471a3", "#7d3c98", "#148f77", "#5d6d7e")
_STATUS_CSS = {status: f"st-{status.value}" for status in ControlStatus}


@dataclass(frozen=True, slots=True)
class AdjustmentRow:
    """One driving control of a scenario, as its table shows it."""

    control: str
    status: str
    status_css: str
    effect: str  # "frequency x3.99 (deciding)" or "magnitude x1.2"
    evidence: str  # finding ids and endpoints, or "no finding"
    reason: str


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """One scenario: its summary line and its own table."""

    name: str
    description: str
    colour: str
    frequency: str
    magnitude: str
    scaling: str
    ale: str
    p90: str
    p99: str
    probability_of_loss: str
    deciding: str  # the controls that set its frequency, or "baseline"
    adjustments: tuple[AdjustmentRow, ...]
    sources: str


@dataclass(frozen=True, slots=True)
class ExposureView:
    """The exposure section, ready to print."""

    headline: str
    inputs: tuple[str, ...]
    assumed: tuple[str, ...]
    method: str
    scenarios: tuple[ScenarioRow, ...]
    combined: tuple[str, str, str, str]  # ALE, P90, P99, P(loss)
    limit: str  # one sentence, or empty without --limit
    limit_css: str
    curve_svg: Markup
    sources: tuple[tuple[str, str], ...]


def build_exposure_view(exposure: Exposure | None) -> ExposureView | None:
    """The section's view, or None when the assessment carries no exposure."""
    if exposure is None:
        return None
    inputs = exposure.inputs
    return ExposureView(
        headline=exposure.headline,
        inputs=(f"Records reachable: {inputs.records:,}", f"Industry: {inputs.industry.value}",
                f"Annual revenue: {format_usd(inputs.revenue_usd) if inputs.revenue_usd else 'not given'}",
                f"Policy limit: {format_usd(inputs.limit_usd) if inputs.limit_usd else 'not given'}",
                f"Seed {inputs.seed}, {inputs.trials:,} simulated years per scenario"),
        assumed=inputs.assumed,
        method=exposure.method,
        scenarios=tuple(_scenario_row(s, _colour(i)) for i, s in enumerate(exposure.scenarios)),
        combined=_figures(exposure.combined),
        limit=_limit_sentence(exposure),
        limit_css="limit-short" if exposure.limit and not exposure.limit.covers_p99 else "limit-ok",
        curve_svg=loss_curve_svg(exposure),
        sources=tuple(sorted(exposure.sources.items())),
    )


def _colour(index: int) -> str:
    """The colour of the scenario at `index`, the same in its table and on the curve."""
    return _COLOURS[index % len(_COLOURS)]


def _percent(probability: float) -> str:
    if probability == 0:
        return "0%"
    return f"{probability:.2%}" if probability < 0.1 else f"{probability:.1%}"


def _figures(figures: LossFigures) -> tuple[str, str, str, str]:
    return (format_usd(figures.ale_usd), format_usd(figures.p90_usd), format_usd(figures.p99_usd),
            _percent(figures.probability_of_loss))


def _scenario_row(scenario: ScenarioExposure, colour: str) -> ScenarioRow:
    ale, p90, p99, chance = _figures(scenario.figures)
    deciding = [a.control for a in scenario.adjustments if a.is_deciding]
    base, now = scenario.base_frequency, scenario.frequency
    frequency = f"{_rate(now.low)} to {_rate(now.high)} events a year"
    if (now.low, now.high) != (base.low, base.high):
        frequency += f" (baseline {_rate(base.low)} to {_rate(base.high)})"
    return ScenarioRow(
        name=scenario.name, description=scenario.description, colour=colour, frequency=frequency,
        magnitude=f"{format_usd(scenario.magnitude.low)} to {format_usd(scenario.magnitude.high)} an event",
        scaling=scenario.scaling, ale=ale, p90=p90, p99=p99, probability_of_loss=chance,
        deciding=", ".join(deciding) or "baseline (drivers in place)",
        adjustments=tuple(_adjustment_row(a) for a in scenario.adjustments),
        sources=", ".join(scenario.sources),
    )


def _rate(value: float) -> str:
    """An event rate with enough digits to read: 0.0015, 0.059, 1.2."""
    return f"{value:.2g}" if value < 1 else f"{value:.3g}"


def _adjustment_row(adjustment: ExposureAdjustment) -> AdjustmentRow:
    if adjustment.affects is DriverEffect.MAGNITUDE:
        effect = f"magnitude x{adjustment.magnitude_factor:g}"
    else:
        deciding = " (deciding)" if adjustment.is_deciding else ""
        effect = f"frequency x{adjustment.frequency_factor:g}{deciding}"
    return AdjustmentRow(control=adjustment.control, status=adjustment.status.value,
                         status_css=_STATUS_CSS[adjustment.status], effect=effect,
                         evidence=_evidence(adjustment), reason=adjustment.reason)


def _evidence(adjustment: ExposureAdjustment) -> str:
    """`BOLA-001, BOLA-002 on GET /v2/claims/{id}, ... (+12 more)`, or what stands in for it."""
    if not adjustment.findings:
        return "no finding" if adjustment.status is not ControlStatus.UNKNOWN else "not observable"
    shown = list(adjustment.endpoints[:MAX_ENDPOINTS_SHOWN])
    more = len(adjustment.endpoints) - len(shown)
    where = f" on {', '.join(shown)}" if shown else ""
    return f"{', '.join(adjustment.findings)}{where}" + (f" (+{more} more endpoints)" if more > 0 else "")


def _limit_sentence(exposure: Exposure) -> str:
    limit = exposure.limit
    if limit is None:
        return ""
    covers = {(True, True): "covers both the 90th and the 99th percentile",
              (True, False): "covers the 90th percentile but not the 99th",
              (False, False): "covers neither the 90th nor the 99th percentile"}
    which = covers[(limit.covers_p90, limit.covers_p99)]
    return (f"The policy limit of {format_usd(limit.limit_usd)} {which} "
            "of the modelled annual loss; the annual loss exceeds it with probability "
            f"{_percent(limit.probability_exceeds)}.")


# --------------------------------------------------------------------------- the curve, as SVG

_W, _H = 640, 270
_LEFT, _RIGHT, _TOP, _BOTTOM = 52, 150, 12, 36


def loss_curve_svg(exposure: Exposure) -> Markup:
    """The loss exceedance curves (combined thick, scenarios thin) with the limit as a vertical line."""
    lo, hi = _x_decades(exposure)
    top = _nice_ceiling(max([exposure.combined.probability_of_loss, 0.001]))

    def x(amount: float) -> float:
        return _LEFT + (math.log10(amount) - lo) / (hi - lo) * (_W - _LEFT - _RIGHT)

    def y(probability: float) -> float:
        return _TOP + (1 - probability / top) * (_H - _TOP - _BOTTOM)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" class="loss-curve" role="img" '
             'aria-label="Loss exceedance curve: probability that annual loss exceeds each amount">']
    parts += _axes(lo, hi, top, x, y)
    lines = [(s.name, s.figures, _colour(i), 1.4) for i, s in enumerate(exposure.scenarios)]
    lines.append(("Combined", exposure.combined, "#1d3557", 3.0))
    for number, (name, figures, colour, width) in enumerate(lines):
        points = " ".join(f"{x(p.loss_usd):.1f},{y(p.probability):.1f}"
                          for p in figures.curve if lo <= math.log10(p.loss_usd) <= hi)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="{width}" points="{points}"/>')
        parts += _legend_entry(number, name, colour, width)
    if exposure.limit is not None and lo <= math.log10(exposure.limit.limit_usd) <= hi:
        at = x(exposure.limit.limit_usd)
        parts.append(f'<line x1="{at:.1f}" y1="{_TOP}" x2="{at:.1f}" y2="{_H - _BOTTOM}" stroke="#111" '
                     'stroke-width="1.5" stroke-dasharray="5,3"/>')
        parts.append(f'<text x="{at + 3:.1f}" y="{_TOP + 10}" font-size="10">limit '
                     f'{_escape(format_usd(exposure.limit.limit_usd))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _x_decades(exposure: Exposure) -> tuple[int, int]:
    """The decades the x axis spans: $10k to $1B at least, widened to show the limit and the tail."""
    amounts = [1e4, 1e9, exposure.combined.p99_usd * 10]
    if exposure.limit is not None:
        amounts += [exposure.limit.limit_usd / 10, exposure.limit.limit_usd * 10]
    positive = [amount for amount in amounts if amount > 0]
    return max(3, math.floor(math.log10(min(positive)))), min(10, math.ceil(math.log10(max(positive))))


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten at or above `value` (at most 1)."""
    power = 10.0 ** math.floor(math.log10(value))
    return min(1.0, next(step * power for step in (1.0, 2.0, 5.0, 10.0) if step * power >= value))


Scale = Callable[[float], float]


def _axes(lo: int, hi: int, top: float, x: Scale, y: Scale) -> list[str]:
    parts = [f'<rect x="{_LEFT}" y="{_TOP}" width="{_W - _LEFT - _RIGHT}" height="{_H - _TOP - _BOTTOM}" '
             'fill="#fbfcfd" stroke="#9aa5b1" stroke-width="0.8"/>']
    for decade in range(lo, hi + 1):
        at = x(10.0 ** decade)
        parts.append(f'<line x1="{at:.1f}" y1="{_TOP}" x2="{at:.1f}" y2="{_H - _BOTTOM}" stroke="#d3d8de" '
                     'stroke-width="0.6"/>')
        parts.append(f'<text x="{at:.1f}" y="{_H - _BOTTOM + 13}" font-size="9.5" text-anchor="middle">'
                     f'{_escape(format_usd(10.0 ** decade))}</text>')
    for step in range(5):
        probability = top * step / 4
        at = y(probability)
        parts.append(f'<line x1="{_LEFT}" y1="{at:.1f}" x2="{_W - _RIGHT}" y2="{at:.1f}" stroke="#e5e8eb" '
                     'stroke-width="0.6"/>')
        parts.append(f'<text x="{_LEFT - 4}" y="{at + 3:.1f}" font-size="9.5" text-anchor="end">'
                     f'{_percent(probability)}</text>')
    parts.append(f'<text x="{(_LEFT + _W - _RIGHT) / 2:.0f}" y="{_H - 4}" font-size="10" '
                 'text-anchor="middle">Annual loss (USD, log scale)</text>')
    parts.append(f'<text x="11" y="{(_TOP + _H - _BOTTOM) / 2:.0f}" font-size="10" text-anchor="middle" '
                 f'transform="rotate(-90 11 {(_TOP + _H - _BOTTOM) / 2:.0f})">P(annual loss &gt; x)</text>')
    return parts


def _legend_entry(number: int, name: str, colour: str, width: float) -> list[str]:
    top = _TOP + 6 + number * 16
    left = _W - _RIGHT + 10
    return [f'<line x1="{left}" y1="{top}" x2="{left + 16}" y2="{top}" stroke="{colour}" '
            f'stroke-width="{width}"/>',
            f'<text x="{left + 20}" y="{top + 3.5}" font-size="9">{_escape(_short(name))}</text>']


def _short(name: str) -> str:
    """A scenario name short enough for the legend."""
    return name if len(name) <= 22 else name[:21].rstrip() + "\u2026"


def _escape(text: str) -> str:
    return str(Markup.escape(text))
