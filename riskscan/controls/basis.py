"""What the grade rests on: the assessment's evidence basis, the caps that held the grade down, and
how the score is made, in words.

The report prints these on its face (cover, executive summary, terminal summary), so that a grade
forwarded to an insurer never claims more than the evidence behind it. The texts come from the
catalogue's `scoring` section; `scoring_method` is the short version of docs/scoring.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from riskscan.controls.catalogue import Catalogue, ScoringRules, render
from riskscan.controls.evidence import material_strength
from riskscan.model import ControlResult, ControlStatus, EvidenceStrength, Finding, Grade, GradeBasis

__all__ = ["grade_basis", "grade_caps", "overall_strength", "scoring_method"]


def overall_strength(results: Sequence[ControlResult], rules: ScoringRules) -> EvidenceStrength:
    """The weakest evidence carrying a material share of the weight of the controls that could be
    assessed, each control's weight spread over its levels in proportion to the endpoints judged at
    each (one declared route among nine is a ninth of that control, not all of it); `not_observable`
    when no control could be assessed. Controls the catalogue exempts (`basis_exempt`: what data a
    spec describes can only be declared) are left out."""
    weights: dict[EvidenceStrength, float] = dict.fromkeys(EvidenceStrength, 0.0)
    for result in results:
        if result.status is ControlStatus.UNKNOWN or result.id in rules.basis_exempt:
            continue
        judged = sum(result.evidence_breakdown.values())
        if judged <= 0:
            weights[result.evidence_strength] += result.weight
            continue
        for level, count in result.evidence_breakdown.items():
            weights[level] += result.weight * count / judged
    return material_strength(weights, rules.material_share)


def grade_caps(
    findings: Iterable[Finding], strength: EvidenceStrength, rules: ScoringRules
) -> list[tuple[Grade, str]]:
    """Every grade cap in force, with its reason: the most severe findings' first, then the evidence's."""
    caps: list[tuple[Grade, str]] = []
    for severity in sorted({finding.severity for finding in findings}, key=lambda s: -s.rank):
        cap = rules.grade_caps.get(severity)
        if cap is not None:
            caps.append((cap, f"a {severity.value} finding stands"))
    cap = rules.evidence_cap(strength)
    if cap is not None:
        caps.append((cap, f"the evidence is {rules.evidence_statements[strength]}"))
    return caps


def grade_basis(
    results: Sequence[ControlResult],
    strength: EvidenceStrength,
    caps: Sequence[tuple[Grade, str]],
    uncapped: Grade,
    catalogue: Catalogue,
) -> GradeBasis:
    """What the grade rests on; `caps` that are no worse than the `uncapped` grade are left unsaid."""
    order = list(Grade)
    by_strength = Counter(result.evidence_strength for result in results)
    return GradeBasis(
        evidence_strength=strength,
        statement=catalogue.scoring.evidence_statements[strength],
        controls_by_strength={level: by_strength[level] for level in EvidenceStrength},
        unknown_controls=tuple(r.id for r in results if r.status is ControlStatus.UNKNOWN),
        caps=tuple(
            f"Capped at {cap.value} (the score alone gives {uncapped.value}): {reason}."
            for cap, reason in caps
            if order.index(cap) > order.index(uncapped)
        ),
        method=scoring_method(catalogue),
    )


def scoring_method(catalogue: Catalogue) -> str:
    """How the score and grade are made, with the catalogue's numbers (the report quotes it)."""
    rules = catalogue.scoring
    bands = sorted(rules.grades.items(), key=lambda item: -item[1])
    finding_caps = [f"at {grade.value} while a {severity.value} finding stands"
                    for severity, grade in sorted(rules.grade_caps.items(), key=lambda item: -item[0].rank)]
    evidence_caps = [f"at {grade.value} when the evidence is {level.value.replace('_', ' ')} or weaker"
                     for level, grade in sorted(rules.evidence_grade_caps.items(), key=lambda i: -i[0].rank)]
    fields = {
        "controls": len(catalogue.controls),
        "weights": ", ".join(f"{control.id} {control.weight:g}" for control in catalogue.controls),
        "unknown_score": rules.unknown_score,
        "bands": ", ".join(f"{grade.value} from {minimum}" for grade, minimum in bands) + ", F below",
        "finding_caps": " and ".join(finding_caps) or "by no finding",
        "evidence_caps": " and ".join(evidence_caps) or "the evidence caps nothing",
    }
    return render(rules.method, fields, where="scoring method")
