"""The control catalogue: `catalogue.yaml` loaded once into typed, frozen models.

The catalogue is data: each control's id, name, weight, OWASP references, thresholds and the text of
every finding it can raise. Evaluators read their thresholds and templates from their `Control`, so an
insurer-facing change (a severity, a threshold, a wording) is an edit to the YAML, not to code.
`check_registry` ties catalogue ids to evaluator functions and fails loudly when either lacks the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from riskscan.errors import RiskscanError
from riskscan.model import DataClass, EndpointExposure, EvidenceStrength, Grade, InputFamily, Model, Severity

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Control",
    "EndpointWeights",
    "FindingTemplate",
    "ScoringRules",
    "check_registry",
    "default_catalogue",
    "load_catalogue",
    "parse_catalogue",
    "render",
]

_OWASP_REF = re.compile(r"^API\d{1,2}:20\d\d$")
_CONTROL_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_FINDING_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
_DEFAULT_NAME = "catalogue.yaml"

ParameterValue = int | float | str | tuple[str, ...]


@dataclass
class CatalogueError(RiskscanError):
    """The control catalogue is malformed or out of step with the evaluators (a programming error)."""


class FindingTemplate(Model):
    """The text and severity of one kind of finding a control can raise."""

    code: str
    severity: Severity
    title: str
    detail: str
    owasp: str | None = None
    remediation: str | None = None
    per_endpoint: bool = False  # one finding per endpoint instead of one grouping them all

    @field_validator("owasp")
    @classmethod
    def _known_owasp(cls, value: str | None) -> str | None:
        return None if value is None else _owasp_ref(value)


class Control(Model):
    """One control: what it checks, how much it weighs, and the findings it may raise."""

    id: str  # also the evaluator's name: evaluate_<id>
    finding_prefix: str  # finding ids are <prefix>-001, <prefix>-002 ...
    name: str
    area: str  # the module under riskscan/controls/ that holds the evaluator
    weight: float = Field(gt=0)
    owasp: tuple[str, ...] = ()
    description: str  # what the control checks, and on which endpoints
    insurer_concern: str  # why an insurer cares: the loss the weakness leads to
    remediation: str
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    summary: str
    unknown_summary: str
    limitations: dict[str, str] = Field(default_factory=dict)
    findings: tuple[FindingTemplate, ...]

    @field_validator("owasp")
    @classmethod
    def _known_owasp(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_owasp_ref(ref) for ref in value)

    @field_validator("id", "area")
    @classmethod
    def _python_name(cls, value: str) -> str:
        if not _CONTROL_ID.match(value):
            raise ValueError(f"{value!r} must be a lower-case Python name such as rate_limit")
        return value

    @field_validator("finding_prefix")
    @classmethod
    def _short_prefix(cls, value: str) -> str:
        if not _FINDING_PREFIX.match(value):
            raise ValueError(f"finding prefix {value!r} must be 2-8 upper-case letters or digits (AUTH)")
        return value

    @model_validator(mode="after")
    def _unique_codes(self) -> Control:
        codes = [template.code for template in self.findings]
        if len(codes) != len(set(codes)):
            raise ValueError(f"control {self.id} repeats a finding code")
        return self

    def template(self, code: str) -> FindingTemplate:
        """The finding template `code` of this control."""
        for template in self.findings:
            if template.code == code:
                return template
        raise CatalogueError(f"control {self.id} has no finding {code!r} in the catalogue")

    def number(self, name: str) -> float:
        """A numeric threshold from `parameters`."""
        value = self._parameter(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CatalogueError(f"control {self.id}: parameter {name!r} must be a number")
        return float(value)

    def words(self, name: str) -> frozenset[str]:
        """A list parameter (nouns, plugin names ...) as a set of lower-case words."""
        value = self._parameter(name)
        if not isinstance(value, tuple):
            raise CatalogueError(f"control {self.id}: parameter {name!r} must be a list")
        return frozenset(word.lower() for word in value)

    def limitation(self, key: str, **fields: object) -> str:
        """The plain statement `key` of what the inputs cannot show, with `fields` filled in."""
        if key not in self.limitations:
            raise CatalogueError(f"control {self.id} has no limitation {key!r} in the catalogue")
        return render(self.limitations[key], fields, where=f"{self.id} limitation {key}")

    def _parameter(self, name: str) -> ParameterValue:
        if name not in self.parameters:
            raise CatalogueError(f"control {self.id} has no parameter {name!r} in the catalogue")
        return self.parameters[name]


class EndpointWeights(Model):
    """How much one endpoint weighs in its control's score: exposure x data x traffic factors."""

    exposure: dict[EndpointExposure, float]
    data_classes: dict[DataClass, float]
    no_data: float = Field(gt=0)
    traffic_boost: float = Field(ge=0)

    @model_validator(mode="after")
    def _complete(self) -> EndpointWeights:
        missing = [e.value for e in EndpointExposure if e not in self.exposure]
        missing += [c.value for c in DataClass if c not in self.data_classes]
        if missing:
            raise ValueError(f"endpoint weights lack {', '.join(missing)}")
        if any(value <= 0 for value in [*self.exposure.values(), *self.data_classes.values()]):
            raise ValueError("endpoint weight factors must be above 0")
        return self


class ScoringRules(Model):
    """How findings become control scores, and control scores an overall score and grade."""

    severity_shortfall: dict[Severity, float]
    estate_penalty: dict[Severity, int]
    score_caps: dict[Severity, int] = Field(default_factory=dict)
    pass_at: int = Field(ge=0, le=100)
    fail_below: int = Field(ge=0, le=100)
    unknown_score: int = Field(ge=0, le=100)
    grades: dict[Grade, int]
    grade_caps: dict[Severity, Grade] = Field(default_factory=dict)
    material_share: float = Field(gt=0, le=1)
    evidence_grade_caps: dict[EvidenceStrength, Grade] = Field(default_factory=dict)
    basis_exempt: tuple[str, ...] = ()  # control ids left out of the assessment's evidence basis
    evidence_statements: dict[EvidenceStrength, str]
    method: str
    evidence_per_finding: int = Field(gt=0)
    evidence_per_control: int = Field(gt=0)
    endpoint_weights: EndpointWeights
    # Per control id, the input kinds that can show it: coverage statements name the missing ones.
    control_inputs: dict[str, tuple[InputFamily, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> ScoringRules:
        missing = [s.value for s in Severity if s not in self.severity_shortfall or s not in self.estate_penalty]
        if missing:
            raise ValueError(f"scoring lacks severities {', '.join(missing)}")
        if Grade.F in self.grades:
            raise ValueError("grade F is whatever scores below the lowest other grade; give it no minimum")
        unstated = [level.value for level in EvidenceStrength if level not in self.evidence_statements]
        if unstated:
            raise ValueError(f"scoring lacks evidence statements for {', '.join(unstated)}")
        return self

    def grade_for(self, score: int) -> Grade:
        """The letter grade for `score`, before any cap."""
        for grade, minimum in sorted(self.grades.items(), key=lambda item: -item[1]):
            if score >= minimum:
                return grade
        return Grade.F

    def inputs_for(self, control_id: str) -> tuple[InputFamily, ...]:
        """The input kinds that can show a control; every kind for a control `control_inputs` omits,
        so that a missing input is never left unsaid."""
        return self.control_inputs.get(control_id, tuple(InputFamily))

    def evidence_cap(self, strength: EvidenceStrength) -> Grade | None:
        """The best grade allowed when the assessment rests on `strength`: the worst cap set for that
        level or any stronger one (evidence weaker than a capped level is capped at least as much)."""
        caps = [grade for level, grade in self.evidence_grade_caps.items() if level.rank >= strength.rank]
        return max(caps, key=list(Grade).index, default=None)


class Catalogue(Model):
    """Every control riskscan evaluates, in report order, with the scoring rules."""

    scoring: ScoringRules
    controls: tuple[Control, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalogue:
        for field, label in (("id", "control ids"), ("finding_prefix", "finding prefixes")):
            values = [getattr(control, field) for control in self.controls]
            if len(values) != len(set(values)):
                raise ValueError(f"{label} must be unique")
        unknown = set(self.scoring.control_inputs) - {control.id for control in self.controls}
        if unknown:
            raise ValueError(f"scoring.control_inputs names no control: {', '.join(sorted(unknown))}")
        return self

    def get(self, control_id: str) -> Control:
        """The control with this id."""
        for control in self.controls:
            if control.id == control_id:
                return control
        raise CatalogueError(f"no control {control_id!r} in the catalogue")


def render(template: str, fields: Mapping[str, object], *, where: str) -> str:
    """Fill a catalogue template; a field the template names but nobody supplied is a catalogue bug."""
    try:
        return " ".join(template.format_map(fields).split())
    except (KeyError, IndexError, ValueError) as error:
        raise CatalogueError(f"catalogue template {where} cannot be filled: {error}") from error


def parse_catalogue(text: str, *, source: str = _DEFAULT_NAME) -> Catalogue:
    """Parse catalogue YAML text, raising `CatalogueError` with one line naming the problem."""
    try:
        raw: Any = yaml.safe_load(text)
        return Catalogue.model_validate(_tuples(raw))
    except yaml.YAMLError as error:
        raise CatalogueError(f"{source}: not valid YAML ({type(error).__name__})") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CatalogueError(f"{source}: {where}: {first['msg']}") from error


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the catalogue from `path`, or the one shipped inside the package."""
    if path is None:
        text = resources.files(__package__).joinpath(_DEFAULT_NAME).read_text(encoding="utf-8")
        return parse_catalogue(text)
    return parse_catalogue(path.read_text(encoding="utf-8"), source=path.name)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged catalogue, read once per process."""
    return load_catalogue()


def check_registry(catalogue: Catalogue, evaluators: Mapping[str, Callable[..., object]]) -> None:
    """Fail unless every catalogue control has an evaluator and every evaluator a catalogue entry.

    Each evaluator must also be named `evaluate_<id>` and live in `riskscan/controls/<area>.py` (or
    any module named after the area), so that the YAML entry, the function and the module stay tied
    together.
    """
    registered, listed = set(evaluators), {control.id for control in catalogue.controls}
    if listed - registered:
        raise CatalogueError(f"catalogue controls without an evaluator: {', '.join(sorted(listed - registered))}")
    if registered - listed:
        raise CatalogueError(f"evaluators without a catalogue entry: {', '.join(sorted(registered - listed))}")
    for control in catalogue.controls:
        evaluator = evaluators[control.id]
        name, module = getattr(evaluator, "__name__", "?"), getattr(evaluator, "__module__", "?")
        if name != f"evaluate_{control.id}" or module.rpartition(".")[2] != control.area:
            raise CatalogueError(
                f"control {control.id} is registered to {module}.{name}, "
                f"not evaluate_{control.id} in a module named {control.area}"
            )


def _owasp_ref(value: str) -> str:
    if not _OWASP_REF.match(value):
        raise ValueError(f"OWASP reference {value!r} is not like 'API1:2023'")
    return value


def _tuples(raw: Any) -> Any:
    """YAML lists become tuples, so that list parameters validate as `tuple[str, ...]`."""
    if isinstance(raw, dict):
        return {key: _tuples(value) for key, value in raw.items()}
    if isinstance(raw, list):
        return tuple(_tuples(item) for item in raw)
    return raw
