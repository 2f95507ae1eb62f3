"""Attestations: answers a person gives (`--attest FILE.yaml`), kept apart from the evidence's answers and
checked against them.

```yaml
attestations:
  - questionnaire: api-security-supplement
    question: admin-mfa
    answer: "yes"                 # yes / partial / no, a band label, a number or text
    who: Dana Reyes, CISO
    when: 2026-11-20
    comment: Okta MFA enforced for every admin console (policy SEC-14)
```

An attestation fills an `attestation_required` question (its state stays `attestation_required`: the
value is shown as attested, never as verified). Where it claims more than the evidence (attested "yes"
while the evidence is contradicted or partial, a count or band below the inventory's, a share above
it), it raises a misrepresentation risk: a misstatement on an application is a known cause of
rescinded policies and denied claims (Travelers v. ICS, 2022). The file is validated before any input
is read; a malformed entry stops the scan with one line naming the file, line and problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError, UsageError
from riskscan.model import Evidence
from riskscan.model.questionnaires import (
    Answer,
    AnswerState,
    AnswerType,
    Attestation,
    MisrepresentationRisk,
    QuestionnaireResult,
)
from riskscan.sources.structured import StructuredDocument, parse_structured_text
from riskscan.underwriting.questionnaire_schema import MetricRule, Question, QuestionnaireForm
from riskscan.user_files import read_user_file

__all__ = ["apply_attestations", "load_attestations", "parse_attestations"]

_MAX_BYTES = 2 * 1024 * 1024
_MAX_ENTRIES = 10_000
_FIELDS = frozenset({"questionnaire", "question", "answer", "who", "when", "comment"})
_YES_RANK = {"no": 0, "partial": 1, "yes": 2}
_MAX_TEXT = 2000


def load_attestations(path: Path, forms: Sequence[QuestionnaireForm]) -> tuple[Attestation, ...]:
    """Read and validate the attestations file against the questionnaires being answered."""
    return parse_attestations(read_user_file(path, "attestations file", _MAX_BYTES), path, forms)


def parse_attestations(text: str, path: Path, forms: Sequence[QuestionnaireForm]) -> tuple[Attestation, ...]:
    """Validate attestations text read from `path` (the format is in the module docstring)."""
    try:
        document = parse_structured_text(text, path, path.name)
    except SourceError as error:  # the loader's own errors carry the line already
        reason = str(error).splitlines()[0].split(": ", 1)[-1][:160] if str(error) else type(error).__name__
        raise UsageError(f"{path.name}: not valid YAML or JSON ({reason})") from None
    entries = document.data.get("attestations") if isinstance(document.data, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"{path.name}:1: expected a top-level 'attestations' list")
    if len(entries) > _MAX_ENTRIES:
        raise UsageError(f"{path.name}: more than {_MAX_ENTRIES} attestations")
    by_id = {form.id: form for form in forms}
    attestations = [_entry(document, index, raw, by_id) for index, raw in enumerate(entries)]
    seen: set[tuple[str, str]] = set()
    for index, attestation in enumerate(attestations):
        pair = (attestation.questionnaire, attestation.question)
        if pair in seen:
            raise UsageError(
                f"{path.name}:{document.line_of(f'/attestations/{index}') or 1}: attestation "
                f"{index + 1}: question {pair[1]!r} of {pair[0]!r} is attested twice"
            )
        seen.add(pair)
    return tuple(attestations)


def _entry(
    document: StructuredDocument, index: int, raw: Any, forms: Mapping[str, QuestionnaireForm]
) -> Attestation:
    pointer = f"/attestations/{index}"
    line = document.line_of(pointer) or 1

    def fail(problem: str) -> UsageError:
        return UsageError(f"{document.path.name}:{line}: attestation {index + 1}: {problem}")

    if not isinstance(raw, dict):
        raise fail("must be a mapping with questionnaire, question, answer, who and when")
    unknown = sorted(str(key) for key in raw if key not in _FIELDS)
    if unknown:
        raise fail(f"unknown field {unknown[0]!r} (allowed: {', '.join(sorted(_FIELDS))})")
    form = forms.get(str(raw.get("questionnaire")))
    if form is None:
        raise fail(f"'questionnaire' must be one of those answered ({', '.join(forms) or 'none'})")
    question = next((q for _, q in form.questions if q.id == raw.get("question")), None)
    if question is None:
        raise fail(f"'question' must be a question id of {form.id}")
    answer, number = _answer(raw.get("answer"), question, fail)
    texts = {name: raw.get(name) for name in ("who", "comment")}
    for name, value in texts.items():
        if (name == "who" or value is not None) and not (
            isinstance(value, str) and 0 < len(value.strip()) <= _MAX_TEXT
        ):
            raise fail(f"'{name}' must be a non-empty text")
    when = _date(raw.get("when"))
    if when is None:
        raise fail("'when' must be a date such as 2026-11-20")
    return Attestation(
        questionnaire=form.id,
        question=question.id,
        answer=answer,
        number=number,
        who=str(texts["who"]).strip(),
        when=when,
        comment=str(texts["comment"]).strip() if texts["comment"] is not None else None,
        evidence=Evidence(path=document.path.name, line=line, pointer=pointer),
    )


def _answer(value: Any, question: Question, fail: Any) -> tuple[str, float | None]:
    """The attested answer checked against the question's answer type, as text (and number)."""
    kind = question.answer
    if isinstance(value, bool):  # YAML reads an unquoted yes/no as a boolean
        value = "yes" if value else "no"
    if kind in (AnswerType.YES_NO, AnswerType.YES_PARTIAL_NO):
        allowed = ("yes", "no") if kind is AnswerType.YES_NO else ("yes", "partial", "no")
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            raise fail(f"'answer' must be one of {', '.join(allowed)}")
        return value.strip().lower(), None
    if kind is AnswerType.CHOICE:
        labels = [band.label for band in question.bands]
        if str(value).strip() not in labels:
            raise fail(f"'answer' must be one of the bands {', '.join(labels)}")
        return str(value).strip(), None
    if kind in (AnswerType.NUMBER, AnswerType.PERCENTAGE):
        number = _number(value)
        top = 100 if kind is AnswerType.PERCENTAGE else 1e15
        if number is None or not 0 <= number <= top:
            raise fail(f"'answer' must be a number from 0 to {top:g}")
        return f"{number:g}" + ("%" if kind is AnswerType.PERCENTAGE else ""), number
    if not isinstance(value, str) or not 0 < len(value.strip()) <= _MAX_TEXT:
        raise fail("'answer' must be a non-empty text")
    return value.strip(), None


def apply_attestations(
    results: tuple[QuestionnaireResult, ...],
    forms: Mapping[str, QuestionnaireForm],
    attestations: Sequence[Attestation],
) -> tuple[tuple[QuestionnaireResult, ...], tuple[MisrepresentationRisk, ...]]:
    """Set each attestation beside the answer it is about; raise a risk where it claims more."""
    by_question = {(a.questionnaire, a.question): a for a in attestations}
    risks: list[MisrepresentationRisk] = []
    updated = []
    for result in results:
        questions = {q.id: q for _, q in forms[result.id].questions} if result.id in forms else {}
        answers = []
        for answer in result.answers:
            attestation = by_question.get((result.id, answer.question))
            if attestation is None:
                answers.append(answer)
                continue
            answers.append(answer.model_copy(update={"attestation": attestation}))
            if answer.question in questions and _claims_more(questions[answer.question], answer, attestation):
                risks.append(_risk(result.id, answer, attestation))
        updated.append(result.model_copy(update={"answers": tuple(answers)}))
    return tuple(updated), tuple(risks)


def _claims_more(question: Question, answer: Answer, attestation: Attestation) -> bool:
    """True when the attestation states a better position than the evidence shows."""
    if answer.state in (AnswerState.ATTESTATION_REQUIRED, AnswerState.NOT_OBSERVABLE) or answer.value is None:
        return False
    if question.answer in (AnswerType.YES_NO, AnswerType.YES_PARTIAL_NO):
        return _YES_RANK[attestation.answer] > _YES_RANK.get(answer.value, 2)
    rule = question.rule
    if not isinstance(rule, MetricRule) or question.answer is AnswerType.TEXT:
        return False
    if question.answer is AnswerType.CHOICE:
        labels = [band.label for band in question.bands]
        attested, evidenced = float(labels.index(attestation.answer)), float(labels.index(answer.value))
    else:
        attested, evidenced = attestation.number or 0.0, answer.number or 0.0
    return attested < evidenced if rule.metric.is_lower_better else attested > evidenced


def _risk(questionnaire: str, answer: Answer, attestation: Attestation) -> MisrepresentationRisk:
    state = answer.state.value.replace("_", " ")
    evidence = f"{answer.value!r}" + (f" ({state})" if answer.value != state else "")
    endpoints = (
        f" on {answer.endpoint_count} endpoint{'s' if answer.endpoint_count != 1 else ''}"
        if answer.endpoint_count
        else ""
    )
    findings = f" (findings {', '.join(answer.findings[:6])})" if answer.findings else ""
    statement = (
        f"{attestation.who} attested {attestation.answer!r} on {attestation.when.isoformat()}, but the "
        f"evidence answers {evidence}{endpoints}{findings}: a misstatement on the application can "
        f"void cover for a claim that follows from it."
    )
    return MisrepresentationRisk(
        questionnaire=questionnaire,
        question=answer.question,
        text=answer.text,
        attestation=attestation,
        evidence_value=answer.value,
        evidence_state=answer.state,
        statement=statement,
        endpoints=answer.endpoints,
        endpoint_count=answer.endpoint_count,
        findings=answer.findings,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*%?\s*", value):
        return float(value.strip().rstrip("%"))
    return None


def _date(value: object) -> date | None:
    """A YAML date, or text in ISO form (the safe loader keeps timestamps as text)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
