"""The coverage rules file (`coverage_rules.yaml`): its format, validated, and the packaged default.

A rule names a policy condition or exclusion, the wording to check and the endorsement to ask for, and
the triggers that open it (see the file's header and docs/coverage-and-premium.md). The format is a
closed set of trigger kinds, each with its own fields, so a misspelt field fails at load time instead of
silently never firing.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from riskscan.controls.catalogue import default_catalogue
from riskscan.model import ControlStatus, DataClass, Lifecycle, Model, Severity
from riskscan.underwriting.data_files import parse_data_file, read_data_file

__all__ = [
    "CoverageRule",
    "CoverageRules",
    "InputKind",
    "NotObservable",
    "Trigger",
    "TriggerKind",
    "default_coverage_rules",
    "load_coverage_rules",
]

_DEFAULT_NAME = "coverage_rules.yaml"
_Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
_Text = Annotated[str, Field(min_length=1, max_length=2000)]


class TriggerKind(StrEnum):
    """What a trigger reads from the assessment."""

    FINDINGS = "findings"
    CONTROL = "control"
    LIFECYCLE = "lifecycle"
    SENSITIVE_DATA = "sensitive_data"
    DEPRECATED_IN_USE = "deprecated_in_use"
    SLOW_WALK = "slow_walk"


class InputKind(StrEnum):
    """A kind of input whose absence leaves a gap not observable."""

    SPECS = "specs"
    GATEWAY = "gateway"
    TRAFFIC = "traffic"


class _Rule(Model):
    """Checks shared by every trigger: the controls it names exist in the catalogue."""

    controls: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _known_controls(self) -> _Rule:
        known = {control.id for control in default_catalogue().controls}
        unknown = sorted(set(self.controls) - known)
        if unknown:
            raise ValueError("names a control riskscan does not have (riskscan controls lists them)")
        return self


class FindingsTrigger(_Rule):
    """Findings of `controls` at or above `min_severity`, optionally only on endpoints in `lifecycles`."""

    kind: Literal[TriggerKind.FINDINGS]
    controls: tuple[str, ...] = Field(min_length=1)
    min_severity: Severity = Severity.LOW
    lifecycles: tuple[Lifecycle, ...] = ()


class ControlTrigger(_Rule):
    """A control whose status is one of `statuses` or whose score is below `below_score`."""

    kind: Literal[TriggerKind.CONTROL]
    controls: tuple[str, ...] = Field(min_length=1)
    statuses: tuple[ControlStatus, ...] = (ControlStatus.FAIL,)
    below_score: Annotated[int, Field(ge=0, le=100)] | None = None

    @model_validator(mode="after")
    def _no_unknown_status(self) -> ControlTrigger:
        if ControlStatus.UNKNOWN in self.statuses:
            raise ValueError("'unknown' is not a trigger status: unknown controls make a gap not ruled out")
        return self


class LifecycleTrigger(_Rule):
    """At least `at_least` endpoints in one of `lifecycles`."""

    kind: Literal[TriggerKind.LIFECYCLE]
    lifecycles: tuple[Lifecycle, ...] = Field(min_length=1)
    at_least: Annotated[int, Field(ge=1)] = 1


class SensitiveDataTrigger(_Rule):
    """Endpoints carrying `data_classes` named by a finding of `controls` at or above `min_severity`."""

    kind: Literal[TriggerKind.SENSITIVE_DATA]
    data_classes: tuple[DataClass, ...] = Field(min_length=1)
    controls: tuple[str, ...] = Field(min_length=1)
    min_severity: Severity = Severity.MEDIUM


class DeprecatedInUseTrigger(_Rule):
    """Deprecated or superseded endpoints that traffic shows still called."""

    kind: Literal[TriggerKind.DEPRECATED_IN_USE]


class SlowWalkTrigger(_Rule):
    """One client walking sequential ids for `min_hours` over `min_objects` objects; cites the findings
    of `controls` naming those endpoints."""

    kind: Literal[TriggerKind.SLOW_WALK]
    min_hours: Annotated[float, Field(gt=0, le=24 * 366)] = 24
    min_objects: Annotated[int, Field(ge=2)] = 20


Trigger = Annotated[
    FindingsTrigger | ControlTrigger | LifecycleTrigger | SensitiveDataTrigger | DeprecatedInUseTrigger
    | SlowWalkTrigger,
    Field(discriminator="kind"),
]


class NotObservable(_Rule):
    """When a gap cannot be ruled out: these controls unknown, or none of these inputs given."""

    without_inputs: tuple[InputKind, ...] = ()


class CoverageRule(Model):
    """One condition or exclusion at risk, and the triggers that put it there."""

    id: _Id
    title: _Text
    severity: Severity
    condition: _Text
    policy_wording: _Text
    endorsement: _Text
    triggers: tuple[Trigger, ...] = Field(min_length=1)
    not_observable: NotObservable = NotObservable()


class CoverageRules(Model):
    """The whole rules file."""

    rules: tuple[CoverageRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> CoverageRules:
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids repeat")
        return self


def load_coverage_rules(path: Path | None = None) -> CoverageRules:
    """The rules in `path`, or the packaged default; `UsageError` naming file, line and problem."""
    if path is not None:
        return read_data_file(path, CoverageRules, "coverage rules")[0]
    text = resources.files(__package__).joinpath(_DEFAULT_NAME).read_text(encoding="utf-8")
    return parse_data_file(text, Path(_DEFAULT_NAME), CoverageRules, "coverage rules")[0]


@lru_cache(maxsize=1)
def default_coverage_rules() -> CoverageRules:
    """The packaged rules, read once per process."""
    return load_coverage_rules()
