"""How guessable an endpoint's object ids are (`IdGuessability`), and why, from its spec and traffic.

The spec says what an id is: a path parameter typed integer (or format int32/int64), or a string
whose pattern allows only digits, is a sequential number a caller walks by counting; format uuid, or
a pattern shaped like one, is unguessable (though UUIDs leak through URLs, logs and shared links); a
string without format or pattern cannot be told. Traffic shows it too: numeric ids whose span is
close to the number of distinct objects called (at least half of the span used, over at least
`MIN_OBJECTS` objects) were handed out in sequence; ids the traffic engine folded as UUIDs are
unguessable. The spec is read first (it states the type; traffic only samples), and sequential
beats unguessable when an endpoint takes several ids: the weakest id opens the door.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from riskscan.model import IdGuessability, Parameter, ParameterLocation, TrafficStats

__all__ = ["MIN_DENSITY", "MIN_OBJECTS", "id_guessability"]

MIN_OBJECTS = 20
"""Distinct objects traffic must show before their ids' span says anything."""
MIN_DENSITY = 0.5
"""The share of their span the ids must fill to count as handed out in sequence."""

_NUMBER_FORMATS = frozenset({"int32", "int64", "integer", "long"})
_DIGITS_ONLY = re.compile(r"^\^?(?:\[0-9\]|\\d|\[1-9\]\[0-9\]|\[1-9\]\\d)[+*]?(?:\{\d+(?:,\d*)?\})?\$?$")
_UUID_SHAPE = re.compile(r"(?:\{8\}|\{12\}).*-|uuid", re.IGNORECASE)
_TEMPLATE_PARAMETER = re.compile(r"\{([^{}/]+)\}")


def id_guessability(
    path: str, parameters: Iterable[Parameter], traffic: TrafficStats | None
) -> tuple[IdGuessability, str] | None:
    """The endpoint's id guessability and a short reason; None when its path takes no id."""
    names = _TEMPLATE_PARAMETER.findall(path)
    if not names:
        return None
    declared = {p.name: p for p in parameters if p.location is ParameterLocation.PATH}
    found = [_from_spec(declared[name]) for name in names if name in declared]
    if "uuid" in names:  # the traffic engine folds UUIDs to `{uuid}`
        found.append((IdGuessability.UNGUESSABLE, "ids seen in traffic are UUIDs"))
    observed = _from_traffic(traffic)
    if observed is not None:
        found.append(observed)
    for kind in (IdGuessability.SEQUENTIAL, IdGuessability.UNGUESSABLE):
        reasons = [reason for found_kind, reason in found if found_kind is kind]
        if reasons:
            return kind, "; ".join(dict.fromkeys(reasons))
    return IdGuessability.UNKNOWN, "the id's type is not declared as a number or a UUID"


def _from_spec(parameter: Parameter) -> tuple[IdGuessability, str]:
    kind, form, pattern = parameter.schema_type, (parameter.schema_format or "").lower(), parameter.pattern
    name = parameter.name
    if kind == "integer" or form in _NUMBER_FORMATS:
        shown = f"{kind} ({form})" if form else f"{kind}"
        return IdGuessability.SEQUENTIAL, f"{name} is declared {shown}"
    if pattern is not None and _DIGITS_ONLY.match(pattern.replace(" ", "")):
        return IdGuessability.SEQUENTIAL, f"{name} is declared as digits only"
    if form == "uuid" or (pattern is not None and _UUID_SHAPE.search(pattern)):
        return IdGuessability.UNGUESSABLE, f"{name} is declared a UUID"
    return IdGuessability.UNKNOWN, f"{name} is declared {kind or 'without a type'}"


def _from_traffic(traffic: TrafficStats | None) -> tuple[IdGuessability, str] | None:
    """Sequential when the numeric ids seen fill at least `MIN_DENSITY` of their span."""
    if traffic is None or traffic.id_span <= 0 or traffic.distinct_paths < MIN_OBJECTS:
        return None
    if traffic.distinct_paths < MIN_DENSITY * traffic.id_span:
        return None
    return IdGuessability.SEQUENTIAL, (
        f"traffic shows {traffic.distinct_paths:,} distinct objects with numeric ids spanning only "
        f"{traffic.id_span:,}")
