"""What the grade rests on, as the cover and the executive summary print it.

The controls stage decides the evidence basis, the caps and the method text (`Assessment.basis`);
this view only words and groups them: the statement with a capital letter, the controls listed under
the evidence level each rests on (weakest first, so the weakest basis is read first), and the caps.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskscan.model import Assessment, ControlResult, EvidenceStrength

__all__ = ["EVIDENCE_LABELS", "BasisLine", "BasisView", "build_basis_view", "evidence_note"]

EVIDENCE_LABELS: dict[EvidenceStrength, str] = {
    EvidenceStrength.ENFORCED: "enforced (gateway configuration)",
    EvidenceStrength.OBSERVED: "observed (traffic)",
    EvidenceStrength.DECLARED: "declared (spec only)",
    EvidenceStrength.NOT_OBSERVABLE: "not observable",
}
"""How each evidence level is named next to a control."""


@dataclass(frozen=True, slots=True)
class BasisLine:
    """The controls that rest on one level of evidence."""

    level: str
    css: str
    controls: str


@dataclass(frozen=True, slots=True)
class BasisView:
    """The evidence basis of the grade, ready to print."""

    statement: str
    css: str
    lines: tuple[BasisLine, ...]
    caps: tuple[str, ...]
    method: str


def build_basis_view(assessment: Assessment) -> BasisView:
    """The grade's basis as the cover and summary show it."""
    basis = assessment.basis
    weakest_first = sorted(EvidenceStrength, key=lambda level: level.rank)
    lines = tuple(
        BasisLine(level=_level_heading(level), css=f"ev-{level.value}",
                  controls=", ".join(c.name for c in assessment.controls if c.evidence_strength is level))
        for level in weakest_first
        if any(c.evidence_strength is level for c in assessment.controls)
    )
    return BasisView(
        statement=basis.statement[:1].upper() + basis.statement[1:],
        css=f"ev-{basis.evidence_strength.value}",
        lines=lines,
        caps=basis.caps,
        method=basis.method,
    )


def evidence_note(control: ControlResult) -> str:
    """`56 enforced, 1 declared`: the endpoints per level when a control mixes levels, else nothing."""
    counts = [(level, control.evidence_breakdown.get(level, 0)) for level in EvidenceStrength]
    present = [(level, count) for level, count in counts if count]
    if len(present) < 2:
        return ""
    return ", ".join(f"{count} {level.value.replace('_', ' ')}" for level, count in present)


def _level_heading(level: EvidenceStrength) -> str:
    if level is EvidenceStrength.NOT_OBSERVABLE:
        return "Not observable (unknown, counted as 0)"
    return EVIDENCE_LABELS[level][:1].upper() + EVIDENCE_LABELS[level][1:]
