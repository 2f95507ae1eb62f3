"""Scores: from an evaluator's outcome to a `ControlResult`, and from control results to a grade.

A control scores the weighted share of its applicable endpoints that pass, each endpoint weighing by
its exposure, data and traffic (`riskscan.controls.weights`) and, with findings, counting as a
fraction of a failure set by the worst severity raised on it; estate-wide findings (no endpoints)
take fixed points off, and a critical or high finding caps the score. Each result carries the evidence
it rests on (see `riskscan.controls.evidence`). The overall score is the weight-averaged score of every
control, an unknown one counting as `unknown_score` (0), so missing evidence never raises it; the grade
is capped while critical or high findings stand and when the evidence is declarations alone. All
numbers come from the catalogue's `scoring` section.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from riskscan.controls.catalogue import ScoringRules
from riskscan.controls.evidence import material_strength
from riskscan.controls.outcome import ControlOutcome, FindingDraft, unique_evidence
from riskscan.controls.weights import NEUTRAL_WEIGHT
from riskscan.model import (
    ControlResult,
    ControlStatus,
    EndpointControlResult,
    EvidenceStrength,
    Finding,
    Grade,
    Severity,
)

__all__ = ["capped_grade", "control_result", "overall_score"]


def control_result(
    outcome: ControlOutcome,
    rules: ScoringRules,
    findings: Sequence[Finding] = (),
    weights: Mapping[str, float] | None = None,
) -> ControlResult:
    """The scored, capped `ControlResult` for one evaluator outcome; `findings` are the numbered
    findings of its drafts, which the per-endpoint results cite. `weights` gives each endpoint key's
    weight (`riskscan.controls.weights`); a key it lacks weighs `NEUTRAL_WEIGHT`, as all do without it."""
    control = outcome.control
    weights = weights or {}
    score = None if outcome.applicable is None else _score(outcome.applicable, outcome.drafts, rules, weights)
    if score is not None and not outcome.can_pass:
        score = min(score, rules.pass_at - 1)
    drafted = (item for draft in outcome.drafts for item in draft.evidence)
    counts = Counter(outcome.strengths.values()) if score is not None else Counter[EvidenceStrength]()
    evidence = unique_evidence([*drafted, *outcome.evidence])
    return ControlResult(
        id=control.id,
        name=control.name,
        score=score,
        status=_status(score, rules),
        summary=outcome.summary,
        weight=control.weight,
        evidence=evidence[: rules.evidence_per_control],
        evidence_omitted=max(0, len(evidence) - rules.evidence_per_control),
        limitations=outcome.limitations,
        owasp=control.owasp,
        evidence_strength=material_strength(counts, rules.material_share),
        evidence_breakdown={level: counts[level] for level in EvidenceStrength},
        endpoints=() if score is None else _endpoint_results(outcome, findings, rules, weights),
    )


def _endpoint_results(
    outcome: ControlOutcome, findings: Sequence[Finding], rules: ScoringRules, weights: Mapping[str, float]
) -> tuple[EndpointControlResult, ...]:
    """Each judged endpoint's own verdict: failed when its worst finding counts as a whole failure in
    the score (`severity_shortfall` 1), partial when it counts as part of one, passed otherwise."""
    cited: dict[str, list[Finding]] = {}
    for finding in findings:
        for key in dict.fromkeys(finding.endpoints):
            cited.setdefault(key, []).append(finding)
    results = []
    for key in dict.fromkeys(outcome.applicable or ()):
        named = cited.get(key, [])
        shortfall = max((rules.severity_shortfall[finding.severity] for finding in named), default=0.0)
        status = (ControlStatus.FAIL if shortfall >= 1
                  else ControlStatus.PARTIAL if shortfall > 0 else ControlStatus.PASS)
        strength = outcome.strengths.get(key, EvidenceStrength.NOT_OBSERVABLE)
        results.append(EndpointControlResult(key=key, status=status, evidence_strength=strength,
                                             findings=tuple(finding.id for finding in named),
                                             weight=weights.get(key, NEUTRAL_WEIGHT)))
    return tuple(sorted(results, key=lambda result: result.key))


def overall_score(results: Sequence[ControlResult], rules: ScoringRules) -> int:
    """Weighted mean of every control's score, an unknown control counting as `unknown_score`."""
    scored = [(rules.unknown_score if r.score is None else r.score, r.weight) for r in results]
    total_weight = sum(weight for _, weight in scored)
    if total_weight <= 0:
        return rules.unknown_score
    return round(sum(score * weight for score, weight in scored) / total_weight)


def capped_grade(grade: Grade, caps: Sequence[Grade]) -> Grade:
    """`grade`, no better than the worst of `caps`."""
    return max([grade, *caps], key=list(Grade).index)  # A first: a larger index is a worse grade


def _score(
    applicable: Sequence[str],
    drafts: Sequence[FindingDraft],
    rules: ScoringRules,
    weights: Mapping[str, float],
) -> int:
    """100 x the weighted share that passes, less estate-wide penalties, within the severity caps."""
    worst: dict[str, Severity] = {}
    estate_penalty = 0
    for draft in drafts:
        if not draft.endpoints:
            estate_penalty += rules.estate_penalty[draft.severity]
        for key in draft.endpoints:
            if key not in worst or draft.severity.rank > worst[key].rank:
                worst[key] = draft.severity
    judged = dict.fromkeys(applicable)
    total = sum(weights.get(key, NEUTRAL_WEIGHT) for key in judged)
    shortfall = sum(weights.get(key, NEUTRAL_WEIGHT) * rules.severity_shortfall[worst[key]]
                    for key in judged if key in worst)
    share = 1.0 - shortfall / total if total > 0 else 1.0
    caps = [rules.score_caps.get(draft.severity, 100) for draft in drafts]
    return max(0, min(100, *caps, round(100 * share) - estate_penalty))


def _status(score: int | None, rules: ScoringRules) -> ControlStatus:
    if score is None:
        return ControlStatus.UNKNOWN
    if score >= rules.pass_at:
        return ControlStatus.PASS
    if score < rules.fail_below:
        return ControlStatus.FAIL
    return ControlStatus.PARTIAL
