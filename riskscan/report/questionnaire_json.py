"""The `questionnaires` part of the JSON report: every answer with its value, state, rule and evidence,
the readiness figures, the attestations given and the misrepresentation risks (docs/json-output.md).

It lays out what `Assessment.questionnaires` already holds; `null` when no questionnaire was answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from riskscan.model import Evidence
from riskscan.model.questionnaires import (
    Answer,
    AnswerState,
    Attestation,
    MisrepresentationRisk,
    QuestionnaireReport,
    QuestionnaireResult,
)

__all__ = ["questionnaires_document"]

Document = dict[str, Any]
EvidenceWriter = Callable[[Iterable[Evidence]], list[Document]]


def questionnaires_document(report: QuestionnaireReport | None, evidence: EvidenceWriter) -> Document | None:
    """The questionnaires stage's result as plain data; `evidence` lays out evidence as elsewhere."""
    if report is None:
        return None
    return {
        "readiness": round(report.readiness, 4),
        "headline": report.headline,
        "attestation_file": report.attestation_file,
        "questionnaires": [_questionnaire(result, evidence) for result in report.questionnaires],
        "attestations": [_attestation(item, evidence) for item in report.attestations],
        "misrepresentation_risks": [_risk(risk, evidence) for risk in report.misrepresentation_risks],
    }


def _questionnaire(result: QuestionnaireResult, evidence: EvidenceWriter) -> Document:
    return {
        "id": result.id,
        "title": result.title,
        "version": result.version,
        "issuer": result.issuer,
        "source": result.source,
        "readiness": round(result.readiness, 4),
        "counts": {state.value: result.counts.get(state, 0) for state in AnswerState},
        "answers": [_answer(answer, evidence) for answer in result.answers],
    }


def _answer(answer: Answer, evidence: EvidenceWriter) -> Document:
    return {
        "question": answer.question,
        "section": answer.section,
        "text": answer.text,
        "answer_type": answer.answer_type.value,
        "value": answer.value,
        "number": answer.number,
        "state": answer.state.value,
        "evidence_strength": answer.evidence_strength.value,
        "reason": answer.reason,
        "rule": answer.rule,
        "controls": list(answer.controls),
        "findings": list(answer.findings),
        "endpoints": list(answer.endpoints),
        "endpoint_count": answer.endpoint_count,
        "evidence": evidence(answer.evidence),
        "attestation": _attestation(answer.attestation, evidence) if answer.attestation else None,
    }


def _attestation(item: Attestation, evidence: EvidenceWriter) -> Document:
    return {
        "questionnaire": item.questionnaire,
        "question": item.question,
        "answer": item.answer,
        "number": item.number,
        "who": item.who,
        "when": item.when.isoformat(),
        "comment": item.comment,
        "evidence": evidence((item.evidence,))[0],
    }


def _risk(risk: MisrepresentationRisk, evidence: EvidenceWriter) -> Document:
    return {
        "questionnaire": risk.questionnaire,
        "question": risk.question,
        "text": risk.text,
        "attestation": _attestation(risk.attestation, evidence),
        "evidence_value": risk.evidence_value,
        "evidence_state": risk.evidence_state.value,
        "statement": risk.statement,
        "endpoints": list(risk.endpoints),
        "endpoint_count": risk.endpoint_count,
        "findings": list(risk.findings),
    }
