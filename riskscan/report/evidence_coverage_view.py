"""Coverage statements as the report prints them: beside the grade and under each control.

The controls stage computes how much the inputs could show (`EvidenceCoverage`); this view only words
it: the endpoints and gateway routes judged with evidence, the traffic window and the share of
requests the specs document, the evidence level and the input kinds not given. A control whose
evidence level is printed in its own row does not repeat it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from riskscan.model import Assessment, EvidenceCoverage, InputFamily, TrafficCoverage
from riskscan.report.basis_view import EVIDENCE_LABELS
from riskscan.report.labels import format_count, format_date

__all__ = ["EvidenceCoverageView", "build_evidence_coverage_view", "coverage_sentences"]

INPUT_LABELS: Mapping[InputFamily, str] = MappingProxyType({
    InputFamily.SPECS: "API specs",
    InputFamily.GATEWAYS: "gateway configs",
    InputFamily.TRAFFIC: "traffic logs",
})
"""How a missing input kind is named."""


@dataclass(frozen=True, slots=True)
class EvidenceCoverageView:
    """The coverage statements of one report: beside the grade, and per control id."""

    grade: tuple[str, ...]
    controls: Mapping[str, tuple[str, ...]]


def build_evidence_coverage_view(assessment: Assessment) -> EvidenceCoverageView:
    """Every coverage statement of `assessment`; empty where the assessment carries none."""
    overall = assessment.basis.coverage
    return EvidenceCoverageView(
        grade=coverage_sentences(overall, in_full=True) if overall else (),
        controls=MappingProxyType({c.id: coverage_sentences(c.coverage) if c.coverage else ()
                                   for c in assessment.controls}),
    )


def coverage_sentences(coverage: EvidenceCoverage, *, in_full: bool = False) -> tuple[str, ...]:
    """What the inputs could show, a few short sentences: judged, traffic, evidence, missing inputs.
    `in_full` (beside the grade) adds the traffic window's dates and the evidence level; under a
    control, whose row shows its level, the window's length is enough."""
    sentences = [_judged(coverage)]
    if coverage.traffic is not None:
        sentences.append(_traffic(coverage.traffic, in_full))
    if in_full:
        sentences.append(f"Evidence: {EVIDENCE_LABELS[coverage.evidence_strength]}.")
    if coverage.missing_inputs:
        names = ", ".join(INPUT_LABELS[family] for family in coverage.missing_inputs)
        sentences.append(f"Not given: {names}.")
    return tuple(sentences)


def _judged(coverage: EvidenceCoverage) -> str:
    """`Judged with evidence: 9 of 10 endpoints (90%), 8 of 8 gateway routes (100%).`"""
    if not coverage.endpoints_total:
        return "No endpoint in the inventory."
    parts = [_share(coverage.endpoints_judged, coverage.endpoints_total, "endpoint")]
    if coverage.routes_judged is not None and coverage.routes_total:
        parts.append(_share(coverage.routes_judged, coverage.routes_total, "gateway route"))
    return f"Judged with evidence: {', '.join(parts)}."


def _traffic(traffic: TrafficCoverage, in_full: bool) -> str:
    """`Traffic 9 November 2026 to 15 November 2026 (7.0 days): 8,932 of 9,027 requests (98.9%) to
    documented endpoints.`; without `in_full`, `Traffic over 7.0 days: ...`."""
    if traffic.first_seen and traffic.last_seen and in_full:
        dates = f"{format_date(traffic.first_seen)} to {format_date(traffic.last_seen)}"
        window = f"Traffic {dates} ({traffic.days} days)"
    elif traffic.days is not None:
        window = f"Traffic over {traffic.days} days"
    else:
        window = "Traffic (no timestamps)"
    if not traffic.requests:
        return f"{window}: no request reached an inventoried endpoint."
    share = traffic.documented_requests / traffic.requests  # from the counts: the stored share is rounded
    return (f"{window}: {format_count(traffic.documented_requests)} of {format_count(traffic.requests)} "
            f"requests ({share:.1%}) to documented endpoints.")


def _share(part: int, whole: int, noun: str) -> str:
    nouns = noun if whole == 1 else f"{noun}s"
    return f"{format_count(part)} of {format_count(whole)} {nouns} ({part / whole:.0%})"
