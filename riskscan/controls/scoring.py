"""Scores: from an evaluator's outcome to a `ControlResult`, and from control results to a grade.

A control scores the share of its applicable endpoints that pass, each endpoint with findings counting
as a fraction of a failure set by the worst severity raised on it; estate-wide findings (no endpoints)
take fixed points off, and a critical or high finding caps the score. The overall score is the weight-averaged score of the controls whose status is
known, and the grade is capped while critical or high findings stand. All numbers come from the
catalogue's `scoring` section.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from riskscan.controls.catalogue import ScoringRules
from riskscan.controls.outcome import ControlOutcome, FindingDraft, unique_evidence
from riskscan.model import ControlResult, ControlStatus, Finding, Grade, Severity

__all__ = ["control_result", "overall_grade", "overall_score"]


def control_result(outcome: ControlOutcome, rules: ScoringRules) -> ControlResult:
    """The scored, capped `ControlResult` for one evaluator outcome."""
    control = outcome.control
    score = None if outcome.applicable is None else _score(outcome.applicable, outcome.drafts, rules)
    drafted = (item for draft in outcome.drafts for item in draft.evidence)
    return ControlResult(
        id=control.id,
        name=control.name,
        score=score,
        status=_status(score, rules),
        summary=outcome.summary,
        weight=control.weight,
        evidence=unique_evidence([*drafted, *outcome.evidence])[: rules.evidence_per_control],
        limitations=outcome.limitations,
        owasp=control.owasp,
    )


def overall_score(results: Sequence[ControlResult], rules: ScoringRules) -> int:
    """Weighted mean of the known controls' scores; `all_unknown_score` when none is known."""
    known = [(result.score, result.weight) for result in results if result.score is not None]
    total_weight = sum(weight for _, weight in known)
    if not known or total_weight <= 0:
        return rules.all_unknown_score
    return round(sum(score * weight for score, weight in known) / total_weight)


def overall_grade(score: int, findings: Iterable[Finding], rules: ScoringRules) -> Grade:
    """The grade for `score`, no better than the cap of the most severe finding standing."""
    grade = rules.grade_for(score)
    order = list(Grade)  # A first: a smaller index is a better grade
    for severity in {finding.severity for finding in findings}:
        cap = rules.grade_caps.get(severity)
        if cap is not None and order.index(cap) > order.index(grade):
            grade = cap
    return grade


def _score(applicable: Sequence[str], drafts: Sequence[FindingDraft], rules: ScoringRules) -> int:
    worst: dict[str, Severity] = {}
    estate_penalty = 0
    for draft in drafts:
        if not draft.endpoints:
            estate_penalty += rules.estate_penalty[draft.severity]
        for key in draft.endpoints:
            if key not in worst or draft.severity.rank > worst[key].rank:
                worst[key] = draft.severity
    shortfall = sum(rules.severity_shortfall[worst[key]] for key in applicable if key in worst)
    share = 1.0 - shortfall / len(applicable) if applicable else 1.0
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
