"""The questionnaires as the HTML and PDF report show them: misrepresentation risks first, then per
questionnaire a readiness line and every question with its answer, state (words and a mark), the
evidence cited and any attested answer beside it.

Values are copied and formatted from `Assessment.questionnaires`; nothing is judged here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from riskscan.model import Evidence
from riskscan.model.questionnaires import (
    Answer,
    AnswerState,
    Attestation,
    MisrepresentationRisk,
    QuestionnaireReport,
    QuestionnaireResult,
)

__all__ = ["AnswerRow", "QuestionnaireView", "QuestionnairesView", "RiskRow", "build_questionnaires_view"]

MAX_EVIDENCE_SHOWN = 2
"""Evidence locations printed under one answer; the JSON has them all."""
MAX_ENDPOINTS_SHOWN = 3
"""Endpoints printed under one answer; the rest are counted."""

_STATES: dict[AnswerState, tuple[str, str, str]] = {  # label, mark, CSS class
    AnswerState.VERIFIED: ("verified", "+", "st-pass"),
    AnswerState.PARTIAL: ("partial", "±", "st-partial"),
    AnswerState.CONTRADICTED: ("contradicted", "×", "st-fail"),
    AnswerState.NOT_OBSERVABLE: ("not observable", "?", "st-unknown"),
    AnswerState.ATTESTATION_REQUIRED: ("attestation required", "!", "st-attest"),
}


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One question with its answer, ready to print."""

    id: str
    text: str
    value: str
    state: str
    mark: str
    css: str
    reason: str
    rule: str
    cited: str  # "controls auth · findings AUTH-001, AUTH-003"
    endpoints: str  # "GET /a, POST /b and 12 more"
    evidence: tuple[str, ...]
    strength: str  # "evidence: enforced"
    attested: str  # "yes, attested by Dana Reyes on 2026-11-20", or empty
    attested_comment: str
    is_risk: bool  # the attestation claims more than the evidence


@dataclass(frozen=True, slots=True)
class SectionRows:
    """The questions of one section."""

    title: str
    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True, slots=True)
class QuestionnaireView:
    """One questionnaire: its heading, readiness line and answers by section."""

    id: str
    title: str
    meta: str  # "version 2026.2 · riskscan (generic ...) · api-security-supplement.yaml"
    readiness: str  # "38%"
    readiness_line: str
    sections: tuple[SectionRows, ...]


@dataclass(frozen=True, slots=True)
class RiskRow:
    """One misrepresentation risk, ready to print."""

    where: str  # "api-security-supplement / auth-everywhere"
    text: str
    statement: str
    endpoints: str
    comment: str


@dataclass(frozen=True, slots=True)
class QuestionnairesView:
    """The report's questionnaires section."""

    headline: str
    risks: tuple[RiskRow, ...]
    questionnaires: tuple[QuestionnaireView, ...]
    attestation_note: str


def build_questionnaires_view(report: QuestionnaireReport | None) -> QuestionnairesView | None:
    """The section's view; None when no questionnaire was answered (the section is then left out)."""
    if report is None or not report.questionnaires:
        return None
    risky = {(risk.questionnaire, risk.question) for risk in report.misrepresentation_risks}
    attested = len(report.attestations)
    note = (
        f"{attested} attested answer{'s' if attested != 1 else ''} from {report.attestation_file}, shown "
        "beside the evidence's answers and never counted as verified."
        if report.attestation_file
        else ""
    )
    return QuestionnairesView(
        headline=report.headline,
        risks=tuple(_risk_row(risk) for risk in report.misrepresentation_risks),
        questionnaires=tuple(_questionnaire(result, risky) for result in report.questionnaires),
        attestation_note=note,
    )


def _questionnaire(result: QuestionnaireResult, risky: set[tuple[str, str]]) -> QuestionnaireView:
    counts, total = result.counts, len(result.answers)
    parts = [
        f"{counts.get(state, 0)} {_STATES[state][0]}"
        for state in AnswerState
        if state is not AnswerState.VERIFIED
    ]
    line = (
        f"{counts.get(AnswerState.VERIFIED, 0)} of {total} answers verified from evidence; "
        + ", ".join(parts)
        + "."
    )
    sections: dict[str, list[AnswerRow]] = {}
    for answer in result.answers:
        sections.setdefault(answer.section, []).append(_row(answer, (result.id, answer.question) in risky))
    meta = " · ".join(part for part in (f"version {result.version}", result.issuer, result.source) if part)
    return QuestionnaireView(
        id=result.id,
        title=result.title,
        meta=meta,
        readiness=f"{result.readiness:.0%}",
        readiness_line=line,
        sections=tuple(SectionRows(title, tuple(rows)) for title, rows in sections.items()),
    )


def _row(answer: Answer, is_risk: bool) -> AnswerRow:
    label, mark, css = _STATES[answer.state]
    cited = " · ".join(
        part
        for part in (
            f"controls {', '.join(answer.controls)}" if answer.controls else "",
            f"findings {', '.join(answer.findings)}" if answer.findings else "",
        )
        if part
    )
    strength = answer.evidence_strength.value.replace("_", " ")
    return AnswerRow(
        id=answer.question,
        text=answer.text,
        value=answer.value or "—",
        state=label,
        mark=mark,
        css=css,
        reason=answer.reason,
        rule=answer.rule,
        cited=cited,
        endpoints=_endpoints(answer.endpoints, answer.endpoint_count),
        evidence=tuple(_location(item) for item in answer.evidence[:MAX_EVIDENCE_SHOWN]),
        strength="" if answer.state is AnswerState.ATTESTATION_REQUIRED else f"evidence: {strength}",
        attested=_attested(answer.attestation) if answer.attestation else "",
        attested_comment=(answer.attestation.comment or "") if answer.attestation else "",
        is_risk=is_risk,
    )


def _risk_row(risk: MisrepresentationRisk) -> RiskRow:
    return RiskRow(
        where=f"{risk.questionnaire} / {risk.question}",
        text=risk.text,
        statement=risk.statement,
        endpoints=_endpoints(risk.endpoints, risk.endpoint_count),
        comment=risk.attestation.comment or "",
    )


def _attested(attestation: Attestation) -> str:
    return f"{attestation.answer}, attested by {attestation.who} on {attestation.when.isoformat()}"


def _endpoints(keys: Iterable[str], count: int) -> str:
    shown = list(keys)[:MAX_ENDPOINTS_SHOWN]
    if not shown:
        return ""
    more = count - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _location(item: Evidence) -> str:
    where = f"{item.path}:{item.line}" if item.line else item.path
    return " ".join(
        part for part in (where, item.pointer or "", f"({item.note})" if item.note else "") if part
    )
