"""The questionnaire file format: an insurer's form as data, validated on load (see docs/questionnaires.md).

A questionnaire has sections of questions; each question names its answer type and either the rule
that answers it from the assessment or `attestation: required`. Rules are a closed set of kinds, each
with typed parameters: controls in place, no findings of a kind, or an inventory figure compared with
thresholds or mapped onto the carrier's own bands. Everything a rule names (control ids, finding codes,
metrics) is checked against the catalogue and the metric list, so a broker's typo is a one-line error
naming the file and line, never a question silently answered "no".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from riskscan.controls.catalogue import default_catalogue
from riskscan.errors import SourceError, UsageError
from riskscan.model import EvidenceStrength, Model, Severity
from riskscan.model.questionnaires import AnswerType
from riskscan.sources.structured import StructuredDocument, parse_structured_text
from riskscan.underwriting.questionnaire_metrics import Metric, MetricUnit
from riskscan.user_files import read_user_file

__all__ = [
    "Band",
    "ControlsRule",
    "FindingsRule",
    "LoadedQuestionnaire",
    "MetricRule",
    "Question",
    "QuestionnaireForm",
    "Rule",
    "RuleKind",
    "Section",
    "Threshold",
    "load_questionnaire",
    "parse_questionnaire",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_MAX_BYTES = 2 * 1024 * 1024


def _text(value: Any) -> Any:
    """Numbers written unquoted (`version: 2026.1`) read as text."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=2000)]
Ident = Annotated[str, Field(pattern=_ID.pattern)]


class RuleKind(StrEnum):
    """The kinds of rule that answer a question from the assessment."""

    CONTROLS_IN_PLACE = "controls_in_place"  # every named control passes: yes; some endpoints: partial
    NO_FINDINGS = "no_findings"  # no finding of these controls or codes at or above a severity
    INVENTORY_METRIC = "inventory_metric"  # an inventory figure against thresholds or bands


class ControlsRule(Model):
    """Yes when every control passes, partial when some endpoints fall short, no when one fails."""

    kind: Literal[RuleKind.CONTROLS_IN_PLACE]
    controls: tuple[str, ...] = Field(min_length=1)
    min_evidence: EvidenceStrength | None = None  # a pass on weaker evidence is not observable
    # A pass judging fewer endpoints than this (none: the question's kind of endpoint is not among the
    # inputs, e.g. login endpoints when an identity provider outside them issues the tokens) is not observable.
    min_judged: int = Field(default=0, ge=0)

    @field_validator("controls")
    @classmethod
    def _known_controls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_controls(value)


class FindingsRule(Model):
    """Yes when the named controls (or finding codes) raised nothing at or above `min_severity`."""

    kind: Literal[RuleKind.NO_FINDINGS]
    controls: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    min_severity: Severity = Severity.LOW

    @field_validator("controls")
    @classmethod
    def _known_controls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_controls(value)

    @field_validator("codes")
    @classmethod
    def _known_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = finding_codes()
        for code in value:
            if code not in known:
                raise ValueError(f"unknown finding code {code!r} (see riskscan controls and catalogue.yaml)")
        return value

    @model_validator(mode="after")
    def _names_something(self) -> FindingsRule:
        if not self.controls and not self.codes:
            raise ValueError("a no_findings rule names 'controls' or 'codes'")
        return self

    @property
    def judged_by(self) -> tuple[str, ...]:
        """The controls whose findings the rule reads (those named and those raising its codes)."""
        codes = finding_codes()
        return tuple(dict.fromkeys([*self.controls, *(codes[code] for code in self.codes)]))


class Threshold(Model):
    """A bound on a figure: `at_most` or `at_least` (inclusive)."""

    at_most: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("give exactly one of 'at_most' and 'at_least'")
        return self

    def holds(self, value: float) -> bool:
        """True when `value` is within the bound."""
        return value <= self.at_most if self.at_most is not None else value >= (self.at_least or 0)

    def __str__(self) -> str:
        return f"at most {self.at_most:g}" if self.at_most is not None else f"at least {self.at_least:g}"


class MetricRule(Model):
    """An inventory figure: yes within `yes_when`, partial within `partial_when`, else no (or the figure)."""

    kind: Literal[RuleKind.INVENTORY_METRIC]
    metric: Metric
    yes_when: Threshold | None = None
    partial_when: Threshold | None = None


Rule = Annotated[ControlsRule | FindingsRule | MetricRule, Field(discriminator="kind")]


class Band(Model):
    """One of the carrier's answer bands: `from` to `to` inclusive (no `to`: and above)."""

    label: Text
    low: float = Field(alias="from", ge=0)
    high: float | None = Field(default=None, alias="to")

    def contains(self, value: float) -> bool:
        """True when `value` falls in this band."""
        return self.low <= value and (self.high is None or value <= self.high)


class Question(Model):
    """One question: its text, answer type, and the rule that answers it or `attestation: required`."""

    id: Ident
    text: Text
    answer: AnswerType
    bands: tuple[Band, ...] = ()
    rule: Rule | None = None
    attestation: Literal["required"] | None = None
    note: Text | None = None  # what a yes requires, or why only a person can answer

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if (self.rule is None) == (self.attestation is None):
            raise ValueError("give exactly one of 'rule' and 'attestation: required'")
        if (self.answer is AnswerType.CHOICE) != bool(self.bands):
            raise ValueError("'bands' are given with answer 'choice', and only then")
        if self.bands:
            _check_bands(self.bands, self.rule)
        if self.rule is not None:
            _check_rule_fits(self.answer, self.rule)
        return self


class Section(Model):
    """A group of questions under a heading."""

    id: Ident
    title: Text
    questions: tuple[Question, ...] = Field(min_length=1)


class QuestionnaireForm(Model):
    """A whole questionnaire file."""

    id: Ident
    title: Text
    version: Text
    issuer: Text | None = None
    notes: Text | None = None
    sections: tuple[Section, ...] = Field(min_length=1)

    @property
    def questions(self) -> tuple[tuple[Section, Question], ...]:
        """Every question with its section, in order."""
        return tuple((section, question) for section in self.sections for question in section.questions)


@dataclass(frozen=True)
class LoadedQuestionnaire:
    """A validated questionnaire and the file it came from (its name, as reports show it)."""

    form: QuestionnaireForm
    source: str


def load_questionnaire(path: Path) -> LoadedQuestionnaire:
    """Read and validate a questionnaire file; `UsageError` with one line naming file, line and problem."""
    text = read_user_file(path, "questionnaire", _MAX_BYTES)
    return LoadedQuestionnaire(form=parse_questionnaire(text, path), source=path.name)


def parse_questionnaire(text: str, path: Path) -> QuestionnaireForm:
    """Validate questionnaire text read from `path` (the format is in docs/questionnaires.md)."""
    try:
        document = parse_structured_text(text, path, path.name)
    except SourceError as error:  # the loader's own errors carry the line already
        raise UsageError(f"{path.name}: not valid YAML or JSON ({_reason(error)})") from None
    if not isinstance(document.data, dict):
        raise UsageError(f"{path.name}:1: expected a mapping with id, title, version and sections")
    try:
        form = QuestionnaireForm.model_validate(document.data)
    except ValidationError as error:
        raise _first_error(document, error) from None
    _check_unique_ids(document, form)
    return form


@lru_cache(maxsize=1)
def finding_codes() -> dict[str, str]:
    """Every finding code of the catalogue -> the control that raises it."""
    return {
        template.code: control.id for control in default_catalogue().controls for template in control.findings
    }


def _check_controls(ids: tuple[str, ...]) -> tuple[str, ...]:
    known = {control.id for control in default_catalogue().controls}
    for control_id in ids:
        if control_id not in known:
            raise ValueError(f"unknown control {control_id!r} (one of: {', '.join(sorted(known))})")
    return ids


def _check_rule_fits(answer: AnswerType, rule: ControlsRule | FindingsRule | MetricRule) -> None:
    """The rule can produce the answer type the question asks for."""
    if answer in (AnswerType.YES_NO, AnswerType.YES_PARTIAL_NO):
        if isinstance(rule, MetricRule) and rule.yes_when is None:
            raise ValueError("a yes/no question answered by a metric needs a 'yes_when' threshold")
        return
    if not isinstance(rule, MetricRule):
        # pydantic reports a ValueError raised in a validator with the field's location: not a TypeError
        raise ValueError(f"answer '{answer.value}' needs an inventory_metric rule (or attestation: required)")  # noqa: TRY004
    unit = rule.metric.unit
    if answer is AnswerType.PERCENTAGE and unit is not MetricUnit.PERCENT:
        raise ValueError(f"metric {rule.metric.value} is a {unit.value}, not a percentage")
    if answer is AnswerType.NUMBER and unit is MetricUnit.PERCENT:
        raise ValueError(f"metric {rule.metric.value} is a percentage: use answer 'percentage'")
    if answer is AnswerType.TEXT and not rule.metric.has_text:
        raise ValueError(f"metric {rule.metric.value} has no text form: use answer 'number' or 'choice'")


def _check_bands(bands: tuple[Band, ...], rule: ControlsRule | FindingsRule | MetricRule | None) -> None:
    """Bands start at 0 and follow one another without gap or overlap, up to no upper bound."""
    if rule is not None and not isinstance(rule, MetricRule):
        raise ValueError("'bands' need an inventory_metric rule (or attestation: required)")
    whole = rule is None or rule.metric.unit is not MetricUnit.PERCENT
    if bands[0].low != 0:
        raise ValueError(f"bands do not cover the range: the first starts at {bands[0].low:g}, not 0")
    for before, after in pairwise(bands):
        if before.high is None:
            raise ValueError(f"band {before.label!r} has no upper bound but is not the last")
        expected = before.high + 1 if whole else before.high
        if after.low != expected:
            raise ValueError(
                f"bands do not cover the range: {after.label!r} starts at {after.low:g}, "
                f"expected {expected:g}"
            )
    top = bands[-1].high
    if top is not None and not (not whole and top >= 100):
        raise ValueError(f"bands do not cover the range: the last ({bands[-1].label!r}) needs no 'to'")
    labels = [band.label for band in bands]
    if len(labels) != len(set(labels)):
        raise ValueError("band labels repeat")


def _check_unique_ids(document: StructuredDocument, form: QuestionnaireForm) -> None:
    """Section ids, and question ids across the whole form, are unique: attestations name them."""
    seen: set[str] = set()
    for index, section in enumerate(form.sections):
        if section.id in seen:
            _fail(document, f"/sections/{index}/id", f"duplicate section id {section.id!r}")
        seen.add(section.id)
    seen = set()
    for s_index, section in enumerate(form.sections):
        for q_index, question in enumerate(section.questions):
            if question.id in seen:
                _fail(
                    document,
                    f"/sections/{s_index}/questions/{q_index}/id",
                    f"duplicate question id {question.id!r}",
                )
            seen.add(question.id)


def _first_error(document: StructuredDocument, error: ValidationError) -> UsageError:
    """The first validation problem as one line: `file:line: where: problem`."""
    first = error.errors()[0]
    loc = [part for part in first["loc"] if not (isinstance(part, str) and part in set(RuleKind))]
    pointer = "".join(f"/{part}" for part in loc)
    message = str(first["msg"]).removeprefix("Value error, ")
    field = ".".join(str(part) for part in loc) or "questionnaire"
    line = document.line_of(pointer) or 1
    return UsageError(f"{document.path.name}:{line}: {field}: {message}")


def _fail(document: StructuredDocument, pointer: str, problem: str) -> None:
    raise UsageError(f"{document.path.name}:{document.line_of(pointer) or 1}: {problem}")


def _reason(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text.split(": ", 1)[-1][:160]
