"""Data classes: which sensitive data an endpoint's documented fields and parameters carry.

The classifier is data (`data_classes.yaml`): per class (`DataClass`), field-name patterns and
formats. `classify_operations` runs it over the request and response fields the spec reader kept and
over the declared parameters, and says which classes the endpoint carries, which fields show each (a
few per class, with their spec location as evidence), whether any schema was read at all, and where
a write body stays open. Field values are never seen: specs give names and formats only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from riskscan.model import (
    DataClass,
    Evidence,
    FieldLocation,
    ParameterLocation,
    SensitiveField,
    SpecOperation,
)

__all__ = ["DataRules", "EndpointData", "classify_operations", "default_rules", "normalise", "parse_rules"]

_DATA_FILE = "data_classes.yaml"
_LOOSE_SHOWN = 5  # unbounded request fields kept as evidence per endpoint
_FIELDS_PER_PLACE = 3  # fields kept as evidence per class and location
_MAX_ANSWERS = 50_000  # distinct (field name, format) answers remembered
_SEPARATORS = re.compile(r"[\s_.\-]+")


@dataclass(frozen=True)
class DataRules:
    """Per class, in matching order: name patterns and formats."""

    classes: tuple[tuple[DataClass, tuple[re.Pattern[str], ...], frozenset[str]], ...]
    # Each class's name patterns as one alternation (one search instead of one per pattern), and the
    # answers so far: the same field names (`id`, `email`) recur across thousands of operations.
    _joined: tuple[tuple[DataClass, re.Pattern[str] | None, frozenset[str]], ...] = field(
        init=False, compare=False, repr=False
    )
    _answers: dict[tuple[str, str], DataClass | None] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        joined = tuple(
            (data_class, re.compile("|".join(f"(?:{p.pattern})" for p in patterns)) if patterns else None, formats)
            for data_class, patterns, formats in self.classes
        )
        object.__setattr__(self, "_joined", joined)

    def classify(self, name: str, schema_format: str | None = None) -> DataClass | None:
        """The first class whose format or name pattern matches, or None."""
        key = (normalise(name), (schema_format or "").lower())
        if key in self._answers:
            return self._answers[key]
        normalised, lowered_format = key
        answer = next(
            (data_class for data_class, pattern, formats in self._joined
             if lowered_format in formats or (pattern is not None and pattern.search(normalised))),
            None,
        )
        if len(self._answers) < _MAX_ANSWERS:
            self._answers[key] = answer
        return answer


@dataclass(frozen=True)
class EndpointData:
    """What the classifier found for one endpoint."""

    data_classes: tuple[DataClass, ...]
    sensitive_fields: tuple[SensitiveField, ...]
    has_schemas: bool
    open_body: Evidence | None
    request_fields: int = 0
    loose_request_fields: tuple[Evidence, ...] = ()


def normalise(name: str) -> str:
    """`card_number`, `cardNumber`, `Card-Number` -> `cardnumber`."""
    return _SEPARATORS.sub("", name).lower()


def parse_rules(text: str) -> DataRules:
    """Build the rules from the YAML text of `data_classes.yaml`; a malformed table raises ValueError."""
    raw: Any = yaml.safe_load(text)
    classes = raw.get("classes") if isinstance(raw, dict) else None
    if not isinstance(classes, dict):
        raise ValueError(f"{_DATA_FILE}: a mapping 'classes' is required")
    built = []
    for name, entry in classes.items():
        data_class = DataClass(name)  # ValueError names an unknown class
        if not isinstance(entry, dict):
            raise ValueError(f"{_DATA_FILE}: class {name} must be a mapping of names and formats")
        patterns = tuple(re.compile(str(pattern)) for pattern in entry.get("names") or ())
        formats = frozenset(str(value).lower() for value in entry.get("formats") or ())
        built.append((data_class, patterns, formats))
    return DataRules(tuple(built))


@lru_cache(maxsize=1)
def default_rules() -> DataRules:
    """The rules shipped with riskscan."""
    return parse_rules(resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8"))


def classify_operations(
    operations: Sequence[SpecOperation],
    rules: DataRules | None = None,
    observed: tuple[Sequence[str], Evidence] | None = None,
) -> EndpointData:
    """Classify every field and parameter the operations documenting one endpoint declare, and the
    response field names a capture showed (`observed`: dotted names such as `items[].card.number`,
    with the traffic evidence they came from)."""
    rules = rules or default_rules()
    found: dict[DataClass, list[SensitiveField]] = {}
    for name, schema_format, location, evidence in (*_candidates(operations), *_observed(observed)):
        data_class = rules.classify(name, schema_format)
        if data_class is None:
            continue
        kept = found.setdefault(data_class, [])
        same_place = [existing for existing in kept if existing.location is location]
        if len(same_place) < _FIELDS_PER_PLACE and all(existing.name != name for existing in same_place):
            kept.append(
                SensitiveField(name=name, data_class=data_class, location=location, evidence=evidence)
            )
    scalars = [f for operation in operations for f in operation.fields or () if f.is_constrained is not None]
    order = list(DataClass)
    classes = tuple(sorted(found, key=order.index))
    return EndpointData(
        data_classes=classes,
        sensitive_fields=tuple(field for data_class in classes for field in found[data_class]),
        has_schemas=any(operation.fields for operation in operations),
        open_body=next((operation.open_body for operation in operations if operation.open_body), None),
        request_fields=len(scalars),
        loose_request_fields=tuple(
            f.evidence.model_copy(
                update={"note": f"request field {f.name}: no length, pattern, enum or range bound"})
            for f in scalars if not f.is_constrained
        )[:_LOOSE_SHOWN],
    )


_PARAMETER_LOCATIONS = {
    ParameterLocation.PATH: FieldLocation.URL,
    ParameterLocation.QUERY: FieldLocation.URL,
    ParameterLocation.HEADER: FieldLocation.HEADER,
    ParameterLocation.COOKIE: FieldLocation.HEADER,
    ParameterLocation.BODY: FieldLocation.REQUEST,
    ParameterLocation.FORM: FieldLocation.REQUEST,
}


def _candidates(
    operations: Iterable[SpecOperation],
) -> Iterable[tuple[str, str | None, FieldLocation, Evidence]]:
    """(name, format, location, evidence) of every schema field, then every declared parameter."""
    for operation in operations:
        for schema_field in operation.fields or ():
            yield schema_field.name, schema_field.schema_format, schema_field.location, schema_field.evidence
        for parameter in operation.parameters:
            location = _PARAMETER_LOCATIONS[parameter.location]
            yield parameter.name, parameter.schema_format, location, operation.evidence


def _observed(
    observed: tuple[Sequence[str], Evidence] | None,
) -> Iterable[tuple[str, None, FieldLocation, Evidence]]:
    """(leaf name, no format, response, evidence) of each response field name seen in traffic."""
    if observed is None:
        return
    names, evidence = observed
    for dotted in names:
        leaf = dotted.rsplit(".", 1)[-1].removesuffix("[]")
        if leaf:
            note = f"seen in a captured response: {dotted}"
            yield leaf, None, FieldLocation.RESPONSE, evidence.model_copy(update={"note": note})
