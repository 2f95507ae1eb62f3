"""The rules that answer questionnaire questions: each kind read against the controls, findings and
inventory figures the scan already judged (never the inputs again), giving a verdict of yes, partial, no
or unknown with the evidence it rests on.

`controls_in_place` is yes only when every control passes on every endpoint with no finding standing,
and, with `min_judged`, only when the controls judged at least that many endpoints;
`no_findings` is unknown when a control could not judge the estate; `inventory_metric` is unknown when
the control its figure rests on is unknown. An unknown verdict names the input kinds that were missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from riskscan.model import Assessment, ControlResult, ControlStatus, Evidence, EvidenceStrength, Finding
from riskscan.underwriting.questionnaire_metrics import Metric, MetricUnit, read_metric
from riskscan.underwriting.questionnaire_schema import ControlsRule, FindingsRule, MetricRule

__all__ = ["Level", "Verdict", "describe_rule", "rule_verdict"]


class Level(StrEnum):
    """What a rule found, before the question's answer type words it."""

    YES = "yes"
    PARTIAL = "partial"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    """What a rule found: its level, the figure where there is one, and what it rests on."""

    level: Level
    strength: EvidenceStrength
    reason: str
    number: float | None = None
    text: str = ""
    controls: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    endpoints: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


def rule_verdict(rule: ControlsRule | FindingsRule | MetricRule, assessment: Assessment) -> Verdict:
    """The verdict of `rule` on `assessment`."""
    if isinstance(rule, ControlsRule):
        return _controls_verdict(rule, assessment)
    if isinstance(rule, FindingsRule):
        return _findings_verdict(rule, assessment)
    return _metric_verdict(rule, assessment)


def _controls_verdict(rule: ControlsRule, assessment: Assessment) -> Verdict:
    """Yes when every control passes; partial when some endpoints fall short; no when one fails."""
    results = _controls(assessment, rule.controls)
    statuses = {result.status for result in results}
    findings = tuple(f for f in assessment.findings if f.control in rule.controls and f.severity.rank > 0)
    short = tuple(ep.key for r in results for ep in r.endpoints if ep.status is not ControlStatus.PASS)
    judged = len({ep.key for r in results for ep in r.endpoints})
    strength = _weakest(r.evidence_strength for r in results if r.status is not ControlStatus.UNKNOWN)
    if ControlStatus.FAIL in statuses:
        failing = [r for r in results if r.status is ControlStatus.FAIL]
        return Verdict(
            Level.NO,
            _weakest(r.evidence_strength for r in failing),
            _statuses_text(failing),
            controls=rule.controls,
            findings=findings,
            endpoints=short,
            evidence=_finding_evidence(findings),
        )
    if ControlStatus.UNKNOWN in statuses:
        unknown = [r for r in results if r.status is ControlStatus.UNKNOWN]
        return _unknown(assessment, unknown, rule.controls)
    if rule.min_evidence and strength.rank < rule.min_evidence.rank:
        return _too_weak(assessment, rule, strength)
    if judged < rule.min_judged:
        return _none_judged(rule, results)
    if ControlStatus.PARTIAL in statuses or short or findings:  # a pass with findings standing is partial
        where = f" Falls short on {len(set(short))} of {judged} endpoints judged." if short else ""
        partial = [
            r for r in results if r.status is ControlStatus.PARTIAL or r.id in {f.control for f in findings}
        ]
        return Verdict(
            Level.PARTIAL,
            strength,
            _statuses_text(partial) + where,
            controls=rule.controls,
            findings=findings,
            endpoints=short,
            evidence=_finding_evidence(findings),
        )
    return Verdict(
        Level.YES,
        strength,
        _statuses_text(results),
        controls=rule.controls,
        evidence=tuple(e for r in results for e in r.evidence[:2]),
    )


def _findings_verdict(rule: FindingsRule, assessment: Assessment) -> Verdict:
    """No when a finding of the rule's controls or codes stands at or above its severity; yes when the
    controls judged the estate and raised none; unknown when a control could not judge it."""
    controls = rule.judged_by
    results = _controls(assessment, controls)
    found = tuple(
        f
        for f in assessment.findings
        if f.severity.rank >= rule.min_severity.rank and (f.control in rule.controls or f.code in rule.codes)
    )
    strength = _weakest(r.evidence_strength for r in results if r.status is not ControlStatus.UNKNOWN)
    if found:
        raised = {f.control for f in found}
        strength = _weakest(r.evidence_strength for r in results if r.id in raised)
        titles = "; ".join(f"{f.title} ({f.id})" for f in found[:3])
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        return Verdict(
            Level.NO,
            strength,
            f"{len(found)} finding{'s' if len(found) != 1 else ''} "
            f"stand{'s' if len(found) == 1 else ''}: {titles}{more}.",
            controls=controls,
            findings=found,
            endpoints=tuple(k for f in found for k in f.endpoints),
            evidence=_finding_evidence(found),
        )
    unknown = [r for r in results if r.status is ControlStatus.UNKNOWN]
    if unknown:
        return _unknown(assessment, unknown, controls)
    return Verdict(
        Level.YES,
        strength,
        f"No finding at or above {rule.min_severity.value} from {', '.join(r.name for r in results)}.",
        controls=controls,
        evidence=tuple(e for r in results for e in r.evidence[:2]),
    )


def _metric_verdict(rule: MetricRule, assessment: Assessment) -> Verdict:
    """The figure against the rule's thresholds (or the figure alone, for number and band answers)."""
    reading = read_metric(rule.metric, assessment)
    controls = (rule.metric.control,) if rule.metric.control else ()
    if reading.value is None:
        return Verdict(
            Level.UNKNOWN,
            EvidenceStrength.NOT_OBSERVABLE,
            f"Not observable from these inputs ({_missing_inputs(assessment)}): {reading.reason.rstrip('.')}.",
            controls=controls,
        )
    figure = _figure(rule.metric, reading.value)
    level = (
        Level.YES
        if rule.yes_when is None or rule.yes_when.holds(reading.value)
        else Level.PARTIAL
        if rule.partial_when is not None and rule.partial_when.holds(reading.value)
        else Level.NO
    )
    wanted = f" (yes when {rule.yes_when})" if rule.yes_when else ""
    text = f" ({reading.text})" if reading.text and rule.metric.has_text else ""
    reason = f"{rule.metric.label}: {figure}{text}{wanted}."
    shown = reading.endpoints if level is not Level.YES or rule.metric.unit is MetricUnit.COUNT else ()
    return Verdict(
        level,
        reading.strength,
        reason,
        number=reading.value,
        text=reading.text,
        controls=controls,
        endpoints=shown,
        evidence=reading.evidence,
    )


def describe_rule(rule: ControlsRule | FindingsRule | MetricRule) -> str:
    """The rule in one line, as the report cites it."""
    if isinstance(rule, ControlsRule):
        floor = f"; at least {rule.min_evidence.value} evidence" if rule.min_evidence else ""
        return f"controls in place: {', '.join(rule.controls)}{floor}"
    if isinstance(rule, FindingsRule):
        named = [*rule.controls, *rule.codes]
        return f"no findings at or above {rule.min_severity.value}: {', '.join(named)}"
    bounds = [
        f"{name} {bound}" for name, bound in (("yes", rule.yes_when), ("partial", rule.partial_when)) if bound
    ]
    return f"inventory figure: {rule.metric.value}" + (f" ({'; '.join(bounds)})" if bounds else "")


def _controls(assessment: Assessment, ids: Sequence[str]) -> tuple[ControlResult, ...]:
    by_id = {control.id: control for control in assessment.controls}
    return tuple(by_id[control_id] for control_id in ids if control_id in by_id)


def _unknown(assessment: Assessment, unknown: Sequence[ControlResult], controls: tuple[str, ...]) -> Verdict:
    """Not observable: which controls the inputs cannot show, which input kinds were missing, and why."""
    names = ", ".join(r.name for r in unknown)
    why = next((r.limitations[0] for r in unknown if r.limitations), "")
    return Verdict(
        Level.UNKNOWN,
        EvidenceStrength.NOT_OBSERVABLE,
        f"Not observable from these inputs ({_missing_inputs(assessment)}): {names} cannot be "
        f"judged. {why}".strip(),
        controls=controls,
    )


def _too_weak(assessment: Assessment, rule: ControlsRule, strength: EvidenceStrength) -> Verdict:
    wanted = rule.min_evidence.value if rule.min_evidence else ""
    return Verdict(
        Level.UNKNOWN,
        EvidenceStrength.NOT_OBSERVABLE,
        f"Not observable from these inputs ({_missing_inputs(assessment)}): the controls rest on "
        f"{strength.value.replace('_', ' ')} evidence and this question needs {wanted} evidence.",
        controls=rule.controls,
    )


def _none_judged(rule: ControlsRule, results: Sequence[ControlResult]) -> Verdict:
    """Not observable: the controls passed without judging the endpoints the question is about."""
    why = next((r.limitations[0] for r in results if r.limitations), "")
    return Verdict(
        Level.UNKNOWN,
        EvidenceStrength.NOT_OBSERVABLE,
        f"Not observable from these inputs: {', '.join(r.name for r in results)} judged no endpoint of the "
        f"kind this question asks about. {why}".strip(),
        controls=rule.controls,
    )


def _missing_inputs(assessment: Assessment) -> str:
    inventory = assessment.inventory
    missing = [
        name
        for name, given in (
            ("API specs", inventory.has_specs),
            ("gateway configuration", inventory.has_gateway),
            ("traffic logs", inventory.has_traffic),
        )
        if not given
    ]
    return (
        f"no {', no '.join(missing)} given" if missing else "specs, gateway configuration and traffic given"
    )


def _statuses_text(results: Sequence[ControlResult]) -> str:
    return " ".join(
        f"{r.name}: {r.status.value}"
        + (f" ({r.score}/100)" if r.score is not None else "")
        + f". {r.summary}"
        for r in results
    )


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
