"""Insurer questionnaires answered from the assessment: each question's rule read against the controls,
findings and inventory figures the scan already judged, never against the inputs again.

A rule's verdict is yes, partial, no or unknown; the answer's state says how far the evidence carries
it: `verified`, `partial` (with the endpoints that fall short), `contradicted`, `not_observable` (with
the input kinds that were missing) or `attestation_required`. Partial is never rounded up to yes, and
an answer resting on a spec's declaration alone says so. The questionnaires are the files in
`questionnaires/` (`riskscan questionnaires` lists them) or a broker's own file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from riskscan.errors import UsageError
from riskscan.model import Assessment, EvidenceStrength
from riskscan.model.questionnaires import (
    Answer,
    AnswerState,
    AnswerType,
    Attestation,
    QuestionnaireReport,
    QuestionnaireResult,
)
from riskscan.resources import questionnaires_dir
from riskscan.underwriting.attestations import apply_attestations
from riskscan.underwriting.questionnaire_rules import Level, Verdict, describe_rule, rule_verdict
from riskscan.underwriting.questionnaire_schema import (
    LoadedQuestionnaire,
    Question,
    QuestionnaireForm,
    Section,
    load_questionnaire,
)

__all__ = ["answer_questionnaire", "answer_questionnaires", "select_questionnaires", "shipped_questionnaires"]

MAX_ENDPOINTS = 5
"""Endpoint keys an answer names; the count says how many there are in all."""
MAX_EVIDENCE = 6
"""Evidence items an answer copies from its controls and findings."""

_DECLARED_NOTE = "This rests on a spec's declaration alone: no gateway configuration or traffic verifies it."

_STATES = {
    Level.YES: AnswerState.VERIFIED,
    Level.PARTIAL: AnswerState.PARTIAL,
    Level.NO: AnswerState.CONTRADICTED,
    Level.UNKNOWN: AnswerState.NOT_OBSERVABLE,
}


def shipped_questionnaires() -> tuple[LoadedQuestionnaire, ...]:
    """Every questionnaire that ships with riskscan, by file name."""
    return tuple(load_questionnaire(path) for path in sorted(questionnaires_dir().glob("*.yaml")))


def select_questionnaires(selectors: Sequence[str]) -> tuple[LoadedQuestionnaire, ...]:
    """The questionnaires `--questionnaire` names (a shipped id or a file path); all shipped ones when none.

    Raises `UsageError` for an unknown id, a bad file, or two questionnaires with the same id.
    """
    shipped = shipped_questionnaires()
    if not selectors:
        return shipped
    by_id = {loaded.form.id: loaded for loaded in shipped}
    chosen: list[LoadedQuestionnaire] = []
    for selector in selectors:
        if selector in by_id:
            chosen.append(by_id[selector])
        elif Path(selector).suffix.lower() in (".yaml", ".yml", ".json") or Path(selector).is_file():
            chosen.append(load_questionnaire(Path(selector)))
        else:
            raise UsageError(
                f"--questionnaire {selector!r}: no such questionnaire (one of: {', '.join(by_id)}, "
                "or a questionnaire file)"
            )
    ids = [loaded.form.id for loaded in chosen]
    repeated = next((qid for qid in ids if ids.count(qid) > 1), None)
    if repeated:
        raise UsageError(f"--questionnaire: questionnaire {repeated!r} is given twice")
    return tuple(chosen)


def answer_questionnaires(
    assessment: Assessment,
    questionnaires: Sequence[LoadedQuestionnaire],
    attestations: Sequence[Attestation] = (),
    attestation_file: str | None = None,
) -> QuestionnaireReport:
    """Every questionnaire answered, the attestations set beside the answers and checked against them."""
    results = tuple(answer_questionnaire(loaded, assessment) for loaded in questionnaires)
    results, risks = apply_attestations(results, {q.form.id: q.form for q in questionnaires}, attestations)
    return QuestionnaireReport(
        questionnaires=results,
        attestations=tuple(attestations),
        misrepresentation_risks=risks,
        attestation_file=attestation_file,
    )


def answer_questionnaire(loaded: LoadedQuestionnaire, assessment: Assessment) -> QuestionnaireResult:
    """One questionnaire answered from `assessment`, with the count of answers per state."""
    form: QuestionnaireForm = loaded.form
    answers = tuple(_answer(section, question, assessment) for section, question in form.questions)
    counts = Counter(answer.state for answer in answers)
    return QuestionnaireResult(
        id=form.id,
        title=form.title,
        version=form.version,
        issuer=form.issuer,
        source=loaded.source,
        answers=answers,
        counts={state: counts[state] for state in AnswerState},
    )


def _answer(section: Section, question: Question, assessment: Assessment) -> Answer:
    common = {
        "question": question.id,
        "section": section.title,
        "text": question.text,
        "answer_type": question.answer,
    }
    if question.rule is None:
        return Answer(
            **common,
            state=AnswerState.ATTESTATION_REQUIRED,
            evidence_strength=EvidenceStrength.NOT_OBSERVABLE,
            rule="attestation required",
            reason=question.note or "No input riskscan reads can show this: a person must attest it.",
        )
    verdict = rule_verdict(question.rule, assessment)
    value, state = _value(question, verdict)
    reason = verdict.reason
    if verdict.strength is EvidenceStrength.DECLARED and state is not AnswerState.NOT_OBSERVABLE:
        reason = f"{reason} {_DECLARED_NOTE}"
    endpoints = tuple(dict.fromkeys(verdict.endpoints))
    return Answer(
        **common,
        value=value,
        number=verdict.number,
        state=state,
        evidence_strength=verdict.strength,
        reason=reason,
        rule=describe_rule(question.rule),
        controls=verdict.controls,
        findings=tuple(f.id for f in verdict.findings),
        endpoints=endpoints[:MAX_ENDPOINTS],
        endpoint_count=len(endpoints),
        evidence=verdict.evidence[:MAX_EVIDENCE],
    )


def _value(question: Question, verdict: Verdict) -> tuple[str | None, AnswerState]:
    """The answer in the question's own terms, and its state; partial is never rounded up to yes."""
    if verdict.level is Level.UNKNOWN:
        return None, AnswerState.NOT_OBSERVABLE
    if question.answer is AnswerType.YES_NO:
        return ("yes" if verdict.level is Level.YES else "no"), _STATES[verdict.level]
    if question.answer is AnswerType.YES_PARTIAL_NO:
        return verdict.level.value, _STATES[verdict.level]
    if question.answer is AnswerType.TEXT:
        return verdict.text, AnswerState.VERIFIED
    number = verdict.number if verdict.number is not None else 0.0
    if question.answer is AnswerType.CHOICE:
        return next(band.label for band in question.bands if band.contains(number)), AnswerState.VERIFIED
    return (
        f"{number:g}%" if question.answer is AnswerType.PERCENTAGE else f"{number:g}"
    ), AnswerState.VERIFIED
