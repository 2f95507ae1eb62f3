"""Insurer questionnaires answered from the assessment's evidence, the attestations people gave, and the
misrepresentation risks where an attestation claims more than the evidence shows.

An answer is never stronger than its evidence: a control the inputs cannot show is `not_observable`
(with the input kinds that were missing), partial evidence is `partial` and never "yes", and an answer
resting on a spec's declaration alone carries `evidence_strength` declared. Questions no input can
answer (staff MFA, incident response) are `attestation_required`; an attestation fills them, shown as
attested, never as verified.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from riskscan.model.base import Model, RedactedEndpointKey, RedactedFilePath, RedactedText
from riskscan.model.inputs import Evidence
from riskscan.model.kinds import EvidenceStrength

__all__ = [
    "Answer",
    "AnswerState",
    "AnswerType",
    "Attestation",
    "MisrepresentationRisk",
    "QuestionnaireReport",
    "QuestionnaireResult",
]


class AnswerType(StrEnum):
    """What kind of answer a question expects."""

    YES_NO = "yes_no"
    YES_PARTIAL_NO = "yes_partial_no"
    CHOICE = "choice"  # one of the carrier's own bands ("1-10", "11-50", "51+")
    NUMBER = "number"
    PERCENTAGE = "percentage"  # 0 to 100
    TEXT = "text"


class AnswerState(StrEnum):
    """How far the evidence carries an answer."""

    VERIFIED = "verified"  # the evidence supports it
    PARTIAL = "partial"  # some endpoints or sources only: the answer names which
    CONTRADICTED = "contradicted"  # the evidence shows the control is not in place
    NOT_OBSERVABLE = "not_observable"  # these inputs cannot show it: the reason says which were missing
    ATTESTATION_REQUIRED = "attestation_required"  # no input can show it: a person must answer


class Attestation(Model):
    """An answer given by a person (`--attest`): who gave it, when, and where in the file it is."""

    questionnaire: str
    question: str
    answer: RedactedText  # "yes", "partial", "no", a band label, a number or text, as given
    number: float | None = None  # the answer as a number, for number and percentage questions
    who: RedactedText
    when: date
    comment: RedactedText | None = None
    evidence: Evidence  # the attestation file and line


class Answer(Model):
    """One question answered from the assessment, with the evidence it rests on."""

    question: str
    section: RedactedText
    text: RedactedText
    answer_type: AnswerType
    value: RedactedText | None = (
        None  # "yes", "partial", "no", a band, a number as text, or text; None unknown
    )
    number: float | None = None  # the figure behind a number, percentage or band answer
    state: AnswerState
    evidence_strength: EvidenceStrength  # declared: it rests on a spec's declaration alone
    reason: RedactedText  # in plain words, why this answer and state
    rule: RedactedText  # the rule that answered it, as written in the questionnaire ("attestation required")
    controls: tuple[str, ...] = ()  # control ids behind it
    findings: tuple[str, ...] = ()  # finding ids behind it
    endpoints: tuple[
        RedactedEndpointKey, ...
    ] = ()  # a few of the endpoints behind a partial or contradicted answer
    endpoint_count: int = 0  # how many endpoints that is in all
    evidence: tuple[Evidence, ...] = ()  # copied from the controls and findings cited
    attestation: Attestation | None = None  # the person's answer, kept apart from the evidence's


class QuestionnaireResult(Model):
    """One questionnaire answered: every answer and the readiness figure."""

    id: str
    title: RedactedText
    version: RedactedText
    issuer: RedactedText | None = None
    source: RedactedFilePath  # the questionnaire file ("api-security-supplement.yaml" when shipped)
    answers: tuple[Answer, ...]
    counts: dict[AnswerState, int]  # answers per state, every state listed

    @property
    def readiness(self) -> float:
        """The share of questions the evidence verifies, 0 to 1."""
        return self.counts.get(AnswerState.VERIFIED, 0) / len(self.answers) if self.answers else 0.0


class MisrepresentationRisk(Model):
    """An attestation that claims more than the evidence: a misstatement that can void cover."""

    questionnaire: str
    question: str
    text: RedactedText  # the question
    attestation: Attestation
    evidence_value: RedactedText | None  # what the evidence answers
    evidence_state: AnswerState
    statement: RedactedText  # one sentence an underwriter reads
    endpoints: tuple[RedactedEndpointKey, ...] = ()
    endpoint_count: int = 0
    findings: tuple[str, ...] = ()


class QuestionnaireReport(Model):
    """The questionnaires stage's result: the `questionnaires` field of the assessment."""

    questionnaires: tuple[QuestionnaireResult, ...] = ()
    attestations: tuple[Attestation, ...] = ()  # every attestation given, matched or not
    misrepresentation_risks: tuple[MisrepresentationRisk, ...] = ()
    attestation_file: RedactedFilePath | None = None

    @property
    def readiness(self) -> float:
        """The share of all questions, across questionnaires, that the evidence verifies."""
        total = sum(len(q.answers) for q in self.questionnaires)
        verified = sum(q.counts.get(AnswerState.VERIFIED, 0) for q in self.questionnaires)
        return verified / total if total else 0.0

    @property
    def headline(self) -> str:
        """One sentence the executive summary can quote."""
        total = sum(len(q.answers) for q in self.questionnaires)
        if not total:
            return "No questionnaire was answered."
        verified = sum(q.counts.get(AnswerState.VERIFIED, 0) for q in self.questionnaires)
        risks = len(self.misrepresentation_risks)
        tail = (
            f"; {risks} attested answer{'s' if risks != 1 else ''} claim more than the evidence"
            if risks
            else ""
        )
        return (
            f"{verified} of {total} questionnaire answers ({self.readiness:.0%}) verified from evidence "
            f"across {len(self.questionnaires)} questionnaire{'s' if len(self.questionnaires) != 1 else ''}"
            f"{tail}."
        )
