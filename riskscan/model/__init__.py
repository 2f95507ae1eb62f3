"""The typed domain model every riskscan stage speaks.

Sources produce `ApiSpec`, `GatewayConfig` and `TrafficSample`; the inventory stage turns them into
`Endpoint`s; controls produce `ControlResult`s and `Finding`s; the report stage formats a finished
`Assessment`. Only these types cross module boundaries. They are format-agnostic on purpose: a Kong
reader produces the same `GatewayRoute` as the APISIX one, a HAR reader the same `TrafficSample` as the
access-log one, so new input kinds plug in without touching the later stages.

Redaction is enforced here, at the one gate every value passes: each field that can hold
input-derived text has a `Redacted*` type whose validator runs `riskscan.redaction` on it, so an
unredacted string cannot enter the model (and `Model.model_copy` validates its updates too).
"""

from __future__ import annotations

from riskscan.model.base import (
    Model,
    RedactedEndpointKey,
    RedactedFilePath,
    RedactedHost,
    RedactedName,
    RedactedPath,
    RedactedPointer,
    RedactedText,
)
from riskscan.model.kinds import (
    AuthKind,
    ControlStatus,
    DataClass,
    EvidenceStrength,
    FieldLocation,
    Grade,
    InputStatus,
    Lifecycle,
    ParameterLocation,
    RouteAspect,
    Severity,
    SightingSource,
    SourceKind,
)
from riskscan.model.inputs import (
    ApiSpec,
    AuthRequirement,
    Evidence,
    InputFile,
    Parameter,
    SchemaField,
    SpecOperation,
)
from riskscan.model.gateways import (
    ClientTransport,
    CorsPolicy,
    GatewayConfig,
    GatewayExport,
    GatewayRoute,
    PluginRef,
    RateLimitPolicy,
    TlsSetting,
    Upstream,
)
from riskscan.model.traffic import (
    ClientTraffic,
    PathTraffic,
    TrafficSample,
)
from riskscan.model.inventory import (
    AuthPosture,
    Endpoint,
    Inventory,
    RateLimitPosture,
    SensitiveField,
    ServingRoute,
    TrafficStats,
    WebContent,
    WebContentClass,
)
from riskscan.model.results import (
    AcceptedRisk,
    Assessment,
    ControlResult,
    ExceptionStatus,
    Finding,
    GradeBasis,
    RiskException,
)

__all__ = [
    "AcceptedRisk",
    "ApiSpec",
    "Assessment",
    "AuthKind",
    "AuthPosture",
    "AuthRequirement",
    "ClientTransport",
    "ClientTraffic",
    "ControlResult",
    "ControlStatus",
    "CorsPolicy",
    "DataClass",
    "Endpoint",
    "Evidence",
    "EvidenceStrength",
    "ExceptionStatus",
    "FieldLocation",
    "Finding",
    "GatewayConfig",
    "GatewayExport",
    "GatewayRoute",
    "Grade",
    "GradeBasis",
    "InputFile",
    "InputStatus",
    "Inventory",
    "Lifecycle",
    "Model",
    "Parameter",
    "ParameterLocation",
    "PathTraffic",
    "PluginRef",
    "RateLimitPolicy",
    "RateLimitPosture",
    "RouteAspect",
    "SchemaField",
    "SensitiveField",
    "ServingRoute",
    "RedactedEndpointKey",
    "RedactedFilePath",
    "RedactedHost",
    "RedactedName",
    "RedactedPath",
    "RedactedPointer",
    "RedactedText",
    "RiskException",
    "Severity",
    "SightingSource",
    "SourceKind",
    "SpecOperation",
    "TrafficSample",
    "TlsSetting",
    "TrafficStats",
    "Upstream",
    "WebContent",
    "WebContentClass",
]
