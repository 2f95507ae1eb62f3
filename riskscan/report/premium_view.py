"""The premium impact section of the HTML and PDF report: the roadmap and its indicative effect.

Copies `Assessment.coverage.premium` into printable values: one row per roadmap line (best effect per
unit of effort first) with its endpoints, findings, effect, effort and source, the combined range under
the cap, and the factors applied. Every figure is printed with the factor file's label, so that no
reader takes it for a quote.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskscan.model import AppliedFactor, Assessment, RoadmapAction, RoadmapLine

__all__ = ["MAX_LINE_ENDPOINTS", "AppliedRow", "PremiumView", "RoadmapRow", "build_premium_view"]

MAX_LINE_ENDPOINTS = 12
"""Endpoints listed under one roadmap line before the rest are only counted."""


@dataclass(frozen=True, slots=True)
class RoadmapRow:
    """One roadmap line, ready to print."""

    rank: int
    action: str  # "Fix" or "Document or evidence"
    title: str
    text: str
    remediation: str
    controls: str
    endpoints: tuple[str, ...]
    more_endpoints: int
    findings: str
    accepted: str
    effect: str  # "15-20%"
    effort: str  # "3"
    per_effort: str  # "5.8"
    source: str


@dataclass(frozen=True, slots=True)
class AppliedRow:
    """A factor beyond the roadmap (industry surcharge, endorsements)."""

    title: str
    effect: str  # "+20-35%", or empty when the factor file has no figure
    status: str  # "applied" or "not applied"
    status_css: str
    note: str
    source: str


@dataclass(frozen=True, slots=True)
class PremiumView:
    """The premium impact section."""

    label: str
    headline: str
    factor_file: str
    combined: str  # "23.5-25% reduction"
    cap: str  # "25%"
    is_capped: bool
    combination: str
    effort_units: str
    rows: tuple[RoadmapRow, ...]
    applied: tuple[AppliedRow, ...]
    unrated: str  # "inventory_hygiene, data_exposure", or empty


def build_premium_view(assessment: Assessment) -> PremiumView | None:
    """The section's values; None when the assessment carries no coverage review."""
    if assessment.coverage is None:
        return None
    premium = assessment.coverage.premium
    return PremiumView(
        label=premium.label,
        headline=premium.headline,
        factor_file=premium.factor_file,
        combined=f"{premium.combined} reduction",
        cap=f"{premium.cap:g}%",
        is_capped=premium.is_capped,
        combination=premium.combination,
        effort_units=premium.effort_units,
        rows=tuple(_row(rank, line) for rank, line in enumerate(premium.roadmap, start=1)),
        applied=tuple(_applied_row(factor) for factor in premium.factors_applied),
        unrated=", ".join(premium.unrated_controls),
    )


def _row(rank: int, line: RoadmapLine) -> RoadmapRow:
    endpoints = tuple(key.replace(" ", "\u00a0", 1) for key in line.endpoints)
    accepted = (f"accepted internally, still rated: {', '.join(line.accepted_findings)}"
                if line.accepted_findings else "")
    return RoadmapRow(
        rank=rank,
        action="Document or evidence" if line.action is RoadmapAction.EVIDENCE else "Fix",
        title=line.title,
        text=line.text,
        remediation=line.remediation,
        controls=", ".join(line.controls),
        endpoints=endpoints[:MAX_LINE_ENDPOINTS],
        more_endpoints=max(0, len(endpoints) - MAX_LINE_ENDPOINTS),
        findings=", ".join(line.findings),
        accepted=accepted,
        effect=str(line.effect),
        effort=f"{line.effort:g}",
        per_effort=f"{line.value_per_effort:.1f}",
        source=line.source.citation,
    )


def _applied_row(factor: AppliedFactor) -> AppliedRow:
    sign = "+" if factor.direction.value == "increase" else "-"
    return AppliedRow(
        title=factor.title,
        effect=f"{sign}{factor.effect}" if factor.effect else "",
        status="applied" if factor.is_applied else "not applied",
        status_css="st-partial" if factor.is_applied else "st-unknown",
        note=factor.note,
        source=factor.source.citation if factor.source else "",
    )
