"""The findings section of the report: each finding with its endpoints and evidence, most severe first.

Long lists (a finding on hundreds of endpoints) are cut for reading, with the remainder counted; the
JSON report always has everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from riskscan.model import Assessment, Evidence, Finding
from riskscan.report.labels import format_count

__all__ = [
    "MAX_FINDING_ENDPOINTS",
    "MAX_FINDING_EVIDENCE",
    "MAX_SAMPLE_LINES",
    "EvidenceRow",
    "FindingView",
    "build_finding_views",
]

MAX_FINDING_ENDPOINTS = 30
"""Endpoints listed under one finding before the rest are only counted."""
MAX_FINDING_EVIDENCE = 20
"""Evidence items shown under one finding before the rest are only counted."""
MAX_SAMPLE_LINES = 8


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One piece of evidence: where it is, what it says, how often it was seen."""

    location: str
    pointer: str
    excerpt: str
    count: str
    sample_lines: str
    note: str


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding with its endpoints and evidence, ready to print."""

    id: str
    control: str
    severity: str
    severity_css: str
    title: str
    detail: str
    endpoints: tuple[str, ...]
    more_endpoints: int
    evidence: tuple[EvidenceRow, ...]
    more_evidence: str  # "and 12 more (see the JSON report)", or empty when every item is shown
    owasp: str
    remediation: str
    accepted: str = ""  # "Accepted by <owner> until 2027-03-31: <reason>", or empty while it stands


def build_finding_views(assessment: Assessment) -> tuple[FindingView, ...]:
    """Every finding, most severe first, then by id."""
    return tuple(_finding_view(f) for f in _sorted_findings(assessment.findings))


def _sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.id))


def _finding_view(finding: Finding) -> FindingView:
    # A no-break space keeps each key's method with its path when the list wraps.
    endpoints = tuple(key.replace(" ", "\u00a0", 1) for key in dict.fromkeys(finding.endpoints))
    return FindingView(
        id=finding.id,
        control=finding.control,
        severity=finding.severity.value,
        severity_css=f"sev-{finding.severity.value}",
        title=finding.title,
        detail=finding.detail,
        endpoints=endpoints[:MAX_FINDING_ENDPOINTS],
        more_endpoints=max(0, len(endpoints) - MAX_FINDING_ENDPOINTS),
        evidence=tuple(_evidence_row(e) for e in finding.evidence[:MAX_FINDING_EVIDENCE]),
        more_evidence=_more_evidence(finding),
        owasp=finding.owasp or "",
        remediation=finding.remediation or "",
        accepted=(f"Accepted risk: {finding.accepted.owner}, until {finding.accepted.expires.isoformat()}. "
                  f"{finding.accepted.reason}") if finding.accepted else "",
    )


def _evidence_row(evidence: Evidence) -> EvidenceRow:
    location = evidence.path
    if evidence.line is not None:
        location += f":{evidence.line}"
        if evidence.end_line is not None and evidence.end_line != evidence.line:
            location += f"-{evidence.end_line}"
    samples = evidence.sample_lines[:MAX_SAMPLE_LINES]
    sample_text = ", ".join(str(n) for n in samples)
    if len(evidence.sample_lines) > len(samples):
        sample_text += ", …"
    return EvidenceRow(
        location=location,
        pointer=evidence.pointer or "",
        excerpt=evidence.excerpt or "",
        count="" if evidence.count is None else _occurrences(evidence.count),
        sample_lines=sample_text,
        note=evidence.note or "",
    )


def _occurrences(count: int) -> str:
    return f"{format_count(count)} occurrence{'' if count == 1 else 's'}"


def _more_evidence(finding: Finding) -> str:
    """What the report says of the evidence it does not show: where the rest is, and how much of it
    the JSON report lists when the catalogue's cap cut the list there too."""
    listed = len(finding.evidence)
    hidden = max(0, listed - MAX_FINDING_EVIDENCE) + finding.evidence_omitted
    if not hidden:
        return ""
    if not finding.evidence_omitted:
        return f"and {hidden:,} more (see the JSON report)"
    return f"and {hidden:,} more (the JSON report lists {listed:,} of the {listed + finding.evidence_omitted:,})"
