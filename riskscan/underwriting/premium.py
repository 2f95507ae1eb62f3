"""Premium impact: the remediation roadmap and its combined indicative premium effect.

`assess_premium` reads the control results of a finished `Assessment` against a rating factors file
(`rating_factors.py`). Each factor whose controls are not all passing gives one roadmap line: "fix X on
these endpoints -> indicative premium effect a-b% (source)", naming the endpoints and findings of the
controls that fail or are partial. A factor whose only shortfall is controls these inputs cannot show
gives a "document or evidence" line when the factor file says evidence alone earns the credit, and no
line otherwise; a factor whose controls all pass gives none. Lines are ordered by the midpoint of their
effect per unit of effort, and combine multiplicatively, 1 - prod(1 - e), the low and high ends apart,
never past the file's cap: effects that overlap are never summed.

The industry surcharge and the endorsements' cost are shown as factors applied (or not), apart from the
roadmap's reduction. Every figure carries its source and the file's label ("indicative, industry claim,
not a quote or rating filing").
"""

from __future__ import annotations

from collections.abc import Iterable
from math import prod

from riskscan.model import (
    AppliedFactor,
    Assessment,
    ControlResult,
    ControlStatus,
    CoverageGap,
    FactorDirection,
    FactorSource,
    GapState,
    PercentRange,
    PremiumImpact,
    RoadmapAction,
    RoadmapLine,
)
from riskscan.underwriting.rating_factors import (
    Effect,
    RatingFactor,
    RatingFactors,
    check_industry,
    default_rating_factors,
)

__all__ = ["assess_premium", "combine_effects"]

_SHORT = (ControlStatus.FAIL, ControlStatus.PARTIAL)


def assess_premium(
    assessment: Assessment,
    factors: RatingFactors | None = None,
    industry: str | None = None,
    gaps: Iterable[CoverageGap] = (),
) -> PremiumImpact:
    """The roadmap, combined effect and factors applied for `assessment` under `factors` (default: the
    packaged file); `industry` is one of `INDUSTRIES` or None; `gaps` tell whether endorsements apply."""
    check_industry(industry)
    rates = factors or default_rating_factors()
    controls = {control.id: control for control in assessment.controls}
    found = (_line(factor, rates, controls, assessment) for factor in rates.factors)
    lines = [line for line in found if line is not None]
    lines.sort(key=lambda line: (-line.value_per_effort, line.factor))
    cap = rates.combination.cap
    low = combine_effects(line.effect.low for line in lines)
    high = combine_effects(line.effect.high for line in lines)
    citation = rates.source(rates.combination.source).citation
    rated = {control for factor in rates.factors for control in factor.controls}
    return PremiumImpact(
        label=rates.label, factor_file=rates.origin, effort_units=rates.effort_units, roadmap=tuple(lines),
        combined=PercentRange(low=min(low, cap), high=min(high, cap)), cap=cap, is_capped=high > cap,
        combination=(f"Roadmap effects combine multiplicatively, 1 - (1 - e1) x (1 - e2) x ..., low and high "
                     f"ends apart, capped at {cap:g}% ({citation}); they are never summed."),
        factors_applied=(_industry_factor(rates, industry), *_endorsement_factor(rates, tuple(gaps))),
        unrated_controls=tuple(sorted({f.control for f in assessment.findings} - rated)),
    )


def combine_effects(effects: Iterable[float]) -> float:
    """Percent reductions combined multiplicatively: 1 - prod(1 - e), in percent, uncapped."""
    return 100 * (1 - prod(1 - effect / 100 for effect in effects))


def _line(factor: RatingFactor, rates: RatingFactors, controls: dict[str, ControlResult],
          assessment: Assessment) -> RoadmapLine | None:
    """The roadmap line `factor` gives on this estate, or None when it has nothing to ask for."""
    results = [controls.get(control_id) for control_id in factor.controls]
    short = [r for r in results if r is not None and r.status in _SHORT]
    unknown = [cid for cid, r in zip(factor.controls, results, strict=True)
               if r is None or r.status is ControlStatus.UNKNOWN]
    if not short and not (unknown and factor.evidence_credit):
        return None
    ids = {r.id for r in short}
    findings = [f for f in assessment.findings if f.control in ids]
    keys = [result.key for r in short for result in r.endpoints if result.status is not ControlStatus.PASS]
    keys += [key for f in findings for key in f.endpoints]
    return RoadmapLine(
        factor=factor.id, action=RoadmapAction.FIX if short else RoadmapAction.EVIDENCE, title=factor.title,
        remediation=factor.remediation, controls=tuple(r.id for r in short) if short else tuple(unknown),
        endpoints=tuple(sorted(set(keys))), findings=tuple(sorted(f.id for f in findings)),
        accepted_findings=tuple(sorted(f.id for f in findings if f.accepted is not None)),
        effect=_range(factor.effect), source=_source(rates, factor.source), effort=factor.effort,
    )


def _industry_factor(rates: RatingFactors, industry: str | None) -> AppliedFactor:
    """The industry surcharge: applied when the industry given has one, else shown for context."""
    surcharge = rates.surcharge_for(industry) if industry else None
    if surcharge is not None and industry is not None:
        return AppliedFactor(
            id="industry_surcharge", title=surcharge.title, direction=FactorDirection.INCREASE,
            effect=_range(surcharge.effect), source=_source(rates, surcharge.source), is_applied=True,
            note=f"Industry {industry}: premiums said to rise {_range(surcharge.effect)}.")
    named = ", ".join(i for s in rates.industry_surcharges for i in s.industries)
    note = (f"No industry was given: the surcharge for {named} is not applied." if industry is None else
            f"The factor file has no surcharge for industry {industry}.")
    if not named:
        note = "The factor file has no industry surcharge."
    return AppliedFactor(id="industry_surcharge", title="Industry surcharge",
                         direction=FactorDirection.INCREASE, effect=None, source=None, is_applied=False, note=note)


def _endorsement_factor(rates: RatingFactors, gaps: tuple[CoverageGap, ...]) -> tuple[AppliedFactor, ...]:
    """What the endorsements the open gaps ask for are said to add, when the factor file says."""
    if rates.endorsements is None:
        return ()
    asked = sum(1 for gap in gaps if gap.state is GapState.OPEN)
    effect = _range(rates.endorsements.effect)
    gaps_ask = "1 open coverage gap asks" if asked == 1 else f"{asked} open coverage gaps ask"
    note = (f"{gaps_ask} for endorsements, said to add {effect} to premium." if asked
            else "No open coverage gap asks for an endorsement.")
    return (AppliedFactor(id="endorsements", title=rates.endorsements.title,
                          direction=FactorDirection.INCREASE, effect=effect,
                          source=_source(rates, rates.endorsements.source), is_applied=bool(asked), note=note),)


def _range(effect: Effect) -> PercentRange:
    return PercentRange(low=effect.low, high=effect.high)


def _source(rates: RatingFactors, source_id: str) -> FactorSource:
    return FactorSource(id=source_id, citation=rates.source(source_id).citation, label=rates.label)

