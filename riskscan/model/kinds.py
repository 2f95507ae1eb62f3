"""The closed sets the model speaks, defined in `riskscan.kinds` (outside this package, so that the
command line can offer them without loading the model) and re-exported here for every other module."""

from __future__ import annotations

from riskscan.kinds import (
    AdminExposureKind,
    AuthKind,
    CipherWeakness,
    ControlStatus,
    DataClass,
    EndpointExposure,
    EvidenceStrength,
    FieldLocation,
    Grade,
    IdGuessability,
    Industry,
    InputFamily,
    InputStatus,
    Lifecycle,
    ParameterLocation,
    RateLimitKeying,
    RouteAspect,
    Severity,
    SightingSource,
    SourceKind,
    TrafficEngine,
)

__all__ = [
    "AdminExposureKind",
    "AuthKind",
    "CipherWeakness",
    "ControlStatus",
    "DataClass",
    "EndpointExposure",
    "EvidenceStrength",
    "FieldLocation",
    "Grade",
    "IdGuessability",
    "Industry",
    "InputFamily",
    "InputStatus",
    "Lifecycle",
    "ParameterLocation",
    "RateLimitKeying",
    "RouteAspect",
    "Severity",
    "SightingSource",
    "SourceKind",
    "TrafficEngine",
]
