"""The executive summary's underwriting lead: questionnaire readiness, the top coverage gaps, the
indicative premium effect and the modelled loss exposure against the limit, each in a figure and a
sentence, with links to the sections that hold the evidence. Values are copied and formatted from the
assessment's underwriting parts; nothing is scored here.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskscan.model import Assessment, Exposure, GapState, QuestionnaireReport
from riskscan.model.exposure import format_usd
from riskscan.report.labels import format_count

__all__ = ["TopGap", "UnderwritingFigure", "UnderwritingSummaryView", "build_underwriting_summary"]

_TOP_GAPS = 3
_TOP_RISKS = 3


@dataclass(frozen=True, slots=True)
class UnderwritingFigure:
    """One lead figure: what it is, its value, one sentence beside it, and the section it sums up."""

    label: str
    value: str
    note: str
    anchor: str  # the section's id in the report
    css: str = ""


@dataclass(frozen=True, slots=True)
class TopGap:
    """An open coverage gap as the summary lists it."""

    title: str
    severity: str
    endorsement: str
    behind: str  # "4 endpoints; findings AUTH-001, BOLA-002"


@dataclass(frozen=True, slots=True)
class UnderwritingSummaryView:
    """What the executive summary leads with; empty parts are left out."""

    figures: tuple[UnderwritingFigure, ...]
    sentences: tuple[str, ...]  # each part's headline, in the order of the figures
    top_gaps: tuple[TopGap, ...] = ()
    misrepresentation: tuple[str, ...] = ()  # one statement per attested answer that claims too much


def build_underwriting_summary(assessment: Assessment) -> UnderwritingSummaryView | None:
    """The underwriting lead of `assessment`, or None when no underwriting part was made."""
    figures: list[UnderwritingFigure] = []
    sentences: list[str] = []
    risks: tuple[str, ...] = ()
    report = assessment.questionnaires
    if report is not None and report.questionnaires:
        total = sum(len(result.answers) for result in report.questionnaires)
        verified = round(report.readiness * total)
        note = f"{verified} of {total} answers verified from evidence"
        if report.misrepresentation_risks:
            note += f"; {format_count(len(report.misrepresentation_risks))} attested answers claim more"
        figures.append(UnderwritingFigure("Questionnaire readiness", f"{report.readiness:.0%}", note,
                                          "questionnaires", _readiness_css(report)))
        sentences.append(report.headline)
        risks = tuple(risk.statement for risk in report.misrepresentation_risks[:_TOP_RISKS])
    top_gaps: tuple[TopGap, ...] = ()
    if assessment.coverage is not None:
        figures.extend(_coverage_figures(assessment))
        sentences.extend((assessment.coverage.headline, assessment.coverage.premium.headline))
        top_gaps = _top_gaps(assessment)
    if assessment.exposure is not None:
        figures.append(_exposure_figure(assessment.exposure))
        sentences.append(assessment.exposure.headline)
    if not figures:
        return None
    return UnderwritingSummaryView(figures=tuple(figures), sentences=tuple(sentences), top_gaps=top_gaps,
                                   misrepresentation=risks)


def _readiness_css(report: QuestionnaireReport) -> str:
    """Red when an attested answer claims more than the evidence, amber when under half is verified."""
    return "fig-bad" if report.misrepresentation_risks else "fig-warn" if report.readiness < 0.5 else ""


def _coverage_figures(assessment: Assessment) -> list[UnderwritingFigure]:
    coverage = assessment.coverage
    assert coverage is not None
    open_gaps = [gap for gap in coverage.gaps if gap.state is GapState.OPEN]
    unknown = len(coverage.gaps) - len(open_gaps)
    gaps_note = (f"{format_count(unknown)} more cannot be ruled out from these inputs" if unknown
                 else "policy conditions and exclusions the findings put at risk")
    premium = coverage.premium
    capped = " (capped)" if premium.is_capped else ""
    premium_note = (f"if the {format_count(len(premium.roadmap))}-line roadmap is done{capped}; indicative, "
                    "industry claims, not a quote" if premium.roadmap else "no rated fix applies")
    return [
        UnderwritingFigure("Coverage gaps open", format_count(len(open_gaps)), gaps_note, "coverage",
                           "fig-bad" if open_gaps else ""),
        UnderwritingFigure("Indicative premium reduction", str(premium.combined) if premium.roadmap else "none",
                           premium_note, "premium"),
    ]


def _exposure_figure(exposure: Exposure) -> UnderwritingFigure:
    """The modelled 1-in-100-year annual loss, against the policy limit when one was given."""
    tail = format_usd(exposure.combined.p99_usd)
    note = f"1-in-100-year annual loss (expected {format_usd(exposure.combined.ale_usd)} a year); indicative"
    if exposure.limit is None:
        return UnderwritingFigure("Modelled loss exposure", tail, note + "; no policy limit given", "exposure")
    limit = format_usd(exposure.limit.limit_usd)
    if exposure.limit.covers_p99:
        return UnderwritingFigure("Modelled loss exposure", tail, f"{note}; within the {limit} limit", "exposure")
    return UnderwritingFigure("Modelled loss exposure", tail,
                              f"{note}; above the {limit} limit ({exposure.limit.probability_exceeds:.1%} a year)",
                              "exposure", "fig-bad")


def _top_gaps(assessment: Assessment) -> tuple[TopGap, ...]:
    coverage = assessment.coverage
    assert coverage is not None
    shown = []
    for gap in [gap for gap in coverage.gaps if gap.state is GapState.OPEN][:_TOP_GAPS]:
        parts = []
        if gap.endpoints:
            parts.append(f"{format_count(len(gap.endpoints))} endpoint{'s' if len(gap.endpoints) != 1 else ''}")
        if gap.findings:
            more = f" and {len(gap.findings) - 4} more" if len(gap.findings) > 4 else ""
            parts.append(f"findings {', '.join(gap.findings[:4])}{more}")
        shown.append(TopGap(title=gap.title, severity=gap.severity.value, endorsement=gap.endorsement,
                            behind="; ".join(parts)))
    return tuple(shown)
