"""The coverage gaps section of the HTML and PDF report, formatted for an underwriter.

Copies `Assessment.coverage.gaps` into plain, printable values: the gap, its state in words ("open", or
"cannot be ruled out from these inputs"), the policy wording to check and the endorsement to ask for,
and the endpoints, findings and evidence locations behind it. Nothing is judged here; long lists are cut
for reading with the remainder counted (the JSON report has everything).
"""

from __future__ import annotations

from dataclasses import dataclass

from riskscan.model import Assessment, CoverageGap, Evidence, GapState

__all__ = ["MAX_GAP_ENDPOINTS", "MAX_GAP_LOCATIONS", "CoverageView", "GapView", "build_coverage_view"]

MAX_GAP_ENDPOINTS = 20
"""Endpoints listed under one gap before the rest are only counted."""
MAX_GAP_LOCATIONS = 8
"""Evidence locations listed under one gap (the findings section shows each in full)."""

_STATE_LABELS = {
    GapState.OPEN: "open",
    GapState.CANNOT_BE_RULED_OUT: "cannot be ruled out from these inputs",
}


@dataclass(frozen=True, slots=True)
class GapView:
    """One coverage gap, ready to print."""

    rule: str
    title: str
    state: str
    state_css: str
    severity: str
    severity_css: str
    condition: str
    policy_wording: str
    endorsement: str
    reasons: tuple[str, ...]
    endpoints: tuple[str, ...]
    more_endpoints: int
    findings: str  # "AUTH-001, BOLA-002", or empty
    accepted: str  # why the gap stands although its findings are accepted, or empty
    unknown_controls: str  # "monitoring, third_party", or empty
    locations: tuple[str, ...]  # "gateway/apisix.yaml:40", the first few
    more_locations: int


@dataclass(frozen=True, slots=True)
class CoverageView:
    """The coverage gaps section."""

    headline: str
    gaps: tuple[GapView, ...]
    open_count: int
    unknown_count: int


def build_coverage_view(assessment: Assessment) -> CoverageView | None:
    """The section's values; None when the assessment carries no coverage review."""
    review = assessment.coverage
    if review is None:
        return None
    gaps = tuple(_gap_view(gap) for gap in review.gaps)
    open_count = sum(1 for gap in review.gaps if gap.state is GapState.OPEN)
    return CoverageView(headline=review.headline, gaps=gaps, open_count=open_count,
                        unknown_count=len(gaps) - open_count)


def _gap_view(gap: CoverageGap) -> GapView:
    # A no-break space keeps each key's method with its path when the list wraps.
    endpoints = tuple(key.replace(" ", "\u00a0", 1) for key in gap.endpoints)
    locations = tuple(dict.fromkeys(_location(item) for item in gap.evidence))
    return GapView(
        rule=gap.rule,
        title=gap.title,
        state=_STATE_LABELS[gap.state],
        state_css="st-fail" if gap.state is GapState.OPEN else "st-unknown",
        severity=gap.severity.value,
        severity_css=f"sev-{gap.severity.value}",
        condition=gap.condition,
        policy_wording=gap.policy_wording,
        endorsement=gap.endorsement,
        reasons=gap.reasons,
        endpoints=endpoints[:MAX_GAP_ENDPOINTS],
        more_endpoints=max(0, len(endpoints) - MAX_GAP_ENDPOINTS),
        findings=", ".join(gap.findings),
        accepted=_accepted_note(gap),
        unknown_controls=", ".join(gap.unknown_controls),
        locations=locations[:MAX_GAP_LOCATIONS],
        more_locations=max(0, len(locations) - MAX_GAP_LOCATIONS),
    )


def _accepted_note(gap: CoverageGap) -> str:
    if not gap.accepted_findings:
        return ""
    who = "All" if gap.is_accepted else "Some"
    ids = ", ".join(gap.accepted_findings)
    return (f"{who} of its findings are accepted as known risks ({ids}); the gap stands: an insurer's "
            "exclusion does not depend on internal acceptance.")


def _location(evidence: Evidence) -> str:
    """`gateway/apisix.yaml:40`, or the file with its count for log evidence."""
    if evidence.line is not None:
        return f"{evidence.path}:{evidence.line}"
    if evidence.count is not None:
        return f"{evidence.path} ({evidence.count:,} occurrences)"
    return evidence.path
