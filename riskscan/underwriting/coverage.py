"""Coverage gaps: the policy conditions and exclusions an assessment's weaknesses put at risk.

`find_coverage_gaps` runs the rules of `coverage_rules.yaml` over a finished `Assessment`. Each trigger
kind is one small function reading the control results, findings or inventory; a rule whose triggers
fire opens a gap naming the endpoints and finding ids behind it, with evidence copied from those
findings. A rule that nothing fires but whose evidence is not observable (its controls unknown, or the
inputs that would show its cause absent) yields a gap that "cannot be ruled out from these inputs":
missing evidence is never read as absence of risk. Accepted findings still open gaps, marked as such:
an insurer's exclusion does not care about internal acceptance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from riskscan.model import (
    Assessment,
    ControlResult,
    ControlStatus,
    CoverageGap,
    CoverageReview,
    Endpoint,
    Evidence,
    Finding,
    GapState,
    Lifecycle,
)
from riskscan.underwriting.coverage_rules import (
    ControlTrigger,
    CoverageRule,
    CoverageRules,
    DeprecatedInUseTrigger,
    FindingsTrigger,
    InputKind,
    LifecycleTrigger,
    SensitiveDataTrigger,
    SlowWalkTrigger,
    Trigger,
    TriggerKind,
    default_coverage_rules,
)
from riskscan.underwriting.premium import assess_premium
from riskscan.underwriting.rating_factors import RatingFactors

__all__ = ["MAX_GAP_EVIDENCE", "find_coverage_gaps", "review_coverage"]

MAX_GAP_EVIDENCE = 50
"""Evidence items copied onto one gap; the findings it names hold the rest."""

_INPUT_NAMES = {InputKind.SPECS: "API specification", InputKind.GATEWAY: "gateway configuration",
                InputKind.TRAFFIC: "traffic log"}


@dataclass(frozen=True)
class _Facts:
    """The parts of an assessment the triggers read, indexed once."""

    assessment: Assessment
    controls: dict[str, ControlResult]
    lifecycles: dict[str, set[Lifecycle]]  # endpoint key -> lifecycles of the endpoints with that key

    @classmethod
    def of(cls, assessment: Assessment) -> _Facts:
        lifecycles: dict[str, set[Lifecycle]] = {}
        for endpoint in assessment.inventory.endpoints:
            lifecycles.setdefault(endpoint.key, set()).add(endpoint.lifecycle)
        return cls(assessment, {c.id: c for c in assessment.controls}, lifecycles)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.assessment.findings

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        return self.assessment.inventory.endpoints

    def is_unknown(self, control: str) -> bool:
        result = self.controls.get(control)
        return result is None or result.status is ControlStatus.UNKNOWN

    def has_input(self, kind: InputKind) -> bool:
        inventory = self.assessment.inventory
        return {InputKind.SPECS: inventory.has_specs, InputKind.GATEWAY: inventory.has_gateway,
                InputKind.TRAFFIC: inventory.has_traffic}[kind]


@dataclass(frozen=True)
class _Hit:
    """What one trigger found: why, on which endpoints, through which findings."""

    reason: str
    endpoints: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


def review_coverage(
    assessment: Assessment, factors: RatingFactors | None = None, industry: str | None = None,
    rules: CoverageRules | None = None,
) -> CoverageReview:
    """The coverage gaps of `assessment` and the premium impact of fixing what opens them."""
    gaps = find_coverage_gaps(assessment, rules)
    return CoverageReview(gaps=gaps, premium=assess_premium(assessment, factors, industry, gaps))


def find_coverage_gaps(assessment: Assessment, rules: CoverageRules | None = None) -> tuple[CoverageGap, ...]:
    """The gaps `rules` (default: the packaged file) open on `assessment`: open ones first, most
    severe first, then in the rules file's order."""
    facts = _Facts.of(assessment)
    rule_list = (rules or default_coverage_rules()).rules
    gaps = [gap for rule in rule_list if (gap := _gap(rule, facts)) is not None]
    order = {rule.id: index for index, rule in enumerate(rule_list)}
    return tuple(sorted(gaps, key=lambda g: (g.state is not GapState.OPEN, -g.severity.rank, order[g.rule])))


def _gap(rule: CoverageRule, facts: _Facts) -> CoverageGap | None:
    hits = [hit for trigger in rule.triggers if (hit := _fire(trigger, facts)) is not None]
    named = {c for trigger in rule.triggers for c in trigger.controls} | set(rule.not_observable.controls)
    unknown = tuple(sorted(c for c in named if facts.is_unknown(c)))
    missing = rule.not_observable.without_inputs
    is_unseen = bool(missing) and not any(facts.has_input(kind) for kind in missing)
    if not hits and not unknown and not is_unseen:
        return None
    findings = tuple({f.id: f for hit in hits for f in hit.findings}.values())
    endpoints = tuple(dict.fromkeys(key for hit in hits for key in hit.endpoints))
    reasons = [hit.reason for hit in hits]
    if not hits:
        reasons += _unseen_reasons(unknown, missing if is_unseen else ())
    return CoverageGap(
        rule=rule.id, title=rule.title, condition=rule.condition, policy_wording=rule.policy_wording,
        endorsement=rule.endorsement,
        severity=max((f.severity for f in findings), key=lambda s: s.rank, default=rule.severity),
        state=GapState.OPEN if hits else GapState.CANNOT_BE_RULED_OUT,
        reasons=tuple(reasons), endpoints=endpoints, findings=tuple(sorted(f.id for f in findings)),
        accepted_findings=tuple(sorted(f.id for f in findings if f.accepted is not None)),
        unknown_controls=unknown, evidence=_evidence(findings, endpoints, facts),
    )


def _unseen_reasons(unknown: tuple[str, ...], missing: tuple[InputKind, ...]) -> list[str]:
    """Why a gap cannot be ruled out, one sentence per cause."""
    reasons = []
    if unknown:
        subject = f"control {unknown[0]} is" if len(unknown) == 1 else f"controls {', '.join(unknown)} are"
        reasons.append(f"Cannot be ruled out from these inputs: {subject} not observable.")
    if missing:
        names = " or ".join(_INPUT_NAMES[kind] for kind in missing)
        reasons.append(f"Cannot be ruled out from these inputs: no {names} was given to show it.")
    return reasons


def _fire(trigger: Trigger, facts: _Facts) -> _Hit | None:
    return _TRIGGERS[trigger.kind](trigger, facts)


def _findings_hit(trigger: FindingsTrigger, facts: _Facts) -> _Hit | None:
    found: list[Finding] = []
    keys: list[str] = []
    for finding in facts.findings:
        if finding.control not in trigger.controls or finding.severity.rank < trigger.min_severity.rank:
            continue
        named = finding.endpoints
        if trigger.lifecycles:
            named = tuple(k for k in named if facts.lifecycles.get(k, set()) & set(trigger.lifecycles))
            if not named:
                continue
        found.append(finding)
        keys.extend(named)
    if not found:
        return None
    ids = ", ".join(sorted(f.id for f in found))
    return _Hit(f"Findings {ids} ({_controls(trigger.controls)}).",
                tuple(dict.fromkeys(keys)), tuple(found))


def _control_hit(trigger: ControlTrigger, facts: _Facts) -> _Hit | None:
    results = (facts.controls.get(control_id) for control_id in trigger.controls)
    hits = [c for c in results if c is not None and _is_hit(trigger, c)]
    if not hits:
        return None
    keys = [r.key for c in hits for r in c.endpoints if r.status is not ControlStatus.PASS]
    ids = {c.id for c in hits}
    shown = "; ".join(f"{c.id} is {c.status.value} (score {c.score})" for c in hits)
    return _Hit(f"Control {shown}.", tuple(dict.fromkeys(keys)),
                tuple(f for f in facts.findings if f.control in ids))


def _is_hit(trigger: ControlTrigger, control: ControlResult) -> bool:
    if control.status is ControlStatus.UNKNOWN:
        return False
    threshold, score = trigger.below_score, control.score
    is_low = threshold is not None and score is not None and score < threshold
    return control.status in trigger.statuses or is_low


def _lifecycle_hit(trigger: LifecycleTrigger, facts: _Facts) -> _Hit | None:
    found = [e for e in facts.endpoints if e.lifecycle in trigger.lifecycles]
    if len(found) < trigger.at_least:
        return None
    kinds = " or ".join(lifecycle.value for lifecycle in trigger.lifecycles)
    return _Hit(f"{_count(len(found), f'{kinds} endpoint')} in the inventory.",
                tuple(dict.fromkeys(e.key for e in found)))


def _sensitive_data_hit(trigger: SensitiveDataTrigger, facts: _Facts) -> _Hit | None:
    weak: dict[str, list[Finding]] = {}
    for finding in facts.findings:
        if finding.control in trigger.controls and finding.severity.rank >= trigger.min_severity.rank:
            for key in finding.endpoints:
                weak.setdefault(key, []).append(finding)
    found = [e for e in facts.endpoints if e.key in weak and set(e.data_classes) & set(trigger.data_classes)]
    if not found:
        return None
    classes = sorted({c.value for e in found for c in e.data_classes if c in trigger.data_classes})
    findings = tuple({f.id: f for e in found for f in weak[e.key]}.values())
    ids = ", ".join(sorted(f.id for f in findings))
    return _Hit(f"{_count(len(found), 'endpoint')} carrying {', '.join(classes)} data named by {ids}.",
                tuple(dict.fromkeys(e.key for e in found)), findings)


def _deprecated_in_use_hit(trigger: DeprecatedInUseTrigger, facts: _Facts) -> _Hit | None:
    found = [e for e in facts.endpoints
             if (e.deprecated or e.superseded_by) and e.traffic is not None and e.traffic.requests > 0]
    if not found:
        return None
    requests = sum(e.traffic.requests for e in found if e.traffic is not None)
    return _Hit(f"{_count(len(found), 'deprecated or superseded endpoint')} still called "
                f"({requests:,} requests in the traffic given).", tuple(dict.fromkeys(e.key for e in found)))


def _slow_walk_hit(trigger: SlowWalkTrigger, facts: _Facts) -> _Hit | None:
    found = [e for e in facts.endpoints if _is_slow_walk(e, trigger)]
    if not found:
        return None
    keys = tuple(dict.fromkeys(e.key for e in found))
    cited = set(trigger.controls)
    findings = tuple(f for f in facts.findings
                     if (not cited or f.control in cited) and set(f.endpoints) & set(keys))
    return _Hit(f"One client walked sequential object ids for {trigger.min_hours:g} hours or more on "
                f"{_count(len(found), 'endpoint')}: a slow extraction that alerting on bursts misses.",
                keys, findings)


def _is_slow_walk(endpoint: Endpoint, trigger: SlowWalkTrigger) -> bool:
    traffic = endpoint.traffic
    if traffic is None or not traffic.is_walk_sequential or traffic.busiest_window is None:
        return False
    hours = (traffic.busiest_window[1] - traffic.busiest_window[0]).total_seconds() / 3600
    return hours >= trigger.min_hours and traffic.max_paths_per_client >= trigger.min_objects


_TRIGGERS: dict[TriggerKind, Callable[..., _Hit | None]] = {
    TriggerKind.FINDINGS: _findings_hit,
    TriggerKind.CONTROL: _control_hit,
    TriggerKind.LIFECYCLE: _lifecycle_hit,
    TriggerKind.SENSITIVE_DATA: _sensitive_data_hit,
    TriggerKind.DEPRECATED_IN_USE: _deprecated_in_use_hit,
    TriggerKind.SLOW_WALK: _slow_walk_hit,
}


def _evidence(findings: Iterable[Finding], keys: tuple[str, ...], facts: _Facts) -> tuple[Evidence, ...]:
    """Evidence copied from the findings behind a gap, else from its endpoints; the first
    `MAX_GAP_EVIDENCE`, each once."""
    items = [item for finding in findings for item in finding.evidence]
    if not items:
        wanted = set(keys)
        items = [item for e in facts.endpoints if e.key in wanted for item in e.evidence]
    return tuple(dict.fromkeys(items))[:MAX_GAP_EVIDENCE]


def _controls(ids: tuple[str, ...]) -> str:
    return f"control{'' if len(ids) == 1 else 's'} {', '.join(ids)}"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
