"""The controls stage: an `Inventory` in, scored `ControlResult`s, numbered `Finding`s and a grade out.

The catalogue (`catalogue.yaml`) holds each control's weight, OWASP references, thresholds and finding
texts; an evaluator per control (a module per area) counts endpoints and picks finding codes. The
registry below ties catalogue ids to evaluators: a control without an evaluator, or an evaluator
without a catalogue entry, fails at import.

Control ids name their evaluators (`rate_limit` is judged by `evaluate_rate_limit`); finding ids are
the control's short prefix and a number (`RATE-001`), numbered within each control by severity
(most severe first), then by the first endpoint listed; the same inventory always gets the same ids.
The overall score is the weight-averaged score of every control, one whose status is unknown counting
as the catalogue's `unknown_score` (0): an underwriter treats what cannot be verified as absent, so
missing evidence never raises the score. The grade is capped at C while a critical finding stands and
at B while a high one does (`grade_caps`), and at C when the assessment rests on declarations alone
(`evidence_grade_caps`); the `GradeBasis` says what the grade rests on and which caps held it down.
Each endpoint weighs in a control's score by its exposure, data and traffic (`weights`), and every
result and the basis carry a coverage statement: how much the inputs could show (`evidence_coverage`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from typing import Annotated

from pydantic import Field

from riskscan.controls.auth import evaluate_auth
from riskscan.controls.basis import grade_basis, grade_caps, overall_strength
from riskscan.controls.catalogue import Catalogue, Control, ScoringRules, check_registry, default_catalogue
from riskscan.controls.credential_stuffing import evaluate_credential_stuffing
from riskscan.controls.data_exposure import evaluate_data_exposure
from riskscan.controls.evidence_coverage import assessment_coverage, control_coverage, traffic_coverage
from riskscan.controls.exceptions import ExceptionEntry, apply_exceptions
from riskscan.controls.function_authorization import evaluate_function_authorization
from riskscan.controls.input_validation import evaluate_input_validation
from riskscan.controls.inventory_hygiene import evaluate_inventory_hygiene
from riskscan.controls.misconfiguration import evaluate_misconfiguration
from riskscan.controls.monitoring import evaluate_monitoring
from riskscan.controls.object_authorization import evaluate_object_authorization
from riskscan.controls.outcome import ControlOutcome, FindingDraft
from riskscan.controls.rate_limit import evaluate_rate_limit
from riskscan.controls.scoring import capped_grade, control_result, overall_score
from riskscan.controls.secrets_hygiene import evaluate_secrets_hygiene
from riskscan.controls.transport import evaluate_transport_security
from riskscan.controls.upstreams import evaluate_availability, evaluate_third_party
from riskscan.controls.weights import endpoint_weights
from riskscan.model import ControlResult, Finding, Grade, GradeBasis, Inventory, Model, RiskException

__all__ = ["EVALUATORS", "ControlEvaluation", "Evaluator", "evaluate_controls"]

Evaluator = Callable[[Inventory, Control], ControlOutcome]
"""Judges one control over the whole inventory, reading thresholds and texts from its `Control`."""

EVALUATORS: Mapping[str, Evaluator] = MappingProxyType(
    {
        "auth": evaluate_auth,
        "rate_limit": evaluate_rate_limit,
        "monitoring": evaluate_monitoring,
        "object_authorization": evaluate_object_authorization,
        "inventory_hygiene": evaluate_inventory_hygiene,
        "function_authorization": evaluate_function_authorization,
        "data_exposure": evaluate_data_exposure,
        "secrets_hygiene": evaluate_secrets_hygiene,
        "third_party": evaluate_third_party,
        "transport_security": evaluate_transport_security,
        "availability": evaluate_availability,
        "misconfiguration": evaluate_misconfiguration,
        "input_validation": evaluate_input_validation,
        "credential_stuffing": evaluate_credential_stuffing,
    }
)
"""Catalogue control id -> evaluator; `check_registry` keeps it in step with `catalogue.yaml`."""


class ControlEvaluation(Model):
    """What the controls stage hands to the assessment: results in catalogue order, findings most
    severe first, the overall score, the grade and what it rests on; with exceptions, what became of
    each and the score and grade with the accepted findings left out."""

    controls: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]
    score: Annotated[int, Field(ge=0, le=100)]
    grade: Grade
    basis: GradeBasis
    exceptions: tuple[RiskException, ...] = ()
    score_excluding_accepted: Annotated[int, Field(ge=0, le=100)] | None = None
    grade_excluding_accepted: Grade | None = None


def evaluate_controls(
    inventory: Inventory,
    *,
    catalogue: Catalogue | None = None,
    evaluators: Mapping[str, Evaluator] | None = None,
    exceptions: tuple[ExceptionEntry, ...] = (),
    today: date | None = None,
) -> ControlEvaluation:
    """Run every catalogue control over `inventory` and grade the result.

    `catalogue` and `evaluators` default to the packaged ones; tests pass their own. `exceptions`
    are applied as of `today` (the scan's date; required with exceptions).
    """
    catalogue = catalogue or default_catalogue()
    evaluators = EVALUATORS if evaluators is None else evaluators
    check_registry(catalogue, evaluators)
    outcomes = [evaluators[control.id](inventory, control) for control in catalogue.controls]
    numbered = _numbered_drafts(outcomes)
    findings = _ordered_findings(numbered, catalogue)
    weights = endpoint_weights(inventory.endpoints, catalogue.scoring.endpoint_weights)
    results, score, grade, basis = _graded(outcomes, findings, catalogue, weights)
    results, basis = _with_coverage(results, basis, inventory, catalogue)
    if not exceptions:
        return ControlEvaluation(controls=results, findings=findings, score=score, grade=grade, basis=basis)
    if today is None:
        raise ValueError("exceptions are applied as of a date: pass today")
    findings, applied = apply_exceptions(findings, exceptions, today)
    accepted = {finding.id for finding in findings if finding.accepted is not None}
    kept = [replace(outcome, drafts=tuple(d for d in outcome.drafts if numbered[id(d)][0] not in accepted))
            for outcome in outcomes]
    remaining = tuple(finding for finding in findings if finding.id not in accepted)
    _, excluded_score, excluded_grade, _ = _graded(kept, remaining, catalogue, weights)
    return ControlEvaluation(
        controls=results, findings=findings, score=score, grade=grade, basis=basis, exceptions=applied,
        score_excluding_accepted=excluded_score, grade_excluding_accepted=excluded_grade,
    )


def _graded(
    outcomes: Sequence[ControlOutcome],
    findings: tuple[Finding, ...],
    catalogue: Catalogue,
    weights: Mapping[str, float],
) -> tuple[tuple[ControlResult, ...], int, Grade, GradeBasis]:
    """Control results, overall score, capped grade and its basis for these outcomes and findings,
    each endpoint weighing `weights[key]` in the control scores."""
    by_control: dict[str, list[Finding]] = {}
    for finding in findings:
        by_control.setdefault(finding.control, []).append(finding)
    results = tuple(
        control_result(outcome, catalogue.scoring, by_control.get(outcome.control.id, ()), weights)
        for outcome in outcomes
    )
    score = overall_score(results, catalogue.scoring)
    strength = overall_strength(results, catalogue.scoring)
    caps = grade_caps(findings, strength, catalogue.scoring)
    uncapped = catalogue.scoring.grade_for(score)
    grade = capped_grade(uncapped, [cap for cap, _ in caps])
    return results, score, grade, grade_basis(results, strength, caps, uncapped, catalogue)


def _with_coverage(
    results: tuple[ControlResult, ...], basis: GradeBasis, inventory: Inventory, catalogue: Catalogue
) -> tuple[tuple[ControlResult, ...], GradeBasis]:
    """Results and basis with their coverage statements: how much the inputs could show."""
    traffic = traffic_coverage(inventory)
    rules = catalogue.scoring
    covered = tuple(
        result.model_copy(update={"coverage": control_coverage(result, inventory, rules.inputs_for(result.id),
                                                               traffic)})
        for result in results
    )
    overall = assessment_coverage(covered, inventory, basis.evidence_strength, traffic)
    return covered, basis.model_copy(update={"coverage": overall})


def _numbered_drafts(outcomes: Sequence[ControlOutcome]) -> dict[int, tuple[str, FindingDraft]]:
    """Each draft (by identity) with its finding id: most severe first within its control."""
    numbered: dict[int, tuple[str, FindingDraft]] = {}
    for outcome in outcomes:
        ordered = sorted(outcome.drafts, key=lambda draft: draft.order)
        for number, draft in enumerate(ordered, start=1):
            numbered[id(draft)] = (f"{outcome.control.finding_prefix}-{number:03d}", draft)
    return numbered


def _ordered_findings(
    numbered: dict[int, tuple[str, FindingDraft]], catalogue: Catalogue
) -> tuple[Finding, ...]:
    """All findings most severe first, in catalogue order, then by id."""
    rules: ScoringRules = catalogue.scoring
    findings = [draft.to_finding(finding_id, rules.evidence_per_finding)
                for finding_id, draft in numbered.values()]
    position = {control.id: index for index, control in enumerate(catalogue.controls)}
    findings.sort(key=lambda finding: (-finding.severity.rank, position[finding.control], finding.id))
    return tuple(findings)


# A catalogue out of step with the code is a programming error: fail as soon as the stage is imported.
check_registry(default_catalogue(), EVALUATORS)
