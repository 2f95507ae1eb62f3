"""The JSON report's `coverage_gaps` and `premium`: laid out from `Assessment.coverage`, nothing decided.

Kept apart from `json_report` so that the underwriting sections grow without lengthening it; the evidence
serializer is passed in so that evidence reads the same everywhere in the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from riskscan.model import AppliedFactor, CoverageGap, CoverageReview, Evidence, PercentRange, RoadmapLine

__all__ = ["coverage_gaps_document", "premium_document"]

Document = dict[str, Any]
EvidenceWriter = Callable[[Iterable[Evidence]], list[Document]]


def coverage_gaps_document(review: CoverageReview | None, evidence: EvidenceWriter) -> list[Document]:
    """Every gap, in the review's order (open first, most severe first); empty without a review."""
    return [] if review is None else [_gap(gap, evidence) for gap in review.gaps]


def premium_document(review: CoverageReview | None) -> Document | None:
    """The roadmap, combined effect and factors applied; None without a review."""
    if review is None:
        return None
    premium = review.premium
    return {
        "label": premium.label,
        "factor_file": premium.factor_file,
        "effort_units": premium.effort_units,
        "roadmap": [_line(line) for line in premium.roadmap],
        "combined": _range(premium.combined),
        "cap": premium.cap,
        "capped": premium.is_capped,
        "combination": premium.combination,
        "factors_applied": [_applied(factor) for factor in premium.factors_applied],
        "unrated_controls": list(premium.unrated_controls),
    }


def _gap(gap: CoverageGap, evidence: EvidenceWriter) -> Document:
    return {
        "rule": gap.rule,
        "title": gap.title,
        "state": gap.state.value,
        "severity": gap.severity.value,
        "condition": gap.condition,
        "policy_wording": gap.policy_wording,
        "endorsement": gap.endorsement,
        "reasons": list(gap.reasons),
        "endpoints": list(gap.endpoints),
        "findings": list(gap.findings),
        "accepted_findings": list(gap.accepted_findings),
        "accepted": gap.is_accepted,
        "unknown_controls": list(gap.unknown_controls),
        "evidence": evidence(gap.evidence),
    }


def _line(line: RoadmapLine) -> Document:
    return {
        "factor": line.factor,
        "action": line.action.value,
        "title": line.title,
        "text": line.text,
        "remediation": line.remediation,
        "controls": list(line.controls),
        "endpoints": list(line.endpoints),
        "findings": list(line.findings),
        "accepted_findings": list(line.accepted_findings),
        "effect": _range(line.effect),
        "source": {"id": line.source.id, "citation": line.source.citation, "label": line.source.label},
        "effort": line.effort,
        "effect_per_effort": round(line.value_per_effort, 4),
    }


def _applied(factor: AppliedFactor) -> Document:
    source = factor.source
    return {
        "id": factor.id,
        "title": factor.title,
        "direction": factor.direction.value,
        "effect": _range(factor.effect) if factor.effect else None,
        "source": {"id": source.id, "citation": source.citation, "label": source.label} if source else None,
        "applied": factor.is_applied,
        "note": factor.note,
    }


def _range(effect: PercentRange) -> Document:
    return {"low": effect.low, "high": effect.high}
