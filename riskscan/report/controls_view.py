"""The controls table of the report: one row per control, its status, score, evidence and limits.

Values are copied from each `ControlResult` and formatted; nothing is scored here.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskscan.model import Assessment, ControlResult
from riskscan.report.basis_view import evidence_note

__all__ = ["ControlRow", "build_control_rows"]


@dataclass(frozen=True, slots=True)
class ControlRow:
    """One row of the controls table."""

    id: str
    name: str
    status: str
    status_css: str
    score: str
    summary: str
    limitations: tuple[str, ...]
    owasp: str
    evidence: str
    evidence_css: str
    evidence_note: str


def build_control_rows(assessment: Assessment) -> tuple[ControlRow, ...]:
    """The controls table, sorted by control id."""
    return tuple(_control_row(c) for c in sorted(assessment.controls, key=lambda c: c.id))


def _control_row(control: ControlResult) -> ControlRow:
    return ControlRow(
        id=control.id,
        name=control.name,
        status=control.status.value,
        status_css=f"st-{control.status.value}",
        score="n/a" if control.score is None else str(control.score),
        summary=control.summary,
        limitations=control.limitations,
        owasp=", ".join(control.owasp),
        evidence=control.evidence_strength.value.replace("_", " "),
        evidence_css=f"ev-{control.evidence_strength.value}",
        evidence_note=evidence_note(control),
    )
