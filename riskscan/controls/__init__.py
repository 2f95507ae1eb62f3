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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Annotated

from pydantic import Field

from riskscan.controls.auth import evaluate_auth
from riskscan.controls.basis import grade_basis, grade_caps, overall_strength
from riskscan.controls.catalogue import Catalogue, Control, ScoringRules, check_registry, default_catalogue
from riskscan.controls.data_exposure import evaluate_data_exposure
from riskscan.controls.function_authorization import evaluate_function_authorization
from riskscan.controls.input_validation import evaluate_input_validation
from riskscan.controls.inventory_hygiene import evaluate_inventory_hygiene
from riskscan.controls.misconfiguration import evaluate_misconfiguration
from riskscan.controls.monitoring import evaluate_monitoring
from riskscan.controls.object_authorization import evaluate_object_authorization
from riskscan.controls.outcome import ControlOutcome
from riskscan.controls.rate_limit import evaluate_rate_limit
from riskscan.controls.secrets_hygiene import evaluate_secrets_hygiene
from riskscan.controls.upstreams import evaluate_availability, evaluate_third_party, evaluate_transport_security
from riskscan.controls.scoring import capped_grade, control_result, overall_score
from riskscan.model import ControlResult, Finding, Grade, GradeBasis, Inventory, Model

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
    }
)
"""Catalogue control id -> evaluator; `check_registry` keeps it in step with `catalogue.yaml`."""


class ControlEvaluation(Model):
    """What the controls stage hands to the assessment: results in catalogue order, findings most
    severe first, the overall score, the grade and what it rests on."""

    controls: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]
    score: Annotated[int, Field(ge=0, le=100)]
    grade: Grade
    basis: GradeBasis


def evaluate_controls(
    inventory: Inventory,
    *,
    catalogue: Catalogue | None = None,
    evaluators: Mapping[str, Evaluator] | None = None,
) -> ControlEvaluation:
    """Run every catalogue control over `inventory` and grade the result.

    `catalogue` and `evaluators` default to the packaged ones; tests pass their own.
    """
    catalogue = catalogue or default_catalogue()
    evaluators = EVALUATORS if evaluators is None else evaluators
    check_registry(catalogue, evaluators)
    outcomes = [evaluators[control.id](inventory, control) for control in catalogue.controls]
    results = tuple(control_result(outcome, catalogue.scoring) for outcome in outcomes)
    findings = _numbered_findings(outcomes, catalogue)
    score = overall_score(results, catalogue.scoring)
    strength = overall_strength(results, catalogue.scoring)
    caps = grade_caps(findings, strength, catalogue.scoring)
    uncapped = catalogue.scoring.grade_for(score)
    return ControlEvaluation(
        controls=results,
        findings=findings,
        score=score,
        grade=capped_grade(uncapped, [cap for cap, _ in caps]),
        basis=grade_basis(results, strength, caps, uncapped, catalogue),
    )


def _numbered_findings(outcomes: Sequence[ControlOutcome], catalogue: Catalogue) -> tuple[Finding, ...]:
    """Give each draft its id, then list all findings most severe first, in catalogue order."""
    rules: ScoringRules = catalogue.scoring
    findings: list[Finding] = []
    for outcome in outcomes:
        ordered = sorted(outcome.drafts, key=lambda draft: draft.order)
        findings.extend(
            draft.to_finding(f"{outcome.control.finding_prefix}-{number:03d}", rules.evidence_per_finding)
            for number, draft in enumerate(ordered, start=1)
        )
    position = {control.id: index for index, control in enumerate(catalogue.controls)}
    findings.sort(key=lambda finding: (-finding.severity.rank, position[finding.control], finding.id))
    return tuple(findings)


# A catalogue out of step with the code is a programming error: fail as soon as the stage is imported.
check_registry(default_catalogue(), EVALUATORS)
