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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from riskscan.errors import UsageError
from riskscan.model import Assessment, ControlResult, ControlStatus, Evidence, EvidenceStrength, Finding
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
from riskscan.underwriting.questionnaire_metrics import Metric, MetricUnit, read_metric
from riskscan.underwriting.questionnaire_schema import (
    ControlsRule,
    FindingsRule,
    LoadedQuestionnaire,
    MetricRule,
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


class _Level(StrEnum):
    YES = "yes"
    PARTIAL = "partial"
    NO = "no"
    UNKNOWN = "unknown"


_STATES = {_Level.YES: AnswerState.VERIFIED, _Level.PARTIAL: AnswerState.PARTIAL,
           _Level.NO: AnswerState.CONTRADICTED, _Level.UNKNOWN: AnswerState.NOT_OBSERVABLE}


@dataclass(frozen=True)
class _Verdict:
    """What a rule found: its level, the figure where there is one, and what it rests on."""

    level: _Level
    strength: EvidenceStrength
    reason: str
    number: float | None = None
    text: str = ""
    controls: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    endpoints: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


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
            raise UsageError(f"--questionnaire {selector!r}: no such questionnaire (one of: {', '.join(by_id)}, "
                             "or a questionnaire file)")
    ids = [loaded.form.id for loaded in chosen]
    repeated = next((qid for qid in ids if ids.count(qid) > 1), None)
    if repeated:
        raise UsageError(f"--questionnaire: questionnaire {repeated!r} is given twice")
    return tuple(chosen)


def answer_questionnaires(
    assessment: Assessment, questionnaires: Sequence[LoadedQuestionnaire],
    attestations: Sequence[Attestation] = (), attestation_file: str | None = None,
) -> QuestionnaireReport:
    """Every questionnaire answered, the attestations set beside the answers and checked against them."""
    results = tuple(answer_questionnaire(loaded, assessment) for loaded in questionnaires)
    results, risks = apply_attestations(results, {q.form.id: q.form for q in questionnaires}, attestations)
    return QuestionnaireReport(questionnaires=results, attestations=tuple(attestations),
                               misrepresentation_risks=risks, attestation_file=attestation_file)


def answer_questionnaire(loaded: LoadedQuestionnaire, assessment: Assessment) -> QuestionnaireResult:
    """One questionnaire answered from `assessment`, with the count of answers per state."""
    form: QuestionnaireForm = loaded.form
    answers = tuple(_answer(section, question, assessment) for section, question in form.questions)
    counts = Counter(answer.state for answer in answers)
    return QuestionnaireResult(
        id=form.id, title=form.title, version=form.version, issuer=form.issuer, source=loaded.source,
        answers=answers, counts={state: counts[state] for state in AnswerState},
    )


def _answer(section: Section, question: Question, assessment: Assessment) -> Answer:
    common = {"question": question.id, "section": section.title, "text": question.text,
              "answer_type": question.answer}
    if question.rule is None:
        return Answer(**common, state=AnswerState.ATTESTATION_REQUIRED,
                      evidence_strength=EvidenceStrength.NOT_OBSERVABLE, rule="attestation required",
                      reason=question.note or "No input riskscan reads can show this: a person must attest it.")
    verdict = _verdict(question.rule, assessment)
    value, state = _value(question, verdict)
    reason = verdict.reason
    if verdict.strength is EvidenceStrength.DECLARED and state is not AnswerState.NOT_OBSERVABLE:
        reason = f"{reason} {_DECLARED_NOTE}"
    endpoints = tuple(dict.fromkeys(verdict.endpoints))
    return Answer(
        **common, value=value, number=verdict.number, state=state, evidence_strength=verdict.strength,
        reason=reason, rule=describe_rule(question.rule), controls=verdict.controls,
        findings=tuple(f.id for f in verdict.findings), endpoints=endpoints[:MAX_ENDPOINTS],
        endpoint_count=len(endpoints), evidence=verdict.evidence[:MAX_EVIDENCE],
    )


def _value(question: Question, verdict: _Verdict) -> tuple[str | None, AnswerState]:
    """The answer in the question's own terms, and its state; partial is never rounded up to yes."""
    if verdict.level is _Level.UNKNOWN:
        return None, AnswerState.NOT_OBSERVABLE
    if question.answer is AnswerType.YES_NO:
        return ("yes" if verdict.level is _Level.YES else "no"), _STATES[verdict.level]
    if question.answer is AnswerType.YES_PARTIAL_NO:
        return verdict.level.value, _STATES[verdict.level]
    if question.answer is AnswerType.TEXT:
        return verdict.text, AnswerState.VERIFIED
    number = verdict.number if verdict.number is not None else 0.0
    if question.answer is AnswerType.CHOICE:
        return next(band.label for band in question.bands if band.contains(number)), AnswerState.VERIFIED
    return (f"{number:g}%" if question.answer is AnswerType.PERCENTAGE else f"{number:g}"), AnswerState.VERIFIED


def _verdict(rule: ControlsRule | FindingsRule | MetricRule, assessment: Assessment) -> _Verdict:
    if isinstance(rule, ControlsRule):
        return _controls_verdict(rule, assessment)
    if isinstance(rule, FindingsRule):
        return _findings_verdict(rule, assessment)
    return _metric_verdict(rule, assessment)


def _controls_verdict(rule: ControlsRule, assessment: Assessment) -> _Verdict:
    """Yes when every control passes; partial when some endpoints fall short; no when one fails."""
    results = _controls(assessment, rule.controls)
    statuses = {result.status for result in results}
    findings = tuple(f for f in assessment.findings if f.control in rule.controls and f.severity.rank > 0)
    short = tuple(ep.key for r in results for ep in r.endpoints if ep.status is not ControlStatus.PASS)
    judged = len({ep.key for r in results for ep in r.endpoints})
    strength = _weakest(r.evidence_strength for r in results if r.status is not ControlStatus.UNKNOWN)
    if ControlStatus.FAIL in statuses:
        failing = [r for r in results if r.status is ControlStatus.FAIL]
        return _Verdict(_Level.NO, _weakest(r.evidence_strength for r in failing), _statuses_text(failing),
                        controls=rule.controls, findings=findings, endpoints=short,
                        evidence=_finding_evidence(findings))
    if ControlStatus.UNKNOWN in statuses:
        unknown = [r for r in results if r.status is ControlStatus.UNKNOWN]
        return _unknown(assessment, unknown, rule.controls)
    if rule.min_evidence and strength.rank < rule.min_evidence.rank:
        return _too_weak(assessment, rule, strength)
    if ControlStatus.PARTIAL in statuses or short or findings:  # a pass with findings standing is partial
        where = f" Falls short on {len(set(short))} of {judged} endpoints judged." if short else ""
        partial = [r for r in results if r.status is ControlStatus.PARTIAL or r.id in {f.control for f in findings}]
        return _Verdict(_Level.PARTIAL, strength, _statuses_text(partial) + where, controls=rule.controls,
                        findings=findings, endpoints=short, evidence=_finding_evidence(findings))
    return _Verdict(_Level.YES, strength, _statuses_text(results), controls=rule.controls,
                    evidence=tuple(e for r in results for e in r.evidence[:2]))


def _findings_verdict(rule: FindingsRule, assessment: Assessment) -> _Verdict:
    """No when a finding of the rule's controls or codes stands at or above its severity; yes when the
    controls judged the estate and raised none; unknown when a control could not judge it."""
    controls = rule.judged_by
    results = _controls(assessment, controls)
    found = tuple(f for f in assessment.findings
                  if f.severity.rank >= rule.min_severity.rank and (f.control in rule.controls or f.code in rule.codes))
    strength = _weakest(r.evidence_strength for r in results if r.status is not ControlStatus.UNKNOWN)
    if found:
        raised = {f.control for f in found}
        strength = _weakest(r.evidence_strength for r in results if r.id in raised)
        titles = "; ".join(f"{f.title} ({f.id})" for f in found[:3])
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        return _Verdict(_Level.NO, strength, f"{len(found)} finding{'s' if len(found) != 1 else ''} "
                        f"stand{'s' if len(found) == 1 else ''}: {titles}{more}.", controls=controls,
                        findings=found, endpoints=tuple(k for f in found for k in f.endpoints),
                        evidence=_finding_evidence(found))
    unknown = [r for r in results if r.status is ControlStatus.UNKNOWN]
    if unknown:
        return _unknown(assessment, unknown, controls)
    return _Verdict(_Level.YES, strength, f"No finding at or above {rule.min_severity.value} from "
                    f"{', '.join(r.name for r in results)}.", controls=controls,
                    evidence=tuple(e for r in results for e in r.evidence[:2]))


def _metric_verdict(rule: MetricRule, assessment: Assessment) -> _Verdict:
    """The figure against the rule's thresholds (or the figure alone, for number and band answers)."""
    reading = read_metric(rule.metric, assessment)
    controls = (rule.metric.control,) if rule.metric.control else ()
    if reading.value is None:
        return _Verdict(_Level.UNKNOWN, EvidenceStrength.NOT_OBSERVABLE,
                        f"Not observable from these inputs ({_missing_inputs(assessment)}): {reading.reason}.",
                        controls=controls)
    figure = _figure(rule.metric, reading.value)
    level = (_Level.YES if rule.yes_when is None or rule.yes_when.holds(reading.value) else
             _Level.PARTIAL if rule.partial_when is not None and rule.partial_when.holds(reading.value) else _Level.NO)
    wanted = f" (yes when {rule.yes_when})" if rule.yes_when else ""
    text = f" ({reading.text})" if reading.text and rule.metric.has_text else ""
    reason = f"{rule.metric.value.replace('_', ' ').capitalize()}: {figure}{text}{wanted}."
    shown = reading.endpoints if level is not _Level.YES or rule.metric.unit is MetricUnit.COUNT else ()
    return _Verdict(level, reading.strength, reason, number=reading.value, text=reading.text, controls=controls,
                    endpoints=shown, evidence=reading.evidence)


def describe_rule(rule: ControlsRule | FindingsRule | MetricRule) -> str:
    """The rule in one line, as the report cites it."""
    if isinstance(rule, ControlsRule):
        floor = f"; at least {rule.min_evidence.value} evidence" if rule.min_evidence else ""
        return f"controls in place: {', '.join(rule.controls)}{floor}"
    if isinstance(rule, FindingsRule):
        named = [*rule.controls, *rule.codes]
        return f"no findings at or above {rule.min_severity.value}: {', '.join(named)}"
    bounds = [f"{name} {bound}" for name, bound in (("yes", rule.yes_when), ("partial", rule.partial_when)) if bound]
    return f"inventory figure: {rule.metric.value}" + (f" ({'; '.join(bounds)})" if bounds else "")


def _controls(assessment: Assessment, ids: Sequence[str]) -> tuple[ControlResult, ...]:
    by_id = {control.id: control for control in assessment.controls}
    return tuple(by_id[control_id] for control_id in ids if control_id in by_id)


def _unknown(assessment: Assessment, unknown: Sequence[ControlResult], controls: tuple[str, ...]) -> _Verdict:
    """Not observable: which controls the inputs cannot show, which input kinds were missing, and why."""
    names = ", ".join(r.name for r in unknown)
    why = next((r.limitations[0] for r in unknown if r.limitations), "")
    return _Verdict(_Level.UNKNOWN, EvidenceStrength.NOT_OBSERVABLE,
                    f"Not observable from these inputs ({_missing_inputs(assessment)}): {names} cannot be "
                    f"judged. {why}".strip(), controls=controls)


def _too_weak(assessment: Assessment, rule: ControlsRule, strength: EvidenceStrength) -> _Verdict:
    wanted = rule.min_evidence.value if rule.min_evidence else ""
    return _Verdict(_Level.UNKNOWN, EvidenceStrength.NOT_OBSERVABLE,
                    f"Not observable from these inputs ({_missing_inputs(assessment)}): the controls rest on "
                    f"{strength.value.replace('_', ' ')} evidence and this question needs {wanted} evidence.",
                    controls=rule.controls)


def _missing_inputs(assessment: Assessment) -> str:
    inventory = assessment.inventory
    missing = [name for name, given in (("API specs", inventory.has_specs),
                                        ("gateway configuration", inventory.has_gateway),
                                        ("traffic logs", inventory.has_traffic)) if not given]
    return f"no {', no '.join(missing)} given" if missing else "specs, gateway configuration and traffic given"


def _statuses_text(results: Sequence[ControlResult]) -> str:
    return " ".join(f"{r.name}: {r.status.value}" + (f" ({r.score}/100)" if r.score is not None else "")
                    + f". {r.summary}" for r in results)


def _finding_evidence(findings: Sequence[Finding]) -> tuple[Evidence, ...]:
    return tuple(f.evidence[0] for f in findings if f.evidence)


def _weakest(levels: Iterable[EvidenceStrength]) -> EvidenceStrength:
    ranked = sorted(levels, key=lambda level: level.rank)
    return ranked[0] if ranked else EvidenceStrength.NOT_OBSERVABLE


def _figure(metric: Metric, value: float) -> str:
    unit = metric.unit
    if unit is MetricUnit.PERCENT:
        return f"{value:g}%"
    return f"{value:g} day{'s' if value != 1 else ''}" if unit is MetricUnit.DAYS else f"{value:g}"
