"""The loss scenario file (`exposure_scenarios.yaml`): its schema, loading and one-line errors.

The file holds the insurer-facing figures of the exposure model as data: calibrated ranges per scenario,
the controls that drive each, how a control's status and findings move frequency and magnitude, the
record and revenue scaling, the industry multipliers, and the source behind every default. The shipped
file is read from the package; a replacement (`--exposure-scenarios`) is validated the same way, and a
mistake stops the scan with one line naming the file, the line and the problem.
"""

from __future__ import annotations

from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from riskscan.errors import SourceError, UsageError
from riskscan.model import ControlStatus, DriverEffect, Industry, Severity
from riskscan.sources.structured import StructuredDocument, parse_structured_text
from riskscan.user_files import read_user_file

__all__ = [
    "DEFAULT_SCENARIOS_NAME",
    "Driver",
    "DriverEffect",
    "MagnitudeUnit",
    "Scaling",
    "Scenario",
    "ScenarioFile",
    "load_scenario_file",
    "parse_scenario_file",
]

DEFAULT_SCENARIOS_NAME = "exposure_scenarios.yaml"
_MAX_BYTES = 1024 * 1024

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Factor = Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)]
"""A multiplier a control result applies: at most x10, so a replacement file cannot blow the model up."""
MAX_EVENTS_PER_YEAR = 12.0
"""Highest loss event frequency a scenario may give: a breach-sized loss monthly is already extreme."""
MAX_USD_PER_EVENT = 1e12
MAX_OUTAGE_HOURS = 8760.0


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MagnitudeUnit(StrEnum):
    """What a magnitude range counts: dollars per event, or outage hours per event."""

    USD = "usd"
    HOURS = "hours"


class Scaling(StrEnum):
    """Which input scales a scenario's magnitude: records reachable (data theft) or revenue (outage)."""

    RECORDS = "records"
    REVENUE = "revenue"


class Frequency(_Strict):
    """Loss events per year, as a 90% interval."""

    low: Positive
    high: Positive
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        if type(self) is Frequency and self.high > MAX_EVENTS_PER_YEAR:
            raise ValueError(f"a frequency above {MAX_EVENTS_PER_YEAR:g} events a year is not a loss "
                             "scenario")
        return self


class Magnitude(Frequency):
    """Loss per event (dollars, or outage hours for revenue scaling), as a 90% interval."""

    unit: MagnitudeUnit
    scales_with: Scaling
    factor: Factor = 1.0  # a fixed multiplier of the scenario (a shadow-data breach costs more)
    factor_source: str | None = None

    @model_validator(mode="after")
    def _unit_fits_scaling(self) -> Self:
        expected = MagnitudeUnit.HOURS if self.scales_with is Scaling.REVENUE else MagnitudeUnit.USD
        if self.unit is not expected:
            raise ValueError(f"a magnitude scaling with {self.scales_with.value} is given in "
                             f"{expected.value}")
        if self.high > (MAX_OUTAGE_HOURS if self.unit is MagnitudeUnit.HOURS else MAX_USD_PER_EVENT):
            raise ValueError(f"high is beyond any loss ({MAX_OUTAGE_HOURS:g} hours, "
                             f"${MAX_USD_PER_EVENT:,.0f})")
        if self.factor != 1.0 and self.factor_source is None:
            raise ValueError("a factor needs its factor_source")
        return self


class Driver(_Strict):
    """A control that drives a scenario, and how its result moves it."""

    control: str
    affects: DriverEffect = DriverEffect.FREQUENCY
    magnitude_by_status: dict[ControlStatus, Factor] | None = None
    magnitude_source: str | None = None
    magnitude_reason: str | None = None

    @model_validator(mode="after")
    def _magnitude_complete(self) -> Self:
        if self.affects is DriverEffect.MAGNITUDE:
            if self.magnitude_by_status is None or set(self.magnitude_by_status) != set(ControlStatus):
                raise ValueError("magnitude_by_status must give pass, partial, fail and unknown")
            if not self.magnitude_source or not self.magnitude_reason:
                raise ValueError("a magnitude driver needs magnitude_source and magnitude_reason")
        return self


class Scenario(_Strict):
    """One loss scenario of the file."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(min_length=1)]
    frequency: Frequency
    magnitude: Magnitude
    drivers: tuple[Driver, ...] = Field(min_length=1)


class RecordScaling(_Strict):
    """Breach cost grows as (records / reference) ** exponent: sublinear for an exponent below one."""

    exponent: Annotated[float, Field(gt=0, le=1)]
    reference_records: Annotated[int, Field(gt=0)]
    source: str


class RevenueScaling(_Strict):
    """An outage hour costs revenue / hours_per_year, or the default hourly cost without revenue."""

    hours_per_year: Positive
    default_hourly_cost_usd: Positive
    source: str


class IndustryFactor(_Strict):
    """An industry's breach-cost multiplier and what it is computed from."""

    magnitude: Factor
    basis: str
    source: str


class Effects(_Strict):
    """How a driving control's status and its worst finding move a scenario's frequency."""

    frequency_by_status: dict[ControlStatus, Factor]
    frequency_source: str
    frequency_by_severity: dict[Severity, Factor]
    severity_source: str

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if set(self.frequency_by_status) != set(ControlStatus):
            raise ValueError("frequency_by_status must give pass, partial, fail and unknown")
        if set(self.frequency_by_severity) != set(Severity):
            raise ValueError("frequency_by_severity must give every severity")
        return self


class ScenarioFile(_Strict):
    """The whole scenario file (every source cited must be defined: `parse_scenario_file` checks)."""

    sources: dict[str, Annotated[str, Field(min_length=1)]]
    records: RecordScaling
    revenue: RevenueScaling
    industries: dict[Industry, IndustryFactor]
    effects: Effects
    scenarios: tuple[Scenario, ...] = Field(min_length=1)

    @field_validator("industries")
    @classmethod
    def _every_industry(cls, value: dict[Industry, IndustryFactor]) -> dict[Industry, IndustryFactor]:
        if set(value) != set(Industry):
            raise ValueError(f"industries must give {', '.join(Industry)}")
        return value

    @field_validator("scenarios")
    @classmethod
    def _unique_ids(cls, value: tuple[Scenario, ...]) -> tuple[Scenario, ...]:
        ids = [scenario.id for scenario in value]
        if len(set(ids)) != len(ids):
            raise ValueError("scenario ids must be unique")
        return value

    def citations(self) -> list[tuple[str, str]]:
        """Every source key the file cites, with the JSON pointer of the citation."""
        found = [("/records/source", self.records.source), ("/revenue/source", self.revenue.source),
                 ("/effects/frequency_source", self.effects.frequency_source),
                 ("/effects/severity_source", self.effects.severity_source)]
        found += [(f"/industries/{name.value}/source", f.source) for name, f in self.industries.items()]
        for index, scenario in enumerate(self.scenarios):
            at = f"/scenarios/{index}"
            found += [(f"{at}/frequency/sources", key) for key in scenario.frequency.sources]
            found += [(f"{at}/magnitude/sources", key) for key in scenario.magnitude.sources]
            if scenario.magnitude.factor_source:
                found.append((f"{at}/magnitude/factor_source", scenario.magnitude.factor_source))
            found += [(f"{at}/drivers/{number}/magnitude_source", d.magnitude_source)
                      for number, d in enumerate(scenario.drivers) if d.magnitude_source]
        return found


def load_scenario_file(path: Path | None, control_ids: frozenset[str]) -> ScenarioFile:
    """The replacement file at `path`, or the shipped one; `UsageError` naming file, line and problem."""
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_SCENARIOS_NAME).read_text(encoding="utf-8")
        return parse_scenario_file(text, Path(DEFAULT_SCENARIOS_NAME), control_ids)
    text = read_user_file(path, "scenario file", _MAX_BYTES)
    return parse_scenario_file(text, path, control_ids)


def parse_scenario_file(text: str, path: Path, control_ids: frozenset[str]) -> ScenarioFile:
    """Validate scenario text read from `path`; every control a driver names must be a catalogue id."""
    try:
        document = parse_structured_text(text, path, path.name)
    except SourceError as error:
        raise UsageError(f"{path.name}: not valid YAML ({_reason(error)})") from None
    try:
        parsed = ScenarioFile.model_validate(document.data)
    except ValidationError as error:
        raise _one_line(document, error) from None
    for pointer, key in parsed.citations():
        if key not in parsed.sources:
            raise UsageError(f"{path.name}:{document.line_of(pointer)}: source {key!r} is cited but not "
                             "defined under sources")
    for index, scenario in enumerate(parsed.scenarios):
        for number, driver in enumerate(scenario.drivers):
            if driver.control not in control_ids:
                line = document.line_of(f"/scenarios/{index}/drivers/{number}/control")
                raise UsageError(f"{path.name}:{line}: scenario {scenario.id}: control {driver.control!r} is "
                                 "not in the catalogue (riskscan controls lists them)")
    return parsed


def _one_line(document: StructuredDocument, error: ValidationError) -> UsageError:
    """The first validation problem as `file:line: where: problem`."""
    first = error.errors()[0]
    location: tuple[Any, ...] = tuple(part for part in first["loc"] if not str(part).startswith("function-"))
    pointer = "".join(f"/{part}" for part in location)
    line = document.line_of(pointer) or 1
    where = ".".join(str(part) for part in location) or "the file"
    message = str(first["msg"]).removeprefix("Value error, ")
    return UsageError(f"{document.path.name}:{line}: {where}: {message}")


def _reason(error: Exception) -> str:
    """The loader's one-line reason, without the file name it repeats."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text.split(": ", 1)[-1][:120]
